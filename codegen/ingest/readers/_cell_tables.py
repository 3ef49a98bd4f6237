"""Tables rendered one cell per line (help.aliyun.com copied as text or markdown): a run of
header cells (``**参数**`` ``**类型**`` ``**默认值**`` ``**说明**``), then the body's cells,
one paragraph each, until the next heading.

Three kinds, told by their header words:

- parameter tables (a name and a type column): a row starts at a name cell followed by a
  type cell; its other cells fill the short columns after the type (必选, 默认值, 输出格式)
  in order, and the rest is its description (the last cell its example when the row has
  exactly one cell per column);
- model tables (a name column and limit columns: 上下文长度 / 最大输入 / 最大输出,
  ``Context window``, or a prose ``Input and output limits``): a row starts at a model id;
- label/value grids (``参数`` ``值`` ``参数`` ``值``): each label beside its value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .._records import LimitRow, ModelMention, ParameterRecord, Span
from ._limits import is_limit_column, limit_rows
from ._samples import looks_like_model
from ._text_blocks import NAME, LabelledSpan, heading, name_path, section_label, unbold, visible
from ._types import ZH_TYPE_CELL

_KINDS = {
    "name": {"参数", "参数名", "字段", "名称", "模型名称", "name", "parameter", "field"},
    "type": {"类型", "type"},
    "required": {"必选", "是否必选", "required"},
    "default": {"默认值", "default"},
    "description": {"说明", "描述", "description"},
    "example": {"示例值", "示例", "example"},
    "section": {"传参方式", "section"},
    "format": {"输出格式"},
    "value": {"值", "value"},
    "other": {"输入成本", "输出成本", "能力项", "支持情况", "计费项", "价格（元）", "单位"},
}
_SHORT = {"required": "Required", "default": "Default", "format": "Format"}
_ROW_SECTIONS = {"header": "header", "body": None, "query": None, "path": None}
_NAME_CELL = re.compile(rf"(?P<name>{NAME.pattern})\s*(?P<req>[（(](?:必选|可选)[）)])?")


def column_kind(text: str) -> str | None:
    words = unbold(text)
    lowered = words.lower()
    for kind, names in _KINDS.items():
        if lowered in names:
            return kind
    if not re.search(r"[._]", words) and is_limit_column(words):
        return "limit"
    if words[:1] in "（(" and words[-1:] in "）)":
        return "unit"
    return None


@dataclass
class Cell:
    line: int
    text: str


@dataclass
class Found:
    """What the tables of a document gave."""

    records: list[ParameterRecord] = field(default_factory=list)
    limits: list[LimitRow] = field(default_factory=list)
    models: list[ModelMention] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # lines each table covers
    leftovers: list[Span] = field(default_factory=list)


def _cells(lines: list[str], start: int) -> tuple[list[Cell], int]:
    """The non-blank lines from ``start`` to the next heading, and where that is."""
    cells: list[Cell] = []
    at = start
    while at < len(lines) and not heading(lines[at]):
        if text := visible(lines[at]):
            cells.append(Cell(at + 1, text))
        at += 1
    return cells, at


def header_run(lines: list[str], start: int) -> tuple[list[tuple[str, str]], int]:
    """(kind, words) of the header cells from ``lines[start]``, and the line after them."""
    run: list[tuple[str, str]] = []
    at = start
    while at < len(lines) and not heading(lines[at]):
        text = visible(lines[at])
        if text:
            kind = column_kind(text)
            # a grid's labels may name limits; its header (参数 值 参数 值) never does
            if kind is None or (kind == "limit" and any(k == "value" for k, _ in run)):
                break
            run.append((kind, unbold(text)))
        at += 1
    return run, at


def read_tables(lines: list[str], title_model: str | None) -> Found:
    """Every cell table of the document. Each line is looked at a bounded number of times:
    a header run that is no table is skipped whole."""
    found = Found()
    section = "request"
    at = 0
    while at < len(lines):
        if mark := heading(lines[at]):
            section = section_label(mark[1], is_heading=True) or section
            at += 1
            continue
        if not visible(lines[at]):
            at += 1
            continue
        run, after = header_run(lines, at)
        if not run:
            at += 1
            continue
        if not _is_table(run, title_model):
            at = after
            continue
        body, _ = _cells(lines, after)
        last = _table(run, body, section, title_model, found) or after
        found.spans.append((at + 1, last))
        at = max(last, at + 1)
    return found


def _is_table(run: list[tuple[str, str]], model: str | None) -> bool:
    kinds = [kind for kind, _ in run if kind != "unit"]
    return len(kinds) >= 2 and kinds[0] in ("name", "section") and (
        "type" in kinds or "limit" in kinds or ("value" in kinds and model is not None))


def _table(run: list[tuple[str, str]], body: list[Cell], section: str, model: str | None,
           found: Found) -> int | None:
    """Read a table's body; the last line it took."""
    kinds = [kind for kind, _ in run]
    if "limit" in kinds and "type" not in kinds:
        return _model_rows(run, body, found)
    if "type" in kinds:
        _parameter_rows(run, body, section, found)
    elif model is not None:
        _grid(body, model, found)
    return body[-1].line if body else None


# -- parameter tables ------------------------------------------------------------------

def _row_start(body: list[Cell], index: int) -> bool:
    if index + 1 >= len(body):
        return False
    name = _NAME_CELL.fullmatch(unbold(body[index].text))
    return name is not None and ZH_TYPE_CELL.fullmatch(unbold(body[index + 1].text)) is not None


def _parameter_rows(run: list[tuple[str, str]], body: list[Cell], section: str,
                    found: Found) -> None:
    columns = [(kind, words) for kind, words in run if kind != "unit"]
    after_type = [c for c in columns[[k for k, _ in columns].index("type") + 1:]
                  if c[0] not in ("name", "section")]
    starts = [i for i in range(len(body)) if _row_start(body, i)]
    row_section = section
    for order, start in enumerate(starts):
        end = starts[order + 1] if order + 1 < len(starts) else len(body)
        if body[start - 1:start] and (sec := unbold(body[start - 1].text).lower()) \
                in _ROW_SECTIONS:
            row_section = _ROW_SECTIONS[sec] or section
        cells = body[start:end]
        if end < len(body) and cells and unbold(cells[-1].text).lower() in _ROW_SECTIONS:
            cells = cells[:-1]  # the next row's section cell
        found.records.append(_parameter(cells, after_type, row_section))


def _parameter(cells: list[Cell], after_type: list[tuple[str, str]], section: str
               ) -> ParameterRecord:
    name_cell, type_cell, rest = cells[0], cells[1], list(cells[2:])
    named = _NAME_CELL.fullmatch(unbold(name_cell.text))
    assert named is not None  # a row starts at a name cell
    name = named.group("name")
    record = ParameterRecord(name_path(name), name_cell.line, Span(name_cell.line, name),
                             type_words=Span(type_cell.line, unbold(type_cell.text)),
                             section=section)
    if named.group("req"):
        record.required = Span(name_cell.line, named.group("req"))
    for kind, _ in after_type:
        if kind in _SHORT and rest:
            cell = rest.pop(0)
            span = LabelledSpan(cell.line, cell.text, _SHORT[kind])
            if kind == "required":
                record.required = span
            elif kind == "default":
                record.marks.append(span)
            else:
                record.description.append(span)
    long_columns = [kind for kind, _ in after_type if kind not in _SHORT]
    for index, cell in enumerate(rest):
        example = len(rest) == len(long_columns) and long_columns[index] == "example"
        record.description.append(LabelledSpan(cell.line, cell.text, "Example") if example
                                  else Span(cell.line, cell.text))
    return record


# -- model tables and grids ------------------------------------------------------------

def _model_rows(run: list[tuple[str, str]], body: list[Cell], found: Found) -> int | None:
    """Rows while a model id starts one; the last line read."""
    columns = [(kind, words) for kind, words in run if kind != "unit"]
    index = 0
    while index < len(body) and looks_like_model(unbold(body[index].text)):
        model = unbold(body[index].text)
        found.models.append(ModelMention(model, body[index].line, "table"))
        row = body[index + 1:index + len(columns)]
        for (kind, words), cell in zip(columns[1:], row, strict=False):
            if kind == "limit":
                found.limits += _cell_limits(model, words, cell, found)
        index += len(columns)
    return body[min(index, len(body)) - 1].line if index else None


def _cell_limits(model: str, label: str, cell: Cell, found: Found) -> list[LimitRow]:
    """The limits a cell gives; a cell with words and no limit is a leftover."""
    rows = limit_rows(model, label, Span(cell.line, unbold(cell.text)))
    if not rows and unbold(cell.text) not in ("", "-", "—", "无"):
        found.leftovers.append(Span(cell.line, cell.text))
    return rows


def _grid(body: list[Cell], model: str, found: Found) -> None:
    for label, value in zip(body[::2], body[1::2], strict=False):
        words = unbold(label.text)
        if is_limit_column(words):
            found.limits += _cell_limits(model, words, value, found)
