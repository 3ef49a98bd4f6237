"""sources/manifest.toml: which documents there are, whose they are, and in what order.

An entry needs only ``path`` and ``provider``; the layout is detected from the document
(``format`` forces a reader), the models are read from it (``models`` names them where the
document does not), ``revision`` orders documents about the same models (default 1).
"""

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
_REQUIRED = ("path", "provider")
_DOCUMENT_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*document[ \t]*\]\]", re.M)
PROVIDERS = ("cloudflare", "dashscope", "siliconflow")


@dataclass(frozen=True)
class Entry:
    path: str
    provider: str
    format: str | None  # a reader forced by the manifest; None: detected from the document
    revision: int
    raw: dict[str, Any]
    line: int | None = None  # the entry's [[document]] line in the manifest

    @property
    def models(self) -> list[str] | None:
        """The model ids the manifest names (None: the document says)."""
        named = self.raw.get("models")
        return list(named) if isinstance(named, list) else None


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


def load_manifest(sources: Path, known_formats: set[str]) -> list[Entry]:
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
    header_lines = [text.count("\n", 0, m.start()) + 1 for m in _DOCUMENT_HEADER.finditer(text)]
    entries, seen = [], set()
    for index, raw in enumerate(documents, 1):
        line = header_lines[index - 1] if index <= len(header_lines) else None
        entry = _entry(raw, index, line, known_formats)
        if entry.path in seen:
            raise DocumentError(where, line, f"{entry.path} is listed twice")
        seen.add(entry.path)
        entries.append(entry)
    return entries


def _entry(raw: Any, index: int, line: int | None, known_formats: set[str]) -> Entry:
    where = f"sources/{MANIFEST}"
    if not isinstance(raw, dict):
        raise DocumentError(where, line, f"document #{index} is not a table")
    missing = [key for key in _REQUIRED if key not in raw]
    if missing:
        raise DocumentError(where, line, f"document #{index} lacks {', '.join(missing)}")
    path = _checked_path(raw, index, where)
    forced = raw.get("format")
    if forced is not None and (not isinstance(forced, str) or forced not in known_formats):
        raise DocumentError(where, line, f"document #{index} ({path}) names an unknown format "
                            f"{str(forced)[:80]!r}; known: " + ", ".join(sorted(known_formats)))
    revision = raw.get("revision", 1)
    if isinstance(revision, bool) or not isinstance(revision, int) or not (
            0 <= revision <= MAX_REVISION):
        raise DocumentError(where, line, f"document #{index} ({path}): revision must be a "
                            f"whole number from 0 to {MAX_REVISION:,}")
    if raw["provider"] not in PROVIDERS:
        raise DocumentError(where, line, f"document #{index} ({path}): provider must be one of "
                            + ", ".join(PROVIDERS))
    models = raw.get("models")
    if models is not None and not (isinstance(models, list) and models and all(
            isinstance(m, str) and m for m in models)):
        raise DocumentError(where, line, f"document #{index} ({path}): models must be a list of "
                            "model ids (or left out: the document names them)")
    return Entry(path, raw["provider"], forced, revision, raw, line)
