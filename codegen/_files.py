"""Writing generated trees: deterministic text, all-or-nothing, nothing touched needlessly."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def canonical_json(value: Any) -> str:
    """Stable JSON text: two-space indent, UTF-8 kept, a final newline."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def stale_files(root: Path, wanted: dict[str, str], pattern: str) -> list[str]:
    """Relative paths whose content differs from ``wanted``, or that should not exist."""
    stale = [rel for rel, text in wanted.items()
             if not (root / rel).is_file() or (root / rel).read_text(encoding="utf-8") != text]
    if root.is_dir():
        stale += [str(p.relative_to(root)) for p in root.rglob(pattern)
                  if p.is_file() and str(p.relative_to(root)) not in wanted]
    return sorted(stale)


def sync_tree(root: Path, wanted: dict[str, str], pattern: str) -> list[str]:
    """Make ``root`` hold exactly ``wanted`` (for files matching ``pattern``).

    Everything is computed before this is called, so a failed run never gets here; each
    file is replaced atomically and unchanged files are not rewritten.
    """
    changed = stale_files(root, wanted, pattern)
    for rel in changed:
        if rel in wanted:
            write_atomic(root / rel, wanted[rel])
        else:
            (root / rel).unlink()
    for directory in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()
    return changed
