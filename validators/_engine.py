"""validate(): the verdict from a compiled engine, the report from the error walk."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from . import _registry
from ._budget import budget_errors
from ._errors import Report, ValidationError, shorten
from ._payload import parse_json
from ._walker import Walker


@dataclass
class CompiledSchema:
    model: str
    kind: str
    schema: dict[str, Any]
    engine: Any = field(repr=False)
    walker: Walker = field(default_factory=Walker, repr=False)
    entry: _registry.ModelEntry | None = field(default=None, repr=False)

    def is_valid(self, payload: Any) -> bool:
        return bool(self.engine.is_valid(payload))

    def report(self, payload: Any) -> Report:
        if self.engine.is_valid(payload):
            return Report(self.model, self.kind)
        errors = self.walker.errors(self.schema, payload)
        if not errors:  # the reference says invalid: never report an invalid payload as ok
            errors = self._reference_errors(payload)
        return Report(self.model, self.kind, errors)

    def _reference_errors(self, payload: Any) -> list[ValidationError]:
        from jsonschema import Draft202012Validator

        found = []
        for item in Draft202012Validator(self.schema).iter_errors(payload):
            pointer = "".join(f"/{p}" for p in item.absolute_path)
            found.append(ValidationError(pointer, str(item.validator), item.message,
                                         shorten(item.validator_value), shorten(item.instance)))
        return found


@functools.cache
def compiled(model_id: str, kind: str = "request") -> CompiledSchema:
    entry = _registry.resolve(model_id)
    schema = _registry.load_schema(entry.id, kind)
    return CompiledSchema(entry.id, kind, schema, jsonschema_rs.validator_for(schema),
                          entry=entry)


def validate(model_id: str, payload: Any, kind: str = "request", *,
             budget: bool = True) -> Report:
    """Check ``payload`` (a Python value, or JSON as ``str``/``bytes``) against the model's
    ``kind`` schema; the report lists every violated constraint. For a request that the
    schema accepts, ``budget`` also checks the documented token limits (JSON Schema cannot
    state them), counting tokens with the model family's tokenizer."""
    if isinstance(payload, str | bytes | bytearray):
        payload = parse_json(payload)
    return check_value(model_id, payload, kind, budget=budget)


def check_value(model_id: str, payload: Any, kind: str = "request", *,
                budget: bool = True) -> Report:
    """``validate`` for a value already parsed: a ``str`` is a JSON string here."""
    engine = compiled(model_id, kind)
    report = engine.report(payload)
    if budget and kind == "request" and report.ok and engine.entry and engine.entry.limits:
        report.errors.extend(budget_errors(engine.entry, payload))
    return report
