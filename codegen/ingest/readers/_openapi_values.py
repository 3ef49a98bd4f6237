"""Values of an OpenAPI document: references followed within it, JSON types, sizes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from wirespec.validators._schema_walk import tokens

from .._document import SourceDocument
from ._openapi_located import LocatedTree

MAX_INLINED = 250_000  # what inlining may produce in any document (the largest real one
#                       read so far needs under 1,000 nodes)
INLINED_PER_NODE = 8  # and, in a larger document, per node of its own: linear in its size
_MAX_NESTING = 400  # containers and references in a row, counting what inlining will hold


@dataclass
class Budget:
    """What inlining may still produce in one document, and the sizes already counted."""

    left: int = MAX_INLINED
    by_pointer: dict[str, int] = field(default_factory=dict)
    by_node: dict[int, tuple[Any, int]] = field(default_factory=dict)
    granted: int = MAX_INLINED

    @classmethod
    def for_document(cls, root: Any) -> Budget:
        granted = max(MAX_INLINED, INLINED_PER_NODE * size(root))
        return cls(left=granted, granted=granted)


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



def inlined_size(tree: LocatedTree, doc: SourceDocument, value: Any, line: int,
                 budget: Budget) -> int:
    """What ``value`` weighs once its references are inlined (as :func:`size` counts),
    computed once per node and per reference: a reference bomb is refused before any of it
    is built."""
    return _Weigher(tree, doc, line, budget).weigh(value, 0, set())


class _Weigher:
    def __init__(self, tree: LocatedTree, doc: SourceDocument, line: int,
                 budget: Budget) -> None:
        self.tree, self.doc, self.line, self.budget = tree, doc, line, budget

    def weigh(self, value: Any, depth: int, open_refs: set[str]) -> int:
        if depth > _MAX_NESTING:
            self.doc.fail(self.line, f"schemas nested deeper than {_MAX_NESTING} levels once "
                          "their references are inlined")
        if isinstance(value, str):
            return 1 + len(value) // 1024
        if not isinstance(value, dict | list):
            return 1
        held = self.budget.by_node.get(id(value))
        if held is not None:
            return held[1]
        children = value.values() if isinstance(value, dict) else value
        total = 1 + sum(self.weigh(child, depth + 1, open_refs) for child in children)
        ref = value.get("$ref") if isinstance(value, dict) else None
        if isinstance(ref, str) and ref.startswith("#"):
            total += self._reference(ref, self.tree.line(value, "$ref", self.line), depth,
                                     open_refs)
        self.budget.by_node[id(value)] = (value, total)  # the value kept: its id stays its own
        return total

    def _reference(self, ref: str, line: int, depth: int, open_refs: set[str]) -> int:
        target, _line, pointer = resolve(self.tree, self.doc, ref, line)
        if pointer in open_refs:
            return 0  # a cycle: the reader names it
        if pointer not in self.budget.by_pointer:
            open_refs.add(pointer)
            self.budget.by_pointer[pointer] = self.weigh(target, depth + 1, open_refs)
            open_refs.discard(pointer)
        return self.budget.by_pointer[pointer]
