"""What a validation reports: one error per violated constraint, for people."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

MAX_VALUE_CHARS = 80


def shorten(value: Any, limit: int = MAX_VALUE_CHARS) -> Any:
    """The value itself when short; a truncated rendering of it when long."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[: limit - 1] + "…"
    if not isinstance(value, dict | list):
        return value
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (RecursionError, ValueError):  # nested deeper than the encoder goes
        return "{…}" if isinstance(value, dict) else "[…]"
    return value if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class ValidationError:
    """One violated constraint.

    ``pointer`` is the JSON Pointer of the offending value in the payload, ``keyword`` the
    JSON Schema keyword, ``limit`` the keyword's value, ``value`` the payload's value there
    (shortened when long), ``source`` the ``x-source`` provenance of the constraint.
    """

    pointer: str
    keyword: str
    message: str
    limit: Any = None
    value: Any = None
    source: dict[str, Any] | None = None
    schema_path: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"pointer": self.pointer, "keyword": self.keyword, "message": self.message,
                "limit": self.limit, "value": self.value, "source": self.source}

    def where(self) -> str:
        if not self.source:
            return ""
        return f"sources/{self.source['doc']}:{self.source['line']}"


@dataclass
class Report:
    """The verdict on one payload: ``ok``, and every error when not."""

    model: str
    kind: str
    errors: list[ValidationError] = field(default_factory=list)
    # what the documents do not say (unknown members, no documented limit, estimates):
    # never a verdict of their own; ``strict`` makes them errors
    warnings: list[ValidationError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def __bool__(self) -> bool:
        return self.ok

    def as_json(self) -> dict[str, Any]:
        return {"valid": self.ok, "model": self.model,
                "errors": [error.as_json() for error in self.errors],
                "warnings": [warning.as_json() for warning in self.warnings]}
