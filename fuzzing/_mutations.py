"""Where a valid payload can be broken, one constraint at a time, and how.

:func:`sites` walks a payload with its schema (into the alternative the payload satisfies)
and lists every place a constraint applies; each :class:`Site` knows how to break just that
constraint and what the validator must then report (pointer and keyword).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from wirespec.validators._keywords import is_type, json_type
from wirespec.validators._schema_walk import escape, merged, resolve, tokens, types_of
from wirespec.validators._walker import Walker

Breaker = Callable[[Any], Any]  # old value -> new value (or DELETE)
DELETE = object()
_WALKER = Walker()
# A value of each JSON type, to put where that type is not allowed.
_WRONG: dict[str, Any] = {"null": None, "boolean": True, "integer": 7, "number": 1.5, "string": "1",
          "array": [], "object": {}}


@dataclass(frozen=True)
class Site:
    """A constraint as it applies at one place of one payload."""

    schema_path: str  # the constraint's keyword, as a pointer into the schema
    keyword: str
    pointer: str  # where the payload is changed
    reported_at: str  # where the validator must report it
    breaker: Breaker
    member: str | None = None  # the object member the change adds or removes
    # the alternatives the site sits in: (their schema pointer, the one taken, data pointer)
    within: tuple[tuple[str, int, str], ...] = ()


@dataclass(frozen=True)
class InvalidExample:
    """A payload that breaks one named constraint."""

    payload: Any
    pointer: str
    keyword: str
    schema_path: str


def _constant(value: Any) -> Breaker:
    def breaker(_old: Any) -> Any:
        return copy.deepcopy(value)
    return breaker


def _delete(_old: Any) -> Any:
    return DELETE


def _repeated_to(size: int, old: Any) -> Any:
    return (old * (size + 1))[:size] if old else old


def _without(members: frozenset[str], old: Any) -> Any:
    return {k: v for k, v in old.items() if k not in members}


def _mixed(kind: str, old: Any) -> Any:
    """One odd element among at least two of the list's own kind: unambiguous."""
    return [*(old * 2)[: max(2, len(old))], copy.deepcopy(_WRONG[kind])]


def _past(bound: Any, step: int, integral: bool) -> Any:
    return bound + step if integral and float(bound).is_integer() else math.nextafter(
        bound, step * math.inf)


def _pointer(base: str, token: str | int) -> str:
    return f"{base}/{escape(token)}"


def sites(schema: Any, payload: Any, pointer: str = "", path: str = "",
          within: tuple[tuple[str, int, str], ...] = ()) -> Iterator[Site]:
    """Every site; ``within`` records the alternatives each sits in, so that a break that
    moves the payload to another alternative can be told (the fuzzer's
    ``_still_meant_for_the_same_alternatives``)."""
    if not isinstance(schema, dict):
        return
    for keyword in ("oneOf", "anyOf"):
        branches = schema.get(keyword)
        if not branches:
            continue
        for index, branch in enumerate(branches):
            if _WALKER.is_valid(merged(schema, branch), payload):
                taken = (*within, (f"{path}/{keyword}", index, pointer))
                yield from sites(branch, payload, pointer, f"{path}/{keyword}/{index}", taken)
                yield from (_with_within(s, within) for s in
                            _alternative_sites(schema, keyword, index, payload, pointer, path))
                if keyword == "oneOf":
                    break  # anyOf: every alternative the payload satisfies applies to it
    yield from (_with_within(s, within) for s in _own_sites(schema, payload, pointer, path))
    if isinstance(payload, dict):
        for name, child in schema.get("properties", {}).items():
            if name in payload:
                yield from sites(child, payload[name], _pointer(pointer, name),
                                 f"{path}/properties/{name}", within=within)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name, value in payload.items():
                if name not in schema.get("properties", {}):
                    yield from sites(extra, value, _pointer(pointer, name),
                                     f"{path}/additionalProperties", within=within)
    if isinstance(payload, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(payload):
            yield from sites(schema["items"], item, _pointer(pointer, index), f"{path}/items",
                             within=within)


def _with_within(site: Site, within: tuple[tuple[str, int, str], ...]) -> Site:
    return dataclasses.replace(site, within=within) if within else site


def _own_sites(schema: dict[str, Any], value: Any, pointer: str, path: str) -> Iterator[Site]:
    def site(keyword: str, breaker: Breaker, at: str | None = None,
             member: str | None = None) -> Site:
        return Site(f"{path}/{keyword}", keyword, pointer, pointer if at is None else at,
                    breaker, member)

    allowed = types_of(schema) if "type" in schema else []
    for wrong in (v for v in _WRONG.values() if allowed and not any(
            is_type(v, a) for a in allowed)):
        # every wrong kind of value: null, true for an integer, "1" for a number, …
        yield site("type", _constant(wrong))
    if "enum" in schema:
        yield site("enum", functools.partial(_outside, schema["enum"]))
    if "const" in schema:
        yield site("const", functools.partial(_outside, [schema["const"]]))
    number = is_type(value, "number")
    integer = json_type(value) == "integer"
    for keyword, step in (("minimum", -1), ("maximum", 1)):
        if keyword in schema and number:
            bound = schema[keyword]
            yield site(keyword, _constant(_past(bound, step, integer)))
    for keyword in ("exclusiveMinimum", "exclusiveMaximum"):
        if keyword in schema and number:
            yield site(keyword, _constant(schema[keyword]))
    if isinstance(value, str):
        if "maxLength" in schema:
            yield site("maxLength", _constant("x" * (schema["maxLength"] + 1)))
        if schema.get("minLength", 0) > 0:
            yield site("minLength", _constant("x" * (schema["minLength"] - 1)))
    if isinstance(value, list):
        if "maxItems" in schema and value:
            yield site("maxItems", functools.partial(_repeated_to, schema["maxItems"] + 1))
        if schema.get("minItems", 0) > 0:
            yield site("minItems", functools.partial(_repeated_to, schema["minItems"] - 1))
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name in value:
                yield Site(f"{path}/required", "required", _pointer(pointer, name), pointer,
                           _delete, name)
        if schema.get("additionalProperties") is False:
            yield Site(f"{path}/additionalProperties", "additionalProperties",
                       _pointer(pointer, "x-not-allowed"), _pointer(pointer, "x-not-allowed"),
                       _constant(1), "x-not-allowed")


def _alternative_sites(schema: dict[str, Any], keyword: str, index: int, value: Any,
                       pointer: str, path: str) -> Iterator[Site]:
    """oneOf: the members of another alternative added, so that both match. Any: a value of
    a type no alternative allows, or every alternative's required members removed, so that
    none matches. anyOf of lists (``stop``): a list mixing two alternatives' element kinds."""
    branches = schema[keyword]
    kinds = [set(types_of(merged(schema, b))) for b in branches if isinstance(b, dict)]
    if kinds and all(kinds):
        wrong = next((v for v in _WRONG.values()
                      if not any(is_type(v, k) for ks in kinds for k in ks)), DELETE)
        if wrong is not DELETE:
            yield Site(f"{path}/{keyword}", "type", pointer, pointer,
                       _constant(wrong))
    members = {n for b in branches if isinstance(b, dict) for n in b.get("required", [])}
    if isinstance(value, dict) and members and all(
            isinstance(b, dict) and b.get("required") for b in branches):
        yield Site(f"{path}/{keyword}", "required", pointer, pointer,
                   functools.partial(_without, frozenset(members)))
    if keyword == "oneOf" and isinstance(value, dict):
        for other, branch in enumerate(branches):
            wanted = [n for n in branch.get("required", []) if n not in value]
            if other != index and wanted:
                yield Site(f"{path}/oneOf", "oneOf", pointer, pointer,
                           functools.partial(_with_members_of, schema, branch))
    if isinstance(value, list) and value:
        element_kinds = [b.get("items", {}).get("type") for b in branches
                         if isinstance(b, dict) and b.get("type") == "array"]
        mine = branches[index].get("items", {}).get("type")
        strange = next((k for k in element_kinds if k and k != mine and k in _WRONG), None)
        if strange is not None:
            size = max(2, len(value))
            yield Site(f"{path}/{keyword}", "type", pointer, _pointer(pointer, size),
                       functools.partial(_mixed, strange))


def _with_members_of(parent: dict[str, Any], branch: dict[str, Any], old: Any) -> Any:
    result = dict(old)
    properties = {**parent.get("properties", {}), **branch.get("properties", {})}
    for name in branch.get("required", []):
        if name not in result:
            result[name] = _plain_value(properties.get(name, {}))
    return result


def _plain_value(schema: Any) -> Any:
    """A simple value ``schema`` accepts (for members added to match another alternative)."""
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = (types_of(schema) or ["null"])[0]
    if kind == "string":
        return "x" * max(1, schema.get("minLength", 1))
    if kind in ("integer", "number"):
        return schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
    if kind == "array":
        items = schema.get("items", {})
        return [_plain_value(items)] * schema.get("minItems", 1 if items else 0)
    if kind == "object":
        props = schema.get("properties", {})
        return {n: _plain_value(props.get(n, {})) for n in schema.get("required", [])}
    return {"boolean": False, "null": None}.get(kind)


def _outside(options: list[Any], old: Any) -> Any:
    if isinstance(old, str) or all(isinstance(o, str) for o in options):
        return "~not-" + "-".join(str(o) for o in options)[:20]
    numbers = [o for o in options if is_type(o, "number")]
    return max(numbers) + 1 if numbers else "~not-allowed"


def apply(payload: Any, site: Site) -> Any:
    """A copy of ``payload`` with ``site``'s constraint broken."""
    result = copy.deepcopy(payload)
    path = tokens(site.pointer)
    if not path:
        return site.breaker(result)
    holder = resolve(result, site.pointer.rsplit("/", 1)[0])
    last: Any = int(path[-1]) if isinstance(holder, list) else path[-1]
    old = holder[last] if (isinstance(holder, list) or last in holder) else None
    new = site.breaker(old)
    if new is DELETE:
        del holder[last]
    else:
        holder[last] = new
    return result
