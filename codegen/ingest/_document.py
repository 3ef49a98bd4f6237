"""What ingesters read (a source document) and what they produce (schemas per model)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from wirespec._exceptions import DocumentError
from wirespec.validators._registry import KINDS

__all__ = ["KINDS", "ModelSchemas", "Source", "SourceDocument"]


@dataclass(frozen=True)
class Source:
    """Where a constraint comes from: a document, a 1-based line, the words quoted."""

    doc: str
    line: int
    quote: str
    inferred: str | None = None
    pointer: str | None = None  # inside a JSON document embedded at `line`

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"doc": self.doc, "line": self.line, "quote": self.quote}
        if self.pointer is not None:
            out["pointer"] = self.pointer
        if self.inferred is not None:
            out["inferred"] = self.inferred
        return out

    def inferring(self, why: str) -> Source:
        return Source(self.doc, self.line, self.quote, why, self.pointer)


@dataclass
class SourceDocument:
    """One file of sources/, with its manifest entry."""

    path: str  # relative to sources/, with forward slashes
    text: str
    entry: dict[str, Any]
    read_sibling: Callable[[str], SourceDocument] = field(repr=False)

    @functools.cached_property
    def lines(self) -> list[str]:  # a document's text is never changed once read
        return self.text.split("\n")

    def line(self, number: int) -> str:
        return self.lines[number - 1]

    def source(self, line: int, quote: str, *, inferred: str | None = None) -> Source:
        return Source(self.path, line, quote.strip(), inferred)

    def find_line(self, needle: str, *, start: int = 1) -> int:
        """The first line at or after ``start`` containing ``needle``."""
        for number, text in enumerate(self.lines[start - 1:], start):
            if needle in text:
                return number
        self.fail(start, f"expected a line containing {needle!r}, found none")

    def fail(self, line: int | None, reason: str) -> NoReturn:
        raise DocumentError(f"sources/{self.path}", line, reason)


@dataclass
class ModelSchemas:
    """Everything one document says about one model."""

    provider: str
    model: str
    schemas: dict[str, dict[str, Any]]  # kind -> schema (without the root annotations)
    limits: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    description: str | None = None
    task: str | None = None  # the task the document files the model under, as it names it
    notes: list[str] = field(default_factory=list)

    @property
    def model_id(self) -> str:
        return f"{self.provider}:{self.model}"
