"""sources/manifest.toml: which document is what, and which ingester reads it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
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


def load_manifest(sources: Path, known_ingesters: set[str]) -> list[Entry]:
    where = f"sources/{MANIFEST}"
    try:
        text = (sources / MANIFEST).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DocumentError(where, None, f"cannot read the manifest: {err}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = _TOML_LINE.search(str(err))
        raise DocumentError(where, int(found.group(1)) if found else None,
                            f"invalid TOML: {err}") from None
    documents = data.get("document")
    if not isinstance(documents, list) or not documents:
        raise DocumentError(where, None, "no [[document]] entries")
    entries = []
    for index, raw in enumerate(documents, 1):
        missing = [key for key in _REQUIRED if key not in raw]
        if missing:
            raise DocumentError(where, None, f"document #{index} lacks {', '.join(missing)}")
        if raw["ingester"] not in known_ingesters:
            raise DocumentError(where, None, f"document #{index} ({raw['path']}) names an "
                                f"unknown ingester {raw['ingester']!r}; known: "
                                + ", ".join(sorted(known_ingesters)))
        if not isinstance(raw["revision"], int):
            raise DocumentError(where, None, f"document #{index}: revision must be an integer")
        entries.append(Entry(raw["path"], raw["provider"], raw["ingester"], raw["revision"], raw))
    return entries
