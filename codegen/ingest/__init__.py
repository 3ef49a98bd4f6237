"""Ingest: provider documents in sources/ -> normalized JSON Schemas in schemas/.

A pure function of sources/: every document is read and checked before anything is
written, so a document that no longer parses leaves schemas/ exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wirespec._exceptions import DocumentError

from .._files import stale_files, sync_tree
from . import (
    cloudflare_docs_json,
    cloudflare_docs_page,
    cloudflare_frontmatter,
    cloudflare_tree,
    dashscope_reference,
    siliconflow_reference,
)
from ._assemble import assemble
from ._document import ModelSchemas, SourceDocument
from ._manifest import Entry, load_manifest, read_capped

Ingester = Callable[[SourceDocument], list[ModelSchemas]]

INGESTERS: dict[str, Ingester] = {
    "cloudflare_frontmatter": cloudflare_frontmatter.ingest,
    "cloudflare_tree": cloudflare_tree.ingest,
    "cloudflare_docs_page": cloudflare_docs_page.ingest,
    "cloudflare_docs_json": cloudflare_docs_json.ingest,
    "dashscope_reference": dashscope_reference.ingest,
    "siliconflow_reference": siliconflow_reference.ingest,
}

__all__ = ["INGESTERS", "Revision", "check", "document_schemas", "ingest", "listed_documents",
           "read_sources", "revisions"]


def _reader(sources: Path, entries: dict[str, Entry]) -> Callable[[str], SourceDocument]:
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


def _run_ingester(entry: Entry, doc: SourceDocument) -> list[ModelSchemas]:
    try:
        return INGESTERS[entry.ingester](doc)
    except DocumentError:
        raise
    except (KeyError, IndexError, ValueError, TypeError, AttributeError, StopIteration,
            RecursionError) as err:
        # A document whose layout changed beyond what a rule checks: still one clear line.
        raise DocumentError(f"sources/{entry.path}", None, "not the layout the "
                            f"{entry.ingester} ingester reads ({type(err).__name__}: {err})"
                            ) from None


def read_sources(root: Path, only: list[str] | None = None,
                 notes: list[str] | None = None) -> dict[str, str]:
    """Every file schemas/ should hold (relative path -> text), or a DocumentError.

    ``only``: read just these documents (paths under sources/), as if they were all there is.
    ``notes`` receives the readings worth a reader's attention (per model, newest revision).
    """
    sources = root / "sources"
    entries = load_manifest(sources, set(INGESTERS))
    by_path = {entry.path: entry for entry in entries}
    read = _reader(sources, by_path)
    newest: dict[str, tuple[int, ModelSchemas, str]] = {}
    for entry in entries:
        if only is not None and entry.path not in only:
            continue
        for found in _run_ingester(entry, read(entry.path)):
            if found.provider != entry.provider:
                raise DocumentError(f"sources/{entry.path}", None, f"read a {found.provider} "
                                    f"model from a {entry.provider} document")
            held = newest.get(found.model_id)
            if held and held[0] == entry.revision:
                raise DocumentError(f"sources/{entry.path}", None, f"{found.model_id} is also "
                                    f"described by sources/{held[2]} at the same revision")
            if held is None or entry.revision > held[0]:
                newest[found.model_id] = (entry.revision, found, entry.path)
    if notes is not None:
        notes.extend(f"sources/{path}: {note}" for _, found, path in sorted(
            newest.values(), key=lambda held: held[1].model_id) for note in found.notes)
    return assemble([(found, path) for _, found, path in newest.values()])


def ingest(root: Path, notes: list[str] | None = None) -> list[str]:
    """Rewrite schemas/ from sources/; returns the files that changed."""
    return sync_tree(root / "schemas", read_sources(root, notes=notes), "*.json")


def check(root: Path) -> list[str]:
    """The files of schemas/ that ingest would change (empty when up to date)."""
    return stale_files(root / "schemas", read_sources(root), "*.json")


@dataclass(frozen=True)
class Revision:
    model_id: str
    revision: int
    document: str  # under sources/


def revisions(root: Path) -> list[Revision]:
    """Every (model, revision, document) the manifest knows, oldest first."""
    found = []
    for entry in load_manifest(root / "sources", set(INGESTERS)):
        models = entry.raw["models"]
        if models == "from-document":
            models = [m["model"] for m in json.loads(read_sources(root, [entry.path])[
                "index.json"])["models"]]
        found += [Revision(f"{entry.provider}:{m}", entry.revision, entry.path) for m in models]
    return sorted(found, key=lambda r: (r.model_id, r.revision))


def listed_documents(root: Path) -> set[str]:
    """The paths (under sources/) of every document the manifest lists."""
    return {entry.path for entry in load_manifest(root / "sources", set(INGESTERS))}


def document_schemas(root: Path, document: str) -> dict[str, dict[str, dict[str, Any]]]:
    """What one document says: model id -> kind -> schema."""
    files = read_sources(root, [document])
    index = json.loads(files["index.json"])
    return {m["id"]: {kind: json.loads(files[rel]) for kind, rel in m["kinds"].items()}
            for m in index["models"]}
