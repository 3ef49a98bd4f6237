"""Normalisation (one spelling per sign, quotes mapped back to the document's characters) and
the unread detector (what looks like a constraint and no rule read is reported)."""

from __future__ import annotations

import pytest

from wirespec.codegen.ingest._records import Span
from wirespec.codegen.ingest.grammar import read_constraints
from wirespec.codegen.ingest.grammar._text import normalise


@pytest.mark.parametrize(("raw", "normal"), [
    ("取值范围：（0,1.0]", "取值范围:(0,1.0]"),
    ("［0，2）；～", "[0,2);~"),
    ("[0, 2³¹−1]", "[0, 2^31-1]"),
    ("0–5 and 1—4", "0-5 and 1-4"),
    ("range — verify", "range — verify"),
    ("a\u200bb\ufeffc\u200d", "abc"),
    ("≤ ≥ ＜ ＞", "<= >= < >"),
    ("32,000 and 1,000,000 tokens", "32000 and 1000000 tokens"),
    ("[0,231−1] and [1,100] and 1,2,3", "[0,231-1] and [1,100] and 1,2,3"),
    ("**0.8** and `1 <= x <= 16384`", "0.8 and 1 <= x <= 16384"),
    ("model&#x27;s &lt;= 2 &amp;", "model's <= 2 &amp;"),
    ("\\[text|message\\] top\\_k", "[text|message] top_k"),
    ("“auto” ’s", "\"auto\" 's"),
    ("１００", "100"),
])
def test_normalised_spelling(raw, normal):
    assert normalise(raw).text == normal


def test_quotes_come_from_the_raw_words():
    text = normalise("Range: [0, 2³¹−1] and **0.8** `x` &lt;= 3")
    start = text.text.index("[0")
    assert text.quote(start, text.text.index("]") + 1) == "[0, 2³¹−1]"
    start = text.text.index("0.8")
    assert text.quote(start, start + 3) == "0.8"
    start = text.text.index(" x ")
    assert text.quote(start, start + 2) == " `x`"  # a code span the words open is closed
    start = text.text.index("<=")
    assert text.quote(start, start + 4) == "&lt;= 3"


def test_code_spans_are_kept_as_extents():
    text = normalise("a `b c` d `e`")
    assert [text.text[start:stop] for start, stop in text.code] == ["b c", "e"]


def unread(words: str, json_type: str | None = None) -> list[tuple[str, str]]:
    _, left = read_constraints([Span(4, line) for line in words.split("\n")],
                                      json_type)
    return [(u.quote, u.why) for u in left]


@pytest.mark.parametrize(("words", "why"), [
    ("Default values differ by model.", "a default"),
    ("temperature默认值", "a default"),
    ("Valid values:", "a value list"),
    ("The value is clamped when it is greater than 9 or so", "a comparison inside a condition"),
    ("取值范围：0到216−1", "may be 2^16-1 with its superscript lost"),
    ("7 < 8 somewhere", "a comparison sign beside a number"),
    ("it costs 300 tokens", "a token figure"),
    ("the range is roughly 5 wide", "numbers beside range words"),
])
def test_what_looks_like_a_constraint_is_never_dropped(words, why):
    found = unread(words)
    assert any(why in reason for _, reason in found), found


def test_an_unread_passage_is_the_documents_words_and_line():
    readings, left = read_constraints([Span(9, "Range: [0, 2). Default values differ.")],
                                      "number")
    assert [(r.keyword, r.value) for r in readings] == [("minimum", 0),
                                                         ("exclusiveMaximum", 2)]
    assert [(u.line, u.quote) for u in left] == [(9, "Default values differ")]


@pytest.mark.parametrize("words", [
    "Higher values produce more diverse output.",
    "Set only one of them.",
    "qwen3-8b/14b/32b and qwen-vl-ocr-2025-04-13 models",
    "The model returns the same result whenever possible.",
])
def test_prose_without_constraints_is_left_alone(words):
    readings, left = read_constraints([Span(1, words)], None)
    assert (readings, left) == ([], [])
