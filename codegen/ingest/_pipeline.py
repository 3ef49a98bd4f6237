"""The ingest run, document by document: a document that fails is reported with its real line
and keeps its models' previous schemas, while every other document is read and written.

Which document defines a model: the newest revision among those that name it. A failing
document still holds its models (those the manifest or the previous schemas/index.json
attribute to it), so an older revision never silently takes over.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wirespec._exceptions import DocumentError

from ._assemble import INDEX, Assembled, assemble_model, index_file
from ._document import ModelSchemas, SourceDocument
from ._formats import DocumentReading, Format, detect
from ._losses import PROSE_FORMATS, accepted, losses, refusal
from ._manifest import Entry, load_manifest, read_capped

# An ingester that meets a layout beyond what its rules check raises one of these: still one
# clear line naming the document, never a traceback.
LAYOUT_SURPRISES = (KeyError, IndexError, ValueError, TypeError, AttributeError, StopIteration,
                    RecursionError)
# The longest file name (in bytes) the file systems schemas/ lives on accept (NAME_MAX).
MAX_FILE_NAME_BYTES = 255


@dataclass
class Outcome:
    """One document's result: what it gave, or why it failed."""

    entry: Entry
    format: str | None = None
    reading: DocumentReading | None = None
    error: DocumentError | None = None


@dataclass
class Plan:
    """Every file schemas/ should hold, and what each document did."""

    files: dict[str, str]
    outcomes: list[Outcome]
    kept: dict[str, str] = field(default_factory=dict)  # model id -> failing document

    @property
    def failures(self) -> list[DocumentError]:
        return [outcome.error for outcome in self.outcomes if outcome.error is not None]


def document_reader(sources: Path, entries: dict[str, Entry]) -> Callable[[str], SourceDocument]:
    def read(rel: str) -> SourceDocument:
        where = f"sources/{rel}"
        resolved = (sources / rel).resolve()
        if not resolved.is_relative_to(sources.resolve()):
            raise DocumentError(where, None, "leads outside sources/ (a link?)")
        data = read_capped(resolved, where)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = data.count(b"\n", 0, err.start) + 1
            raise DocumentError(where, line, f"not UTF-8 (byte {err.start})") from None
        entry = entries[rel].raw if rel in entries else {}
        return SourceDocument(rel, text.replace("\r\n", "\n"), entry, read)

    return read


def read_document(entry: Entry, read: Callable[[str], SourceDocument],
                  formats: dict[str, Format]) -> Outcome:
    outcome = Outcome(entry)
    try:
        doc = read(entry.path)
        chosen = formats[entry.format] if entry.format else detect(doc, formats)
        outcome.format = chosen.name
        outcome.reading = chosen.read(doc)
        for found in outcome.reading.models:
            if found.provider != entry.provider:
                doc.fail(None, f"read a {found.provider} model from a {entry.provider} document")
    except DocumentError as err:
        outcome.error = err
    except LAYOUT_SURPRISES as err:
        outcome.error = DocumentError(f"sources/{entry.path}", None, "not the layout the "
                                      f"{outcome.format or 'detected'} reader reads "
                                      f"({type(err).__name__}: {err})")
    return outcome


def read_all(root: Path, formats: dict[str, Format], only: list[str] | None = None
             ) -> list[Outcome]:
    sources = root / "sources"
    entries = load_manifest(sources, set(formats))
    read = document_reader(sources, {entry.path: entry for entry in entries})
    return [read_document(entry, read, formats) for entry in entries
            if only is None or entry.path in only]


def _previous_index(root: Path) -> list[dict[str, Any]]:
    try:
        index = json.loads((root / "schemas" / INDEX).read_text(encoding="utf-8"))
        models = index["models"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [m for m in models if isinstance(m, dict) and isinstance(m.get("kinds"), dict)]


def _keep_previous(root: Path, entry: dict[str, Any]) -> Assembled | None:
    files = {}
    for rel in entry["kinds"].values():
        try:
            files[rel] = (root / "schemas" / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    return Assembled(files, entry)


def _held_by_failures(outcomes: list[Outcome], previous: list[dict[str, Any]]) -> dict[str, str]:
    """Model id -> the failing document that holds it (per the manifest or the last run)."""
    held: dict[str, str] = {}
    for outcome in outcomes:
        if outcome.error is None:
            continue
        path = f"sources/{outcome.entry.path}"
        named = outcome.entry.models or []
        held |= {f"{outcome.entry.provider}:{model}": path for model in named}
        held |= {m["id"]: path for m in previous if m.get("document") == path}
    return held


Chosen = dict[str, tuple[ModelSchemas, Outcome]]  # model id -> (its schemas, their document)


def _newest(outcomes: list[Outcome], held: dict[str, str]) -> Chosen:
    newest: Chosen = {}
    for outcome in outcomes:
        if outcome.reading is None:
            continue
        for found in outcome.reading.models:
            if found.model_id in held:
                continue
            current = newest.get(found.model_id)
            if current and current[1].entry.revision == outcome.entry.revision:
                outcome.error = DocumentError(
                    f"sources/{outcome.entry.path}", None, f"{found.model_id} is also described "
                    f"by sources/{current[1].entry.path} at the same revision")
                continue
            if current is None or outcome.entry.revision > current[1].entry.revision:
                newest[found.model_id] = (found, outcome)
    return newest


def _refuse_lost_constraints(outcomes: list[Outcome]) -> None:
    """A prose revision that lost a constraint its predecessor had, while its words still
    carry numbers, fails (see _losses)."""
    readings = [(o, {m.model_id: m for m in o.reading.models}) for o in outcomes
                if o.reading is not None]
    for outcome, models in readings:
        if outcome.format not in PROSE_FORMATS or outcome.error is not None:
            continue
        for model_id, found in models.items():
            older = [(o.entry.revision, o, held[model_id]) for o, held in readings
                     if model_id in held and o.entry.revision < outcome.entry.revision]
            if not older or "request" not in found.schemas:
                continue
            _, before, previous = max(older, key=lambda item: item[0])
            if "request" not in previous.schemas:
                continue
            for loss in losses(previous.schemas["request"], found.schemas["request"]):
                if not accepted(outcome.entry.raw, loss):
                    outcome.error = refusal(outcome.entry.path, f"sources/{before.entry.path}",
                                            loss)
                    break
            if outcome.error is not None:
                break


def _too_long_name(files: dict[str, str]) -> int | None:
    """The length of the longest file name among ``files``' paths, when one is too long."""
    longest = max((len(part.encode("utf-8")) for rel in files for part in rel.split("/")),
                  default=0)
    return longest if longest > MAX_FILE_NAME_BYTES else None


def plan(root: Path, formats: dict[str, Format], only: list[str] | None = None,
         keep_failed: bool = True) -> Plan:
    """Read every document (or ``only`` these) and work out schemas/. ``keep_failed``: the
    models of a failing document keep their files from the current schemas/."""
    outcomes = read_all(root, formats, only)
    _refuse_lost_constraints(outcomes)
    previous = _previous_index(root) if keep_failed else []
    held = _held_by_failures(outcomes, previous)
    newest = _newest(outcomes, held)
    assembled: dict[str, Assembled] = {}
    owners: dict[str, str] = {}  # file (case-folded) -> model id
    for model_id, (found, outcome) in sorted(newest.items()):
        if outcome.error is not None:
            continue
        try:
            assembled[model_id] = assemble_model(found, outcome.entry.path)
        except DocumentError as err:
            outcome.error = err
            continue
        if (too_long := _too_long_name(assembled[model_id].files)) is not None:
            outcome.error = DocumentError(
                f"sources/{outcome.entry.path}", None, f"the model id {model_id[:60]!r} would "
                f"name a file of {too_long} bytes (at most {MAX_FILE_NAME_BYTES}): not written")
            continue
        for rel in assembled[model_id].files:
            if owners.setdefault(rel.lower(), model_id) != model_id:
                outcome.error = DocumentError(
                    f"sources/{outcome.entry.path}", None, f"{model_id} and "
                    f"{owners[rel.lower()]} map to the same file {rel}")
    failed = {f"sources/{o.entry.path}" for o in outcomes if o.error is not None}
    held = _held_by_failures(outcomes, previous)  # assembling may have failed more documents
    assembled = {model_id: a for model_id, a in assembled.items()
                 if a.entry["document"] not in failed and model_id not in held}
    kept = {}
    for entry in previous:
        if entry["id"] in held and (kept_files := _keep_previous(root, entry)) is not None:
            assembled[entry["id"]] = kept_files
            kept[entry["id"]] = held[entry["id"]]
    files: dict[str, str] = {}
    for model in assembled.values():
        files.update(model.files)
    files[INDEX] = index_file([model.entry for model in assembled.values()])
    return Plan(files, outcomes, kept)
