"""Layout readers find entries by structure, not by one revision's sentences: the same page
with entries reordered, blank lines added or removed, a section heading renamed, an unknown
parameter added, a description naming another parameter, or the last entry cut off."""

from __future__ import annotations

from types import ModuleType

import pytest
from conftest import ROOT
from test_readers_prose import (
    FARUI,
    FLATTENED,
    KOLORS,
    MARKDOWN,
    PROTOCOL_ZH,
    SEED_003,
    document,
)

from wirespec.codegen.ingest._records import ParameterRecord, ReadDocument, Span
from wirespec.codegen.ingest.readers import cell_per_line, param_list, pipe_table

Entry = tuple[object, ...]


def text_of(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def entry(r: ParameterRecord) -> Entry:
    """A record without its lines: what must not change when the page is rearranged."""
    def words(span: Span | None) -> str | None:
        return span.text if span else None
    return (r.section, r.path, words(r.type_words), words(r.required), words(r.deprecated),
            words(r.placement), tuple(m.text for m in r.marks),
            tuple(s.text for s in r.description))


def entries(doc: ReadDocument) -> list[Entry]:
    return sorted(map(entry, doc.records), key=repr)


def read(reader: ModuleType, path: str, text: str) -> ReadDocument:
    return reader.read(document(path, text))


def swap(text: str, first: tuple[int, int], second: tuple[int, int]) -> str:
    """The text with two blocks of lines (1-based, inclusive, first before second) swapped."""
    lines = text.split("\n")
    (a, b), (c, d) = first, second
    return "\n".join([*lines[:a - 1], *lines[c - 1:d], *lines[b:c - 1], *lines[a - 1:b],
                      *lines[d:]])


def replace_line(text: str, number: int, new: str) -> str:
    lines = text.split("\n")
    lines[number - 1] = new
    return "\n".join(lines)


def insert_after(text: str, number: int, new: str) -> str:
    lines = text.split("\n")
    return "\n".join([*lines[:number], *new.split("\n"), *lines[number:]])


# reader, document, two blocks to swap, section headings renamed (line, new words),
# an unknown entry (after line, text, its path, type words, a mark), a description line
# naming other parameters (after line, text, the record it joins), the page cut inside its
# last entry's head (lines kept, the cut words, the cut entry's line, the leftover words)
CASES = {
    "markdown": (param_list, MARKDOWN, ((216, 224), (259, 266)),
                 [(125, "## Request body"), (350, "## Responses")],
                 (266, "#### frobnicate\n\n`integer` `default:3`\nHow hard to frobnicate.\n"
                       "Required range: `0 <= x <= 9`\n", ("frobnicate",), "integer",
                  "Required range: `0 <= x <= 9`"),
                 (219, "Set it with `temperature` and `top_p`; see also max_tokens.",
                  ("max_tokens",)),
                 (343, "###### function.strict\n\n`bool", 343, ["function.strict", "`bool"])),
    "flattened": (param_list, FLATTENED, ((188, 188), (190, 190)),
                  [(83, " ### Request body"), (346, " ### Responses")],
                  (190, " [\u200b ](#parametersfrobnicate) parameters.frobnicateinteger default3 "
                        "How hard to frobnicate.\n\n Required range:0 <= x <= 9",
                   ("parameters", "frobnicate"), "integer", "Required range:0 <= x <= 9"),
                  (120, "Use parameters.top_p or top_k instead of temperature for QVQ models.",
                   ("parameters", "temperature")),
                  (343, " [\u200b ](#parametersvl-enable-image-hw-output) parameters.vl_enable_im",
                   344, ["[ ](#parametersvl-enable-image-hw-output) parameters.vl_enable_im"])),
    "rendered": (param_list, KOLORS, ((49, 53), (54, 58)),
                 [(34, "Request body"), (75, "Responses")],
                 (71, "\u200bfrobnicate\nintegerdefault:3\nHow hard to frobnicate.\n"
                      "Required range: 0 <= x <= 9\n", ("frobnicate",), "integer",
                  "Required range: 0 <= x <= 9"),
                 (51, "see guidance_scale and seed", ("batch_size",)),
                 (71, "\u200bimage\nstri", 72, ["image"])),
    "cell_per_line": (cell_per_line, PROTOCOL_ZH, ((127, 138), (139, 150)),
                      [(84, "请求参数"), (464, "响应参数")],
                      (150, "frobnicate integer （可选）默认值为3\n\n频率。\n\n取值范围：[0, 9]",
                       ("frobnicate",), "integer", "默认值为3"),
                      (131, "与 top_p 一起调整时，请参考 max_tokens 的说明。", ("temperature",)),
                      (510, "usage ma", 511, ["usage ma"])),
    "pipe_table": (pipe_table, SEED_003, ((331, 331), (334, 334)),
                   [(321, "Request"), (381, "Responses")],
                   (337, "frobnicate | int | Optional. How hard. Valid values: [0,9]. |",
                    ("frobnicate",), "int", None),
                   None,
                   (443, "request_id | Str", 444, ["request_id", "Str"])),
}


def case(name: str) -> tuple[ModuleType, str, str]:
    reader, path = CASES[name][0], CASES[name][1]
    return reader, path, text_of(path)  # type: ignore[return-value]


@pytest.mark.parametrize("name", list(CASES))
def test_entries_reordered(name):
    reader, path, text = case(name)
    first, second = CASES[name][2]  # type: ignore[misc]
    moved = read(reader, path, swap(text, first, second))
    assert entries(moved) == entries(read(reader, path, text))


@pytest.mark.parametrize("name", list(CASES))
def test_blank_lines_added_or_removed(name):
    reader, path, text = case(name)
    original = entries(read(reader, path, text))
    doubled = "\n".join(f"{line}\n" for line in text.split("\n"))
    assert entries(read(reader, path, doubled)) == original
    packed = "\n".join(line for line in text.split("\n") if line.strip())
    assert entries(read(reader, path, packed)) == original


@pytest.mark.parametrize("name", list(CASES))
def test_section_headings_renamed(name):
    reader, path, text = case(name)
    renamed = text
    for number, words in CASES[name][3]:  # type: ignore[attr-defined]
        renamed = replace_line(renamed, number, words)
    assert entries(read(reader, path, renamed)) == entries(read(reader, path, text))


@pytest.mark.parametrize("name", list(CASES))
def test_an_unknown_parameter(name):
    reader, path, text = case(name)
    after, new, new_path, type_words, mark = CASES[name][4]  # type: ignore[misc]
    doc = read(reader, path, insert_after(text, after, new))
    added = [r for r in doc.records if r.path == new_path]
    assert len(added) == 1 and added[0].line == after + 1
    assert added[0].type_words is not None and added[0].type_words.text == type_words
    if mark:
        assert mark in [m.text for m in added[0].marks]
    others = [e for e in entries(doc) if e[1] != new_path]
    assert others == entries(read(reader, path, text))


@pytest.mark.parametrize("name", [n for n in CASES if CASES[n][5]])
def test_a_description_naming_other_parameters(name):
    reader, path, text = case(name)
    after, words, target = CASES[name][5]  # type: ignore[misc]
    doc = read(reader, path, insert_after(text, after, words))
    before = read(reader, path, text)
    assert sorted(r.path for r in doc.records) == sorted(r.path for r in before.records)
    joined = [r for r in doc.records if r.path == target]
    assert any(s.text == words and s.line == after + 1 for s in joined[0].description)


def test_a_description_naming_other_parameters_in_a_pipe_table():
    text = text_of(SEED_003).replace(
        "top_p | float | Optional. The probability",
        "top_p | float | Optional. Unlike temperature and seed, the probability", 1)
    doc = read(pipe_table, SEED_003, text)
    assert sorted(r.path for r in doc.records) == sorted(
        r.path for r in read(pipe_table, SEED_003, text_of(SEED_003)).records)
    top_p = next(r for r in doc.records if r.path == ("top_p",))
    assert top_p.description[0].text.startswith("Optional. Unlike temperature and seed,")


@pytest.mark.parametrize("name", list(CASES))
def test_a_truncated_page(name):
    reader, path, text = case(name)
    keep, cut_words, cut_line, leftover = CASES[name][6]  # type: ignore[misc]
    cut = "\n".join([*text.split("\n")[:keep], cut_words])
    doc = read(reader, path, cut)
    whole = read(reader, path, text)
    expected = {(r.path, r.line) for r in whole.records if r.line < cut_line}
    assert {(r.path, r.line) for r in doc.records} == expected
    assert [s.text for s in doc.leftovers] == leftover
    assert all(s.line >= cut_line for s in doc.leftovers)


def test_farui_cell_tables_rearranged():
    text = text_of(FARUI)
    original = entries(read(cell_per_line, FARUI, text))
    moved = swap(text, (451, 458), (459, 466))
    assert entries(read(cell_per_line, FARUI, moved)) == original
    packed = "\n".join(line for line in text.split("\n") if line.strip())
    assert entries(read(cell_per_line, FARUI, packed)) == original
    added = insert_after(text, 466, "frobnicate（可选）\n\nint\n\n3\n\n频率。\n")
    doc = read(cell_per_line, FARUI, added)
    new = [r for r in doc.records if r.path == ("frobnicate",)]
    assert len(new) == 1 and [m.text for m in new[0].marks] == ["3"]
    assert new[0].required is not None and new[0].required.text == "（可选）"
    renamed = replace_line(text, 676, "### **出参说明**")
    assert entries(read(cell_per_line, FARUI, renamed)) == original
