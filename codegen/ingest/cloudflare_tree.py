"""Cloudflare docs page with only the rendered parameter tree (seed 001), and the conversion
of any rendered tree into JSON Schema.

The tree never says which fields are required. Where the manifest names a ``family_schema``
(a page of the same model family that publishes its JSON Schema), ``required`` is copied
from the node at the same place in that schema, provided every name it lists exists here;
``x-source.inferred`` says so. Without a family schema nothing is required.
"""

from __future__ import annotations

import json
from typing import Any

from wirespec.validators._schema_walk import iter_subschemas

from ._document import ModelSchemas, Source, SourceDocument
from ._tree_parse import TreeNode, parse_bulleted, parse_flat, section_bounds
from .cloudflare_common import cloudflare_model

_LIMIT_KEYWORDS = {
    "string": ("minLength", "maxLength"),
    "array": ("minItems", "maxItems"),
    "number": ("minimum", "maximum"),
    "integer": ("minimum", "maximum"),
}


def _scalar(text: str) -> Any:
    return json.loads(text)  # the tree only shows numbers and true/false


def node_schema(doc: SourceDocument, node: TreeNode) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    if node.type:
        schema["type"] = node.type
    low, high = _LIMIT_KEYWORDS.get(node.type or "", (None, None))
    for word, keyword in (("min", low), ("max", high)):
        if word in node.constraints:
            if keyword is None:
                doc.fail(node.line, f"'{word}' given for a {node.type} ({node.header!r})")
            schema[keyword] = _scalar(node.constraints[word])
    if "default" in node.constraints:
        schema["default"] = _scalar(node.constraints["default"])
    if node.description:
        schema["description"] = node.description
    children = node.children
    if children and all(child.name.isdigit() for child in children):
        schema["oneOf"] = [node_schema(doc, child) for child in children]
    elif node.type == "array" and children:
        schema["items"] = node_schema(doc, children[0])
    elif children:
        properties = {}
        for child in children:
            if child.name == "additionalProperties":
                schema["additionalProperties"] = node_schema(doc, child)
            else:
                properties[child.name] = node_schema(doc, child)
        if properties:
            schema["properties"] = properties
    schema["x-source"] = Source(doc.path, node.line, node.header).as_json()
    return dict(sorted(schema.items(), key=lambda item: item[0] == "x-source"))


def tree_schema(doc: SourceDocument, roots: list[TreeNode]) -> dict[str, Any]:
    """The schema of a section: one root node, or the alternatives ``0``, ``1``, …"""
    if len(roots) == 1 and not roots[0].name.isdigit():
        return node_schema(doc, roots[0])
    if not all(root.name.isdigit() for root in roots):
        doc.fail(roots[0].line, "expected the section's alternatives to be numbered 0, 1, …")
    first = roots[0]
    return {
        "oneOf": [node_schema(doc, root) for root in roots],
        "x-source": Source(doc.path, first.line,
                           " … ".join(root.header for root in roots)).as_json(),
    }


def read_tree(doc: SourceDocument, section: str, ends: tuple[str, ...]) -> dict[str, Any]:
    first, last = section_bounds(doc, section, ends)
    bulleted = any(doc.line(n).lstrip().startswith("•") for n in range(first, last + 1))
    parse = parse_bulleted if bulleted else parse_flat
    return tree_schema(doc, parse(doc, first, last))


# -- required, from the family's JSON Schema -------------------------------------------

def fill_required(schema: dict[str, Any], family: dict[str, Any], family_doc: str) -> None:
    family_nodes = dict(iter_subschemas(family))
    for pointer, node in iter_subschemas(schema):
        twin = family_nodes.get(pointer)  # tree and JSON nest alike
        if twin is None or "required" not in twin or "properties" not in node:
            continue
        required = twin["required"]
        if not all(name in node["properties"] for name in required):
            continue
        node["required"] = list(required)
        line = twin.get("x-source", {}).get("line")
        node["x-source"]["inferred"] = (
            f"required {json.dumps(required)} taken from sources/{family_doc} line {line} "
            "(the same model family's JSON Schema); the rendered tree does not show required"
        )


def ingest(doc: SourceDocument) -> list[ModelSchemas]:
    from .cloudflare_docs_page import inline_input_schema

    request = read_tree(doc, "Input", ("Output",))
    output = read_tree(doc, "Output", ("API Schemas",))
    family_path = doc.entry.get("family_schema")
    if isinstance(family_path, str):
        family = inline_input_schema(doc.read_sibling(family_path))
        fill_required(request, family, family_path)
    models = doc.entry.get("models")
    if not isinstance(models, list) or len(models) != 1:
        doc.fail(None, "the manifest must name the one model this page is about")
    return [cloudflare_model(doc, models[0], request, output)]
