"""Parameter lists: one entry per parameter, its name, its type and flags, then its prose.

Three renderings of the same family:

- markdown (docs.siliconflow.cn's markdown export): ``#### name`` headings, nested by
  heading level and dotted names (``response_format.type``), then a line of backticked
  cells (`` `enum<string>` `default:Qwen/QwQ-32B` `required` ``), prose, marks
  (``Required range: …``, ``Available options:`` inline or as a list) and ``**Example:**``
  blocks; ``## Body`` / ``## Response`` sections; fenced JSON samples;
- Mintlify flattened (:mod:`._mintlify`): ``[​ ](#anchor) nameTYPE flags description``;
- Mintlify rendered one cell per line (:mod:`._rendered`).

Lines are read as they are (no markdown library): the pages are renderings, not faithful
CommonMark (fences open mid-line, names carry U+200B), and every span must keep its line.
"""

from __future__ import annotations

import re

from .._document import SourceDocument
from .._records import ParameterRecord, ReadDocument, Span
from ._entries import Entry
from ._mintlify import entry_anchors, read_flattened
from ._rendered import read_rendered, rendered_pairs
from ._samples import (
    code_mentions,
    find_samples,
    outside,
    record_mentions,
    sample_line_numbers,
    unique,
)
from ._text_blocks import finish, heading, is_name, mask_code, name_path, section_label, visible

LAYOUT = "param_list"
_CELLS = re.compile(r"^\s*`[^`]+`(?:\s+(?:or\s+)?`[^`]+`)*\s*$")
_FULL_SCORE_AT = 8
_RULE = re.compile(r"\s*(?:-{3,}|\*{3,}|_{3,})\s*")


def _cells(line: str) -> list[tuple[int, int]]:
    """(start, end) of each backticked cell's words in a cell line."""
    found, at = [], 0
    while (start := line.find("`", at)) >= 0:
        end = line.find("`", start + 1)
        if end < 0:
            break
        found.append((start + 1, end))
        at = end + 1
    return found


def _next_words(lines: list[str], index: int) -> int | None:
    at = index + 1
    while at < len(lines) and not lines[at].strip():
        at += 1
    return at if at < len(lines) else None


def _cell_line(lines: list[str], index: int) -> int | None:
    """The cell line of the entry heading at ``index``, if the heading is an entry."""
    at = _next_words(lines, index)
    return at if at is not None and _CELLS.match(lines[at]) else None


def markdown_entries(lines: list[str]) -> int:
    """How many headings are followed by a cell line (for format detection)."""
    masked = mask_code(lines)
    return sum(1 for i, line in enumerate(masked)
               if (h := heading(line)) and is_name(h[1]) and _cell_line(masked, i) is not None)


class _Markdown:
    def __init__(self) -> None:
        self.out = ReadDocument(LAYOUT)
        self.section = "request"
        self.stack: list[tuple[int, ParameterRecord]] = []
        self.entry: Entry | None = None
        self.extents: list[tuple[int, int]] = []
        self.pending: list[Span] = []  # a name heading without its cell line, so far

    def close(self) -> None:
        if self.entry is not None:
            self.extents.append(self.entry.extent())
        self.entry = None

    def read(self, lines: list[str]) -> None:
        skip: int | None = None
        for index, line in enumerate(lines):
            if index == skip:
                continue
            found = heading(line)
            if found:
                skip = self.heading(lines, index, *found)
            elif _RULE.fullmatch(line):
                self.close()
            elif self.entry is not None:
                self.entry.take(index + 1, line)
            elif self.pending and line.strip():
                self.pending.append(Span(index + 1, visible(line)))
        self.close()
        self.out.leftovers += self.pending  # the page ends inside an entry's head: cut

    def heading(self, lines: list[str], index: int, level: int, title: str) -> int | None:
        self.close()
        self.pending = []
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        cells = _cell_line(lines, index) if is_name(title) else None
        if cells is None:
            self.section = section_label(title, is_heading=True) or self.section
            if is_name(title) and level > 2:
                self.pending = [Span(index + 1, title)]
            return None
        record = self.record(index + 1, title, cells + 1, lines[cells])
        self.stack.append((level, record))
        self.entry = Entry(record)
        self.entry.last = cells + 1
        return cells

    def record(self, number: int, name: str, cell_number: int, cell_line: str
               ) -> ParameterRecord:
        own = name_path(name)
        parent = self.stack[-1][1].path if self.stack else ()
        # ``response_format.type`` under ``response_format``: the dotted name repeats it
        overlap = next((n for n in range(len(own) - 1, 0, -1)
                        if tuple(p for p in parent if p != "[]")[-n:] == own[:n]), 0)
        record = ParameterRecord((*parent, *own[overlap:]), number, Span(number, name),
                                 section=self.section)
        self.cells(record, cell_number, cell_line)
        self.out.records.append(record)
        return record

    def cells(self, record: ParameterRecord, number: int, line: str) -> None:
        types: list[tuple[int, int]] = []
        for start, end in _cells(line):
            words = line[start:end]
            if words in ("required", "deprecated", "header", "query", "path"):
                if words == "required":
                    record.required = Span(number, words)
                elif words == "deprecated":
                    record.deprecated = Span(number, words)
                elif words == "header":
                    record.section = "header"
            elif words.startswith("default"):
                record.marks.append(Span(number, words))
            else:
                types.append((start, end))
        if types:
            record.type_words = Span(number, line[types[0][0]:types[-1][1]])


def _read_markdown(doc: SourceDocument) -> tuple[ReadDocument, list[tuple[int, int]]]:
    reader = _Markdown()
    reader.read(mask_code(doc.lines))
    return reader.out, reader.extents


def _scores(text: str) -> tuple[int, int, int]:
    lines = text.split("\n")
    return markdown_entries(lines), entry_anchors(text), rendered_pairs(lines)


def looks_like(text: str) -> float:
    """How strongly the text is a parameter list: entry headings with cell lines, entry
    anchors, or name lines followed by type lines."""
    return min(1.0, sum(_scores(text)) / _FULL_SCORE_AT)


def read(doc: SourceDocument) -> ReadDocument:
    markdown, anchors, rendered = _scores(doc.text)
    if anchors >= max(markdown, rendered):
        out, extents = read_flattened(doc)
    elif markdown >= rendered:
        out, extents = _read_markdown(doc)
    else:
        out, extents = read_rendered(doc)
    out.records = finish(out.records)
    samples = find_samples(doc.lines)
    out.samples = sorted(outside(samples, extents), key=lambda s: s.line)
    mentions = code_mentions(doc.lines, sample_line_numbers(out.samples))
    for record in out.records:
        mentions += record_mentions(record)
    out.models = unique(mentions)
    out.leftovers.sort(key=lambda s: s.line)
    return out
