"""validate(): verdicts equal jsonschema's; one error per violated constraint, with provenance."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError as ModelRejection

from wirespec import PayloadError, UnknownModelError, model, validate
from wirespec.validators._reference import reference_validator
from wirespec.validators._registry import load_schema

# the seed family in its current (docs-repository) revision
CF = "cloudflare:@cf/qwen/qwen1.5-0.5b-chat"
DS = "dashscope:qwen1.5-72b-chat"
SF = "siliconflow:Qwen/Qwen2.5-7B-Instruct"
MESSAGES = [{"role": "user", "content": "hi"}]


def ds(**parameters: Any) -> dict[str, Any]:
    return {"model": "qwen1.5-72b-chat", "input": {"messages": MESSAGES},
            "parameters": parameters}


# (model, payload, pointer of the one expected error or None when valid, keyword)
CASES = [
    (CF, {"prompt": "x" * 131072}, None, None),
    (CF, {"prompt": "x" * 131073}, "/prompt", "maxLength"),
    (CF, {"prompt": ""}, "/prompt", "minLength"),
    (CF, {"prompt": "hi", "raw": None}, "/raw", "type"),
    (CF, {"prompt": "hi", "max_tokens": "256"}, "/max_tokens", "type"),
    (CF, {"prompt": "hi", "max_tokens": True}, "/max_tokens", "type"),
    (CF, {"prompt": "hi", "max_tokens": 256.0}, None, None),
    (CF, {"prompt": "hi", "temperature": 5}, None, None),
    (CF, {"prompt": "hi", "temperature": 5.000001}, "/temperature", "maximum"),
    (CF, {"prompt": "hi", "temperature": "1"}, "/temperature", "type"),
    (CF, {"prompt": "hi", "seed": 9999999999}, None, None),
    (CF, {"prompt": "hi", "seed": 10000000000}, "/seed", "maximum"),
    (CF, {"prompt": "hi", "seed": 0}, "/seed", "minimum"),
    (CF, {"prompt": "hi", "top_k": 50}, None, None),
    (CF, {"prompt": "hi", "top_k": 51}, "/top_k", "maximum"),
    (CF, {"prompt": "hi", "messages": MESSAGES}, "", "oneOf"),
    (CF, {"messages": MESSAGES, "temperature": 7}, "/temperature", "maximum"),
    (CF, {"messages": [{"role": "user"}]}, "/messages/0", "required"),
    (CF, {"messages": MESSAGES, "tools": [{"type": "function"}]}, "/tools/0", "required"),
    (CF, {"temperature": 1}, "", "required"),
    (CF, {"prompt": "hi", "unknown": 1}, None, None),
    (DS, ds(top_p=0.999), None, None),
    (DS, ds(top_p=1.0), "/parameters/top_p", "exclusiveMaximum"),
    (DS, ds(top_p=0), "/parameters/top_p", "exclusiveMinimum"),
    (DS, ds(temperature=0), None, None),
    (DS, ds(temperature=1.99), None, None),
    (DS, ds(temperature=2), "/parameters/temperature", "exclusiveMaximum"),
    (DS, ds(seed=2**64 - 1), None, None),
    (DS, ds(seed=2**64), "/parameters/seed", "maximum"),
    (DS, ds(seed=-1), "/parameters/seed", "minimum"),
    (DS, ds(result_format="json"), "/parameters/result_format", "enum"),
    (DS, ds(stop=["a", 1]), "/parameters/stop/1", "type"),
    (DS, ds(stop=[[1, 2], [3]]), None, None),
    (DS, ds(incremental_output=None), "/parameters/incremental_output", "type"),
    (DS, {**ds(), "model": "qwen1.5-7b-chat"}, "/model", "const"),
    (SF, {"model": "Qwen/Qwen2.5-7B-Instruct", "messages": MESSAGES}, None, None),
    (SF, {"model": "Qwen/Qwen2.5-7B-Instruct", "messages": [{"role": "tool", "content": ""}]},
     "/messages/0/role", "enum"),
    (SF, {"model": "Qwen/Qwen2.5-7B-Instruct", "messages": MESSAGES, "stop": 5},
     "/stop", "type"),
    # the seed allowed a list only; SiliconFlow's 2025 reference (the newest revision) says
    # `string | null` or `string[] | null`
    (SF, {"model": "Qwen/Qwen2.5-7B-Instruct", "messages": MESSAGES, "stop": "x"}, None, None),
]


generated_model = model


@pytest.mark.parametrize(("model", "payload", "pointer", "keyword"), CASES)
def test_boundary_table(model, payload, pointer, keyword):
    report = validate(model, payload)
    reference = reference_validator(load_schema(model)).is_valid(payload)
    assert report.ok is reference is (pointer is None)
    try:
        typed_ok = bool(generated_model(model).model_validate(payload))
    except ModelRejection:
        typed_ok = False
    assert typed_ok is reference
    if pointer is not None:
        assert [(e.pointer, e.keyword) for e in report.errors] == [(pointer, keyword)]
        error = report.errors[0]
        assert error.source and error.source["doc"] and error.source["line"] > 0


def test_every_violated_constraint_is_listed():
    report = validate(CF, {"messages": [{"role": "user"}], "temperature": 7, "top_k": 0,
                           "seed": 0.5})
    assert sorted((e.pointer, e.keyword) for e in report.errors) == [
        ("/messages/0", "required"), ("/seed", "minimum"), ("/seed", "type"),
        ("/temperature", "maximum"), ("/top_k", "minimum")]
    assert all("Messages" in e.message for e in report.errors)


def test_error_names_limit_value_and_source():
    [error] = validate(DS, ds(temperature=2)).errors
    assert (error.limit, error.value) == (2, 2)
    assert error.source == {"doc": "dashscope/qwen1.5-chat.api-reference.txt", "line": 427,
                            "quote": "parameters.temperature | Float … Valid values: [0,2) … "
                                     "Default value: 0.85"}
    assert "exclusive maximum 2" in error.message


def test_long_values_are_shortened():
    [error] = validate(CF, {"prompt": "x" * 200000}).errors
    assert isinstance(error.value, str) and len(error.value) <= 80 and error.value.endswith("…")


def test_json_text_and_bytes_are_accepted():
    text = json.dumps({"prompt": "hi"})
    assert validate(CF, text).ok and validate(CF, text.encode()).ok


@pytest.mark.parametrize("data", [
    b'{"prompt": NaN}', b'{"prompt": Infinity}', b'{"prompt": "a", "prompt": "b"}',
    b'{"prompt": "\xff"}', b'{"seed": 1e400}', b'{"prompt": ', b"[" * 10000 + b"]" * 10000,
])
def test_unusable_json_is_a_clear_error(data):
    with pytest.raises(PayloadError) as caught:
        validate(CF, data)
    assert "\n" not in str(caught.value)


def test_hostile_payloads_get_a_verdict():
    deep: Any = "x"
    for _ in range(10000):
        deep = {"a": deep}
    assert validate(CF, {"prompt": "hi", "lora": deep}).errors[0].pointer == "/lora"
    huge = "y" * 100_000_000
    report = validate(CF, {"prompt": huge})
    assert [e.keyword for e in report.errors] == ["maxLength"]
    assert validate(DS, ds(seed=10**40)).errors[0].keyword == "maximum"


def test_unknown_and_ambiguous_models():
    with pytest.raises(UnknownModelError):
        validate("nope", {})
    assert validate("qwen1.5-72b-chat", ds()).ok  # a bare id only one provider has


# -- errors people act on -----------------------------------------------------------------

CF_7B = "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq"


def test_a_type_mismatch_names_every_alternative():
    report = validate(CF_7B, {"messages": [{"role": "user", "content": 5}]})
    assert [(e.pointer, e.keyword) for e in report.errors] == [("/messages/0/content", "type")]
    assert report.errors[0].message.startswith("integer given where string or array is expected")


def test_either_required_member_is_named():
    report = validate(CF_7B, {})
    assert [(e.pointer, e.message) for e in report.errors] == [
        ("", "'prompt' or 'messages' is required")]


def test_nested_alternatives_say_which_once():
    report = validate(CF_7B, {"messages": [{"role": "user", "content": [{"text": 5}]}]})
    assert report.errors and all(e.message.count("(checked as") <= 1 for e in report.errors)


def test_a_long_list_of_values_is_capped():
    report = validate("cloudflare:@cf/deepgram/aura-2-en", {"text": "x", "speaker": "nobody"})
    message = report.errors[0].message
    assert message.count('", "') == 11 and message.endswith("more")
