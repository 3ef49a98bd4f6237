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
from .readers._openapi_values import has_type

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
    parts = [part for part in (record.name, record.type_words, record.required)
             if part is not None]
    texts = [part.text.strip() for part in parts]
    words = " ".join(texts)
    one_line = all(part.line == record.line for part in parts)
    if not one_line or words not in doc.line(record.line):
        # the document's own words: renderings fuse the cells ("inputobject required"),
        # lists put them on lines of their own
        fused = "".join(texts)
        words = fused if one_line and fused in doc.line(record.line) else " … ".join(texts)
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


def _values_branch(node: dict[str, Any], reading: Reading, doc: SourceDocument,
                   sources: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Where a value list goes, and the provenance it adds to: on a member of several types
    (``string or object``) whose listed values are of some of them only (``"none"``,
    ``"auto"``), the list names the values of those types; the others stay open. The node
    becomes alternatives, one for the listed types, and the list goes there."""
    types = node.get("type")
    if reading.keyword not in ("enum", "const") or not isinstance(types, list) or "anyOf" in node:
        return node, sources
    values = reading.value if reading.keyword == "enum" else [reading.value]
    listed = [t for t in types if any(has_type(v, [t]) for v in values)]
    if not listed or len(listed) == len(types):
        return node, sources
    branch: dict[str, Any] = {"type": listed[0] if len(listed) == 1 else listed}
    node["anyOf"] = [branch, *({"type": t} for t in types if t not in listed)]
    del node["type"]
    branch["x-source"] = Source(doc.path, reading.line, reading.quote, inferred=(
        f"the values listed are of type {' or '.join(listed)} only: the "
        f"{' or '.join(t for t in types if t not in listed)} form stays open")).as_json()
    return branch, branch["x-source"].setdefault("keywords", {})


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
    readings, unread = read_constraints(spans, typed.json_type if typed else None,
                                        record.path[-1] if record.path else None)
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
        target, at = _values_branch(node, reading, doc, sources)
        problem = _combine(target, reading, at)
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


def _place(doc: SourceDocument, root: dict[str, Any], record: ParameterRecord,
           built: Built) -> None:
    """One record's node under ``root`` (a section's body, or an element alternative), and
    its name in its parent's ``required`` where the layout marks it."""
    node = _container(root, record.path, doc, record)
    build_node(doc, record, node, built)
    built.parameters += 1
    mark = required_mark(record)
    if mark and record.path and record.path[-1] != ELEMENT:
        parent = _container(root, record.path[:-1], doc, record) \
            if len(record.path) > 1 else root
        required = parent.setdefault("required", [])
        if record.path[-1] not in required:
            required.append(record.path[-1])


def _widen(doc: SourceDocument, node: dict[str, Any], earlier: ParameterRecord,
           record: ParameterRecord) -> None:
    """The types of both entries, where each gave plain types (never a narrower member)."""
    first, second = (read_type(_type_text(r)).schema.get("type") for r in (earlier, record))
    if first is None or second is None or node.get("type") != first:
        return
    merged = [*([first] if isinstance(first, str) else first)]
    merged += [t for t in ([second] if isinstance(second, str) else second) if t not in merged]
    node["type"] = merged[0] if len(merged) == 1 else merged
    node["x-source"]["inferred"] = (f"the page lists {'.'.join(record.path)} twice (lines "
                                    f"{earlier.line} and {record.line}), as variants: either "
                                    "type is accepted")


def _type_text(record: ParameterRecord) -> str:
    return record.type_words.text.strip() if record.type_words else ""


def is_shape_label(record: ParameterRecord) -> bool:
    """A heading that names a shape in words (``User Message object （必选）``), not a
    parameter: a parameter's name is an identifier, never words with spaces."""
    return any(any(char.isspace() for char in step) for step in record.path)


def _is_array(record: ParameterRecord) -> bool:
    if is_shape_label(record) or record.type_words is None:
        return False
    typed = read_type(record.type_words.text)
    return typed.json_type == "array" or "[]" in record.type_words.text


@dataclass
class _Alternatives:
    """An array parameter whose elements the page describes as labelled shapes, each label
    with the members the page lists between it and the next label."""

    array: ParameterRecord
    labels: list[tuple[ParameterRecord, list[ParameterRecord]]] = field(default_factory=list)


def _alternative_runs(records: list[ParameterRecord], built: Built
                      ) -> tuple[list[ParameterRecord], list[_Alternatives]]:
    """The records that are parameters, and the runs of shape labels.

    A label right after an array parameter starts a run: it is the shape of one of that
    array's elements (``messages array`` then ``System Message object``, ``User Message
    object``, …). The records between two labels of a run are the earlier label's members
    (unless the later label follows an array: it then describes that array's elements);
    those after the run's last label stay parameters (the page does not say where that
    shape's members end). A label with no array before it is not written, and said so."""
    plain: list[ParameterRecord] = []
    runs: list[_Alternatives] = []
    run: _Alternatives | None = None
    since: list[ParameterRecord] = []  # records after the open run's last label
    previous: ParameterRecord | None = None
    for record in records:
        if not is_shape_label(record):
            (since if run is not None else plain).append(record)
        elif previous is not None and _is_array(previous):
            plain += since
            run, since = _Alternatives(previous), []
            runs.append(run)
            run.labels.append((record, []))
        elif run is not None:
            run.labels[-1][1].extend(since)
            since = []
            run.labels.append((record, []))
        else:
            built.refused.append(ReadingProblem(
                record.line, record.name.text, "names a shape in words, not a parameter, and "
                "follows no array parameter whose elements it could describe"))
        previous = record
    plain += since
    return sorted(plain, key=lambda r: r.line), runs


def _labelled_items(doc: SourceDocument, root: dict[str, Any], run: _Alternatives,
                    built: Built) -> None:
    """The array's elements as one of the labelled shapes (``anyOf`` of titled objects)."""
    items = _container(root, (*run.array.path, ELEMENT), doc, run.array)
    if "anyOf" in items:
        built.refused += [ReadingProblem(label.line, label.name.text, "labels an element "
                                         "shape of an array whose elements already have "
                                         "alternatives") for label, _ in run.labels]
        return
    alternatives = []
    for label, members in run.labels:
        shape: dict[str, Any] = {}
        build_node(doc, label, shape, built)
        shape["title"] = label.name.text.strip()
        for member in members:
            _place(doc, shape, member, built)
        alternatives.append(shape)
    items["anyOf"] = alternatives
    if "inferred" in items.get("x-source", {}):
        first = run.labels[0][0]
        items["x-source"] = Source(doc.path, first.line, first.name.text.strip(), inferred=(
            "each element is one of the shapes the page labels under "
            f"{run.array.name.text.strip()}: "
            + ", ".join(label.name.text.strip() for label, _ in run.labels))).as_json()


def build_section(doc: SourceDocument, records: list[ParameterRecord], section: str) -> Built:
    """The schema of one section (request body, response body, …) from its records."""
    built = Built({"type": "object", "properties": {},
                   "x-source": Source(doc.path, records[0].line if records else 1,
                                      section).as_json()})
    chosen, runs = _alternative_runs([r for r in records if r.section == section], built)
    first: dict[tuple[str, ...], ParameterRecord] = {}
    for record in chosen:
        earlier = first.setdefault(record.path, record)
        if earlier is not record and _type_text(earlier) != _type_text(record):
            # a page of several variants (tabs: text and VL embeddings) lists a member twice
            _widen(doc, _container(built.schema, record.path, doc, record), earlier, record)
            built.refused.append(ReadingProblem(
                record.line, record.name.text.strip(), f"a second entry of "
                f"{'.'.join(record.path)}, typed {_type_text(record)!r} where line "
                f"{earlier.line} says {_type_text(earlier)!r}: the page describes variants; "
                "the member accepts either type, the first entry's words are kept"))
            continue
        _place(doc, built.schema, record, built)
    for record in chosen:
        names = _labelled_alternatives(record)
        if names:
            node = _container(built.schema, record.path, doc, record)
            _first_alternative_only(doc, record, node, names)
    for run in runs:
        _labelled_items(doc, built.schema, run, built)
    return built
