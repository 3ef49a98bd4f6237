"""A semantic diff of two schemas, classified for a caller.

For a request, **breaking** means a payload the old schema accepted may now be rejected (a
bound narrowed, a type or enum value removed, a member newly required); for a response,
stream event or error body, that a caller may now meet something it did not before (a
member removed, a bound or type widened). **unknown** is a change whose effect the rules
cannot tell; descriptions and titles are not changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

BREAKING, NON_BREAKING, UNKNOWN = "breaking", "non-breaking", "unknown"
ANNOTATIONS = {"description", "title", "examples", "$id", "$schema", "format", "contentType",
               "default"}
LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")


@dataclass(frozen=True)
class Change:
    pointer: str  # in the schema
    keyword: str
    old: Any
    new: Any
    narrows: bool | None  # True: accepts less; False: accepts more; None: cannot tell
    reason: str
    # members are not symmetric: a response member added breaks no caller, one removed may
    response_breaks: bool | None = None

    def classification(self, kind: str) -> str:
        if kind == "request":
            breaks = self.narrows
        elif self.response_breaks is not None:
            breaks = self.response_breaks
        else:
            breaks = None if self.narrows is None else not self.narrows
        if breaks is None:
            return UNKNOWN
        return BREAKING if breaks else NON_BREAKING

    def as_json(self, kind: str) -> dict[str, Any]:
        return {"pointer": self.pointer or "/", "keyword": self.keyword, "old": self.old,
                "new": self.new, "classification": self.classification(kind),
                "reason": self.reason}


def _clean(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _clean(v) for k, v in node.items()
                if not k.startswith("x-") and k not in ANNOTATIONS}
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


def _types(node: dict[str, Any]) -> set[str]:
    declared = node.get("type")
    return set(declared) if isinstance(declared, list) else {declared} if declared else set()


def changes(old: Any, new: Any, pointer: str = "") -> Iterator[Change]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        if _clean(old) != _clean(new):
            yield Change(pointer, "schema", old, new, None, "replaced")
        return
    yield from _alternatives(old, new, pointer)
    if ("oneOf" in new and "oneOf" not in old) or ("anyOf" in new and "anyOf" not in old):
        return  # handled as a whole by _alternatives
    for keyword in LOWER + UPPER:
        yield from _bound(old, new, pointer, keyword)
    yield from _type(old, new, pointer)
    yield from _enum(old, new, pointer)
    yield from _required(old, new, pointer)
    yield from _properties(old, new, pointer)
    for keyword in ("items", "additionalProperties"):
        if keyword in old or keyword in new:
            yield from _child(old, new, pointer, keyword)
    if old.get("pattern") != new.get("pattern"):
        yield Change(pointer, "pattern", old.get("pattern"), new.get("pattern"),
                     True if "pattern" not in old else False if "pattern" not in new else None,
                     "pattern changed")


def _bound(old: dict[str, Any], new: dict[str, Any], pointer: str,
           keyword: str) -> Iterator[Change]:
    before, after = old.get(keyword), new.get(keyword)
    if before == after:
        return
    if before is None:
        yield Change(pointer, keyword, None, after, True, f"{keyword} {after} added")
    elif after is None:
        yield Change(pointer, keyword, before, None, False, f"{keyword} {before} removed")
    else:
        raised = after > before
        narrows = raised if keyword in LOWER else not raised
        word = "narrowed" if narrows else "widened"
        yield Change(pointer, keyword, before, after, narrows,
                     f"{keyword} {before} -> {after}: the range {word}")


def _type(old: dict[str, Any], new: dict[str, Any], pointer: str) -> Iterator[Change]:
    before, after = _types(old), _types(new)
    if before == after or not (before or after):
        return
    gone, came = (before - after) if after else set(), (after - before) if before else set()
    if not before:
        narrows: bool | None = True
    elif not after:
        narrows = False
    elif gone and came:
        narrows = None
    else:
        narrows = bool(gone) and not (gone == {"integer"} and "number" in after)
    yield Change(pointer, "type", old.get("type"), new.get("type"), narrows,
                 f"type {sorted(before) or 'any'} -> {sorted(after) or 'any'}")


def _enum(old: dict[str, Any], new: dict[str, Any], pointer: str) -> Iterator[Change]:
    for keyword in ("enum", "const"):
        before, after = old.get(keyword), new.get(keyword)
        if before == after:
            continue
        listed_before: list[Any] = list(before or []) if keyword == "enum" else [before]
        listed_after: list[Any] = list(after or []) if keyword == "enum" else [after]
        if before is None:
            yield Change(pointer, keyword, None, after, True, f"{keyword} added")
        elif after is None:
            yield Change(pointer, keyword, before, None, False, f"{keyword} removed")
        else:
            gone = [v for v in listed_before if v not in listed_after]
            came = [v for v in listed_after if v not in listed_before]
            narrows = None if gone and came else bool(gone)
            yield Change(pointer, keyword, before, after, narrows,
                         f"values removed: {gone}" if gone and not came else
                         f"values added: {came}" if came and not gone else "values replaced")


def _required(old: dict[str, Any], new: dict[str, Any], pointer: str) -> Iterator[Change]:
    before, after = set(old.get("required", [])), set(new.get("required", []))
    for name in sorted(after - before):
        yield Change(f"{pointer}/properties/{name}", "required", False, True, True,
                     f"{name!r} newly required", response_breaks=False)
    for name in sorted(before - after):
        yield Change(f"{pointer}/properties/{name}", "required", True, False, False,
                     f"{name!r} no longer required", response_breaks=True)


def _properties(old: dict[str, Any], new: dict[str, Any], pointer: str) -> Iterator[Change]:
    before, after = old.get("properties", {}), new.get("properties", {})
    closed = new.get("additionalProperties") is False
    for name in after:
        at = f"{pointer}/properties/{name}"
        if name not in before:
            yield Change(at, "properties", None, name, False,
                         f"member {name!r} added (optional)", response_breaks=False)
        else:
            yield from changes(before[name], after[name], at)
    for name in before:
        if name not in after:
            yield Change(f"{pointer}/properties/{name}", "properties", name, None, closed,
                         f"member {name!r} removed" + ("" if closed else
                                                       " (still accepted as an unknown member)"),
                         response_breaks=True)


def _child(old: dict[str, Any], new: dict[str, Any], pointer: str,
           keyword: str) -> Iterator[Change]:
    before, after = old.get(keyword, True), new.get(keyword, True)
    at = f"{pointer}/{keyword}"
    if isinstance(before, dict) and isinstance(after, dict):
        yield from changes(before, after, at)
    elif before != after:
        narrows = after is False or (before is True and isinstance(after, dict))
        yield Change(at, keyword, before, after, narrows if after is not True else False,
                     f"{keyword} changed")


def _alternatives(old: dict[str, Any], new: dict[str, Any], pointer: str) -> Iterator[Change]:
    for keyword in ("oneOf", "anyOf"):
        before, after = old.get(keyword), new.get(keyword)
        if before is None and after is None:
            continue
        at = f"{pointer}/{keyword}"
        if before is None:
            assert after is not None
            # a widening when one alternative accepts everything the old node accepted
            plain = {k: v for k, v in old.items() if k not in ("oneOf", "anyOf")}
            kept = any(accepts_all_of(branch, plain) for branch in after)
            yield Change(pointer, keyword, None, len(after), False if kept else None,
                         "became alternatives, one accepting all the old form did" if kept
                         else "became alternatives")
        elif after is None:
            yield Change(at, keyword, len(before), None, None, "alternatives removed")
        elif len(before) == len(after):
            for index, (one, two) in enumerate(zip(before, after, strict=True)):
                yield from changes(one, two, f"{at}/{index}")
        else:
            narrows = False if all(_clean(b) in [_clean(a) for a in after]
                                   for b in before) else None
            yield Change(at, keyword, len(before), len(after), narrows,
                         f"{len(before)} -> {len(after)} alternatives")


def accepts_all_of(wider: Any, narrower: Any) -> bool:
    """Whether ``wider`` accepts everything ``narrower`` does, by the rules above."""
    return all(change.narrows is False for change in changes(narrower, wider))


def summary(found: list[Change], kind: str) -> dict[str, int]:
    counts = {BREAKING: 0, NON_BREAKING: 0, UNKNOWN: 0}
    for change in found:
        counts[change.classification(kind)] += 1
    return counts


def as_json(found: list[Change], kind: str, old: str, new: str) -> str:
    return json.dumps({"old": old, "new": new, "kind": kind,
                       "changes": [c.as_json(kind) for c in found],
                       "summary": summary(found, kind)}, ensure_ascii=False)
