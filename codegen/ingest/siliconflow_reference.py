"""SiliconFlow chat completions reference, flattened (seed 004).

The rendering lost the parameter names and most types: what is left is each parameter's
description, the model list, the role values and the response's ``finish_reason`` values.
Names are matched to descriptions through the OpenAI-compatible chat-completions request
the page documents (`KNOWN_PARAMETERS`); a type is set only where the words imply one, and
says so in ``x-source.inferred``. No range is set: the page gives none.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ._document import ModelSchemas, Source, SourceDocument

PROVIDER = "siliconflow"
_LIST_ITEM = re.compile(r"^,?\s*(\S+)\s*$")
OPENAI_SHAPE = "the name follows the OpenAI-compatible chat completions request"

# (parameter path, the description's opening words, schema keywords, why the type)
KNOWN_PARAMETERS: tuple[tuple[str, str, dict[str, Any], str | None], ...] = (
    ("model", "The name of the model to query.", {"type": "string"}, None),
    ("messages", "A list of messages comprising the conversation so far.",
     {"type": "array"}, None),
    ("messages.role", "The role of the messages author.", {"type": "string"}, None),
    ("messages.content", "The contents of the message.", {}, None),
    ("stream", "If set, tokens are returned as Server-Sent Events",
     {"type": "boolean"}, "'If set' describes a flag"),
    ("max_tokens", "The maximum number of tokens to generate.",
     {"type": "integer"}, "a number of tokens is a whole number"),
    ("stop", "A list of string sequences", {"type": "array", "items": "string"}, None),
    ("temperature", "Determines the degree of randomness in the response.",
     {"type": "number"}, "a degree of randomness is a number"),
    ("top_p", "The top_p", {"type": "number"}, "a cumulative-probability threshold is a number"),
    ("n", "Number of generations to return", {"type": "integer"}, "a count is a whole number"),
    ("response_format", "An object specifying the format that the model must output.",
     {"type": "object"}, None),
    ("response_format.type", "The type of the response format.",
     {"type": "string"}, "a format's type is named by a string"),
)


def _list_after(doc: SourceDocument, heading: int) -> tuple[list[str], int]:
    """The ``x`` / ``, y`` / ``, z`` lines right after line ``heading``."""
    values: list[str] = []
    number = heading + 1
    while number <= len(doc.lines):
        text = doc.line(number).strip()
        match = _LIST_ITEM.match(text)
        if not match or (values and not text.startswith(",")) or " " in match.group(1):
            break
        values.append(match.group(1))
        number += 1
    if not values:
        doc.fail(heading, "expected a list of values after this line")
    return values, heading + 1


def _parameter(doc: SourceDocument, words: str, keywords: dict[str, Any],
               why: str | None, name: str) -> tuple[dict[str, Any], int]:
    line = doc.find_line(words)
    text = doc.line(line).strip()
    if words == "The top_p":  # the name is in the text; the description runs on
        text = f"{text} {doc.line(line + 1).strip()}"
    inferred = f"{OPENAI_SHAPE}" + (f"; the type: {why}" if why else "")
    source = Source(doc.path, line, text, inferred=inferred if name != "top_p" else why).as_json()
    node: dict[str, Any] = {k: v for k, v in keywords.items() if k != "items"}
    if "items" in keywords:
        node["items"] = {"type": keywords["items"], "x-source": source}
    node["description"] = text
    if keywords:
        node["x-source"] = source
    return node, line


def request_schema(doc: SourceDocument) -> tuple[dict[str, Any], list[str], int]:
    properties: dict[str, Any] = {}
    model_line = 0
    models: list[str] = []
    for path, words, keywords, why in KNOWN_PARAMETERS:
        node, line = _parameter(doc, words, keywords, why, path)
        *parents, name = path.split(".")
        target = properties
        for parent in parents:
            holder = properties[parent]
            if holder.get("type") == "array":
                element = {"type": "object", "x-source": holder["x-source"]}
                holder = holder.setdefault("items", element)
            target = holder.setdefault("properties", {})
        target[name] = node
        if path == "model":
            models, _ = _list_after(doc, line)
            model_line = line
        if path == "messages.role":
            roles, _ = _list_after(doc, line)
            node["enum"] = roles
            node["x-source"] = Source(doc.path, line, doc.line(line).strip()).as_json()
    messages = properties["messages"]["items"]
    messages["required"] = ["role", "content"]
    messages["x-source"] = {**messages["x-source"], "inferred": (
        "a message has a role and contents; the page marks neither optional")}
    schema = {
        "type": "object",
        "properties": properties,
        "required": ["model", "messages"],
        "x-source": Source(doc.path, model_line, doc.line(model_line), inferred=(
            "model and messages: a chat completion names its model and has a conversation; "
            "the flattened page lost its required markers")).as_json(),
    }
    return schema, models, model_line


def response_schemas(doc: SourceDocument) -> tuple[dict[str, Any], dict[str, Any]]:
    heading = doc.find_line("Response")
    reasons, first = _list_after(doc, heading)
    object_line = doc.find_line("chat.completion", start=first)
    as_written = " ".join(doc.line(n).strip() for n in range(first, first + len(reasons)))
    reasons_source = Source(doc.path, first, as_written, inferred=(
        "finish_reason values, placed at choices[].finish_reason as in the OpenAI-compatible "
        "response")).as_json()
    object_source = Source(doc.path, object_line, doc.line(object_line).strip()).as_json()

    def choices(finish_reason: dict[str, Any]) -> dict[str, Any]:
        return {"type": "array", "x-source": reasons_source, "items": {
            "type": "object", "x-source": reasons_source,
            "properties": {"finish_reason": finish_reason}}}

    response = {"type": "object", "x-source": object_source, "properties": {
        "object": {"const": "chat.completion", "x-source": object_source},
        "choices": choices({"enum": reasons, "x-source": reasons_source}),
    }}
    done_line = doc.find_line("data: [DONE]")
    stream_source = Source(doc.path, done_line, "Stream terminates with data: [DONE]", inferred=(
        "each event before [DONE] is a JSON chunk; its finish_reason is null until the last "
        "chunk (OpenAI-compatible streaming); the page names no chunk object")).as_json()
    stream = {"type": "object", "x-source": stream_source, "x-stream-terminator": "[DONE]",
              "properties": {"choices": choices({"enum": [*reasons, None],
                                                 "x-source": stream_source})}}
    return response, stream


def ingest(doc: SourceDocument) -> list[ModelSchemas]:
    request, models, model_line = request_schema(doc)
    response, stream = response_schemas(doc)
    found = []
    for model in models:
        schema = copy.deepcopy(request)
        field = schema["properties"]["model"]
        field["const"] = model
        line = next(n for n in range(model_line + 1, len(doc.lines) + 1)
                    if doc.line(n).strip().lstrip(", ") == model)
        field["x-source"] = Source(doc.path, line, doc.line(line).strip()).as_json()
        found.append(ModelSchemas(PROVIDER, model, {
            "request": schema, "response": copy.deepcopy(response),
            "stream": copy.deepcopy(stream)}))
    return found
