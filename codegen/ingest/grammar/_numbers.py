"""Numbers in normalised text: signs, decimals, powers (`2^31-1`), magnitude words (`100 万`,
`12k`), and the power whose superscript was lost (`231−1`), read only with evidence.

Scanning is by hand, a character at a time from a given place: no regular expression, and
every number is bounded (digits, exponent), so reading one costs what it spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._text import is_digit

MOST_DIGITS = 40  # longer runs are no bound a document means (ingest refuses 400-digit numbers)
LARGEST_EXPONENT = 128
# powers of two whose minus-one is a bound the documents use (int32, uint32, int64, uint64)
KNOWN_POWERS = {"31": 31, "32": 32, "63": 63, "64": 64}
MAGNITUDES = {"万": 10_000, "亿": 100_000_000}
WORD_CHARS = "_"
GLUED_UNITS = ("token", "Token", "element", "item", "character")  # `8192tokens`


@dataclass(frozen=True)
class Number:
    """A number read at [start, stop) of the normalised text."""

    value: int | float
    start: int
    stop: int
    inferred: str | None = None  # the reading took a judgement (a lost superscript, `k`)
    doubt: str | None = None  # looks like a lost superscript without evidence: not a reading


def is_cjk(char: str) -> bool:
    """Han, kana, hangul and CJK punctuation: a word boundary for numbers (`是1-4`)."""
    code = ord(char)
    return 0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF \
        or 0xFF00 <= code <= 0xFFEF


def is_word(char: str) -> bool:
    return (char.isalnum() and not is_cjk(char)) or char in WORD_CHARS


def starts_number(text: str, i: int) -> bool:
    """Whether a number may start at ``i``: a digit or a sign before one, not inside a word
    (`qwen3`, `2025-04-28` after a letter, `v1.5`)."""
    if i >= len(text):
        return False
    char = text[i]
    if char in "+-":
        if i + 1 >= len(text) or not is_digit(text[i + 1]):
            return False
        return i == 0 or not (is_word(text[i - 1]) or text[i - 1] in ".")
    if not is_digit(char):
        return False
    return i == 0 or not (is_word(text[i - 1]) or text[i - 1] in ".^")


def _digits(text: str, i: int) -> int:
    stop = i
    while stop < len(text) and is_digit(text[stop]) and stop - i <= MOST_DIGITS:
        stop += 1
    return stop


def number_at(text: str, i: int, *, magnitudes: bool = False, fused: bool = False
              ) -> Number | None:
    """The number starting at ``i`` (see ``starts_number``; ``fused``: also right after a
    word, as in `Context Window24,000`), or None."""
    if not (starts_number(text, i) or (fused and is_digit(text[i:i + 1]))):
        return None
    sign = -1 if text[i] == "-" else 1
    first = i + 1 if text[i] in "+-" else i
    whole_stop = _digits(text, first)
    if whole_stop - first > MOST_DIGITS:
        return None
    stop, is_float = _fraction(text, whole_stop)
    stop, is_float = _exponent(text, stop, is_float)
    if stop < len(text) and text[stop].isalpha() and text[stop].isascii() \
            and not (magnitudes and text[stop] in "kK") \
            and not text.startswith(GLUED_UNITS, stop):
        return None  # `2e`, `3rd`, `7b`: a word, not a number
    if is_float and stop + 1 < len(text) and text[stop] == "." and is_digit(text[stop + 1]):
        return None  # `2.20.8`: a version, not a number
    literal = text[first:stop]
    value: int | float = float(literal) if is_float else int(literal)
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if not is_float and stop < len(text) and text[stop] == "^":
        return _power(text, i, sign, int(literal), stop)
    number = Number(sign * value, i, stop)
    lost = _lost_superscript(text, i, first, whole_stop, stop, is_float)
    if lost is not None:
        return lost
    return _magnitude(text, number) if magnitudes else number


def _fraction(text: str, i: int) -> tuple[int, bool]:
    if i + 1 < len(text) and text[i] == "." and is_digit(text[i + 1]):
        stop = _digits(text, i + 1)
        return stop, True
    return i, False


def _exponent(text: str, i: int, is_float: bool) -> tuple[int, bool]:
    if i < len(text) and text[i] in "eE":
        j = i + 1
        if j < len(text) and text[j] in "+-":
            j += 1
        if j < len(text) and is_digit(text[j]):
            stop = _digits(text, j)
            if stop - j <= 3 and (stop >= len(text) or not text[stop].isalpha()):
                return stop, True
    return i, is_float


def _power(text: str, start: int, sign: int, base: int, caret: int) -> Number | None:
    """`2^31-1`, `2^32`, `10^6`: a power, minus (or plus) a small number written after it."""
    exp_stop = _digits(text, caret + 1)
    if exp_stop == caret + 1 or exp_stop - caret - 1 > 3:
        return None
    exponent = int(text[caret + 1:exp_stop])
    if exponent > LARGEST_EXPONENT or base > 1000:
        return Number(0, start, exp_stop, doubt="a power too large to be a bound")
    value = base**exponent
    stop = exp_stop
    j = stop + 1 if text[stop:stop + 1] == " " else stop
    if j < len(text) and text[j] in "+-":
        k = j + 2 if text[j + 1:j + 2] == " " else j + 1
        offset_stop = _digits(text, k)
        if k < offset_stop <= k + 3:
            offset = int(text[k:offset_stop])
            value = value - offset if text[j] == "-" else value + offset
            stop = offset_stop
    return Number(sign * value, start, stop)


def _lost_superscript(text: str, start: int, first: int, whole_stop: int, stop: int,
                      is_float: bool) -> Number | None:
    """`231−1` is 2^31−1 with its superscript lost: read when the exponent is a known bound
    (31, 32, 63, 64) and `-1` follows; a like-shaped number with another exponent is a
    doubt (reported, never guessed)."""
    digits = text[first:whole_stop]
    if is_float or len(digits) not in (2, 3) or digits[0] != "2" or text[start] in "+-":
        return None
    if text[stop:stop + 2] != "-1" or (stop + 2 < len(text) and is_digit(text[stop + 2])):
        return None
    if digits[1:] in KNOWN_POWERS:
        exponent = KNOWN_POWERS[digits[1:]]
        return Number(2**exponent - 1, start, stop + 2,
                      inferred=f"`{digits}-1` read as 2^{exponent}-1: a superscript lost in "
                      f"rendering (2^{exponent}-1 is a known bound)")
    return Number(int(digits) - 1, start, stop + 2,
                  doubt=f"`{digits}-1` may be 2^{digits[1:]}-1 with its superscript lost "
                  "(not a known bound: not guessed)")


def _magnitude(text: str, number: Number) -> Number:
    """`100 万` (10^4, exact), `12k` (read as 12,000: the document does not say 1,024)."""
    stop = number.stop
    j = stop + 1 if text[stop:stop + 1] == " " else stop
    if j < len(text) and text[j] in MAGNITUDES:
        return Number(number.value * MAGNITUDES[text[j]], number.start, j + 1)
    if stop < len(text) and text[stop] in "kK" and (stop + 1 >= len(text)
                                                     or not text[stop + 1].isalpha()):
        value = number.value * 1000
        return Number(int(value) if value == int(value) else value, number.start, stop + 1,
                      inferred="`k` read as 1,000 (the document does not say 1,024)")
    return number


CANDIDATE = re.compile(r"[+-]?\d+")


def next_number(text: str, low: str, i: int, *, magnitudes: bool = False,
                fused_after: tuple[str, ...] = ()) -> Number | None:
    """The first number at or after ``i``, found by jumping from digit run to digit run (a
    run that is no number is skipped whole: a megabyte of digits costs one pass).
    ``fused_after``: words a number may be glued to (`Context Window24,000`)."""
    while True:
        match = CANDIDATE.search(text, i)
        if match is None:
            return None
        for at in (match.start(), match.start() + 1) if text[match.start()] in "+-" \
                else (match.start(),):
            fused = at > 0 and text[at - 1].isalpha() and low.endswith(fused_after, 0, at)
            number = number_at(text, at, magnitudes=magnitudes, fused=fused)
            if number is not None:
                return number
        i = match.end()
