"""Values of an OpenAPI document: references followed within it, JSON types, sizes."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from wirespec.validators._schema_walk import tokens

from .._document import SourceDocument
from ._openapi_located import LocatedTree

ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated",
                         "readOnly", "writeOnly", "$comment", "x-discriminator",
                         "x-externalDocs", "x-source"})


def resolve(tree: LocatedTree, doc: SourceDocument, ref: Any, line: int
            ) -> tuple[Any, int, str]:
    """The target of a local ``$ref``, the line it is written on, its JSON Pointer; a
    remote or dangling reference is one line naming ``line``."""
    if not isinstance(ref, str):
        doc.fail(line, f"$ref {ref!r} is not a string")
    if not ref.startswith("#"):
        doc.fail(line, f"$ref {ref[:120]!r} points outside the document; wirespec resolves "
                 "references within the document only and never fetches one")
    pointer = unquote(ref[1:])
    if not pointer.startswith("/"):
        doc.fail(line, f"$ref {ref[:120]!r} does not lead to a schema (only JSON Pointers "
                 "into the document are read)")
    target: Any = tree.root
    target_line = tree.first_line
    for token in tokens(pointer):
        key: str | int = token
        if isinstance(target, list) and token.isdigit() and int(token) < len(target):
            key = int(token)
        elif not isinstance(target, dict) or token not in target:
            doc.fail(line, f"$ref {ref[:120]!r} leads nowhere in the document (dangling: "
                     f"no {token[:60]!r})")
        target_line = tree.line(target, key, target_line)
        target = target[key]
    return target, target_line, pointer


def has_type(value: Any, types: list[Any]) -> bool:
    kinds = {type(None): "null", bool: "boolean", str: "string", list: "array",
             dict: "object", int: "integer", float: "number"}
    kind = kinds.get(type(value))
    if kind == "integer" or (kind == "number" and float(value).is_integer()):
        return "integer" in types or "number" in types
    return kind in types


def constraints_only(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: constraints_only(v) for k, v in schema.items()
                if k not in ANNOTATIONS and not k.startswith("x-")}
    if isinstance(schema, list):
        return [constraints_only(item) for item in schema]
    return schema


def size(value: Any) -> int:
    """What copying ``value`` costs: one per container item, one per 1 KiB of text."""
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        total += 1 + (len(item) // 1024 if isinstance(item, str) else 0)
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return total

