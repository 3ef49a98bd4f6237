"""The SDK hooks (wirespec.integrations), driven by the official SDKs against the mock
providers on a real server: a valid request reaches the mock; an invalid one is stopped
before the network (the mock's request count does not move) with the report; report mode
sends it and logs one record; an out-of-contract answer is reported; the key is never
logged."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import tomllib
from collections.abc import Iterator
from typing import Any

import cloudflare
import dashscope
import httpx
import openai
import pytest
import requests
from conftest import ROOT

import wirespec
from wirespec.integrations import dashscope as ds_hook
from wirespec.integrations import rejection_of
from wirespec.integrations.httpx import AsyncValidatingTransport, ValidatingTransport
from wirespec.mock import MockSettings, RunningMock, running

KEY = "sk-wirespec-7f3a9c21e5d84b60"  # must never reach a log record
MESSAGES = [{"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Who are you"}]
SF, DS, CF = "Qwen/Qwen2.5-7B-Instruct", "qwen1.5-72b-chat", "@cf/qwen/qwen1.5-7b-chat-awq"


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running() as server:
        yield server


def faulty(fault: str) -> Any:
    return running(MockSettings(faults=frozenset({fault})))


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Everything the `wirespec` logger says; afterwards: the key is in none of it."""
    caplog.set_level(logging.DEBUG, logger="wirespec")
    yield caplog
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in repr(record.__dict__)


def said(logs: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in logs.records if r.name == "wirespec" and r.levelno == level]


def openai_client(mock: RunningMock, transport: httpx.BaseTransport) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.base_url("siliconflow"), api_key=KEY, max_retries=0,
                         timeout=10, http_client=httpx.Client(transport=transport))


def cloudflare_client(mock: RunningMock, transport: httpx.BaseTransport) -> cloudflare.Cloudflare:
    return cloudflare.Cloudflare(api_token=KEY, base_url=mock.base_url("cloudflare"),
                                 max_retries=0, timeout=10,
                                 http_client=httpx.Client(transport=transport))


@pytest.fixture
def dashscope_at(monkeypatch: pytest.MonkeyPatch) -> Any:
    def point(server: RunningMock) -> None:
        monkeypatch.setattr(dashscope, "base_http_api_url", server.base_url("dashscope"))
    yield point
    ds_hook.uninstall()


# --- openai, sync ---------------------------------------------------------------------------

def test_openai_valid_request_reaches_the_mock(mock, logs):
    transport = ValidatingTransport()
    before = mock.app.requests
    completion = openai_client(mock, transport).chat.completions.create(
        model=SF, messages=MESSAGES, max_tokens=64, temperature=0.7)
    assert completion.choices[0].message.content
    assert mock.app.requests == before + 1
    assert list(transport.reports) == [] and said(logs, logging.WARNING) == []


def test_openai_invalid_request_is_stopped_before_the_network(mock, logs):
    transport = ValidatingTransport()
    before = mock.app.requests
    with pytest.raises(wirespec.RequestRejected) as rejected:
        openai_client(mock, transport).chat.completions.create(
            model=SF, messages=MESSAGES, temperature="hot")  # type: ignore[arg-type]
    assert mock.app.requests == before
    report = rejected.value.report
    assert not report.ok and report.model == f"siliconflow:{SF}"
    assert [e.pointer for e in report.errors] == ["/temperature"]
    assert "/temperature" in str(rejected.value)
    assert list(transport.reports) == [report]


def test_openai_report_mode_sends_and_logs_one_record(mock, logs):
    transport = ValidatingTransport(mode="report")
    before = mock.app.requests
    with pytest.raises(openai.BadRequestError):  # the mock refuses it, as the provider would
        openai_client(mock, transport).chat.completions.create(
            model=SF, messages=MESSAGES, temperature="hot")  # type: ignore[arg-type]
    assert mock.app.requests == before + 1
    [record] = said(logs, logging.WARNING)
    assert "/temperature" in record.getMessage() and "report mode" in record.getMessage()
    summary = record.wirespec_report  # type: ignore[attr-defined]
    assert summary["kind"] == "request" and summary["errors"][0]["pointer"] == "/temperature"


def test_a_key_quoted_by_an_error_is_kept_out_of_the_record(mock, logs):
    # the value an error quotes is the key itself (pasted into the wrong place)
    with pytest.raises(openai.BadRequestError):
        openai_client(mock, ValidatingTransport(mode="report")).chat.completions.create(
            model=SF, messages=[{"role": KEY, "content": "hi"}])  # type: ignore[misc]
    [record] = said(logs, logging.WARNING)
    assert "/messages/0/role" in record.getMessage()
    assert "[redacted key]" in record.getMessage()


def test_reports_keep_the_newest(mock, logs):
    transport = ValidatingTransport(history=2)
    client = openai_client(mock, transport)
    for value in ("a", "b", "c"):
        with pytest.raises(wirespec.RequestRejected):
            client.chat.completions.create(model=SF, messages=MESSAGES,
                                           temperature=value)  # type: ignore[arg-type]
    assert [r.errors[0].value for r in transport.reports] == ["b", "c"]


def test_openai_out_of_contract_answer_is_reported(logs):
    with faulty("response-schema") as server:
        transport = ValidatingTransport()
        # the SDK may or may not parse what the fault broke
        with contextlib.suppress(openai.OpenAIError, ValueError):
            openai_client(server, transport).chat.completions.create(model=SF,
                                                                     messages=MESSAGES)
    [report] = transport.reports
    assert report.kind == "response" and report.errors
    [record] = said(logs, logging.WARNING)
    assert "the answer breaks the contract" in record.getMessage()
    assert report.errors[0].pointer in record.getMessage()


def test_strict_turns_an_undocumented_member_into_a_rejection(mock, logs):
    client = openai_client(mock, ValidatingTransport(strict=True))
    before = mock.app.requests
    with pytest.raises(wirespec.RequestRejected) as rejected:
        client.chat.completions.create(model=SF, messages=MESSAGES, extra_body={"foo": 1})
    assert mock.app.requests == before
    assert "/foo" in [e.pointer for e in rejected.value.report.errors]


def test_an_undocumented_member_is_sent_and_said_once(mock, logs):
    client = openai_client(mock, ValidatingTransport())
    for _ in range(2):
        client.chat.completions.create(model=SF, messages=MESSAGES, extra_body={"foo": 1})
    records = said(logs, logging.INFO)
    assert len(records) == 1 and "/foo" in records[0].getMessage()


# --- openai, async --------------------------------------------------------------------------

def test_openai_async(mock, logs):
    transport = AsyncValidatingTransport()

    async def run() -> tuple[int, int, wirespec.RequestRejected]:
        client = openai.AsyncOpenAI(base_url=mock.base_url("siliconflow"), api_key=KEY,
                                    max_retries=0, timeout=10,
                                    http_client=httpx.AsyncClient(transport=transport))
        start = mock.app.requests
        completion = await client.chat.completions.create(model=SF, messages=MESSAGES)
        assert completion.choices[0].message.content
        sent = mock.app.requests
        with pytest.raises(wirespec.RequestRejected) as rejected:
            await client.chat.completions.create(model=SF, messages=MESSAGES,
                                                 max_tokens=1.5)  # type: ignore[arg-type]
        await client.close()
        return sent - start, mock.app.requests - sent, rejected.value

    valid_sent, invalid_sent, rejection = asyncio.run(run())
    assert (valid_sent, invalid_sent) == (1, 0)
    assert [e.pointer for e in rejection.report.errors] == ["/max_tokens"]


def test_openai_async_stream_out_of_contract_is_reported(logs):
    transport = AsyncValidatingTransport(mode="report")

    async def run() -> int:
        with faulty("stream-schema") as server:
            client = openai.AsyncOpenAI(base_url=server.base_url("siliconflow"), api_key=KEY,
                                        max_retries=0, timeout=10,
                                        http_client=httpx.AsyncClient(transport=transport))
            stream = await client.chat.completions.create(model=SF, messages=MESSAGES,
                                                          stream=True)
            count = len([chunk async for chunk in stream])
            await client.close()
            return count

    assert asyncio.run(run()) >= 2
    [report] = transport.reports
    assert report.kind == "stream" and report.errors[0].pointer.startswith("/events/2/")


# --- openai, stream -------------------------------------------------------------------------

def test_openai_stream_valid_and_invalid(mock, logs):
    transport = ValidatingTransport()
    client = openai_client(mock, transport)
    before = mock.app.requests
    chunks = list(client.chat.completions.create(model=SF, messages=MESSAGES, stream=True))
    assert len(chunks) >= 2 and chunks[-1].choices[0].finish_reason == "stop"
    assert mock.app.requests == before + 1 and list(transport.reports) == []
    with pytest.raises(wirespec.RequestRejected) as rejected:
        client.chat.completions.create(model=SF, messages=MESSAGES, stream=True,
                                       n="two")  # type: ignore[arg-type]
    assert mock.app.requests == before + 1
    assert [e.pointer for e in rejected.value.report.errors] == ["/n"]


def test_openai_stream_events_out_of_contract_are_reported_and_all_delivered(logs):
    with faulty("stream-schema") as server:
        transport = ValidatingTransport()
        chunks = list(openai_client(server, transport).chat.completions.create(
            model=SF, messages=MESSAGES, stream=True))
    assert len(chunks) >= 3  # nothing withheld: checking is not filtering
    [report] = transport.reports
    assert report.kind == "stream" and report.errors
    assert all(e.pointer.startswith("/events/2/") for e in report.errors)
    [record] = said(logs, logging.WARNING)
    assert "/events/2/" in record.getMessage()


def test_a_stream_cut_short_is_reported(logs):
    with faulty("cut-stream") as server:
        transport = ValidatingTransport()
        with contextlib.suppress(openai.OpenAIError):  # the SDK reads what came as it can
            list(openai_client(server, transport).chat.completions.create(
                model=SF, messages=MESSAGES, stream=True))
    [report] = transport.reports
    assert [e.keyword for e in report.errors] == ["sse"]
    assert "ended inside an event" in report.errors[0].message


def test_a_stream_left_early_is_not_reported(mock, logs):
    transport = ValidatingTransport()
    stream = openai_client(mock, transport).chat.completions.create(model=SF,
                                                                    messages=MESSAGES,
                                                                    stream=True)
    next(iter(stream))
    stream.close()
    assert list(transport.reports) == [] and said(logs, logging.WARNING) == []


# --- cloudflare ---------------------------------------------------------------------------

def test_cloudflare_valid_request_reaches_the_mock(mock, logs):
    transport = ValidatingTransport()
    before = mock.app.requests
    result = cloudflare_client(mock, transport).ai.run(CF, account_id="acct",
                                                       prompt="Who are you", max_tokens=64)
    assert isinstance(result, dict) and result["response"]
    assert mock.app.requests == before + 1 and list(transport.reports) == []


def test_cloudflare_invalid_request_is_stopped_before_the_network(mock, logs):
    # Cloudflare's SDK wraps what its transport raises in APIConnectionError
    transport = ValidatingTransport()
    before = mock.app.requests
    with pytest.raises(cloudflare.APIConnectionError) as wrapped:
        cloudflare_client(mock, transport).ai.run(CF, account_id="acct", prompt="hi",
                                                  temperature=9)
    assert mock.app.requests == before
    rejection = rejection_of(wrapped.value)
    assert rejection is not None
    assert [e.pointer for e in rejection.report.errors] == ["/temperature"]


def test_cloudflare_report_mode_sends_and_logs(mock, logs):
    before = mock.app.requests
    with pytest.raises(cloudflare.BadRequestError):
        cloudflare_client(mock, ValidatingTransport(mode="report")).ai.run(
            CF, account_id="acct", prompt="hi", temperature=9)
    assert mock.app.requests == before + 1
    [record] = said(logs, logging.WARNING)
    assert "/temperature" in record.getMessage()


def test_cloudflare_out_of_contract_answer_is_reported(logs):
    with faulty("response-schema") as server:
        transport = ValidatingTransport()
        cloudflare_client(server, transport).ai.run(CF, account_id="acct", prompt="hi")
    [report] = transport.reports
    assert report.kind == "response" and report.errors  # the result, out of its envelope
    assert said(logs, logging.WARNING)


def test_cloudflare_stream(mock, logs):
    transport = ValidatingTransport()
    client = cloudflare_client(mock, transport)
    with client.ai.with_streaming_response.run(CF, account_id="acct", prompt="Who are you",
                                               stream=True) as response:
        data = b"".join(response.iter_bytes())
    assert data.endswith(b"data: [DONE]\n\n") and list(transport.reports) == []


# --- dashscope ------------------------------------------------------------------------------

def test_dashscope_hook_valid_invalid_and_uninstalled(mock, dashscope_at, logs):
    dashscope_at(mock)
    with ds_hook.installed() as hook:
        before = mock.app.requests
        response = dashscope.Generation.call(model=DS, messages=MESSAGES, api_key=KEY,
                                             result_format="message")
        assert response.status_code == 200 and response.output.choices[0].message.content
        assert mock.app.requests == before + 1
        with pytest.raises(wirespec.RequestRejected) as rejected:
            dashscope.Generation.call(model=DS, messages=MESSAGES, api_key=KEY, top_p=1.5)
        assert mock.app.requests == before + 1
        assert [e.pointer for e in rejected.value.report.errors] == ["/parameters/top_p"]
        assert list(hook.reports) == [rejected.value.report]
    refused = dashscope.Generation.call(model=DS, messages=MESSAGES, api_key=KEY, top_p=1.5)
    assert refused.status_code == 400 and mock.app.requests == before + 2  # unhooked again


def test_dashscope_stream_through_the_hook(mock, dashscope_at, logs):
    dashscope_at(mock)
    with ds_hook.installed() as hook:
        before = mock.app.requests
        responses = list(dashscope.Generation.call(
            model=DS, messages=MESSAGES, api_key=KEY, result_format="message", stream=True,
            incremental_output=True))
    assert len(responses) >= 2 and {r.status_code for r in responses} == {200}
    assert mock.app.requests == before + 1 and list(hook.reports) == []


def test_dashscope_report_mode_sends_and_logs(mock, dashscope_at, logs):
    dashscope_at(mock)
    with ds_hook.installed(mode="report"):
        before = mock.app.requests
        response = dashscope.Generation.call(model=DS, messages=MESSAGES, api_key=KEY,
                                             top_p=1.5)
    assert response.status_code == 400 and mock.app.requests == before + 1
    [record] = said(logs, logging.WARNING)
    assert "/parameters/top_p" in record.getMessage()


@pytest.mark.parametrize("fault", ["response-schema", "stream-schema"])
def test_dashscope_out_of_contract_answer_is_reported(dashscope_at, logs, fault):
    stream = fault == "stream-schema"
    with faulty(fault) as server, ds_hook.installed() as hook:
        dashscope_at(server)
        answer = dashscope.Generation.call(model=DS, messages=MESSAGES, api_key=KEY,
                                           stream=stream)
        if stream:
            list(answer)
    [report] = hook.reports
    assert report.kind == ("stream" if stream else "response") and report.errors
    assert said(logs, logging.WARNING)


def test_dashscope_session_for_one_call(mock, dashscope_at, logs):
    dashscope_at(mock)
    checked = ds_hook.session()
    before = mock.app.requests
    with pytest.raises(wirespec.RequestRejected):
        dashscope.Generation.call(model=DS, messages=MESSAGES, api_key=KEY, top_p=1.5,
                                  session=checked)
    assert mock.app.requests == before
    ok = dashscope.Generation.call(model=DS, messages=MESSAGES, api_key=KEY, session=checked)
    assert ok.status_code == 200 and mock.app.requests == before + 1


# --- what every hook shares -------------------------------------------------------------

def test_an_unknown_route_passes_through_with_one_debug_record(mock, logs):
    with httpx.Client(transport=ValidatingTransport()) as client:
        before = mock.app.requests
        answer = client.get(mock.url + "/v1/models", headers={"Authorization": f"Bearer {KEY}"})
    assert answer.status_code == 200 and mock.app.requests == before + 1  # the mock's list
    [record] = [r for r in logs.records if r.name == "wirespec"]
    assert record.levelno == logging.DEBUG and "no documented endpoint" in record.getMessage()


def test_an_unknown_model_passes_through_and_model_pins_one(mock, logs):
    body = {"model": "my-deployment", "messages": MESSAGES, "temperature": "hot"}
    headers = {"Authorization": f"Bearer {KEY}"}
    url = mock.base_url("siliconflow") + "/chat/completions"
    with httpx.Client(transport=ValidatingTransport()) as client:
        before = mock.app.requests
        assert client.post(url, json=body, headers=headers).status_code == 400  # the mock's
    assert mock.app.requests == before + 1
    pinned = ValidatingTransport(model=f"siliconflow:{SF}")
    with httpx.Client(transport=pinned) as client, pytest.raises(
            wirespec.RequestRejected) as rejected:
        client.post(url, json=body, headers=headers)
    assert mock.app.requests == before + 1
    assert rejected.value.report.model == f"siliconflow:{SF}"


def test_bad_settings_are_refused_at_once():
    with pytest.raises(ValueError, match="enforce"):
        ValidatingTransport(mode="block")  # type: ignore[arg-type]
    with pytest.raises(wirespec.UnknownModelError):
        ValidatingTransport(model="siliconflow:no-such-model")


def _answering(body: bytes, headers: dict[str, str], log: list[str] | None = None) -> Any:
    """A transport that answers every request with ``body`` (cut in 7-byte pieces)."""
    def pieces() -> Iterator[bytes]:
        for start in range(0, len(body), 7):
            if log is not None:
                log.append(f"produced {start}")
            yield body[start:start + 7]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(b"")
                              if not body else _Stream(pieces()))
    return httpx.MockTransport(handler)


class _Stream(httpx.SyncByteStream):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks


def _post(transport: httpx.BaseTransport, stream: bool = False) -> httpx.Response:
    with httpx.Client(transport=transport) as client:
        return client.post("https://api.siliconflow.cn/v1/chat/completions",
                           json={"model": SF, "messages": MESSAGES, "stream": stream},
                           headers={"Authorization": f"Bearer {KEY}"})


def test_a_gzipped_answer_is_checked_as_the_client_reads_it(logs):
    answer = {"id": "x", "object": "chat.completion", "choices": "not a list"}
    transport = ValidatingTransport(wrapped=_answering(
        gzip.compress(json.dumps(answer).encode()),
        {"content-type": "application/json", "content-encoding": "gzip"}))
    assert _post(transport).json() == answer
    [report] = transport.reports
    assert "/choices" in [e.pointer for e in report.errors]


def test_a_stream_is_passed_on_as_it_comes_not_held(logs):
    frames = b"".join(b"data: " + json.dumps({
        "id": "x", "object": "chat.completion.chunk", "created": 1, "model": SF,
        "choices": [{"index": 0, "delta": {"content": f"piece {n}"}, "finish_reason": "stop"}]
    }).encode() + b"\n\n" for n in range(5)) + b"data: [DONE]\n\n"
    produced: list[str] = []
    transport = ValidatingTransport(wrapped=_answering(
        frames, {"content-type": "text/event-stream"}, produced))
    with httpx.Client(transport=transport) as client, client.stream(
            "POST", "https://api.siliconflow.cn/v1/chat/completions",
            json={"model": SF, "messages": MESSAGES, "stream": True},
            headers={"Authorization": f"Bearer {KEY}"}) as response:
        for number, _ in enumerate(response.iter_raw(), 1):
            assert len(produced) == number  # each piece reaches the reader before the next
    assert list(transport.reports) == []


def test_requests_adapter_checks_without_dashscope(logs):
    adapter = ds_hook.ValidatingAdapter()
    with requests.Session() as session:
        session.mount("https://", adapter)
        with pytest.raises(wirespec.RequestRejected):
            session.post("https://dashscope.aliyuncs.com/api/v1/services/aigc/"
                         "text-generation/generation", headers={"Authorization": f"Bearer {KEY}"},
                         json={"model": DS, "input": {"prompt": "hi"},
                               "parameters": {"top_p": 1.5}})


def test_the_package_is_shipped():
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"]
    assert "wirespec.integrations" in packages
