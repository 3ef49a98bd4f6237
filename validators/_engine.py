"""validate(): the verdict from a compiled engine, the report from the error walk.

The engine is jsonschema-rs, offline (a ``$ref`` never leaves the schema) and with its
linear-time regex engine: a document's ``pattern`` cannot cost more than linear time, and
the error walk asks the same engine about patterns, so verdict and report never disagree.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from wirespec._exceptions import DocumentError

from . import _registry
from ._budget import check_budget
from ._errors import Report, ValidationError, shorten
from ._payload import ensure_json, parse_json
from ._schema_walk import escape
from ._undocumented import documented_skeleton, limit_warnings, unknown_warnings
from ._undocumented import drop_unknown as drop_members
from ._walker import Walker


@dataclass
class CompiledSchema:
    model: str
    kind: str
    schema: dict[str, Any]
    engine: Any = field(repr=False)
    entry: _registry.ModelEntry | None = field(default=None, repr=False)
    walker: Walker = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.walker = Walker(engine_for)  # parts the engine accepts are not walked
        self.walker.seed(self.schema, self.engine)

    def is_valid(self, payload: Any) -> bool:
        return bool(self.engine.is_valid(payload))

    @functools.cached_property
    def skeleton(self) -> Any:
        """The schema of "no unknown member" (see _undocumented.documented_skeleton)."""
        return documented_skeleton(self.schema)

    @functools.cached_property
    def closed_engine(self) -> Any:
        """The engine that accepts a payload exactly when it names no unknown member,
        whatever its values, valid or not."""
        return engine_for(self.skeleton)

    @functools.cached_property
    def documented_engine(self) -> Any:
        """One engine for the usual payload: valid, and naming no unknown member (the schema
        and the skeleton together, so the payload crosses into Rust once)."""
        schema = {key: value for key, value in self.schema.items() if key != "$schema"}
        return engine_for({"allOf": [schema, self.skeleton]})

    @functools.cached_property
    def limit_notes(self) -> list[ValidationError]:
        return limit_warnings(self.entry) if self.entry and self.kind == "request" else []

    def warnings(self, payload: Any, *, documented: bool = False) -> list[ValidationError]:
        """What the documents do not say about ``payload``: unknown members (the skeleton
        decides first, in Rust; the walk runs only when it refuses; ``documented``: already
        known to name none), and for a request, a model without a documented token limit."""
        found = []
        if self.entry is not None:
            if not documented and not self.closed_engine.is_valid(payload):
                found += unknown_warnings(self.entry, self.kind, self.schema, payload)
            found += self.limit_notes
        return found

    def report(self, payload: Any) -> Report:
        if self.engine.is_valid(payload):
            return Report(self.model, self.kind)
        errors = self.walker.errors(self.schema, payload)
        if not errors:  # the engine says invalid: never report an invalid payload as ok
            errors = self._reference_errors(payload) or [ValidationError(
                "", "schema", "the schema rejects this payload, but no single constraint "
                "says why", None, shorten(payload))]
        return Report(self.model, self.kind, errors)

    def _reference_errors(self, payload: Any) -> list[ValidationError]:
        from ._reference import reference_validator

        found = []
        for item in reference_validator(self.schema).iter_errors(payload):
            pointer = "".join(f"/{escape(p)}" for p in item.absolute_path)
            found.append(ValidationError(pointer, str(item.validator), item.message,
                                         shorten(item.validator_value), shorten(item.instance)))
        return found


def engine_for(schema: dict[str, Any]) -> Any:
    """jsonschema-rs for ``schema``: no network, patterns matched in linear time."""
    return jsonschema_rs.validator_for(schema, offline=True,
                                       pattern_options=jsonschema_rs.RegexOptions())


@functools.cache
def compiled(model_id: str, kind: str = "request") -> CompiledSchema:
    entry = _registry.resolve(model_id)
    schema = _registry.load_schema(entry.id, kind)
    try:
        engine = engine_for(schema)
    except (jsonschema_rs.ValidationError, ValueError) as err:
        raise DocumentError(f"schemas/{entry.kinds[kind]}", None, "the schema does not compile: "
                            + str(err).splitlines()[0]) from None
    return CompiledSchema(entry.id, kind, schema, engine, entry=entry)


def validate(model_id: str, payload: Any, kind: str = "request", *,
             budget: bool = True, strict: bool = False) -> Report:
    """Check ``payload`` (a Python value, or JSON as ``str``/``bytes``) against the model's
    ``kind`` schema; the report lists every violated constraint. For a request that the
    schema accepts, ``budget`` also checks the documented token limits (JSON Schema cannot
    state them), counting tokens with the model family's tokenizer. ``report.warnings`` says
    what the documents do not (members they do not name, no documented limit); ``strict``
    makes those errors."""
    if isinstance(payload, str | bytes | bytearray):
        return check_value(model_id, parse_json(payload), kind, budget=budget, parsed=True,
                           strict=strict)
    return check_value(model_id, payload, kind, budget=budget, strict=strict)


def check_value(model_id: str, payload: Any, kind: str = "request", *,
                budget: bool = True, parsed: bool = False, strict: bool = False) -> Report:
    """``validate`` for a value already parsed: a ``str`` is a JSON string here. A value
    that is not JSON (NaN, a set, a lone surrogate, …) raises PayloadError; ``parsed`` says
    it came from :func:`parse_json`, which already made sure."""
    engine = compiled(model_id, kind)
    if not parsed:
        ensure_json(payload)
    usual = engine.entry is not None and engine.documented_engine.is_valid(payload)
    report = Report(engine.model, kind) if usual else engine.report(payload)
    if budget and kind == "request" and report.ok and engine.entry and engine.entry.limits:
        check_budget(engine.entry, payload, report)  # errors, and estimates as warnings
    report.warnings.extend(engine.warnings(payload, documented=usual))
    if strict:
        report.errors.extend(report.warnings)
        report.warnings = []
    return report


def drop_unknown(model_id: str, payload: Any, kind: str = "request"
                 ) -> tuple[Any, list[ValidationError]]:
    """``payload`` without the members no document of the model names (a copy), and a
    warning for each member dropped (its pointer, and where a same-named member is
    documented) — like LiteLLM's drop_params, with provenance."""
    engine = compiled(model_id, kind)
    ensure_json(payload)
    if engine.entry is None or engine.closed_engine.is_valid(payload):
        return payload, []
    dropped = unknown_warnings(engine.entry, kind, engine.schema, payload)
    result, _ = drop_members(engine.schema, payload)
    return result, dropped
