"""Alibaba Cloud Model Studio (DashScope) prose API reference (seed 003).

Reads the HTTP request table (``model``, ``input.*``, ``parameters.*``), the HTTP response
table and samples (text and message result formats, the SSE event, the error body), and
the model overview's token limits. Readings of ambiguous passages are recorded in
``x-source.inferred``; docs/decisions.md lists them.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from ._document import ModelSchemas, Source, SourceDocument
from ._pipe_table import Row, row_named, table_rows
from ._prose_rules import is_optional, read_rules

PROVIDER = "dashscope"
_PY_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean",
             "dict": "object", "list": "array"}
_CELL_TYPES = {"string": "string", "integer": "integer", "int": "integer", "float": "number",
               "bool": "boolean", "list": "array", "dict": "object", "list[dict]": "array"}
_PY_TYPE_EXPR = re.compile(r"(?:list\[)*(?:str|int|float|bool|dict)\]*")
_PY_TYPE_ALTERNATIVE = re.compile(rf"^({_PY_TYPE_EXPR.pattern})(?: for specifying [\w ]+)?$")
_FORMAT_EXAMPLE = re.compile(r"in the format of (\{[^}]*\})")


def _source(doc: SourceDocument, row: Row, phrases: list[str] | None = None) -> dict[str, Any]:
    quote = " … ".join([f"{row.name} | {row.type}", *(phrases or [])])
    return Source(doc.path, row.line, quote).as_json()


def _py_type_schema(expr: str, source: dict[str, Any]) -> dict[str, Any]:
    """``list[list[int]]`` -> nested array schemas."""
    if expr.startswith("list[") and expr.endswith("]"):
        return {"type": "array", "items": _py_type_schema(expr[5:-1], source),
                "x-source": source}
    return {"type": _PY_TYPES[expr], "x-source": source}


def _type_schema(doc: SourceDocument, row: Row, source: dict[str, Any]) -> dict[str, Any]:
    cell = row.type.strip().lower()
    if cell in _CELL_TYPES:
        return {"type": _CELL_TYPES[cell]}
    matches = [_PY_TYPE_ALTERNATIVE.match(part) for part in re.split(r"\s*[/;]\s*", row.type)]
    alternatives = [m.group(1) for m in matches if m]
    if len(alternatives) > 1 and len(alternatives) == len(matches):
        # A string, or a list of one kind only: each list alternative has homogeneous items,
        # so a mixed list matches none. anyOf, not oneOf: `[]` is a list of every kind.
        return {"anyOf": [_py_type_schema(expr, source) for expr in alternatives]}
    doc.fail(row.line, f"cannot read the type {row.type!r} of {row.name}")


def _leaf(doc: SourceDocument, row: Row) -> tuple[dict[str, Any], dict[str, Any]]:
    """The schema a row describes, and the fragments it sets on other nodes."""
    base = _type_schema(doc, row, Source(doc.path, row.line, f"{row.name} | {row.type}").as_json())
    fragment, phrases = read_rules(row.description, base.get("type", ""))
    moved = ("x-member", "x-required-members")
    elsewhere: dict[str, Any] = {k: fragment.pop(k) for k in moved if k in fragment}
    if "x-member" in elsewhere:
        elsewhere["enum"] = fragment.pop("enum")
    schema = {**base, **fragment}
    if row.description:
        schema["description"] = row.description
    schema["x-source"] = _source(doc, row, phrases)
    if elsewhere:
        elsewhere["x-source"] = _source(doc, row, phrases)
    return schema, elsewhere


def _implied_object(doc: SourceDocument, row: Row, name: str) -> dict[str, Any]:
    source = Source(doc.path, row.line, row.name, inferred=(
        f"{name} is an object: the table names its members with dotted names ({row.name})"))
    return {"type": "object", "properties": {}, "x-source": source.as_json()}


def _container(doc: SourceDocument, node: dict[str, Any], part: str, row: Row) -> dict[str, Any]:
    child = node["properties"].setdefault(part, None) or _implied_object(doc, row, part)
    node["properties"][part] = child
    if child.get("type") == "array":
        if "items" not in child:
            child["items"] = _implied_object(doc, row, f"each element of {part}")
        return child["items"]  # type: ignore[no-any-return]
    child.setdefault("properties", {})
    return child


def build_object(doc: SourceDocument, rows: list[Row]) -> dict[str, Any]:
    """An object schema from rows with dotted names; un-"Optional" members are required."""
    root: dict[str, Any] = {"type": "object", "properties": {}}
    pending: list[tuple[list[str], dict[str, Any]]] = []
    for row in rows:
        *parents, name = row.name.split(".")
        node = root
        for part in parents:
            node = _container(doc, node, part, row)
        leaf, elsewhere = _leaf(doc, row)
        node["properties"][name] = leaf
        if not is_optional(row.description, row.name):
            node.setdefault("required", []).append(name)
        if elsewhere:
            pending.append(([*parents, name], elsewhere))
    for path, fragment in pending:
        node = root
        for part in path:
            node = _container(doc, node, part, Row(".".join(path), "", "", 0, None))
        if "x-member" in fragment:
            member = node["properties"].setdefault(fragment["x-member"], {})
            member["enum"] = fragment["enum"]
            member["x-source"] = fragment["x-source"]  # the enum is the member's limit
        if "x-required-members" in fragment:
            node["required"] = fragment["x-required-members"]
            node["x-source"] = fragment["x-source"]
    return root


# -- request ---------------------------------------------------------------------------

def request_schema(doc: SourceDocument) -> tuple[dict[str, Any], Row]:
    rows = [row for row in table_rows(doc, "Section | Parameter | Type | Description")
            if row.section == "Body"]
    schema = build_object(doc, rows)
    model_row = row_named(doc, rows, "model", rows[0].line)
    inputs = schema["properties"]["input"]
    prompt_row = row_named(doc, rows, "input.prompt", model_row.line)
    messages_row = row_named(doc, rows, "input.messages", model_row.line)
    # input.prompt is not marked optional, yet every sample request sends only messages and
    # the Java sample sets both: read as "prompt or messages (or both)".
    inputs["required"] = [n for n in inputs.get("required", []) if n != "prompt"]
    if not inputs["required"]:
        del inputs["required"]
    either = Source(doc.path, messages_row.line, "input.messages is optional",
                    inferred=f"input needs prompt (line {prompt_row.line}, not marked optional) "
                    "or messages: the samples send messages alone, the Java sample both")
    inputs["anyOf"] = [{"required": ["prompt"], "x-source": either.as_json()},
                       {"required": ["messages"], "x-source": either.as_json()}]
    inputs["x-source"] = either.as_json()
    history_row = row_named(doc, rows, "input.history", model_row.line)
    if found := _FORMAT_EXAMPLE.search(history_row.description):
        example = json.loads(found.group(1))
        source = Source(doc.path, history_row.line, found.group()).as_json()
        history = inputs["properties"]["history"]
        history["items"] = {"type": "object", "x-source": source, "properties": {
            key: {"type": "string", "x-source": source} for key in example}}
    schema["required"] = ["model", "input"]
    schema["x-source"] = Source(doc.path, model_row.line, model_row.name, inferred=(
        "model is not marked optional; input is required because it carries the prompt or "
        "messages that every request needs")).as_json()
    return schema, model_row


def for_model(request: dict[str, Any], model_row: Row, model: str, doc: SourceDocument,
              overview_line: int) -> dict[str, Any]:
    schema = copy.deepcopy(request)
    field = schema["properties"]["model"]
    listed = field.pop("enum", [])
    field["const"] = model
    if model not in listed:
        field["x-source"] = Source(doc.path, overview_line, model, inferred=(
            f"{model} is in the model overview but not among the HTTP body's valid model "
            f"values (line {model_row.line})")).as_json()
    return schema


# -- limits ----------------------------------------------------------------------------

_LIMIT_PHRASES = (
    ("context_window", re.compile(r"context of up to ([\d,]+) tokens")),
    ("max_input_tokens", re.compile(r"maximum of ([\d,]+) tokens for input")),
    ("max_output_tokens", re.compile(r"([\d,]+) tokens for output")),
    ("max_input_tokens", re.compile(r"maximum number of input tokens is limited to ([\d,]+)")),
)


def overview_limits(doc: SourceDocument) -> dict[str, tuple[int, dict[str, Any]]]:
    """Model -> (overview line, x-limits); a blank limits cell continues the row above."""
    header = doc.find_line("Name | Description | Input and output limits")
    result: dict[str, tuple[int, dict[str, Any]]] = {}
    above: tuple[int, str] | None = None
    for number in range(header + 1, len(doc.lines) + 1):
        cells = [c.strip() for c in doc.line(number).split("|")]
        if len(cells) < 2 or not re.fullmatch(r"[\w.\-]+", cells[0]):
            break
        text = cells[2] if len(cells) > 2 else ""
        inherited = not text
        if inherited:
            if above is None:
                doc.fail(number, f"{cells[0]} has no limits and no row above to continue")
            line, text = above
        else:
            line, above = number, (number, text)
        limits: dict[str, Any] = {}
        for name, pattern in _LIMIT_PHRASES:
            if name not in limits and (found := pattern.search(text)):
                source = Source(doc.path, line, found.group(), inferred=(
                    f"the limits cell of {cells[0]} (line {number}) is blank: it continues "
                    "the row above") if inherited else None)
                value = int(found.group(1).replace(",", ""))
                limits[name] = {"value": value, "x-source": source.as_json()}
        result[cells[0]] = (number, limits)
    return result


# -- response, stream event, error -----------------------------------------------------

def _sample_line(doc: SourceDocument, heading: str, needle: str) -> int:
    return doc.find_line(needle, start=doc.find_line(heading))


def _typed(doc: SourceDocument, row: Row, json_type: str | list[str],
           inferred: str | None = None, **extra: Any) -> dict[str, Any]:
    source = Source(doc.path, row.line, f"{row.name} | {row.type}", inferred=inferred)
    node = {"type": json_type, **extra}
    if row.description:
        node["description"] = row.description
    node["x-source"] = source.as_json()
    return node


def response_schema(doc: SourceDocument) -> dict[str, Any]:
    http_response = doc.find_line("Response parameters", start=doc.find_line("Use HTTP"))
    rows = table_rows(doc, "Parameter | Type | Description | Example", start=http_response)
    row = {r.name: r for r in rows}
    text_sample = _sample_line(doc, "Sample response in the text format", '"choices": null')
    message_sample = _sample_line(doc, "Sample response in the message format", '"text": null')
    nullable = (f"null in the samples: text and finish_reason at line {message_sample}, "
                f"choices at line {text_sample}")
    typo = ("the table says output.choise; the samples, the SDK table and the SDK code all "
            "say choices")
    message = _typed(doc, row["output.choise[x].message"], "object", inferred=(
        "the table types message as String, but describes it as {\"role\", \"content\"} and "
        "every sample sends an object; the response role is left open (\"More roles will be "
        "supported in the future\")"), properties={
        "role": _typed(doc, row["output.choise[x].message.role"], "string"),
        "content": _typed(doc, row["output.choise[x].message.content"], "string"),
    })
    choice = {"type": "object", "properties": {
        "finish_reason": _typed(doc, row["output.choise[x].finish_reason"], ["string", "null"],
                                inferred=nullable),
        "message": message,
    }, "x-source": Source(doc.path, row["output.choise[list]"].line, "output.choise[list] | List",
                          inferred=typo).as_json()}
    text_format = Source(doc.path, text_sample, "Sample response in the text format",
                         inferred="result_format text: output.text carries the reply")
    message_format = Source(doc.path, message_sample, "Sample response in the message format",
                            inferred="result_format message: output.choices carries the reply")
    output = {
        "type": "object",
        "properties": {
            "text": _typed(doc, row["output.text"], ["string", "null"], inferred=nullable),
            "finish_reason": _typed(doc, row["output.finish_reason"], ["string", "null"],
                                    inferred=nullable),
            "choices": _typed(doc, row["output.choise[list]"], ["array", "null"],
                              inferred=f"{typo}; {nullable}", items=choice),
        },
        "oneOf": [
            {"title": "TextResult", "required": ["text"], "x-source": text_format.as_json(),
             "properties": {"text": {"type": "string", "x-source": text_format.as_json()}}},
            {"title": "MessageResult", "required": ["choices"],
             "x-source": message_format.as_json(),
             "properties": {"choices": {"type": "array", "x-source": message_format.as_json()}}},
        ],
        "x-source": Source(doc.path, row["output.text"].line, "output.text | String").as_json(),
    }
    usage = {"type": "object", "properties": {
        "input_tokens": _typed(doc, row["usage.input_tokens"], "integer"),
        "output_tokens": _typed(doc, row["usage.output_tokens"], "integer"),
    }, "x-source": Source(doc.path, row["usage.input_tokens"].line, "usage.input_tokens",
                          inferred="usage is an object: the table names usage.* members"
                          ).as_json()}
    return {
        "type": "object",
        "properties": {"output": output, "usage": usage,
                       "request_id": _typed(doc, row["request_id"], "string")},
        "required": ["output", "usage", "request_id"],
        "x-source": Source(doc.path, text_sample, "Sample response", inferred=(
            "output, usage and request_id appear in every sample response and SSE event; "
            "the document marks none of them optional")).as_json(),
    }


def stream_schema(doc: SourceDocument, response: dict[str, Any]) -> dict[str, Any]:
    event = copy.deepcopy(response)
    line = _sample_line(doc, "Sample response (SSE enabled)", "data:")
    event["title"] = "DashScope SSE event data"
    event["description"] = ("The JSON in each `data:` line of an SSE stream; finish_reason is "
                            'the string "null" until the last event.')
    event["x-source"] = Source(doc.path, line, doc.line(line)[:60] + "…", inferred=(
        "each event's data has the response's shape (the sample events carry output, usage "
        "and request_id)")).as_json()
    return event


def error_schema(doc: SourceDocument) -> dict[str, Any]:
    heading = doc.find_line("Sample error response")
    fields = {}
    for name in ("code", "message", "request_id"):
        line = doc.find_line(f'"{name}"', start=heading)
        fields[name] = {"type": "string",
                        "x-source": Source(doc.path, line, doc.line(line).strip()).as_json()}
    return {
        "type": "object",
        "properties": fields,
        "required": list(fields),
        "x-source": Source(doc.path, heading + 1, doc.line(heading + 1), inferred=(
            "required: the sample error body carries all three")).as_json(),
    }


def ingest(doc: SourceDocument) -> list[ModelSchemas]:
    declared = doc.entry.get("models")
    if not isinstance(declared, list):
        doc.fail(None, "the manifest must list the models this reference documents")
    request, model_row = request_schema(doc)
    response = response_schema(doc)
    kinds = {"response": response, "stream": stream_schema(doc, response),
             "error": error_schema(doc)}
    limits = overview_limits(doc)
    listed = set(read_rules(model_row.description, "string")[0].get("enum", []))
    found = []
    for model in declared:
        if model not in listed and model not in limits:
            doc.fail(model_row.line, f"the manifest lists {model!r}, which the document "
                     "does not mention")
        overview_line, model_limits = limits.get(model, (model_row.line, {}))
        schemas = {"request": for_model(request, model_row, model, doc, overview_line),
                   **copy.deepcopy(kinds)}
        found.append(ModelSchemas(PROVIDER, model, schemas, limits=model_limits))
    return found
