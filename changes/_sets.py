"""What a schema accepts, compared: proofs that one schema accepts every value another does.

``covers(wider, narrower)`` is True only when a rule below proves it, and None otherwise: it
never guesses. A proof the other way (a value one accepts and the other rejects) is a witness
(see _witness), checked by the reference validator. The rules know the keywords wirespec's
schemas use; a keyword they do not know makes the answer None.

``normalized`` puts a node in the form the rules compare: annotations gone, and the keywords
beside ``oneOf``/``anyOf`` moved into each alternative (``{type, oneOf: [A, B]}`` accepts what
``{oneOf: [type∧A, type∧B]}`` does), so that moving ``type`` up or down changes nothing.
"""

from __future__ import annotations

import math
from typing import Any

from wirespec.validators._reference import reference_validator

ANNOTATIONS = frozenset({"description", "title", "examples", "$id", "$schema", "format",
                         "contentType", "default", "deprecated", "readOnly", "writeOnly",
                         "$comment"})
ALTERNATIVES = ("oneOf", "anyOf")
KNOWN = frozenset({"type", "enum", "const", "minimum", "maximum", "exclusiveMinimum",
                   "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems",
                   "minProperties", "maxProperties", "pattern", "properties", "required",
                   "additionalProperties", "items", "oneOf", "anyOf"})
JSON_TYPES = ("null", "boolean", "object", "array", "number", "string")


SOURCE = "x-source"


def cleaned(node: Any, keep_sources: bool = False) -> Any:
    """``node`` without annotations and ``x-`` keys (``x-source`` kept when asked), at every
    depth."""
    if isinstance(node, dict):
        return {key: (cleaned(value, keep_sources) if key not in ("properties", SOURCE) else
                      value if key == SOURCE else
                      {name: cleaned(member, keep_sources) for name, member in value.items()}
                      if isinstance(value, dict) else value)
                for key, value in node.items()
                if (keep_sources and key == SOURCE)
                or (not key.startswith("x-") and key not in ANNOTATIONS)}
    if isinstance(node, list):
        return [cleaned(value, keep_sources) for value in node]
    return node


def normalized(node: Any, keep_sources: bool = False) -> Any:
    """``cleaned(node)`` with sibling keywords of alternatives moved into each of them (where
    the conjunction is exact), at every depth."""
    return _pushed_down(cleaned(node, keep_sources))


def _pushed_down(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            result[key] = {name: _pushed_down(member) for name, member in value.items()}
        elif key in ("items", "additionalProperties"):
            result[key] = _pushed_down(value)
        elif key in ALTERNATIVES and isinstance(value, list):
            result[key] = [_pushed_down(branch) for branch in value]
        else:
            result[key] = value
    present = [key for key in ALTERNATIVES if key in result]
    if len(present) != 1 or not isinstance(result[present[0]], list):
        return result
    keyword = present[0]
    rest = {key: value for key, value in result.items() if key != keyword}
    if not set(rest) - {SOURCE}:
        return result
    branches = [conjoined(rest, branch) for branch in result[keyword]]
    if any(branch is None for branch in branches):
        return result  # not exactly expressible: compared as written
    return {keyword: branches}


def _number_types(types: set[str]) -> set[str]:
    return types | {"integer"} if "number" in types else types


def types_of(node: dict[str, Any]) -> set[str] | None:
    """The JSON types ``node`` allows (``integer`` and ``number`` as written); None: any."""
    declared = node.get("type")
    if declared is None:
        return None
    return set(declared) if isinstance(declared, list) else {declared}


def _type_intersection(one: set[str], two: set[str]) -> set[str]:
    both = one & two
    if ("integer" in one and "number" in two) or ("number" in one and "integer" in two):
        both.add("integer")
    return both


def conjoined(one: Any, two: Any) -> dict[str, Any] | None:
    """A node accepting exactly what both accept, or None when the rules cannot write one."""
    if not isinstance(one, dict) or not isinstance(two, dict):
        return None
    if set(one) - KNOWN - {SOURCE} or set(two) - KNOWN - {SOURCE}:
        return None
    if any(key in one for key in ALTERNATIVES) and any(key in two for key in ALTERNATIVES):
        return None
    open_members = ("additionalProperties" in one or "additionalProperties" in two) and (
        set(one.get("properties", {})) != set(two.get("properties", {})))
    if open_members:
        return None  # additionalProperties counts members the other side's properties name
    result = dict(one)
    for key, value in two.items():
        if key not in result or result[key] == value:
            result[key] = value
            continue
        mine = result[key]
        if key == SOURCE:
            result[key] = value  # the alternative's own words
        elif key == "type":
            first, second = types_of(one) or set(), types_of(two) or set()
            both = sorted(_type_intersection(first, second))
            result[key] = both[0] if len(both) == 1 else both
        elif key in ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"):
            result[key] = max(mine, value)
        elif key in ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"):
            result[key] = min(mine, value)
        elif key == "required":
            result[key] = sorted({*mine, *value})
        elif key == "enum":
            result[key] = [item for item in mine if item in value]
        elif key == "properties":
            merged = dict(mine)
            for name, member in value.items():
                if name in merged:
                    joint = conjoined(merged[name], member)
                    if joint is None:
                        return None
                    merged[name] = joint
                else:
                    merged[name] = member
            result[key] = merged
        elif key in ("items", "additionalProperties"):
            joint = conjoined(mine, value) if isinstance(mine, dict) else None
            if joint is None:
                return None
            result[key] = joint
        else:
            return None  # pattern, const, alternatives: only when equal
    return result


def accepts(node: Any, value: Any) -> bool:
    """The reference validator's verdict (jsonschema, Draft 2020-12)."""
    schema: Any = node if isinstance(node, dict | bool) else {}
    return bool(reference_validator(schema).is_valid(value))


def covers(wider: Any, narrower: Any) -> bool | None:
    """True when ``wider`` provably accepts every value ``narrower`` accepts; else None."""
    wider, narrower = normalized(wider), normalized(narrower)
    return _covers(wider, narrower)


def _is_everything(node: Any) -> bool:
    return node is True or node == {}


def _is_nothing(node: Any) -> bool:
    return node is False or (isinstance(node, dict) and node.get("enum") == [])


def _covers(wider: Any, narrower: Any) -> bool | None:
    if _is_nothing(narrower) or _is_everything(wider) or wider == narrower:
        return True
    if not isinstance(wider, dict) or not isinstance(narrower, dict):
        return None
    if set(wider) - KNOWN or set(narrower) - KNOWN:
        return None
    if set(wider) == set(narrower) == {"oneOf"}:
        return _covers_exclusive(wider["oneOf"], narrower["oneOf"])
    for keyword in ALTERNATIVES:  # each alternative of the narrower side, covered
        if keyword in narrower:
            rest = {k: v for k, v in narrower.items() if k != keyword}
            if rest:
                return None  # normalized() could not move the rest in: compared as a whole
            answers = [_covers(wider, branch) for branch in narrower[keyword]]
            return True if all(answers) else None
    for keyword in ALTERNATIVES:
        if keyword in wider:
            if len(wider) > 1:
                return None
            return _covered_by_alternatives(wider[keyword], narrower, keyword == "oneOf")
    return _covers_plain(wider, narrower)


def _covered_by_alternatives(branches: list[Any], narrower: dict[str, Any],
                             exclusive: bool) -> bool | None:
    """``anyOf``: one branch covers it. ``oneOf``: one branch covers it and every other
    branch is disjoint from it (a value then matches exactly one)."""
    for index, branch in enumerate(branches):
        alone = not exclusive or all(disjoint(other, narrower)
                                     for position, other in enumerate(branches)
                                     if position != index)
        if alone and _covers(branch, narrower):
            return True
    return None


def _covers_exclusive(wide: list[Any], narrow: list[Any]) -> bool | None:
    """``oneOf`` against ``oneOf``: a value the old accepted matched exactly one old
    alternative ``i``; a new alternative covers it, and every other new alternative either
    shares no value with alternative ``i`` or only values another old alternative also
    accepted (which the old side therefore rejected)."""
    for index, branch in enumerate(narrow):
        if not any(_covers(candidate, branch) and all(
                _excluded(other, index, narrow) for position, other in enumerate(wide)
                if position != chosen) for chosen, candidate in enumerate(wide)):
            return None
    return True


def _excluded(other: Any, index: int, narrow: list[Any]) -> bool:
    if disjoint(other, narrow[index]):
        return True
    joint = conjoined(other, narrow[index])
    return joint is not None and any(_covers(branch, joint) for position, branch
                                     in enumerate(narrow) if position != index)


def _covers_plain(wider: dict[str, Any], narrower: dict[str, Any]) -> bool | None:
    if "enum" in narrower or "const" in narrower:
        listed = narrower["enum"] if "enum" in narrower else [narrower["const"]]
        return True if all(accepts(wider, value) for value in listed
                           if accepts(narrower, value)) else None
    wide_types, narrow_types = types_of(wider), types_of(narrower)
    if "enum" in wider or "const" in wider:
        finite = _finite_values(narrow_types)
        if finite is None:
            return None  # the narrower side accepts values without a list: not proven here
        return True if all(accepts(wider, value) for value in finite
                           if accepts(narrower, value)) else None
    if narrow_types is None:
        if wide_types is not None:
            return None
        narrow_types = set(JSON_TYPES)
    elif wide_types is not None and not narrow_types <= _number_types(wide_types):
        return None
    checks = [_covers_numbers(wider, narrower, narrow_types),
              _covers_strings(wider, narrower, narrow_types),
              _covers_arrays(wider, narrower, narrow_types),
              _covers_objects(wider, narrower, narrow_types)]
    return True if all(checks) else None


def _finite_values(types: set[str] | None) -> list[Any] | None:
    """Every value of types that have finitely many (boolean, null); None for the others."""
    if types is None or not types <= {"boolean", "null"}:
        return None
    return ([True, False] if "boolean" in types else []) + ([None] if "null" in types else [])


def _bound(node: dict[str, Any], inclusive: str, exclusive: str, integer: bool,
           lower: bool) -> tuple[float, bool]:
    """The node's effective bound on one side: (value, open end), for integers rounded in."""
    value, is_open = (-math.inf if lower else math.inf), False
    if inclusive in node:
        value, is_open = node[inclusive], False
    if exclusive in node:
        other = node[exclusive]
        tighter = other >= value if lower else other <= value
        if tighter:
            value, is_open = other, True
    if integer and math.isfinite(value):
        if lower:
            value, is_open = (math.floor(value) + 1 if is_open else math.ceil(value)), False
        else:
            value, is_open = (math.ceil(value) - 1 if is_open else math.floor(value)), False
    return value, is_open


def _lower_covers(wide: tuple[float, bool], narrow: tuple[float, bool]) -> bool:
    return wide[0] < narrow[0] or (wide[0] == narrow[0] and (not wide[1] or narrow[1]))


def _upper_covers(wide: tuple[float, bool], narrow: tuple[float, bool]) -> bool:
    return wide[0] > narrow[0] or (wide[0] == narrow[0] and (not wide[1] or narrow[1]))


def _covers_numbers(wider: dict[str, Any], narrower: dict[str, Any],
                    narrow_types: set[str]) -> bool:
    if not narrow_types & {"number", "integer"}:
        return True
    integer = "number" not in narrow_types
    low = ("minimum", "exclusiveMinimum")
    high = ("maximum", "exclusiveMaximum")
    wide_types = types_of(wider)
    # an integer the narrower side accepts is an integer the wider side must accept
    if wide_types is not None and "number" in narrow_types and "number" not in wide_types:
        return False
    return (_lower_covers(_bound(wider, *low, integer, True), _bound(narrower, *low, integer, True))
            and _upper_covers(_bound(wider, *high, integer, False),
                              _bound(narrower, *high, integer, False)))


def _count_covers(wider: dict[str, Any], narrower: dict[str, Any], low: str, high: str) -> bool:
    return bool(wider.get(low, 0) <= narrower.get(low, 0)
                and wider.get(high, math.inf) >= narrower.get(high, math.inf))


def _covers_strings(wider: dict[str, Any], narrower: dict[str, Any],
                    narrow_types: set[str]) -> bool:
    if "string" not in narrow_types:
        return True
    same_pattern = "pattern" not in wider or wider.get("pattern") == narrower.get("pattern")
    return same_pattern and _count_covers(wider, narrower, "minLength", "maxLength")


def _covers_arrays(wider: dict[str, Any], narrower: dict[str, Any],
                   narrow_types: set[str]) -> bool:
    if "array" not in narrow_types:
        return True
    if not _count_covers(wider, narrower, "minItems", "maxItems"):
        return False
    return bool(_covers(wider.get("items", True), narrower.get("items", True)))


def _covers_objects(wider: dict[str, Any], narrower: dict[str, Any],
                    narrow_types: set[str]) -> bool:
    if "object" not in narrow_types:
        return True
    if not set(wider.get("required", [])) <= set(narrower.get("required", [])):
        return False
    if not _count_covers(wider, narrower, "minProperties", "maxProperties"):
        return False
    wide_members, narrow_members = wider.get("properties", {}), narrower.get("properties", {})
    wide_rest = wider.get("additionalProperties", True)
    narrow_rest = narrower.get("additionalProperties", True)
    for name in {*wide_members, *narrow_members}:
        narrow_member = narrow_members.get(name, narrow_rest)
        if not _covers(wide_members.get(name, wide_rest), narrow_member):
            return False
    return bool(_covers(wide_rest, narrow_rest))


def disjoint(one: Any, two: Any) -> bool:
    """True when no value is accepted by both (proven by types, listed values, or a member
    one requires with values the other excludes or forbids)."""
    one, two = normalized(one), normalized(two)
    if _is_nothing(one) or _is_nothing(two):
        return True
    if not isinstance(one, dict) or not isinstance(two, dict):
        return False
    for keyword in ALTERNATIVES:
        for first, second in ((one, two), (two, one)):
            if keyword in first and len(first) == 1:
                return all(disjoint(branch, second) for branch in first[keyword])
    first_types, second_types = types_of(one), types_of(two)
    if first_types is not None and second_types is not None and not _type_intersection(
            first_types, second_types):
        return True
    for first, second in ((one, two), (two, one)):
        if "enum" in first or "const" in first:
            listed = first["enum"] if "enum" in first else [first["const"]]
            if not any(accepts(second, value) and accepts(first, value) for value in listed):
                return True
        objects_only = first_types == {"object"} or second_types == {"object"}
        for name in first.get("required", []) if objects_only else []:
            # present in every object the first accepts, with values the second excludes
            mine = first.get("properties", {}).get(name, first.get("additionalProperties", True))
            theirs = second.get("properties", {}).get(
                name, second.get("additionalProperties", True))
            if disjoint(mine, theirs):
                return True
    return False
