"""SiliconFlow: 42 models, roles, the few types the page implies, no ranges."""

from __future__ import annotations

from conftest import load
from jsonschema import Draft202012Validator

MODEL = "siliconflow/Qwen__Qwen2.5-7B-Instruct"


def test_forty_two_models(seed_schemas):
    requests = [rel for rel in seed_schemas if rel.startswith("siliconflow/")
                and rel.endswith(".request.json")]
    assert len(requests) == 42
    assert f"{MODEL}.request.json" in seed_schemas
    assert "siliconflow/Pro__Qwen__Qwen2.5-7B-Instruct.request.json" in seed_schemas
    assert "siliconflow/Vendor-A__Qwen__Qwen2-72B-Instruct.request.json" in seed_schemas


def test_request_fields_roles_and_no_ranges(seed_schemas):
    request = load(seed_schemas, f"{MODEL}.request.json")
    props = request["properties"]
    assert set(props) == {"model", "messages", "stream", "max_tokens", "stop", "temperature",
                          "top_p", "n", "response_format"}
    assert props["model"]["const"] == "Qwen/Qwen2.5-7B-Instruct"
    assert props["model"]["x-source"]["line"] == 16
    role = props["messages"]["items"]["properties"]["role"]
    assert sorted(role["enum"]) == ["assistant", "system", "user"]
    assert props["stop"]["items"]["type"] == "string"
    for name in ("temperature", "top_p", "max_tokens", "n"):
        assert not {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"} & set(
            props[name])
        assert "inferred" in props[name]["x-source"]


def test_response_and_stream(seed_schemas):
    response = load(seed_schemas, f"{MODEL}.response.json")
    assert response["properties"]["object"]["const"] == "chat.completion"
    reasons = response["properties"]["choices"]["items"]["properties"]["finish_reason"]["enum"]
    assert reasons == ["stop", "eos", "length", "tool_calls"]
    stream = load(seed_schemas, f"{MODEL}.stream.json")
    assert stream["x-stream-terminator"] == "[DONE]"
    validator = Draft202012Validator(stream)
    assert validator.is_valid({"choices": [{"finish_reason": None}]})
    assert not validator.is_valid({"choices": [{"finish_reason": "done"}]})
