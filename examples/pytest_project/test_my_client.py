"""A user's own contract tests with wirespec's pytest plugin (no conftest needed).

    pytest examples/pytest_project --junitxml=report.xml
    pytest examples/pytest_project --wirespec-live      # also the tests marked live
"""

from __future__ import annotations

import openai
import pytest
from hypothesis import given, settings

import wirespec
from wirespec import strategies

SF = "siliconflow:Qwen/Qwen2.5-7B-Instruct"


def test_my_client_talks_to_the_mock(wirespec_mock):
    client = openai.OpenAI(base_url=wirespec_mock.base_url("siliconflow"), api_key="test")
    before = wirespec_mock.requests
    answer = client.chat.completions.create(
        model="Qwen/Qwen2.5-7B-Instruct", messages=[{"role": "user", "content": "hi"}])
    assert answer.choices and wirespec_mock.requests == before + 1


def test_an_out_of_range_request_is_refused_as_the_provider_would(wirespec_mock):
    client = openai.OpenAI(base_url=wirespec_mock.base_url("siliconflow"), api_key="test",
                           max_retries=0)
    before = wirespec_mock.requests
    with pytest.raises(openai.BadRequestError):  # the documents ask for at least one message
        client.chat.completions.create(model="Qwen/Qwen2.5-7B-Instruct", messages=[])
    assert wirespec_mock.requests == before + 1


@pytest.mark.parametrize("entry", wirespec.catalog(provider="dashscope")[:3], ids=str)
def test_each_dashscope_model_has_a_request_schema(entry):
    assert "request" in entry.kinds


@settings(max_examples=10, database=None)
@given(strategies.valid(SF))
def test_what_my_gate_lets_through_is_valid(payload):
    assert wirespec.validate(SF, payload, budget=False).ok


@pytest.mark.wirespec_live
def test_against_the_real_provider():
    raise AssertionError("runs only with --wirespec-live")
