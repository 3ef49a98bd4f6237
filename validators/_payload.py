"""Payloads: JSON text parsed strictly, and Python values held to what JSON can say.

Whatever reaches the engine is a JSON value: objects with string keys, arrays, strings of
valid Unicode, finite numbers, booleans and null. Anything else (NaN, infinities, a lone
surrogate, a set, bytes, a tuple, a non-string key, a cycle, an integer too long to print)
is one :class:`PayloadError` naming its JSON Pointer, never a verdict: the engine and the
reference disagree on such values, and no provider could receive them.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

import jiter
import orjson

from wirespec._exceptions import PayloadError

from ._schema_walk import escape

# An escape that may decode to a surrogate: only then can parsed text hold a lone one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Above this many bits an integer may have more digits than the interpreter will print.
_PRINTABLE_BITS = int(sys.get_int_max_str_digits() * math.log2(10)) - 8 \
    if sys.get_int_max_str_digits() else None


def _reject_constant(name: str) -> Any:
    raise PayloadError(f"{name} is not JSON (JSON has no NaN or Infinity)")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise PayloadError(f"the number {text[:40]} is too large for a float")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise PayloadError(f"duplicate member name {key[:80]!r} (JSON parsers disagree on "
                               "which value wins)")
        result[key] = value
    return result


def parse_json(data: str | bytes | bytearray, *, origin: str = "payload") -> Any:
    """Parse JSON strictly: UTF-8 only, no NaN/Infinity, no duplicate member names, no lone
    surrogates, no numbers beyond a float or integers too long to print."""
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as err:
            raise PayloadError(f"{origin}: not UTF-8 (byte {err.start})") from None
    elif not data.isascii() and (found := _SURROGATE.search(data)) is not None:
        raise PayloadError(f"{origin}: a lone surrogate (U+{ord(found.group()):04X}) at "
                           f"character {found.start()} is not Unicode text")
    try:
        value = json.loads(data, parse_constant=_reject_constant, parse_float=_float,
                           object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as err:
        raise PayloadError(f"{origin}: malformed JSON at line {err.lineno}, column "
                           f"{err.colno}: {err.msg}") from None
    except RecursionError:
        raise PayloadError(f"{origin}: nested too deeply to parse") from None
    except PayloadError as err:
        raise PayloadError(f"{origin}: {err}") from None
    except ValueError as err:  # an integer beyond the interpreter's digit limit
        raise PayloadError(f"{origin}: {_first_clause(err)}") from None
    if _SURROGATE_ESCAPE.search(data):
        ensure_json(value, origin=origin)  # a pair decodes to one character; a lone one stays
    return value


# Digits mapped to "0", an exponent's letter to "e", every other byte to a space (and signs
# left out): only a number with 19 digits in a row or an exponent of three digits can exceed
# a float (fewer digits before the point and at most 99 after the "e" stay below 1e118).
_NUMBER_SHAPES = bytes(0x30 if 0x30 <= b <= 0x39 else 0x65 if b in b"eE" else 0x20
                       for b in range(256))
_SIGNS = b"+-"
_LONG_DIGITS = b"0" * 19
_BIG_EXPONENT = b"e000"


def parse_json_fast(data: bytes, *, origin: str = "payload") -> Any:
    """:func:`parse_json`'s value, or its :class:`PayloadError`, faster: jiter (pydantic's
    parser, in Rust) parses with the same strictness (duplicate member names, NaN and
    Infinity, lone surrogates, text that is not UTF-8 all refused; integers exact), and the
    strict parser decides whenever jiter refuses (its message is the one people get) or the
    text holds a number that could exceed a float (jiter reads 1e400 as infinity)."""
    try:
        value = jiter.from_json(data, allow_inf_nan=False, catch_duplicate_keys=True)
    except ValueError:
        return parse_json(data, origin=origin)
    shapes = data.translate(_NUMBER_SHAPES, _SIGNS)
    if _LONG_DIGITS in shapes or _BIG_EXPONENT in shapes:
        return parse_json(data, origin=origin)
    return value


def _first_clause(err: Exception) -> str:
    return str(err).split(";")[0]


def ensure_json(value: Any, *, origin: str = "payload") -> None:
    """Raise :class:`PayloadError` at the first place ``value`` is not a JSON value.

    A fast pass over the value first; only when it finds something does a second pass work
    out the pointer and the reason (and tell a shared sub-value from a cycle).
    """
    if _round_trips(value) or _looks_clean(value):
        return
    problem = _locate(value)
    if problem is not None:
        pointer, reason = problem
        raise PayloadError(f"{origin}: {reason} at {pointer or '/'}")


_ROUND_TRIP = (orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
               | orjson.OPT_PASSTHROUGH_SUBCLASS)


def _round_trips(value: Any) -> bool:
    """True when orjson writes ``value`` and reads back an equal value: then every node is a
    plain JSON value (subclasses, dataclasses and dates are refused by the options; a UUID
    or an Enum reads back as something else; NaN and Infinity come back as null; cycles,
    lone surrogates, non-string keys and integers past 64 bits are refused). Twice as fast
    as the Python pass, which still decides whenever this cannot vouch."""
    try:
        return bool(orjson.loads(orjson.dumps(value, option=_ROUND_TRIP)) == value)
    except (TypeError, ValueError, RecursionError):
        return False


def _clean_string(text: str) -> bool:
    return text.isascii() or _SURROGATE.search(text) is None


def _clean_number(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return _PRINTABLE_BITS is None or value.bit_length() <= _PRINTABLE_BITS or _prints(value)


def _prints(value: int) -> bool:
    try:
        str(value)
    except ValueError:
        return False
    return True


def _looks_clean(value: Any) -> bool:
    """True when every node is plainly JSON and no container is met twice."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is str:
            if not _clean_string(node):
                return False
        elif kind is dict:
            if id(node) in seen:
                return False
            seen.add(id(node))
            for key in node:
                if type(key) is not str or not _clean_string(key):
                    return False
            stack.extend(node.values())
        elif kind is list:
            if id(node) in seen:
                return False
            seen.add(id(node))
            stack.extend(node)
        elif kind is int or kind is float:
            if not _clean_number(node):
                return False
        elif node is not None and kind is not bool:
            return False
    return True


def _locate(value: Any) -> tuple[str, str] | None:
    """The first (pointer, reason) where ``value`` is not JSON; None when it is (a shared
    sub-value is JSON: it is written out twice)."""
    path: list[int] = []  # ids of the containers from the root to the node
    stack: list[tuple[Any, str, bool]] = [(value, "", False)]
    while stack:
        node, pointer, leaving = stack.pop()
        if leaving:
            path.pop()
            continue
        reason = _not_json(node)
        if reason is not None:
            return pointer, reason
        if isinstance(node, dict | list):
            if id(node) in path:
                return pointer, "a circular reference (a container inside itself)"
            path.append(id(node))
            stack.append((node, pointer, True))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in reversed(list(items)):
                if isinstance(node, dict) and (bad := _bad_key(key)) is not None:
                    return pointer, bad
                stack.append((child, f"{pointer}/{escape(key)}", False))
    return None


def _bad_key(key: Any) -> str | None:
    if not isinstance(key, str):
        return f"a {type(key).__name__} member name ({_short(key)}); JSON names are strings"
    if not _clean_string(key):
        return f"a lone surrogate in the member name {ascii(key)[:60]}"
    return None


def _not_json(node: Any) -> str | None:
    if node is None or isinstance(node, bool | dict | list):
        return None
    if isinstance(node, str):
        return None if _clean_string(node) else "a lone surrogate in a string (not Unicode text)"
    if isinstance(node, float):
        return None if math.isfinite(node) else f"{node!r} (JSON has no NaN or Infinity)"
    if isinstance(node, int):
        return None if _clean_number(node) else (
            f"an integer of {node.bit_length():,} bits (more digits than the interpreter prints)")
    if isinstance(node, tuple):
        return "a tuple (not a JSON value; use a list)"
    return f"a {type(node).__name__} (not a JSON value)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"
