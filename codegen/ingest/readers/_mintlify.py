"""Mintlify parameter lists flattened to text (docs.qwencloud.com): each entry starts at an
empty link ``[​ ](#anchor)`` (U+200B inside the brackets), several may share a line, and the
name is fused to its type (``parameters.temperaturenumber``).

The anchor is the name lowercased, ``.`` removed and ``_`` as ``-``: walking the text after
the link against it finds where the name ends, whatever the type. Then the type words, the
flags (``required``, ``deprecated``, ``header``, ``default"text"``, ``defaultfalse``), and the
description up to the next anchor. Words before an anchor belong to the entry before it:
``Required range:0 <= x < 2 [​ ](#parameterstop-p)`` is temperature's.
"""

from __future__ import annotations

import re

from .._document import SourceDocument
from .._records import ParameterRecord, ReadDocument, Span
from ._entries import Entry
from ._text_blocks import NAME, heading, is_mark, mask_code, name_path, section_label, visible
from ._types import TYPE, spaced_flags

ANCHOR = re.compile(r"\[\u200b? ?\]\(#([A-Za-z0-9_\-]{1,300})\)")
_DEDUPED = re.compile(r"-\d+$")


def entry_anchors(text: str) -> int:
    """How many entry links the text has (structure only: for format detection)."""
    return sum(1 for line in text.split("\n") if "](#" in line and not heading(line)
               for _ in ANCHOR.finditer(line))


def _walk(text: str, start: int, anchor: str) -> int | None:
    """Where the name matching ``anchor`` ends in ``text`` from ``start``."""
    at, index = start, 0
    while index < len(anchor):
        if at >= len(text):
            return None
        char = text[at]
        if char == ".":
            at += 1
        elif char.lower() == anchor[index] or (char == "_" and anchor[index] == "-"):
            at, index = at + 1, index + 1
        else:
            return None
    return at


def _by_type(text: str, start: int) -> int | None:
    """Where a name ends when the anchor does not spell it: before the first type words."""
    for end in range(start + 1, min(len(text), start + 200)):
        found = TYPE.match(text, end)
        if found and NAME.fullmatch(text, start, end) and \
                (found.end() == len(text) or text[found.end()].isspace()):
            return end
    return None


def name_end(text: str, start: int, anchor: str) -> int | None:
    for spelled in (anchor, _DEDUPED.sub("", anchor)):
        end = _walk(text, start, spelled)
        if end is not None and end > start:
            return end
    return _by_type(text, start)


class _Reader:
    def __init__(self, doc: SourceDocument) -> None:
        self.doc = doc
        self.out = ReadDocument("param_list")
        self.section = "request"
        self.entry: Entry | None = None
        self.extents: list[tuple[int, int]] = []

    def close(self) -> None:
        if self.entry is not None:
            self.extents.append(self.entry.extent())
        self.entry = None

    def line(self, number: int, line: str) -> None:
        found = heading(line)
        if found:
            self.close()
            title = ANCHOR.sub("", found[1])
            self.section = section_label(title, is_heading=True) or self.section
            return
        anchors = list(ANCHOR.finditer(line))
        ends = [m.start() for m in anchors] + [len(line)]
        self.words(number, line[:ends[0]])
        for index, anchor in enumerate(anchors):
            # only this entry's piece of the line: many entries on one line stay linear
            self.start(number, line[anchor.start():ends[index + 1]], anchor.group(1),
                       anchor.end() - anchor.start())

    def words(self, number: int, segment: str) -> None:
        """Words before the next anchor: the open entry's, or chrome (an orphan mark is a
        leftover)."""
        if self.entry is not None:
            self.entry.take(number, segment)
        elif is_mark(segment):
            self.out.leftovers.append(Span(number, visible(segment)))

    def start(self, number: int, text: str, anchor: str, link_end: int) -> None:
        """An entry from its link (``text`` starts with it) to the next link."""
        self.close()
        begin = link_end
        while begin < len(text) and text[begin] == " ":
            begin += 1
        end = name_end(text, begin, anchor)
        head = spaced_flags(text, end) if end is not None else None
        if end is None or head is None or (head.type is None and not head.flags):
            self.out.leftovers.append(Span(number, visible(text)))
            return
        record = ParameterRecord(name_path(text[begin:end]), number,
                                 Span(number, text[begin:end]), section=self.section)
        if head.type:
            record.type_words = Span(number, text[head.type[0]:head.type[1]])
        flags = {k: Span(number, text[a:b]) for k, (a, b) in head.flags.items()}
        record.required = flags.get("required")
        record.deprecated = flags.get("deprecated")
        if "header" in flags:
            record.section = "header"
        if "default" in flags:
            record.marks.append(flags["default"])
        self.out.records.append(record)
        self.entry = Entry(record)
        self.entry.take(number, text[head.end:])


def read_flattened(doc: SourceDocument) -> tuple[ReadDocument, list[tuple[int, int]]]:
    """The records of a flattened Mintlify page, and each entry's (first, last) line."""
    reader = _Reader(doc)
    for number, line in enumerate(mask_code(doc.lines), 1):
        reader.line(number, line)
    reader.close()
    return reader.out, reader.extents
