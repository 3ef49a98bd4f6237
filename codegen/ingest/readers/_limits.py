"""Token limits in model tables: which limit a column or label names, and the number a
cell holds.

A model table's column header (``上下文长度``, ``Max output``) or a grid's label (``最大输入长度
（思考模式下）``) says which limit a cell is; a limits column written as prose (seed 003's
``Input and output limits``) is read clause by clause, each number taking the limit word
nearest to it. A reading that took a judgement (``12k`` read as 12,000, a blank cell that
continues the row above) is an :class:`InferredLimitRow` saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._records import LimitRow

CONTEXT, INPUT, OUTPUT = "context_window", "max_input_tokens", "max_output_tokens"
THINKING_SUFFIX = "_thinking"
REASONING = "max_reasoning_tokens"

_WORDS = (
    (REASONING, re.compile(r"(?i)思维链|chain[- ]of[- ]thought|reasoning")),
    (CONTEXT, re.compile(r"(?i)上下文|context")),
    (INPUT, re.compile(r"(?i)输入|\binput")),
    (OUTPUT, re.compile(r"(?i)输出|\boutput")),
)
_THINKING = re.compile(r"(?i)思考模式|thinking")
_PROSE_COLUMN = re.compile(r"(?i)input and output limits|limits?$|限制$")


@dataclass(frozen=True)
class InferredLimitRow(LimitRow):
    """A limit row whose reading took a judgement, and which one (``x-source.inferred``)."""

    inferred: str = ""


def limit_name(label: str) -> str | None:
    """The limit a column header or grid label names, or None.

    ``上下文长度`` context_window; ``最大输入`` max_input_tokens; ``Max output``
    max_output_tokens; ``（思考模式下）`` adds ``_thinking``; ``最大思维链长度``
    max_reasoning_tokens. A label naming two limits (``Input and output limits``) names none.
    """
    if is_prose_column(label) or re.search(r"(?i)成本|cost|price|价格", label):
        return None
    named = [name for name, words in _WORDS if words.search(label)]
    if len(named) != 1:
        return None
    name = named[0]
    if name in (INPUT, OUTPUT) and _THINKING.search(label):
        return name + THINKING_SUFFIX
    return name


def is_prose_column(label: str) -> bool:
    return _PROSE_COLUMN.search(label.strip()) is not None


_CELL = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\s*([kKmM万]))?\s*(?:tokens?|Token|个)?")
_UNITS = {"k": 1000, "K": 1000, "m": 1_000_000, "M": 1_000_000, "万": 10_000}


def cell_value(text: str) -> tuple[int, str | None] | None:
    """(value, judgement) of a cell that is one number (``991808``, ``32,000 tokens``,
    ``12k``, ``100万``), or None."""
    found = _CELL.fullmatch(text.strip())
    if not found:
        return None
    value = int(found.group(1).replace(",", ""))
    unit = found.group(2)
    if not unit:
        return value, None
    scaled = value * _UNITS[unit]
    if unit == "万":
        return scaled, None
    return scaled, (f"{text.strip()} read as {scaled:,} ({unit} = {_UNITS[unit]:,}; the "
                    "document does not say whether it means 1,000 or 1,024)")


_CLAUSES = re.compile(r"[。；，]|[.;](?:\s|$)|,\s|\sand\s")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")


def prose_limits(text: str) -> list[tuple[str, int, str]]:
    """(limit, value, quote) for each number in a limits cell written as sentences.

    ``The model supports a context of up to 32,000 tokens, with a maximum of 30,000 tokens
    for input and 2,000 tokens for output.`` gives context 32,000, input 30,000, output
    2,000: each clause's number takes its nearest limit word.
    """
    found: list[tuple[str, int, str]] = []
    seen: set[str] = set()
    for clause in _CLAUSES.split(text):
        for number in _NUMBER.finditer(clause):
            name = _nearest(clause, number.start(), number.end())
            if name and name not in seen:
                seen.add(name)
                found.append((name, int(number.group().replace(",", "")), clause.strip()))
    return found


def _nearest(clause: str, start: int, end: int) -> str | None:
    best: tuple[int, str] | None = None
    for name, words in _WORDS[1:]:
        for word in words.finditer(clause):
            distance = start - word.end() if word.end() <= start else word.start() - end
            if best is None or distance < best[0]:
                best = (distance, name)
    return best[1] if best else None


def limit_rows(model: str, line: int, cell: str, *, inferred: str | None = None
               ) -> list[LimitRow]:
    """The limit rows a model's limits cell gives (prose), each citing its clause."""
    rows: list[LimitRow] = []
    for name, value, quote in prose_limits(cell):
        if inferred:
            rows.append(InferredLimitRow(model, name, value, quote, line, inferred))
        else:
            rows.append(LimitRow(model, name, value, quote, line))
    return rows


def value_row(model: str, name: str, line: int, cell: str, *, inferred: str | None = None
              ) -> LimitRow | None:
    """The limit row of one number cell under a limit column or beside a limit label."""
    read = cell_value(cell)
    if read is None:
        return None
    value, judgement = read
    why = "; ".join(w for w in (inferred, judgement) if w)
    if why:
        return InferredLimitRow(model, name, value, cell.strip(), line, why)
    return LimitRow(model, name, value, cell.strip(), line)
