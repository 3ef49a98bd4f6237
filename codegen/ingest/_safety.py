"""What ingest refuses to write, because it would crash or mislead later: numbers JSON cannot
hold, a ``$ref`` that leaves the document or leads nowhere, a ``pattern`` that is not
ECMA-262 or needs a backtracking engine. Each refusal names the document line of the nearest
node that cites one, and the reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import regress

from wirespec._exceptions import DocumentError
from wirespec.validators._schema_walk import escape, iter_subschemas, resolve, tokens


def refuse_unsafe(root: dict[str, Any], where: str) -> None:
    """Raise a DocumentError for the first thing in ``root`` that must not be written."""
    for pointer, problem in _problems(root):
        raise DocumentError(where, _cited_line(root, pointer), f"{problem} (at "
                            f"{pointer or '/'} of the schema read)")


def _problems(root: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for pointer, value in _values(root):
        if isinstance(value, float) and not math.isfinite(value):
            yield pointer, f"the number {value} cannot be written as JSON"
    for pointer, node in iter_subschemas(root):
        if "$ref" in node:
            yield from _reference(root, pointer, node["$ref"])
        if "pattern" in node:
            yield from _pattern(f"{pointer}/pattern", node["pattern"])
        for expression in node.get("patternProperties", {}) or {}:
            yield from _pattern(f"{pointer}/patternProperties/{escape(expression)}",
                                expression)


def _values(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    stack = [(value, pointer)]
    while stack:
        node, at = stack.pop()
        yield at, node
        if isinstance(node, dict):
            stack.extend((child, f"{at}/{escape(key)}") for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, f"{at}/{index}") for index, child in enumerate(node))


def _reference(root: dict[str, Any], pointer: str, ref: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(ref, str):
        yield pointer, f"$ref {ref!r} is not a string"
        return
    if not ref.startswith("#"):
        yield pointer, (f"$ref {ref[:120]!r} points outside the document; wirespec resolves "
                        "references within the document only and never fetches one")
        return
    target = ref[1:]
    if target and not target.startswith("/"):
        yield pointer, f"$ref {ref[:120]!r} is not a JSON Pointer within the document"
        return
    try:
        resolve(root, _unquoted(target))
    except (KeyError, IndexError, TypeError, ValueError):
        yield pointer, f"$ref {ref[:120]!r} leads nowhere in the document (dangling)"


def _unquoted(pointer: str) -> str:
    from urllib.parse import unquote

    return "".join(f"/{escape(token)}" for token in tokens(unquote(pointer)))


def _pattern(pointer: str, pattern: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(pattern, str):
        yield pointer, f"pattern {pattern!r} is not a string"
        return
    try:
        regress.Regex(pattern, "u")
    except regress.RegressError as err:
        yield pointer, f"pattern {pattern[:120]!r} is not an ECMA-262 regular expression ({err})"
        return
    try:
        jsonschema_rs.validator_for({"pattern": pattern}, offline=True,
                                    pattern_options=jsonschema_rs.RegexOptions())
    except (jsonschema_rs.ValidationError, ValueError):
        yield pointer, (f"pattern {pattern[:120]!r} needs lookaround or backreferences, which "
                        "only a backtracking engine matches (super-linear time on hostile "
                        "input)")


def _cited_line(root: dict[str, Any], pointer: str) -> int | None:
    """The line cited by the deepest node on the way to ``pointer`` that has ``x-source``."""
    node: Any = root
    line = root.get("x-source", {}).get("line") if isinstance(root.get("x-source"), dict) \
        else None
    for token in tokens(pointer):
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            break
        source = node.get("x-source") if isinstance(node, dict) else None
        if isinstance(source, dict) and isinstance(source.get("line"), int):
            line = source["line"]
    return line
