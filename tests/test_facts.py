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

# (sheet, path, keyword) -> why wirespec's reading differs from the sheet's, on purpose
KNOWN: dict[tuple[str, str, str], str] = {}


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


def verdicts(sheet: Path, documents) -> list[Verdict]:
    facts = load_sheet(sheet)
    models = documents.get(facts["document"])
    assert models, f"{facts['document']} gave no models"
    found = []
    for fact in facts.get("fact", []):
        wanted = models if fact["models"] == ["*"] else {
            m: models[m] for m in fact["models"] if m in models}
        for model, (schemas, limits) in sorted(wanted.items()):
            found.append(check_fact(fact, model, schemas, limits))
    return found


def _catalog(sheet: Path) -> bool:
    return load_sheet(sheet)["document"].startswith("sources/cloudflare/")


@pytest.mark.parametrize("sheet", [s for s in sheets() if _catalog(s)], ids=lambda p: p.stem)
def test_every_fact_of_a_catalog_file(sheet, documents):
    found = verdicts(sheet, documents)
    counts = Counter(v.outcome for v in found)
    print(f"\n{sheet.stem}: {dict(counts)}")
    bad = [str(v) for v in found if v.outcome != "right"
           and (sheet.stem, v.fact["path"], v.fact["keyword"]) not in KNOWN]
    assert bad == []


def test_every_catalog_file_added_since_the_seeds_has_a_sheet():
    catalog = [s for s in sheets() if _catalog(s)]
    assert len(catalog) == 37  # 33 newer files and 4 older revisions
