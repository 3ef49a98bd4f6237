"""ruff's import sorting and formatting for every generated module, in one run.

ruff is pinned in pyproject, and its settings are given here in full (``--isolated``: no
configuration file is read), so the bytes depend neither on the machine nor on the folder
``wirespec generate`` runs from. Starting ruff costs far more than formatting a module: the
modules are written to one temporary folder and ruff runs once over it (twice: fixes, then
format), instead of twice per module.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from wirespec._exceptions import DocumentError

from ._cores import on_every_core
from ._source import UnsafeSource, parsed

_SETTINGS = ("--isolated", "--quiet", "--line-length", "100", "--target-version", "py311",
             "--config", "lint.isort.known-first-party = ['wirespec']")
_FIXES = ("--fix-only", "--exit-zero", "--select", "I,F401,RUF036")


def formatted_modules(modules: dict[str, str]) -> dict[str, str]:
    """``modules`` (name -> source) sorted, pruned of unused imports and formatted; a
    DocumentError naming the module if formatting changed its literals."""
    with tempfile.TemporaryDirectory(prefix="wirespec-format-") as folder:
        paths = {name: Path(folder) / f"m{index}.py" for index, name in enumerate(modules)}
        for name, path in paths.items():
            path.write_text(modules[name], encoding="utf-8", newline="\n")
        # named one by one: no exclude or .gitignore rule can skip a module
        files = [path.name for path in paths.values()]
        _ruff(folder, "check", *_FIXES, *files)
        _ruff(folder, "format", *files)
        result = {name: path.read_text(encoding="utf-8") for name, path in paths.items()}
    on_every_core(_require_same_text, [(name, modules[name], result[name]) for name in result])
    return result


def _ruff(folder: str, command: str, *arguments: str) -> None:
    # run in the folder: what sits in the working folder cannot make an import first-party
    done = subprocess.run([sys.executable, "-m", "ruff", command, *_SETTINGS, *arguments],
                          capture_output=True, text=True, check=False, cwd=folder)
    if done.returncode != 0:
        first = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[0]
        raise RuntimeError(f"ruff {command} failed ({done.returncode}): {first}")


def _require_same_text(name: str, before: str, after: str) -> None:
    """Formatting moves no text between code and literals (docstrings are re-indented, so
    whitespace runs count as one space); a DocumentError naming the module if it did."""
    try:
        if _literal_words(before) == _literal_words(after):
            return
    except UnsafeSource as err:
        raise DocumentError(name, None, str(err)) from None
    raise DocumentError(name, None, "formatting changed the module's string literals")


def _literal_words(source: str) -> list[str]:
    return sorted(re.sub(r"\s+", " ", node.value).strip() for node in ast.walk(parsed(source))
                  if isinstance(node, ast.Constant) and isinstance(node.value, str))
