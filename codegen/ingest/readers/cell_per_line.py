"""One cell per line (help.aliyun.com's Chinese references, copied as text or markdown).

An entry's head is one line, ``name type （必选|可选）[default]`` (full-width parentheses,
sometimes no space before them; ``string 或 array``; ``system_fingerprintstring`` fused), or in
the English pages ``name type (Required|Optional) [Defaults to …]`` (``string or array``),
or ``name type`` alone in a response; its prose runs until the next head or section label
(``请求体``, ``chat响应对象``, ``chat响应chunk对象``). A placement sentence (``通过HTTP调用时，
请将 temperature 放入 parameters 对象中``) is the record's placement; ``属性`` / ``output属性``
(a collapsed or expanded block of members) stay in the description as widget spans: the
copy does not say where an expanded block ends, so members keep their own names as paths.

Tables rendered one cell per line (parameter tables, model tables with token-limit columns,
label/value grids) are read by :mod:`._cell_tables`.
"""

from __future__ import annotations

import re

from .._document import SourceDocument
from .._records import ModelMention, ParameterRecord, ReadDocument, Span
from ._cell_tables import column_kind, read_tables
from ._entries import Entry
from ._samples import (
    code_mentions,
    find_samples,
    looks_like_model,
    outside,
    record_mentions,
    sample_line_numbers,
    unique,
)
from ._text_blocks import finish, heading, mask_code, name_path, section_label, visible
from ._types import ZH_TYPE

LAYOUT = "cell_per_line"
_NAME = r"(?-i:[A-Za-z_$](?:[\w.\-$]|\\[_\[\]])*|[A-Z][a-z]+(?: [A-Z][a-z]+)+)"
HEAD = re.compile(
    rf"^(?P<name>{_NAME})(?P<gap>\s*)(?P<type>{ZH_TYPE}(?:\s*(?:或|or)\s*{ZH_TYPE})*)(?![\w<])"
    r"\s*(?P<req>[（(](?:必选|可选|必填|选填|required|optional)(?P<dep>[，,]\s*(?:即将废弃|已废弃|"
    r"不推荐|deprecated))?[）)])?(?P<rest>.*)$", re.IGNORECASE)
_CUT = re.compile(rf"^{_NAME}\s+(?:(?P<part>[a-z]{{1,7}})|{ZH_TYPE}\s*[（(][^）)]{{0,3}})$",
                  re.IGNORECASE)
_TYPE_WORDS = ("string", "integer", "float", "double", "number", "boolean", "array", "object",
               "map", "list", "dict")
_FULL_SCORE_AT = 8


_BULLET = re.compile(r"^(?:[*+-]|\d{1,3}\.)\s+")


def unwrapped(line: str) -> str:
    """The visible text of a line as a page rendered to markdown writes it: a list bullet,
    bold and ``\\_`` escapes removed (``  * **include\\_usage boolean （可选）**``)."""
    text = _BULLET.sub("", visible(line))
    if text.startswith("**"):
        text = text.replace("**", "").strip()
    return text.replace("\\_", "_")


def head(text: str) -> re.Match[str] | None:
    """The entry head a line is, if it is one.

    A name fused to its type needs an underscore (``system_fingerprintstring``), a name of
    several words (``System Message``) and a head with words after its type need the
    required mark: prose never starts that way.
    """
    found = HEAD.match(text)
    if not found:
        return None
    name, gap = found.group("name"), found.group("gap")
    marked = found.group("req") is not None
    if (not gap and "_" not in name) or (" " in name and not marked):
        return None
    if not marked and found.group("rest").strip():
        return None
    return found


def _title_model(lines: list[str]) -> tuple[str, int] | None:
    """The model a model card is about: its first heading, when that is a model id."""
    for number, line in enumerate(lines, 1):
        if found := heading(line):
            words = found[1].split()
            return (words[0], number) if words and looks_like_model(words[0]) else None
    return None


class _Reader:
    def __init__(self) -> None:
        self.out = ReadDocument(LAYOUT)
        self.section = "request"
        self.entry: Entry | None = None
        self.extents: list[tuple[int, int]] = []
        # (indent, record) of the open markdown list entries: a bulleted entry under another
        # is its member (rendered copies without bullets keep their names as paths)
        self.open: list[tuple[int, ParameterRecord | None]] = []
        self.parents: dict[int, ParameterRecord] = {}  # id(child) -> its parent entry

    def close(self) -> None:
        if self.entry is not None:
            self.extents.append(self.entry.extent())
        self.entry = None

    def line(self, number: int, line: str) -> None:
        if found := heading(line):
            self.close()
            self.section = section_label(found[1], is_heading=True) or self.section
            self.open = []
            return
        text = unwrapped(line)
        if text and (entry := head(text)):
            self.close()
            self.start(number, line, entry)
        elif text and (label := section_label(text, is_heading=False)):
            self.close()
            self.section = label
            self.open = []
        elif self.entry is not None:
            self.entry.take(number, line)

    def start(self, number: int, line: str, found: re.Match[str]) -> None:
        name = found.group("name")
        parent = self.parent(line)
        record = ParameterRecord((parent.path if parent else ()) + name_path(name), number,
                                 Span(number, name), type_words=Span(number, found.group("type")),
                                 section=self.section)
        if parent is not None:
            self.parents[id(record)] = parent
        # a shape named in words (`User Message object （必选）`) is not a member: its
        # members belong to the entry above it
        self.open.append((_indent(line), parent if " " in name else record))
        if found.group("req"):
            record.required = Span(number, found.group("req"))
        if found.group("dep"):  # `（可选，即将废弃）`: still accepted, said to be going
            record.deprecated = Span(number, found.group("dep").lstrip("，, "))
        if rest := found.group("rest").strip():
            record.marks.append(Span(number, rest))
        self.out.records.append(record)
        self.entry = Entry(record)

    def parent(self, line: str) -> ParameterRecord | None:
        indent = _indent(line)
        while self.open and self.open[-1][0] >= indent:
            self.open.pop()
        return self.open[-1][1] if self.open and indent else None

    def inherit_placements(self) -> None:
        """A member goes where its entry goes (``messages`` 放入 input 对象中: its ``role``
        too)."""
        for record in self.out.records:
            parent = self.parents.get(id(record))
            while record.placement is None and parent is not None:
                record.placement = parent.placement
                parent = self.parents.get(id(parent))


def _indent(line: str) -> int:
    """A markdown list entry's depth (its bullet's column); 0 for a line without a bullet."""
    stripped = visible(line)
    return len(line) - len(line.lstrip()) + 1 if _BULLET.match(stripped) else 0


def _cut_head(lines: list[str]) -> Span | None:
    """The last line, when the page ends inside an entry's head (``top_k inte``)."""
    for number in range(len(lines), 0, -1):
        if text := visible(lines[number - 1]):
            found = _CUT.match(text)
            part = found.group("part") if found else None
            cut = found is not None and not head(text) and (part is None or any(
                word.startswith(part.lower()) for word in _TYPE_WORDS))
            return Span(number, text) if cut else None
    return None


def read(doc: SourceDocument) -> ReadDocument:
    lines = mask_code(doc.lines)
    title = _title_model(lines)
    tables = read_tables(lines, title[0] if title else None)
    reader = _Reader()
    covered = {n for first, last in tables.spans for n in range(first, last + 1)}
    cut = _cut_head(lines)
    for number, line in enumerate(lines, 1):
        if number in covered:
            reader.close()
        elif cut is None or number != cut.line:
            reader.line(number, line)
    reader.close()
    out = reader.out
    if cut is not None:
        out.leftovers.append(cut)
    out.records = finish(out.records + tables.records)
    reader.inherit_placements()
    out.limits = tables.limits
    out.leftovers += tables.leftovers
    samples = find_samples(doc.lines)
    out.samples = sorted(outside(samples, reader.extents + tables.spans),
                         key=lambda s: s.line)
    mentions = code_mentions(doc.lines, sample_line_numbers(out.samples)) + tables.models
    if title and tables.limits:
        mentions.append(ModelMention(title[0], title[1], "heading"))
    for record in out.records:
        mentions += record_mentions(record)
    out.models = unique(mentions)
    return out


def _structure(text: str) -> int:
    lines = mask_code(text.split("\n"))
    heads = sum(1 for line in lines if (entry := head(unwrapped(line))) and entry.group("req"))
    header_cells = sum(1 for line in lines if column_kind(visible(line)) is not None
                       and not heading(line))
    tables = read_tables(lines, (_title_model(lines) or ("", 0))[0] or None)
    rows = len({r.line for r in tables.records}) + len(tables.limits)
    return heads + rows + (header_cells if rows else 0) // 2


def looks_like(text: str) -> float:
    """How strongly the text is one cell per line: entry heads with a required mark, and
    rows of tables whose header cells stand one per line."""
    return min(1.0, _structure(text) / _FULL_SCORE_AT)

