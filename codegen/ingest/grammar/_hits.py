"""What a rule returns, and the small text helpers every rule shares.

A rule is ``rule(ctx, at) -> Iterator[Hit]``: it reads span ``at`` (and, for lists and
per-model blocks, the spans after it) and says which words it consumed (``Piece``s, in
normalised coordinates) and what they mean (``Fact``s) — or that they look like a constraint
it will not read (``unread``). Rules never see each other; ``_read`` decides precedence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ._text import Text, is_digit

WINDOW = 240  # how far a rule looks from its cue: every rule's work per cue is bounded
# cues (or numbers) a rule looks at in one span: no line of a real document has more, and a
# hostile one costs no more than this many bounded looks (what is left is the unread
# detector's, which is linear)
MOST_CUES = 500


@dataclass(frozen=True)
class Piece:
    span: int
    start: int
    stop: int


@dataclass(frozen=True)
class Fact:
    keyword: str
    value: Any
    inferred: str | None = None
    models: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    pieces: tuple[Piece, ...]
    facts: tuple[Fact, ...] = ()
    unread: str | None = None  # consumed, and reported as Unread with this reason


@dataclass
class Ctx:
    texts: list[Text]
    json_type: str | None
    lines: list[int] = field(default_factory=list)
    name: str | None = None  # the parameter's own name, where the reader knows it
    # lines the rules that read on past their line (lists, per-model blocks, YAML blocks) may
    # still look at in all: a bound on their look-ahead over the whole read
    ahead: int = -1

    def __post_init__(self) -> None:
        if self.ahead < 0:
            self.ahead = 8 * len(self.texts) + 2000

    def look_ahead(self) -> bool:
        """Take one line of look-ahead; False once the read has used all it may."""
        self.ahead -= 1
        return self.ahead >= 0


Rule = Callable[[Ctx, int], Iterator[Hit]]
T = TypeVar("T")


def hit(at: int, start: int, stop: int, *facts: Fact, unread: str | None = None) -> Hit:
    return Hit((Piece(at, start, stop),), facts, unread)


def capped(found: Iterable[T], most: int = MOST_CUES) -> Iterator[T]:
    """The first ``most`` of ``found`` (see MOST_CUES)."""
    for count, item in enumerate(found):
        if count >= most:
            return
        yield item


def skip_spaces(text: str, i: int, also: str = "") -> int:
    while i < len(text) and (text[i] == " " or text[i] in also):
        i += 1
    return i


def skip_spaces_back(text: str, i: int, also: str = "") -> int:
    """The index just after the last non-space character before ``i``."""
    while i > 0 and (text[i - 1] == " " or text[i - 1] in also):
        i -= 1
    return i


SENTENCE_ENDS = "。;；!?！？\n"


def _is_full_stop(text: str, i: int) -> bool:
    """A '.' that ends a sentence (not `1.0`, `e.g.`, `qwen1.5`)."""
    return text[i] == "." and (i + 1 >= len(text) or text[i + 1] == " ") \
        and not (i > 0 and is_digit(text[i - 1]) and i + 1 < len(text)
                 and is_digit(text[i + 1:i + 2]))


def sentence_start(text: str, i: int, ends: str = SENTENCE_ENDS) -> int:
    """Where the sentence around ``i`` starts (at most WINDOW back)."""
    j = i
    limit = max(0, i - WINDOW)
    while j > limit:
        if text[j - 1] in ends or _is_full_stop(text, j - 1):
            return j
        j -= 1
    return j


def sentence_stop(text: str, i: int, ends: str = SENTENCE_ENDS) -> int:
    """Where the sentence around ``i`` stops (exclusive; at most WINDOW ahead)."""
    j = i
    limit = min(len(text), i + WINDOW)
    while j < limit:
        if text[j] in ends or _is_full_stop(text, j):
            return j
        j += 1
    return j


def has_word(low: str, start: int, stop: int, words: tuple[str, ...]) -> bool:
    window = low[max(0, start):stop]
    return any(word in window for word in words)


def trim(text: str, start: int, stop: int) -> tuple[int, int]:
    while start < stop and text[start] in " \t":
        start += 1
    while stop > start and text[stop - 1] in " \t":
        stop -= 1
    return start, stop


def is_blank(text: Text) -> bool:
    return not text.text.strip()


def words_pattern(*words: str) -> re.Pattern[str]:
    """A cue pattern of literal alternatives (escaped), longest first."""
    ordered = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in ordered))
