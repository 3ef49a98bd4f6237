"""Writing generated trees: deterministic text, all-or-nothing, nothing touched needlessly.

A tree (schemas/, generated/) is replaced as a whole. The complete new tree is built beside
it, in the same parent folder under a hidden name, then the two are swapped in one step:
``renameat2(RENAME_EXCHANGE)`` on Linux exchanges two directories atomically, and the old
tree (now under the hidden name) is deleted. A process killed at any moment leaves the tree
exactly old or exactly new; what it leaves beside it is removed by the next run.

Where the exchange is unavailable (another OS, a filesystem without it), the fallback
renames the old tree aside (``.<name>.wirespec-old``), renames the new one in, then deletes
the old one. Killed between the two renames, the tree is missing until the next run, which
puts the old tree back. Files are not fsynced: this guards against a killed process, not a
lost power supply.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from wirespec.validators._atomic import write_atomic as write_atomic  # where it lives

try:
    import fcntl
except ImportError:  # not on Windows: runs are then not serialised
    fcntl = None  # type: ignore[assignment]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# the exchange is missing (old libc or kernel) or the filesystem does not do it
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM}


def canonical_json(value: Any) -> str:
    """Stable JSON text: two-space indent, UTF-8 kept, a final newline."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def stale_files(root: Path, wanted: dict[str, str], pattern: str) -> list[str]:
    """Relative paths whose content differs from ``wanted``, or that should not exist."""
    stale = [rel for rel, text in wanted.items()
             if not (root / rel).is_file() or (root / rel).read_text(encoding="utf-8") != text]
    if root.is_dir():
        stale += [str(p.relative_to(root)) for p in root.rglob(pattern)
                  if p.is_file() and str(p.relative_to(root)) not in wanted]
    return sorted(stale)


def sync_tree(root: Path, wanted: dict[str, str], pattern: str) -> list[str]:
    """Make ``root`` hold exactly ``wanted`` (for files matching ``pattern``; other files are
    kept, ``__pycache__`` excepted), replacing the tree as a whole; returns what changed.

    Everything is computed before this is called, so a failed run never gets here. When
    nothing changed, nothing is touched.
    """
    root = root.absolute()
    with _locked(root):
        recover(root)
        changed = stale_files(root, wanted, pattern)
        if changed:
            staging = Path(tempfile.mkdtemp(dir=root.parent, prefix=f"{_hidden(root)}new-"))
            try:
                _build(staging, root, wanted, pattern, changed)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            _swap_in(staging, root)
    return changed


def _hidden(root: Path) -> str:
    """The prefix of every temporary name beside ``root`` (ignored by git)."""
    return f".{root.name}.wirespec-"


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One run at a time per parent folder (the next run's clean-up must not take a live run's
    files): a lock on the folder itself, so no lock file is left behind."""
    root.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        yield
        return
    handle = os.open(root.parent, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released by the kernel if the process dies
        yield
    finally:
        os.close(handle)


def recover(root: Path) -> None:
    """Undo what a killed run left beside ``root``: its half-built or swapped-out trees go;
    a tree the fallback moved aside comes back if ``root`` is missing."""
    aside = root.parent / f"{_hidden(root)}old"
    if aside.is_dir() and not root.exists():
        os.rename(aside, root)
    for leftover in sorted(root.parent.glob(f"{_hidden(root)}*")):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover)


def _build(staging: Path, root: Path, wanted: dict[str, str], pattern: str,
           changed: list[str]) -> None:
    """The complete new tree in ``staging``: the files kept from ``root`` (unchanged ones
    copied with their times), the changed ones written, ``root``'s folder permissions."""
    if root.is_dir():
        shutil.copymode(root, staging)  # mkdtemp made it private
    else:
        os.chmod(staging, 0o777 & ~_umask())
    for rel in _kept(root, wanted, pattern, changed):
        _carry(root / rel, staging / rel)
    for rel in changed:
        if rel in wanted:
            _write_text(staging / rel, wanted[rel])


def _kept(root: Path, wanted: dict[str, str], pattern: str, changed: list[str]) -> list[str]:
    """Relative paths of ``root``'s files that stay as they are."""
    if not root.is_dir():
        return []
    matched = set(root.rglob(pattern))
    unchanged = set(wanted) - set(changed)
    kept = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if path.is_dir() or "__pycache__" in rel.parts:
            continue
        if path not in matched or str(rel) in unchanged:
            kept.append(str(rel))
    return sorted(kept)


def _carry(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target, follow_symlinks=False)


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap_in(staging: Path, root: Path) -> None:
    """``staging`` becomes ``root`` in one step; the old tree is deleted."""
    if not root.exists():
        os.rename(staging, root)
        return
    try:
        exchange(staging, root)
    except OSError as err:
        if err.errno not in _NO_EXCHANGE:
            raise
        _swap_by_renames(staging, root)
        return
    shutil.rmtree(staging)  # now the old tree


def exchange(first: Path, second: Path) -> None:
    """Swap two paths atomically (Linux ``renameat2`` with ``RENAME_EXCHANGE``)."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                 _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(first), None, str(second))


def _swap_by_renames(staging: Path, root: Path) -> None:
    """The fallback: old tree aside, new tree in, old tree deleted (see the module's doc)."""
    aside = root.parent / f"{_hidden(root)}old"
    os.rename(root, aside)
    os.rename(staging, root)
    shutil.rmtree(aside)
