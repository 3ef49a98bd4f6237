"""`wirespec update`: fetch the current version of each tracked document, add the ones whose
bytes changed as new revisions, and review them.

A document is tracked when it has a ``url`` in the manifest and defines at least one model in
schemas/ today (an older revision, or a page a newer document superseded, is history). Two
documents with one URL are one page: the newest revision is compared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wirespec._exceptions import WirespecError

from ._adding import Added, _current_schemas, add_document
from ._report import Diff, compare
from ._sides import Side

UNCHANGED, CHANGED, UNREACHABLE, UNUSABLE = "unchanged", "changed", "unreachable", "unusable"


@dataclass
class Tracked:
    path: str  # under sources/
    provider: str
    url: str
    revision: int
    models: list[str] | None


@dataclass
class Updated:
    document: Tracked
    status: str
    diff: Diff | None = None
    added: Added | None = None
    reason: str = ""


def tracked(root: Path, provider: str | None = None) -> list[Tracked]:
    """The documents ``update`` fetches (see the module)."""
    from wirespec.codegen.ingest import FORMATS
    from wirespec.codegen.ingest._manifest import load_manifest

    try:
        index = json.loads((root / "schemas" / "index.json").read_text(encoding="utf-8"))
        defining = {entry.get("document") for entry in index.get("models", [])}
    except (OSError, ValueError):
        defining = set()
    newest: dict[str, Tracked] = {}
    for entry in load_manifest(root / "sources", set(FORMATS)):
        url = entry.raw.get("url")
        if not isinstance(url, str) or (provider and entry.provider != provider):
            continue
        if f"sources/{entry.path}" not in defining:
            continue
        found = Tracked(entry.path, entry.provider, url, entry.revision, entry.models)
        if url not in newest or found.revision > newest[url].revision:
            newest[url] = found
    return sorted(newest.values(), key=lambda t: t.path)


def update(root: Path, *, provider: str | None = None, dry_run: bool = False,
           client: Any = None) -> list[Updated]:
    """Each tracked document fetched and compared; changed ones added unless ``dry_run``."""
    from wirespec.codegen import generate

    from ._fetch import fetch

    results = []
    for document in tracked(root, provider):
        try:
            fetched = fetch(document.url, client=client)
        except WirespecError as err:
            results.append(Updated(document, UNREACHABLE, reason=str(err)))
            continue
        stored = (root / "sources" / document.path).read_bytes()
        if fetched.data == stored:
            results.append(Updated(document, UNCHANGED))
            continue
        try:
            results.append(_changed(root, document, fetched.data, dry_run))
        except WirespecError as err:
            results.append(Updated(document, UNUSABLE, reason=str(err)))
    if not dry_run and any(r.added is not None and not r.added.already_present
                           for r in results):
        generate.generate(root)
    return results


def _changed(root: Path, document: Tracked, data: bytes, dry_run: bool) -> Updated:
    name = Path(document.path).name
    if dry_run:
        from wirespec.codegen.ingest import loose_document

        reading = loose_document(name, data, document.provider, document.models)
        before = Side(f"sources/{document.path}", _current_schemas(root, sorted(reading.schemas)))
        return Updated(document, CHANGED, compare(before, Side(document.url, reading.schemas)))
    added = add_document(root, data, name=name, provider=document.provider,
                         models=document.models, url=document.url,
                         origin=f"fetched from {document.url} by `wirespec update`",
                         regenerate=False)
    return Updated(document, UNCHANGED if added.already_present else CHANGED, added.diff,
                   added)
