"""Deterministic example values of a JSON Schema, for the mock providers' answers.

``exemplar(engine, seed, hint)`` returns a value the compiled schema accepts, the same one
for the same seed. A *hint* (the wire format's usual shape: an id, the model's name, some
text) is followed wherever the schema allows it, so answers look like the provider's own
while every member the schema constrains comes from the schema. No hypothesis here: the mock
runs in servers and threads, where a plain seeded ``random.Random`` is safe and repeatable.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from wirespec.validators._schema_walk import integer_bounds, merged, types_of
from wirespec.validators._walker import Walker

_NO_HINT = object()
_ATTEMPTS = 24
_WORDS = ("the", "model", "answers", "with", "a", "short", "reply", "about", "wire", "formats",
          "and", "limits", "之", "回答")
_WALKER = Walker()
_BOUNDS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}


class NoExemplar(ValueError):
    """The schema admits values this generator cannot build (a pattern, say)."""


def exemplar(engine: Any, seed: int | str, hint: Any = _NO_HINT) -> Any:
    """A value ``engine`` (a compiled schema) accepts; ``hint`` is followed where it fits."""
    for attempt in range(_ATTEMPTS):
        rng = random.Random(f"{seed}/{attempt}")
        # later attempts drop the hint: it may lead into an alternative that cannot hold
        value = _draw(engine.schema, rng, hint if attempt < _ATTEMPTS // 2 else _NO_HINT)
        if engine.is_valid(value):
            return value
    raise NoExemplar(f"no value found for {engine.model} ({engine.kind}) in {_ATTEMPTS} tries")


def named_only(hint: Any, schema: dict[str, Any]) -> Any:
    """``hint`` with only the top-level members that the schema (or one of its alternatives)
    names and whose value fits there: a text model's usual members do not belong in an
    embedding model's answer."""
    if not isinstance(hint, dict):
        return hint
    described = [schema, *(branch for keyword in ("oneOf", "anyOf")
                           for branch in schema.get(keyword, ()) if isinstance(branch, dict))]
    kept = {name: value for name, value in hint.items()
            if any(name in node.get("properties", {})
                   and _WALKER.is_valid(node["properties"][name], value) for node in described)}
    return kept or _NO_HINT


def words(rng: random.Random, low: int = 1, high: int = 8) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(low, high)))


def _draw(node: Any, rng: random.Random, hint: Any) -> Any:
    if not isinstance(node, dict) or not node:
        return copy.deepcopy(hint) if hint is not _NO_HINT else words(rng)
    if hint is not _NO_HINT and _WALKER.is_valid(node, hint) and not _wants_more(node, hint):
        return copy.deepcopy(hint)
    if "const" in node:
        return copy.deepcopy(node["const"])
    if "enum" in node:
        return copy.deepcopy(rng.choice(node["enum"]))
    for keyword in ("oneOf", "anyOf"):
        if keyword in node:
            branches = [merged(node, b) for b in node[keyword] if isinstance(b, dict)]
            rng.shuffle(branches)
            fitting = [b for b in branches if hint is not _NO_HINT and _fits_type(b, hint)]
            return _draw((fitting or branches)[0], rng, hint)
    kinds = types_of(node) or ["string"]
    fitting_kinds = [k for k in kinds if hint is not _NO_HINT and _fits_type({"type": k}, hint)]
    kind = fitting_kinds[0] if fitting_kinds else rng.choice(
        [k for k in kinds if k != "null"] or kinds)
    return _TYPED[kind](node, rng, hint if fitting_kinds else _NO_HINT)


def _wants_more(node: dict[str, Any], hint: Any) -> bool:
    """An object hint that leaves out members the schema describes: fill some in."""
    return isinstance(hint, dict) and any(name not in hint for name in node.get("required", ()))


def _fits_type(node: dict[str, Any], hint: Any) -> bool:
    kinds = types_of(node)
    return not kinds or _WALKER.is_valid({"type": kinds}, hint)


def _object(node: dict[str, Any], rng: random.Random, hint: Any) -> dict[str, Any]:
    properties = node.get("properties", {})
    extra_allowed = node.get("additionalProperties", True) is not False
    value: dict[str, Any] = {}
    if isinstance(hint, dict):
        for name, member in hint.items():
            if name in properties:
                value[name] = _draw(properties[name], rng, member)
            elif extra_allowed:
                value[name] = copy.deepcopy(member)
    for name in node.get("required", ()):
        if name not in value:
            value[name] = _draw(properties.get(name, {}), rng, _NO_HINT)
    if hint is _NO_HINT:
        for name, member in properties.items():
            if name not in value and rng.random() < 0.75:
                value[name] = _draw(member, rng, _NO_HINT)
    return value


def _array(node: dict[str, Any], rng: random.Random, hint: Any) -> list[Any]:
    items = node.get("items", {})
    low, high = node.get("minItems", 0), node.get("maxItems")
    if isinstance(hint, list) and low <= len(hint) <= (high if high is not None else len(hint)):
        return [_draw(items, rng, member) for member in hint]
    count = rng.randint(max(low, 1), max(low, 1) + 2)
    return [_draw(items, rng, _NO_HINT) for _ in range(min(count, high) if high else count)]


def _string(node: dict[str, Any], rng: random.Random, hint: Any) -> str:
    low, high = node.get("minLength", 0), node.get("maxLength")
    text = hint if isinstance(hint, str) else words(rng)
    while len(text) < low:
        text += " " + words(rng)
    return text[:high] if high is not None else text


def _integer(node: dict[str, Any], rng: random.Random, hint: Any) -> int:
    low, high = integer_bounds(node)
    low = low if low is not None else (0 if high is None or high >= 0 else high - 100)
    high = high if high is not None else low + 100
    if isinstance(hint, int) and not isinstance(hint, bool) and low <= hint <= high:
        return hint
    return rng.randint(low, high)


def _number(node: dict[str, Any], rng: random.Random, hint: Any) -> float | int:
    """A decimal within the bounds (an exclusive bound drawn exactly fails the final check
    and is drawn again); whole numbers where there are no bounds, or a ``multipleOf``."""
    if "multipleOf" in node or not _BOUNDS & node.keys():
        return _integer(node, rng, hint)
    low = node.get("minimum", node.get("exclusiveMinimum", 0.0))
    high = node.get("maximum", node.get("exclusiveMaximum", low + 100.0))
    return round(rng.uniform(low, high), 3)


_TYPED = {
    "null": lambda node, rng, hint: None,
    "boolean": lambda node, rng, hint: hint if isinstance(hint, bool) else rng.random() < 0.5,
    "integer": _integer, "number": _number, "string": _string, "array": _array,
    "object": _object,
}
