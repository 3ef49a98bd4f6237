"""Bounds a docs renderer prints as a widget: its label glued to an inequality over the
widget's own variable (Fumadocs: ``Range1 <= value``, ``Length1 <= length <= 64``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._hits import Ctx, Fact, Hit, hit, skip_spaces
from ._numbers import Number, number_at, starts_number

# label -> the variable it bounds; the variable's bound keywords per JSON type
WIDGET = re.compile(r"(range|length|items)(?=[-+\d]|\s*(?:value|length|items)\b)")
VARIABLE = re.compile(r"\s*(value|length|items)\b")
OPERATOR = re.compile(r"\s*(<=|<)\s*")
_LENGTHS = {"array": ("minItems", "maxItems")}


def widget_range(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A renderer's range widget, its label glued to the inequality (an entry's own mark).

    Examples::

        [integer] Range1 <= value           => minimum = 1
        [number] Range0 <= value <= 2       => minimum = 0 ; maximum = 2
        [number] Range0 < value < 1         => exclusiveMinimum = 0 ; exclusiveMaximum = 1
        [integer] Rangevalue <= 100         => maximum = 100
        [string] Length1 <= length          => minLength = 1
        [string] Length1 <= length <= 64    => minLength = 1 ; maxLength = 64
        [array] Items1 <= items <= 10       => minItems = 1 ; maxItems = 10
        [string] Length is 1 <= length.     => nothing
    """
    text, low = ctx.texts[at].text, ctx.texts[at].low
    start = skip_spaces(low, 0)
    label = WIDGET.match(low, start)
    if label is None:
        return
    i, facts = label.end(), []
    lower = _bound(text, low, i)
    if lower is not None:
        number, operator, i = lower
        facts.append(("lower", operator, number))
    variable = VARIABLE.match(low, i)
    if variable is None:
        return
    i = variable.end()
    upper = OPERATOR.match(low, i)
    if upper is not None and starts_number(text, upper.end()):
        number_found = number_at(text, upper.end())
        if number_found is None:
            return
        facts.append(("upper", upper.group(1), number_found))
        i = number_found.stop
    if not facts or low[i:].strip(" .;"):
        return  # more words after the widget: no widget
    yield hit(at, start, i, *(_fact(ctx, variable.group(1), side, operator, number)
                              for side, operator, number in facts))


def _bound(text: str, low: str, i: int) -> tuple[Number, str, int] | None:
    """``1 <=`` before the variable: the number, its operator, where the variable starts."""
    if not starts_number(text, i) and not text[i:i + 1].isdigit():
        return None
    number = number_at(text, i, fused=True)
    if number is None:
        return None
    operator = OPERATOR.match(low, number.stop)
    return (number, operator.group(1), operator.end()) if operator else None


def _fact(ctx: Ctx, variable: str, side: str, operator: str, number: Number) -> Fact:
    strict = operator == "<"
    if variable == "value":
        keyword = {("lower", False): "minimum", ("lower", True): "exclusiveMinimum",
                   ("upper", False): "maximum", ("upper", True): "exclusiveMaximum"}[
                       (side, strict)]
        return Fact(keyword, number.value, number.inferred)
    low_key, high_key = _LENGTHS.get(ctx.json_type or "", ("minLength", "maxLength")) \
        if variable == "length" else ("minItems", "maxItems")
    value = int(number.value) + (1 if side == "lower" else -1) * strict
    return Fact(low_key if side == "lower" else high_key, value, number.inferred)
