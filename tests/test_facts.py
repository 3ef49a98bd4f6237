"""Every fact read by hand from a new document (tests/facts/) is what ingest read: right, not
wrong, not missing. A disagreement the sheet's note explains as an ambiguity is listed in
KNOWN with the reading wirespec takes (docs/decisions.md says why)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT
from facts import Verdict, check_fact, load_sheet, sheets

from wirespec.codegen.ingest import plan_sources
from wirespec.codegen.ingest._model_names import group_members

# (sheet, path, keyword) -> why wirespec's reading differs from the sheet's, on purpose
# (docs/decisions.md, "Reading the newer references", says the same)
HEADERS = "request headers are not part of a payload's schema (wirespec validates bodies)"
SAMPLE_VALUES = "a sample shows one value; wirespec takes only its kind from a sample"
NOT_WRITTEN = ("the document's default breaks its own schema: the sanity check does not write "
               "it (ingest lists it)")
DESCRIPTION_ONLY = ("stated only in a description of a published schema: listed as unread by "
                    "the cross-check, never enforced")
MODEL_DEFAULT = "one schema per model: its `model` is a const, the document's default is moot"
KNOWN: dict[tuple[str, str, str], str] = {
    ("dashscope-chat.en", "input.messages[].role", "enum"): (
        "the flattened page shows the System message's members only ('Fixed as system'); the "
        "other message kinds are objects whose members it does not show, so no role enum "
        "covers them (the prose list of kinds is not a member's enum)"),
    ("dashscope-chat.en", "parameters.stop", "type"): (
        "the type words say string; the prose mentions arrays: the declared type is kept"),
    ("dashscope-chat.en", "output.finish_reason", "enum"): (
        "'Values: `null` (still generating), `stop` (…)' - values with explanations are not "
        "read as an enum (listed as unread)"),
    ("dashscope-chat.en", "output.choices[].finish_reason", "enum"): (
        "'Values: `null` (generating), `stop`, …' on a response member: not read as an enum"),
    ("dashscope-chat.en", "usage.prompt_tokens_details.cache_type", "const"): (
        "'If explicit caching is used, the value is ephemeral': a conditional value, no const"),
    ("qwen-api-reference.dashscope-protocol.zh", "parameters.response_format.type", "enum"): (
        "the value list names whole objects ({\"type\": \"text\"}): read as the enum of "
        "response_format, not of its member"),
    ("qwen-api-reference.dashscope-protocol.zh", "parameters.tool_choice", "enum"): (
        "the values are bare lines ('auto', 'none') between explanations: not read as an enum"),
    ("qwen-api-reference.dashscope-protocol.zh", "parameters.result_format", "default"): (
        "'默认为text' and '平台后续将统一调整默认值为message' on the same entry: the grammar "
        "reads both; the contradiction leaves one"),
    ("chat-completions.markdown.2025", "model", "default"): MODEL_DEFAULT,
    ("chat-completions.markdown.2025", "choices[].message.role", "const"): SAMPLE_VALUES,
    ("chat-completions.markdown.2025", "object", "const"): SAMPLE_VALUES,
    ("chat-completions.openapi-page", "model", "default"): MODEL_DEFAULT,
    ("chat-completions.openapi-page", "tools", "maxItems"): DESCRIPTION_ONLY,
    ("chat-completions.openapi-page", "tools[].function.name", "maxLength"): DESCRIPTION_ONLY,
    ("chat-completions.openapi-page", "stop", "default"): NOT_WRITTEN,
    ("chat-completions.openapi-page", "400:code", "default"): NOT_WRITTEN,
    ("chat-completions.openapi-page", "401:", "default"): NOT_WRITTEN,
    ("chat-completions.openapi-page", "404:", "default"): NOT_WRITTEN,
}


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, tuple[dict, dict]]]:
    """document -> model id -> (kind -> schema, limits), for every document read alone."""
    planned = plan_sources(ROOT)
    by_document: dict[str, dict[str, tuple[dict, dict]]] = {}
    for outcome in planned.outcomes:
        if outcome.reading is None:
            continue
        document = f"sources/{outcome.entry.path}"
        for found in outcome.reading.models:
            by_document.setdefault(document, {})[found.model] = (found.schemas, found.limits)
    return by_document


def _named(fact: dict, models: dict) -> dict:
    """The models a fact is about: every one, its ids, or the members of its model groups."""
    if fact["models"] == ["*"]:
        return models
    ids = {m for words in fact["models"] for m in (
        [words] if words in models else group_members(words, list(models)))}
    return {m: models[m] for m in ids}


def verdicts(sheet: Path, documents) -> tuple[list[Verdict], list[dict]]:
    """Each fact's verdict for each model it is about; and the facts about model groups
    whose words name no model id (defaults "for Qwen3 (thinking)": a mode, not a model)."""
    facts = load_sheet(sheet)
    models = documents.get(facts["document"])
    assert models, f"{facts['document']} gave no models"
    found, unnamed = [], []
    exact: dict[tuple, set[str]] = {}  # a model named by its id in one fact of a key
    for fact in facts.get("fact", []):
        key = (fact["kind"], fact["path"], fact["keyword"])
        exact.setdefault(key, set()).update(m for m in fact["models"] if m in models)
    for fact in facts.get("fact", []):
        key = (fact["kind"], fact["path"], fact["keyword"])
        wanted = {m: v for m, v in _named(fact, models).items()
                  if m in fact["models"] or m not in exact[key]}
        if not wanted:
            unnamed.append(fact)
        for model, (schemas, limits) in sorted(wanted.items()):
            found.append(check_fact(fact, model, schemas, limits))
    return found, unnamed


def _catalog(sheet: Path) -> bool:
    return load_sheet(sheet)["document"].startswith("sources/cloudflare/")


def _known(sheet: Path, verdict: Verdict) -> bool:
    fact = verdict.fact
    return fact["path"].startswith("headers.") or (
        sheet.stem, fact["path"], fact["keyword"]) in KNOWN


@pytest.mark.parametrize("sheet", sheets(), ids=lambda p: p.stem)
def test_every_fact_read_by_hand_is_what_ingest_read(sheet, documents):
    found, unnamed = verdicts(sheet, documents)
    counts = Counter(v.outcome for v in found)
    explained = sum(1 for v in found if v.outcome != "right" and _known(sheet, v))
    print(f"\n{sheet.stem}: {dict(counts)}, {explained} explained, {len(unnamed)} about "
          "model groups that name no id")
    bad = [str(v) for v in found if v.outcome != "right" and not _known(sheet, v)]
    assert bad == []
    if not _catalog(sheet):  # every per-model group that names ids was applied
        assert all(any(c in f["models"][0] for c in "(（") or "模型" in f["models"][0]
                   or f["models"][0].startswith(("Qwen3", "QwQ", "All other", "Qwen-VL"))
                   for f in unnamed), [f["models"] for f in unnamed]


def test_every_catalog_file_added_since_the_seeds_has_a_sheet():
    catalog = [s for s in sheets() if _catalog(s)]
    assert len(catalog) == 37  # 33 newer files and 4 older revisions
