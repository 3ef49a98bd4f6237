"""Normalised text: one spelling per sign, and a map back to the document's own characters.

Rules read ``Text.text`` (and its lowercase twin ``Text.low``, the same length); whatever they
consume is quoted from ``Text.raw`` through ``begin``/``end``, so a reading always cites the
document's words, never the normalised ones. One pass, one character at a time: linear.
"""

from __future__ import annotations

import bisect
import html
from dataclasses import dataclass

ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
SPACES = frozenset("\u00a0\u2002\u2003\u2009\u200a\u202f\u205f\u3000")
SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6",
                "⁷": "7", "⁸": "8", "⁹": "9"}
DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\ufe58\ufe63\uff0d")
SIGNS = {"\u2212": "-", "≤": "<=", "≦": "<=", "⩽": "<=", "≥": ">=", "≧": ">=", "⩾": ">=",
         "‘": "'", "’": "'", "“": '"', "”": '"', "〜": "~", "【": "[", "】": "]",
         "〔": "(", "〕": ")"}
ENTITY_LONGEST = 10  # "&#x1F600;" and the named entities the pages use fit in ten characters


def is_digit(chars: str) -> bool:
    """ASCII digits only (`str.isdigit` is also true of `⁰` and `١`, which no rule reads)."""
    return bool(chars) and all("0" <= char <= "9" for char in chars)


@dataclass(frozen=True)
class Text:
    """One span's words: ``raw`` as written, ``text`` normalised, ``low`` lowercased.

    ``begin[i]``/``end[i]`` are the raw characters normalised character ``i`` came from;
    ``code`` the normalised extents that stood between backticks (values, in markdown).
    """

    raw: str
    text: str
    low: str
    begin: tuple[int, ...]
    end: tuple[int, ...]
    code: tuple[tuple[int, int], ...] = ()

    def raw_extent(self, start: int, stop: int) -> tuple[int, int]:
        """The raw characters behind normalised ``text[start:stop]`` (stop > start), with
        the backticks or `**` that close a code span or emphasis the words opened."""
        first, last = self.begin[start], self.end[stop - 1]
        for mark in ("`", "**"):
            if self.raw.count(mark, first, last) % 2 == 1 and self.raw.startswith(mark, last):
                last += len(mark)
        return first, last

    def quote(self, start: int, stop: int) -> str:
        first, last = self.raw_extent(start, stop)
        return self.raw[first:last]

    def code_end(self, at: int) -> int | None:
        """Where the code span that starts at ``at`` ends, if one does."""
        around = self.code_around(at)
        return around[1] if around is not None and around[0] == at else None

    def code_around(self, at: int) -> tuple[int, int] | None:
        """The code span ``at`` is in, if any (spans are sorted and apart: bisection)."""
        k = bisect.bisect_right(self.code, (at, len(self.text) + 1)) - 1
        if k >= 0 and self.code[k][0] <= at < self.code[k][1]:
            return self.code[k]
        return None


class _Builder:
    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.out: list[str] = []
        self.begin: list[int] = []
        self.end: list[int] = []
        self.code: list[tuple[int, int]] = []
        self.code_open: int | None = None

    def emit(self, chars: str, first: int, last: int) -> None:
        for char in chars:
            self.out.append(char)
            self.begin.append(first)
            self.end.append(last)

    def toggle_code(self) -> None:
        if self.code_open is None:
            self.code_open = len(self.out)
        else:
            self.code.append((self.code_open, len(self.out)))
            self.code_open = None

    def build(self) -> Text:
        text = "".join(self.out)
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        return Text(self.raw, text, low, tuple(self.begin), tuple(self.end), tuple(self.code))


def normalise(raw: str) -> Text:
    """Normalise one span's words (see the module docstring)."""
    build = _Builder(raw)
    separators = _thousands_separators(raw)
    i = 0
    while i < len(raw):
        i = _step(build, raw, i, separators)
    return build.build()


def _step(build: _Builder, raw: str, i: int, separators: frozenset[int]) -> int:
    """Emit what raw[i] stands for; return where the next character starts."""
    char = raw[i]
    if char in ZERO_WIDTH or i in separators:
        return i + 1
    if char == "&":
        return _entity(build, raw, i)
    if char == "\\" and i + 1 < len(raw) and _is_markdown_escape(raw[i + 1]):
        build.emit(raw[i + 1], i, i + 2)
        return i + 2
    if char == "*" and raw.startswith("**", i):
        return i + 2
    if char == "`":
        return _backticks(build, raw, i)
    if char in SUPERSCRIPTS:
        return _superscripts(build, raw, i)
    build.emit(_one(char, raw, i), i, i + 1)
    return i + 1


def _one(char: str, raw: str, i: int) -> str:
    """The normal spelling of one character."""
    if char in SIGNS:
        return SIGNS[char]
    if char in SPACES:
        return " "
    if "\uff01" <= char <= "\uff5e":  # full-width ASCII: （ ） ［ ］ ： ， ； ～ ０-９ …
        return chr(ord(char) - 0xFEE0)
    if char in DASHES and _before_a_number(raw, i + 1):
        return "-"
    return char


def _before_a_number(raw: str, i: int) -> bool:
    """A dash is a minus or a range dash when a number follows (after one space at most)."""
    if i < len(raw) and raw[i] == " ":
        i += 1
    return i < len(raw) and (is_digit(raw[i]) or raw[i] in SUPERSCRIPTS)


def _is_markdown_escape(char: str) -> bool:
    return char.isascii() and not char.isalnum() and not char.isspace()


def _entity(build: _Builder, raw: str, i: int) -> int:
    semicolon = raw.find(";", i + 1, i + ENTITY_LONGEST)
    if semicolon != -1:
        decoded = html.unescape(raw[i:semicolon + 1])
        if len(decoded) == 1 and decoded != "&":
            build.emit(_one(decoded, decoded, 0), i, semicolon + 1)
            return semicolon + 1
    build.emit("&", i, i + 1)
    return i + 1


def _backticks(build: _Builder, raw: str, i: int) -> int:
    stop = i
    while stop < len(raw) and raw[stop] == "`":
        stop += 1
    build.toggle_code()
    return stop


def _superscripts(build: _Builder, raw: str, i: int) -> int:
    build.emit("^", i, i + 1)
    while i < len(raw) and raw[i] in SUPERSCRIPTS:
        build.emit(SUPERSCRIPTS[raw[i]], i, i + 1)
        i += 1
    return i


def _thousands_separators(raw: str) -> frozenset[int]:
    """The commas of `32,000` and `1,000,000`: groups of exactly three digits after a first
    group of one to three (not `0`, as in `[0,231−1]`), not opening an interval (`[1,100]`)."""
    found: set[int] = set()
    i = raw.find(",")
    while i != -1:
        if i not in found and _first_group_ok(raw, i):
            chain = _group_chain(raw, i)
            found.update(chain)
        i = raw.find(",", i + 1)
    return frozenset(found)


def _first_group_ok(raw: str, comma: int) -> bool:
    start = comma
    while start > 0 and is_digit(raw[start - 1]) and comma - start < 4:
        start -= 1
    digits = raw[start:comma]
    if not 1 <= len(digits) <= 3 or digits.startswith("0"):
        return False
    before = raw[start - 1] if start > 0 else " "
    if is_digit(before) or before in ".-_/":
        return False
    opener = start - 1
    while opener >= 0 and raw[opener] == " " and start - opener < 3:
        opener -= 1
    return opener < 0 or raw[opener] not in "[(（"


def _group_chain(raw: str, comma: int) -> list[int]:
    """The commas of one number's separators, or none when a group is not three digits."""
    commas = []
    i = comma
    while i < len(raw) and raw[i] == ",":
        group = raw[i + 1:i + 4]
        if len(group) != 3 or not is_digit(group):
            return []
        commas.append(i)
        i += 4
    if i < len(raw) and is_digit(raw[i]):
        return []
    return commas
