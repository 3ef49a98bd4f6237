"""Mintlify parameter lists rendered one cell per line (docs.siliconflow.cn as text): a name
line (after a U+200B), then a line of type and fused flags (``integerdefault:1required``,
``enum<string>default:1024x1024required``), sometimes more type lines (``string`` /
``string`` / ``required`` for a union) or one flag per line (``default:`` / ``Apple`` /
``required``), then prose and marks until the next entry. Fumadocs fuses the name to its type
on one line (``top_ninteger``, ``modelstringrequired``) and prints its widgets glued to their
labels (``Range1 <= value``, ``Default1024``, ``Example"Apple"``).
"""

from __future__ import annotations

import re

from .._document import SourceDocument
from .._records import ParameterRecord, ReadDocument, Span
from ._entries import Entry
from ._text_blocks import (
    FENCE,
    LabelledSpan,
    heading,
    is_name,
    name_path,
    section_label,
    starts_invisible,
    visible,
)
from ._types import Head, fused_line

TYPE_LINE = "type"


def type_lines(lines: list[str], index: int) -> list[tuple[int, Head]]:
    """The type lines after the name at ``lines[index]``: the next line, or (after a name
    that starts with U+200B, the renderer's mark of a name) the next non-blank one."""
    at = index + 1
    if starts_invisible(lines[index]):
        while at < len(lines) and not lines[at].strip():
            at += 1
    found: list[tuple[int, Head]] = []
    while at < len(lines):
        head = fused_line(lines[at])
        if head is None and found and _bare_default(lines, found[-1]):
            head = _value_line(lines[at])  # `default:` then its value on the next line
        if head is None or (found and head.type is None and not head.flags):
            break
        if not found and head.type is None:
            return []
        found.append((at, head))
        at += 1
    return found


def _bare_default(lines: list[str], last: tuple[int, Head]) -> bool:
    """The line is ``default:`` alone: its value is on the next line."""
    at, head = last
    span = head.flags.get("default")
    return span is not None and lines[at][span[0]:span[1]] == "default:"


def _value_line(text: str) -> Head | None:
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    if not 0 < end - start <= 200:
        return None
    return Head(flags={"default": (start, end)}, end=end)


_FUSED_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_TYPE_START = re.compile(r"(?=string|integer|number|boolean|object|array|enum<|null|file)")


def fused_entry(line: str) -> tuple[int, Head] | None:
    """A name fused to its type and flags on one line (Fumadocs: ``modelstringrequired``,
    ``top_ninteger``, ``documentsstring | arrayrequired``): where the name ends, and the
    type and flags after it. The name is the shortest lower-case identifier after which the
    rest of the line is a whole type-and-flags cell."""
    text = line.strip()
    if not text or len(text) > 200 or " " in text.replace(" | ", "|"):
        return None
    for found in _TYPE_START.finditer(text, 1):
        name = text[:found.start()]
        if not _FUSED_NAME.fullmatch(name):
            return None
        head = fused_line(text[found.start():])
        if head is not None and head.type is not None:
            return found.start(), head
    return None


def rendered_pairs(lines: list[str]) -> int:
    """How many name lines are followed by a type line, or fused to it (format detection)."""
    return sum(1 for i, line in enumerate(lines)
               if (is_name(visible(line)) and (starts_invisible(line) or
                                               (i + 1 < len(lines) and lines[i + 1].strip()))
                   and type_lines(lines, i)) or fused_entry(line) is not None)


class _Reader:
    def __init__(self) -> None:
        self.out = ReadDocument("param_list")
        self.section = "request"
        self.entry: Entry | None = None
        self.extents: list[tuple[int, int]] = []

    def close(self) -> None:
        if self.entry is not None:
            self.extents.append(self.entry.extent())
        self.entry = None

    def read(self, lines: list[str]) -> None:
        index = 0
        while index < len(lines):
            index = self.line(lines, index)

    def line(self, lines: list[str], index: int) -> int:
        raw = lines[index]
        text = visible(raw)
        if raw.lstrip().startswith(FENCE):
            self.close()  # rendered pages wrap whole sections in fences: code ends an entry
            return index + 1
        found = heading(raw)
        if found:
            self.close()
            label = section_label(found[1], is_heading=True)
            self.section = label or ("request" if found[0] == 1 else self.section)
            return index + 1
        if is_name(text) and (types := type_lines(lines, index)):
            self.close()
            self.start(index + 1, text, [(at + 1, lines[at], head) for at, head in types])
            return types[-1][0] + 1
        if fused := fused_entry(raw):
            self.close()
            self.start_fused(index + 1, raw, *fused)
            return index + 1
        if starts_invisible(raw) and is_name(text):
            self.close()  # a name without its type line: the entry was cut
            self.out.leftovers.append(Span(index + 1, text))
        elif label := section_label(text, is_heading=False):
            self.close()
            self.section = label
        elif self.entry is not None:
            self.entry.take(index + 1, raw)
        return index + 1

    def start_fused(self, number: int, raw: str, name_end: int, head: Head) -> None:
        begin = len(raw) - len(raw.lstrip())
        self.start(number, raw[begin:begin + name_end],
                   [(number, raw, _shifted(head, begin + name_end))])

    def start(self, number: int, name: str, types: list[tuple[int, str, Head]]) -> None:
        record = ParameterRecord(name_path(name), number, Span(number, name),
                                 section=self.section)
        for order, (line, text, head) in enumerate(types):
            if head.type and order == 0:
                record.type_words = Span(line, text[head.type[0]:head.type[1]])
            elif head.type:
                record.description.append(
                    LabelledSpan(line, text[head.type[0]:head.type[1]], TYPE_LINE))
            flags = {k: Span(line, text[a:b]) for k, (a, b) in head.flags.items()}
            record.required = flags.get("required", record.required)
            record.deprecated = flags.get("deprecated", record.deprecated)
            if "header" in flags:
                record.section = "header"
            if "default" in flags:
                record.marks.append(flags["default"])
        self.out.records.append(record)
        self.entry = Entry(record)
        self.entry.last = types[-1][0]


def _shifted(head: Head, by: int) -> Head:
    return Head(head.type and (head.type[0] + by, head.type[1] + by),
                {flag: (a + by, b + by) for flag, (a, b) in head.flags.items()}, head.end + by)


def read_rendered(doc: SourceDocument) -> tuple[ReadDocument, list[tuple[int, int]]]:
    reader = _Reader()
    reader.read(doc.lines)
    reader.close()
    return reader.out, reader.extents
