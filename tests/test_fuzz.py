"""Fuzzing at the limits: every seed model at 100% two-sided coverage with no disagreement,
the strategies reach the limits, and a validator with one limit flipped is caught."""

from __future__ import annotations

import copy
import math
from typing import Any

import jsonschema_rs
import pytest
from conftest import sampled_targets
from hypothesis import HealthCheck, find, given, settings

from wirespec import strategies
from wirespec.fuzzing._runner import breaking_each, run
from wirespec.validators._engine import CompiledSchema, compiled
from wirespec.validators._schema_walk import iter_subschemas

TARGETS = sampled_targets()
CF = "cloudflare:@cf/qwen/qwen1.5-0.5b-chat"  # the seed family, current revision
DS = "dashscope:qwen1.5-72b-chat"
QUICK = settings(database=None, max_examples=2000, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize(("model_id", "kind"), TARGETS)
def test_every_constraint_on_both_sides_without_disagreement(model_id, kind):
    result = run(model_id, kind, examples=100, seed_value=0)
    assert result.disagreement is None, result.disagreement
    assert result.constraints and result.coverage == 1.0, sorted(
        result.constraints - result.both_sides)


def flipped(model_id: str, pointer: str, keyword: str, value: Any) -> CompiledSchema:
    """The validator under test, with one limit changed."""
    truth = compiled(model_id)
    schema = copy.deepcopy(truth.schema)
    node = dict(iter_subschemas(schema))[pointer]
    node[keyword] = value
    return CompiledSchema(truth.model, truth.kind, schema, jsonschema_rs.validator_for(schema))


@pytest.mark.parametrize(("pointer", "keyword", "value", "caught"), [
    ("/oneOf/0/properties/prompt", "maxLength", 131071, "rejects a valid payload"),
    ("/oneOf/1/properties/temperature", "maximum", 6, "accepts an invalid payload"),
    ("/oneOf/1/properties/top_k", "minimum", 0, "accepts an invalid payload"),
])
def test_a_flipped_limit_is_caught(pointer, keyword, value, caught):
    result = run(CF, "request", examples=100, engine=flipped(CF, pointer, keyword, value))
    assert result.disagreement is not None
    assert caught in result.disagreement.what


def test_valid_reaches_limits_exactly():
    prompt = find(strategies.valid(CF), lambda p: len(p.get("prompt", "")) == 131072,
                  settings=QUICK)
    assert len(prompt["prompt"]) == 131072
    seed = find(strategies.valid(DS), lambda p: p.get("parameters", {}).get("seed") == 2**64 - 1,
                settings=QUICK)
    assert seed["parameters"]["seed"] == 18446744073709551615
    top_p = find(strategies.valid(DS), lambda p: p.get("parameters", {}).get("top_p") ==
                 math.nextafter(1.0, 0), settings=QUICK)
    assert top_p["parameters"]["top_p"] < 1.0
    both = find(strategies.valid(CF), lambda p: "messages" in p, settings=QUICK)
    assert "prompt" not in both


@pytest.mark.parametrize(("model_id", "target", "wanted"), [
    (CF, "/oneOf", lambda e: e.keyword == "oneOf" and e.pointer == ""),  # both branches
    (CF, "/oneOf/0/properties/prompt/maxLength", lambda e: e.pointer == "/prompt"),
    (CF, "/oneOf/0/properties/max_tokens/type", lambda e: e.payload["max_tokens"] is True),
    (CF, "/oneOf/0/properties/temperature/type", lambda e: e.payload["temperature"] == "1"),
    (CF, "/oneOf/0/properties/raw/type", lambda e: e.payload["raw"] is None),
    (DS, "/properties/parameters/properties/stop/anyOf",
     lambda e: e.keyword == "type" and e.pointer.startswith("/parameters/stop/")),  # a mix
    (DS, "/properties/parameters/properties/top_p/exclusiveMaximum",
     lambda e: e.payload["parameters"]["top_p"] == 1.0),
    (DS, "/required", lambda e: e.keyword == "required" and e.pointer == ""),
    (DS, "/properties/parameters/properties/result_format/enum",
     lambda e: e.payload["parameters"]["result_format"] not in ("text", "message")),
])
def test_invalid_breaks_one_named_constraint(model_id, target, wanted):
    engine = compiled(model_id)
    found: list[Any] = []

    @settings(database=None, max_examples=60, suppress_health_check=list(HealthCheck))
    @given(breaking_each(engine)[target])
    def collect(example: Any) -> None:
        assert example.schema_path == target
        reported = {(e.pointer, e.keyword) for e in engine.report(example.payload).errors}
        assert (example.pointer, example.keyword) in reported
        if wanted(example):
            found.append(example)

    collect()
    assert found


def test_public_invalid_strategy_names_what_it_breaks():
    engine = compiled(DS)

    @settings(database=None, max_examples=100, suppress_health_check=list(HealthCheck))
    @given(strategies.invalid(DS))
    def check(example: Any) -> None:
        assert not engine.is_valid(example.payload)
        reported = {(e.pointer, e.keyword) for e in engine.report(example.payload).errors}
        assert (example.pointer, example.keyword) in reported

    check()
