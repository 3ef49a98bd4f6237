"""Ingest: provider documents in sources/ -> normalized JSON Schemas in schemas/.

A pure function of sources/ (and, for a document that fails, of the schemas it had): each
document's layout is detected and read, its models' schemas assembled and checked, and the
whole tree written at once. A failing document is reported with its real line and keeps its
models' previous schemas; every other document is ingested.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wirespec._exceptions import DocumentError

from .._files import stale_files, sync_tree
from . import (
    cloudflare_docs_json,
    cloudflare_docs_page,
    cloudflare_frontmatter,
    cloudflare_task_page,
    cloudflare_tree,
    cloudflare_yaml_catalog,
    dashscope_reference,
    flattened_values,
)
from ._assemble import assemble_model
from ._crosscheck import models_checks
from ._document import SourceDocument
from ._formats import (
    DocumentReading,
    Format,
    detect,
    looks_like_catalog_json,
    looks_like_docs_page,
    looks_like_flattened_values,
    looks_like_frontmatter,
    looks_like_pipe_tables,
    looks_like_tree,
    measured,
)
from ._manifest import PROVIDERS, Entry, load_manifest
from ._openapi_models import read_openapi
from ._pipeline import Outcome, Plan, plan, read_document
from ._prose import read_prose
from .readers import cell_per_line, openapi, param_list, pipe_table

__all__ = ["FORMATS", "Outcome", "Plan", "Revision", "check", "document_schemas", "ingest",
           "listed_documents", "loose_document", "plan_sources", "read_sources", "revisions",
           "unlisted_documents"]


def _models_only(ingest: Any) -> Any:
    def read(doc: Any) -> DocumentReading:
        found = ingest(doc)
        return measured(DocumentReading(found, models_checks(found), [
            note for model in found for note in model.notes]))
    return read


def _prose(reader: Any) -> Any:
    def read(doc: Any) -> DocumentReading:
        return read_prose(doc, reader.read, doc.entry["provider"])
    return read


def _openapi(doc: Any) -> DocumentReading:
    return read_openapi(doc, doc.entry["provider"])


def _flattened(doc: Any) -> DocumentReading:
    models, unread, notes = flattened_values.read(doc)
    return measured(DocumentReading(models, unread + models_checks(models), notes))


def _never(path: str, text: str) -> float:
    return 0.0


def _looks(reader: Any) -> Any:
    return lambda path, text: reader.looks_like(text)


FORMATS: dict[str, Format] = {fmt.name: fmt for fmt in (
    Format("cloudflare-catalog-json", "Cloudflare's docs-repository model file (JSON)",
           looks_like_catalog_json, _models_only(cloudflare_docs_json.ingest)),
    Format("cloudflare-frontmatter", "a model card's YAML front-matter with JSON Schemas",
           looks_like_frontmatter, _models_only(cloudflare_frontmatter.ingest)),
    Format("cloudflare-yaml-catalog", "Cloudflare's docs-repository model file (older YAML)",
           _looks(cloudflare_yaml_catalog), _models_only(cloudflare_yaml_catalog.ingest)),
    Format("cloudflare-task-page", "a docs task page: model table, shared input/output schema",
           _looks(cloudflare_task_page), cloudflare_task_page.read),
    Format("cloudflare-docs-page", "a rendered model page with its input JSON Schema",
           looks_like_docs_page, _models_only(cloudflare_docs_page.ingest)),
    Format("cloudflare-tree", "a rendered model page with the parameter tree only",
           looks_like_tree, _models_only(cloudflare_tree.ingest)),
    Format("pipe-tables", "a prose reference with pipe-table parameter rows",
           looks_like_pipe_tables, _prose(pipe_table)),
    # Seed 003's own reading (its SDK and HTTP tables, samples and sentences): more than the
    # structural reader takes from that page, so the manifest forces it there; never detected.
    Format("dashscope-qwen1.5-reference", "seed 003's Qwen1.5 reference, read as written in 2024",
           _never, _models_only(dashscope_reference.ingest)),
    Format("flattened-values", "a rendered reference that lost its parameter names",
           looks_like_flattened_values, _flattened),
    Format("param-list", "a parameter list (markdown headings, Mintlify renderings)",
           _looks(param_list), _prose(param_list)),
    Format("cell-per-line", "a reference rendered one cell per line (name type (必选))",
           _looks(cell_per_line), _prose(cell_per_line)),
    Format("openapi", "an OpenAPI 3.0/3.1 document, whole or in a page",
           _looks(openapi), _openapi),
)}


def plan_sources(root: Path, only: list[str] | None = None) -> Plan:
    """Read every document and work out schemas/ (nothing is written)."""
    return plan(root, FORMATS, only)


def read_sources(root: Path, only: list[str] | None = None,
                 notes: list[str] | None = None) -> dict[str, str]:
    """Every file schemas/ should hold (relative path -> text); the first failing document's
    DocumentError when any fails. ``only``: read just these documents (paths under sources/),
    as if they were all there is. ``notes`` receives the readings worth a reader's attention."""
    planned = plan(root, FORMATS, only, keep_failed=False)
    if planned.failures:
        raise planned.failures[0]
    if notes is not None:
        notes.extend(_notes(planned))
    return planned.files


def _notes(planned: Plan) -> list[str]:
    return [f"sources/{o.entry.path}: {note}" for o in planned.outcomes if o.reading
            for note in o.reading.notes]


@dataclass
class IngestResult:
    changed: list[str]
    plan: Plan

    @property
    def failures(self) -> list[DocumentError]:
        return self.plan.failures


def ingest(root: Path) -> IngestResult:
    """Rewrite schemas/ from sources/: every document that reads, and for one that fails, its
    models' previous schemas."""
    planned = plan_sources(root)
    return IngestResult(sync_tree(root / "schemas", planned.files, "*.json"), planned)


def check(root: Path) -> IngestResult:
    """The files of schemas/ that ingest would change (nothing is written)."""
    planned = plan_sources(root)
    return IngestResult(stale_files(root / "schemas", planned.files, "*.json"), planned)


@dataclass(frozen=True)
class Revision:
    model_id: str
    revision: int
    document: str  # under sources/


def revisions(root: Path) -> list[Revision]:
    """Every (model, revision, document) the manifest knows, oldest first (a document that
    cannot be read names no models)."""
    found = []
    for outcome in plan(root, FORMATS, keep_failed=False).outcomes:
        if outcome.reading is None:
            continue
        found += [Revision(model.model_id, outcome.entry.revision, outcome.entry.path)
                  for model in outcome.reading.models]
    return sorted(found, key=lambda r: (r.model_id, r.revision))


def listed_documents(root: Path) -> set[str]:
    """The paths (under sources/) of every document the manifest lists."""
    return {entry.path for entry in load_manifest(root / "sources", set(FORMATS))}


def unlisted_documents(root: Path) -> list[str]:
    """Files in sources/ that the manifest does not list (nothing reads them)."""
    sources = root / "sources"
    listed = listed_documents(root) | {"manifest.toml"}
    return sorted(rel for path in sources.rglob("*")
                  if path.is_file() and not any(p.startswith(".") for p in path.parts)
                  and (rel := path.relative_to(sources).as_posix()) not in listed)


def document_schemas(root: Path, document: str) -> dict[str, dict[str, dict[str, Any]]]:
    """What one document says: model id -> kind -> schema."""
    files = read_sources(root, [document])
    index = json.loads(files["index.json"])
    return {m["id"]: {kind: json.loads(files[rel]) for kind, rel in m["kinds"].items()}
            for m in index["models"]}


@dataclass
class LooseReading:
    """A document read outside the manifest: its format, what it gave, its models' schemas."""

    format: str
    reading: DocumentReading
    schemas: dict[str, dict[str, dict[str, Any]]]  # model id -> kind -> schema


def _provider_of(name: str, fmt: str | None) -> str | None:
    if fmt is not None and fmt.startswith("cloudflare"):
        return "cloudflare"
    parts = {part.lower() for part in Path(name).parts}
    named = [p for p in PROVIDERS if p in parts or any(part.startswith(p) for part in parts)]
    return named[0] if len(named) == 1 else None


def loose_document(name: str, data: bytes, provider: str | None = None,
                   models: list[str] | None = None) -> LooseReading:
    """What a document that is not in the manifest says (a download, a fetched page, a file
    about to be added): the layout detected, the provider given or told by the layout or the
    path. ``name`` stands for the document in messages and in each ``x-source``."""
    if provider is not None and provider not in PROVIDERS:
        raise DocumentError(name, None, f"provider {provider[:40]!r} is none of "
                            + ", ".join(PROVIDERS))
    try:
        text = data.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as err:
        raise DocumentError(name, data.count(b"\n", 0, err.start) + 1,
                            f"not UTF-8 (byte {err.start})") from None

    def no_siblings(rel: str) -> SourceDocument:
        raise DocumentError(name, None, f"refers to {rel[:200]!r}, which only a document in "
                            "sources/ may do")

    try:
        return _read_loose(name, text, provider, models, no_siblings)
    except DocumentError as err:  # readers name documents as sources/<path>
        path = err.path.removeprefix("sources/") if err.path == f"sources/{name}" else err.path
        raise DocumentError(path, err.line, err.reason) from None


def _read_loose(name: str, text: str, provider: str | None, models: list[str] | None,
                no_siblings: Any) -> LooseReading:
    probe = SourceDocument(name, text, {"provider": provider or "", "path": name}, no_siblings)
    fmt = detect(probe, FORMATS)
    provider = provider or _provider_of(name, fmt.name)
    if provider is None:
        raise DocumentError(name, None, f"read as {fmt.name}, but whose document is it? say "
                            "the provider (--provider " + "|".join(PROVIDERS) + ")")
    raw: dict[str, Any] = {"path": name, "provider": provider}
    if models:
        raw["models"] = list(models)
    entry = Entry(name, provider, fmt.name, 1, raw)
    outcome = read_document(entry, lambda rel: SourceDocument(rel, text, raw, no_siblings)
                            if rel == name else no_siblings(rel), FORMATS)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.reading is not None
    schemas = {}
    for found in outcome.reading.models:
        files = assemble_model(found, name).files
        schemas[found.model_id] = {json.loads(text)["x-kind"]: json.loads(text)
                                   for text in files.values()}
    return LooseReading(fmt.name, outcome.reading, schemas)
