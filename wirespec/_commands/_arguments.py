"""Argument types the commands share: each refuses what it cannot take with one line."""

from __future__ import annotations

import argparse
import math
from typing import TypeVar

Parser = TypeVar("Parser", bound=argparse.ArgumentParser)  # the main parser's class


MOST_BODY = 1 << 30  # a mock holding more than 1 GiB per request is a typo, not a test


def whole(text: str, least: int, most: int) -> int | None:
    """``text`` as a plain decimal number from ``least`` to ``most``; None otherwise (no sign,
    no spaces, no digits of other scripts, and no more digits than ``most`` has)."""
    digits = text.lstrip("0") or "0"
    if not (text.isascii() and text.isdigit()) or len(digits) > len(str(most)):
        return None
    value = int(digits)
    return value if least <= value <= most else None


def port(text: str) -> int:
    value = whole(text, 0, 65535)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a port (0-65535)")
    return value


def count(text: str) -> int:
    value = whole(text, 1, 10**9)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a count (1 to 1000000000)")
    return value


def body_size(text: str) -> int:
    value = whole(text, 1, MOST_BODY)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a size in bytes (1 to "
                                         f"{MOST_BODY})")
    return value


def positive_number(text: str, most: float, what: str) -> float:
    """``text`` as a finite number above 0 and at most ``most``, or one line saying so."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= most):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not {what} (above 0, at most "
                                         f"{most:g})")
    return value


def seconds(text: str) -> float:
    from wirespec.contracts._runs import MAX_TIMEOUT  # not loaded for commands without HTTP

    return positive_number(text, MAX_TIMEOUT, "a number of seconds")
