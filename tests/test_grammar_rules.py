"""Every rule's docstring examples, run as tests: each rule alone gives exactly the readings its
docstring says, and read_constraints (all rules, in precedence) gives them too."""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from wirespec.codegen.ingest._records import Span
from wirespec.codegen.ingest.grammar import RULES, read_cell, read_constraints, read_type
from wirespec.codegen.ingest.grammar._hits import Ctx, Fact
from wirespec.codegen.ingest.grammar._text import normalise

TYPED = re.compile(r"^\[(string|number|integer|boolean|array|object)\] ")
NAMED = re.compile(r"^\((\w+)\) ")  # the parameter whose words these are: `(tool_choice) …`


@dataclass(frozen=True)
class Example:
    owner: str
    words: str
    json_type: str | None
    expect: str
    name: str | None = None

    def __str__(self) -> str:
        return f"{self.owner}: {self.words[:60]!r}"


def _join(pieces: list[str]) -> str:
    """Lines of one example's words: a space between them, none between Chinese words."""
    words = ""
    for piece in pieces:
        cjk = words and (ord(words[-1]) > 0x2E7F or ord(piece[0]) > 0x2E7F)
        words = f"{words}{'' if not words or cjk else ' '}{piece}"
    return words


def examples_of(function: Any) -> list[Example]:
    """The examples of a docstring's ``Examples::`` block: `words => expectation` on one line,
    or words over several lines, then `=> expectation`, continued by lines starting `; `."""
    doc = inspect.getdoc(function) or ""
    if "Examples::" not in doc:
        return []
    found: list[list[str]] = []  # [words, expectation]
    pending: list[str] = []
    for raw in doc.split("Examples::", 1)[1].splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith(("; ", "@ ")) and found and not pending:
            found[-1][1] += " " + line
        elif line.startswith("=> "):
            found.append([_join(pending), line[3:]])
            pending = []
        elif " => " in line:
            words, expect = line.rsplit(" => ", 1)
            found.append([_join([*pending, words.strip()]), expect])
            pending = []
        else:
            pending.append(line)
    assert not pending, f"{function.__name__}: words without an expectation: {pending}"
    return [_example(function.__name__, words, expect) for words, expect in found]


def _example(owner: str, words: str, expect: str) -> Example:
    words = words.strip().replace("\\n", "\n")
    typed = TYPED.match(words)
    if typed:
        words = words[typed.end():]
    named = NAMED.match(words)
    if named:
        words = words[named.end():]
    return Example(owner, words, typed.group(1) if typed else None, expect.strip(),
                   named.group(1) if named else None)


@dataclass(frozen=True)
class Expected:
    keyword: str
    value: Any
    models: tuple[str, ...]
    inferred: bool


def parse_expect(expect: str) -> list[Expected] | str:
    if expect in ("unread", "nothing"):
        return expect
    facts = []
    for part in expect.split(" ; "):
        inferred = part.endswith("(inferred)")
        part = part.removesuffix("(inferred)").strip()
        models: tuple[str, ...] = ()
        if " @ " in part:
            part, named = part.split(" @ ", 1)
            models = tuple(name.strip() for name in named.split(" | "))
        keyword, value = part.split(" = ", 1)
        facts.append(Expected(keyword.strip(), json.loads(value), models, inferred))
    return facts


def same(one: Any, other: Any) -> bool:
    """JSON equality that keeps booleans apart from numbers (True is not 1)."""
    if isinstance(one, bool) or isinstance(other, bool):
        return isinstance(one, bool) and isinstance(other, bool) and one == other
    if isinstance(one, list) and isinstance(other, list):
        return len(one) == len(other) and all(same(a, b) for a, b in zip(one, other,
                                                                             strict=True))
    if isinstance(one, dict) and isinstance(other, dict):
        return one.keys() == other.keys() and all(same(one[k], other[k]) for k in one)
    numbers = (int, float)
    if type(one) in numbers and type(other) in numbers:
        return bool(one == other)
    return type(one) is type(other) and bool(one == other)


def matches(fact: Fact | Any, expected: Expected) -> bool:
    return fact.keyword == expected.keyword and same(fact.value, expected.value) \
        and tuple(fact.models) == expected.models \
        and (fact.inferred is not None) == expected.inferred


RULE_EXAMPLES = [example for rule in RULES for example in examples_of(rule)]


def spans_of(words: str) -> list[Span]:
    return [Span(line, text) for line, text in enumerate(words.split("\n"), start=1)]


def test_every_rule_has_examples():
    assert [rule.__name__ for rule in RULES if not examples_of(rule)] == []


@pytest.mark.parametrize("example", RULE_EXAMPLES, ids=str)
def test_the_rule_alone_reads_its_examples(example: Example):
    rule = next(rule for rule in RULES if rule.__name__ == example.owner)
    spans = spans_of(example.words)
    ctx = Ctx([normalise(span.text) for span in spans], example.json_type,
              [span.line for span in spans], name=example.name)
    hits = [found for at in range(len(spans)) for found in rule(ctx, at)]
    facts = [fact for found in hits if found.unread is None for fact in found.facts]
    expected = parse_expect(example.expect)
    if expected == "unread":
        assert facts == [] and any(found.unread for found in hits), hits
    elif expected == "nothing":
        assert facts == [] and not any(found.unread for found in hits), hits
    else:
        assert len(facts) == len(expected), facts
        for fact, want in zip(facts, expected, strict=True):
            assert matches(fact, want), (fact, want)


@pytest.mark.parametrize("example", RULE_EXAMPLES, ids=str)
def test_all_rules_together_keep_the_examples_readings(example: Example):
    readings, unread = read_constraints(spans_of(example.words), example.json_type,
                                        example.name)
    expected = parse_expect(example.expect)
    if expected == "unread":
        assert unread, readings
    elif isinstance(expected, list):
        for want in expected:
            assert any(matches(reading, want) for reading in readings), (want, readings)


TYPE_EXAMPLES = examples_of(read_type)


@pytest.mark.parametrize("example", TYPE_EXAMPLES, ids=str)
def test_type_words(example: Example):
    reading = read_type(example.words)
    assert reading.schema == json.loads(example.expect)
    assert reading.unknown == ()


@pytest.mark.parametrize("example", examples_of(read_cell), ids=str)
def test_cells(example: Example):
    label, cell = example.words.split(" | ", 1)
    readings, unread = read_cell(label, Span(7, cell), example.json_type)
    expected = parse_expect(example.expect)
    assert isinstance(expected, list) and unread == []
    assert len(readings) == len(expected)
    for reading, want in zip(readings, expected, strict=True):
        assert matches(reading, want), (reading, want)
        assert reading.quote == cell.strip() and reading.line == 7
