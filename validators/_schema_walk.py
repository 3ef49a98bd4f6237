"""Walking JSON Schema documents: every subschema with its JSON Pointer."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

# Keywords whose value is a subschema, a list of them, or a name -> subschema map.
SCHEMA_VALUED = ("additionalProperties", "items", "not", "contains", "propertyNames",
                 "if", "then", "else", "unevaluatedItems", "unevaluatedProperties")
SCHEMA_LISTS = ("oneOf", "anyOf", "allOf", "prefixItems")
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")

# Keywords that make a node "carry a constraint" (and so need provenance).
CONSTRAINT_KEYWORDS = frozenset({
    "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems",
    "required", "additionalProperties", "oneOf", "anyOf", "allOf", "not", "minProperties",
    "maxProperties", "dependentRequired",
})


def escape(token: str | int) -> str:
    """One JSON Pointer reference token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def tokens(pointer: str) -> list[str]:
    """The unescaped reference tokens of a JSON Pointer."""
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def resolve(document: Any, pointer: str) -> Any:
    """The value at ``pointer`` (KeyError, IndexError or TypeError when there is none)."""
    for token in tokens(pointer):
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def iter_subschemas(schema: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(pointer, node)`` for ``schema`` and every schema nested in it, depth first."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for keyword in SCHEMA_VALUED:
        if keyword in schema:
            yield from iter_subschemas(schema[keyword], f"{pointer}/{keyword}")
    for keyword in SCHEMA_LISTS:
        for index, child in enumerate(schema.get(keyword, ())):
            yield from iter_subschemas(child, f"{pointer}/{keyword}/{index}")
    for keyword in SCHEMA_MAPS:
        for name, child in schema.get(keyword, {}).items():
            yield from iter_subschemas(child, f"{pointer}/{keyword}/{escape(name)}")



_TYPE_KEYWORDS = {"properties": "object", "required": "object", "items": "array",
                  "minLength": "string", "maxLength": "string", "pattern": "string"}


def merged(base: dict[str, Any], branch: dict[str, Any]) -> dict[str, Any]:
    """``base`` without its alternatives, narrowed by one of them (both must hold)."""
    result = {k: v for k, v in base.items() if k not in ("oneOf", "anyOf")}
    for key, value in branch.items():
        if key == "properties":
            mine = result.get("properties", {})
            result["properties"] = {**mine, **{name: {**mine.get(name, {}), **schema}
                                               for name, schema in value.items()}}
        elif key == "required":
            result["required"] = sorted({*result.get("required", []), *value})
        else:
            result[key] = value
    return result


def types_of(node: dict[str, Any]) -> list[str]:
    declared = node.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return list(declared)
    implied = {kind for key, kind in _TYPE_KEYWORDS.items() if key in node}
    if any(k in node for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
        implied.add("number")
    return sorted(implied)


def integer_bounds(node: dict[str, Any]) -> tuple[int | None, int | None]:
    low = high = None
    if "minimum" in node:
        low = math.ceil(node["minimum"])
    if "exclusiveMinimum" in node:
        low = max(low if low is not None else -math.inf, math.floor(node["exclusiveMinimum"]) + 1)
    if "maximum" in node:
        high = math.floor(node["maximum"])
    if "exclusiveMaximum" in node:
        high = min(high if high is not None else math.inf, math.ceil(node["exclusiveMaximum"]) - 1)
    return (int(low) if low is not None else None, int(high) if high is not None else None)
