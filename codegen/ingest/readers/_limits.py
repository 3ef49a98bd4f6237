"""Token limits in model tables: which columns and labels hold them (structure), and the
limit rows their cells give (meaning, read by the constraint grammar's ``read_cell``).

A model table's column header (``上下文长度``, ``Max output``, seed 003's prose ``Input and
output limits``) or a grid's label (``最大输入长度（思考模式下）``) says a cell holds a limit;
the grammar reads the cell under that header (``12k`` is 12,000, and it says it assumed
k = 1,000). A row whose reading took a judgement (that one, or a blank cell continuing the
row above) is an :class:`InferredLimitRow` saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._records import LimitRow, Span
from ..grammar import read_cell

_LIMIT_WORDS = re.compile(
    r"(?i)上下文|最大输入|最大输出|思维链|context|max(?:imum)? (?:input|output)|"
    r"chain[- ]of[- ]thought|token limits?|input and output limits?")
_NOT_LIMITS = re.compile(r"(?i)成本|cost|price|价格|pricing|rpm|tpm")


@dataclass(frozen=True)
class InferredLimitRow(LimitRow):
    """A limit row whose reading took a judgement, and which one (``x-source.inferred``)."""

    inferred: str = ""


def is_limit_column(label: str) -> bool:
    """A column header or grid label under which cells are token limits."""
    return bool(_LIMIT_WORDS.search(label)) and not _NOT_LIMITS.search(label)


def limit_rows(model: str, label: str, cell: Span, *, inferred: str | None = None
               ) -> list[LimitRow]:
    """The limit rows the grammar reads in a limits cell under ``label``."""
    readings, _ = read_cell(label, cell, None)
    rows: list[LimitRow] = []
    for reading in readings:
        if not reading.keyword.startswith("x-limit:") or not isinstance(reading.value, int):
            continue
        name = reading.keyword.split(":", 1)[1]
        why = "; ".join(w for w in (inferred, reading.inferred) if w)
        if why:
            rows.append(InferredLimitRow(model, name, reading.value, reading.quote,
                                         reading.line, why))
        else:
            rows.append(LimitRow(model, name, reading.value, reading.quote, reading.line))
    return rows
