"""Differential: on drawn payloads and their near misses, validate() agrees with jsonschema."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator
from wirespec.validators._registry import load_schema

from wirespec import validate

INDEX = json.loads((ROOT / "schemas" / "index.json").read_text())
SAMPLED_SILICONFLOW = {"siliconflow:Qwen/Qwen2.5-7B-Instruct",
                       "siliconflow:Pro/Qwen/Qwen2-7B-Instruct"}
TARGETS = [(m["id"], kind) for m in INDEX["models"] for kind in m["kinds"]
           if m["provider"] != "siliconflow" or m["id"] in SAMPLED_SILICONFLOW]

ANY_JSON = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                     st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=4),
                     st.just([]), st.just({}), st.just([1, "a"]))


def places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += places(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += places(child, (*path, index))
    return found


@st.composite
def near_misses(draw: st.DrawFn, valid: st.SearchStrategy[Any]) -> Any:
    payload = draw(valid)
    path = draw(st.sampled_from(places(payload)))
    if not path:
        return draw(ANY_JSON)
    *parents, last = path
    holder = payload
    for step in parents:
        holder = holder[step]
    if isinstance(holder, dict) and draw(st.booleans()):
        del holder[last]
    else:
        holder[last] = draw(ANY_JSON)
    return payload


@pytest.mark.parametrize(("model", "kind"), TARGETS)
def test_verdicts_equal_jsonschema(model, kind):
    schema = load_schema(model, kind)
    reference = Draft202012Validator(schema)
    valid = from_schema(schema)

    @settings(max_examples=30, database=None, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(valid, near_misses(valid)))
    def agree(payload: Any) -> None:
        # a str given to validate() is JSON text: a string value goes in encoded
        given_as = json.dumps(payload) if isinstance(payload, str) else payload
        report = validate(model, given_as, kind)
        assert report.ok is reference.is_valid(payload), payload
        if not report.ok:
            assert all(error.keyword for error in report.errors)

    agree()
