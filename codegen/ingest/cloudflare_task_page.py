"""Cloudflare's 2023 docs task pages (``content/workers-ai/models/<task>.md``, Hugo markdown):
the models of one task in a table (or one ``ID: **@cf/…**`` item), examples, and ONE input and
one output JSON Schema in fenced code blocks that every model the page names shares.

Found by structure (codegen/ingest/_markdown.py): the schemas are the ``json`` blocks whose
nearest heading or bold label says ``Input`` / ``Output``; the models are the ids of a table's
model column. A model row's other cells carry the model's figures as ``Label: N`` parts
(``<strong>Context tokens limit</strong>: 3072`` between ``<br/>``s): a label that renders a
catalog property takes the property's name (validators/_limits.py gives its meaning), a
default of max_tokens is kept beside the limits, any other token label is the grammar's
(``read_cell``); a figure no rule reads, and the page's constraint-looking prose, are listed
as unread with their line. docs/decisions.md ("Cloudflare's YAML catalog and task pages")
says how each label is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wirespec._exceptions import DocumentError
from wirespec.validators._schema_walk import iter_subschemas

from ._crosscheck import models_checks
from ._document import SourceDocument
from ._embedded_schema import annotate
from ._formats import DocumentReading, measured
from ._located_json import loads_located
from ._markdown import Fence, Page, Table, read_page
from ._records import Span
from .cloudflare_common import cite_keywords, cloudflare_model, keyword_words, stated_limit
from .grammar import NOT_CONSTRAINTS, Unread, read_cell, read_constraints

KINDS = {"input": "Input", "output": "Output"}
_SCHEMA_LABEL = re.compile(r"(?i)(?:api )?(input|output)(?: (?:json )?schemas?)?")
_SCHEMA_WORDS = frozenset({"type", "properties", "oneOf", "anyOf", "allOf", "items", "enum",
                           "const", "$ref"})
_MODEL_ID = re.compile(r"@?[A-Za-z0-9][A-Za-z0-9._:@-]*(?:/[A-Za-z0-9._:@-]+)+")
_BREAK = re.compile(r"(?i)<br */?>")
_TAG = re.compile(r"<[^<>]{0,200}>")
_FIGURE = re.compile(r"([0-9][0-9,]{0,14})(?: ?tokens?)?")
MAX_MODEL_ID = 100
# The catalog property each label of the model table renders: the 2023 per-model pages state
# both (front-matter `context_length_limit: "3072"`, the task page "Context tokens limit: 3072")
CATALOG_LABELS = {"context tokens limit": "context_length_limit",
                  "sequence tokens limit": "sequence_length_limit"}
RENDERED = ("named after the catalog property this label renders ({name}), as Cloudflare's "
            "2023 model pages write it beside the same figure")
DEFAULT_OF_MAX_TOKENS = ("the default of max_tokens{when}, not a limit: kept beside the limits, "
                         "never enforced; named after the label")
UNWRAPPED = ("the {kind} block wraps its schema in {{\"schema\": …}} (line {line}); read as "
             "the schema inside")


@dataclass
class ModelRow:
    """A model the page names, its line, and the parts of its other cells."""

    model: str
    line: int
    parts: list[str] = field(default_factory=list)


@dataclass
class Figures:
    """What a model's cells state: limits (x-limits), a description, unread passages."""

    limits: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    unread: list[Unread] = field(default_factory=list)


# ---------------------------------------------------------------- structure
def _schema_kind(fence: Fence) -> str | None:
    """``input`` / ``output`` for a JSON block labelled so, else None."""
    match = _SCHEMA_LABEL.fullmatch(fence.label or "")
    if match is None or fence.info not in ("json", "jsonc", ""):
        return None
    return match.group(1).lower()


def _model_id(cell: str) -> str | None:
    words = cell.strip()
    for mark in ("`", "**", "__"):
        if len(words) > 2 * len(mark) and words.startswith(mark) and words.endswith(mark):
            words = words[len(mark):-len(mark)].strip()
    return words if len(words) <= MAX_MODEL_ID and _MODEL_ID.fullmatch(words) else None


def _model_column(table: Table) -> int | None:
    return next((i for i, cell in enumerate(table.header) if "model" in cell.lower()), None)


def _table_rows(page: Page) -> tuple[list[ModelRow], list[str]]:
    """Rows of every table with a model column, and a note for each row naming no model."""
    rows, notes = [], []
    for table in page.tables:
        column = _model_column(table)
        if column is None:
            continue
        for row in table.rows:
            model = _model_id(row.cells[column]) if column < len(row.cells) else None
            if model is None:
                notes.append(f"line {row.line}: a row of the model table names no model id "
                             "(not read)")
                continue
            others = [cell for i, cell in enumerate(row.cells) if i != column]
            rows.append(ModelRow(model, row.line, [p for c in others for p in _BREAK.split(c)]))
    return rows, notes


def _listed_id(line: str) -> str | None:
    """``* ID:  **@cf/meta/llama-2-7b-chat-int8** - used to `run` this model``."""
    item = line.strip()
    if not item.startswith(("* ", "- ")):
        return None
    label, colon, rest = item[2:].partition(":")
    if not colon or label.strip().lower() not in ("id", "model id", "model"):
        return None
    words = rest.split()
    return _model_id(words[0]) if words else None


def _unique(doc: SourceDocument, rows: list[ModelRow]) -> list[ModelRow]:
    """One row per model: a mention without figures (an 'ID:' item) adds nothing to a row
    that has them; two rows with figures for one model leave unsaid which apply."""
    kept: dict[str, ModelRow] = {}
    for row in rows:
        first = kept.setdefault(row.model, row)
        if first is row:
            continue
        if first.parts and row.parts:
            doc.fail(row.line, f"{row.model} has a second row of figures (the first is on "
                               f"line {first.line}): which apply is not said")
        if row.parts:
            kept[row.model] = row
    return list(kept.values())


def _models(doc: SourceDocument, page: Page) -> tuple[list[ModelRow], list[str]]:
    rows, notes = _table_rows(page)
    rows = _unique(doc, rows + [ModelRow(model, line) for line, text in page.prose
                                if (model := _listed_id(text)) is not None])
    declared = doc.entry.get("models")
    if isinstance(declared, list):
        named = {row.model for row in rows}
        if rows and not set(declared) <= named:
            doc.fail(None, f"the manifest lists {sorted(set(declared) - named)}, which the "
                           "page's model table does not name")
        rows = [row for row in rows if row.model in declared] or [
            ModelRow(str(model), 1) for model in declared]
    if not rows:
        doc.fail(None, "the page names no model (no table with a model column, no 'ID:' "
                       "item); name them with `models` in the manifest")
    return rows, notes


# ---------------------------------------------------------------- the shared schemas
def _schema_fences(doc: SourceDocument, page: Page) -> dict[str, Fence]:
    found: dict[str, list[Fence]] = {kind: [] for kind in KINDS}
    for fence in page.fences:
        kind = _schema_kind(fence)
        if kind is not None:
            found[kind].append(fence)
    for kind, fences in found.items():
        if not fences:
            doc.fail(None, f"no {KINDS[kind]} JSON Schema: a json code block under an "
                           f"'{KINDS[kind]}' heading or bold label")
        if len(fences) > 1:
            doc.fail(fences[1].line, f"a second {KINDS[kind]} JSON Schema (the first opens on "
                                     f"line {fences[0].line}): which one applies is not said")
    return {kind: fences[0] for kind, fences in found.items()}


def _fenced_schema(doc: SourceDocument, fence: Fence, kind: str,
                   notes: list[str]) -> dict[str, Any]:
    """The JSON Schema in a labelled block: each node cites the line where it starts, each
    one-line keyword its own line."""
    name = KINDS[kind]
    if not fence.closed:
        doc.fail(fence.line, f"the {name} code block opened here never closes")
    try:
        located = loads_located("\n".join(fence.body), path=f"sources/{doc.path}",
                                first_line=fence.first_body_line)
    except DocumentError as err:
        doc.fail(err.line, f"the {name} code block (opened on line {fence.line}) is not JSON: "
                           f"{err.reason.removeprefix('invalid JSON: ')}")
    value, prefix = located.value, ""
    if isinstance(value, dict) and set(value) == {"schema"} and isinstance(value["schema"], dict):
        value, prefix = value["schema"], "/schema"
        notes.append(UNWRAPPED.format(kind=name, line=located.line_of("/schema")))
    if not isinstance(value, dict) or not _SCHEMA_WORDS & set(value):
        doc.fail(fence.line, f"the {name} code block is JSON but no JSON Schema (no type, "
                             "properties or alternatives at its top)")

    def line_of(pointer: str) -> int:
        return located.lines.get(prefix + pointer, fence.first_body_line)

    def words_of(pointer: str, keyword: str) -> tuple[int, str] | None:
        line = located.lines.get(prefix + pointer)
        words = keyword_words(doc.line(line), keyword) if line is not None else None
        return (line, words) if line is not None and words is not None else None

    schema = annotate(value, doc, line_of, embedded=False, prefix=prefix)
    return cite_keywords(schema, words_of)


# ---------------------------------------------------------------- a model's figures
def _labelled(part: str) -> tuple[str, str] | None:
    """(label, figure) of a ``Label: N`` part (HTML tags dropped), else None."""
    label, colon, figure = _TAG.sub("", part).partition(":")
    label, figure = " ".join(label.split()), figure.strip()
    if not colon or not 0 < len(label) <= 80 or not _FIGURE.fullmatch(figure):
        return None
    return label, figure


def _label_limit(doc: SourceDocument, label: str, figure: str, line: int, quote: str
                 ) -> tuple[str, dict[str, Any]] | Unread:
    low = label.lower()
    number = figure.split()[0].replace(",", "")
    if low in CATALOG_LABELS:
        name = CATALOG_LABELS[low]
        return name, stated_limit(doc, name, number, line, quote,
                                  inferred=RENDERED.format(name=name))
    if low.startswith("default") and "token" in low:
        name = re.sub(r"[^a-z0-9]+", "_", low).strip("_")
        when = " when streaming" if "stream" in low else ""
        return name, stated_limit(doc, name, number, line, quote,
                                  inferred=DEFAULT_OF_MAX_TOKENS.format(when=when))
    readings, _ = read_cell(label, Span(line, figure), None)
    for reading in readings:
        if reading.keyword.startswith("x-limit:") and isinstance(reading.value, int):
            name = reading.keyword.split(":", 1)[1]
            return name, stated_limit(doc, name, reading.value, line, quote,
                                      inferred=reading.inferred)
    return Unread(line, quote, "a figure in the model table under a label no rule reads "
                               "(not a token limit)")


def _prose(doc: SourceDocument, figures: Figures, line: int, words: str, *,
           row: bool) -> None:
    """The grammar over words said of no parameter: a token limit in a model's row is that
    model's; anything else it reads or sees is listed, never applied."""
    readings, unread = read_constraints([Span(line, words)], None)
    figures.unread += unread
    for reading in readings:
        if reading.keyword in NOT_CONSTRAINTS:
            continue
        name = reading.keyword.removeprefix("x-limit:")
        if row and name != reading.keyword and isinstance(reading.value, int) \
                and not reading.models:
            figures.limits.setdefault(name, stated_limit(doc, name, reading.value, line,
                                                         reading.quote,
                                                         inferred=reading.inferred))
            continue
        figures.unread.append(Unread(line, reading.quote, f"read as {reading.keyword} "
                                     f"{reading.value!r}, said of no parameter (not applied)"))


def _figures(doc: SourceDocument, row: ModelRow) -> Figures:
    figures = Figures()
    for part in row.parts:
        quote = part.strip()
        labelled = _labelled(quote)
        if labelled is None:
            words = " ".join(_TAG.sub(" ", quote).split())
            if words and figures.description is None and not words.startswith("["):
                figures.description = words
            if words:
                _prose(doc, figures, row.line, words, row=True)
            continue
        found = _label_limit(doc, *labelled, row.line, quote)
        if isinstance(found, Unread):
            figures.unread.append(found)
        else:
            figures.limits[found[0]] = found[1]
    return figures


def _default_notes(model: str, limits: dict[str, Any], request: dict[str, Any]) -> list[str]:
    """A table default of max_tokens that the shared schema's default contradicts."""
    stated = limits.get("default_max_sequence_tokens")
    defaults = {node["properties"]["max_tokens"].get("default")
                for _, node in iter_subschemas(request)
                if isinstance(node.get("properties", {}).get("max_tokens"), dict)} - {None}
    if stated is None or not defaults or defaults == {stated["value"]}:
        return []
    return [f"{model}: the model table's default max_tokens {stated['value']} (line "
            f"{stated['x-source']['line']}) differs from the schema's {sorted(defaults)} "
            "(the schema is enforced)"]


# ---------------------------------------------------------------- the page
def _opens_object(fence: Fence) -> bool:
    first = next((line for line in fence.body if line.strip()), "")
    return first.lstrip().startswith("{")


def looks_like(text: str) -> float:
    """A markdown page with an Input and an Output JSON block and a model table (or an 'ID:'
    item): 0.85; the schemas without models named: 0.55 (the manifest may name them)."""
    page = read_page(text)
    kinds = {_schema_kind(fence) for fence in page.fences if _opens_object(fence)}
    if not {"input", "output"} <= kinds:
        return 0.0
    named = _table_rows(page)[0] or any(_listed_id(words) for _, words in page.prose)
    return 0.85 if named else 0.55


def read(doc: SourceDocument) -> DocumentReading:
    page = read_page(doc.text)
    notes: list[str] = []
    fences = _schema_fences(doc, page)
    request = _fenced_schema(doc, fences["input"], "input", notes)
    output = _fenced_schema(doc, fences["output"], "output", notes)
    rows, row_notes = _models(doc, page)
    notes += row_notes
    models, unread = [], []
    for row in rows:
        figures = _figures(doc, row)
        found = cloudflare_model(doc, row.model, request, output,
                                 description=figures.description)
        found.limits = figures.limits
        found.notes += _default_notes(row.model, figures.limits, request)
        models.append(found)
        unread += figures.unread
    prose = Figures()
    for line, words in page.prose:
        _prose(doc, prose, line, words, row=False)
    unread += prose.unread + models_checks(models)
    unique = {(u.line, u.quote, u.why): u for u in unread}
    reading = DocumentReading(models, sorted(unique.values(), key=lambda u: (u.line, u.quote)),
                              notes + [note for model in models for note in model.notes])
    return measured(reading)
