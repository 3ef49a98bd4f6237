"""Checks on what was read: bounds that cross, defaults and examples outside the range, of the
wrong type or not in the enum, empty enums, readings that contradict each other, and a bound
that is a real bound with the example glued to it (`128 <= x <= 327684096`: 32768 and 4096).
Each is reported, never repaired: the builder decides, the document's words stay cited."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ._contract import Reading
from ._values import fits

LOWER = ("minimum", "exclusiveMinimum")
UPPER = ("maximum", "exclusiveMaximum")
PAIRS = (("minLength", "maxLength"), ("minItems", "maxItems"))
BOUNDS = (*LOWER, *UPPER)


@dataclass(frozen=True)
class Problem:
    """Something read that cannot be right as it stands."""

    line: int
    words: str
    reason: str


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _general(readings: Iterable[Reading], keywords: Sequence[str]) -> list[Reading]:
    """Readings of these keywords that hold for every model (per-model ones differ by model)."""
    return [r for r in readings if r.keyword in keywords and not r.models and _number(r.value)]


def sanity(readings: Sequence[Reading], json_type: str | None,
           examples: Sequence[Any] = ()) -> list[Problem]:
    """Every problem of one parameter's readings (``examples``: values the layout gave as
    examples, beside those read from the words)."""
    written = [*examples, *(value for r in readings if r.keyword == "examples"
                            and isinstance(r.value, list) for value in r.value)]
    return [*_misapplied(readings, json_type), *_crossed(readings),
            *_contradictions(readings), *_enums(readings, json_type),
            *_defaults(readings, json_type), *_examples(readings, json_type, written),
            *_glued(readings, written)]


# the JSON types each bound constrains (a bound on any other type is never checked)
_BOUND_TYPES = {**dict.fromkeys(BOUNDS, ("number", "integer")),
                **dict.fromkeys(("minLength", "maxLength"), ("string",)),
                **dict.fromkeys(("minItems", "maxItems"), ("array",))}


def _misapplied(readings: Sequence[Reading], json_type: str | None) -> Iterator[Problem]:
    """A bound on a parameter of a type it does not constrain (``at least 2.20`` said of an
    SDK version beside a boolean): the words are about something else."""
    if json_type not in ("boolean", "object", "null"):
        return
    for reading in readings:
        if reading.keyword in _BOUND_TYPES and not reading.models:
            yield Problem(reading.line, reading.quote,
                          f"{reading.keyword} {reading.value!r} does not apply to a "
                          f"{json_type}: the words are about something else")


def _crossed(readings: Sequence[Reading]) -> Iterator[Problem]:
    for low_keys, high_keys in ((LOWER, UPPER), *(((a,), (b,)) for a, b in PAIRS)):
        for low in _general(readings, low_keys):
            for high in _general(readings, high_keys):
                strict = low.keyword.startswith("exclusive") or high.keyword.startswith(
                    "exclusive")
                if low.value > high.value or (strict and low.value == high.value):
                    yield Problem(low.line, f"{low.quote} / {high.quote}",
                                  f"{low.keyword} {low.value} is not below {high.keyword} "
                                  f"{high.value}: no value fits")


def _contradictions(readings: Sequence[Reading]) -> Iterator[Problem]:
    seen: dict[tuple[str, tuple[str, ...]], Reading] = {}
    for reading in readings:
        if reading.keyword in ("examples",) or reading.keyword.startswith("x-sentinel"):
            continue
        key = (reading.keyword, reading.models)
        first = seen.setdefault(key, reading)
        if first is not reading and first.value != reading.value:
            yield Problem(reading.line, reading.quote,
                          f"{reading.keyword} read as {reading.value!r} here and as "
                          f"{first.value!r} on line {first.line}")


def _enums(readings: Sequence[Reading], json_type: str | None) -> Iterator[Problem]:
    for reading in readings:
        if reading.keyword != "enum" or not isinstance(reading.value, list):
            continue
        if not reading.value:
            yield Problem(reading.line, reading.quote, "an empty enum: no value would fit")
        strays = [member for member in reading.value if not fits(member, json_type)]
        if strays:
            yield Problem(reading.line, reading.quote,
                          f"enum members {strays!r} are not of the type {json_type}")


def _outside(value: Any, readings: Sequence[Reading]) -> str | None:
    """Why a value breaks the general bounds and enum read, or None."""
    if _number(value):
        for bound in _general(readings, BOUNDS):
            broken = {
                "minimum": value < bound.value, "exclusiveMinimum": value <= bound.value,
                "maximum": value > bound.value, "exclusiveMaximum": value >= bound.value,
            }[bound.keyword]
            if broken:
                return f"outside {bound.keyword} {bound.value} (line {bound.line})"
    for enum in (r for r in readings if r.keyword == "enum" and not r.models):
        if isinstance(enum.value, list) and enum.value and value not in enum.value:
            return f"not in the enum {enum.value!r} (line {enum.line})"
    return None


def _defaults(readings: Sequence[Reading], json_type: str | None) -> Iterator[Problem]:
    for reading in readings:
        if reading.keyword != "default" or (isinstance(reading.value, dict)
                                            and "x-limit" in reading.value):
            continue
        if not fits(reading.value, json_type):
            yield Problem(reading.line, reading.quote,
                          f"the default {reading.value!r} is not a {json_type}")
            continue
        why = _outside(reading.value, readings)
        if why is not None:
            yield Problem(reading.line, reading.quote, f"the default {reading.value!r} is {why}")


def _examples(readings: Sequence[Reading], json_type: str | None,
              written: Sequence[Any]) -> Iterator[Problem]:
    for value in written:
        if not fits(value, json_type):
            yield Problem(0, repr(value), f"the example {value!r} is not a {json_type}")
            continue
        why = _outside(value, readings)
        if why is not None:
            yield Problem(0, repr(value), f"the example {value!r} is {why}")


def _digits(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _round(value: Any) -> bool:
    """A bound a document would write: a power of two (or one less), or one digit and
    zeros (1, 5, 100, 2000) — 32768 is, 327684096 is not."""
    if isinstance(value, float):
        return value in (0.5, 1.0, 2.0) or (value.is_integer() and _round(int(value)))
    if not isinstance(value, int) or value <= 0:
        return False
    if value & (value - 1) == 0 or (value + 1) & value == 0:
        return True
    digits = str(value)
    return digits[1:].strip("0") == ""


def _glued(readings: Sequence[Reading], written: Sequence[Any]) -> Iterator[Problem]:
    """A bound whose last digits are an example and whose other digits are a bound the
    example fits under: the flattened page glued `32768` and `4096` into `327684096`."""
    candidates = [value for value in written if _number(value) and value >= 0]
    lows = [r.value for r in _general(readings, LOWER)]
    for bound in _general(readings, UPPER):
        digits = _digits(bound.value)
        for example in candidates:
            tail = _digits(example)
            if not digits.endswith(tail) or len(digits) <= len(tail):
                continue
            head = digits[: -len(tail)]
            try:
                real = float(head) if "." in head else int(head)
            except ValueError:
                continue
            if _round(real) and not _round(bound.value) and example <= real \
                    and all(low <= example for low in lows):
                yield Problem(bound.line, bound.quote,
                              f"{bound.keyword} {bound.value} looks like the bound {head} "
                              f"with the example {tail} glued to it (the page lost the break "
                              f"between them): not guessed, check the document")
