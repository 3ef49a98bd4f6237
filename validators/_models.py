"""The hook that makes the generated pydantic models exact.

Pydantic alone cannot say "exactly one alternative" or every JSON Schema nuance, so each
generated root model runs its payload past the compiled JSON Schema first
(:func:`enforce_schema`): a model accepts a payload exactly when jsonschema would.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from ._engine import compiled

TITLES = {"request": "Request", "response": "Response", "stream": "StreamEvent",
          "error": "ErrorBody"}


def _location(pointer: str) -> tuple[str | int, ...]:
    """A JSON Pointer as pydantic's ``loc``: member names, and array indices as ints."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    return tuple(int(t) if t.isdigit() else t for t in tokens)


def enforce_schema(model_id: str, kind: str, data: Any) -> Any:
    """Raises pydantic's own ``ValidationError`` with one entry per violated constraint at
    its ``loc`` (type ``json_schema``; the message names the limit and its source). Raised
    inside a validator, pydantic passes it through as it is."""
    report = compiled(model_id, kind).report(data)
    if not report.ok:
        raise ValidationError.from_exception_data(TITLES.get(kind, kind), [
            InitErrorDetails(type=PydanticCustomError(
                "json_schema", error.message + (f" [{error.where()}]" if error.source else "")),
                loc=_location(error.pointer), input=error.value)
            for error in report.errors])
    return data
