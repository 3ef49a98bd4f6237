"""Prose references (parameter lists, one cell per line, pipe tables): a layout reader's
records, the builder's schemas, the provider's wire shape, one schema set per model.

The models are those the document names: its ``model`` enum or value list, its samples and
code, and (for providers whose ids are lower-case family names, DashScope) every id its prose
names. Facts that differ by model (defaults by model group) go to the models of the group.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ._build import Built, PerModel, build_section, placed
from ._document import ModelSchemas, Source, SourceDocument
from ._formats import DocumentReading
from ._model_names import group_members, named_ids, refuse_implausible
from ._records import ReadDocument
from ._samples_schema import from_samples
from ._shapes import SHAPES
from .grammar import Unread
from .readers._endpoints import chat_endpoint_only

Reader = Callable[[SourceDocument], ReadDocument]


def _models(doc: SourceDocument, read: ReadDocument, provider: str,
            request: dict[str, Any]) -> list[tuple[str, int, str]]:
    """(model id, line, how) of every model the document names, first mention first."""
    named = doc.entry.get("models")
    if isinstance(named, list):
        return [(model, 1, "manifest") for model in named]
    enum = [(m.model, m.line, m.how) for m in read.models if m.how == "enum"]
    enum += _model_enum(request)
    if enum:  # a model enum is the list of what may be sent
        first: dict[str, tuple[str, int, str]] = {}
        for model, line, how in enum:
            first.setdefault(model, (model, line, how))
        return list(first.values())
    found: dict[str, tuple[str, int, str]] = {}
    for mention in read.models:
        found.setdefault(mention.model, (mention.model, mention.line, mention.how))
    for model, line in named_ids(doc.text, provider):
        found.setdefault(model, (model, line, "prose"))
    return list(found.values())


def _model_enum(request: dict[str, Any]) -> list[tuple[str, int, str]]:
    """The ``model`` member's value list, as the grammar read it from its words."""
    node = request.get("properties", {}).get("model", {})
    values = node.get("enum")
    if not isinstance(values, list):
        return []
    source = node.get("x-source", {})
    line = source.get("keywords", {}).get("enum", {}).get("line", source.get("line", 1))
    return [(value, line, "enum") for value in values if isinstance(value, str)]


def _at(schema: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    node: Any = schema
    for step in path:
        node = node.get("items") if step == "[]" else node.get("properties", {}).get(step)
        if not isinstance(node, dict):
            return None
    found: dict[str, Any] = node
    return found


def _per_model(request: dict[str, Any], facts: list[PerModel], model: str,
               models: list[str], limits: dict[str, Any]) -> None:
    """Each fact that differs by model, on the node it belongs to, for ``model`` only; a
    fact of "all other models" (no model words) goes to the models no other group names."""
    groups: dict[tuple[tuple[str, ...], str], list[PerModel]] = {}
    for fact in facts:
        groups.setdefault((fact.path, fact.reading.keyword), []).append(fact)
    for (path, keyword), same in groups.items():
        node = _at(request, path)
        chosen = _group_of(model, same, models)
        if node is None or chosen is None:
            continue
        reading = chosen.reading
        cited = {"line": reading.line, "quote": reading.quote, "rule": reading.rule}
        value = reading.value
        if isinstance(value, dict) and "x-limit" in value:
            value = _limit_value(node, keyword, value["x-limit"], limits, cited)
            if value is None:
                continue
        node[keyword] = copy.deepcopy(value)
        node["x-source"].setdefault("keywords", {})[keyword] = cited


def _limit_value(node: dict[str, Any], keyword: str, name: str, limits: dict[str, Any],
                 cited: dict[str, Any]) -> Any:
    """A default or maximum the document gives as the model's own limit (``max_output_tokens``):
    the model's figure where the documents state it; otherwise ``x-<keyword>-limit`` names the
    limit (an annotation: a JSON Schema value must be a figure, and no figure is invented)."""
    known = limits.get(name)
    if known is None:
        node[f"x-{keyword}-limit"] = name
        node["x-source"].setdefault("keywords", {})[f"x-{keyword}-limit"] = cited
        return None
    cited["inferred"] = (f"the model's {name}, {known['value']}, stated at line "
                         f"{known['x-source']['line']}")
    return known["value"]


def _model_limits(doc: SourceDocument, read: ReadDocument, built: list[Built],
                  models: list[str], provider: str) -> dict[str, dict[str, Any]]:
    """Each model's token limits (``x-limits``): rows of a model table, and limits a
    parameter's words state for model groups (or for every model, when they name none)."""
    found: dict[str, dict[str, Any]] = {}
    for row in read.limits:
        for model in group_members(row.model, models, provider) if row.model not in models \
                else [row.model]:
            found.setdefault(model, {}).setdefault(row.name, {
                "value": row.value, "x-source": Source(doc.path, row.line, row.quote).as_json()})
    for reading in (r for b in built for r in b.limits):
        name = reading.keyword.removeprefix("x-limit:")
        named = {m for words in reading.models for m in group_members(words, models, provider)}
        source = Source(doc.path, reading.line, reading.quote, reading.inferred or (
            None if reading.models else "the document states it for no model in particular: "
            "read as every model's")).as_json()
        for model in sorted(named) if reading.models else models:
            found.setdefault(model, {}).setdefault(name, {"value": reading.value,
                                                          "x-source": source})
    return found


def _is_group(words: str) -> bool:
    return words.strip().strip("*").lower().endswith(
        ("series", "系列", "models", "model", "模型"))


def _group_of(model: str, facts: list[PerModel], models: list[str]) -> PerModel | None:
    """The fact whose model words name ``model``: by its id before by its series; else the
    fact for "all other models" (no model words), when no group names it."""
    for groups in (False, True):
        for fact in facts:
            if any(_is_group(words) == groups and model in group_members(words, models)
                   for words in fact.reading.models):
                return fact
    return next((fact for fact in facts if not fact.reading.models), None)


def _model_const(request: dict[str, Any], doc: SourceDocument, model: str, line: int,
                 how: str) -> dict[str, Any]:
    schema = copy.deepcopy(request)
    field = schema.setdefault("properties", {}).setdefault("model", {"type": "string"})
    field.pop("enum", None)
    field.pop("default", None)
    field["const"] = model
    words = _model_words(doc, line, model)
    field["x-source"] = Source(doc.path, line, words, inferred=None if how in (
        "enum", "manifest") else f"the document names {model} ({how}) as a model of this "
        "API").as_json()
    return schema


def _model_words(doc: SourceDocument, line: int, model: str) -> str:
    """The document's words naming ``model``: the id itself, or where an id written in
    short (``qwen-plus-2025-07-28/04-28``) stands on its line."""
    text = doc.line(line) if 0 < line <= len(doc.lines) else ""
    if model in text:
        return model
    stem = model.split("-")[0]
    at = text.find(stem)
    return text[at:at + 120].strip() if at >= 0 and stem else model


def read_prose(doc: SourceDocument, reader: Reader, provider: str) -> DocumentReading:
    read = chat_endpoint_only(doc, reader(doc), provider)
    records = [placed(record) for record in read.records]
    request = build_section(doc, records, "request")
    response = build_section(doc, records, "response") \
        if any(r.section == "response" for r in records) else None
    chunks = build_section(doc, records, "stream") \
        if any(r.section == "stream" for r in records) else None
    shape = SHAPES[provider]
    kinds: dict[str, dict[str, Any]] = {}
    response_schema = response.schema if response else from_samples(doc, read.samples,
                                                                      "response")
    if response_schema is not None:
        kinds["response"] = response_schema
        stream = shape.stream(doc, response_schema, read)
        if chunks is not None:  # the document describes its chunks: they are the stream
            if stream is not None and "x-stream-terminator" in stream:
                chunks.schema["x-stream-terminator"] = stream["x-stream-terminator"]
            stream = chunks.schema
        if stream is not None:
            kinds["stream"] = stream
    error = from_samples(doc, read.samples, "error")
    if error is not None:
        kinds["error"] = error
    body = shape.request(doc, request.schema)
    models = _models(doc, read, provider, request.schema)
    refuse_implausible(doc, models)
    if not models:
        doc.fail(None, "the document names no model (no model enum, sample or id); name them "
                 "with `models` in the manifest")
    ids = [model for model, _, _ in models]
    limits = _model_limits(doc, read, [request, *([response] if response else [])], ids,
                           provider)
    found = []
    for model, line, how in models:
        schema = _model_const(body, doc, model, line, how)
        _per_model(schema, request.per_model, model, ids, limits.get(model, {}))
        found.append(ModelSchemas(provider, model, {"request": schema,
                                                    **copy.deepcopy(kinds)},
                                  limits=limits.get(model, {})))
    return _reading(doc, found, [request, *(b for b in (response, chunks) if b)], read)


def _reading(doc: SourceDocument, found: list[ModelSchemas], built: list[Built],
             read: ReadDocument) -> DocumentReading:
    unread: list[Unread] = [u for b in built for u in b.unread]
    notes = [f"line {p.line}: not written: {p.words[:120]!r} {p.reason}"
             for b in built for p in b.refused]
    notes += [f"line {span.line}: not read: {span.text[:120]}" for span in read.leftovers]
    return DocumentReading(found, unread, notes, parameters=sum(b.parameters for b in built),
                           constraints=sum(b.constraints for b in built))
