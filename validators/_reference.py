"""The reference oracle: the python-jsonschema library (Draft 2020-12), held to two things
the specification asks and the library does not do by default.

- ``pattern`` and ``patternProperties`` have ECMA-262 meaning (``\\d`` is ``[0-9]``, ``\\w``
  ASCII), matched in linear time by the same regex engine the verdict uses (Python's ``re``
  differs, and backtracks: ``^(a+)+$`` takes seconds at 26 characters).
- A ``$ref`` never leaves the document: the library would fetch a remote one over HTTP.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend
from referencing import Registry
from referencing.exceptions import NoSuchResource

__all__ = ["ecma_search", "reference_validator"]


@functools.lru_cache(maxsize=1024)
def _pattern_engine(pattern: str) -> Any:
    return jsonschema_rs.validator_for({"pattern": pattern}, offline=True,
                                       pattern_options=jsonschema_rs.RegexOptions())


def ecma_search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` (ECMA-262, unanchored as JSON Schema says) matches in ``text``."""
    return bool(_pattern_engine(pattern).is_valid(text))


def _pattern(validator: Any, pattern: str, instance: Any,
             schema: dict[str, Any]) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any,
                        schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            if ecma_search(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_properties(validator: Any, extra: Any, instance: Any,
                           schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extras = [name for name in instance if name not in known
              and not any(ecma_search(p, name) for p in patterns)]
    if validator.is_type(extra, "object"):
        for name in extras:
            yield from validator.descend(instance[name], extra, path=name)
    elif not extra and extras:
        names = ", ".join(repr(name) for name in extras)
        yield ValidationError(f"Additional properties are not allowed ({names} unexpected)")


def _refuse(uri: str) -> Any:
    raise NoSuchResource(uri)


NO_RETRIEVAL: Registry[Any] = Registry(retrieve=_refuse)  # type: ignore[call-arg]

ReferenceValidator = extend(Draft202012Validator, {  # type: ignore[no-untyped-call]
    "pattern": _pattern, "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
})


def reference_validator(schema: dict[str, Any]) -> Any:
    """python-jsonschema's Draft 2020-12 validator for ``schema``, ECMA patterns, offline."""
    return ReferenceValidator(schema, registry=NO_RETRIEVAL)
