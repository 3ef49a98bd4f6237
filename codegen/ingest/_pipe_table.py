"""Pipe tables as rendered in prose API references (``name | type | description |``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._document import SourceDocument

_ROW = re.compile(
    r"^(?:(?P<section>Header|Body) \| )?(?P<name>[A-Za-z][\w.\-\[\]]*) \| (?P<type>[^|]*?) \|"
    r"(?P<rest>.*)$")


@dataclass
class Row:
    name: str
    type: str
    description: str
    line: int
    section: str | None


def table_rows(doc: SourceDocument, header: str, *, start: int = 1) -> list[Row]:
    """The rows of the table whose header line contains ``header``.

    A cell may run over several lines: a line with ``|`` that does not start a row
    continues the row above. The first line without ``|`` ends the table.
    """
    first = doc.find_line(header, start=start)
    rows: list[Row] = []
    section: str | None = None
    for number in range(first + 1, len(doc.lines) + 1):
        text = doc.line(number)
        if "|" not in text:
            break
        if match := _ROW.match(text):
            section = match.group("section") or section
            description = match.group("rest").split("|")[0].strip()
            rows.append(Row(match.group("name"), match.group("type").strip(), description,
                            number, section))
        elif rows:
            more = text.split("|")[0].strip()
            rows[-1].description = f"{rows[-1].description} {more}".strip()
    if not rows:
        doc.fail(first, f"the table {header!r} has no rows")
    return rows


def row_named(doc: SourceDocument, rows: list[Row], name: str, near: int) -> Row:
    for row in rows:
        if row.name == name:
            return row
    doc.fail(near, f"the table has no row for {name!r}")

