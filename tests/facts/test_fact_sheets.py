"""The hand-read fact sheets stay honest: every quote is verbatim on its line, facts are unique."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

FACTS = Path(__file__).parent
REPOSITORY = FACTS.parent.parent
SHEETS = sorted(FACTS.glob("*.toml"))
KINDS = {"request", "response", "stream", "error"}
KEYWORDS = {
    "type",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "enum",
    "const",
    "default",
    "required",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "nullable",
    "limit",
}
# the least each brief asked of the four prose documents
MINIMUM_FACTS = {
    "sources/dashscope/dashscope-chat.en.md": 60,
    "sources/dashscope/qwen-api-reference.dashscope-protocol.zh.txt": 50,
    "sources/siliconflow/chat-completions.markdown.2025.md": 40,
    "sources/siliconflow/chat-completions.openapi-page.md": 50,
}


def load(sheet: Path) -> dict[str, Any]:
    with sheet.open("rb") as handle:
        return tomllib.load(handle)


def document_lines(sheet: dict[str, Any]) -> list[str]:
    # split on \n only: a quote's line is what an editor shows, not what str.splitlines() cuts
    document = REPOSITORY / str(sheet["document"])
    return document.read_text(encoding="utf-8").split("\n")


def test_every_sheet_is_found() -> None:
    assert len(SHEETS) == 41


@pytest.mark.parametrize("path", SHEETS, ids=lambda path: path.stem)
def test_quotes_are_verbatim_on_their_lines(path: Path) -> None:
    sheet = load(path)
    lines = document_lines(sheet)
    for fact in sheet["fact"]:
        assert 1 <= fact["line"] <= len(lines), fact
        assert fact["quote"].strip(), fact
        assert fact["quote"] in lines[fact["line"] - 1], fact


@pytest.mark.parametrize("path", SHEETS, ids=lambda path: path.stem)
def test_facts_are_well_formed_and_unique(path: Path) -> None:
    sheet = load(path)
    assert sheet["provider"] in {"cloudflare", "dashscope", "siliconflow"}
    assert sheet["models"] and all(isinstance(model, str) for model in sheet["models"])
    seen: set[tuple[tuple[str, ...], str, str, str]] = set()
    for fact in sheet["fact"]:
        assert fact["kind"] in KINDS, fact
        assert fact["keyword"] in KEYWORDS, fact
        key = (tuple(fact["models"]), fact["kind"], fact["path"], fact["keyword"])
        assert key not in seen, key
        seen.add(key)
        if fact["keyword"] == "limit":
            assert set(fact["value"]) == {"name", "value"}, fact
            assert isinstance(fact["value"]["value"], int), fact


@pytest.mark.parametrize("document", sorted(MINIMUM_FACTS))
def test_prose_documents_have_the_facts_asked_for(document: str) -> None:
    sheets = [load(path) for path in SHEETS]
    (sheet,) = [sheet for sheet in sheets if sheet["document"] == document]
    assert len(sheet["fact"]) >= MINIMUM_FACTS[document]
