"""Literal values as documents write them (defaults, enum members, examples): JSON (`{"type":
"text"}`, `["text"]`, `"auto"`), YAML flow lists (`[ text, image ]`), quoted strings, numbers,
`true`/`False`/`None`, and bare words; then made the type the parameter's type words say.

Brackets are matched by a bounded scan (strings respected, nesting at most ``DEEPEST``) before
``json.loads`` sees anything: text never becomes code, and a value costs what it spans.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ._numbers import number_at, starts_number
from ._text import Text, is_digit

LONGEST = 2000  # characters a bracketed value may span
WORD_LONGEST = 240  # characters a bare word may span
DEEPEST = 32
CLOSERS = {"{": "}", "[": "]"}
LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None, "none": None}


def literal(token: str) -> tuple[bool, Any]:
    """Whether a bare token is JSON's (or Python's) literal, and its value. A lower-case `none`
    is a word (`tool_choice` none, `reasoning_effort` none); Python writes its null `None`."""
    lowered = token.lower()
    if lowered not in LITERALS or (lowered == "none" and token != "None"):
        return False, None
    return True, LITERALS[lowered]


@dataclass(frozen=True)
class Value:
    """A value read at [start, stop): ``value`` as written, ``token`` its normalised words."""

    value: Any
    start: int
    stop: int
    token: str
    quoted: bool = False  # written as a string literal: stays a string whatever the type


def bracket_end(text: str, i: int) -> int | None:
    """Where the bracketed value opening at ``i`` closes (exclusive), or None."""
    depth = 0
    quote: str | None = None
    j = i
    limit = min(len(text), i + LONGEST)
    while j < limit:
        char = text[j]
        if quote is not None:
            if char == "\\":
                j += 1
            elif char == quote:
                quote = None
        elif char == '"':
            quote = char
        elif char in "{[":
            depth += 1
            if depth > DEEPEST:
                return None
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return None


def string_end(text: str, i: int) -> int | None:
    """Where the string literal opening at ``i`` (`"` or `'`) closes (exclusive)."""
    quote = text[i]
    j = i + 1
    limit = min(len(text), i + LONGEST)
    while j < limit:
        if text[j] == "\\" and quote == '"':
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        if text[j] == "\n":
            return None
        j += 1
    return None


def value_at(text: str, i: int, stops: str = " ,;。，、)") -> Value | None:
    """The literal starting at ``i``; a bare word runs to the first character in ``stops``."""
    if i >= len(text):
        return None
    char = text[i]
    if char in CLOSERS:
        return _bracketed(text, i)
    if char in "\"'":
        return _quoted(text, i)
    if starts_number(text, i) or is_digit(char):
        number = number_at(text, i)
        if number is not None and (number.stop >= len(text) or text[number.stop] in stops
                                   or text[number.stop] in ".:："):
            return Value(number.value, i, number.stop, text[i:number.stop])
    return _word(text, i, stops)


def _bracketed(text: str, i: int) -> Value | None:
    stop = bracket_end(text, i)
    if stop is None:
        return None
    token = text[i:stop]
    try:
        return Value(json.loads(token), i, stop, token)
    except (ValueError, RecursionError):
        pass
    if text[i] == "[":
        return Value(_flow_list(token[1:-1]), i, stop, token)
    return None


def _flow_list(inner: str) -> list[Any]:
    """`[ text, image ]`, `['a', 'b']`: a YAML flow list of scalars."""
    items = [item.strip() for item in inner.split(",")]
    return [scalar(item) for item in items if item]


def scalar(token: str) -> Any:
    """One bare or quoted scalar: quotes removed, numbers and literals read."""
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        return token[1:-1]
    known, value = literal(token)
    if known:
        return value
    number = number_at(token, 0) if starts_number(token, 0) else None
    if number is not None and number.stop == len(token):
        return number.value
    return token


def _quoted(text: str, i: int) -> Value | None:
    stop = string_end(text, i)
    if stop is None:
        return None
    token = text[i:stop]
    if text[i] == '"':
        try:
            return Value(json.loads(token), i, stop, token, quoted=True)
        except ValueError:
            pass
    return Value(token[1:-1], i, stop, token, quoted=True)


def _word(text: str, i: int, stops: str) -> Value | None:
    stop = i
    while stop < len(text) and text[stop] not in stops and stop - i < WORD_LONGEST:
        stop += 1
    while stop > i and text[stop - 1] in ".:：":
        stop -= 1
    if stop == i:
        return None
    token = text[i:stop]
    known, value = literal(token)
    return Value(value if known else token, i, stop, token)


def coerce(value: Value, json_type: str | None) -> Any:
    """The value as the parameter's type has it: `1` is 1 for a number, "1" for a string."""
    written = value.value
    if json_type == "string":
        if value.quoted or isinstance(written, str | list | dict):
            return written
        # a bare `none`, `1`, `true` of a string parameter is that word (`null` stays null)
        return None if value.token.lower() == "null" else value.token
    if json_type in ("number", "integer") and isinstance(written, str) and not value.quoted:
        number = number_at(written, 0) if starts_number(written, 0) else None
        if number is not None and number.stop == len(written):
            written = number.value
    if json_type == "integer" and isinstance(written, float) and written.is_integer():
        return int(written)
    if json_type == "boolean" and isinstance(written, str) and written.lower() in LITERALS:
        return LITERALS[written.lower()]
    return written


def fits(value: Any, json_type: str | None) -> bool:
    """Whether a value is of the JSON type (None: any)."""
    checks = {
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer()),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    check = checks.get(json_type or "")
    return check is None or value is None or bool(check(value))


def as_written(text: Text, value: Value) -> Value:
    """Strings as the document writes them: normalisation made `，` a comma and `？` a
    question mark for the rules, not for the value. Only where it changed characters one for
    one (escapes and entities keep their decoded form)."""
    first, last = text.raw_extent(value.start, value.stop) if value.stop > value.start \
        else (0, 0)
    raw = text.raw[first:last]
    if len(raw) != value.stop - value.start or raw == value.token:
        return value
    written: Any = value.value
    if isinstance(written, str):
        written = raw[1:-1] if value.quoted else raw
        if value.quoted and raw[:1] == '"':
            written = _json_or(raw, written)
    elif isinstance(written, list | dict):
        written = _json_or(raw, written)
    return Value(written, value.start, value.stop, value.token, value.quoted)


def value_in(text: Text, i: int, stops: str = " ,;。，、)") -> Value | None:
    """``value_at`` over a span's normalised text, strings as written."""
    value = value_at(text.text, i, stops)
    return as_written(text, value) if value is not None else None


def _json_or(raw: str, otherwise: Any) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return otherwise
