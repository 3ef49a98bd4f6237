"""Reports as CI systems read them: GitHub workflow commands, JUnit XML, Markdown.

Every checking command (validate, fuzz, contract, diff) writes through these, so that an
annotation, a test case or a summary row looks the same whichever command made it. What
they carry comes from documents and payloads, i.e. from anyone: workflow-command fields are
escaped so that a message cannot start a command of its own, XML gets only the characters
XML 1.0 can hold, and a Markdown cell cannot open a row or a code span of its own.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._atomic import write_atomic

LEVELS = ("error", "warning", "notice")


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF are the only characters it must not
    hold as they are (the runner's own escaping, from @actions/core)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property (file, title): ``:`` and ``,`` end it, so they go too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, *, title: str, file: str | None = None,
               line: int | None = None) -> str:
    """``::error file=F,line=N,title=T::message`` — GitHub shows it on the file's line."""
    if level not in LEVELS:
        raise ValueError(f"annotation level {level!r}: one of {', '.join(LEVELS)}")
    where = []
    if file:
        where.append(f"file={escape_property(file)}")
        if line:
            where.append(f"line={int(line)}")
    where.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(where)}::{escape_data(message)}"


def document_path(source: dict[str, Any] | None) -> tuple[str | None, int | None]:
    """Where a constraint's words are, as a path from the project root (annotations are
    shown on files of the repository) and a line; (None, None) without provenance."""
    if not source or not source.get("doc"):
        return None, None
    doc = str(source["doc"])
    path = doc if doc.startswith(("/", ".")) else f"sources/{doc}"
    line = source.get("line")
    return path, line if isinstance(line, int) and line > 0 else None


# XML 1.0 holds tab, LF, CR and everything from U+0020 but the surrogates, U+FFFE and U+FFFF
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with what XML cannot hold shown as ``\\xNN`` (ElementTree would write it
    as it is, and the file would not parse)."""
    return _NOT_XML.sub(lambda m: ascii(m.group())[1:-1], text)


@dataclass(frozen=True)
class Case:
    """One JUnit test case: passed unless ``failure`` (or ``skipped``) says why not."""

    name: str
    classname: str
    seconds: float = 0.0
    failure: str | None = None  # the one-line reason; ``details`` holds the rest
    details: str = ""
    skipped: str | None = None


def junit(suites: dict[str, Sequence[Case]]) -> bytes:
    """A JUnit XML document, one ``<testsuite>`` per entry, as Jenkins, GitLab and the
    test-reporter actions read it (the schema pytest's ``--junitxml`` writes)."""
    root = ET.Element("testsuites")
    for suite_name, cases in suites.items():
        suite = ET.SubElement(root, "testsuite", name=xml_text(suite_name),
                              tests=str(len(cases)),
                              failures=str(sum(c.failure is not None for c in cases)),
                              errors="0", skipped=str(sum(c.skipped is not None for c in cases)),
                              time=f"{sum(c.seconds for c in cases):.3f}")
        for case in cases:
            element = ET.SubElement(suite, "testcase", name=xml_text(case.name),
                                    classname=xml_text(case.classname),
                                    time=f"{case.seconds:.3f}")
            if case.failure is not None:
                failure = ET.SubElement(element, "failure", message=xml_text(case.failure))
                failure.text = xml_text(case.details or case.failure)
            elif case.skipped is not None:
                ET.SubElement(element, "skipped", message=xml_text(case.skipped))
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def write_junit(path: str | os.PathLike[str], suites: dict[str, Sequence[Case]]) -> None:
    """Written whole or not at all: a reader never sees half a file."""
    write_atomic(Path(path), junit(suites).decode())


def md_cell(text: object, limit: int = 300) -> str:
    """A Markdown table cell: one line, its pipes escaped, shortened when long."""
    flat = " ".join(str(text).split())
    flat = flat if len(flat) <= limit else flat[: limit - 1] + "…"
    return flat.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def md_code(text: object, limit: int = 200) -> str:
    """``text`` as inline code that no backtick inside can close early."""
    cell = md_cell(text, limit).replace("`", "'")
    return f"`{cell}`" if cell else ""


def md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """The lines of a GitHub-flavoured Markdown table; the header is escaped here, the rows
    come rendered (``md_cell``, ``md_code``)."""
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines
