"""Pipe tables (``name | type | description |``), found by their header row: header words
in English or Chinese (Parameter/参数/名称/Name, Type/类型, Required/必选, Description/说明,
Default/默认值, Section/传参方式, Example/示例值, and token-limit columns).

A row starts at a name cell (after its ``Header``/``Body`` cell in a Section column, which
only the first row of each section carries). A line with ``|`` that does not start a row
continues the row above: its first piece continues the cell left open (a row line that does
not end with ``|``), the others are new cells. Blank lines do not end a table; a line
without ``|`` does. Model tables (a name column and limit columns, seed 003's
``Name | Description | Input and output limits``) give model mentions and limit rows; a
blank or missing limits cell continues the row above, said so in the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .._document import SourceDocument
from .._records import ModelMention, ParameterRecord, ReadDocument, Span
from ._cell_tables import column_kind
from ._limits import limit_rows
from ._samples import (
    code_mentions,
    find_samples,
    looks_like_model,
    outside,
    record_mentions,
    sample_line_numbers,
    unique,
)
from ._text_blocks import (
    LabelledSpan,
    finish,
    heading,
    is_name,
    mask_code,
    name_path,
    section_label,
    unbold,
    visible,
)

LAYOUT = "pipe_table"
_SEPARATOR = re.compile(r"\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*")
_ROW_SECTIONS = {"header": "header", "body": None, "query": None, "path": None}
_LABELS = {"required": "Required", "default": "Default", "example": "Example",
           "format": "Format"}
_FULL_SCORE_AT = 8


def split_cells(line: str, *, leading: bool = True) -> tuple[list[Span], bool]:
    """The cells of a table line (words stripped, empty ones kept) and whether the line
    closes its last cell (ends with ``|``). A leading ``|`` is decoration in a table whose
    rows start with one; elsewhere it closes the cell left open above. Spans carry line 0:
    the caller sets it."""
    text = line.strip()
    closed = text.endswith("|")
    if leading and text.startswith("|"):
        text = text[1:]
    if closed:
        text = text[:-1]
    return [Span(0, visible(piece)) for piece in text.split("|")], closed


def header_kinds(line: str) -> list[tuple[str, str]] | None:
    """(kind, words) of each column, when the line is a table's header row."""
    if "|" not in line:
        return None
    cells, _ = split_cells(line)
    words = [unbold(c.text) for c in cells]
    while words and not words[-1]:
        words.pop()
    kinds = [column_kind(w) for w in words]
    if len(words) < 2 or any(k is None for k in kinds) or kinds[0] not in ("name", "section"):
        return None
    return [(k or "", w) for k, w in zip(kinds, words, strict=True)]


@dataclass
class _Row:
    line: int
    cells: list[list[Span]] = field(default_factory=list)
    open: bool = False
    last: int = 0

    def text(self, index: int) -> str:
        return " ".join(s.text for s in self.cells[index]) if index < len(self.cells) else ""


@dataclass
class _Table:
    header: int
    columns: list[tuple[str, str]]
    section: str
    rows: list[_Row] = field(default_factory=list)
    last: int = 0


def _row_start(cells: list[Span], columns: list[tuple[str, str]]) -> bool:
    first = unbold(cells[0].text)
    if columns[0][0] == "section" and first.lower() in _ROW_SECTIONS and len(cells) > 1:
        first = unbold(cells[1].text)
    return is_name(first) or (columns[0][0] == "name" and looks_like_model(first))


def _extend(row: _Row, number: int, cells: list[Span], closed: bool) -> None:
    spans = [Span(number, c.text) for c in cells]
    if row.open and row.cells:
        if spans[0].text:
            row.cells[-1].append(spans[0])
        spans = spans[1:]
    row.cells += [[s] if s.text else [] for s in spans]
    row.open = not closed
    row.last = number


def _section_before(lines: list[str], index: int) -> str:
    """The section the labels just above a table name (``Response parameters``)."""
    seen = 0
    for at in range(index - 1, -1, -1):
        text = visible(lines[at])
        if not text:
            continue
        found = heading(lines[at])
        label = section_label(found[1] if found else text, is_heading=found is not None)
        if label:
            return label
        seen += 1
        if seen >= 3 or "|" in text:
            break
    return "request"


def find_tables(lines: list[str]) -> tuple[list[_Table], list[Span]]:
    """The tables and the lines with ``|`` that continue no row (orphans)."""
    tables: list[_Table] = []
    orphans: list[Span] = []
    index = 0
    while index < len(lines):
        columns = header_kinds(lines[index])
        if columns is None:
            index += 1
            continue
        table = _Table(index + 1, columns, _section_before(lines, index), last=index + 1)
        leading = lines[index].lstrip().startswith("|")
        index += 1
        while index < len(lines):
            line = lines[index]
            if not line.strip() or _SEPARATOR.fullmatch(line):
                index += 1
                continue
            if "|" not in line:
                break
            cells, closed = split_cells(line, leading=leading)
            # rows of a table whose header has no leading pipe never start with one
            continues = line.lstrip().startswith("|") and not leading
            if not continues and _row_start(cells, columns):
                table.rows.append(_Row(index + 1))
                _extend(table.rows[-1], index + 1, cells, closed)
                table.rows[-1].open = not closed
            elif table.rows:
                _extend(table.rows[-1], index + 1, cells, closed)
            else:
                orphans.append(Span(index + 1, visible(line)))
            table.last = index + 1
            index += 1
        tables.append(table)
    return tables, orphans


# -- parameter tables --------------------------------------------------------------------

def _parameters(table: _Table) -> list[ParameterRecord]:
    columns = list(table.columns)
    has_section = columns[0][0] == "section"
    if has_section:
        columns = columns[1:]
    records: list[ParameterRecord] = []
    section = table.section
    for row in table.rows:
        cells = row.cells
        if has_section and row.text(0).lower() in _ROW_SECTIONS:
            section = _ROW_SECTIONS[row.text(0).lower()] or table.section
            cells = cells[1:]
        records.append(_parameter(cells, columns, section, row.line))
    return records


def _parameter(cells: list[list[Span]], columns: list[tuple[str, str]], section: str,
               line: int) -> ParameterRecord:
    name = cells[0][0]
    record = ParameterRecord(name_path(name.text), line, name, section=section)
    for index, spans in enumerate(cells[1:], 1):
        kind = columns[index][0] if index < len(columns) else "description"
        if kind == "type" and spans:
            record.type_words = Span(spans[0].line, " ".join(s.text for s in spans))
        elif kind in _LABELS:
            labelled = [LabelledSpan(s.line, s.text, _LABELS[kind]) for s in spans]
            if kind == "required" and labelled:
                record.required = labelled[0]
            elif kind == "default":
                record.marks += labelled
            else:
                record.description += labelled
        else:
            record.description += spans
    if record.required is None and record.description:
        first = record.description[0]
        word = first.text.split(" ", 1)[0]
        if word in ("Optional.", "Required.") and not isinstance(first, LabelledSpan):
            record.required = Span(first.line, word)
    return record


# -- model tables ------------------------------------------------------------------------

def _model_rows(table: _Table, out: ReadDocument) -> None:
    above: dict[int, Span] = {}  # column -> the last filled cell (its words joined)
    for row in table.rows:
        model = row.text(0)
        out.models.append(ModelMention(model, row.line, "table"))
        for index, (kind, words) in enumerate(table.columns):
            if kind != "limit":
                continue
            spans = row.cells[index] if index < len(row.cells) else []
            if spans:
                above[index] = Span(spans[0].line, " ".join(s.text for s in spans))
                rows = limit_rows(model, words, above[index])
                if not rows:
                    out.leftovers.append(above[index])
                out.limits += rows
            elif index in above:
                why = (f"the limits cell of {model} (line {row.line}) is blank: it continues "
                       "the row above")
                out.limits += limit_rows(model, words, above[index], inferred=why)


def _cut(tables: list[_Table], lines: list[str]) -> _Row | None:
    """The last row, when the page ends inside it (its last cell still open)."""
    last_words = max((n for n, line in enumerate(lines, 1) if line.strip()), default=0)
    if tables and tables[-1].rows and tables[-1].last == last_words and tables[-1].rows[-1].open:
        return tables[-1].rows[-1]
    return None


def read(doc: SourceDocument) -> ReadDocument:
    lines = mask_code(doc.lines)
    tables, orphans = find_tables(lines)
    out = ReadDocument(LAYOUT, leftovers=orphans)
    if (cut := _cut(tables, lines)) is not None:
        tables[-1].rows.pop()
        out.leftovers += [s for cell in cut.cells for s in cell]
    records: list[ParameterRecord] = []
    for table in tables:
        kinds = [kind for kind, _ in table.columns]
        if "type" in kinds:
            records += _parameters(table)
        elif "limit" in kinds:
            _model_rows(table, out)
    out.records = finish(records)
    spans = [(t.header, t.last) for t in tables]
    out.samples = sorted(outside(find_samples(doc.lines), spans), key=lambda s: s.line)
    out.models += code_mentions(doc.lines, sample_line_numbers(out.samples))
    for record in out.records:
        out.models += record_mentions(record)
    out.models = unique(out.models)
    return out


def looks_like(text: str) -> float:
    """How strongly the text is pipe tables: rows under recognised header rows."""
    tables, _ = find_tables(mask_code(text.split("\n")))
    return min(1.0, sum(len(t.rows) for t in tables) / _FULL_SCORE_AT)


