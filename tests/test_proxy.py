"""The validating proxy, between real servers: the mock providers on uvicorn as the upstream,
the proxy on uvicorn in front, the official SDKs (openai, cloudflare, dashscope) as clients.

The mock counts the requests that reach it (``mock.app.requests``): a request the proxy
refuses must leave the count where it was. Answers are checked after they have gone on to the
client, so a test that reads the log after an answer first makes the proxy log something
synchronously (a refused request): the proxy's loop finishes one check before it reads the
next request."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import io
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import cloudflare
import dashscope
import httpx
import openai
import pytest
from conftest import ROOT, run_cli

from wirespec.contracts._mock import MockApp
from wirespec.contracts._proxy import (
    ProxySettings,
    RunningProxy,
    _listen,
    _server,
    running,
    running_app,
)
from wirespec.contracts._serve import LOOPBACK, in_thread
from wirespec.mock import MockSettings, RunningMock
from wirespec.mock import running as running_mock
from wirespec.validators._sse import validate_stream

MESSAGES = [{"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Who are you"}]
SF, DS, CF = "Qwen/Qwen2.5-7B-Instruct", "qwen1.5-72b-chat", "@cf/qwen/qwen1.5-7b-chat-awq"
KEY = "sk-proxy-secret-7f3a9c2e1b"  # distinctive: found anywhere it leaks
WAIT = 20.0  # seconds a "does not hang" bound allows; never a measure of speed


class Log(io.StringIO):
    """The proxy's log, read as JSON lines from a mark on."""

    def mark(self) -> int:
        return len(self.getvalue())

    def since(self, mark: int) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.getvalue()[mark:].splitlines()]


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running_mock() as server:
        yield server


@pytest.fixture(scope="module")
def log() -> Log:
    return Log()


@pytest.fixture(scope="module")
def proxy(mock: RunningMock, log: Log) -> Iterator[RunningProxy]:
    with running(ProxySettings(mock.url), log=log) as server:
        yield server


def openai_client(proxy: RunningProxy, key: str = KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=proxy.base_url("siliconflow"), api_key=key, max_retries=0,
                         timeout=WAIT)


def settle(proxy: RunningProxy) -> None:
    """Every check of an answer already given is logged once this returns (see above)."""
    answer = httpx.post(proxy.base_url("siliconflow") + "/chat/completions", json={
        "model": SF, "messages": MESSAGES, "temperature": "settle"}, timeout=WAIT,
        headers={"Authorization": f"Bearer {KEY}"})
    assert answer.status_code in (400, 200)


# --- valid requests reach the mock, through each SDK ------------------------------------

def test_openai_sdk_through_the_proxy(proxy, mock, log):
    before, mark = mock.app.requests, log.mark()
    completion = openai_client(proxy).chat.completions.create(model=SF, messages=MESSAGES,
                                                              max_tokens=64, temperature=0.7)
    assert completion.object == "chat.completion" and completion.model == SF
    assert completion.choices[0].message.content
    assert mock.app.requests == before + 1
    settle(proxy)
    assert [line["pointer"] for line in log.since(mark)] == ["/temperature"]  # settle's only


def test_openai_sdk_stream_through_the_proxy(proxy, mock):
    before = mock.app.requests
    chunks = list(openai_client(proxy).chat.completions.create(model=SF, messages=MESSAGES,
                                                               stream=True))
    assert len(chunks) >= 2 and {c.object for c in chunks} == {"chat.completion.chunk"}
    assert "".join(c.choices[0].delta.content or "" for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert mock.app.requests == before + 1


@pytest.fixture
def dashscope_at_proxy(proxy, monkeypatch) -> None:
    monkeypatch.setattr(dashscope, "base_http_api_url", proxy.base_url("dashscope"))


def test_dashscope_sdk_through_the_proxy(dashscope_at_proxy, mock):
    before = mock.app.requests
    response = dashscope.Generation.call(model=DS, messages=MESSAGES, api_key=KEY,
                                         result_format="message")
    assert response.status_code == 200 and response.output.choices[0].message.content
    streamed = list(dashscope.Generation.call(model=DS, messages=MESSAGES, api_key=KEY,
                                              result_format="message", stream=True))
    assert len(streamed) >= 2 and streamed[-1].output.choices[0].finish_reason == "stop"
    assert mock.app.requests == before + 2


@pytest.fixture
def cloudflare_client(proxy) -> cloudflare.Cloudflare:
    return cloudflare.Cloudflare(api_token=KEY, base_url=proxy.base_url("cloudflare"),
                                 max_retries=0, timeout=WAIT)


def test_cloudflare_sdk_through_the_proxy(cloudflare_client, mock):
    before = mock.app.requests
    result = cloudflare_client.ai.run(CF, account_id="acct", prompt="Who are you",
                                      max_tokens=64)
    assert isinstance(result, dict) and result["response"]
    assert mock.app.requests == before + 1


# --- invalid requests get the provider's error from the proxy, never reach the mock ------

def test_openai_sdk_invalid_request_is_refused_by_the_proxy(proxy, mock, log):
    before, mark = mock.app.requests, log.mark()
    with pytest.raises(openai.BadRequestError) as refused:
        openai_client(proxy).chat.completions.create(model=SF, messages=MESSAGES,
                                                     temperature="hot")  # type: ignore[arg-type]
    assert refused.value.status_code == 400 and "/temperature" in refused.value.message
    assert mock.app.requests == before
    [line] = log.since(mark)
    assert line["model"] == f"siliconflow:{SF}" and line["kind"] == "request"
    assert (line["pointer"], line["keyword"], line["action"]) == ("/temperature", "type",
                                                                  "rejected")
    assert set(line) == {"time", "model", "kind", "pointer", "keyword", "message", "action"}


def test_dashscope_sdk_invalid_request_is_refused_by_the_proxy(dashscope_at_proxy, mock):
    before = mock.app.requests
    response = dashscope.Generation.call(model=DS, messages=MESSAGES, api_key=KEY, top_p=1.5)
    assert response.status_code == 400 and response.code == "InvalidParameter"
    assert "/parameters/top_p" in response.message
    assert mock.app.requests == before


def test_cloudflare_sdk_invalid_request_is_refused_by_the_proxy(cloudflare_client, mock):
    before = mock.app.requests
    with pytest.raises(cloudflare.BadRequestError) as refused:
        cloudflare_client.ai.run(CF, account_id="acct", prompt="hi", temperature=9)
    assert refused.value.status_code == 400 and "/temperature" in str(refused.value)
    assert mock.app.requests == before


INVALID = {
    "siliconflow": ("/v1/chat/completions", {"model": SF, "messages": MESSAGES,
                                             "temperature": "hot"}),
    "dashscope": ("/api/v1/services/aigc/text-generation/generation", {
        "model": DS, "input": {"messages": MESSAGES}, "parameters": {"top_p": 1.5}}),
    "cloudflare": (f"/client/v4/accounts/acct/ai/run/{CF}", {"prompt": "hi",
                                                             "temperature": 9}),
}


@pytest.mark.parametrize("provider", sorted(INVALID))
def test_a_refusal_is_the_mocks_own(proxy, mock, provider):
    """Status and body as the mock answers the same request (DashScope's request id aside)."""
    path, body = INVALID[provider]
    headers = {"Authorization": f"Bearer {KEY}"}
    direct = httpx.post(mock.url + path, json=body, headers=headers, timeout=WAIT)
    before = mock.app.requests
    proxied = httpx.post(proxy.url + path, json=body, headers=headers, timeout=WAIT)
    assert mock.app.requests == before
    assert proxied.status_code == direct.status_code == 400
    assert proxied.headers["content-type"] == direct.headers["content-type"]
    mine, theirs = proxied.json(), direct.json()
    if provider == "dashscope":
        assert mine.pop("request_id") and theirs.pop("request_id")
    assert mine == theirs


@pytest.mark.parametrize("body", [b"{not json", b'{"messages": []}', b"[1, 2]"])
def test_a_body_that_is_not_a_request_is_refused(proxy, mock, body):
    before = mock.app.requests
    answer = httpx.post(proxy.base_url("siliconflow") + "/chat/completions", content=body,
                        headers={"Authorization": f"Bearer {KEY}",
                                 "Content-Type": "application/json"}, timeout=WAIT)
    assert answer.status_code == 400 and answer.json()["code"] == 20012
    assert mock.app.requests == before


def test_a_request_past_the_size_limit_is_refused(mock):
    with running(ProxySettings(mock.url, max_body=1000), log=Log()) as small:
        before = mock.app.requests
        answer = httpx.post(small.base_url("dashscope") + "/services/aigc/text-generation/"
                            "generation", json={"model": DS, "input": {"prompt": "x" * 2000}},
                            headers={"Authorization": f"Bearer {KEY}"}, timeout=WAIT)
        assert answer.status_code == 413 and answer.json()["code"] == "InvalidParameter"
        assert mock.app.requests == before


# --- report mode, unknown models, other endpoints ----------------------------------------

def test_report_mode_forwards_the_invalid_and_logs_it(mock):
    log = Log()
    with running(ProxySettings(mock.url, mode="report"), log=log) as reporting:
        before = mock.app.requests
        with pytest.raises(openai.BadRequestError) as refused:  # by the mock itself
            openai_client(reporting).chat.completions.create(
                model=SF, messages=MESSAGES, temperature="hot")  # type: ignore[arg-type]
        assert refused.value.status_code == 400
        assert mock.app.requests == before + 1
    [line] = log.since(0)
    assert (line["pointer"], line["action"]) == ("/temperature", "forwarded")


def test_a_model_no_document_names_is_forwarded_unchecked(proxy, mock, log):
    before, mark = mock.app.requests, log.mark()
    with pytest.raises(openai.BadRequestError):  # the upstream (the mock) does not know it
        openai_client(proxy).chat.completions.create(model="Qwen/Not-A-Model",
                                                     messages=MESSAGES)
    assert mock.app.requests == before + 1
    [line] = log.since(mark)
    assert (line["model"], line["keyword"], line["action"]) == (
        "siliconflow:Qwen/Not-A-Model", "unknown-model", "forwarded")


def test_other_endpoints_pass_unchecked(proxy, mock):
    before = mock.app.requests
    answer = httpx.get(proxy.url + "/v1/files?limit=2", timeout=WAIT)  # not the mock's
    assert answer.status_code == 404 and "endpoints" in answer.json()  # the mock's 404
    assert mock.app.requests == before + 1


# --- answers that break the documents are logged ----------------------------------------

@pytest.fixture(scope="module")
def faulty() -> Iterator[RunningMock]:
    with running_mock(MockSettings(faults=frozenset({"response-schema", "stream-schema"}))) \
            as server:
        yield server


def test_an_out_of_contract_answer_is_logged(faulty):
    log = Log()
    with running(ProxySettings(faulty.url), log=log) as proxy:
        client = openai_client(proxy)
        client.chat.completions.with_raw_response.create(model=SF, messages=MESSAGES)
        dashscope_answer = httpx.post(
            proxy.base_url("dashscope") + "/services/aigc/text-generation/generation",
            json={"model": DS, "input": {"messages": MESSAGES}}, timeout=WAIT,
            headers={"Authorization": f"Bearer {KEY}"})
        assert dashscope_answer.status_code == 200
        settle(proxy)
    lines = log.since(0)
    kinds = [(line["model"], line["kind"]) for line in lines]
    assert (f"siliconflow:{SF}", "response") in kinds
    assert (f"dashscope:{DS}", "response") in kinds
    assert all(line["action"] == "forwarded" for line in lines if line["kind"] == "response")


def test_a_broken_stream_event_is_logged_as_validate_stream_reports_it(faulty):
    log = Log()
    path, body = "/v1/chat/completions", {"model": SF, "messages": MESSAGES, "stream": True}
    with running(ProxySettings(faulty.url), log=log) as proxy, httpx.stream(
            "POST", proxy.url + path, json=body, timeout=WAIT,
            headers={"Authorization": f"Bearer {KEY}"}) as answer:
        received = list(answer.iter_bytes())
        answer.close()
        settle(proxy)
    expected = validate_stream(f"siliconflow:{SF}", received)
    assert not expected.ok
    logged = [(line["pointer"], line["keyword"]) for line in log.since(0)
              if line["kind"] == "stream"]
    assert logged == [(error.pointer, error.keyword) for error in expected.errors]
    assert all(pointer.startswith("/events/2") for pointer, _ in logged)


class Gzipped:
    """The faulty mock, its whole answers gzipped (as a provider may send them)."""

    def __init__(self) -> None:
        self.mock = MockApp(MockSettings(faults=frozenset({"response-schema"})))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.mock(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body = b""

        async def gzipping(message: Any) -> None:
            nonlocal body
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                packed = gzip.compress(body)
                headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
                await send({**start, "headers": [*headers, (b"content-encoding", b"gzip"),
                                                 (b"content-length", b"%d" % len(packed))]})
                await send({"type": "http.response.body", "body": packed})

        await self.mock(scope, receive, gzipping)


def test_a_gzipped_answer_is_passed_on_decoded_and_checked():
    log = Log()
    with running_app(Gzipped()) as upstream, running(ProxySettings(upstream.url),
                                                     log=log) as proxy:
        answer = httpx.post(proxy.base_url("siliconflow") + "/chat/completions", json={
            "model": SF, "messages": MESSAGES}, headers={"Authorization": f"Bearer {KEY}",
                                                         "Accept-Encoding": "identity"},
            timeout=WAIT)
        settle(proxy)
    assert answer.status_code == 200 and "content-encoding" not in answer.headers
    assert "content-length" not in answer.headers  # the decoded length differs: chunked
    assert answer.json()["object"]
    assert [line["kind"] for line in log.since(0)].count("response") >= 1


class Unframed:
    """The faulty mock, its whole answers without a Content-Length: uvicorn sends them
    chunked."""

    def __init__(self) -> None:
        self.mock = MockApp(MockSettings(faults=frozenset({"response-schema"})))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def unframed(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [
                    (k, v) for k, v in message["headers"] if k != b"content-length"]}
            await send(message)

        await self.mock(scope, receive, unframed if scope["type"] == "http" else send)


def test_a_chunked_answer_is_passed_on_and_checked():
    log = Log()
    with running_app(Unframed()) as upstream, running(ProxySettings(upstream.url),
                                                      log=log) as proxy:
        completion = openai_client(proxy).chat.completions.create(model=SF, messages=MESSAGES)
        settle(proxy)
    assert completion.object == "chat.completion"
    assert [line["kind"] for line in log.since(0)].count("response") >= 1


def test_an_upstream_that_closes_idle_connections(mock):
    """A server closes a kept-alive connection after a while idle, without a word: the
    proxy's next request goes on a new connection, not on the closed one."""
    app = MockApp()
    server = _server(app)
    server.config.timeout_keep_alive = 0.1  # seconds; uvicorn's default is 5
    sock = _listen(LOOPBACK, 0)
    with in_thread(server, sock, "upstream"), running(ProxySettings(
            f"http://{LOOPBACK}:{sock.getsockname()[1]}"), log=Log()) as proxy:
        client = openai_client(proxy)
        for _ in range(3):
            completion = client.chat.completions.create(model=SF, messages=MESSAGES)
            assert completion.object == "chat.completion"
            time.sleep(0.5)  # the upstream closes the proxy's connection meanwhile
    assert app.requests == 3


# --- streams pass incrementally ---------------------------------------------------------

class HeldStream:
    """The mock, holding every stream after its first event: until ``release`` is set, or
    (``until_client_leaves``) until the proxy hangs up; ``order`` records what each side saw,
    in the order it happened."""

    def __init__(self) -> None:
        self.mock = MockApp()
        self.release = threading.Event()
        self.until_client_leaves = False
        self.client_left = threading.Event()
        self.order: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.mock(scope, receive, send)
            return
        events = 0

        async def held(message: Any) -> None:
            nonlocal events
            if message["type"] == "http.response.body" and message.get("body"):
                events += 1
                if events == 2 and self.until_client_leaves:
                    await self._until_client_leaves(receive)
                    return
                if events == 2:
                    await asyncio.to_thread(self.release.wait, WAIT)
                self.order.append(f"upstream sent {events}")
            await send(message)

        await self.mock(scope, receive, held)

    async def _until_client_leaves(self, receive: Any) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(WAIT):
                while (await receive())["type"] != "http.disconnect":
                    pass
                self.client_left.set()


@pytest.fixture
def held() -> Iterator[tuple[HeldStream, RunningProxy]]:
    upstream = HeldStream()
    with running_app(upstream) as server, running(ProxySettings(server.url),
                                                  log=Log()) as proxy:
        yield upstream, proxy
        upstream.release.set()


def test_a_stream_passes_event_by_event(held):
    upstream, proxy = held
    stream = openai_client(proxy).chat.completions.create(model=SF, messages=MESSAGES,
                                                          stream=True)
    for number, _chunk in enumerate(stream, 1):
        upstream.order.append(f"client got {number}")
        upstream.release.set()  # the upstream sends the rest only now
    order = upstream.order
    # had the proxy waited for the whole stream, event 2 would have been held until WAIT ran
    # out, and the client would have seen event 1 after it
    assert order.index("upstream sent 1") < order.index("client got 1") < order.index(
        "upstream sent 2")


def test_a_client_that_leaves_stops_the_upstream_stream(held):
    upstream, proxy = held
    upstream.until_client_leaves = True
    body = {"model": SF, "messages": MESSAGES, "stream": True}
    with httpx.stream("POST", proxy.url + "/v1/chat/completions", json=body, timeout=WAIT,
                      headers={"Authorization": f"Bearer {KEY}"}) as answer:
        first = next(answer.iter_raw())
    assert first.startswith(b"data: ")
    assert upstream.client_left.wait(WAIT)  # the proxy hung up on the upstream too


# --- keys: passed through, never logged --------------------------------------------------

class Recording:
    """The mock, recording each request's headers as the upstream received them."""

    def __init__(self) -> None:
        self.mock = MockApp()
        self.headers: list[dict[str, str]] = []
        self.targets: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.headers.append({k.decode().lower(): v.decode() for k, v in scope["headers"]})
            self.targets.append(scope["raw_path"].decode() + "?" + scope["query_string"].decode())
        await self.mock(scope, receive, send)


def test_keys_pass_through_and_never_reach_the_log(faulty):
    recording, log = Recording(), Log()
    headers = {"Authorization": f"Bearer {KEY}", "x-api-key": KEY + "-x", "api-key": KEY + "-a",
               "Connection": "keep-alive, x-hop", "x-hop": "1", "Proxy-Authorization": "p"}
    quoting = {"model": DS, "input": {"messages": MESSAGES},
               "parameters": {"result_format": KEY}}  # the enum's message quotes the value
    path = "/api/v1/services/aigc/text-generation/generation"
    with running_app(recording) as upstream, running(ProxySettings(upstream.url),
                                                     log=log) as proxy:
        refused = httpx.post(proxy.url + path, json=quoting, headers=headers, timeout=WAIT)
        valid = httpx.post(proxy.url + path + "?trace=1", json={
            "model": DS, "input": {"messages": MESSAGES}}, headers=headers, timeout=WAIT)
    with running(ProxySettings(faulty.url, mode="report"), log=log) as proxy:
        httpx.post(proxy.url + path, json=quoting, headers=headers, timeout=WAIT)
        settle(proxy)
    assert refused.status_code == 400 and valid.status_code == 200
    [seen] = recording.headers
    assert seen["authorization"] == f"Bearer {KEY}"
    assert (seen["x-api-key"], seen["api-key"]) == (KEY + "-x", KEY + "-a")
    assert not {"x-hop", "proxy-authorization"} & set(seen)
    assert recording.targets == [path + "?trace=1"]
    text = log.getvalue()
    assert "[redacted key]" in text and KEY[:10] not in text
    assert not any(value in text for value in ("Bearer", "keep-alive", "Who are you"))


# --- /healthz, an unreachable upstream ---------------------------------------------------

def test_healthz_does_not_ask_the_upstream(proxy, mock):
    before = mock.app.requests
    answer = httpx.get(proxy.url + "/healthz", timeout=WAIT)
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    assert mock.app.requests == before


def test_an_unreachable_upstream_is_a_502_in_the_providers_shape():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    log = Log()
    with running(ProxySettings(f"http://127.0.0.1:{port}"), log=log) as proxy:
        assert httpx.get(proxy.url + "/healthz", timeout=WAIT).status_code == 200
        with pytest.raises(openai.APIStatusError) as failed:
            openai_client(proxy).chat.completions.create(model=SF, messages=MESSAGES)
    assert failed.value.status_code == 502
    [line] = log.since(0)
    assert (line["kind"], line["keyword"], line["action"]) == ("upstream", "transport",
                                                               "answered 502")


# --- the command --------------------------------------------------------------------------

@pytest.mark.parametrize("upstream", ["ftp://example.com", "not a url", "http://u:p@host",
                                      "http://host/?q=1", "http://[::1"])
def test_an_unusable_upstream_is_one_line_and_exit_2(upstream):
    result = run_cli("proxy", "--upstream", upstream, "--port", "0")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--upstream" in result.stderr
    assert "p@" not in result.stderr


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        result = run_cli("proxy", "--upstream", "http://127.0.0.1:9", "--port",
                         str(taken.getsockname()[1]))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot listen" in result.stderr


def test_an_unwritable_log_is_one_line_and_exit_2(tmp_path):
    result = run_cli("proxy", "--upstream", "http://127.0.0.1:9", "--port", "0",
                     "--log", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--log" in result.stderr


def test_the_command_serves_until_interrupted(mock, tmp_path):
    log_file = tmp_path / "violations.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "wirespec._cli", "proxy", "--upstream", mock.url, "--port", "0",
         "--log", str(log_file), "--provider", "siliconflow"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.search(r"listening on (http://\S+),", first)
        assert found, first
        url = found.group(1)
        assert httpx.get(url + "/healthz", timeout=WAIT).status_code == 200
        refused = httpx.post(url + "/v1/chat/completions", timeout=WAIT, json={
            "model": SF, "messages": MESSAGES, "temperature": "hot"})
        assert refused.status_code == 400
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=WAIT)
    assert process.returncode == 0, stderr
    [line] = [json.loads(text) for text in log_file.read_text().splitlines()]
    assert (line["pointer"], line["action"]) == ("/temperature", "rejected")

