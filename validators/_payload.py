"""Payloads given as JSON text or bytes: parsed strictly, with one clear error when unusable."""

from __future__ import annotations

import json
import math
from typing import Any

from wirespec._exceptions import PayloadError


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
            raise PayloadError(f"duplicate member name {key!r} (JSON parsers disagree on "
                               "which value wins)")
        result[key] = value
    return result


def parse_json(data: str | bytes | bytearray, *, origin: str = "payload") -> Any:
    """Parse JSON strictly: UTF-8 only, no NaN/Infinity, no duplicate member names."""
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as err:
            raise PayloadError(f"{origin}: not UTF-8 (byte {err.start})") from None
    try:
        return json.loads(data, parse_constant=_reject_constant, parse_float=_float,
                          object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as err:
        raise PayloadError(f"{origin}: malformed JSON at line {err.lineno}, column "
                           f"{err.colno}: {err.msg}") from None
    except RecursionError:
        raise PayloadError(f"{origin}: nested too deeply to parse") from None
    except PayloadError as err:
        raise PayloadError(f"{origin}: {err}") from None
