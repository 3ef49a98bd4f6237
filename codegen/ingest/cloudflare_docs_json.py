"""Cloudflare's docs repository model files (``src/content/workers-ai-models/<name>.json``):
``name``, ``description``, ``properties`` and ``schema.input`` / ``schema.output`` as JSON.

Token limits come from ``properties`` (every name validators/_limits.py gives a meaning:
``context_window``, ``max_input_tokens``, ``max_total_tokens``, ``max_input_length``, …), each
with the line of its value. A file without a ``schema`` (upstream has some) is read as far as
it goes: the model and its limits, no schemas, and a note saying so.
"""

from __future__ import annotations

from typing import Any

from wirespec.validators._limits import LIMIT_MEANINGS

from ._document import ModelSchemas, SourceDocument
from ._embedded_schema import annotate
from ._located_json import LocatedJSON, loads_located
from .cloudflare_common import cloudflare_model, stated_limit, task_name

LIMIT_PROPERTIES = tuple(LIMIT_MEANINGS)
NO_SCHEMA = ("the document has no `schema`: only the model and its properties (limits) are read; "
             "no request or response can be checked")


def _schema(doc: SourceDocument, located: LocatedJSON, key: str) -> dict[str, Any]:
    schema = located.value.get("schema", {}).get(key)
    if not isinstance(schema, dict):
        doc.fail(located.lines.get("/schema", 1), f"schema.{key} is missing or not an object")
    prefix = f"/schema/{key}"
    return annotate(schema, doc, lambda pointer: located.line_of(prefix + pointer),
                    embedded=False, prefix=prefix)


def _limits(doc: SourceDocument, located: LocatedJSON) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    properties = located.value.get("properties", [])
    for index, entry in enumerate(properties if isinstance(properties, list) else []):
        name = entry.get("property_id") if isinstance(entry, dict) else None
        if name not in LIMIT_PROPERTIES:
            continue
        line = located.line_of(f"/properties/{index}/value")
        quote = f'"property_id": "{name}", "value": "{entry.get("value")}"'
        limits[name] = stated_limit(doc, name, entry.get("value"), line, quote)
    return limits


def ingest(doc: SourceDocument) -> list[ModelSchemas]:
    located = loads_located(doc.text, path=f"sources/{doc.path}")
    if not isinstance(located.value, dict) or not isinstance(located.value.get("name"), str):
        doc.fail(1, "not a model file: no top-level \"name\"")
    if located.value.get("schema") in (None, {}):
        found = ModelSchemas("cloudflare", located.value["name"], {},
                             description=located.value.get("description"),
                             task=task_name(located.value),
                             notes=[f"{located.value['name']}: {NO_SCHEMA}"])
        found.limits = _limits(doc, located)
        return [found]
    request = _schema(doc, located, "input")
    output = _schema(doc, located, "output")
    found = cloudflare_model(doc, located.value["name"], request, output,
                             description=located.value.get("description"),
                             task=task_name(located.value))
    found.limits = _limits(doc, located)
    return [found]
