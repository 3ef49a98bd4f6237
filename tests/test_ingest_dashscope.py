"""DashScope: prose ranges, enums, stop's shapes, result formats, SSE event, error, limits."""

from __future__ import annotations

import pytest
from conftest import load
from jsonschema import Draft202012Validator

MODELS = ["qwen1.5-72b-chat", "qwen1.5-32b-chat", "qwen1.5-14b-chat", "qwen1.5-7b-chat",
          "qwen-72b-chat", "qwen-14b-chat", "qwen-7b-chat"]


def request(seed_schemas, model="qwen1.5-72b-chat"):
    return load(seed_schemas, f"dashscope/{model}.request.json")


def parameters(seed_schemas):
    return request(seed_schemas)["properties"]["parameters"]["properties"]


def test_every_listed_model_has_every_kind(seed_schemas):
    for model in MODELS:
        for kind in ("request", "response", "stream", "error"):
            assert f"dashscope/{model}.{kind}.json" in seed_schemas


def test_exclusive_and_half_open_ranges(seed_schemas):
    p = parameters(seed_schemas)
    assert {k: p["top_p"][k] for k in ("exclusiveMinimum", "exclusiveMaximum")} == {
        "exclusiveMinimum": 0, "exclusiveMaximum": 1.0}
    assert "minimum" not in p["top_p"] and "maximum" not in p["top_p"]
    assert (p["temperature"]["minimum"], p["temperature"]["exclusiveMaximum"]) == (0, 2)
    assert "maximum" not in p["temperature"]
    assert "Valid values: [0,2)" in p["temperature"]["x-source"]["quote"]


def test_seed_is_a_64_bit_unsigned_integer(seed_schemas):
    seed = parameters(seed_schemas)["seed"]
    assert (seed["type"], seed["minimum"], seed["maximum"], seed["default"]) == (
        "integer", 0, 18446744073709551615, 1234)


def test_enums_and_defaults(seed_schemas):
    p = parameters(seed_schemas)
    assert p["result_format"]["enum"] == ["text", "message"]
    assert p["incremental_output"]["default"] is False
    assert (p["top_p"]["default"], p["temperature"]["default"]) == (0.8, 0.85)
    roles = request(seed_schemas)["properties"]["input"]["properties"]["messages"]["items"]
    assert roles["properties"]["role"]["enum"] == ["system", "user", "assistant"]
    assert roles["required"] == ["role", "content"]


def test_no_limit_is_invented(seed_schemas):
    p = parameters(seed_schemas)
    for name in ("max_tokens", "top_k", "repetition_penalty"):
        assert not {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"} & set(p[name])


@pytest.mark.parametrize(("stop", "valid"), [
    ("Hello", True), (["a", "b"], True), ([37763, 367], True), ([[37763, 367]], True),
    ([], True), (["a", 1], False), ([[1], 2], False), ([["a"]], False), (5, False),
])
def test_stop_is_one_shape_never_a_mix(seed_schemas, stop, valid):
    payload = {"model": "qwen1.5-72b-chat", "input": {"prompt": "hi"},
               "parameters": {"stop": stop}}
    assert Draft202012Validator(request(seed_schemas)).is_valid(payload) is valid


def test_input_needs_prompt_or_messages(seed_schemas):
    validator = Draft202012Validator(request(seed_schemas))
    base = {"model": "qwen1.5-72b-chat"}
    messages = [{"role": "user", "content": "hi"}]
    assert validator.is_valid({**base, "input": {"prompt": "hi"}})
    assert validator.is_valid({**base, "input": {"messages": messages}})
    assert validator.is_valid({**base, "input": {"prompt": "hi", "messages": messages}})
    assert not validator.is_valid({**base, "input": {}})
    assert not validator.is_valid({**base, "input": {"history": []}})
    assert not validator.is_valid({"input": {"prompt": "hi"}})
    assert not validator.is_valid({**base, "model": "qwen1.5-14b-chat", "input": {"prompt": "x"}})


def test_token_limits_with_blank_cells_continuing_the_row_above(seed_schemas):
    def limits(model):
        found = request(seed_schemas, model).get("x-limits", {})
        return {name: value["value"] for name, value in found.items()}

    big = {"context_window": 32000, "max_input_tokens": 30000, "max_output_tokens": 2000}
    small = {"context_window": 8000, "max_input_tokens": 6000}
    assert limits("qwen1.5-72b-chat") == big
    assert limits("qwen1.5-32b-chat") == big
    assert limits("qwen1.5-14b-chat") == small
    assert limits("qwen1.5-7b-chat") == small
    assert limits("qwen-72b-chat") == {}
    inherited = request(seed_schemas, "qwen1.5-32b-chat")["x-limits"]["context_window"]["x-source"]
    assert inherited["line"] == 12 and "line 13" in inherited["inferred"]


def test_the_documents_own_samples_validate(seed_schemas):
    import json

    from conftest import ROOT

    text = (ROOT / "sources/dashscope/qwen1.5-chat.api-reference.txt").read_text().split("\n")

    def sample(first, last):
        return json.loads("\n".join(text[first - 1:last]))

    response = Draft202012Validator(load(seed_schemas, "dashscope/qwen1.5-72b-chat.response.json"))
    assert response.is_valid(sample(342, 364))  # message format (SDK rendering)
    assert response.is_valid(sample(366, 380))  # text format
    assert response.is_valid(sample(469, 479))  # HTTP, SSE disabled
    stream = Draft202012Validator(load(seed_schemas, "dashscope/qwen1.5-72b-chat.stream.json"))
    for line in (508, 512, 518):
        assert stream.is_valid(json.loads(text[line - 1].removeprefix("data:")))
    error = Draft202012Validator(load(seed_schemas, "dashscope/qwen1.5-72b-chat.error.json"))
    assert error.is_valid(sample(521, 525))
    assert not error.is_valid({"code": "InvalidApiKey"})
    # the cURL samples' request bodies, for the model each names
    for model, (first, last) in {"qwen-14b-chat": (451, 467),
                                 "qwen1.5-72b-chat": (487, 503)}.items():
        body = json.loads("\n".join(text[first - 1:last]).removeprefix("--data '")
                          .removesuffix("'"))
        assert body["model"] == model
        request = load(seed_schemas, f"dashscope/{model}.request.json")
        assert Draft202012Validator(request).is_valid(body)


def test_response_formats_are_exclusive(seed_schemas):
    response = Draft202012Validator(load(seed_schemas, "dashscope/qwen1.5-72b-chat.response.json"))
    both = {"output": {"text": "a", "choices": []}, "usage": {}, "request_id": "x"}
    assert not response.is_valid(both)
    neither = {"output": {"text": None}, "usage": {}, "request_id": "x"}
    assert not response.is_valid(neither)


def test_an_unplaced_conversation_goes_in_input_of_a_native_body():
    """A native-protocol page that places `seed` in parameters but says nothing of where
    `messages` goes: DashScope's body carries the conversation in input (marked inferred),
    never a required `parameters.messages` that every real request would fail."""
    from wirespec.codegen.ingest._document import SourceDocument
    from wirespec.codegen.ingest._shapes import SHAPES

    doc = SourceDocument("dashscope/x.md", "x\n", {"provider": "dashscope"}, lambda p: doc)
    source = {"file": "dashscope/x.md", "line": 1, "quote": "x"}
    body = {"type": "object", "required": ["model", "messages"], "properties": {
        "model": {"type": "string", "x-source": dict(source)},
        "messages": {"type": "array", "x-source": dict(source)},
        "parameters": {"type": "object", "x-source": dict(source), "properties": {
            "seed": {"type": "integer", "x-source": dict(source)}}}}}
    shaped = SHAPES["dashscope"].request(doc, body)
    assert "messages" not in shaped["properties"]
    assert shaped["properties"]["input"]["required"] == ["messages"]
    assert "input" in shaped["properties"]["input"]["properties"]["messages"]["x-source"][
        "inferred"]
    assert "messages" not in shaped["properties"]["parameters"].get("required", [])
    flat = {"type": "object", "properties": {"messages": {"type": "array",
                                                          "x-source": dict(source)}}}
    assert "messages" in SHAPES["dashscope"].request(doc, flat)["properties"]  # compatible mode
