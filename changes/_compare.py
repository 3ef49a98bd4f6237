"""`wirespec diff OLD NEW`: what each side names, and the report in text, JSON or Markdown."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from wirespec._exceptions import DocumentError, WirespecError
from wirespec.changes._diff import BREAKING, NON_BREAKING, UNKNOWN, Change, changes, summary
from wirespec.validators import _registry
from wirespec.validators._payload import parse_json

Schemas = dict[str, dict[str, dict[str, Any]]]  # model id -> kind -> schema


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _from_git(root: Path, revision: str) -> Schemas | None:
    index = _git(root, "show", f"{revision}:schemas/index.json")
    if index is None:
        return None
    found: Schemas = {}
    for model in json.loads(index)["models"]:
        for kind, rel in model["kinds"].items():
            text = _git(root, "show", f"{revision}:schemas/{rel}")
            if text is not None:
                found.setdefault(model["id"], {})[kind] = json.loads(text)
    return found


MAX_SCHEMA_BYTES = 64 * 1024 * 1024


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system, say: not a file
        return False


def read_schema_file(path: Path, name: str) -> dict[str, Any]:
    """A JSON Schema file given on the command line, or one clear DocumentError."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_SCHEMA_BYTES + 1)
    except OSError as err:
        raise DocumentError(name, None, f"cannot read: {err.strerror}") from None
    if len(data) > MAX_SCHEMA_BYTES:
        raise DocumentError(name, None, f"larger than {MAX_SCHEMA_BYTES:,} bytes")
    schema = parse_json(data, origin=name)  # a PayloadError says file and reason
    if not isinstance(schema, dict):
        raise DocumentError(name, 1, f"a JSON {type(schema).__name__}, not a JSON Schema "
                            "object (nor a document the manifest lists)")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        at = "/".join(str(p) for p in err.absolute_path) or "the root"
        raise DocumentError(name, None, f"not a JSON Schema (at {at}: "
                            f"{err.message[:200]})") from None
    except RecursionError:
        raise DocumentError(name, None, "nested too deeply to compare") from None
    return schema


def resolve_side(root: Path, name: str) -> Schemas:
    """A schema file, a source document, ``ID@REVISION``, or a git revision of schemas/."""
    from wirespec.codegen.ingest import document_schemas, listed_documents, revisions

    path = Path(name)
    sources = (root / "sources").resolve()
    for candidate in (path, root / "sources" / path, root / path):
        if _is_file(candidate):
            if candidate.resolve().is_relative_to(sources):  # a provider document
                rel = candidate.resolve().relative_to(sources).as_posix()
                if rel not in listed_documents(root):
                    raise DocumentError(f"sources/{rel}", None, "not a document the manifest "
                                        "lists (add it to sources/manifest.toml)")
                return document_schemas(root, rel)
            schema = read_schema_file(candidate, name)
            return {str(schema.get("x-model", name)): {str(schema.get("x-kind", "request")):
                                                       schema}}
    if "@" in name[1:]:
        model_id, _, revision = name.rpartition("@")
        entry = _registry.resolve(model_id)
        for known in revisions(root):
            if known.model_id == entry.id and str(known.revision) == revision:
                return {entry.id: document_schemas(root, known.document)[entry.id]}
        raise WirespecError(f"{entry.id} has no revision {revision[:40]!r}")
    from_git = _from_git(root, name) if len(name) < 256 and not name.startswith("-") else None
    if from_git is not None:
        return from_git
    raise WirespecError(f"{name[:200]!r} is neither a file, a source document, MODEL@REVISION, "
                        "nor a git revision")


def compare(old: Schemas, new: Schemas) -> list[tuple[str, str, list[Change]]]:
    pairs = [(m, m) for m in old if m in new]
    if not pairs and len(old) == len(new) == 1:  # two single schemas: compare them
        pairs = [(next(iter(old)), next(iter(new)))]
    report = []
    for before, after in sorted(pairs):
        for kind in (k for k in _registry.KINDS if k in old[before] and k in new[after]):
            found = list(changes(old[before][kind], new[after][kind]))
            if found:
                report.append((after, kind, found))
    return report


def render(report: list[tuple[str, str, list[Change]]], fmt: str, old: str, new: str) -> str:
    if fmt == "json":
        return json.dumps({"old": old, "new": new, "models": [
            {"model": m, "kind": k, "changes": [c.as_json(k) for c in found],
             "summary": summary(found, k)} for m, k, found in report]}, ensure_ascii=False)
    totals = {BREAKING: 0, NON_BREAKING: 0, UNKNOWN: 0}
    lines = []
    for model, kind, found in report:
        counts = summary(found, kind)
        for key in totals:
            totals[key] += counts[key]
        if fmt == "markdown":
            lines.append(f"### {model} — {kind}: {counts[BREAKING]} breaking, "
                         f"{counts[NON_BREAKING]} non-breaking, {counts[UNKNOWN]} unknown\n")
            for label in (BREAKING, UNKNOWN, NON_BREAKING):
                for c in (c for c in found if c.classification(kind) == label):
                    lines.append(f"- **{label}** `{c.pointer or '/'}` {c.keyword}: {c.reason}")
            lines.append("")
        else:
            lines.append(f"{model} {kind}")
            for c in found:
                lines.append(f"  {c.classification(kind).upper():<13} {c.pointer or '/'}  "
                             f"{c.keyword}: {c.reason}")
    tail = (f"{totals[BREAKING]} breaking, {totals[NON_BREAKING]} non-breaking, "
            f"{totals[UNKNOWN]} unknown ({old} -> {new})")
    if fmt == "markdown":
        return f"## Schema changes: {tail}\n\n" + "\n".join(lines)
    return "\n".join([*lines, tail])
