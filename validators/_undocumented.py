"""What the documents do not say: members no schema names, and models without a documented
token limit. Each is a warning a user sees (never a silent "valid"); ``strict`` makes them
errors, and :func:`drop_unknown` takes the unknown members out.

A member is documented at an object when the object's ``properties`` name it, or any of its
alternatives' do (a payload meant for another alternative is the errors' business, not this
walk's). ``additionalProperties: false`` objects are left to the schema: it already refuses.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ._errors import ValidationError
from ._limits import INPUT, LIMIT_MEANINGS, TOTAL
from ._registry import ModelEntry
from ._schema_walk import escape

UNDOCUMENTED = "undocumented"
NO_LIMIT = "no-limit-documented"
ALTERNATIVES = ("oneOf", "anyOf", "allOf")


@dataclass(frozen=True)
class Unknown:
    """A member the documents do not name: where it is, and where a same-named member is."""

    pointer: str
    name: str
    elsewhere: tuple[str, ...]  # pointers (in a payload) of documented members of that name


def _named(node: Any) -> tuple[set[str], bool]:
    """The member names ``node`` and its alternatives document, and whether the schema itself
    refuses the members it does not name."""
    if not isinstance(node, dict):
        return set(), False
    found = node.get("properties")
    names = set(found) if isinstance(found, dict) else set()
    branches = [b for k in ALTERNATIVES for b in node.get(k, []) if isinstance(b, dict)]
    for branch in branches:
        names |= _named(branch)[0]
    return names, node.get("additionalProperties") is False and not branches


def _named_at(nodes: list[Any]) -> tuple[set[str], bool]:
    """The member names the schema nodes at one place document, and whether any of them lets
    the others through (a member none names is then unknown, not refused by the schema)."""
    names: set[str] = set()
    open_somewhere = False
    for node in nodes:
        named, refused = _named(node)
        names |= named
        open_somewhere = open_somewhere or not refused
    return names, open_somewhere


def documented_skeleton(schema: Any) -> Any:
    """A schema that accepts a value exactly when :func:`unknown_members` finds nothing in it,
    whatever its values: the walk's places and the names documented at each (the union over
    alternatives), with every value constraint and alternative left out. It is the cheap
    check before the walk, and it holds for invalid payloads too (a closed copy of the schema
    would refuse them for their values and send every one of them through the walk)."""
    return _skeleton([schema])


def _skeleton(nodes: list[Any]) -> Any:
    if not nodes or any(node is True or node == {} for node in nodes):
        return True  # as _walk: any value is documented here
    names, open_somewhere = _named_at(nodes)
    result: dict[str, Any] = {}
    if names:
        result["properties"] = {name: _skeleton([s for node in nodes
                                                 for s in _member_schemas(node, name)])
                                for name in sorted(names)}
    rest = [r for node in nodes for r in _rest_schemas(node)]
    if rest:
        result["additionalProperties"] = _skeleton(rest)
    elif open_somewhere:
        result["additionalProperties"] = False
    items = [s for node in nodes for s in _item_schemas(node)]
    if items:
        result["items"] = _skeleton(items)
    return result or True


def _member_schemas(node: Any, name: str) -> list[Any]:
    found = []
    if isinstance(node, dict):
        member = node.get("properties", {}).get(name) if isinstance(
            node.get("properties"), dict) else None
        if member is not None:
            found.append(member)
        for keyword in ALTERNATIVES:
            for branch in node.get(keyword, []):
                found += _member_schemas(branch, name)
    return found


def _rest_schemas(node: Any) -> list[Any]:
    """The ``additionalProperties`` schemas of ``node`` and its alternatives."""
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("additionalProperties"), dict):
            found.append(node["additionalProperties"])
        for keyword in ALTERNATIVES:
            for branch in node.get(keyword, []):
                found += _rest_schemas(branch)
    return found


def _item_schemas(node: Any) -> list[Any]:
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("items"), dict):
            found.append(node["items"])
        for keyword in ALTERNATIVES:
            for branch in node.get(keyword, []):
                found += _item_schemas(branch)
    return found


def documented_places(schema: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """(member name, payload pointer pattern) of every documented member; ``-`` stands for
    any array index."""
    if not isinstance(schema, dict):
        return
    for name, member in (schema.get("properties") or {}).items():
        at = f"{pointer}/{escape(name)}"
        yield name, at
        yield from documented_places(member, at)
    if isinstance(schema.get("items"), dict):
        yield from documented_places(schema["items"], f"{pointer}/-")
    for keyword in ALTERNATIVES:
        for branch in schema.get(keyword, []):
            yield from documented_places(branch, pointer)


def unknown_members(schema: dict[str, Any], payload: Any) -> list[Unknown]:
    """Every member of ``payload`` that no schema node at its place names."""
    places: dict[str, set[str]] = {}
    for name, at in documented_places(schema):
        places.setdefault(name, set()).add(at)
    found: list[Unknown] = []
    _walk([schema], payload, "", "", places, found)
    return found


def _walk(nodes: list[Any], value: Any, pointer: str, pattern: str,
          places: dict[str, set[str]], found: list[Unknown]) -> None:
    if any(node is True or node == {} for node in nodes) or not nodes:
        return  # any value is documented here
    if isinstance(value, dict):
        names, open_somewhere = _named_at(nodes)
        for name, member in value.items():
            at, at_pattern = f"{pointer}/{escape(name)}", f"{pattern}/{escape(name)}"
            if name not in names:
                rest = [r for node in nodes for r in _rest_schemas(node)]
                if rest:  # a map: its schema documents every member it holds
                    _walk(rest, member, at, at_pattern, places, found)
                elif open_somewhere:
                    others = tuple(sorted(p for p in places.get(name, ()) if p != at_pattern))
                    found.append(Unknown(at, name, others))
                continue
            _walk([s for node in nodes for s in _member_schemas(node, name)], member, at,
                  at_pattern, places, found)
    elif isinstance(value, list):
        items = [s for node in nodes for s in _item_schemas(node)]
        for index, item in enumerate(value):
            _walk(items, item, f"{pointer}/{index}", f"{pattern}/-", places, found)


def unknown_warnings(entry: ModelEntry, kind: str, schema: dict[str, Any],
                     payload: Any) -> list[ValidationError]:
    documents = ", ".join(schema.get("x-documents", [])) or entry.document
    warnings = []
    for unknown in unknown_members(schema, payload):
        hint = ""
        if unknown.elsewhere:
            hint = f"; did you mean {unknown.elsewhere[0].replace('/-', '/0')}?"
        warnings.append(ValidationError(
            unknown.pointer, UNDOCUMENTED, f"{unknown.name!r} is not in the documents of "
            f"{entry.id} ({documents}): the provider may reject or ignore it{hint}",
            None, None, None))
    return warnings


def limit_warnings(entry: ModelEntry) -> list[ValidationError]:
    """A request to a model whose documents state no input or context limit."""
    stated = [name for name, meaning in LIMIT_MEANINGS.items()
              if meaning in (INPUT, TOTAL) and entry.limits.get(name) is not None]
    if stated:
        return []
    return [ValidationError("", NO_LIMIT, f"no token limit documented for {entry.id}: the "
                            "request's size was not checked", None, None, None)]


def drop_unknown(schema: dict[str, Any], payload: Any) -> tuple[Any, list[Unknown]]:
    """``payload`` without the members no document names (a copy), and what was dropped."""
    unknown = unknown_members(schema, payload)
    result = copy.deepcopy(payload)
    for item in sorted(unknown, key=lambda u: u.pointer.count("/"), reverse=True):
        parent: Any = result
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in item.pointer.split("/")[1:]]
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        parent.pop(tokens[-1], None)
    return result, unknown
