"""The structure of a markdown page, found in one pass over its lines: fenced code blocks
with the heading or bold label nearest above each, pipe tables with their header and rows,
and the lines of prose (neither code, table, heading, front-matter nor Hugo shortcode).

Only structure: what a block or a cell means is its reader's business. Every part keeps its
1-based line. Linear in the page's length (each line is looked at a bounded number of times).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Patterns match a line's start only; the rest is taken apart by string methods, so no
# pattern can backtrack over a long line.
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r" {0,3}#{1,6}[ \t]")
_BOLD = ("**", "__")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
MAX_LABEL = 120


@dataclass(frozen=True)
class Fence:
    """A fenced code block: its opening line, the info string's first word (``json``), the
    lines between the fences, and the heading or bold label nearest above it with no other
    code block between (``Input`` from ``### Input`` or ``**Input**``)."""

    line: int
    info: str
    body: list[str]
    label: str | None
    closed: bool

    @property
    def first_body_line(self) -> int:
        return self.line + 1


@dataclass(frozen=True)
class Row:
    line: int
    cells: list[str]  # as written, stripped


@dataclass(frozen=True)
class Table:
    line: int  # the header's
    header: list[str]
    rows: list[Row]


@dataclass
class Page:
    fences: list[Fence] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    prose: list[tuple[int, str]] = field(default_factory=list)


def cells(line: str) -> list[str]:
    """A table line's cells (outer pipes dropped; ``\\|`` is a pipe inside a cell)."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip() for cell in _CELL_SPLIT.split(inner)]


def _front_matter_end(lines: list[str]) -> int:
    """The index of the first line after a leading ``---`` block (0 without one)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return index + 1
    return 0


def _label(line: str) -> str | None:
    """A heading's words (``### Input``), or a line that is one bold span (``**Input**``,
    ``**Input:**``)."""
    if _HEADING.match(line):
        words = line.strip().lstrip("#").strip().rstrip("#").strip()
        return words[:MAX_LABEL] or None
    stripped = line.strip().removesuffix(":").rstrip()
    for mark in _BOLD:
        inner = stripped[2:-2] if len(stripped) > 4 and stripped.startswith(mark) \
            and stripped.endswith(mark) else ""
        if inner and mark not in inner and len(inner) <= MAX_LABEL:
            return inner.strip().removesuffix(":").strip()
    return None


def _table_rule(line: str) -> bool:
    """``| --- | :---: |``: pipes, dashes, colons and spaces only, with a run of dashes."""
    squeezed = line.replace(" ", "").replace("\t", "")
    return "--" in squeezed and "|" in squeezed and not squeezed.strip("|-:")


def _shortcode(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("{{<", "{{%")) and stripped.endswith((">}}", "%}}"))


def _opening(line: str) -> tuple[str, str] | None:
    """(the fence's marker, its info string's first word) when ``line`` opens a block."""
    match = _FENCE.match(line)
    if match is None:
        return None
    marker, rest = match.group(1), line[match.end():]
    if marker[0] == "`" and "`" in rest:
        return None  # an inline code span, not a fence
    words = rest.split()
    return marker, (words[0].lower() if words else "")


def _closing(line: str, opening: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(opening) and stripped == opening[0] * len(stripped) \
        and len(line) - len(line.lstrip(" ")) <= 3


def _fence(lines: list[str], index: int, opening: tuple[str, str], label: str | None
           ) -> tuple[Fence, int]:
    """The block opened at ``index`` and the index after its closing fence."""
    marker, info = opening
    end = index + 1
    while end < len(lines) and not _closing(lines[end], marker):
        end += 1
    closed = end < len(lines)
    return Fence(index + 1, info, lines[index + 1:end], label, closed), end + 1


def _table(lines: list[str], index: int) -> tuple[Table, int]:
    """The pipe table whose header is at ``index`` (its rule line follows) and the index
    after its last row."""
    rows = []
    end = index + 2
    while end < len(lines) and "|" in lines[end] and lines[end].strip():
        rows.append(Row(end + 1, cells(lines[end])))
        end += 1
    return Table(index + 1, cells(lines[index]), rows), end


def read_page(text: str) -> Page:
    lines = text.split("\n")
    page = Page()
    label: str | None = None
    index = _front_matter_end(lines)
    while index < len(lines):
        line = lines[index]
        opening = _opening(line)
        if opening is not None:
            fence, index = _fence(lines, index, opening, label)
            page.fences.append(fence)
            label = None  # a label says what the block right after it is, not the next one
            continue
        if "|" in line and index + 1 < len(lines) and _table_rule(lines[index + 1]):
            table, index = _table(lines, index)
            page.tables.append(table)
            continue
        found = _label(line)
        if found is not None:
            label = found
        elif line.strip() and not _shortcode(line):
            page.prose.append((index + 1, line))
        index += 1
    return page
