"""What the documents do not say is a warning users see: members no document names (with
where a same-named member is documented), a model with no documented token limit; strict
makes them errors; drop_unknown takes the members out."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from wirespec import drop_unknown, strategies, validate
from wirespec.validators._engine import compiled
from wirespec.validators._undocumented import unknown_members

SF = "siliconflow:Qwen/Qwen2.5-7B-Instruct"
DS = "dashscope:qwen1.5-72b-chat"
CF = "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq"
SF_CHAT = {"model": "Qwen/Qwen2.5-7B-Instruct", "messages": [{"role": "user", "content": "hi"}]}


def test_members_no_document_names_are_warnings_not_silence():
    report = validate(SF, {**SF_CHAT, "foo": 1, "logit_bias": {}})
    assert report.ok
    unknown = [w for w in report.warnings if w.keyword == "undocumented"]
    assert [w.pointer for w in unknown] == ["/foo", "/logit_bias"]
    assert "sources/siliconflow/" in unknown[0].message


def test_a_member_at_the_wrong_level_says_where_it_belongs():
    report = validate(DS, {"model": "qwen1.5-72b-chat", "input": {"prompt": "x"},
                           "temperature": 0.5})
    assert report.ok
    assert "did you mean /parameters/temperature?" in report.warnings[0].message


def test_a_model_without_a_documented_limit_says_so():
    report = validate(SF, SF_CHAT)
    assert [w.keyword for w in report.warnings] == ["no-limit-documented"]
    assert validate(DS, {"model": "qwen1.5-72b-chat", "input": {"prompt": "x"}}).warnings == []


def test_strict_makes_warnings_errors():
    report = validate(SF, {**SF_CHAT, "foo": 1}, strict=True)
    assert not report.ok and report.warnings == []
    assert {e.keyword for e in report.errors} == {"undocumented", "no-limit-documented"}


def test_drop_unknown_keeps_what_is_documented():
    payload = {"model": "qwen1.5-72b-chat", "input": {"prompt": "x", "stray": [1]},
               "parameters": {"top_p": 0.5, "nope": True}, "temperature": 1}
    kept, dropped = drop_unknown(DS, payload)
    assert kept == {"model": "qwen1.5-72b-chat", "input": {"prompt": "x"},
                    "parameters": {"top_p": 0.5}}
    assert sorted(d.pointer for d in dropped) == ["/input/stray", "/parameters/nope",
                                                  "/temperature"]
    assert payload["temperature"] == 1  # the caller's payload is not changed
    assert drop_unknown(DS, kept) == (kept, [])


@pytest.mark.parametrize("model_id", [CF, DS, SF])
def test_valid_payloads_drawn_from_the_schema_name_only_documented_members(model_id):
    """The closed schema (the cheap check) and the walk agree: a payload drawn from the
    documented members has no unknown member."""
    engine = compiled(model_id)

    @settings(database=None, max_examples=30, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategies.valid(model_id))
    def agree(payload: dict) -> None:
        found = unknown_members(engine.schema, payload)
        if engine.closed_engine.is_valid(payload):
            assert found == []
        assert all(u.name.startswith("x-wirespec") for u in found), found

    agree()


def test_a_map_documents_every_member_it_holds():
    """additionalProperties with a schema (a tool's parameter properties): any name is
    documented there, and what it holds is walked with that schema."""
    schema = {"type": "object", "properties": {"properties": {
        "type": "object", "additionalProperties": {
            "type": "object", "properties": {"type": {"type": "string"}}}}}}
    payload = {"properties": {"city": {"type": "string", "stray": 1}}}
    assert [u.pointer for u in unknown_members(schema, payload)] == ["/properties/city/stray"]


def _names_in(schema: object) -> list[str]:
    from wirespec.validators._undocumented import documented_places

    return sorted({name for name, _ in documented_places(schema)})


def _json_with(names: list[str]):
    """JSON values whose member names are mostly documented ones, some not, at any depth."""
    from hypothesis import strategies as st

    keys = st.sampled_from([*names, "foo", "x-extra"]) if names else st.just("foo")
    scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3)
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(keys, inner, max_size=4), max_leaves=12)


@pytest.mark.parametrize("kind", ["request", "response"])
@pytest.mark.parametrize("model_id", [
    CF, DS, SF, "cloudflare:@cf/meta/llama-3.3-70b-instruct-fp8-fast", "dashscope:qwen-plus",
    "cloudflare:@cf/openai/whisper"])
def test_the_skeleton_accepts_exactly_what_the_walk_finds_nothing_in(model_id, kind):
    """The cheap check is the walk's verdict in Rust, on any value, valid or not: a payload
    the skeleton accepts has no unknown member, and one it refuses has one; the engine of
    the schema and the skeleton together says both at once."""
    from hypothesis import strategies as st

    engine = compiled(model_id, kind)
    names = _names_in(engine.schema)

    @settings(database=None, max_examples=60, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(strategies.valid(model_id, kind), _json_with(names)))
    def agree(payload: object) -> None:
        found = unknown_members(engine.schema, payload)
        assert engine.closed_engine.is_valid(payload) == (found == []), found
        # the one-call engine of the usual payload: valid, and no unknown member
        assert engine.documented_engine.is_valid(payload) == (
            engine.is_valid(payload) and found == [])

    agree()
