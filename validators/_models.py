"""The hook that makes the generated pydantic models exact.

Pydantic alone cannot say "exactly one alternative" or every JSON Schema nuance, so each
generated root model runs its payload past the compiled JSON Schema first
(:func:`enforce_schema`): a model accepts a payload exactly when jsonschema would.
"""

from __future__ import annotations

from typing import Any

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
