"""Rendered references that lost their parameter names ("flattened", seed 004).

What such a rendering keeps: section headings (``Body``, ``Response``), each parameter's
description on its own line (continued on the next when that line opens with a lower-case
letter or a bracket), and value lists written one value per line, each after the first
opening with ``, ``. The parts are found by that structure: the model list is the Body's
first value list of model ids, a value list belongs to the description above it, the
response's value list is its finish reasons.

Names are not on the page. A description is named through the OpenAI-compatible
chat-completions request such pages document (`OPENAI_CHAT_DESCRIPTIONS`: each name with the
opening words hosts publish for it); a type is set only where the words imply one, and says so
in ``x-source.inferred``. A description no entry names is listed as unread, with its line; a
parameter whose description is not on the page is left out and said so in a note. Nothing
is refused for a reworded sentence: only a page without a model list is.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from ._document import ModelSchemas, Source, SourceDocument
from .grammar import Unread
from .readers._samples import looks_like_model

OPENAI_SHAPE = "the name follows the OpenAI-compatible chat completions request"
SECTIONS = {"authorizations": "auth", "headers": "auth", "body": "request",
            "request body": "request", "请求体": "request", "response": "response",
            "responses": "response", "响应": "response", "返回": "response"}
_LIST_ITEM = re.compile(r"^,?\s*(\S+)\s*$")


@dataclass(frozen=True)
class Known:
    """A request member: its path, the opening words of its published descriptions, the
    keywords its words imply, and why (None where the description states the type)."""

    path: str
    openings: tuple[str, ...]
    keywords: dict[str, Any]
    why: str | None = None


OPENAI_CHAT_DESCRIPTIONS: tuple[Known, ...] = (
    Known("model", ("The name of the model to query", "ID of the model to use",
                    "Corresponding Model Name"), {"type": "string"}),
    Known("messages", ("A list of messages comprising the conversation",),
          {"type": "array"}),
    Known("messages.role", ("The role of the messages author",), {"type": "string"}),
    Known("messages.content", ("The contents of the message",), {}),
    Known("stream", ("If set, tokens are returned as Server-Sent Events",
                     "If set, partial message deltas will be sent"),
          {"type": "boolean"}, "'If set' describes a flag"),
    Known("max_tokens", ("The maximum number of tokens to generate",
                         "The maximum number of tokens that can be generated"),
          {"type": "integer"}, "a number of tokens is a whole number"),
    Known("stop", ("A list of string sequences", "Up to 4 sequences where the API will stop"),
          {"type": "array", "items": "string"}),
    Known("temperature", ("Determines the degree of randomness", "What sampling temperature"),
          {"type": "number"}, "a degree of randomness is a number"),
    Known("top_p", ("The top_p (nucleus)", "An alternative to sampling with temperature"),
          {"type": "number"}, "a cumulative-probability threshold is a number"),
    Known("n", ("Number of generations to return", "How many chat completion choices"),
          {"type": "integer"}, "a count is a whole number"),
    Known("response_format", ("An object specifying the format that the model must output",),
          {"type": "object"}),
    Known("response_format.type", ("The type of the response format",),
          {"type": "string"}, "a format's type is named by a string"),
)


@dataclass
class Block:
    """A description (its first line and words) and the value list written under it."""

    section: str
    line: int
    text: str
    values: list[tuple[int, str]]


def _is_list_start(doc: SourceDocument, number: int) -> bool:
    following = doc.line(number + 1) if number < len(doc.lines) else ""
    return _LIST_ITEM.match(doc.line(number).strip()) is not None and following.startswith(", ")


def _values_at(doc: SourceDocument, number: int) -> list[tuple[int, str]]:
    """The value list starting at line ``number`` (``x`` then ``, y`` lines), or none."""
    if not (doc.line(number).startswith(", ") or _is_list_start(doc, number)):
        return []
    values: list[tuple[int, str]] = []
    while number <= len(doc.lines) and (not values or doc.line(number).startswith(", ")):
        match = _LIST_ITEM.match(doc.line(number).strip())
        if match is None:
            break
        values.append((number, match.group(1)))
        number += 1
    return values


def _continues(text: str) -> bool:
    return bool(text) and (text[0].islower() or text[0] in "(（")


def blocks(doc: SourceDocument) -> list[Block]:
    """The page's descriptions and value lists, in order, each in its section."""
    found: list[Block] = []
    section, number = "", 1
    while number <= len(doc.lines):
        text = doc.line(number).strip()
        if text.lower() in SECTIONS:
            section, number = SECTIONS[text.lower()], number + 1
            continue
        values = _values_at(doc, number)
        if values:
            number += len(values)
            if found and found[-1].section == section and not found[-1].values:
                found[-1].values = values
            else:
                found.append(Block(section, values[0][0], "", values))
            continue
        if text:
            if found and found[-1].section == section and not found[-1].values \
                    and found[-1].text and _continues(text):
                found[-1].text += " " + text
            else:
                found.append(Block(section, number, text, []))
        number += 1
    return found


def _named(block: Block) -> Known | None:
    words = " ".join(block.text.split()).casefold()
    return next((known for known in OPENAI_CHAT_DESCRIPTIONS
                 if any(words.startswith(o.casefold()) for o in known.openings)), None)


def _node(doc: SourceDocument, known: Known, block: Block) -> dict[str, Any]:
    inferred = OPENAI_SHAPE + (f"; the type: {known.why}" if known.why else "")
    if known.path == "top_p":  # the name is in the words themselves
        inferred = known.why or ""
    source = Source(doc.path, block.line, block.text, inferred=inferred).as_json()
    node: dict[str, Any] = {k: v for k, v in known.keywords.items() if k != "items"}
    if "items" in known.keywords:
        node["items"] = {"type": known.keywords["items"], "x-source": source}
    node["description"] = block.text
    if known.keywords:
        node["x-source"] = source
    return node


def _place(properties: dict[str, Any], path: str, node: dict[str, Any]) -> bool:
    *parents, name = path.split(".")
    target = properties
    for parent in parents:
        if parent not in target:
            return False
        holder = target[parent]
        if holder.get("type") == "array":
            holder = holder.setdefault("items", {"type": "object",
                                                 "x-source": holder["x-source"]})
        target = holder.setdefault("properties", {})
    target[name] = node
    return True


@dataclass
class Request:
    schema: dict[str, Any]
    models: list[tuple[int, str]]
    unread: list[Unread]
    notes: list[str]


def request_schema(doc: SourceDocument, found: list[Block]) -> Request:
    properties: dict[str, Any] = {}
    unread: list[Unread] = []
    said: set[str] = set()
    body = [b for b in found if b.section == "request"]
    model_lists = [b for b in body if b.values and all(looks_like_model(v) for _, v in b.values)]
    if not model_lists:
        doc.fail(None, "a flattened page without a list of model ids under its Body heading")
    models_block = model_lists[0]
    for block in body:
        known = _named(block) if block.text else None
        if known is None:
            if block is not models_block and (block.text or block.values):
                unread.append(Unread(block.line, block.text or block.values[0][1],
                                     "a description no known parameter has"))
            continue
        node = _node(doc, known, block)
        if known.path == "messages.role" and block.values:
            node["enum"] = [value for _, value in block.values]
            node["x-source"] = Source(doc.path, block.line, doc.line(block.line).strip()).as_json()
        if _place(properties, known.path, node):
            said.add(known.path)
        else:
            unread.append(Unread(block.line, block.text, f"{known.path}: its parent is not "
                                 "on the page"))
    if "model" not in properties:
        properties["model"] = {"type": "string", "x-source": Source(
            doc.path, models_block.line, models_block.values[0][1],
            inferred="the list of model ids names the model member").as_json()}
        said.add("model")
    notes = [f"{k.path}: not on this page (no description opens with "
             f"{k.openings[0]!r}); left out" for k in OPENAI_CHAT_DESCRIPTIONS
             if k.path not in said]
    model_line = models_block.line
    messages = properties.get("messages", {}).get("items")
    if messages is not None and {"role", "content"} <= set(messages.get("properties", {})):
        messages["required"] = ["role", "content"]
        messages["x-source"] = {**messages["x-source"], "inferred": (
            "a message has a role and contents; the page marks neither optional")}
    schema = {
        "type": "object",
        "properties": properties,
        "required": [name for name in ("model", "messages") if name in properties],
        "x-source": Source(doc.path, model_line, doc.line(model_line), inferred=(
            "model and messages: a chat completion names its model and has a conversation; "
            "the flattened page lost its required markers")).as_json(),
    }
    return Request(schema, models_block.values, unread, notes)


def response_schemas(doc: SourceDocument, found: list[Block]) -> tuple[dict[str, Any] | None,
                                                                        dict[str, Any] | None]:
    answer = [b for b in found if b.section == "response"]
    reasons = next((b for b in answer if b.values), None)
    if reasons is None:
        return None, None
    first = reasons.values[0][0]
    as_written = " ".join(doc.line(n).strip() for n, _ in reasons.values)
    reasons_source = Source(doc.path, first, as_written, inferred=(
        "finish_reason values, placed at choices[].finish_reason as in the OpenAI-compatible "
        "response")).as_json()
    values = [value for _, value in reasons.values]

    def choices(finish_reason: dict[str, Any]) -> dict[str, Any]:
        return {"type": "array", "x-source": reasons_source, "items": {
            "type": "object", "x-source": reasons_source,
            "properties": {"finish_reason": finish_reason}}}

    response: dict[str, Any] = {"type": "object", "x-source": reasons_source, "properties": {
        "choices": choices({"enum": values, "x-source": reasons_source})}}
    kind = next((b for b in answer if b.text == "chat.completion"), None)
    if kind is not None:
        object_source = Source(doc.path, kind.line, kind.text).as_json()
        response["x-source"] = object_source
        response["properties"] = {"object": {"const": kind.text, "x-source": object_source},
                                  **response["properties"]}
    done = next((b for b in found if "data: [DONE]" in b.text), None)
    if done is None:
        return response, None
    stream_source = Source(doc.path, done.line, "Stream terminates with data: [DONE]", inferred=(
        "each event before [DONE] is a JSON chunk; its finish_reason is null until the last "
        "chunk (OpenAI-compatible streaming); the page names no chunk object")).as_json()
    stream = {"type": "object", "x-source": stream_source, "x-stream-terminator": "[DONE]",
              "properties": {"choices": choices({"enum": [*values, None],
                                                 "x-source": stream_source})}}
    return response, stream


def read(doc: SourceDocument) -> tuple[list[ModelSchemas], list[Unread], list[str]]:
    found = blocks(doc)
    request = request_schema(doc, found)
    response, stream = response_schemas(doc, found)
    models = []
    for line, model in request.models:
        schema = copy.deepcopy(request.schema)
        field = schema["properties"]["model"]
        field["const"] = model
        field["x-source"] = Source(doc.path, line, doc.line(line).strip()).as_json()
        kinds = {"request": schema}
        if response is not None:
            kinds["response"] = copy.deepcopy(response)
        if stream is not None:
            kinds["stream"] = copy.deepcopy(stream)
        models.append(ModelSchemas(doc.entry["provider"], model, kinds))
    return models, request.unread, request.notes
