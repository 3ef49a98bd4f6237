"""What layout readers produce: a document's parameters as records, before any meaning is
read into their words.

A reader knows a layout (pipe tables, one cell per line, parameter lists, OpenAPI, …) and
nothing about constraints: it finds each parameter's name, type words, required mark, the
lines of text that describe it, and the layout's own constraint cells ("Required range:
0 <= x < 2", "default:0.7", "Available options: a,b"), each with its line. The constraint
grammar (codegen/ingest/grammar) reads meaning out of those words; the provider shapes
(codegen/ingest/providers) place the parameters in the wire format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SECTIONS = ("request", "response", "stream", "error", "header")


@dataclass(frozen=True)
class Span:
    """Words of the document, as written, and the 1-based line they are on."""

    line: int
    text: str


@dataclass
class ParameterRecord:
    """One parameter (or response member) as the layout presents it.

    ``path`` is where the layout puts it: ``("parameters", "temperature")`` for a dotted
    ``parameters.temperature``, ``("messages", "[]", "role")`` for the role of each message
    (``"[]"`` steps into an array's elements), ``("temperature",)`` where the layout gives no
    nesting (the provider shape may move it, e.g. DashScope's ``parameters``).
    """

    path: tuple[str, ...]
    line: int  # where the entry starts (its name)
    name: Span  # the name as written
    type_words: Span | None = None  # "float", "enum<string>", "string | null", "object[]", …
    required: Span | None = None  # "required", "（必选）", "Optional."; None: the layout is silent
    description: list[Span] = field(default_factory=list)  # the entry's prose, line by line
    marks: list[Span] = field(default_factory=list)  # the layout's own constraint cells
    section: str = "request"
    placement: Span | None = None  # words that say where it goes on the wire
    deprecated: Span | None = None


@dataclass(frozen=True)
class ModelMention:
    """A model id the document names, how (enum, list, sample, heading) and where."""

    model: str
    line: int
    how: str


@dataclass(frozen=True)
class LimitRow:
    """A token limit stated for one model (a table row, a model card, a sentence)."""

    model: str
    name: str  # context_window | max_input_tokens | max_output_tokens | … (see LIMIT_MEANINGS)
    value: int
    quote: str
    line: int


@dataclass(frozen=True)
class Sample:
    """A JSON sample the document prints (request body, response, error, stream frame)."""

    kind: str  # request | response | stream | error
    line: int
    text: str
    value: Any = None


@dataclass
class ReadDocument:
    """Everything a layout reader found in one document."""

    layout: str  # the reader's name
    records: list[ParameterRecord] = field(default_factory=list)
    models: list[ModelMention] = field(default_factory=list)
    limits: list[LimitRow] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    # formats that publish JSON Schema directly (OpenAPI, Cloudflare's catalog): kind -> schema
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    # what the reader saw but could not place (a table that broke off, an orphan cell)
    leftovers: list[Span] = field(default_factory=list)
