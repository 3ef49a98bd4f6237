"""OpenAPI documents: each POST operation's published schemas, one set per model its
``model`` enum names. A request whose alternatives each list their own models (SiliconFlow's
LLM and VLM bodies) gives each model the alternatives that list it; a default or example that
its own schema rejects is not written (the sanity check), and said so."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema_rs

from wirespec.validators._schema_walk import iter_subschemas, resolve

from ._crosscheck import models_checks
from ._document import ModelSchemas, Source, SourceDocument
from ._formats import DocumentReading, measured
from ._shapes import DONE
from .readers import openapi

ANNOTATION_KEYS = ("default", "examples", "description", "title", "x-source", "deprecated",
                   "format", "x-status")


def _without_annotations(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k not in ANNOTATION_KEYS and not k.startswith("x-")}


def sane_annotations(schema: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """``schema`` without the defaults and examples its own nodes reject."""
    result = copy.deepcopy(schema)
    for _pointer, node in iter_subschemas(result):
        if "default" not in node and "examples" not in node:
            continue
        try:
            check = jsonschema_rs.validator_for(_without_annotations(node), offline=True)
        except (jsonschema_rs.ValidationError, ValueError):
            continue
        line = node.get("x-source", {}).get("line")
        if "default" in node and not check.is_valid(node["default"]):
            notes.append(f"line {line}: not written: default {node.pop('default')!r} is not a "
                         "value of its own schema")
        if isinstance(node.get("examples"), list):
            kept = [example for example in node["examples"] if check.is_valid(example)]
            if len(kept) != len(node["examples"]):
                notes.append(f"line {line}: not written: examples its own schema rejects")
                node["examples"] = kept
                if not kept:
                    del node["examples"]
    return result


def _for_model(request: dict[str, Any], alternatives: list[str], doc: SourceDocument,
               model: str, line: int) -> dict[str, Any]:
    """The request as ``model`` may send it: its alternatives only, its id as ``model``."""
    chosen = [resolve(request, pointer) for pointer in alternatives if pointer]
    if not chosen:
        schema = copy.deepcopy(request)
    elif len(chosen) == 1:
        schema = copy.deepcopy(chosen[0])
    else:
        schema = {"oneOf": copy.deepcopy(chosen), "x-source": copy.deepcopy(request["x-source"])}
    for option in [schema, *schema.get("oneOf", [])]:
        field = option.get("properties", {}).get("model")
        if isinstance(field, dict):
            for key in ("enum", "default", "examples"):
                field.pop(key, None)
            field["const"] = model
            field["x-source"] = Source(doc.path, line, model).as_json()
    return schema


STREAMED_REASON = ("finish_reason is null in every chunk before the last (OpenAI-compatible "
                   "streaming, which this stream's data: [DONE] marks); the page gives a chunk "
                   "the response's choice, whose finish_reason is always set")


def _null_until_the_last_chunk(stream: dict[str, Any]) -> None:
    """A chunk's ``choices[].finish_reason`` may be null, as the reading of the older pages
    has it (flattened_values): marked inferred where the page types it."""
    choices = stream.get("properties", {}).get("choices")
    items = choices.get("items") if isinstance(choices, dict) else None
    properties = items.get("properties") if isinstance(items, dict) else None
    reason = properties.get("finish_reason") if isinstance(properties, dict) else None
    if not isinstance(reason, dict) or not ("type" in reason or "enum" in reason):
        return
    declared = reason.get("type")
    if isinstance(declared, str | list):
        names = [declared] if isinstance(declared, str) else list(declared)
        reason["type"] = names if "null" in names else [*names, "null"]
    if isinstance(reason.get("enum"), list) and None not in reason["enum"]:
        reason["enum"] = [*reason["enum"], None]
    reason["x-source"] = {**(reason.get("x-source") or {}), "inferred": STREAMED_REASON}


def read_openapi(doc: SourceDocument, provider: str) -> DocumentReading:
    read = openapi.read(doc)
    notes: list[str] = []
    found: dict[str, ModelSchemas] = {}
    for operation in read.operations or [read]:
        request = operation.schemas.get("request")
        if request is None:
            continue
        request = sane_annotations(request, notes)
        kinds = {kind: sane_annotations(schema, notes) for kind, schema in
                 operation.schemas.items() if kind != "request"}
        if "stream" in kinds and any(s.kind == "stream" and DONE in s.text
                                     for s in operation.samples):
            kinds["stream"]["x-stream-terminator"] = DONE
            _null_until_the_last_chunk(kinds["stream"])
        alternatives: dict[str, list[str]] = {}
        lines: dict[str, int] = {}
        for mention in operation.models:
            alternatives.setdefault(mention.model, []).append(
                getattr(mention, "alternative", None) or "")
            lines.setdefault(mention.model, mention.line)
        for model, pointers in alternatives.items():
            if model in found:
                notes.append(f"{model} is named by more than one operation: "
                             f"{operation.operation} is not read for it")
                continue
            schema = _for_model(request, sorted(set(pointers)), doc, model, lines[model])
            found[model] = ModelSchemas(provider, model, {"request": schema,
                                                          **copy.deepcopy(kinds)})
    if not found:
        doc.fail(read.block[0] if read.block else None, "the OpenAPI document's operations "
                 "name no model (no `model` enum in a JSON request body)")
    notes += [f"line {span.line}: not read: {span.text[:120]}" for span in read.leftovers]
    models = list(found.values())
    return measured(DocumentReading(models, models_checks(models), notes))
