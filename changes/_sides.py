"""The two sides of `wirespec diff`: what each name stands for, read into schemas.

A side is a schema file; any document in a layout the readers know, wherever it is on disk
(in sources/ its manifest entry applies; elsewhere its layout is detected); ``REV:PATH``, a
file at a git revision; ``ID@R``, a model at one of its revisions in sources/; a folder (a
project: its schemas/, so ``.`` is the working tree); or a git revision of schemas/.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from wirespec._exceptions import DocumentError, WirespecError
from wirespec.validators import _registry
from wirespec.validators._payload import parse_json

Schemas = dict[str, dict[str, dict[str, Any]]]  # model id -> kind -> schema
MAX_FILE_BYTES = 16 * 1024 * 1024


@dataclass
class Side:
    name: str
    schemas: Schemas
    whole_project: bool = False  # a folder or a git revision: models missing were removed


def resolve_side(root: Path, name: str, provider: str | None = None) -> Side:
    """What ``name`` stands for (see the module's docstring), or one clear error."""
    for candidate in (Path(name), root / "sources" / name, root / name):
        if _is_dir(candidate) and (candidate / "schemas" / "index.json").is_file():
            return Side(name, _project_schemas(candidate), whole_project=True)
        if _is_file(candidate):
            listed = _listed_document(root, candidate)
            if listed is not None:
                from wirespec.codegen.ingest import document_schemas

                return Side(name, document_schemas(root, listed))
            return Side(name, _read_bytes(name, _read_file(candidate, name), provider))
    if "@" in name[1:] and not name.startswith("-"):
        return _model_revision(root, name)
    if ":" in name[1:] and not name.startswith("-") and len(name) < 1024:
        revision, _, path = name.partition(":")
        data = _git_bytes(root, "show", f"{revision}:{path}")
        if data is not None:
            return Side(name, _read_bytes(name, data, provider))
    if len(name) < 256 and not name.startswith("-"):
        from_git = _from_git(root, name)
        if from_git is not None:
            return Side(name, from_git, whole_project=True)
    raise WirespecError(f"{name[:200]!r} is neither a file, a folder with schemas/, a source "
                        "document, MODEL@REVISION, REV:PATH, nor a git revision")


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system, say: not a file
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _listed_document(root: Path, path: Path) -> str | None:
    """The path under sources/ of a document the manifest lists, else None."""
    from wirespec.codegen.ingest import listed_documents

    sources = (root / "sources").resolve()
    resolved = path.resolve()
    if not resolved.is_relative_to(sources):
        return None
    rel = resolved.relative_to(sources).as_posix()
    return rel if rel in listed_documents(root) else None


def _read_file(path: Path, name: str) -> bytes:
    from wirespec.codegen.ingest._manifest import read_capped

    return read_capped(path, name, MAX_FILE_BYTES)


def _read_bytes(name: str, data: bytes, provider: str | None) -> Schemas:
    """A JSON Schema (one written by wirespec, or any with ``$schema``), else a document."""
    from wirespec.codegen.ingest import loose_document

    schema = _as_schema(data, name)
    if schema is not None:
        model, provider_named = schema.get("x-model", name), schema.get("x-provider")
        model_id = f"{provider_named}:{model}" if provider_named else str(model)
        return {model_id: {str(schema.get("x-kind", "request")): schema}}
    return loose_document(name, data, provider).schemas


def _as_schema(data: bytes, name: str) -> dict[str, Any] | None:
    """``data`` as a JSON Schema when it says it is one (``$schema`` or wirespec's
    ``x-kind``); None when it is some other text."""
    stripped = data.lstrip()
    if not stripped.startswith(b"{"):
        return None
    try:
        value = parse_json(data, origin=name)
    except WirespecError:
        return None  # not JSON: a document, perhaps
    if not isinstance(value, dict) or not ("$schema" in value or "x-kind" in value):
        return None
    try:
        Draft202012Validator.check_schema(value)
    except SchemaError as err:
        at = "/".join(str(p) for p in err.absolute_path) or "the root"
        raise DocumentError(name, None, f"not a valid JSON Schema (at {at}: "
                            f"{err.message[:200]})") from None
    except RecursionError:
        raise DocumentError(name, None, "nested too deeply to compare") from None
    return value


def _project_schemas(folder: Path) -> Schemas:
    schemas = folder / "schemas"
    index = _json(schemas / "index.json")
    found: Schemas = {}
    for model in index.get("models", []):
        for kind, rel in model.get("kinds", {}).items():
            found.setdefault(model["id"], {})[kind] = _json(schemas / rel)
    return found


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        line = getattr(err, "lineno", None)
        raise DocumentError(str(path), line, f"cannot read: {err}") from None


def _model_revision(root: Path, name: str) -> Side:
    from wirespec.codegen.ingest import document_schemas, revisions

    model_id, _, revision = name.rpartition("@")
    entry = _registry.resolve(model_id)
    for known in revisions(root):
        if known.model_id == entry.id and str(known.revision) == revision:
            return Side(name, {entry.id: document_schemas(root, known.document)[entry.id]})
    raise WirespecError(f"{entry.id} has no revision {revision[:40]!r} (see the manifest)")


def _git_bytes(root: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _from_git(root: Path, revision: str) -> Schemas | None:
    index = _git_bytes(root, "show", f"{revision}:schemas/index.json")
    if index is None:
        return None
    found: Schemas = {}
    for model in json.loads(index)["models"]:
        for kind, rel in model["kinds"].items():
            text = _git_bytes(root, "show", f"{revision}:schemas/{rel}")
            if text is not None:
                found.setdefault(model["id"], {})[kind] = json.loads(text)
    return found
