"""Cloudflare's docs-repository model files in their older YAML form
(``src/content/workers-ai-models/<name>.yaml``, 2024): ``model`` (name, description, task,
``properties`` as ``property_id``/``value`` pairs), ``task_type`` and ``json_schema.input`` /
``json_schema.output``: JSON Schemas written as JSON strings (upstream, each on one YAML line)
or as YAML mappings.

The data is the catalog JSON's (cloudflare_docs_json) under other keys and is read the same
way: token limits from the properties validators/_limits.py gives a meaning, the schemas
through cloudflare_common. A constraint inside a JSON string cites the YAML line of the string
and its pointer inside the embedded schema; one inside a YAML mapping cites its own line. The
YAML goes through _yaml.load_yaml (the safe loader, aliases bounded).
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml

from wirespec._exceptions import DocumentError
from wirespec.validators._limits import LIMIT_MEANINGS
from wirespec.validators._schema_walk import escape

from ._document import ModelSchemas, SourceDocument
from ._embedded_schema import annotate
from ._located_json import loads_located
from ._yaml import load_yaml
from .cloudflare_common import (
    cite_keywords,
    cloudflare_model,
    keyword_words,
    stated_limit,
    task_name,
)

NO_SCHEMA = ("the document has no `json_schema`: only the model and its properties (limits) "
             "are read; no request or response can be checked")
_STRING_TAG = "tag:yaml.org,2002:str"


# ---------------------------------------------------------------- structure (detection)
def _top_key(line: str) -> str | None:
    """The key of a top-level mapping line (``model:``, ``json_schema:``), else None."""
    key, colon, rest = line.partition(":")
    if not colon or not key or not (key[0].isascii() and (key[0].isalpha() or key[0] == "_")):
        return None
    if not all(c.isascii() and (c.isalnum() or c in "_-") for c in key):
        return None
    return key if not rest or rest[0] in " \t" else None


def looks_like(text: str) -> float:
    """A YAML mapping whose top-level ``model`` holds a ``name`` and whose ``json_schema``
    holds ``input`` and ``output`` (no front-matter fence, no prose around it): 0.95; the
    model with its name and no schemas: 0.6."""
    children: dict[str, set[str]] = {}
    current: str | None = None
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[0] not in " \t":
            current = _top_key(line)
            if current is None:
                return 0.0  # a top-level line that is no mapping key: not this family
            children.setdefault(current, set())
        elif current is not None:
            children[current].add(stripped.partition(":")[0].removeprefix("- "))
    if "name" not in children.get("model", set()):
        return 0.0
    if {"input", "output"} <= children.get("json_schema", set()):
        return 0.95
    return 0.6 if "json_schema" not in children else 0.0


# ---------------------------------------------------------------- the YAML node graph
def _member(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of ``key`` (the last one, as the loader keeps the last of duplicates)."""
    found: yaml.Node | None = None
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found = value_node
    return found


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _pointer_lines(root: yaml.Node) -> dict[str, int]:
    """JSON Pointer (within ``root``) -> the line where that value starts (a member's: its
    key's line, as _located_json gives)."""
    lines = {"": _line(root)}
    stack: list[tuple[str, yaml.Node]] = [("", root)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = f"{pointer}/{escape(str(key_node.value))}"
                lines.setdefault(child, _line(key_node))
                stack.append((child, value_node))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines.setdefault(f"{pointer}/{index}", _line(item))
                stack.append((f"{pointer}/{index}", item))
    return lines


def _not_json(value: Any) -> tuple[str, str] | None:
    """(pointer, why) of the first value YAML gave that JSON has no form for, else None."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        pointer, item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    return pointer, f"a member name that is not a string ({key!r})"
                stack.append((f"{pointer}/{escape(key)}", child))
        elif isinstance(item, list):
            stack.extend((f"{pointer}/{index}", child) for index, child in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            return pointer, f"{item} is no JSON number"
        elif item is not None and not isinstance(item, (str, int, float, bool)):
            return pointer, f"a YAML {type(item).__name__}, which JSON has no form for"
    return None


# ---------------------------------------------------------------- the schemas
def _embedded(doc: SourceDocument, text: str, line: int, where: str) -> dict[str, Any]:
    """The JSON Schema a string holds: every node cites the string's line and its pointer,
    and each keyword its own escaped words where the JSON was written one keyword per line
    (upstream's json.dumps(indent=2), then quoted into YAML)."""
    try:
        located = loads_located(text, path=where)
    except DocumentError as err:
        doc.fail(line, f"{where} is not JSON (its line {err.line}): "
                       f"{err.reason.removeprefix('invalid JSON: ')}")
    if not isinstance(located.value, dict):
        doc.fail(line, f"{where} is JSON but not an object (a JSON Schema)")
    embedded_lines = text.split("\n")
    written = doc.line(line)

    def words_of(pointer: str, keyword: str) -> tuple[int, str] | None:
        at = located.lines.get(pointer)
        words = keyword_words(embedded_lines[at - 1], keyword) if at is not None else None
        # escaped as in a double-quoted YAML string; kept only when that is what the line says
        quoted = json.dumps(words, ensure_ascii=False)[1:-1] if words else None
        return (line, quoted) if quoted and quoted in written else None

    schema = annotate(located.value, doc, lambda _pointer: line, embedded=True)
    return cite_keywords(schema, words_of)


def _mapping(doc: SourceDocument, node: yaml.Node, value: Any, where: str) -> dict[str, Any]:
    lines = _pointer_lines(node)
    problem = _not_json(value)
    if problem is not None:
        doc.fail(lines.get(problem[0], _line(node)), f"{where}{problem[0]}: {problem[1]}")
    return annotate(value, doc, lambda pointer: lines.get(pointer, _line(node)),
                    embedded=False, prefix=f"/{where.replace('.', '/')}")


def _schema(doc: SourceDocument, data: dict[str, Any], section: yaml.Node | None,
            key: str) -> dict[str, Any]:
    node = _member(section, key)
    where = f"json_schema.{key}"
    if node is None:
        doc.fail(_line(section), f"{where} is missing")
    value = data["json_schema"][key]
    if isinstance(node, yaml.ScalarNode) and node.tag == _STRING_TAG:
        return _embedded(doc, node.value, _line(node), where)
    if isinstance(node, yaml.MappingNode) and isinstance(value, dict):
        return _mapping(doc, node, value, where)
    doc.fail(_line(node), f"{where} is neither a JSON Schema nor a JSON string holding one")


# ---------------------------------------------------------------- the model
def _limits(doc: SourceDocument, properties: yaml.Node | None) -> dict[str, Any]:
    """The token limits among ``model.properties`` (those validators/_limits.py gives a
    meaning), each citing its ``property_id`` line and quoting it with its value line."""
    limits: dict[str, Any] = {}
    if not isinstance(properties, yaml.SequenceNode):
        return limits
    for entry in properties.value:
        name, value = _member(entry, "property_id"), _member(entry, "value")
        if not isinstance(name, yaml.ScalarNode) or name.value not in LIMIT_MEANINGS:
            continue
        if not isinstance(value, yaml.ScalarNode):
            doc.fail(_line(entry), f"{name.value} has no value")
        first, last = _line(name), _line(value)
        quote = doc.line(first).strip()
        if last != first:
            quote += f" … {doc.line(last).strip()}"
        limits[name.value] = stated_limit(doc, name.value, value.value, first,
                                          quote.removeprefix("- "))
    return limits


def ingest(doc: SourceDocument) -> list[ModelSchemas]:
    data, root = load_yaml(doc.text, path=f"sources/{doc.path}")
    if not isinstance(data, dict) or root is None:
        doc.fail(1, "not a YAML mapping")
    model_node = _member(root, "model")
    model = data.get("model")
    name = model.get("name") if isinstance(model, dict) else None
    if not isinstance(model, dict) or not isinstance(name, str):
        doc.fail(_line(model_node), "model.name is missing or is not a string")
    description = model.get("description")
    description = description.strip() if isinstance(description, str) else None
    limits = _limits(doc, _member(model_node, "properties"))
    if data.get("json_schema") in (None, {}):
        found = ModelSchemas("cloudflare", name, {}, description=description,
                             task=task_name(model), notes=[f"{name}: {NO_SCHEMA}"])
    else:
        if not isinstance(data["json_schema"], dict):
            doc.fail(_line(_member(root, "json_schema")), "json_schema is not a mapping")
        section = _member(root, "json_schema")
        request = _schema(doc, data, section, "input")
        output = _schema(doc, data, section, "output")
        found = cloudflare_model(doc, name, request, output, description=description,
                                 task=task_name(model))
    found.limits = limits
    return [found]
