"""Realistic requests (live runs): for every model, valid, made of documented members only,
free of control characters, short, with a small output cap, and taking the model's shapes
(a prompt, or messages) in turn; the same request for the same arguments."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirespec.contracts._realistic import (
    OUTPUT_CAPS,
    SMALL_OUTPUT,
    NoRealisticRequest,
    plain,
    realistic_request,
)
from wirespec.validators import _registry
from wirespec.validators._engine import check_value, compiled

MODELS = sorted(m.id for m in _registry.models() if "request" in m.kinds)
# its schema requires a model name matching a pattern, with no example, and a non-empty
# map of questions that no document shows: nothing realistic can be made up for it
UNBUILDABLE = {"cloudflare:@cf/cloudflare/clef"}
LONGEST_TEXT = 200  # characters: documented example values (an instruction) included


def _members(value: Any, name: str = "") -> list[tuple[str, Any]]:
    """(member name, value) for every member at every depth."""
    found = []
    if isinstance(value, dict):
        for key, member in value.items():
            found += [(key, member), *_members(member, key)]
    elif isinstance(value, list):
        for item in value:
            found += _members(item, name)
    return found


def _strings(value: Any) -> list[str]:
    text = [value] if isinstance(value, str) else []
    return text + [s for key, member in _members(value) for s in [key, *_strings_of(member)]]


def _strings_of(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else []


def assert_realistic(model_id: str, payload: Any) -> None:
    report = check_value(model_id, payload)
    assert report.ok, (model_id, payload, [e.message for e in report.errors])
    undocumented = [w for w in report.warnings if w.keyword == "undocumented"]
    assert not undocumented, (model_id, payload)
    assert compiled(model_id, "request").closed_engine.is_valid(payload)
    text = json.dumps(payload, ensure_ascii=False)
    assert "x-wirespec-unknown" not in text
    assert plain(payload), (model_id, payload)
    assert all(not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in s)
               for s in _strings(payload))
    assert all(len(s) <= LONGEST_TEXT for s in _strings(payload)), (model_id, payload)
    for name, value in _members(payload):
        if name in OUTPUT_CAPS and isinstance(value, int) and not isinstance(value, bool):
            low = compiled(model_id).schema  # a documented minimum above 16 is the cap
            assert value <= SMALL_OUTPUT or _minimum_above(low, name, value), (model_id, name)


def _minimum_above(schema: Any, name: str, value: int) -> bool:
    """Whether some member ``name`` in the schema documents a minimum of ``value``."""
    if isinstance(schema, dict):
        member = schema.get("properties", {}).get(name)
        if isinstance(member, dict) and member.get("minimum") == value:
            return True
        return any(_minimum_above(v, name, value) for v in schema.values())
    if isinstance(schema, list):
        return any(_minimum_above(v, name, value) for v in schema)
    return False


@pytest.mark.parametrize("model_id", MODELS)
def test_every_model_gets_realistic_requests(model_id):
    if model_id in UNBUILDABLE:
        with pytest.raises(NoRealisticRequest, match="no realistic request fits"):
            realistic_request(model_id, 1)
        return
    for number in range(1, 7):
        assert_realistic(model_id, realistic_request(model_id, number))


@settings(max_examples=300, deadline=None, database=None)
@given(model_id=st.sampled_from(sorted(set(MODELS) - UNBUILDABLE)),
       number=st.integers(1, 1000), seed=st.integers(0, 2**63))
def test_realistic_requests_hold_for_any_number_and_seed(model_id, number, seed):
    payload = realistic_request(model_id, number, seed)
    assert_realistic(model_id, payload)
    assert realistic_request(model_id, number, seed) == payload  # the same, every time


def _shape(payload: dict[str, Any]) -> str:
    where = payload.get("input", payload)
    return next(shape for shape in ("messages", "prompt", "requests") if shape in where)


@pytest.mark.parametrize(("model_id", "shapes"), [
    ("cloudflare:@cf/qwen/qwen1.5-7b-chat-awq", {"prompt", "messages"}),
    ("dashscope:qwen1.5-72b-chat", {"prompt", "messages"}),
    ("cloudflare:@cf/meta/llama-3.3-70b-instruct-fp8-fast", {"prompt", "messages", "requests"}),
])
def test_the_shapes_are_taken_in_turn_each_sent_whole_and_streamed(model_id, shapes):
    taken = [_shape(realistic_request(model_id, number)) for number in range(1, 13)]
    assert set(taken) == shapes
    # the runner streams even numbers: each shape is sent both ways
    assert {(shape, number % 2) for number, shape in enumerate(taken, 1)} == {
        (shape, parity) for shape in shapes for parity in (0, 1)}


def test_a_conversation_is_one_short_user_message_and_the_cap_is_small():
    payload = realistic_request("siliconflow:Qwen/Qwen2.5-7B-Instruct", 1)
    assert payload["messages"] == [{"role": "user", "content": payload["messages"][0][
        "content"]}]
    assert len(payload["messages"][0]["content"]) < 60
    assert payload["max_tokens"] == SMALL_OUTPUT


def test_sampling_parameters_come_from_the_documents():
    payload = realistic_request("dashscope:qwen1.5-72b-chat", 3)  # every third: sampling
    parameters = payload["parameters"]
    schema = compiled("dashscope:qwen1.5-72b-chat").schema["properties"]["parameters"]
    for name in ("temperature", "top_p"):
        documented = schema["properties"][name]
        assert parameters[name] in [documented.get("default"), *documented.get("examples", [])]


def test_realistic_requests_are_far_smaller_than_the_limits_draws():
    from wirespec.contracts._runs import Plan, _valid_payloads

    model_id = "dashscope:qwen1.5-72b-chat"
    realistic = _valid_payloads(model_id, Plan(examples=10, profile="realistic"))
    limits = _valid_payloads(model_id, Plan(examples=10, profile="limits"))
    sizes = {name: [len(json.dumps(p)) for p in payloads]
             for name, payloads in (("realistic", realistic), ("limits", limits))}
    print("request bytes, mean/max:", {k: (sum(v) // len(v), max(v)) for k, v in sizes.items()})
    assert max(sizes["realistic"]) < 400
