"""Cloudflare Workers AI model card: YAML front-matter whose ``json_schema.input`` and
``json_schema.output`` are JSON Schemas embedded as JSON strings."""

from __future__ import annotations

from typing import Any

import yaml

from wirespec._exceptions import DocumentError

from ._document import ModelSchemas, SourceDocument
from ._embedded_schema import annotate
from ._located_json import loads_located
from ._yaml import load_yaml
from .cloudflare_common import cloudflare_model, task_name

FENCE = "---"


def front_matter(doc: SourceDocument) -> tuple[int, str]:
    """The first line number and the text of the YAML between the ``---`` fences."""
    lines = doc.lines
    if not lines or lines[0].strip() != FENCE:
        doc.fail(1, "expected YAML front-matter opening with '---'")
    for number in range(1, len(lines)):
        if lines[number].strip() == FENCE:
            return 2, "\n".join(lines[1:number])
    doc.fail(len(lines), "the YAML front-matter has no closing '---' line")


def _mapping_node(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found: yaml.Node = value_node
                return found
    return None


def _load_yaml(doc: SourceDocument, first_line: int, text: str) -> tuple[Any, yaml.Node]:
    data, root = load_yaml(text, path=f"sources/{doc.path}", first_line=first_line)
    if not isinstance(data, dict) or root is None:
        doc.fail(first_line, "the front-matter is not a YAML mapping")
    return data, root


def _embedded_schema(
    doc: SourceDocument, data: dict[str, Any], root: yaml.Node, first_line: int, key: str
) -> dict[str, Any]:
    section = data.get("json_schema")
    node = _mapping_node(_mapping_node(root, "json_schema") or root, key)
    line = first_line + node.start_mark.line if node is not None else first_line
    if not isinstance(section, dict) or not isinstance(section.get(key), str):
        doc.fail(line, f"json_schema.{key} is missing or is not a JSON document in a string")
    try:
        schema = loads_located(section[key], path=f"json_schema.{key}").value
    except DocumentError as err:
        doc.fail(line, f"invalid JSON in json_schema.{key} (embedded line {err.line}): "
                       f"{err.reason}")
    if not isinstance(schema, dict):
        doc.fail(line, f"json_schema.{key} is not a JSON object")
    return annotate(schema, doc, lambda _pointer: line, embedded=True)


def ingest(doc: SourceDocument) -> list[ModelSchemas]:
    first_line, text = front_matter(doc)
    data, root = _load_yaml(doc, first_line, text)
    model = data.get("model")
    name = model.get("name") if isinstance(model, dict) else None
    if not isinstance(name, str):
        doc.fail(first_line, "model.name is missing from the front-matter")
    request = _embedded_schema(doc, data, root, first_line, "input")
    output = _embedded_schema(doc, data, root, first_line, "output")
    description = model.get("description") if isinstance(model, dict) else None
    return [cloudflare_model(doc, name, request, output, description=description,
                             task=task_name(model))]
