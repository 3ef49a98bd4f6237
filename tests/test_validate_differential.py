"""Differential: on drawn payloads and their near misses, validate() agrees with jsonschema."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import sampled_targets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from pydantic import ValidationError

from wirespec import model, validate
from wirespec.validators._keywords import equal as json_equal
from wirespec.validators._reference import reference_validator
from wirespec.validators._registry import load_schema

TARGETS = sampled_targets()

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


@pytest.mark.parametrize(("model_id", "kind"), TARGETS)
def test_validator_and_model_agree_with_jsonschema(model_id, kind):
    schema = load_schema(model_id, kind)
    reference = reference_validator(schema)
    typed = model(model_id, kind)
    valid = from_schema(schema)

    @settings(max_examples=30, database=None, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(valid, near_misses(valid)))
    def agree(payload: Any) -> None:
        expected = reference.is_valid(payload)
        # a str given to validate() is JSON text: a string value goes in encoded
        given_as = json.dumps(payload) if isinstance(payload, str) else payload
        report = validate(model_id, given_as, kind, budget=False)  # schema verdicts only
        assert report.ok is expected, payload
        assert bool(report.errors) is not expected
        try:
            instance = typed.model_validate(payload)
        except ValidationError:
            assert not expected, f"the model rejects a valid payload: {payload!r}"
            return
        assert expected, f"the model accepts an invalid payload: {payload!r}"
        dumped = instance.model_dump(mode="json", by_alias=True, exclude_unset=True)
        assert json_equal(dumped, payload), (payload, dumped)

    agree()
