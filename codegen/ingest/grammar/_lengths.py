"""Lengths and counts: a string's characters (minLength/maxLength), an array's elements
(minItems/maxItems), and character classes said in words (pattern). The unit says which; where
the words give none ("maximum length of 64") the parameter's type does."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._hits import MOST_CUES, Ctx, Fact, Hit, capped, hit, skip_spaces
from ._numbers import Number, next_number, number_at, starts_number
from ._text import is_digit

CHARACTERS = ("characters", "character", "chars", "个字符", "字符")
TOKENS = ("tokens", "token")
PIXELS = ("pixel", "像素")
NOUNS = ("element", "item", "sequence", "function", "document", "message", "string", "object",
         "image", "value", "tool")
COUNTED = (*(f"{noun}{plural}" for noun in NOUNS for plural in ("s", "")),
           "entries", "entry", "个", "条", "项")


def _keyword(side: str, unit: str | None, json_type: str | None) -> str | None:
    """minLength / maxItems / … for a bound on ``side`` ("min"/"max") counted in ``unit``."""
    if unit is not None and unit.startswith(CHARACTERS):
        return f"{side}Length"
    if unit is not None:
        return f"{side}Items"
    if json_type in ("string", None):
        return f"{side}Length"
    if json_type == "array":
        return f"{side}Items"
    return None


def _unit_after(low: str, i: int) -> tuple[str | None, int]:
    j = skip_spaces(low, i)
    for unit in (*CHARACTERS, *TOKENS):
        if low.startswith(unit, j):
            return unit, j + len(unit)
    for unit in COUNTED:
        if low.startswith(unit, j):
            return unit, j + len(unit)
    return None, i


def _bound(ctx: Ctx, at: int, start: int, number: Number, side: str) -> Hit | None:
    low = ctx.texts[at].low
    unit, stop = _unit_after(low, number.stop)
    if unit is not None and unit.startswith(TOKENS):
        return hit(at, start, stop, unread="a length counted in tokens (JSON Schema counts "
                   "characters)")
    if any(word in low[max(0, start - 30):stop] for word in PIXELS):
        return hit(at, start, stop, unread="a bound on pixels (width x height), not on the "
                   "value's length")
    counted = "array" if any(word in low[start:number.start] for word in ("array", "数组")) \
        else ctx.json_type
    keyword = _keyword(side, unit, counted)
    if keyword is None:
        return hit(at, start, stop, unread=f"a length of a {ctx.json_type}")
    return hit(at, start, max(stop, number.stop), Fact(keyword, number.value))


WORDS = {  # cue -> side; the number follows the cue (fillers like "is" allowed)
    "up to": "max", "a max of": "max", "a maximum of": "max", "maximum length of": "max",
    "maximum length:": "max", "max length of": "max", "maximum array size is": "max",
    "maximum array size:": "max", "maximum": "max", "max": "max", "minimum string length:": "min",
    "minimum length:": "min", "minimum length of": "min", "maximum string length:": "max",
    "length must be >=": "min", "length must be >": "min", "length must be <=": "max",
    "at least": "min", "最大数组大小为": "max", "数组长度不得超过": "max", "最多": "max",
    "长度不超过": "max", "长度不得超过": "max", "最少": "min", "至少": "min",
    "the maximum pixel size is": "max", "maximum pixel size is": "max",
}
CUES = re.compile("|".join(re.escape(cue) for cue in sorted(WORDS, key=len, reverse=True)))
NEEDS_UNIT = frozenset({"up to", "at least", "maximum", "max", "最多", "最少", "至少"})


def length_words(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A length or count in words; the unit after the number decides which keyword.

    Examples::

        [array] Up to 4 sequences where the API will stop generating further tokens.
            => maxItems = 4
        [array] A max of 128 functions are supported.  => maxItems = 128
        [string] Must be a-z, A-Z, 0-9, with a maximum length of 64.  => maxLength = 64
        [string] Maximum 64 characters.  => maxLength = 64
        [string] Minimum string length: 1  => minLength = 1
        [string] The search query. Length must be ≥ 1.  => minLength = 1
        [array] An array of text strings At least 1 document is required.  => minItems = 1
        [array] Current, the maximum array size is 32 , At the same time  => maxItems = 32
        [array] 目前，最大数组大小为 32，同时每项不得超过  => maxItems = 32
        [string] The tool name. Up to 64 tokens.  => unread
        [string] the maximum pixel size is 2359296.  => unread
    """
    text = ctx.texts[at].text
    low = ctx.texts[at].low
    for match in capped(CUES.finditer(low)):
        if match.start() > 0 and low[match.start() - 1].isalpha() and low[match.start()].isascii():
            continue
        j = skip_spaces(low, match.end())
        number = number_at(text, j) if starts_number(text, j) else None
        if number is None or isinstance(number.value, float):
            continue
        cue = match.group()
        unit, _ = _unit_after(low, number.stop)
        if cue in NEEDS_UNIT and unit is None:
            continue  # "up to 4" alone is no length: other rules read it
        found = _bound(ctx, at, match.start(), number, WORDS[cue])
        if found is not None:
            yield found


RANGE = re.compile(r"(?:required )?(?:array |string )?length ?: ?")


def length_range(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A length range, "a - b" with its unit (or after "length:").

    Examples::

        [array] Required array length: 1 - 10 elements  => minItems = 1 ; maxItems = 10
        [array] Required array length: `1 - 10` elements  => minItems = 1 ; maxItems = 10
        [array] 1 - 10 elementsIf set, tokens are returned as Server-Sent Events
            => minItems = 1 ; maxItems = 10
        [string] Required string length: 1 - 64  => minLength = 1 ; maxLength = 64
    """
    text = ctx.texts[at].text
    i = looked = 0
    while looked < MOST_CUES:
        first = next_number(text, ctx.texts[at].low, i)
        if first is None:
            return
        looked += 1
        found = _range_at(ctx, at, first)
        if found is not None:
            yield found
            i = found.pieces[0].stop
        else:
            i = first.stop


def _range_at(ctx: Ctx, at: int, first: Number) -> Hit | None:
    text = ctx.texts[at].text
    low = ctx.texts[at].low
    j = skip_spaces(text, first.stop)
    if j >= len(text) or text[j] not in "-~" or isinstance(first.value, float):
        return None
    k = skip_spaces(text, j + 1)
    second = number_at(text, k) if k < len(text) and is_digit(text[k]) else None
    if second is None or second.value < first.value:
        return None
    unit, stop = _unit_after(low, second.stop)
    label = RANGE.search(low, max(0, first.start - 30), first.start)
    if unit is None and label is None:
        return None
    if unit is not None and unit.startswith(TOKENS):
        return None
    start = label.start() if label is not None else first.start
    min_key = _keyword("min", unit, "array" if "array" in low[start:first.start]
                       else "string" if "string" in low[start:first.start] else ctx.json_type)
    if min_key is None:
        return None
    max_key = min_key.replace("min", "max")
    return hit(at, start, max(stop, second.stop), Fact(min_key, first.value),
               Fact(max_key, second.value))


CLASS_CUE = re.compile(r"(?:must|can|may) (?:contain only|only contain|be|contain) ")
# "Must be a-z, A-Z, 0-9, or" with the rest on the next line: the class is not all there
CLASS_WORDS = {
    "letters": "A-Za-z", "a-z": "a-z", "A-Z": "A-Z", "digits": "0-9", "numbers": "0-9",
    "0-9": "0-9", "underscores": "_", "hyphens": "-", "dashes": "-", "periods": ".",
    "dots": ".",
}


def character_class(ctx: Ctx, at: int) -> Iterator[Hit]:
    """Which characters a string may hold, said in words: a pattern.

    Examples::

        [string] Must contain only letters, digits, underscores, and hyphens.
            => pattern = "^[A-Za-z0-9_-]+$"
        [string] Can contain only letters, numbers, underscores, and hyphens.
            => pattern = "^[A-Za-z0-9_-]+$"
        [string] Must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of
        64.
            => pattern = "^[a-zA-Z0-9_-]+$"
        [string] Can contain letters, numbers, underscores, and hyphens.
            => pattern = "^[A-Za-z0-9_-]+$" (inferred)
        [string] The name of the function. Must be a-z, A-Z, 0-9, or  => unread
    """
    text = ctx.texts[at].text
    for match in capped(CLASS_CUE.finditer(ctx.texts[at].low)):
        stop = text.find(".", match.end(), match.end() + 160)
        words = text[match.end():stop if stop != -1 else match.end() + 160]
        found = [(words.find(word), chars) for word, chars in CLASS_WORDS.items()
                 if word in words]
        if len(found) < 2:
            continue
        if stop == -1 and words.rstrip().endswith((",", " or", " and")):
            yield hit(at, match.start(), match.end() + len(words.rstrip()),
                      unread="a character class that goes on past its line")
            continue
        ranges = [chars for _, chars in sorted(found)]
        if "-" in ranges:  # a hyphen last in a class is a hyphen
            ranges = [r for r in ranges if r != "-"] + ["-"]
        end = _class_end(words)
        only = "only" in match.group() or words.lstrip().startswith(("a-z", "A-Z"))
        yield hit(at, match.start(), match.end() + end,
                  Fact("pattern", "^[" + "".join(dict.fromkeys(ranges)) + "]+$",
                       None if only else "\"can contain\" read as \"contains only\""))


def _class_end(words: str) -> int:
    cut = words.find(", with")
    return cut if cut != -1 else len(words)
