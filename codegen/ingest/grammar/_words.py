"""Bounds said in words: comparatives (English and Chinese, negated or not), signs ("a positive
number") and integer widths ("64-bit unsigned integers")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._hits import Ctx, Fact, Hit, capped, hit, sentence_start, skip_spaces, words_pattern
from ._intervals import labelled
from ._numbers import number_at, starts_number

# comparative -> (keyword, keyword when negated: "must not be greater than 1" is `<= 1`)
COMPARATIVES = {
    "greater than or equal to": ("minimum", "exclusiveMaximum"),
    "greater than or equal": ("minimum", "exclusiveMaximum"),
    "more than or equal to": ("minimum", "exclusiveMaximum"),
    "less than or equal to": ("maximum", "exclusiveMinimum"),
    "greater than": ("exclusiveMinimum", "maximum"),
    "more than": ("exclusiveMinimum", "maximum"),
    "larger than": ("exclusiveMinimum", "maximum"),
    "less than": ("exclusiveMaximum", "minimum"),
    "smaller than": ("exclusiveMaximum", "minimum"),
    "at least": ("minimum", "exclusiveMaximum"),
    "no less than": ("minimum", "exclusiveMaximum"),
    "not less than": ("minimum", "exclusiveMaximum"),
    "at most": ("maximum", "exclusiveMinimum"),
    "no more than": ("maximum", "exclusiveMinimum"),
    "not more than": ("maximum", "exclusiveMinimum"),
    "no greater than": ("maximum", "exclusiveMinimum"),
    "not greater than": ("maximum", "exclusiveMinimum"),
    "not exceed": ("maximum", "exclusiveMinimum"),
    "大于或等于": ("minimum", "exclusiveMaximum"),
    "大于等于": ("minimum", "exclusiveMaximum"),
    "不小于": ("minimum", "exclusiveMaximum"),
    "小于或等于": ("maximum", "exclusiveMinimum"),
    "小于等于": ("maximum", "exclusiveMinimum"),
    "不大于": ("maximum", "exclusiveMinimum"),
    "不超过": ("maximum", "exclusiveMinimum"),
    "不得超过": ("maximum", "exclusiveMinimum"),
    "大于": ("exclusiveMinimum", "maximum"),
    "小于": ("exclusiveMaximum", "minimum"),
    "至少为": ("minimum", "exclusiveMaximum"),
    "至少": ("minimum", "exclusiveMaximum"),
}
COMPARATIVE = words_pattern(*COMPARATIVES)
NEGATIONS = ("not ", "never ", "不要", "不能", "不可", "不得", "不应", "切勿", "请勿")
CONDITIONS = ("if ", "when ", "whenever ", "如果", "若", "当")
FILLER = ("the value of", "a value of", "the value", "a value", "value", "为", "是", "于")


def comparative(ctx: Ctx, at: int) -> Iterator[Hit]:
    """Comparatives in words; a negation before one turns it round; one inside a condition
    ("if … greater than 100") is no bound and is reported.

    Examples::

        The value must be greater than or equal to 0 and less than 2.
            => minimum = 0 ; exclusiveMaximum = 2
        an integer greater than or equal to 0    => minimum = 0
        取值需要大于或等于0。                      => minimum = 0
        没有严格的取值范围，只要大于0即可。         => exclusiveMinimum = 0
        注意，取值不要大于等于1。                  => exclusiveMaximum = 1
        must be at least 1                       => minimum = 1
        must not exceed 100                      => maximum = 100
        If the value is greater than 100, it is rounded.  => unread
    """
    text = ctx.texts[at].text
    low = ctx.texts[at].low
    for match in capped(COMPARATIVE.finditer(low)):
        if match.start() > 0 and low[match.start() - 1].isalpha() and low[match.start()].isascii():
            continue  # inside a word
        number_start = after_filler(low, match.end())
        if not starts_number(text, number_start):
            continue
        number = number_at(text, number_start)
        if number is None:
            continue
        start = match.start()
        head = low[sentence_start(low, start):start]
        plain, negated = COMPARATIVES[match.group()]
        is_negated = any(head.rstrip().endswith(word.strip()) for word in NEGATIONS)
        keyword = negated if is_negated else plain
        unread = "a comparison inside a condition (if/when): not a bound" if any(
            word in _clause(head) for word in CONDITIONS) else None
        yield hit(at, start, number.stop, Fact(keyword, number.value, number.inferred),
                  unread=unread or number.doubt)


def _clause(head: str) -> str:
    """The part of the sentence before the comparative that belongs to its clause."""
    cut = max(head.rfind(","), head.rfind("，"))
    return head[cut + 1:] if cut != -1 else head


def after_filler(low: str, i: int) -> int:
    j = skip_spaces(low, i)
    for word in FILLER:
        if low.startswith(word, j):
            return skip_spaces(low, j + len(word))
    return j


SIGN_WORDS = {
    "non-negative": ("minimum", 0), "nonnegative": ("minimum", 0),
    "positive": ("exclusiveMinimum", 0), "negative": ("exclusiveMaximum", 0),
    "非负": ("minimum", 0), "正数": ("exclusiveMinimum", 0), "正整数": ("exclusiveMinimum", 0),
    "负数": ("exclusiveMaximum", 0),
}
SIGN = re.compile(r"(?:must be|should be|is|be|a|an|为|是|必须为|必须是|需为)? ?"
                  r"(?:a |an )?(non-negative|nonnegative|positive|negative|非负|正整数|正数|负数)"
                  r"(?: number| integer| value|数|整数)?")
SIGN_NEEDS = ("must be", "should be", "be a", "为", "是", "必须")


def sign(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A sign in words, after "must be"/为: "Must be a positive number".

    Examples::

        Must be a positive number.    => exclusiveMinimum = 0
        must be a non-negative integer => minimum = 0
        取值必须为正整数               => exclusiveMinimum = 0
        Positive values reduce repetition. => nothing
    """
    low = ctx.texts[at].low
    for match in capped(SIGN.finditer(low)):
        word = match.group(1)
        head = low[max(0, match.start() - 12):match.start() + len(match.group()) - len(word)]
        if not any(need in head for need in SIGN_NEEDS):
            continue
        keyword, value = SIGN_WORDS[word]
        yield hit(at, match.start(), match.end(), Fact(keyword, value))


WIDTH = re.compile(r"(8|16|32|64)-bit (signed |unsigned )?(?:integer|int)s?")


def integer_width(ctx: Ctx, at: int) -> Iterator[Hit]:
    """Integer widths: the bounds of the machine type.

    Examples::

        Valid values: 64-bit unsigned integers.  => minimum = 0 ; maximum = 18446744073709551615
        a 32-bit signed integer                  => minimum = -2147483648 ; maximum = 2147483647
    """
    low = ctx.texts[at].low
    for match in capped(WIDTH.finditer(low)):
        bits = int(match.group(1))
        if (match.group(2) or "").strip() == "unsigned":
            low_bound, high_bound = 0, 2**bits - 1
        else:
            low_bound, high_bound = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        yield hit(at, labelled(low, match.start()), match.end(), Fact("minimum", low_bound),
                  Fact("maximum", high_bound))
