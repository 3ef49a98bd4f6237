"""sources/manifest.toml: which document is what, and which ingester reads it."""

from __future__ import annotations

import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from wirespec._exceptions import DocumentError

MANIFEST = "manifest.toml"
_TOML_LINE = re.compile(r"at line (\d+)")
_REQUIRED = ("path", "provider", "models", "format", "ingester", "revision")


@dataclass(frozen=True)
class Entry:
    path: str
    provider: str
    ingester: str
    revision: int
    raw: dict[str, Any]


MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # a provider's page is kilobytes; refuse the absurd
MAX_REVISION = 10**9


def read_capped(path: Path, where: str, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """A regular file's bytes, at most ``limit`` of them, or one clear DocumentError."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # before opening: a FIFO would block
            raise DocumentError(where, None, "not a regular file")
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as err:
        raise DocumentError(where, None, f"cannot read: {err.strerror}") from None
    if len(data) > limit:
        raise DocumentError(where, None, f"larger than {limit:,} bytes")
    return data


def _checked_path(raw: Any, index: int, where: str) -> str:
    """A document path: relative, forward slashes, inside sources/, no `..`."""
    path = raw.get("path")
    if not isinstance(path, str) or not path:
        raise DocumentError(where, None, f"document #{index}: path must be a file name under "
                            "sources/")
    parts = PurePosixPath(path).parts
    if path.startswith("/") or "\\" in path or ".." in parts or not parts or "\0" in path:
        raise DocumentError(where, None, f"document #{index}: path {path[:200]!r} must be "
                            "relative to sources/ and stay inside it")
    return path


def load_manifest(sources: Path, known_ingesters: set[str]) -> list[Entry]:
    where = f"sources/{MANIFEST}"
    try:
        text = read_capped(sources / MANIFEST, where).decode("utf-8")
    except UnicodeDecodeError as err:
        raise DocumentError(where, None, f"cannot read the manifest: {err}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = _TOML_LINE.search(str(err))
        raise DocumentError(where, int(found.group(1)) if found else None,
                            f"invalid TOML: {err}") from None
    except ValueError as err:  # an integer beyond the interpreter's digit limit
        raise DocumentError(where, None, f"invalid TOML: {str(err).split(';')[0]}") from None
    documents = data.get("document")
    if not isinstance(documents, list) or not documents:
        raise DocumentError(where, None, "no [[document]] entries")
    entries = []
    for index, raw in enumerate(documents, 1):
        if not isinstance(raw, dict):
            raise DocumentError(where, None, f"document #{index} is not a table")
        missing = [key for key in _REQUIRED if key not in raw]
        if missing:
            raise DocumentError(where, None, f"document #{index} lacks {', '.join(missing)}")
        path = _checked_path(raw, index, where)
        if not isinstance(raw["ingester"], str) or raw["ingester"] not in known_ingesters:
            raise DocumentError(where, None, f"document #{index} ({path}) names an "
                                f"unknown ingester {str(raw['ingester'])[:80]!r}; known: "
                                + ", ".join(sorted(known_ingesters)))
        revision = raw["revision"]
        if isinstance(revision, bool) or not isinstance(revision, int) or not (
                0 <= revision <= MAX_REVISION):
            raise DocumentError(where, None, f"document #{index} ({path}): revision must be a "
                                f"whole number from 0 to {MAX_REVISION:,}")
        if not isinstance(raw["provider"], str):
            raise DocumentError(where, None, f"document #{index} ({path}): provider must be a "
                                "string")
        entries.append(Entry(path, raw["provider"], raw["ingester"], revision, raw))
    return entries
