"""Rules that read constraints out of prose, one small function per phrasing.

Each rule takes the description text and yields ``(fragment, phrase)``: the JSON Schema
keywords the phrase sets, and the exact words that set them (for ``x-source.quote``).
Rules never raise; a description no rule recognises yields nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

Fragment = dict[str, Any]
Rule = Callable[[str, str], Iterator[tuple[Fragment, str]]]

UINT64_MAX = 2**64 - 1
_NUMBER = r"-?\d+(?:\.\d+)?"
_INTERVAL = re.compile(rf"Valid values: ([\[(])\s*({_NUMBER})\s*,\s*({_NUMBER})\s*([\])])")
_UINT64 = re.compile(r"Valid values: 64-bit unsigned integers")
_WORD = r"[A-Za-z][\w.\-]*"
_ENUM = re.compile(rf"Valid values: ({_WORD}(?:, {_WORD})*,? and {_WORD})\.")
_MEMBER_ENUM = re.compile(rf"Valid values of (\w+): ({_WORD}(?:, {_WORD})*,? and {_WORD})\.")
_DEFAULT = re.compile(r"Default value: (\S+?)\.?(?=\s|$)")
_REQUIRED_MEMBERS = re.compile(
    r"((?:[\w.]+)(?: and [\w.]+)*) are required if ([\w.]+) is specified")


def number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def word_list(text: str) -> list[str]:
    """``"a, b, and c"`` -> ``["a", "b", "c"]``."""
    return [w for w in re.split(r",\s*(?:and\s+)?|\s+and\s+", text) if w]


def interval(description: str, _type: str) -> Iterator[tuple[Fragment, str]]:
    """``(0,1.0)`` excludes both ends; ``[0,2)`` includes 0 and excludes 2."""
    if found := _INTERVAL.search(description):
        opening, low, high, closing = found.groups()
        fragment = {
            "minimum" if opening == "[" else "exclusiveMinimum": number(low),
            "maximum" if closing == "]" else "exclusiveMaximum": number(high),
        }
        yield fragment, found.group()


def unsigned_64(description: str, _type: str) -> Iterator[tuple[Fragment, str]]:
    if found := _UINT64.search(description):
        yield {"minimum": 0, "maximum": UINT64_MAX}, found.group()


def enumeration(description: str, _type: str) -> Iterator[tuple[Fragment, str]]:
    if found := _ENUM.search(description):
        yield {"enum": word_list(found.group(1))}, found.group()


def member_enumeration(description: str, _type: str) -> Iterator[tuple[Fragment, str]]:
    """``Valid values of role: a, b, and c.`` constrains the member ``role`` of each element."""
    if found := _MEMBER_ENUM.search(description):
        member, values = found.groups()
        yield {"x-member": member, "enum": word_list(values)}, found.group()


def default(description: str, json_type: str) -> Iterator[tuple[Fragment, str]]:
    if not (found := _DEFAULT.search(description)):
        return
    raw = found.group(1)
    value: Any = raw
    if json_type == "boolean" and raw in ("True", "False"):
        value = raw == "True"
    elif json_type in ("integer", "number") and re.fullmatch(_NUMBER, raw):
        value = number(raw) if json_type == "integer" else float(raw)
    elif json_type == "array" and raw == "[]":
        value = []
    yield {"default": value}, found.group().rstrip(".")


def required_members(description: str, _type: str) -> Iterator[tuple[Fragment, str]]:
    """``a.x and a.y are required if a is specified`` -> each element of ``a`` requires x, y."""
    if found := _REQUIRED_MEMBERS.search(description):
        names, parent = found.groups()
        members = [name.removeprefix(parent + ".") for name in names.split(" and ")]
        yield {"x-required-members": members}, found.group()


RULES: tuple[Rule, ...] = (interval, unsigned_64, enumeration, member_enumeration, default,
                           required_members)


_OPTIONAL = re.compile(r"(?:^|\.\s)Optional\.")


def is_optional(description: str, name: str) -> bool:
    """``Optional.`` as a sentence of its own, or ``<name> is optional``."""
    return bool(_OPTIONAL.search(description)) or f"{name} is optional" in description


def read_rules(description: str, json_type: str) -> tuple[Fragment, list[str]]:
    """All the rules' fragments merged, and the phrases that set them, in order."""
    merged: Fragment = {}
    phrases = []
    for rule in RULES:
        for fragment, phrase in rule(description, json_type):
            merged.update(fragment)
            phrases.append(phrase)
    return merged, phrases
