"""One function per JSON Schema keyword: ``check(walker, limit, instance, node, at)``.

Each yields a :class:`ValidationError` for every way ``instance`` breaks the keyword
(never raises), in the manner of python-jsonschema's ``_keywords``. Subschemas are checked
through ``walker.descend``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ._errors import ValidationError, shorten
from ._reference import ecma_search
from ._schema_walk import escape

if TYPE_CHECKING:
    from ._walker import Walker

Errors = Iterator[ValidationError]
MAX_LISTED = 12  # values an enum error lists before "… and N more"
Check = Callable[["Walker", Any, Any, dict[str, Any], "At"], Errors]


class At:
    """Where the walk is: the payload's pointer and the schema node's path."""

    __slots__ = ("pointer", "schema_path")

    def __init__(self, pointer: str, schema_path: str) -> None:
        self.pointer = pointer
        self.schema_path = schema_path

    def child(self, token: str | int, schema_step: str) -> At:
        return At(f"{self.pointer}/{escape(token)}", f"{self.schema_path}/{schema_step}")

    def sub(self, schema_step: str) -> At:
        return At(self.pointer, f"{self.schema_path}/{schema_step}")


def error(at: At, node: dict[str, Any], keyword: str, message: str, limit: Any,
          value: Any) -> ValidationError:
    return ValidationError(at.pointer or "", keyword, message, limit, shorten(value),
                           node.get("x-source"), f"{at.schema_path}/{keyword}")


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def is_type(value: Any, name: str) -> bool:
    actual = json_type(value)
    return actual == name or (name == "number" and actual == "integer")


def equal(one: Any, two: Any) -> bool:
    """JSON equality: 1 == 1.0, but true is not 1 and "1" is not 1."""
    if is_number(one) and is_number(two):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(map(equal, one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(equal(one[k], two[k]) for k in one)
    return type(one) is type(two) and bool(one == two)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def type_(walker: Walker, limit: Any, instance: Any, node: dict[str, Any], at: At) -> Errors:
    names = limit if isinstance(limit, list) else [limit]
    if not any(is_type(instance, name) for name in names):
        expected = " or ".join(names)
        yield error(at, node, "type", f"{json_type(instance)} given where {expected} is "
                    "expected", limit, instance)


def enum(walker: Walker, limit: Any, instance: Any, node: dict[str, Any], at: At) -> Errors:
    if not any(equal(instance, option) for option in limit):
        shown = ", ".join(_short_json(option) for option in limit[:MAX_LISTED])
        options = shown + (f", … and {len(limit) - MAX_LISTED} more"
                           if len(limit) > MAX_LISTED else "")
        yield error(at, node, "enum", f"{_short_json(instance)} is not one of: {options}",
                    limit, instance)


def const(walker: Walker, limit: Any, instance: Any, node: dict[str, Any], at: At) -> Errors:
    if not equal(instance, limit):
        yield error(at, node, "const", f"{_short_json(instance)} given where "
                    f"{_short_json(limit)} is required", limit, instance)


def _bound(keyword: str, broken: Callable[[Any, Any], bool], words: str) -> Check:
    def check(walker: Walker, limit: Any, instance: Any, node: dict[str, Any],
              at: At) -> Errors:
        if is_number(instance) and broken(instance, limit):
            yield error(at, node, keyword, f"{instance} {words} {limit}", limit, instance)
    check.__name__ = keyword
    return check


minimum = _bound("minimum", lambda v, m: v < m, "is less than the minimum")
maximum = _bound("maximum", lambda v, m: v > m, "is greater than the maximum")
exclusive_minimum = _bound("exclusiveMinimum", lambda v, m: v <= m,
                           "is not greater than the exclusive minimum")
exclusive_maximum = _bound("exclusiveMaximum", lambda v, m: v >= m,
                           "is not less than the exclusive maximum")


def multiple_of(walker: Walker, limit: Any, instance: Any, node: dict[str, Any],
                at: At) -> Errors:
    if is_number(instance):
        quotient = instance / limit
        failed = not float(quotient).is_integer() if isinstance(quotient, float) else False
        if isinstance(instance, int) and isinstance(limit, int):
            failed = instance % limit != 0
        if failed:
            yield error(at, node, "multipleOf", f"{instance} is not a multiple of {limit}",
                        limit, instance)


def _size(keyword: str, kind: type[str | list[Any] | dict[str, Any]], longer: bool,
          unit: str) -> Check:
    def check(walker: Walker, limit: Any, instance: Any, node: dict[str, Any],
              at: At) -> Errors:
        if isinstance(instance, kind):
            size = len(instance)
            if (size > limit) if longer else (size < limit):
                bound = "at most" if longer else "at least"
                yield error(at, node, keyword, f"{size} {unit} given; {bound} {limit} allowed",
                            limit, instance)
    check.__name__ = keyword
    return check


max_length = _size("maxLength", str, True, "characters")
min_length = _size("minLength", str, False, "characters")
max_items = _size("maxItems", list, True, "items")
min_items = _size("minItems", list, False, "items")
max_properties = _size("maxProperties", dict, True, "members")
min_properties = _size("minProperties", dict, False, "members")


def pattern(walker: Walker, limit: Any, instance: Any, node: dict[str, Any], at: At) -> Errors:
    if isinstance(instance, str) and not ecma_search(limit, instance):
        yield error(at, node, "pattern", f"{_short_json(instance)} does not match {limit!r}",
                    limit, instance)


def unique_items(walker: Walker, limit: Any, instance: Any, node: dict[str, Any],
                 at: At) -> Errors:
    if limit and isinstance(instance, list):
        for index, item in enumerate(instance):
            if any(equal(item, other) for other in instance[:index]):
                yield error(at, node, "uniqueItems", f"item {index} repeats an earlier item",
                            limit, instance)
                return


def required(walker: Walker, limit: Any, instance: Any, node: dict[str, Any], at: At) -> Errors:
    if isinstance(instance, dict):
        for name in limit:
            if name not in instance:
                yield error(at, node, "required", f"{name!r} is required", limit, name)


def properties(walker: Walker, limit: Any, instance: Any, node: dict[str, Any],
               at: At) -> Errors:
    if isinstance(instance, dict):
        for name, subschema in limit.items():
            if name in instance:
                yield from walker.descend(subschema, instance[name],
                                          at.child(name, f"properties/{name}"))


def additional_properties(walker: Walker, limit: Any, instance: Any, node: dict[str, Any],
                          at: At) -> Errors:
    if not isinstance(instance, dict):
        return
    known = node.get("properties", {})
    patterns = list(node.get("patternProperties", {}))
    extras = [k for k in instance if k not in known
              and not any(ecma_search(p, k) for p in patterns)]
    if limit is False:
        for name in extras:
            yield error(at.child(name, ""), node, "additionalProperties",
                        f"{name!r} is not an allowed member", False, instance[name])
    elif isinstance(limit, dict):
        for name in extras:
            yield from walker.descend(limit, instance[name],
                                      at.child(name, "additionalProperties"))


def pattern_properties(walker: Walker, limit: Any, instance: Any, node: dict[str, Any],
                       at: At) -> Errors:
    if isinstance(instance, dict):
        for expression, subschema in limit.items():
            for name, value in instance.items():
                if ecma_search(expression, name):
                    yield from walker.descend(subschema, value, at.child(
                        name, f"patternProperties/{expression}"))


def items(walker: Walker, limit: Any, instance: Any, node: dict[str, Any], at: At) -> Errors:
    if isinstance(instance, list):
        start = len(node.get("prefixItems", ()))
        for index in range(start, len(instance)):
            yield from walker.descend(limit, instance[index], at.child(index, "items"))


def prefix_items(walker: Walker, limit: Any, instance: Any, node: dict[str, Any],
                 at: At) -> Errors:
    if isinstance(instance, list):
        for index, (subschema, item) in enumerate(zip(limit, instance, strict=False)):
            yield from walker.descend(subschema, item, at.child(index, f"prefixItems/{index}"))


def all_of(walker: Walker, limit: Any, instance: Any, node: dict[str, Any], at: At) -> Errors:
    for index, subschema in enumerate(limit):
        yield from walker.descend(subschema, instance, at.sub(f"allOf/{index}"))


def not_(walker: Walker, limit: Any, instance: Any, node: dict[str, Any], at: At) -> Errors:
    if walker.is_valid(limit, instance):
        yield error(at, node, "not", "matches a schema it must not match", limit, instance)


def one_of(walker: Walker, limit: Any, instance: Any, node: dict[str, Any], at: At) -> Errors:
    matching = [i for i, branch in enumerate(limit) if walker.is_valid(branch, instance)]
    if len(matching) == 1:
        return
    if matching:
        names = " and ".join(branch_name(limit[i], i) for i in matching)
        yield error(at, node, "oneOf", f"matches {len(matching)} alternatives ({names}); "
                    "exactly one is allowed", [branch_name(b, i) for i, b in enumerate(limit)],
                    instance)
        return
    yield from walker.intended_branch_errors(limit, instance, at, "oneOf", node)


def any_of(walker: Walker, limit: Any, instance: Any, node: dict[str, Any], at: At) -> Errors:
    if not any(walker.is_valid(branch, instance) for branch in limit):
        yield from walker.intended_branch_errors(limit, instance, at, "anyOf", node)


def branch_name(branch: dict[str, Any], index: int) -> str:
    """How people call an alternative: its title, what it requires, or its type."""
    if "title" in branch:
        return str(branch["title"])
    if branch.get("required"):
        return "the one with " + ", ".join(map(repr, branch["required"]))
    if "type" in branch:
        return f"the {branch['type']} one" if isinstance(branch["type"], str) else (
            "the " + "/".join(branch["type"]) + " one")
    if "const" in branch:
        return repr(branch["const"])
    return f"alternative {index}"


def _short_json(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:39] + "…"


KEYWORDS: dict[str, Check] = {
    "type": type_, "enum": enum, "const": const,
    "minimum": minimum, "maximum": maximum, "exclusiveMinimum": exclusive_minimum,
    "exclusiveMaximum": exclusive_maximum, "multipleOf": multiple_of,
    "minLength": min_length, "maxLength": max_length, "pattern": pattern,
    "minItems": min_items, "maxItems": max_items, "uniqueItems": unique_items,
    "minProperties": min_properties, "maxProperties": max_properties,
    "required": required, "properties": properties, "patternProperties": pattern_properties,
    "additionalProperties": additional_properties, "prefixItems": prefix_items,
    "items": items, "allOf": all_of, "anyOf": any_of, "oneOf": one_of, "not": not_,
}
