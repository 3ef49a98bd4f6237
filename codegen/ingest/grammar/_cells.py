"""A table cell read under its header: the layout knows which column a cell is in (默认值,
上下文长度, "Context Window", 最大输出长度（思考模式下）); the cell holds only the value."""

from __future__ import annotations

from .._records import Span
from ._contract import Reading, Unread
from ._hits import skip_spaces
from ._limits import MEANING, limit_name
from ._numbers import number_at, starts_number
from ._read import read_constraints
from ._text import normalise
from ._values import coerce, value_at

DEFAULT_LABELS = ("默认值", "default")
NO_VALUE = frozenset({"无", "none", "-", "—", "null", "n/a", "空"})
LIMIT_LABELS = ("token", "上下文", "context", "最大输入", "最大输出", "思维链", "max input",
                "max output")


def read_cell(label: str, cell: Span, json_type: str | None
              ) -> tuple[list[Reading], list[Unread]]:
    """The cell's value as its header says: a default, a token limit, or (any other header)
    whatever the grammar reads in the cell's words.

    Examples::

        默认值 | 2000            => default = 2000
        默认值 | 无              => x-no-default = true
        上下文长度（Token数） | 12k  => x-limit:context_window = 12000 (inferred)
        最大输出长度（思考模式下） | 131072  => x-limit:max_output_tokens_thinking = 131072
    """
    text = normalise(cell.text)
    start = skip_spaces(text.text, 0)
    stop = len(text.text.rstrip())
    if start >= stop:
        return [], []
    low = normalise(label).low
    where = ((0, *text.raw_extent(start, stop)),)
    quote = text.quote(start, stop)
    if any(word in low for word in DEFAULT_LABELS):
        if text.low[start:stop] in NO_VALUE:
            return [Reading("x-no-default", True, quote, cell.line, "read_cell",
                            pieces=where)], []
        value = value_at(text.text, start, stops="\n")
        if value is not None and value.stop == stop:
            return [Reading("default", coerce(value, json_type), quote, cell.line, "read_cell",
                            pieces=where)], []
    if any(word in low for word in LIMIT_LABELS) and (MEANING.search(low) or "token" in low):
        number = number_at(text.text, start, magnitudes=True) \
            if starts_number(text.text, start) else None
        if number is not None and text.text[number.stop:stop].strip().lower() in (
                "", "tokens", "token"):
            return [Reading(f"x-limit:{limit_name(low)}", number.value, quote, cell.line,
                            "read_cell", number.inferred, pieces=where)], []
    return read_constraints([cell], json_type)
