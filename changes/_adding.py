"""Adding a document to sources/: stored verbatim, its manifest entry written (a new revision
when it describes known models), schemas/ and generated/ rebuilt, and the review of what
changed for each model it covers.

Nothing is written for a document no reader can read; a document that reads but fails once
placed among the others (the loss guard, a clash of models) is taken out again and its error
raised, so sources/ is left as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from wirespec._exceptions import DocumentError

from ._report import Diff, compare
from ._sides import Side

MANIFEST = "manifest.toml"


@dataclass
class Added:
    """What ``add_document`` did."""

    path: str  # under sources/
    revision: int
    models: list[str]
    diff: Diff | None = None  # None: the same bytes were already there
    unread: list[str] = field(default_factory=list)  # "line: words (why)"
    notes: list[str] = field(default_factory=list)
    format: str = ""

    @property
    def already_present(self) -> bool:
        return self.diff is None


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string: JSON's escapes


def entry_text(path: str, provider: str, revision: int, models: list[str] | None,
               url: str | None, origin: str) -> str:
    lines = ["", "[[document]]", f"path = {_toml_string(path)}",
             f"provider = {_toml_string(provider)}"]
    if revision != 1:
        lines.append(f"revision = {revision}")
    if models:
        lines.append("models = [" + ", ".join(_toml_string(m) for m in models) + "]")
    if url:
        lines.append(f"url = {_toml_string(url)}")
    lines.append(f"origin = {_toml_string(origin)}")
    return "\n".join(lines) + "\n"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _existing_copy(root: Path, data: bytes, listed: set[str]) -> str | None:
    digest = _digest(data)
    for rel in sorted(listed):
        try:
            if _digest((root / "sources" / rel).read_bytes()) == digest:
                return rel
        except OSError:
            continue
    return None


def destination(root: Path, name: str, provider: str, data: bytes, listed: set[str]) -> str:
    """Where the document goes under sources/: beside a listed document of the same name (as
    ``<stem>@<digest><suffix>``, the catalog's convention for revisions), else
    ``<provider>/<name>``."""
    base = PurePosixPath(Path(name).name)
    if not base.name or base.name in (".", "..") or "\0" in base.name:
        raise DocumentError(name, None, "needs a file name to be stored under")
    same = sorted(rel for rel in listed if PurePosixPath(rel).name == base.name)
    folder = PurePosixPath(same[0]).parent if same else PurePosixPath(provider)
    candidate = folder / base.name
    if same or (root / "sources" / str(candidate)).exists():
        candidate = folder / f"{base.stem}@{_digest(data)[:8]}{base.suffix}"
    return str(candidate)


def _write_atomic_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _current_schemas(root: Path, models: list[str]) -> dict[str, dict[str, Any]]:
    try:
        index = json.loads((root / "schemas" / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found: dict[str, dict[str, Any]] = {}
    for entry in index.get("models", []):
        if entry.get("id") in models:
            found[entry["id"]] = {kind: json.loads((root / "schemas" / rel).read_text(
                encoding="utf-8")) for kind, rel in entry.get("kinds", {}).items()}
    return found


def add_document(root: Path, data: bytes, *, name: str, provider: str | None,
                 models: list[str] | None = None, url: str | None = None,
                 origin: str | None = None, regenerate: bool = True) -> Added:
    """Store ``data`` (a document called ``name``) in sources/ and rebuild; see the module."""
    from wirespec.codegen import generate, ingest

    listed = ingest.listed_documents(root)
    copy = _existing_copy(root, data, listed)
    if copy is not None:
        return Added(copy, 0, [])
    probe = ingest.loose_document(name, data, provider, models)
    provider = provider or next(iter(probe.schemas)).partition(":")[0]
    rel = destination(root, name, provider, data, listed)
    covered = sorted(probe.schemas)
    known = [r for r in ingest.revisions(root) if r.model_id in covered]
    revision = max((r.revision for r in known), default=0) + 1
    manifest = root / "sources" / MANIFEST
    before_manifest = manifest.read_bytes()
    entry = entry_text(rel, provider, revision, models, url,
                       origin or f"added by `wirespec add` from {Path(name).name}")
    before = Side("schemas/ before", _current_schemas(root, covered))
    target = root / "sources" / rel
    _write_atomic_bytes(target, data)
    _write_atomic_bytes(manifest, before_manifest.rstrip(b"\n") + b"\n" + entry.encode())
    try:
        planned = ingest.plan_sources(root)
        outcome = next(o for o in planned.outcomes if o.entry.path == rel)
        if outcome.error is not None:
            raise outcome.error
    except BaseException:
        _write_atomic_bytes(manifest, before_manifest)
        target.unlink(missing_ok=True)
        raise
    ingest.ingest(root)
    if regenerate:
        generate.generate(root)
    after = Side(f"sources/{rel}", _current_schemas(root, covered))
    reading = outcome.reading
    assert reading is not None
    return Added(rel, revision, covered, compare(before, after),
                 [f"{u.line}: {u.quote} ({u.why})" for u in reading.unread],
                 list(reading.notes), outcome.format or "")
