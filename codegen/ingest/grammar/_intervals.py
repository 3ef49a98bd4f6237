"""Ranges written as intervals, inequality chains and "a to b" / dash ranges."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._hits import (
    MOST_CUES,
    Ctx,
    Fact,
    Hit,
    capped,
    has_word,
    hit,
    sentence_start,
    skip_spaces,
    skip_spaces_back,
)
from ._numbers import Number, next_number, number_at, starts_number

LOWER = {"[": "minimum", "(": "exclusiveMinimum"}
OPENERS = re.compile(r"[\[(]")
OPERATORS = re.compile(r"<=|>=|=<|=>|<|>")
UPPER = {"]": "maximum", ")": "exclusiveMaximum"}
INFINITY = ("+∞", "∞", "+inf", "inf", "infinity", "+infinity")
RANGE_WORDS = ("range", "value", "values", "取值", "范围", "valid", "between", "区间",
               "interval")
# "Required range:" and its kin, taken into the quote when they label a range
RANGE_LABEL = re.compile(r"(?:required range|value range|valid values|range|取值范围[是为]?)"
                         r" ?:? ?$")


def _number(text: str, i: int) -> Number | None:
    return number_at(text, i) if starts_number(text, i) else None


def _facts(*bounds: tuple[str, Number] | None) -> tuple[Fact, ...]:
    return tuple(Fact(keyword, number.value, number.inferred)
                 for keyword, number in (bound for bound in bounds if bound is not None))


def _doubt(*numbers: Number | None) -> str | None:
    return next((n.doubt for n in numbers if n is not None and n.doubt), None)


def labelled(low: str, start: int) -> int:
    """Start of a range label right before ``start`` (``Required range:``), else ``start``."""
    head = low[max(0, start - 24):start]
    found = RANGE_LABEL.search(head)
    return start - len(head) + found.start() if found else start


def interval(ctx: Ctx, at: int) -> Iterator[Hit]:
    """Interval notation: each end open or closed, full-width brackets made ASCII.

    Examples::

        Range: [0, 2).                => minimum = 0 ; exclusiveMaximum = 2
        取值范围：（0,1.0]             => exclusiveMinimum = 0 ; maximum = 1.0
        取值范围： [0, 2)              => minimum = 0 ; exclusiveMaximum = 2
        Value range: (0, 1.0].        => exclusiveMinimum = 0 ; maximum = 1.0
        Valid values: (0,1.0)         => exclusiveMinimum = 0 ; exclusiveMaximum = 1.0
        Valid values: [0, 2^31-1].    => minimum = 0 ; maximum = 2147483647
        Range: [0, 2³¹−1].            => minimum = 0 ; maximum = 2147483647
        取值范围：[0,231−1]。          => minimum = 0 ; maximum = 2147483647 (inferred)
        取值范围：[-2.0, 2.0]          => minimum = -2.0 ; maximum = 2.0
        range [0, +∞)                 => minimum = 0
    """
    text = ctx.texts[at].text
    low = ctx.texts[at].low
    for opener in capped(OPENERS.finditer(text)):
        i = opener.start()
        found = interval_at(text, low, i)
        if found is not None:
            yield hit(at, labelled(low, i), found[0], *found[1], unread=found[2])


def interval_at(text: str, low: str, i: int) -> tuple[int, tuple[Fact, ...], str | None] | None:
    j = skip_spaces(text, i + 1)
    first = _number(text, j)
    if first is None:
        return None
    j = skip_spaces(text, first.stop)
    if j >= len(text) or text[j] != ",":
        return None
    j = skip_spaces(text, j + 1)
    second = _number(text, j)
    if second is not None:
        j = skip_spaces(text, second.stop)
    else:
        end = next((word for word in INFINITY if low.startswith(word, j)), None)
        if end is None:
            return None
        j = skip_spaces(text, j + len(end))
    if j >= len(text) or text[j] not in UPPER:
        return None
    mixed = (text[i] == "[") != (text[j] == "]")
    if not mixed and not has_word(low, sentence_start(low, i), i, RANGE_WORDS):
        return None  # `(1, 2)` in prose is no interval unless range words say so
    facts = _facts((LOWER[text[i]], first), (UPPER[text[j]], second) if second else None)
    return j + 1, facts, _doubt(first, second)


CHAIN_OPS = {"<=": "<=", ">=": ">=", "<": "<", ">": ">", "=<": "<=", "=>": ">="}
SUBJECT = re.compile(r"[a-z_][a-z0-9_.]{0,39}$")
NOT_SUBJECTS = frozenset({"be", "is", "are", "was", "must", "than", "of", "to"})
BEFORE_BARE_OP = ("must be", "should be", "be", "值", "value", "取值", ":")


def _operand_before(text: str, low: str, stop: int) -> tuple[str, int, Number | None] | None:
    """('var'|'num', start, number) of the operand ending at ``stop``."""
    end = skip_spaces_back(text, stop)
    start = end
    while start > 0 and end - start < 45 and (text[start - 1].isalnum() or text[start - 1]
                                                 in "._^-+"):
        start -= 1
    while start < end and not (text[start].isalnum() or text[start] in "+-"):
        start += 1
    if start == end:
        return None
    for begin in range(start, end):
        number = _number(text, begin)
        if number is not None and number.stop == end:
            return "num", begin, number
    word = SUBJECT.search(low[start:end])
    if word is not None and word.start() == 0 and low[start:end] not in NOT_SUBJECTS:
        return "var", start, None
    return None


def _operand_after(text: str, low: str, start: int) -> tuple[str, int, Number | None] | None:
    begin = skip_spaces(text, start)
    number = _number(text, begin)
    if number is not None:
        return "num", number.stop, number
    stop = begin
    while stop < len(text) and stop - begin < 40 and (low[stop].isascii() and (
            low[stop].isalnum() or low[stop] == "_")):
        stop += 1
    if stop > begin and (low[begin].isalpha() or low[begin] == "_"):
        return "var", stop, None
    return None


BOUND_OF = {  # (the side the number is on, operator) -> keyword
    ("right", ">="): "minimum", ("right", ">"): "exclusiveMinimum",
    ("right", "<="): "maximum", ("right", "<"): "exclusiveMaximum",
    ("left", "<="): "minimum", ("left", "<"): "exclusiveMinimum",
    ("left", ">="): "maximum", ("left", ">"): "exclusiveMaximum",
}


def chain(ctx: Ctx, at: int) -> Iterator[Hit]:
    """Inequality chains, with a variable or after "must be"; ≤ ≥ and backticks normalised.

    Examples::

        Required range:0 <= x < 2     => minimum = 0 ; exclusiveMaximum = 2
        Required range: `1 <= x <= 16384` => minimum = 1 ; maximum = 16384
        Required range:0 < x <= 1     => exclusiveMinimum = 0 ; maximum = 1
        Required range:x >= 0         => minimum = 0
        Required range:-2 <= x <= 2   => minimum = -2 ; maximum = 2
        Must be ≥ 1.                  => minimum = 1
        Must be >= 0.                 => minimum = 0
        temperature &lt; 2            => exclusiveMaximum = 2
    """
    text = ctx.texts[at].text
    low = ctx.texts[at].low
    links: list[tuple[int, int, int, Fact]] = []  # (start, stop, var start, fact)
    for op in capped(OPERATORS.finditer(text)):
        link = _link(text, low, op.start(), op.group())
        if link is not None:
            links.append(link)
    yield from _joined(at, low, links)


def _link(text: str, low: str, i: int, op: str) -> tuple[int, int, int, Fact] | None:
    meaning = CHAIN_OPS[op]
    left = _operand_before(text, low, i)
    right = _operand_after(text, low, i + len(op))
    if right is None:
        return None
    if left is not None and left[0] == "num" and right[0] == "var" and left[2] is not None:
        number = left[2]
        fact = Fact(BOUND_OF[("left", meaning)], number.value, number.inferred)
        return left[1], right[1], i + len(op), fact
    if right[0] == "num" and right[2] is not None:
        number = right[2]
        fact = Fact(BOUND_OF[("right", meaning)], number.value, number.inferred)
        if left is not None and left[0] == "var":
            return left[1], right[1], left[1], fact
        head = low[max(0, i - 12):i].rstrip()
        if any(head.endswith(word) for word in BEFORE_BARE_OP):
            return i, right[1], -1, fact
    return None


def _joined(at: int, low: str, links: list[tuple[int, int, int, Fact]]) -> Iterator[Hit]:
    """`0 <= x < 2` is two links sharing `x`: one hit with both facts."""
    k = 0
    while k < len(links):
        start, stop, _, fact = links[k]
        facts = [fact]
        if k + 1 < len(links) and links[k + 1][2] != -1 and links[k + 1][0] < stop:
            stop = links[k + 1][1]
            facts.append(links[k + 1][3])
            k += 1
        yield hit(at, labelled(low, start), stop, *facts)
        k += 1


DASH_REACH = 60  # the range words a dash needs stand this close before it
DASH_NEEDS = ("range", "values", "value", "取值", "范围", "between", "from")


def dash_range(ctx: Ctx, at: int) -> Iterator[Hit]:
    """"a to b", "between a and b", dash, tilde and 到 ranges: both ends inclusive. A dash or
    "to" needs range words in the sentence (dates and model names have dashes too).

    Examples::

        Valid values: -2.0 to 2.0.    => minimum = -2.0 ; maximum = 2.0
        Valid values: 0–5.            => minimum = 0 ; maximum = 5
        Range: 1–4.                   => minimum = 1 ; maximum = 4
        in the range of 1-4           => minimum = 1 ; maximum = 4
        取值范围是1-4                  => minimum = 1 ; maximum = 4
        取值范围：0到231−1。           => minimum = 0 ; maximum = 2147483647 (inferred)
        取值范围：0到2^31−1            => minimum = 0 ; maximum = 2147483647
        Must be between 0 and 80.     => minimum = 0 ; maximum = 80
        取值范围：0到216−1             => unread
    """
    text = ctx.texts[at].text
    low = ctx.texts[at].low
    i = looked = 0
    while looked < MOST_CUES:
        first = next_number(text, low, i)
        if first is None:
            return
        looked += 1
        found = range_after(text, low, first)
        if found is None:
            i = first.stop
            continue
        start, stop, second = found
        doubt = _doubt(first, second)
        yield hit(at, labelled(low, start), stop,
                  *_facts(("minimum", first), ("maximum", second)), unread=doubt)
        i = stop


def range_after(text: str, low: str, first: Number) -> tuple[int, int, Number] | None:
    j = skip_spaces(text, first.stop)
    joiner = next((word for word in ("to", "-", "~", "到", "至", "and") if low.startswith(
        word, j)), None)
    if joiner is None:
        return None
    second = _number(text, skip_spaces(text, j + len(joiner)))
    if second is None:
        return None
    start = first.start
    before = low[max(sentence_start(low, start), start - DASH_REACH):start]
    if joiner == "and":
        if not before.rstrip().endswith("between"):
            return None
        start = start - (len(before) - before.rstrip().rfind("between"))
    elif not any(word in before for word in DASH_NEEDS) and not low.startswith(
            "范围", second.stop):
        return None
    if second.value < first.value:
        return None
    return start, second.stop, second
