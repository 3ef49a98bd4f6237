"""sanity(): what was read and cannot be right as it stands is reported (line, words, reason),
never repaired; and readings that are right raise nothing."""

from __future__ import annotations

import pytest

from wirespec.codegen.ingest._records import Span
from wirespec.codegen.ingest.grammar import Problem, read_constraints, sanity


def problems(words: str, json_type: str | None, examples: tuple[object, ...] = ()
             ) -> list[Problem]:
    spans = [Span(n, line) for n, line in enumerate(words.split("\n"), start=1)]
    readings, _ = read_constraints(spans, json_type)
    return sanity(readings, json_type, examples)


@pytest.mark.parametrize(("words", "json_type", "examples", "reason"), [
    # the flattened page glued the example after the bound (research: phrasings 4 and 5)
    ("128 <= x <= 327684096", "integer", (4096,), "the bound 32768 with the example 4096"),
    ("0 <= x <= 10.05", "number", (0.05,), "the bound 1 with the example 0.05"),
    ("Example: 4096\n128 <= x <= 327684096", "integer", (), "the example 4096"),
    ("Range: [5, 2].", "number", (), "minimum 5 is not below maximum 2"),
    ("Range: [2, 2).", "number", (), "minimum 2 is not below exclusiveMaximum 2"),
    ("Required array length: 10 - 10 elements\nUp to 4 sequences", "array", (),
     "minItems 10 is not below maxItems 4"),
    ("Range: [0, 2). Default value: 3.", "number", (), "the default 3 is outside"),
    ("Range: [0, 2).", "number", (7,), "the example 7 is outside"),
    ("Valid values: text and message. Default value: json.", "string", (), "not in the enum"),
    ("default: false", "integer", (), "the default False is not a integer"),
    ("Range: [0, 2).", "number", ("warm",), "the example 'warm' is not a number"),
    ("enum: []", "string", (), "an empty enum"),
    ("enum:\n  - [ list ]", "string", (), "enum members [['list']] are not of the type string"),
    ("Range: [0, 5].\nRequired range:0 <= x <= 2", "number", (), "maximum read as 2 here"),
])
def test_each_problem_is_reported_with_its_words(words, json_type, examples, reason):
    found = problems(words, json_type, examples)
    assert any(reason in problem.reason for problem in found), found
    assert all(problem.words for problem in found)


@pytest.mark.parametrize(("words", "json_type", "examples"), [
    ("Required range: `1 <= x <= 16384`", "integer", (512, 84, 16384)),
    ("Range: [0, 2). Default value: 0.85.", "number", (0.7,)),
    ("Valid values: text and message. Default value: text.", "string", ("message",)),
    ("Default is the model's maximum output length.", "integer", ()),
    ("**Default values by model:**\n- QwQ series: **40**\n- All other models: **20**\n"
     "Required range: x >= 0", "integer", ()),
    ("If `None` or greater than 100, top_k is disabled. Must be >= 0.", "integer", (500,)),
    ("This range differs from Anthropic's native [0.0, 1.0]. Range: [0, 2).", "number",
     (1.5,)),
])
def test_right_readings_raise_nothing(words, json_type, examples):
    assert problems(words, json_type, examples) == []


def test_a_problem_names_the_line():
    found = problems("Some words.\nRange: [0, 2). Default value: 3.", "number")
    assert [(p.line, p.words) for p in found] == [(2, "Default value: 3")]
