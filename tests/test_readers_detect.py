"""Format detection and time: ``looks_like`` ranks each document's own family first across
every document in sources/ and tests/corpus/research/, and readers take time in proportion
to their input (figures printed; only "does not hang" bounds asserted)."""

from __future__ import annotations

import time
from types import ModuleType

import pytest
from conftest import ROOT
from test_readers_prose import (
    ALIBABA_EN,
    ANTHROPIC,
    APP_CALL_ZH,
    COMPAT_ZH,
    COMPILATION,
    FARUI,
    FLATTENED,
    KOLORS,
    MARKDOWN,
    MODEL_CARD,
    OPENAI_CHAT,
    PROTOCOL_ZH,
    SEED_003,
    document,
)

from wirespec.codegen.ingest.readers import cell_per_line, param_list, pipe_table

READERS = {"param_list": param_list, "cell_per_line": cell_per_line, "pipe_table": pipe_table}
FAMILY = {
    MARKDOWN: "param_list", FLATTENED: "param_list", OPENAI_CHAT: "param_list",
    ANTHROPIC: "param_list", KOLORS: "param_list", COMPILATION: "param_list",
    PROTOCOL_ZH: "cell_per_line", APP_CALL_ZH: "cell_per_line", COMPAT_ZH: "cell_per_line",
    FARUI: "cell_per_line", MODEL_CARD: "cell_per_line", ALIBABA_EN: "cell_per_line",
    SEED_003: "pipe_table",
}
# a generous bound: a hang is the bug, not a slow machine
NO_HANG_SECONDS = 60.0


def corpus() -> list[str]:
    files = [*(ROOT / "sources").rglob("*"), *(ROOT / "tests/corpus/research").rglob("*")]
    return sorted(str(p.relative_to(ROOT)) for p in files if p.is_file()
                  and not p.name.endswith(".origin.txt") and p.name != "manifest.toml")


def scores(path: str) -> dict[str, float]:
    text = (ROOT / path).read_text(encoding="utf-8")
    return {name: reader.looks_like(text) for name, reader in READERS.items()}


def test_every_family_document_is_in_the_corpus():
    assert set(FAMILY) <= set(corpus())


@pytest.mark.parametrize("path", corpus())
def test_looks_like_ranks_the_documents_own_family_first(path):
    found = scores(path)
    print(path, {k: round(v, 2) for k, v in found.items()})
    assert all(0.0 <= v <= 1.0 for v in found.values())
    own = FAMILY.get(path)
    if own is None:
        # no family of these readers: none claims it (OpenAPI, Cloudflare JSON/YAML/trees,
        # pages whose names were lost)
        assert max(found.values()) < 0.5
    else:
        assert found[own] >= 0.5
        assert all(found[own] > v for name, v in found.items() if name != own)


def _body(path: str, first: int, last: int, copies: int) -> str:
    """The document with its lines first..last repeated ``copies`` times."""
    lines = (ROOT / path).read_text(encoding="utf-8").split("\n")
    return "\n".join([*lines[:first - 1], *lines[first - 1:last] * copies, *lines[last:]])


@pytest.mark.parametrize("reader,path,first,last", [
    (param_list, MARKDOWN, 129, 347), (param_list, FLATTENED, 83, 345),
    (param_list, COMPILATION, 124, 275), (cell_per_line, PROTOCOL_ZH, 112, 463),
    (cell_per_line, FARUI, 394, 482), (pipe_table, SEED_003, 407, 430)])
def test_time_grows_with_the_document(reader: ModuleType, path: str, first: int, last: int):
    figures = []
    for copies in (1, 8, 32):
        text = _body(path, first, last, copies)
        start = time.perf_counter()
        doc = reader.read(document(path, text))
        seconds = time.perf_counter() - start
        figures.append((len(text), len(doc.records), seconds))
        assert seconds < NO_HANG_SECONDS
    print(path, [f"{size:,} chars, {records} records: {s * 1000:.0f} ms"
                 for size, records, s in figures])
    # every copy of the repeated entries is read: records grow by the same count per copy
    per_copy = (figures[1][1] - figures[0][1]) / 7
    assert per_copy > 0 and figures[2][1] == figures[0][1] + 31 * per_copy


HOSTILE = {
    "one long word": "a_" * 200_000 + " strin",
    "lines of open braces": "{\n" * 40_000,
    "lines of open strings": '{"\n' * 40_000,
    "entry links on one line": "[\u200b ](#abc) zzzzzzzz " * 40_000,
    "a default that never closes": "[\u200b ](#a) astring default" + "{" * 200_000,
    "table rows": "Parameter | Type | Description |\n" + "a | b | c\n" * 40_000,
    "a line of pipes": "|" * 400_000,
    "header cells": "参数\n类型\n" * 40_000,
    "names without types": "\u200bname\n" * 40_000,
    "entry heads": "a string （可选）\n" * 40_000,
    "headings": "#### a\n" * 40_000,
    "a heading of spaces": "#" + " " * 400_000 + "x",
    "event lines": "data:{\n" * 40_000,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_layouts_do_not_hang(name: str):
    text = HOSTILE[name]
    for reader in READERS.values():
        start = time.perf_counter()
        reader.looks_like(text)
        reader.read(document("hostile.txt", text))
        seconds = time.perf_counter() - start
        print(f"{name}: {reader.__name__.rsplit('.', 1)[-1]} {seconds * 1000:.0f} ms "
              f"for {len(text):,} characters")
        assert seconds < NO_HANG_SECONDS
