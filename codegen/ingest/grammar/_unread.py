"""What looks like a constraint and no rule read: a comparison sign beside a number, numbers
beside range or limit words, a default, a value list, a token figure. Each passage is the
unconsumed run of its sentence around the cue, so a passage never repeats words a rule read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._hits import sentence_start, sentence_stop, words_pattern
from ._numbers import starts_number
from ._text import Text, is_digit

REACH = 100  # characters of a passage on each side of its cue
RANGE_WORDS = words_pattern(
    "range", "between", "minimum", "maximum", " min ", " max ", "at least", "at most", "up to",
    "greater", "less than", "more than", "fewer", "exceed", "limit", "must be", "valid values",
    "取值", "范围", "大于", "小于", "超过", "最大", "最小", "至少", "最多", "上限", "下限",
    "不得", "不能")
DEFAULT_WORDS = words_pattern("default", "默认")
LIST_WORDS = words_pattern("valid values", "available options", "possible values",
                           "allowed values", "choice between", "one of the following",
                           "可选值", "取值如下", "参数值:", "有三种取值", "supported values")
SIGNS = re.compile(r"<=|>=|<|>")
TOKEN_FIGURE = re.compile(r"\d ?个? ?tokens?\b")


def _mask(length: int, consumed: list[tuple[int, int]]) -> bytearray:
    mask = bytearray(length)
    for start, stop in consumed:
        mask[start:stop] = b"\x01" * (stop - start)
    return mask


def _run(mask: bytearray, low: str, at: int) -> tuple[int, int]:
    """The unconsumed run of the sentence around ``at``, at most REACH each side."""
    first = max(sentence_start(low, at), at - REACH)
    last = min(sentence_stop(low, at), at + REACH)
    start = at
    while start > first and not mask[start - 1]:
        start -= 1
    stop = at
    while stop < last and not mask[stop]:
        stop += 1
    return start, stop


def _has_number(text: str, mask: bytearray, start: int, stop: int) -> bool:
    return any(not mask[i] and starts_number(text, i) for i in range(start, stop))


def _cues(text: Text, mask: bytearray) -> Iterator[tuple[str, Iterator[int]]]:
    """(why, positions of the unconsumed cues of that kind, left to right)."""
    low = text.low

    def signs() -> Iterator[int]:
        """`< 2`, `>= -1`, `x >`: a sign with a number (or the variable) after it."""
        for match in SIGNS.finditer(low):
            after = low[match.end():match.end() + 4].lstrip(" =").removeprefix("-")
            if is_digit(after[:1]) or after[:1] == "x":
                yield match.start()

    yield "a comparison sign beside a number", signs()
    yield "a token figure", (m.start() for m in TOKEN_FIGURE.finditer(low))
    yield "numbers beside range words", (m.start() for m in RANGE_WORDS.finditer(low))
    yield "a default", (m.start() for m in DEFAULT_WORDS.finditer(low))
    yield "a value list", (m.start() for m in LIST_WORDS.finditer(low))


def unread_passages(text: Text, consumed: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(start, stop, why) of every unread passage of one span, in text order; where passages
    of several kinds overlap, the first kind's stands. A cue inside the run of the one before
    it is not looked at again: each character is looked at a bounded number of times."""
    mask = _mask(len(text.text), consumed)
    found: list[tuple[int, int, int, str]] = []
    for rank, (why, positions) in enumerate(_cues(text, mask)):
        last = -1
        for at in positions:
            if at < last or mask[at]:
                continue
            start, stop = _run(mask, text.low, at)
            last = stop
            if why == "numbers beside range words" and not _has_number(text.text, mask, start,
                                                                       stop):
                continue
            start, stop = _trimmed(text.text, start, stop)
            if stop > start:
                found.append((start, rank, stop, why))
    kept: list[tuple[int, int, str]] = []
    for start, _, stop, why in sorted(found):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, stop, why))
    return kept


def _trimmed(text: str, start: int, stop: int) -> tuple[int, int]:
    while start < stop and text[start] in " ,，、":
        start += 1
    while stop > start and text[stop - 1] in " ,，、":
        stop -= 1
    return start, stop
