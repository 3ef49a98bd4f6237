"""The official SDKs, pointed at the mock: it speaks each wire format as they expect,
streaming and not, refusals included."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import cloudflare
import dashscope
import openai
import pytest

from wirespec.mock import RunningMock, running
from wirespec.validators._sse import validate_stream

MESSAGES = [{"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Who are you"}]
SF, DS, CF = "Qwen/Qwen2.5-7B-Instruct", "qwen1.5-72b-chat", "@cf/qwen/qwen1.5-7b-chat-awq"


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running() as server:
        yield server


@pytest.fixture
def openai_client(mock) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.base_url("siliconflow"), api_key="test-key",
                         max_retries=0, timeout=10)


@pytest.fixture
def dashscope_at_mock(mock, monkeypatch) -> None:
    monkeypatch.setattr(dashscope, "base_http_api_url", mock.base_url("dashscope"))


@pytest.fixture
def cloudflare_client(mock) -> cloudflare.Cloudflare:
    return cloudflare.Cloudflare(api_token="test-key", base_url=mock.base_url("cloudflare"),
                                 max_retries=0, timeout=10)


def test_openai_sdk_chat_completion(openai_client):
    completion = openai_client.chat.completions.create(model=SF, messages=MESSAGES,
                                                       max_tokens=64, temperature=0.7)
    assert completion.object == "chat.completion" and completion.model == SF
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].message.content
    assert completion.choices[0].finish_reason in ("stop", "eos", "length", "tool_calls")
    assert completion.usage is not None and completion.usage.total_tokens > 0


def test_openai_sdk_stream(openai_client):
    chunks = list(openai_client.chat.completions.create(model=SF, messages=MESSAGES,
                                                        stream=True))
    assert len(chunks) >= 2 and {c.object for c in chunks} == {"chat.completion.chunk"}
    assert "".join(c.choices[0].delta.content or "" for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_openai_sdk_sees_refusals_as_its_own_errors(openai_client):
    with pytest.raises(openai.BadRequestError) as refused:
        openai_client.chat.completions.create(model=SF, messages=MESSAGES,
                                              temperature="hot")  # type: ignore[arg-type]
    assert refused.value.status_code == 400
    assert "/temperature" in refused.value.message
    with pytest.raises(openai.BadRequestError) as unknown:  # SiliconFlow: 400, code 20012
        openai_client.chat.completions.create(model="Qwen/Not-A-Model", messages=MESSAGES)
    assert "Qwen/Not-A-Model" in unknown.value.message


@pytest.mark.parametrize("result_format", ["text", "message"])
def test_dashscope_sdk_call(dashscope_at_mock, result_format):
    response = dashscope.Generation.call(model=DS, messages=MESSAGES, api_key="test-key",
                                         result_format=result_format)
    assert response.status_code == 200 and response.request_id
    if result_format == "message":
        assert response.output.choices[0].message.content
    else:
        assert response.output.text
    assert response.usage.input_tokens >= 0


@pytest.mark.parametrize("incremental", [True, False])
def test_dashscope_sdk_stream(dashscope_at_mock, incremental):
    responses = list(dashscope.Generation.call(
        model=DS, messages=MESSAGES, api_key="test-key", result_format="message", stream=True,
        incremental_output=incremental))
    assert len(responses) >= 2 and {r.status_code for r in responses} == {200}
    contents = [r.output.choices[0].message.content for r in responses]
    if not incremental:  # each frame repeats what came before, as DashScope does
        assert all(later.startswith(earlier) for earlier, later in pairwise(contents))
    reasons = [r.output.choices[0].finish_reason for r in responses]
    assert reasons[-1] == "stop" and set(reasons[:-1]) == {"null"}


def test_dashscope_sdk_reads_refusals(dashscope_at_mock):
    response = dashscope.Generation.call(model=DS, messages=MESSAGES, api_key="test-key",
                                         top_p=1.5)
    assert response.status_code == 400 and response.code == "InvalidParameter"
    assert "/parameters/top_p" in response.message


def test_cloudflare_sdk_run(cloudflare_client):
    result = cloudflare_client.ai.run(CF, account_id="acct", prompt="Who are you",
                                      max_tokens=64)
    assert isinstance(result, dict) and result["response"]
    messages = cloudflare_client.ai.run(CF, account_id="acct", messages=MESSAGES)
    assert isinstance(messages, dict) and "response" in messages


def test_cloudflare_sdk_stream(cloudflare_client):
    with cloudflare_client.ai.with_streaming_response.run(CF, account_id="acct",
                                                           prompt="Who are you",
                                                           stream=True) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        data = b"".join(response.iter_bytes())
    assert validate_stream(f"cloudflare:{CF}", [data]).ok
    assert data.endswith(b"data: [DONE]\n\n")


def test_cloudflare_sdk_sees_refusals_as_its_own_errors(cloudflare_client):
    with pytest.raises(cloudflare.BadRequestError) as refused:
        cloudflare_client.ai.run(CF, account_id="acct", prompt="hi", temperature=9)
    assert refused.value.status_code == 400
    assert "/temperature" in str(refused.value)
