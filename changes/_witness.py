"""Witnesses: a value one schema accepts and another rejects, found and then checked by the
reference validator. A witness proves a change narrows what is accepted; the diff shows it.

Cheap bound first: values built from both nodes' limits (each bound, one step past it, the
values of a list, a member left out or set to another type) are tried before any drawing;
only when none decides are values drawn from the accepting side (hypothesis, limits
weighted, a fixed seed: the same witness every run).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, find, settings
from hypothesis.errors import NoSuchExample, Unsatisfiable

from wirespec.fuzzing._values import values
from wirespec.validators._reference import reference_validator

from ._sets import ALTERNATIVES, accepts, normalized, types_of

_NO_VALUE = object()
ODD_VALUES: list[Any] = [None, True, 0, 0.5, -1, "x", "", [], {}]
DRAWS = settings(database=None, derandomize=True, max_examples=60, deadline=None,
                 suppress_health_check=list(HealthCheck))
MAX_CANDIDATES = 20000


def witness(accepted_by: Any, rejected_by: Any, *, draw: bool = True) -> Any:
    """A value ``accepted_by`` accepts and ``rejected_by`` rejects; ``_NO_VALUE`` (see
    ``found``) when none was found."""
    one, two = normalized(accepted_by), normalized(rejected_by)
    seen: set[str] = set()
    hints: Hints = {}
    _gather(one, hints)
    _gather(two, hints)
    accepting, rejecting = reference_validator(one), reference_validator(two)

    def decides(value: Any) -> bool:
        return bool(accepting.is_valid(value) and not rejecting.is_valid(value))

    for count, candidate in enumerate(candidates(one, two, hints)):
        if count >= MAX_CANDIDATES:
            break
        key = json.dumps(candidate, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        if decides(candidate):
            return candidate
    if not draw:
        return _NO_VALUE
    try:
        return find(values(one), decides, settings=DRAWS)
    except (NoSuchExample, Unsatisfiable, RecursionError):
        return _NO_VALUE


def found(value: Any) -> bool:
    return value is not _NO_VALUE


Hints = dict[str, list[Any]]  # member name -> every schema given to it, on either side


def _gather(node: Any, hints: Hints) -> None:
    """Each member's schemas anywhere in ``node``: a limit one alternative puts on a member
    is worth trying where another alternative lets the member through unchecked."""
    if not isinstance(node, dict):
        return
    for name, member in node.get("properties", {}).items():
        if member not in hints.setdefault(name, []):
            hints[name].append(member)
        _gather(member, hints)
    for keyword in ALTERNATIVES:
        for branch in node.get(keyword, []):
            _gather(branch, hints)
    for keyword in ("items", "additionalProperties"):
        _gather(node.get(keyword), hints)


def candidates(one: Any, two: Any, hints: Hints, depth: int = 0) -> Iterator[Any]:
    """Values worth trying: the limits of both nodes, and one step past each."""
    if not isinstance(one, dict):
        yield from ODD_VALUES
        return
    for keyword in ALTERNATIVES:
        for branch in one.get(keyword, []):
            yield from candidates(branch, two, hints, depth)
    if "const" in one:
        yield one["const"]
    yield from one.get("enum", [])
    other = two if isinstance(two, dict) else {}
    yield from _numbers(one, other)
    yield from _strings(one, other)
    if depth < 4:
        yield from _arrays(one, other, hints, depth)
        yield from _objects(one, other, hints, depth)
    yield from ODD_VALUES


def _steps(value: Any) -> list[Any]:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return []
    around = [value, math.nextafter(value, -math.inf), math.nextafter(value, math.inf)]
    if isinstance(value, int) or float(value).is_integer():
        around += [int(value) - 1, int(value), int(value) + 1]
    else:
        around += [math.floor(value), math.ceil(value)]
    return around


def _numbers(one: dict[str, Any], two: dict[str, Any]) -> Iterator[Any]:
    for node in (one, two):
        for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            yield from _steps(node.get(keyword))
    yield from (0, 1, -1, 0.5, 1.5, 2**64, -(2**64))


def _strings(one: dict[str, Any], two: dict[str, Any]) -> Iterator[Any]:
    lengths = []  # one step past each limit first: that is where a narrowing shows
    for node in (one, two):
        if isinstance(node.get("maxLength"), int):
            lengths += [node["maxLength"] + 1, node["maxLength"]]
        if isinstance(node.get("minLength"), int):
            lengths += [node["minLength"] - 1, node["minLength"]]
    for length in [*lengths, 0, 1]:
        if 0 <= length <= 1 << 20:
            yield "x" * length


def minimal(node: Any) -> Any:
    """A small value ``node`` accepts, built from its limits (checked by the caller)."""
    if not isinstance(node, dict):
        return None
    for keyword in ALTERNATIVES:
        for branch in node.get(keyword, []):
            value = minimal(branch)
            if accepts(node, value):
                return value
    if "const" in node:
        return node["const"]
    if node.get("enum"):
        return node["enum"][0]
    types = sorted(types_of(node) or {"object"})
    kind = "object" if "object" in types else types[0]
    if kind in ("integer", "number"):
        return _minimal_number(node, kind == "integer")
    if kind == "string":
        return "x" * node.get("minLength", 0)
    if kind == "array":
        return [minimal(node.get("items", {}))] * node.get("minItems", 0)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    members = node.get("properties", {})
    return {name: minimal(members.get(name, {})) for name in node.get("required", [])}


def _minimal_number(node: dict[str, Any], integer: bool) -> Any:
    low = node.get("minimum")
    if low is None and "exclusiveMinimum" in node:
        above = node["exclusiveMinimum"]
        low = math.floor(above) + 1 if integer else math.nextafter(above, math.inf)
    elif low is not None and integer:
        low = math.ceil(low)
    if low is not None:
        return low
    high = node.get("maximum", node.get("exclusiveMaximum"))
    return 0 if high is None or high > 0 else math.floor(high) - 1


def _arrays(one: dict[str, Any], two: dict[str, Any], hints: Hints,
            depth: int) -> Iterator[Any]:
    item_one, item_two = one.get("items", {}), two.get("items", {})
    base = minimal(item_one)
    counts = {0, 1}
    for node in (one, two):
        for keyword in ("minItems", "maxItems"):
            if isinstance(node.get(keyword), int):
                counts |= {max(0, node[keyword] - 1), node[keyword], node[keyword] + 1}
    for count in sorted(counts):
        if count <= 1 << 16:
            yield [base] * count
    for value in candidates(item_one, item_two, hints, depth + 1):
        yield [value]


def _objects(one: dict[str, Any], two: dict[str, Any], hints: Hints,
             depth: int) -> Iterator[Any]:
    base = minimal(one)
    if not isinstance(base, dict):
        return
    yield base
    members_one, members_two = one.get("properties", {}), two.get("properties", {})
    rest_one = one.get("additionalProperties", True)
    rest_two = two.get("additionalProperties", True)
    # members the other side's alternatives name: a value with one may match two of them
    named = {name for keyword in ALTERNATIVES for branch in two.get(keyword, [])
             if isinstance(branch, dict) for name in branch.get("properties", {})}
    for name in sorted({*members_one, *members_two, *named}):
        if name in base:
            yield {key: value for key, value in base.items() if key != name}
        mine = members_one.get(name, rest_one)
        theirs = members_two.get(name, rest_two)
        for hint in [mine, *hints.get(name, [])]:
            for value in candidates(hint, theirs, hints, depth + 1):
                yield {**base, name: value}
    yield {**base, "x-wirespec-unknown": None}
