"""The OpenAPI reader: facts read by hand from SiliconFlow's OpenAPI page (a Mintlify page with
the YAML in a fence) and its 2024 standalone spec, each with its line; Cloudflare's published
operations; every 3.0 form's 2020-12 reading; hostile specifications as one clear line each."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from conftest import ROOT

from wirespec._exceptions import DocumentError
from wirespec.codegen.ingest._document import SourceDocument
from wirespec.codegen.ingest.readers import openapi
from wirespec.codegen.ingest.readers.openapi import ModelInAlternative, OpenAPIRead

PAGE = "siliconflow/chat-completions.openapi-page.md"
SPEC_2024 = "tests/corpus/research/siliconflow/openapi.siliconcloud-2024.yaml"
CLOUDFLARE = ROOT / "tests" / "corpus" / "cloudflare-openapi"


def document(path: str, text: str | None = None) -> SourceDocument:
    if text is None:
        where = ROOT / "sources" / path if not path.startswith("tests/") else ROOT / path
        text = where.read_text(encoding="utf-8")
    return SourceDocument(path, text, {}, lambda _path: document(_path))


@pytest.fixture(scope="module")
def page() -> OpenAPIRead:
    return openapi.read(document(PAGE))


@pytest.fixture(scope="module")
def spec() -> dict[str, OpenAPIRead]:
    read = openapi.read(document(SPEC_2024))
    return {part.operation or "": part for part in read.operations}


def at(schema: Any, pointer: str) -> Any:
    for token in pointer.strip("/").split("/") if pointer.strip("/") else []:
        schema = schema[int(token)] if isinstance(schema, list) else schema[token]
    return schema


def lines_of(path: str) -> list[str]:
    where = ROOT / "sources" / path if not path.startswith("tests/") else ROOT / path
    return where.read_text(encoding="utf-8").split("\n")


def check_fact(schema: dict[str, Any], fact: tuple[Any, ...], path: str) -> None:
    """The value at ``pointer``/``keyword``; the node cites ``node_line``; the words that say
    it stand on ``line`` of the document and in the node's quote (constraints)."""
    pointer, keyword, value, node_line, line, words = fact
    node = at(schema, pointer)
    assert node[keyword] == value, fact
    assert node["x-source"]["line"] == node_line, (fact, node["x-source"])
    assert words in lines_of(path)[line - 1], (fact, lines_of(path)[line - 1])
    if keyword in ("type", "enum", "minimum", "maximum", "minItems", "maxItems", "required",
                   "minLength", "maxLength", "additionalProperties"):
        assert words.split(":")[0] in node["x-source"]["quote"], (fact, node["x-source"])


# --- SiliconFlow's OpenAPI page (the YAML starts on line 14) ---------------------------------

LLM = "/oneOf/0"
VLM = "/oneOf/1"
P = f"{LLM}/properties"
PAGE_REQUEST_FACTS = [
    (LLM, "type", "object", 93, 95, "type: object"),
    (LLM, "required", ["model", "messages"], 93, 96, "required:"),
    (LLM, "title", "LLM", 93, 94, "title: LLM"),
    (f"{P}/messages", "type", "array", 173, 174, "type: array"),
    (f"{P}/messages", "minItems", 1, 173, 203, "minItems: 1"),
    (f"{P}/messages", "maxItems", 10, 173, 204, "maxItems: 10"),
    (f"{P}/messages/items", "required", ["role", "content"], 176, 200, "required:"),
    (f"{P}/messages/items/properties/role", "enum", ["user", "assistant", "system"], 179,
     186, "enum:"),
    (f"{P}/messages/items/properties/role", "default", "user", 179, 185, "default: user"),
    (f"{P}/stream", "type", "boolean", 205, 206, "type: boolean"),
    (f"{P}/max_tokens", "type", "integer", 211, 212, "type: integer"),
    (f"{P}/thinking_budget", "minimum", 128, 244, 251, "minimum: 128"),
    (f"{P}/thinking_budget", "maximum", 32768, 244, 252, "maximum: 32768"),
    (f"{P}/thinking_budget", "default", 4096, 244, 250, "default: 4096"),
    (f"{P}/min_p", "type", "number", 253, 254, "type: number"),
    (f"{P}/min_p", "minimum", 0, 253, 260, "minimum: 0"),
    (f"{P}/min_p", "maximum", 1, 253, 261, "maximum: 1"),
    (f"{P}/min_p", "format", "float", 253, 258, "format: float"),
    (f"{P}/stop/oneOf/0", "type", ["string", "null"], 268, 270, "nullable: true"),
    (f"{P}/stop/oneOf/1", "minItems", 1, 271, 272, "minItems: 1"),
    (f"{P}/stop/oneOf/1", "maxItems", 4, 271, 273, "maxItems: 4"),
    (f"{P}/temperature", "type", "number", 277, 278, "type: number"),
    (f"{P}/top_p", "default", 0.7, 282, 290, "default: 0.7"),
    (f"{P}/top_k", "type", "number", 291, 292, "type: number"),
    (f"{P}/n", "type", "integer", 299, 300, "type: integer"),
    (f"{P}/tools/items", "required", ["type", "function"], 559, 569, "required:"),
    (f"{P}/tools/items/properties/type", "enum", ["function"], 562, 564, "enum:"),
    (f"{P}/tools/items/properties/function", "required", ["name"], 617, 643, "required:"),
    (f"{P}/tools/items/properties/function/properties/strict", "type", ["boolean", "null"],
     632, 634, "nullable: true"),
    (f"{P}/tools/items/properties/function/properties/parameters", "additionalProperties",
     True, 737, 747, "additionalProperties: true"),
    (f"{VLM}/properties/stream", "default", False, 394, 400, "default: false"),
    (f"{VLM}/properties/temperature", "default", 0.7, 432, 437, "default: 0.7"),
    (f"{VLM}/properties/top_k", "default", 50, 447, 451, "default: 50"),
    (f"{VLM}/properties/messages/items/properties/content/oneOf/0", "minItems", 1, 375, 388,
     "minItems: 1"),
    (f"{VLM}/properties/messages/items/properties/content/oneOf/0/items/oneOf/0/properties/"
     "image_url/properties/detail", "enum", ["auto", "low", "high"], 667, 670, "enum:"),
    (f"{VLM}/properties/messages/items/properties/content/oneOf/0/items/oneOf/1", "required",
     ["type", "text"], 680, 694, "required:"),
]
PAGE_RESPONSE_FACTS = [
    ("/properties/object", "enum", ["chat.completion"], 483, 485, "enum:"),
    ("/properties/choices/items/properties/finish_reason", "enum",
     ["stop", "eos", "length", "tool_calls"], 730, 732, "enum:"),
    ("/properties/usage/properties/total_tokens", "type", "integer", 615, 616,
     "type: integer"),
    ("/properties/choices/items/properties/message/properties/tool_calls/items", "required",
     ["id", "type", "function"], 697, 726, "required:"),
]
PAGE_ERROR_FACTS = [
    ("/anyOf/0", "required", ["message", "data", "code"], 502, 504, "required:"),
    ("/anyOf/0/properties/code", "type", ["integer", "null"], 509, 511, "nullable: true"),
    ("/anyOf/1", "type", "string", 520, 521, "type: string"),
    ("/anyOf/4", "required", ["code", "message", "data"], 541, 543, "required:"),
]


@pytest.mark.parametrize("fact", PAGE_REQUEST_FACTS, ids=lambda f: f"{f[0]}:{f[1]}")
def test_page_request_facts(page, fact):
    check_fact(page.schemas["request"], fact, PAGE)


@pytest.mark.parametrize("fact", PAGE_RESPONSE_FACTS, ids=lambda f: f"{f[0]}:{f[1]}")
def test_page_response_facts(page, fact):
    check_fact(page.schemas["response"], fact, PAGE)


@pytest.mark.parametrize("fact", PAGE_ERROR_FACTS, ids=lambda f: f"{f[0]}:{f[1]}")
def test_page_error_facts(page, fact):
    check_fact(page.schemas["error"], fact, PAGE)


def test_page_is_one_operation_in_its_fence(page):
    assert page.layout == "openapi" and page.operation == "POST /chat/completions"
    assert page.operation_id == "chat-completions" and page.operations == []
    assert page.block == (14, 756)  # the prose around the fence is left to other readers
    assert sorted(page.schemas) == ["error", "request", "response", "stream"]
    assert page.leftovers == []


def test_page_bounds_are_closed(page):
    budget = at(page.schemas["request"], f"{P}/thinking_budget")
    assert not {"exclusiveMinimum", "exclusiveMaximum"} & set(budget)
    jsonschema_rs.validator_for(budget).validate(128)
    jsonschema_rs.validator_for(budget).validate(32768)
    assert not jsonschema_rs.is_valid(budget, 32769)


def test_page_models_per_alternative(page):
    by_alternative: dict[str | None, list[str]] = {}
    for mention in page.models:
        assert isinstance(mention, ModelInAlternative) and mention.how == "enum"
        assert mention.model in lines_of(PAGE)[mention.line - 1]
        by_alternative.setdefault(mention.alternative, []).append(mention.model)
    assert set(by_alternative) == {LLM, VLM}
    assert len(by_alternative[LLM]) == 62 and len(by_alternative[VLM]) == 17
    lines = {(m.model, m.alternative): m.line for m in page.models}
    assert lines[("Qwen/QwQ-32B", LLM)] == 145 and ("Qwen/QwQ-32B", VLM) not in lines
    assert lines[("Qwen/Qwen3-VL-8B-Instruct", VLM)] == 341
    assert ("Qwen/Qwen3-VL-8B-Instruct", LLM) not in lines
    assert lines[("deepseek-ai/deepseek-vl2", LLM)] == 119
    assert lines[("deepseek-ai/deepseek-vl2", VLM)] == 347
    request = page.schemas["request"]
    assert at(request, f"{VLM}/title") == "VLM"  # what the builder gives VLM models


def test_page_vlm_stop_same_alternatives_read_as_one(page):
    stop = at(page.schemas["request"], f"{VLM}/properties/stop")
    assert len(stop["oneOf"]) == 2 and "alternative 3 is alternative 2" in \
        stop["x-source"]["inferred"]
    engine = jsonschema_rs.validator_for(stop)
    for value in ("\n", None, ["a"]):  # a literal three-way oneOf rejected the first two
        assert engine.is_valid(value), value
    assert not engine.is_valid([]) and not engine.is_valid(["a"] * 5)


def test_page_stream_error_and_done(page):
    stream = page.schemas["stream"]
    assert stream["properties"]["object"]["enum"] == ["chat.completion.chunk"]
    assert stream["x-source"]["line"] == 487 and "each event's data" in \
        stream["x-source"]["inferred"]
    frames = [(s.kind, s.line, s.text, s.value) for s in page.samples]
    assert frames == [("stream", 209, "data: [DONE]", None),
                      ("stream", 398, "data: [DONE]", None)]
    error = page.schemas["error"]
    statuses = [[s["status"] for s in alt["x-status"]] for alt in error["anyOf"]]
    assert statuses == [["400"], ["401"], ["404"], ["429"], ["503"], ["504"]]
    assert [alt["x-status"][0]["x-source"]["line"] for alt in error["anyOf"]] == [
        54, 60, 66, 72, 78, 84]
    assert "any of them" in error["x-source"]["inferred"]


def test_a_streamed_finish_reason_is_null_until_the_last_chunk():
    """The page gives a chunk the response's choice (finish_reason a string of four values);
    an OpenAI-compatible stream, which its data: [DONE] marks, sends null before the last
    chunk. Read so and marked inferred, as the older pages' reading has it; the response
    keeps the page's own type."""
    from wirespec.validators._sse import StreamChecker

    model = "siliconflow:Qwen/Qwen2.5-7B-Instruct"
    reason = json.loads((ROOT / "schemas/siliconflow/Qwen__Qwen2.5-7B-Instruct.stream.json")
                        .read_text())["properties"]["choices"]["items"]["properties"][
                            "finish_reason"]
    assert reason["type"] == ["string", "null"] and reason["enum"][-1] is None
    assert "OpenAI-compatible streaming" in reason["x-source"]["inferred"]
    answer = json.loads((ROOT / "schemas/siliconflow/Qwen__Qwen2.5-7B-Instruct.response.json")
                        .read_text())
    assert answer["properties"]["choices"]["items"]["properties"]["finish_reason"][
        "type"] == "string"
    chunks = [{"id": "1", "object": "chat.completion.chunk", "choices": [
        {"index": 0, "delta": {"content": text}, "finish_reason": reason}]}
        for text, reason in (("Hel", None), ("lo", None), ("", "stop"))]
    checker = StreamChecker(model)
    stream = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    assert checker.feed(stream + b"data: [DONE]\n\n") == [] and checker.close() == []
    late = StreamChecker(model)  # a reason the page does not list is still refused
    chunks[-1]["choices"][0]["finish_reason"] = "halted"
    assert late.feed(b"data: " + json.dumps(chunks[-1]).encode() + b"\n\n")


# --- SiliconFlow's 2024 standalone spec ----------------------------------------------------

SPEC_FACTS = [
    ("POST /chat/completions", "request", "/properties/max_tokens", "minimum", 1, 1212, 1217,
     "minimum: 1"),
    ("POST /chat/completions", "request", "/properties/max_tokens", "maximum", 4096, 1212,
     1218, "maximum: 4096"),
    ("POST /chat/completions", "request", "/properties/max_tokens", "default", 512, 1212,
     1216, "default: 512"),
    ("POST /chat/completions", "request", "/properties/messages", "maxItems", 10, 1176, 1206,
     "maxItems: 10"),
    ("POST /chat/completions", "request", "/properties/stop/oneOf/0", "type",
     ["string", "null"], 1226, 1229, "nullable: true"),
    ("POST /chat/completions", "request", "/properties/stop", "default", None, 1219, 1223,
     "default: null"),
    ("POST /chat/completions", "request", "/properties/stream", "default", False, 1207, 1211,
     "default: false"),
    ("POST /chat/completions", "stream", "/properties/object", "enum",
     ["chat.completion.chunk"], 1301, 1303, "enum:"),
    ("POST /embeddings", "request", "", "required", ["model", "input"], 630, 632,
     "required:"),
    ("POST /embeddings", "request", "/properties/input/oneOf/1", "maxItems", 32, 659, 666,
     "maxItems: 32"),
    ("POST /embeddings", "request", "/properties/input/oneOf/1", "minItems", 1, 659, 665,
     "minItems: 1"),
    ("POST /embeddings", "request", "/properties/encoding_format", "enum",
     ["float", "base64"], 671, 677, 'enum: [ "float", "base64" ]'),
    ("POST /embeddings", "response", "", "required", ["object", "model", "data", "usage"],
     679, 681, "required:"),
    ("POST /embeddings", "response", "/properties/object", "enum", [["list"]], 687, 691,
     "- [ list ]"),
    ("POST /embeddings", "response", "/properties/data/items", "required",
     ["index", "object", "embedding"], 698, 700, "required: [ index, object, embedding ]"),
    ("POST /rerank", "request", "/properties/overlap_tokens", "maximum", 80, 769, 772,
     "maximum: 80"),
    ("POST /rerank", "request", "/properties/documents", "minItems", 1, 749, 751,
     "minItems: 1"),
    ("POST /rerank", "request", "/properties/return_documents", "default", False, 761, 763,
     "default: false"),
    ("POST /audio/speech", "request", "/properties/input", "maxLength", 128000, 821, 824,
     "maxLength: 128000"),
    ("POST /audio/speech", "request", "/properties/input", "minLength", 1, 821, 825,
     "minLength: 1"),
    ("POST /audio/speech", "request", "", "additionalProperties", False, 810, 812,
     "additionalProperties: false"),
    ("POST /images/generations", "request", "/oneOf/0/properties/batch_size", "maximum", 4,
     1405, 1409, "maximum: 4"),
    ("POST /images/generations", "request", "/oneOf/0/properties/seed", "maximum",
     9999999999, 1411, 1415, "maximum: 9999999999"),
    ("POST /images/generations", "request", "/oneOf/3/properties/num_inference_steps",
     "maximum", 30, 1526, 1530, "maximum: 30"),
    ("POST /images/generations", "request", "/oneOf/0/properties/guidance_scale", "default",
     7.5, 1422, 1427, "default: 7.5"),
    ("POST /images/generations", "request", "/oneOf/6/properties/image_size", "default",
     "512x512", 1669, 1678, "default: 512x512"),
]


@pytest.mark.parametrize("fact", SPEC_FACTS, ids=lambda f: f"{f[0]}:{f[1]}:{f[2]}:{f[3]}")
def test_spec_2024_facts(spec, fact):
    operation, kind, *rest = fact
    check_fact(spec[operation].schemas[kind], tuple(rest), SPEC_2024)


def test_spec_2024_operations_and_what_is_left(spec):
    assert sorted(spec) == ["POST /audio/speech", "POST /audio/transcriptions",
                            "POST /chat/completions", "POST /embeddings",
                            "POST /images/generations", "POST /rerank",
                            "POST /uploads/audio/voice"]
    container = openapi.read(document(SPEC_2024))
    assert container.schemas == {} and container.models == []
    assert [(s.line, s.text.split(":")[0]) for s in container.leftovers] == [
        (19, "GET /user/info"), (117, "GET /models")]
    assert sorted(spec["POST /audio/speech"].schemas) == ["request"]
    assert (440, "response 200 application/octet-stream: not read") in [
        (s.line, s.text) for s in spec["POST /audio/speech"].leftovers]
    assert "request" not in spec["POST /audio/transcriptions"].schemas
    assert "no enum value is of the type string" in " ".join(
        s.text for s in spec["POST /embeddings"].leftovers)


def test_spec_2024_models(spec):
    chat = spec["POST /chat/completions"].models
    assert len(chat) == 48 and {m.alternative for m in chat} == {None}
    assert [m.line for m in chat if m.model == "Vendor-A/Qwen/Qwen2-72B-Instruct"] == [1148]
    images = [(m.model, m.line, m.alternative) for m in spec["POST /images/generations"].models]
    assert images[0] == ("stabilityai/stable-diffusion-3-5-large", 1388, "/oneOf/0")
    assert images[3] == ("black-forest-labs/FLUX.1-dev", 1507, "/oneOf/3")
    assert [alt for *_, alt in images] == [f"/oneOf/{n}" for n in range(7)]
    assert [m.model for m in spec["POST /embeddings"].models][-1] == "Pro/BAAI/bge-m3"


def test_spec_2024_errors_share_one_schema(spec):
    error = spec["POST /rerank"].schemas["error"]
    assert error["type"] == "string" and error["x-source"]["line"] == 879
    assert [s["status"] for s in error["x-status"]] == ["400", "401", "404", "429", "503",
                                                        "504"]


# --- every schema read -----------------------------------------------------------------------

def every_schema(page, spec):
    for part in [page, *spec.values()]:
        for kind, schema in part.schemas.items():
            yield f"{part.operation} {kind}", schema


def test_every_schema_is_2020_12_self_contained_and_cited(page, spec):
    for name, schema in every_schema(page, spec):
        jsonschema_rs.meta.validate(schema)
        assert not list(keys_named(schema, "$ref")), name
        for node in schema_nodes(schema):
            assert {"doc", "line", "quote"} <= set(node["x-source"]), (name, node)


def test_every_quote_is_words_of_its_document(page, spec):
    for path, part_list in ((PAGE, [page]), (SPEC_2024, list(spec.values()))):
        whole = " ".join(" ".join(lines_of(path)).split())
        for part in part_list:
            for schema in part.schemas.values():
                for source in keys_named(schema, "x-source"):
                    for segment in source["quote"].split(" … "):
                        assert segment.removesuffix("…") in whole, (path, source)


def keys_named(value: Any, name: str):
    if isinstance(value, dict):
        if name in value:
            yield value[name]
        for child in value.values():
            yield from keys_named(child, name)
    elif isinstance(value, list):
        for child in value:
            yield from keys_named(child, name)


def schema_nodes(schema: Any):
    from wirespec.validators._schema_walk import iter_subschemas

    for _pointer, node in iter_subschemas(schema):
        yield node


# --- Cloudflare's published operations -------------------------------------------------------

def cloudflare_document() -> str:
    paths = {}
    for name in ("cf__qwen__qwen1.5-0.5b-chat.json", "cf__baai__bge-base-en-v1.5.json"):
        extracted = json.loads((CLOUDFLARE / name).read_text(encoding="utf-8"))
        responses = {status: {"description": status, "content": content}
                     for status, content in extracted["responses"].items()}
        paths[f"/accounts/{{account_id}}/ai/run/{extracted['model']}"] = {"post": {
            "operationId": extracted["operationId"],
            "requestBody": {"content": extracted["requestBody"]}, "responses": responses}}
    return json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                       "paths": paths}, indent=2)


def without_sources(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_sources(v) for k, v in value.items()
                if k not in ("x-source", "x-status")}
    if isinstance(value, list):
        return [without_sources(v) for v in value]
    return value


def test_cloudflare_operations_keep_their_published_schemas():
    text = cloudflare_document()
    read = openapi.read(document("cloudflare/api.openapi.json", text))
    assert [p.operation for p in read.operations] == [
        "POST /accounts/{account_id}/ai/run/@cf/qwen/qwen1.5-0.5b-chat",
        "POST /accounts/{account_id}/ai/run/@cf/baai/bge-base-en-v1.5"]
    for part, name in zip(read.operations, ("cf__qwen__qwen1.5-0.5b-chat.json",
                                            "cf__baai__bge-base-en-v1.5.json"), strict=True):
        published = json.loads((CLOUDFLARE / name).read_text(encoding="utf-8"))
        assert without_sources(part.schemas["request"]) == \
            published["requestBody"]["application/json"]["schema"]
        assert part.models == []  # the model is in the path, not in an enum
        assert part.schemas["error"]["x-status"][0]["status"] == "400"
    qwen = read.operations[0].schemas["request"]
    prompt = qwen["oneOf"][0]["properties"]["prompt"]
    assert prompt["maxLength"] == 131072
    assert '"maxLength": 131072' in prompt["x-source"]["quote"]
    assert text.split("\n")[prompt["x-source"]["line"] - 1].strip().startswith('"prompt"')
    engine = jsonschema_rs.validator_for(qwen)
    assert engine.is_valid({"prompt": "hi"}) and not engine.is_valid({"prompt": ""})


# --- OpenAPI 3.0 forms as JSON Schema 2020-12 ------------------------------------------------

def spec_text(schemas: str, request: str = "$ref: '#/components/schemas/R'",
              version: str = "3.0.3") -> str:
    return f"""openapi: {version}
info: {{title: t, version: '1'}}
paths:
  /x:
    post:
      requestBody:
        content:
          application/json:
            schema:
              {request}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/R'
components:
  schemas:
{schemas}"""


def read_spec(schemas: str, **kwargs: str) -> OpenAPIRead:
    return openapi.read(document("t/spec.yaml", spec_text(schemas, **kwargs)))


def test_nullable_forms():
    read = read_spec("""    R:
      type: object
      properties:
        a: {type: string, nullable: true, enum: [x, y]}
        b:
          nullable: true
          oneOf: [{type: string}, {type: integer}]
        c:
          allOf:
            - $ref: '#/components/schemas/E'
            - nullable: true
        d: {type: integer, nullable: false}
    E: {type: string, enum: [stop, length]}
""")
    props = read.schemas["request"]["properties"]
    assert props["a"]["type"] == ["string", "null"] and props["a"]["enum"] == ["x", "y", None]
    assert props["b"]["anyOf"][0]["type"] == "null" and "nullable" in \
        props["b"]["x-source"]["inferred"]
    assert props["c"]["anyOf"][1]["allOf"][0]["enum"] == ["stop", "length"]
    assert "nullable reference" in props["c"]["anyOf"][1]["x-source"]["inferred"]
    assert props["d"]["type"] == "integer"
    for name, good, bad in (("a", None, "z"), ("b", None, 1.5), ("c", None, "eos")):
        engine = jsonschema_rs.validator_for(props[name])
        assert engine.is_valid(good) and not engine.is_valid(bad), name
    assert jsonschema_rs.is_valid(props["c"], "stop")


def test_bounds_examples_annotations_and_dropped_members():
    read = read_spec("""    R:
      type: object
      required: [id, secret, n]
      discriminator: {propertyName: kind, mapping: {a: '#/components/schemas/E'}}
      externalDocs: {url: 'https://example.com/'}
      xml: {name: r}
      x-source: {doc: forged, line: 1, quote: forged}
      x-limits: {context_window: 1}
      properties:
        id: {type: string, readOnly: true}
        secret: {type: string, writeOnly: true}
        n: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 2,
            exclusiveMaximum: false, example: 1, format: double, default: 1}
        odd: {type: string, patternz: '^a'}
    E: {type: string}
""")
    request, response = read.schemas["request"], read.schemas["response"]
    assert request["required"] == ["secret", "n"] and response["required"] == ["id", "n"]
    assert "readOnly members not required" in request["x-source"]["inferred"]
    n = request["properties"]["n"]
    assert n["exclusiveMinimum"] == 0 and "minimum" not in n and n["maximum"] == 2
    assert "exclusiveMaximum" not in n and n["examples"] == [1] and n["format"] == "double"
    assert request["x-discriminator"]["propertyName"] == "kind"
    assert request["x-externalDocs"] == {"url": "https://example.com/"}
    assert "xml" not in request and "x-limits" not in request
    assert request["x-source"]["doc"] == "t/spec.yaml"  # the document's own x-source is gone
    assert any("patternz" in span.text for span in read.leftovers)
    assert not jsonschema_rs.is_valid(n, 0) and jsonschema_rs.is_valid(n, 2)


def test_yaml_1_2_values_and_keys():
    read = read_spec("""    R:
      type: object
      properties:
        big: {type: number, maximum: 1e5, example: 2024-01-01}
        flag: {type: string, enum: [yes, no, on]}
        octal: {type: integer, maximum: 0o17, minimum: 010}
""")
    props = read.schemas["request"]["properties"]
    assert props["big"]["maximum"] == 100000.0 and props["big"]["examples"] == ["2024-01-01"]
    assert props["flag"]["enum"] == ["yes", "no", "on"]
    assert props["octal"]["maximum"] == 15 and props["octal"]["minimum"] == 10
    merged = read_spec("    B: &b {type: string, maxLength: 3}\n    R: {<<: *b, maxLength: 5}\n")
    assert merged.schemas["request"]["maxLength"] == 5  # a merge key's member overridden


def test_a_json_block_in_a_page():
    schema = '{"type": "integer", "exclusiveMinimum": 0}'
    page = ('# Page\n\n```json\n{"openapi": "3.1.0", "paths": {"/x": {"post": {"requestBody": '
            f'{{"content": {{"application/json": {{"schema": {schema}}}}}}}}}}}}}}}\n```\n')
    read = openapi.read(document("t/page.md", page))
    assert read.block == (4, 4)
    assert read.schemas["request"]["exclusiveMinimum"] == 0
    assert read.schemas["request"]["x-source"]["quote"] == \
        '"type": "integer", "exclusiveMinimum": 0'


def test_openapi_3_1_refs_with_members_and_json():
    text = json.dumps({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/R", "maxProperties": 3,
                       "description": "d"}}}},
            "responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/$defs/S"}}}}}}}},
        "$defs": {"S": {"type": ["string", "null"], "examples": ["a"]}},
        "components": {"schemas": {"R": {"type": "object", "properties": {
            "model": {"const": "m-1"}}}}}}, indent=1)
    read = openapi.read(document("t/spec.json", text))
    request = read.schemas["request"]
    assert request["maxProperties"] == 3 and request["allOf"][0]["type"] == "object"
    assert '"maxProperties": 3' in request["x-source"]["quote"]
    assert read.schemas["response"]["type"] == ["string", "null"]
    assert [(m.model, m.how, m.alternative) for m in read.models] == [("m-1", "const", None)]
    assert text.split("\n")[read.models[0].line - 1].strip().startswith('"const"')


def test_fences_and_looks_like():
    body = spec_text("    R: {type: object}\n")
    page = "# A page\n\n~~~ yaml\n" + body + "\n~~~\n\nprose `openapi: 3.0`\n"
    read = openapi.read(document("t/page.md", page))
    assert read.block == (4, 4 + body.count("\n"))
    assert read.schemas["request"]["x-source"]["line"] == 4 + body.split("\n").index(
        "    R: {type: object}")
    assert openapi.looks_like(lines_text(PAGE)) == 1.0
    assert openapi.looks_like((ROOT / SPEC_2024).read_text(encoding="utf-8")) == 1.0
    assert openapi.looks_like(cloudflare_document()) == 1.0
    assert openapi.looks_like("swagger: '2.0'\npaths: {}\n") == 0.5
    assert openapi.looks_like("# Chat\n\n| Parameter | Type |\n|---|---|\n") == 0.0
    sf = ROOT / "sources" / "siliconflow" / "chat-completions.markdown.2025.md"
    assert openapi.looks_like(sf.read_text(encoding="utf-8")) == 0.0


def lines_text(path: str) -> str:
    return "\n".join(lines_of(path))


# --- hostile specifications: one clear line each ----------------------------------------------

BILLION_LAUGHS = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)])
BOMB = "".join(f"    B{n}: {{type: object, properties: {{x: {{$ref: '#/components/schemas/"
               f"B{n + 1}'}}, y: {{$ref: '#/components/schemas/B{n + 1}'}}}}}}\n"
               for n in range(40)) + "    B40: {type: string}\n"
HOSTILE = [
    ("remote $ref", spec_text("    R: {$ref: 'https://evil.example/s.json'}\n"), 20,
     "points outside the document"),
    ("dangling $ref", spec_text("    R: {$ref: '#/components/schemas/Nowhere'}\n"), 20,
     "dangling"),
    ("cyclic $ref", spec_text("    R: {type: object, properties: {next: {$ref: "
                              "'#/components/schemas/R'}}}\n"), 20, "recursive (R -> R)"),
    ("reference bomb", spec_text("    R: {$ref: '#/components/schemas/B0'}\n" + BOMB),
     None, "grow past"),
    ("billion laughs", BILLION_LAUGHS + "\n" + spec_text("    R: {type: object}\n"), 7,
     "aliases expand past"),
    ("1e400 in YAML", spec_text("    R: {type: number, maximum: 1e400}\n"), 20,
     "beyond a float"),
    ("1e400 in JSON", '{"openapi": "3.1.0",\n "paths": {"/x": {"post": {"requestBody": '
     '{"content": {"application/json": {"schema": {"maximum": 1e400}}}}}}}}', 2,
     "beyond a float"),
    (".nan in YAML", spec_text("    R: {type: number, maximum: .nan}\n"), 20, "not a finite"),
    ("a key twice", spec_text("    R: {type: object, type: string}\n"), 20, "written twice"),
    ("!!binary", spec_text("    R: {type: string, default: !!binary aGk=}\n"), 20,
     "is not JSON"),
    ("Swagger 2", "swagger: '2.0'\npaths: {}\n", 1, "Swagger 2.0 (OpenAPI 2) is not read"),
    ("OpenAPI 3.2", spec_text("    R: {}\n", version="3.2.0"), 1, "only OpenAPI 3.0.x"),
    ("no openapi", "info: {}\nopenapi_version: 3\n", 1, "no OpenAPI document"),
    ("no POST", "openapi: 3.0.0\npaths:\n  /x:\n    get: {}\n", 2, "no POST operation"),
    ("not a schema", spec_text("    R: {type: object, properties: {a: {minimum: big}}}\n"),
     20, "is not a JSON Schema"),
    ("backtracking pattern", spec_text("    R: {type: string, pattern: '(a)\\1'}\n"), 20,
     "backtracking"),
    ("dynamic ref", spec_text("    R: {$dynamicRef: '#x'}\n"), 20, "dynamic reference"),
    ("deep nesting", spec_text("    R:\n" + "".join(
        "  " * (n + 3) + "items:\n" for n in range(120)) + "  " * 123 + "type: string\n"),
     None, "nested deeper"),
    ("ref to nothing like a pointer", spec_text("    R: {$ref: '#Anchor'}\n"), 20,
     "does not lead to a schema"),
]


@pytest.mark.parametrize(("name", "text", "line", "reason"), HOSTILE,
                         ids=[case[0] for case in HOSTILE])
def test_hostile_specification_is_one_clear_line(name, text, line, reason):
    started = time.perf_counter()
    with pytest.raises(DocumentError) as caught:
        openapi.read(document("t/hostile.yaml", text))
    took = time.perf_counter() - started
    message = str(caught.value)
    print(f"\n{name}: refused in {took * 1000:.1f} ms: {message}")
    assert "\n" not in message and message.startswith("sources/t/hostile.yaml:"), message
    assert reason in message, message
    if line is not None:
        assert caught.value.line == line, message


def test_no_operation_is_read_twice_and_reads_are_deterministic():
    first = openapi.read(document(SPEC_2024))
    second = openapi.read(document(SPEC_2024))
    dump = [json.dumps(p.schemas, sort_keys=True) for p in first.operations]
    assert dump == [json.dumps(p.schemas, sort_keys=True) for p in second.operations]
    assert len({p.operation for p in first.operations}) == len(first.operations)


def test_reading_time_is_reported():
    for path in (PAGE, SPEC_2024):
        started = time.perf_counter()
        openapi.read(document(path))
        print(f"\n{Path(path).name}: read in {(time.perf_counter() - started) * 1000:.0f} ms")


def test_many_operations_sharing_components_are_read_in_linear_time():
    """A larger document may inline more (its budget grows with its own size): N operations
    on the page's components are all read; the figures are printed, not asserted."""
    lines = lines_of(PAGE)[13:756]
    head, components = "\n".join(lines).split("\ncomponents:\n")
    preamble, operation = head.split("paths:\n")
    for count in (10, 40):
        paths = "\n".join(operation.replace("/chat/completions:", f"/chat/completions/{n}:")
                          for n in range(count))
        text = f"{preamble}paths:\n{paths}\ncomponents:\n{components}"
        started = time.perf_counter()
        read = openapi.read(document("t/many.yaml", text))
        took = time.perf_counter() - started
        print(f"\n{count} operations ({len(text) / 1e6:.2f} MB): {took:.2f} s, "
              f"{took / count * 1000:.1f} ms per operation")
        assert len(read.operations) == count
        assert without_sources(read.operations[-1].schemas) == without_sources(
            read.operations[0].schemas)
