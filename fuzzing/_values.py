"""Hypothesis strategies of values a JSON Schema accepts, weighted to its limits.

Each bound is drawn exactly (a string of exactly ``maxLength``, a number at ``maximum``, the
float next to an exclusive bound, ``2**64 - 1``) as often as values in between; every
``oneOf`` alternative is drawn. The root strategy is filtered by the compiled schema, so
what it yields is valid by construction and by check.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from hypothesis import strategies as st

from wirespec.validators._schema_walk import integer_bounds, merged, tokens, types_of

SMALL_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=5)
    | st.floats(allow_nan=False, allow_infinity=False, width=32),
    lambda children: st.lists(children, max_size=2)
    | st.dictionaries(st.text(max_size=4), children, max_size=2),
    max_leaves=4)
UNKNOWN_MEMBER = "x-wirespec-unknown"
REACH_EXTRA = "x-wirespec-reach-additional"  # set by reaching(): an extra member is drawn


def values(node: Any) -> st.SearchStrategy[Any]:
    """Values ``node`` accepts (before the root's check)."""
    if node is True or node == {} or not isinstance(node, dict):
        return SMALL_JSON
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    for keyword in ("oneOf", "anyOf"):
        if keyword in node:
            return st.one_of([values(merged(node, branch)) for branch in node[keyword]
                              if isinstance(branch, dict)])
    kinds = types_of(node)
    if not kinds:
        return SMALL_JSON
    return st.one_of([_TYPED[kind](node) for kind in kinds if kind in _TYPED])


def _edges(*candidates: Any) -> list[Any]:
    return [c for c in candidates if c is not None]


def _integers(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    low, high = integer_bounds(node)
    if low is not None and high is not None and low > high:
        return st.nothing()  # e.g. an integer in (0, 1)
    between = st.integers(low, high)
    edges = _edges(low, high)
    return st.one_of(st.sampled_from(edges), between) if edges else between


def _numbers(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    low = node.get("minimum")
    high = node.get("maximum")
    inside_low = math.nextafter(node["exclusiveMinimum"], math.inf) \
        if "exclusiveMinimum" in node else None
    inside_high = math.nextafter(node["exclusiveMaximum"], -math.inf) \
        if "exclusiveMaximum" in node else None
    floor = max(_edges(low, inside_low), default=None)
    ceiling = min(_edges(high, inside_high), default=None)
    floats = st.floats(floor, ceiling, allow_nan=False, allow_infinity=False)
    edges = _edges(low, high, inside_low, inside_high)
    return st.one_of(st.sampled_from(edges), floats, _integers(node)) if edges else st.one_of(
        floats, _integers(node))


def _strings(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    low = node.get("minLength", 0)
    high = node.get("maxLength")
    if "pattern" in node:
        return st.from_regex(node["pattern"]).filter(
            lambda s: low <= len(s) <= (high if high is not None else math.inf))
    between = st.text(min_size=low, max_size=min(high, low + 16) if high is not None else low + 16)
    exact = st.builds(lambda char, size: char * size, st.characters(codec="utf-8"),
                      st.sampled_from(_edges(low or None, high)))
    return st.one_of(exact, between) if _edges(low or None, high) else between


def _arrays(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    low = node.get("minItems", 0)
    high = node.get("maxItems")
    items = values(node.get("items", {}))
    between = _sized(node, items, low) if low > _DRAWN_IN_FULL else st.lists(
        items, min_size=low, max_size=min(high, low + 3) if high else low + 3)
    if high is not None and high <= 64:
        return st.one_of(_sized(node, items, high), between)
    return between


_DRAWN_IN_FULL = 8  # longer lists repeat a few drawn elements


def _sized(node: dict[str, Any], items: st.SearchStrategy[Any], size: int
           ) -> st.SearchStrategy[list[Any]]:
    """Lists of exactly ``size`` elements. Past a few elements they repeat a short drawn list:
    128 elements drawn one by one overrun hypothesis's buffer and nothing is ever drawn, and
    the limit is about the count, not about 128 different elements."""
    if size <= _DRAWN_IN_FULL or node.get("uniqueItems"):
        return st.lists(items, min_size=size, max_size=size)
    return st.lists(items, min_size=1, max_size=3).map(lambda drawn: (drawn * size)[:size])


def _objects(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    properties = node.get("properties", {})
    required = [name for name in node.get("required", []) if name in properties]
    missing = [name for name in node.get("required", []) if name not in properties]
    fixed = {name: values(properties[name]) for name in required}
    fixed |= {name: SMALL_JSON for name in missing}
    optional = {name: values(schema) for name, schema in properties.items()
                if name not in required}
    extra = node.get("additionalProperties", True)
    if extra is not False and not node.get("patternProperties"):
        drawn = values(extra) if isinstance(extra, dict) else SMALL_JSON
        (fixed if node.get(REACH_EXTRA) else optional)[UNKNOWN_MEMBER] = drawn
    return st.fixed_dictionaries(fixed, optional=optional)


_TYPED = {"null": lambda node: st.none(), "boolean": lambda node: st.booleans(),
          "integer": _integers, "number": _numbers, "string": _strings, "array": _arrays,
          "object": _objects}


def reaching(schema: dict[str, Any], target: str) -> dict[str, Any]:
    """A copy of ``schema`` whose values all reach the keyword at pointer ``target``: the
    alternatives on the way are narrowed to the one that leads there, and the members and
    elements on the way made present. (Values are still checked against the full schema.)"""
    result: dict[str, Any] = copy.deepcopy(schema)
    node: Any = result
    path = tokens(target)[:-1]  # up to the keyword's node
    index = 0
    while index < len(path) and isinstance(node, dict):
        token = path[index]
        if token in ("oneOf", "anyOf") and index + 1 < len(path):
            chosen = node[token][int(path[index + 1])]
            node[token] = [chosen]
            if isinstance(chosen, dict) and chosen.get("type") == "array":
                chosen["minItems"] = max(1, chosen.get("minItems", 0))  # [] fits every list
            node, index = chosen, index + 2
        elif token == "properties" and index + 1 < len(path):
            name = path[index + 1]
            node["required"] = sorted({*node.get("required", []), name})
            node, index = node["properties"][name], index + 2
        elif token == "items":
            node["minItems"] = max(1, node.get("minItems", 0))
            node, index = node["items"], index + 1
        elif token == "additionalProperties":
            node[REACH_EXTRA] = True
            node, index = node[token], index + 1
        else:
            node, index = node.get(token), index + 1
    keyword = tokens(target)[-1] if target else ""
    if isinstance(node, dict) and keyword in _APPLIES_TO:
        # a keyword beside alternatives of several types (`stop`: string, null or a list,
        # at most 4) is reached only by a value of the type it applies to
        wanted = node.setdefault("type", _APPLIES_TO[keyword])
        for alternatives in ("anyOf", "oneOf"):
            fitting = [branch for branch in node.get(alternatives, [])
                       if isinstance(branch, dict) and branch.get("type") == wanted]
            if fitting:
                node[alternatives] = fitting
        if keyword == "maxItems":
            node["minItems"] = max(1, node.get("minItems", 0))  # [] cannot grow past it
    return result


_APPLIES_TO = {"minItems": "array", "maxItems": "array", "minLength": "string",
               "maxLength": "string", "pattern": "string"}


def at_limit(schema: dict[str, Any], target: str) -> dict[str, Any] | None:
    """Like :func:`reaching`, with the value at ``target`` pinned to the bound itself (or the
    nearest value inside an exclusive bound). None when ``target`` is not a bound."""
    keyword = target.rsplit("/", 1)[-1]
    result = reaching(schema, target)
    node: Any = result
    for token in tokens(target)[:-1]:
        # reaching() left one alternative in each list on the way
        node = node[0] if isinstance(node, list) else node[token]
    if not isinstance(node, dict) or keyword not in node:
        return None
    bound = node[keyword]
    integral = node.get("type") == "integer"
    if keyword in ("minimum", "maximum"):
        node["const"] = bound
    elif keyword in ("exclusiveMinimum", "exclusiveMaximum"):
        step = 1 if keyword == "exclusiveMinimum" else -1
        node["const"] = bound + step if integral else math.nextafter(bound, step * math.inf)
    elif keyword in ("minLength", "maxLength"):
        node["const"] = "x" * bound
    elif keyword in ("minItems", "maxItems"):
        node["minItems"] = node["maxItems"] = bound
    else:
        return None
    return result
