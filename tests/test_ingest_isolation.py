"""Ingest document by document: layouts detected from structure, a failing document reported
with its line while every other one is ingested (its models keep their previous schemas),
upstream-broken catalog files read as far as they are meaningful, every stated limit kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from jsonschema import Draft202012Validator
from test_ingest_bad_input import snapshot

from wirespec import validate
from wirespec.codegen.ingest import FORMATS, plan_sources
from wirespec.codegen.ingest._formats import detect
from wirespec.codegen.ingest._manifest import load_manifest
from wirespec.codegen.ingest._pipeline import document_reader
from wirespec.validators._limits import LIMIT_MEANINGS
from wirespec.validators._schema_walk import iter_subschemas

BGE = "cloudflare/catalog/bge-m3.json"
TREE = "cloudflare/qwen1.5-0.5b-chat.tree.txt"
SEED_003 = "dashscope/qwen1.5-chat.api-reference.txt"
EXPECTED_FORMAT = {
    "cloudflare/qwen1.5-1.8b-chat.frontmatter.md": "cloudflare-frontmatter",
    TREE: "cloudflare-tree",
    "cloudflare/qwen1.5-7b-chat-awq.docs-page.txt": "cloudflare-docs-page",
    SEED_003: "pipe-tables",
    "siliconflow/chat-completions.api-reference.txt": "flattened-values",
    "dashscope/dashscope-chat.en.md": "param-list",
    "dashscope/qwen-api-reference.dashscope-protocol.zh.txt": "cell-per-line",
    "siliconflow/chat-completions.markdown.2025.md": "param-list",
    "siliconflow/chat-completions.openapi-page.md": "openapi",
}


# Seed 003 is detected as pipe tables, and read by the reader made for it (it reads more).
FORCED = {SEED_003: "dashscope-qwen1.5-reference"}


def test_every_listed_document_needs_no_format_its_layout_is_detected():
    entries = load_manifest(ROOT / "sources", set(FORMATS))
    read = document_reader(ROOT / "sources", {e.path: e for e in entries})
    for entry in entries:
        assert entry.format == FORCED.get(entry.path)
        wanted = EXPECTED_FORMAT.get(entry.path, "cloudflare-catalog-json")
        assert detect(read(entry.path), FORMATS).name == wanted, entry.path


def test_a_document_no_reader_recognises_is_one_line(project):
    (project / "sources" / "dashscope" / "notes.txt").write_text("Hello.\nNothing here.\n")
    with (project / "sources" / "manifest.toml").open("a") as manifest:
        manifest.write('\n[[document]]\npath = "dashscope/notes.txt"\nprovider = "dashscope"\n')
    result = run_cli("ingest", "--root", str(project))
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert "sources/dashscope/notes.txt: no reader recognises" in result.stderr


def test_a_failing_document_keeps_its_models_and_every_other_is_ingested(project):
    bge = project / "sources" / BGE
    bge.write_text(bge.read_text().replace('"description": "', '"description": "Newer: ', 1))
    tree = project / "sources" / TREE
    tree.write_text(tree.read_text().replace("object-\nprompt", "object\nprompt", 1))
    before = snapshot(project / "schemas")
    result = run_cli("ingest", "--root", str(project))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"wirespec: error: sources/{TREE}: the parameter tree does not parse: its '-' "
        "markers do not balance"] or "does not parse" in result.stderr
    after = snapshot(project / "schemas")
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert "cloudflare/cf__baai__bge-m3.request.json" in changed  # the good change landed
    assert not any("qwen1.5-0.5b-chat" in rel for rel in changed)  # the failing one: kept
    assert "kept the previous schemas of cloudflare:@cf/qwen/qwen1.5-0.5b-chat" in result.stdout


def test_ingest_check_goes_on_past_a_failing_document(project):
    tree = project / "sources" / TREE
    tree.write_text(tree.read_text().replace("object-\nprompt", "object\nprompt", 1))
    result = run_cli("ingest", "--check", "--root", str(project))
    assert result.returncode == 2 and "ingest: up to date" in result.stdout


def test_ingest_prints_what_each_document_gave():
    result = run_cli("ingest", "--check", "--verbose")
    assert result.returncode == 0
    line = next(x for x in result.stdout.splitlines() if x.startswith(f"sources/{BGE}"))
    assert "[cloudflare-catalog-json]" in line and "parameters" in line and "unread" in line


@pytest.fixture(scope="module")
def planned():
    return plan_sources(ROOT)


def index_entry(planned, model_id: str) -> dict:
    index = json.loads(planned.files["index.json"])
    return next(m for m in index["models"] if m["id"] == model_id)


def test_a_catalog_file_without_a_schema_gives_its_model_and_limits_and_says_so(planned):
    entry = index_entry(planned, "cloudflare:@cf/swiss-ai/apertus-v1.5-8b")
    assert entry["kinds"] == {}
    assert entry["limits"]["context_window"]["value"] == 262144
    notes = [n for o in planned.outcomes if o.reading for n in o.reading.notes]
    assert any("apertus" in n and "no `schema`" in n for n in notes)


def test_a_required_list_among_the_members_is_read_as_the_objects(planned):
    schema = json.loads(planned.files["cloudflare/cf__black-forest-labs__flux-2-dev.request.json"])
    assert schema["required"] == ["multipart"] and "required" not in schema["properties"]
    assert "read as the object's" in schema["x-source"]["inferred"]


def test_every_token_limit_a_catalog_file_states_is_kept_with_its_line(planned):
    gemma = index_entry(planned, "cloudflare:@hf/google/gemma-7b-it")["limits"]
    assert {name: limit["value"] for name, limit in gemma.items()} == {
        "max_batch_prefill_tokens": 2048, "max_input_length": 1512, "max_total_tokens": 2048}
    mistral = index_entry(planned, "cloudflare:@hf/mistral/mistral-7b-instruct-v0.2")["limits"]
    assert mistral["max_input_length"]["value"] == 3072
    assert mistral["max_total_tokens"]["value"] == 4096
    for limit in (*gemma.values(), *mistral.values()):
        assert limit["x-source"]["line"] > 1
    assert set(gemma) | set(mistral) <= set(LIMIT_MEANINGS)


def test_the_budget_uses_every_stated_limit():
    gemma = "cloudflare:@hf/google/gemma-7b-it"
    long = {"prompt": "word " * 1600}
    keywords = {error.keyword for error in validate(gemma, long).errors}
    assert {"max_input_length", "max_total_tokens"} <= keywords
    assert validate(gemma, {"prompt": "hi", "max_tokens": 100}).ok


def test_minified_json_cites_a_pointer_where_a_line_holds_several_nodes(tmp_path: Path):
    root = tmp_path
    (root / "sources" / "cloudflare").mkdir(parents=True)
    document = json.loads((ROOT / "sources" / BGE).read_text())
    (root / "sources" / "cloudflare" / "m.json").write_text(json.dumps(document))
    (root / "sources" / "manifest.toml").write_text(
        '[[document]]\npath = "cloudflare/m.json"\nprovider = "cloudflare"\n')
    files = plan_sources(root).files
    request = json.loads(files["cloudflare/cf__baai__bge-m3.request.json"])
    sources = [node["x-source"] for _, node in iter_subschemas(request) if "x-source" in node]
    assert len(sources) > 5
    assert all(s["line"] == 1 and s["pointer"].startswith("/schema/input") for s in sources)


def test_a_pipe_table_page_worded_otherwise_is_read_by_its_structure(tmp_path):
    """The 2024 reference with its headings and sample titles reworded (as a later revision
    might have them): detected as pipe tables and read by the structural reader, ranges and
    all, where the reader made for the 2024 sentences would stop at a missing heading."""
    text = (ROOT / "sources" / SEED_003).read_text(encoding="utf-8")
    for old, new in (("Use HTTP", "Calling over HTTP"), ("Sample response", "Example reply"),
                     ("Response parameters", "Returned fields")):
        text = text.replace(old, new)
    (tmp_path / "sources" / "dashscope").mkdir(parents=True)
    (tmp_path / "sources" / SEED_003).write_text(text, encoding="utf-8")
    (tmp_path / "sources" / "manifest.toml").write_text(
        f'[[document]]\npath = "{SEED_003}"\nprovider = "dashscope"\n')
    result = run_cli("ingest", "--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"sources/{SEED_003} [pipe-tables]: 7 model(s)" in result.stdout
    request = json.loads((tmp_path / "schemas" / "dashscope" / "qwen1.5-72b-chat.request.json")
                         .read_text())
    top_p = request["properties"]["parameters"]["properties"]["top_p"]
    assert (top_p["exclusiveMinimum"], top_p["exclusiveMaximum"]) == (0, 1.0)
    body = {"model": "qwen1.5-72b-chat", "input": {"prompt": "hi"}, "parameters": {}}
    assert Draft202012Validator(request).is_valid(body)
    assert not Draft202012Validator(request).is_valid({**body, "parameters": {"top_p": 1.0}})
