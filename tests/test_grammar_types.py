"""read_type: every spelling of type words the documents use, and the type the grammar reads
values as (json_type); and the same words read differently by type."""

from __future__ import annotations

import pytest

from wirespec.codegen.ingest._records import Span
from wirespec.codegen.ingest.grammar import read_constraints, read_type

OBJECT = {"type": "object"}


@pytest.mark.parametrize(("words", "schema", "json_type"), [
    ("string", {"type": "string"}, "string"),
    ("str", {"type": "string"}, "string"),
    ("String", {"type": "string"}, "string"),
    ("number", {"type": "number"}, "number"),
    ("float", {"type": "number"}, "number"),
    ("Float", {"type": "number"}, "number"),
    ("double", {"type": "number"}, "number"),
    ("integer", {"type": "integer"}, "integer"),
    ("int", {"type": "integer"}, "integer"),
    ("Integer", {"type": "integer"}, "integer"),
    ("boolean", {"type": "boolean"}, "boolean"),
    ("bool", {"type": "boolean"}, "boolean"),
    ("Boolean", {"type": "boolean"}, "boolean"),
    ("object", OBJECT, "object"),
    ("dict", OBJECT, "object"),
    ("Dict", OBJECT, "object"),
    ("map", OBJECT, "object"),
    ("array", {"type": "array"}, "array"),
    ("list", {"type": "array"}, "array"),
    ("List", {"type": "array"}, "array"),
    ("list[str]", {"type": "array", "items": {"type": "string"}}, "array"),
    ("list[list[int]]", {"type": "array", "items": {"type": "array",
                                                    "items": {"type": "integer"}}}, "array"),
    ("object[]", {"type": "array", "items": OBJECT}, "array"),
    ("string[]", {"type": "array", "items": {"type": "string"}}, "array"),
    ("enum<string>", {"type": "string"}, "string"),
    ("string | null", {"type": ["string", "null"]}, "string"),
    ("array | null", {"type": ["array", "null"]}, "array"),
    ("object | null", {"type": ["object", "null"]}, "object"),
    ("(System message · object | User message · object | Assistant message · object)[]",
     {"type": "array", "items": OBJECT}, "array"),
    ("string 或 array", {"type": ["string", "array"]}, None),
    ("string或array", {"type": ["string", "array"]}, None),
    ("str/list[str]", {"anyOf": [{"type": "string"},
                                 {"type": "array", "items": {"type": "string"}}]}, None),
    ("number<float>", {"type": "number", "format": "float"}, "number"),
    ("integer<int64>", {"type": "integer", "format": "int64"}, "integer"),
    ("integer (int64)", {"type": "integer", "format": "int64"}, "integer"),
    ("integer format: int64", {"type": "integer", "format": "int64"}, "integer"),
    ("`float`", {"type": "number"}, "number"),
    ("ｓｔｒｉｎｇ", {"type": "string"}, "string"),
])
def test_type_words(words, schema, json_type):
    reading = read_type(words)
    assert (reading.schema, reading.json_type, reading.unknown) == (schema, json_type, ())


def test_unknown_words_say_nothing_and_are_named():
    reading = read_type("widget")
    assert (reading.schema, reading.json_type, reading.unknown) == ({}, None, ("widget",))
    assert read_type("string | widget").unknown == ("widget",)


@pytest.mark.parametrize("words", ["", "(((((", "]]]]", "<<<>>>", "a | b | c", "list[" * 100,
                                   "|||", "或或", "enum<", "format:"])
def test_broken_type_words_never_raise(words):
    assert isinstance(read_type(words).schema, dict)


def test_deep_nesting_is_bounded():
    assert read_type("list[" * 1000 + "int" + "]" * 1000).json_type == "array"


def readings(words: str, json_type: str | None) -> list[tuple[str, object]]:
    found, _ = read_constraints([Span(1, words)], json_type)
    return [(r.keyword, r.value) for r in found]


@pytest.mark.parametrize(("words", "json_type", "expected"), [
    ("默认值为1", "number", [("default", 1)]),
    ("默认值为1", "string", [("default", "1")]),
    ("Default value: true.", "string", [("default", "true")]),
    ("Default value: true.", "boolean", [("default", True)]),
    ("maximum length of 64", "string", [("maxLength", 64)]),
    ("maximum length of 64", "array", [("maxItems", 64)]),
    ("Available options:auto,none", "string", [("enum", ["auto", "none"])]),
    ("Available options:true,false", "boolean", [("enum", [True, False])]),
])
def test_the_type_decides_what_the_words_mean(words, json_type, expected):
    assert readings(words, json_type) == expected
