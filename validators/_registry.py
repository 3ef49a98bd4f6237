"""Where the schemas are, and which model an id names."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from wirespec._exceptions import DocumentError, UnknownKindError, UnknownModelError

INDEX = "index.json"
KINDS = ("request", "response", "stream", "error")


@dataclass(frozen=True)
class ModelEntry:
    id: str
    provider: str
    model: str
    kinds: dict[str, str]  # kind -> path under schemas/
    limits: dict[str, Any]
    document: str
    task: str | None = None  # as the documents name it (Cloudflare's catalog), when they do


def schemas_dir() -> Path:
    """schemas/ beside this folder: the checkout's (editable installs and tests) or the
    installed package's (wirespec/validators -> wirespec/schemas)."""
    beside = Path(__file__).resolve().parent.parent / "schemas"
    if (beside / INDEX).is_file():
        return beside
    return Path(str(resources.files("wirespec") / "schemas"))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise DocumentError(str(path), None, f"cannot read: {err.strerror}") from None
    except json.JSONDecodeError as err:
        raise DocumentError(str(path), err.lineno, f"invalid JSON: {err.msg}") from None


@functools.lru_cache(maxsize=1)
def models() -> tuple[ModelEntry, ...]:
    index = _read_json(schemas_dir() / INDEX)
    return tuple(ModelEntry(m["id"], m["provider"], m["model"], m["kinds"], m["limits"],
                            m["document"], m.get("task")) for m in index["models"])


_Index = tuple[tuple[ModelEntry, ...], dict[str, ModelEntry], dict[str, list[ModelEntry]]]
_indexed: _Index | None = None


def _index() -> tuple[dict[str, ModelEntry], dict[str, list[ModelEntry]]]:
    """The models by qualified id and by bare id, rebuilt when ``models()`` is reloaded:
    resolving is asked on every request (SDK hooks, the proxy), so it must not scan."""
    global _indexed
    entries = models()
    if _indexed is None or _indexed[0] is not entries:
        bare: dict[str, list[ModelEntry]] = {}
        for entry in entries:
            bare.setdefault(entry.model, []).append(entry)
        _indexed = (entries, {entry.id: entry for entry in entries}, bare)
    return _indexed[1], _indexed[2]


def resolve(model_id: str) -> ModelEntry:
    """A ``provider:model`` id, or a bare model id that only one provider has."""
    by_id, by_bare_id = _index()
    if model_id in by_id:
        return by_id[model_id]
    bare = by_bare_id.get(model_id, [])
    if len(bare) == 1:
        return bare[0]
    raise UnknownModelError(model_id, sorted(entry.id for entry in bare))


@functools.cache
def _load(rel: str) -> dict[str, Any]:
    schema = _read_json(schemas_dir() / rel)
    assert isinstance(schema, dict)
    return schema


def load_schema(model_id: str, kind: str = "request") -> dict[str, Any]:
    entry = resolve(model_id)
    if kind not in entry.kinds:
        raise UnknownKindError(entry.id, kind, list(entry.kinds))
    return _load(entry.kinds[kind])
