"""Nodes that leave the type open generate as types that accept every JSON value they accept.

In JSON Schema a keyword constrains only values of its type: ``{"properties": ...}`` without
``type`` accepts ``null``, ``3`` and ``"x"`` as well as fitting objects. datamodel-code-generator
reads such a node as "an object" and writes a class, which rejects ``null``. Before generation,
each open node with keywords of some types becomes ``anyOf: [the node with those types, any
value of the other types]``: a class where the document describes one, and every other value
still accepted. An alternative of a typed node (``type: object`` with ``oneOf``) shares its
parent's type and is left alone; so are nodes with ``enum``/``const`` (they list their values)
and whatever sits under ``not``/``if``/``then``/``else``, where widening would narrow.
"""

from __future__ import annotations

from typing import Any

_TYPE_OF_KEYWORD = {
    **dict.fromkeys(("properties", "patternProperties", "additionalProperties", "required",
                     "minProperties", "maxProperties", "propertyNames", "dependentRequired",
                     "dependentSchemas", "unevaluatedProperties"), "object"),
    **dict.fromkeys(("items", "prefixItems", "contains", "minContains", "maxContains",
                     "minItems", "maxItems", "uniqueItems", "unevaluatedItems"), "array"),
    **dict.fromkeys(("minLength", "maxLength", "pattern", "format", "contentEncoding",
                     "contentMediaType"), "string"),
    **dict.fromkeys(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                     "multipleOf"), "number"),
}
_JSON_TYPES = ("boolean", "number", "string", "array", "object", "null")  # integer: a number
# Subschemas where accepting more never makes the whole accept less.
_WIDENABLE_VALUED = ("additionalProperties", "items", "contains", "propertyNames",
                     "unevaluatedItems", "unevaluatedProperties")
_WIDENABLE_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_ALTERNATIVES = ("oneOf", "anyOf", "allOf")
# Stay on the outer node: what a member's field says of itself.
_OUTER = ("default", "description")


def widened(node: Any, *, typed_by_parent: bool = False) -> Any:
    """``node`` (a prepared schema) with every open node widened, children first."""
    if not isinstance(node, dict):
        return node
    result = dict(node)
    for keyword in _WIDENABLE_VALUED:
        if keyword in result:
            result[keyword] = widened(result[keyword])
    for keyword in _WIDENABLE_MAPS:
        if isinstance(result.get(keyword), dict):
            result[keyword] = {name: widened(child) for name, child in result[keyword].items()}
    if isinstance(result.get("prefixItems"), list):
        result["prefixItems"] = [widened(child) for child in result["prefixItems"]]
    typed = typed_by_parent or "type" in result
    for keyword in _ALTERNATIVES:
        if isinstance(result.get(keyword), list):
            result[keyword] = [widened(child, typed_by_parent=typed) for child in result[keyword]]
    return result if typed else _opened(result)


def _opened(node: dict[str, Any]) -> dict[str, Any]:
    implied = sorted({_TYPE_OF_KEYWORD[key] for key in node if key in _TYPE_OF_KEYWORD})
    if not implied or "enum" in node or "const" in node:
        return node
    described = {"type": implied[0] if len(implied) == 1 else implied}
    typed = {key: value for key, value in node.items() if key != "default"} | described
    others = [kind for kind in _JSON_TYPES if kind not in implied]
    outer = {key: node[key] for key in _OUTER if key in node}
    return outer | {"anyOf": [typed, {"type": others}]}
