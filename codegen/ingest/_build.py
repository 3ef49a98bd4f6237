"""From parameter records to JSON Schema: each record's type words and its words' readings
(the constraint grammar) become a node, nested by the record's path, with provenance.

Every node carries ``x-source {doc, line, quote}`` (the entry: its name and type words) and,
per keyword read from words, ``x-source.keywords[keyword] = {line, quote, rule}``: the
document's own words for that one constraint. What the grammar could not read is kept as an
unread passage; what it read but cannot be right (crossed bounds, a default outside the
range, a bound with an example glued to it) is reported and not written.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from wirespec.validators._schema_walk import CONSTRAINT_KEYWORDS, iter_subschemas

from ._document import Source, SourceDocument
from ._records import ParameterRecord, Span
from .grammar import NOT_CONSTRAINTS, Reading, Unread, read_constraints, read_type, sanity
from .grammar import Problem as ReadingProblem

ELEMENT = "[]"
LOWER = {"minimum": ">=", "exclusiveMinimum": ">"}
UPPER = {"maximum": "<=", "exclusiveMaximum": "<"}
LENGTHS = {"minLength": max, "minItems": max, "minProperties": max,
           "maxLength": min, "maxItems": min, "maxProperties": min}
ANNOTATIONS = ("default", "examples")


@dataclass
class PerModel:
    """A fact that differs by model: the model words as the document writes them."""

    path: tuple[str, ...]
    reading: Reading


@dataclass
class Built:
    """One section's schema and what reading its words gave."""

    schema: dict[str, Any]
    unread: list[Unread] = field(default_factory=list)
    refused: list[ReadingProblem] = field(default_factory=list)
    per_model: list[PerModel] = field(default_factory=list)
    limits: list[Reading] = field(default_factory=list)
    parameters: int = 0
    constraints: int = 0


def required_mark(record: ParameterRecord) -> bool | None:
    """True / False where the layout marks the member, None where it says nothing."""
    if record.required is None:
        return None
    words = record.required.text.strip().lower().strip("*` ")
    if words in ("是", "yes", "true", "y"):
        return True
    if words in ("否", "no", "false", "n"):
        return False
    if "optional" in words or "可选" in words:
        return False
    if "required" in words or "必选" in words or "必填" in words:
        return True
    return None


_PLACEMENT = re.compile(r"(?:放入|放在|in(?:to)? the|in)\s*`?(?P<name>[A-Za-z_]\w*)`?\s*"
                        r"(?:对象|object|field|参数)")
_HEADER = re.compile(r"请求头|request header|\bheader\b", re.I)


def placed(record: ParameterRecord) -> ParameterRecord:
    """The record where its placement words put it on the wire ("通过HTTP调用时，请将
    temperature 放入 parameters 对象中" -> parameters.temperature; "请放入请求头" -> a header)."""
    if record.placement is None:
        return record
    words = record.placement.text
    if _HEADER.search(words) and not _PLACEMENT.search(words):
        return dataclasses.replace(record, section="header")
    found = _PLACEMENT.search(words)
    if found is None or record.path[:1] == (found.group("name"),):
        return record
    return dataclasses.replace(record, path=(found.group("name"), *record.path))


def _entry_source(doc: SourceDocument, record: ParameterRecord) -> dict[str, Any]:
    words = " ".join(part.text.strip() for part in (record.name, record.type_words,
                                                    record.required) if part is not None)
    return Source(doc.path, record.line, words).as_json()


def _container(root: dict[str, Any], path: tuple[str, ...], doc: SourceDocument,
               record: ParameterRecord) -> dict[str, Any]:
    """The node at ``path``, making objects and arrays on the way where the layout only implies
    them (a dotted name whose parent has no entry of its own)."""
    node = root
    for step in path:
        if step == ELEMENT:
            node = _branch(node, "array").setdefault("items", {})
        else:
            node = _branch(node, "object").setdefault("properties", {}).setdefault(step, {})
        if "x-source" not in node:
            node["x-source"] = Source(doc.path, record.line, record.name.text.strip(), inferred=(
                "implied by the members the document names below it")).as_json()
    return node


def _branch(node: dict[str, Any], json_type: str) -> dict[str, Any]:
    """Where members of type ``json_type`` go in ``node``: the alternative of that type where
    the type words gave alternatives (``object[] | null``: the elements go into the array, and
    null stays allowed), else ``node`` itself, typed."""
    for alternative in node.get("anyOf", []) if "type" not in node else []:
        if isinstance(alternative, dict) and alternative.get("type") == json_type:
            return alternative
    node.setdefault("type", json_type)
    return node


def _keyword_source(reading: Reading) -> dict[str, Any]:
    source: dict[str, Any] = {"line": reading.line, "quote": reading.quote,
                              "rule": reading.rule}
    if reading.inferred:
        source["inferred"] = reading.inferred
    return source


def _combine(node: dict[str, Any], reading: Reading, sources: dict[str, Any]
             ) -> ReadingProblem | None:
    """Put one reading on ``node``; two statements of one keyword both hold (the tighter
    bound), and two that cannot both hold are a problem."""
    keyword, value = reading.keyword, reading.value
    if keyword not in node:
        node[keyword] = copy.deepcopy(value)
        sources[keyword] = _keyword_source(reading)
        return None
    held = node[keyword]
    if held == value:
        return None
    if keyword in LOWER or keyword in UPPER:
        tighter = max(held, value) if keyword in LOWER else min(held, value)
        if tighter == value:
            node[keyword] = value
            sources[keyword] = _keyword_source(reading)
        return None
    if keyword in LENGTHS:
        node[keyword] = LENGTHS[keyword](held, value)
        return None
    if keyword == "enum" and isinstance(held, list) and isinstance(value, list):
        common = [v for v in held if v in value]
        if common:
            node[keyword] = common
            return None
    return ReadingProblem(reading.line, reading.quote, f"says {keyword} {value!r}, where "
                          f"line {sources.get(keyword, {}).get('line')} says {held!r}")


def build_node(doc: SourceDocument, record: ParameterRecord, node: dict[str, Any],
               built: Built) -> None:
    """Fill ``node`` from one record: type words, constraints, annotations, provenance."""
    typed = read_type(record.type_words.text) if record.type_words else None
    if typed is not None:
        for key, value in typed.schema.items():
            node.setdefault(key, copy.deepcopy(value))
    spans: list[Span] = [*record.description, *record.marks]
    readings, unread = read_constraints(spans, typed.json_type if typed else None)
    built.unread += unread
    problems = sanity(readings, typed.json_type if typed else None)
    refused_lines = {(p.line, p.words) for p in problems}
    built.refused += problems
    source = _entry_source(doc, record)
    sources: dict[str, Any] = {}
    for reading in readings:
        if (reading.line, reading.quote) in refused_lines or reading.keyword in NOT_CONSTRAINTS:
            continue
        if reading.keyword.startswith("x-limit:"):
            built.limits.append(reading)
            continue
        if reading.models or (isinstance(reading.value, dict) and "x-limit" in reading.value):
            built.per_model.append(PerModel(record.path, reading))
            continue
        problem = _combine(node, reading, sources)
        if problem is not None:
            built.refused.append(problem)
        elif reading.keyword not in ANNOTATIONS:
            built.constraints += 1
    if record.description:
        node.setdefault("description", " ".join(s.text.strip() for s in record.description)[:2000])
    if sources:
        source["keywords"] = sources
    node["x-source"] = source
    _cite_type_words(node, Source(doc.path, record.line, record.type_words.text.strip()
                                  if record.type_words else record.name.text.strip()).as_json())


def _cite_type_words(node: dict[str, Any], source: dict[str, Any]) -> None:
    """The type words' alternatives and element types cite the type words."""
    for _pointer, inner in iter_subschemas(node):
        if inner is not node and "x-source" not in inner and \
                CONSTRAINT_KEYWORDS.intersection(inner):
            inner["x-source"] = dict(source)


_LABELLED = re.compile(r"^\((?P<alternatives>[^()]*·[^()]*)\)\[\]")


def _labelled_alternatives(record: ParameterRecord) -> list[str]:
    """The names of a list's element alternatives, where the type words label them:
    ``(System message · object | User message · object)[]`` -> System message, User message."""
    found = _LABELLED.match(record.type_words.text.strip()) if record.type_words else None
    if found is None:
        return []
    names = [part.split("·")[0].strip() for part in found.group("alternatives").split("|")]
    return names if len(names) > 1 else []


def _first_alternative_only(doc: SourceDocument, record: ParameterRecord,
                            node: dict[str, Any], names: list[str]) -> None:
    """A page that labels a list's element alternatives shows the members of the first one
    only (the others sit behind tabs the rendering dropped): those members describe that
    alternative, and the others are objects whose members the page does not show."""
    items = node.get("items")
    if not isinstance(items, dict) or "properties" not in items:
        return
    why = (f"the page shows the members of {names[0]} only; {', '.join(names[1:])} are read "
           "as objects whose members it does not show")
    source = Source(doc.path, record.line, record.type_words.text.strip()
                    if record.type_words else "", inferred=why).as_json()
    node["items"] = {"anyOf": [{**items, "title": names[0]}, *(
        {"type": "object", "title": name, "x-source": dict(source)} for name in names[1:])],
        "x-source": source}


def build_section(doc: SourceDocument, records: list[ParameterRecord], section: str) -> Built:
    """The schema of one section (request body, response body, …) from its records."""
    built = Built({"type": "object", "properties": {},
                   "x-source": Source(doc.path, records[0].line if records else 1,
                                      section).as_json()})
    chosen = [r for r in records if r.section == section]
    for record in chosen:
        node = _container(built.schema, record.path, doc, record)
        build_node(doc, record, node, built)
        built.parameters += 1
        mark = required_mark(record)
        if mark and record.path and record.path[-1] != ELEMENT:
            parent = _container(built.schema, record.path[:-1], doc, record) \
                if len(record.path) > 1 else built.schema
            required = parent.setdefault("required", [])
            if record.path[-1] not in required:
                required.append(record.path[-1])
    for record in chosen:
        names = _labelled_alternatives(record)
        if names:
            node = _container(built.schema, record.path, doc, record)
            _first_alternative_only(doc, record, node, names)
    return built
