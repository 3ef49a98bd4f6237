"""What the commands share: where the project is, reading inputs within a bound, printing
a report, and the exit codes."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import BinaryIO

from wirespec._exceptions import PayloadError
from wirespec.validators._errors import Report

from ._arguments import count as count  # re-exported: every command counts alike

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def project_root(given: str | None) -> Path:
    """--root, else the nearest folder up from here with sources/manifest.toml."""
    if given:
        return Path(given)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "sources" / "manifest.toml").is_file():
            return folder
    import wirespec

    return Path(wirespec.__file__).resolve().parent.parent


DEFAULT_MAX_BYTES = 32 * 1024 * 1024  # a request body far past any provider's own limit



def open_input(path: str | None) -> contextlib.AbstractContextManager[BinaryIO]:
    if path in (None, "-"):
        return contextlib.nullcontext(sys.stdin.buffer)
    try:
        return open(path, "rb")
    except OSError as err:
        raise PayloadError(f"{shown(path)}: cannot read: {err.strerror}") from None


def read_input(path: str | None, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The whole input, refused when it is larger than ``max_bytes`` (``/dev/zero`` ends)."""
    with open_input(path) as stream:
        try:
            data = stream.read(max_bytes + 1)
        except OSError as err:
            raise PayloadError(f"{shown(path)}: cannot read: {err.strerror}") from None
    if len(data) > max_bytes:
        raise PayloadError(f"{shown(path)}: larger than {max_bytes:,} bytes (--max-bytes)")
    return data


def shown(path: str | None) -> str:
    return "<stdin>" if path in (None, "-") else ascii(path)[1:-1][:200]


def headline(report: Report) -> str:
    if report.ok:
        return f"valid for {report.model} ({report.kind})"
    return f"{len(report.errors)} error(s) for {report.model} ({report.kind})"


def print_report(report: Report, fmt: str, label: str) -> None:
    if fmt == "json":
        print(json.dumps(report.as_json(), ensure_ascii=False))
        return
    print(f"{label}: {headline(report)}")
    for error in report.errors:
        where = f"  [{error.where()}]" if error.source else ""
        print(f"  {error.pointer or '/'}: {error.keyword}: {error.message}{where}")
    for warning in report.warnings:  # what the documents do not say (--strict: errors)
        print(f"  warning: {warning.pointer or '/'}: {warning.message}")


Subparsers = argparse._SubParsersAction  # each command group adds its parsers to this


def one_line(text: str, limit: int = 2000) -> str:
    """``text`` as one printable line: line breaks and control characters escaped."""
    flat = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
