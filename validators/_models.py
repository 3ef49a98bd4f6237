"""The generated pydantic models, by model id; and the hook that makes them exact.

Pydantic alone cannot say "exactly one alternative" or every JSON Schema nuance, so each
generated root model runs its payload past the compiled JSON Schema first
(:func:`enforce_schema`): a model accepts a payload exactly when jsonschema would.
"""

from __future__ import annotations

import importlib
from typing import Any

from pydantic import BaseModel

from wirespec._exceptions import UnknownKindError

from . import _registry
from ._engine import compiled


class SchemaViolation(ValueError):
    """Raised inside pydantic validation; pydantic reports it as a ValidationError."""


def enforce_schema(model_id: str, kind: str, data: Any) -> Any:
    report = compiled(model_id, kind).report(data)
    if not report.ok:
        lines = [f"{e.pointer or '/'}: {e.message}" + (f" [{e.where()}]" if e.source else "")
                 for e in report.errors]
        raise SchemaViolation("; ".join(lines))
    return data


def model(model_id: str, kind: str = "request") -> type[BaseModel]:
    """The generated pydantic model of a model id's ``kind`` schema."""
    from wirespec.generated import _index

    entry = _registry.resolve(model_id)
    found = _index.MODELS.get((entry.id, kind))
    if found is None:
        raise UnknownKindError(entry.id, kind, [k for (i, k) in _index.MODELS if i == entry.id])
    module_name, class_name = found
    module = importlib.import_module(f"wirespec.generated.{module_name}")
    cls: type[BaseModel] = getattr(module, class_name)
    return cls
