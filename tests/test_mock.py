"""The mock providers: each wire format served, requests validated, garbage survived."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import ROOT

from wirespec.contracts._exemplars import NoExemplar, exemplar
from wirespec.mock import MockSettings, RunningMock, ServeError, running
from wirespec.validators._engine import compiled
from wirespec.validators._registry import models
from wirespec.validators._sse import events, validate_stream

DS, CF, SF = "qwen1.5-72b-chat", "@cf/qwen/qwen1.5-7b-chat-awq", "Qwen/Qwen2.5-7B-Instruct"
DS_PATH = "/api/v1/services/aigc/text-generation/generation"
CF_PATH = f"/client/v4/accounts/acct/ai/run/{CF}"
SF_PATH = "/v1/chat/completions"
AUTH = {"Authorization": "Bearer test-key", "Content-Type": "application/json"}
MESSAGES = [{"role": "user", "content": "Who are you"}]


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running() as server:
        yield server


def request(mock: RunningMock, path: str, body: Any = None, headers: dict[str, str] | None = None,
            method: str = "POST", raw: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection: status, headers (lower-cased), body."""
    import http.client

    connection = http.client.HTTPConnection(mock.host, mock.port, timeout=10)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    connection.request(method, path, body=data, headers=AUTH if headers is None else headers)
    response = connection.getresponse()
    answer = (response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    connection.close()
    return answer


ANSWERS = ("response", "stream", "error")  # what the mock draws exemplars for


def test_exemplars_are_valid_and_repeatable_for_every_model_and_answer_kind():
    # requests are drawn by hypothesis (patterns, minProperties); exemplars answer requests
    made = 0
    for entry in models():
        for kind in (k for k in entry.kinds if k in ANSWERS):
            engine = compiled(entry.id, kind)
            for seed in range(3):
                value = exemplar(engine, seed)
                assert engine.is_valid(value), (entry.id, kind, seed)
                assert exemplar(engine, seed) == value
                made += 1
    assert made == 3 * sum(len(set(entry.kinds) & set(ANSWERS)) for entry in models())


def test_an_exemplar_follows_its_hint_only_where_the_schema_allows():
    engine = compiled(f"dashscope:{DS}", "response")
    hint = {"output": {"text": "hello", "finish_reason": "stop"}, "usage": {"input_tokens": "x"},
            "request_id": "r-1"}
    value = exemplar(engine, 0, hint)
    assert value["output"] == {"text": "hello", "finish_reason": "stop"}
    assert value["request_id"] == "r-1"
    assert isinstance(value["usage"]["input_tokens"], int)  # the schema says integer


def test_no_exemplar_is_a_clear_error():
    class Impossible:
        model, kind, schema = "m", "response", {"type": "string"}

        def is_valid(self, value: Any) -> bool:
            return False

    with pytest.raises(NoExemplar, match="no value found for m"):
        exemplar(Impossible(), 0)


def test_dashscope_json_answer(mock):
    body = {"model": DS, "input": {"messages": MESSAGES}, "parameters": {}}
    status, headers, data = request(mock, DS_PATH, body)
    assert status == 200 and headers["content-type"] == "application/json"
    answer = json.loads(data)
    assert compiled(f"dashscope:{DS}", "response").is_valid(answer)
    assert "text" in answer["output"]  # result_format "text", the default
    assert request(mock, DS_PATH, body)[2] == data  # the same request, the same answer


@pytest.mark.parametrize("asking", [{"X-DashScope-SSE": "enable"},
                                    {"Accept": "text/event-stream"}])
def test_dashscope_streams_in_the_documents_frames(mock, asking):
    body = {"model": DS, "input": {"messages": MESSAGES},
            "parameters": {"result_format": "message", "incremental_output": True}}
    status, headers, data = request(mock, DS_PATH, body, {**AUTH, **asking})
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    assert validate_stream(f"dashscope:{DS}", [data]).ok
    found, problem = events([data])
    assert problem is None and len(found) >= 2
    assert [e.id for e in found] == [str(n) for n in range(1, len(found) + 1)]
    assert {e.event for e in found} == {"result"}
    assert all(e.comments == ["HTTP_STATUS/200"] for e in found)
    reasons = [json.loads(e.data)["output"]["choices"][0]["finish_reason"] for e in found]
    assert reasons == ["null"] * (len(found) - 1) + ["stop"]  # as the document's sample


def test_dashscope_refusal_has_the_documented_error_shape(mock):
    body = {"model": DS, "input": {"messages": MESSAGES}, "parameters": {"top_p": 1.5}}
    status, _, data = request(mock, DS_PATH, body)
    error = json.loads(data)
    assert status == 400 and error["code"] == "InvalidParameter"
    assert compiled(f"dashscope:{DS}", "error").is_valid(error)
    assert "/parameters/top_p" in error["message"]
    assert "sources/dashscope/qwen1.5-chat.api-reference.txt:" in error["message"]


def test_cloudflare_envelope_stream_and_one_error_per_constraint(mock):
    status, _, data = request(mock, CF_PATH, {"prompt": "hi"})
    envelope = json.loads(data)
    assert status == 200 and envelope["success"] is True and envelope["errors"] == []
    assert compiled(f"cloudflare:{CF}", "response").is_valid(envelope["result"])
    status, headers, data = request(mock, CF_PATH, {"prompt": "hi", "stream": True})
    assert headers["content-type"].startswith("text/event-stream")
    assert validate_stream(f"cloudflare:{CF}", [data]).ok and data.endswith(b"data: [DONE]\n\n")
    status, _, data = request(mock, CF_PATH, {"prompt": "hi", "temperature": 9, "top_k": 0})
    envelope = json.loads(data)
    assert status == 400 and envelope["success"] is False and envelope["result"] is None
    assert sorted(e["message"].split(":")[0] for e in envelope["errors"]) == [
        "/temperature", "/top_k"]
    assert {e["code"] for e in envelope["errors"]} == {5006}


def test_cloudflare_model_names_may_be_percent_encoded(mock):
    path = CF_PATH.replace("@cf/qwen/", "%40cf%2Fqwen%2F")
    assert request(mock, path, {"prompt": "hi"})[0] == 200
    assert request(mock, path.replace("/client/v4", ""), {"prompt": "hi"})[0] == 200


def test_openai_compatible_answer_and_stream(mock):
    body = {"model": SF, "messages": MESSAGES}
    status, _, data = request(mock, SF_PATH, body)
    answer = json.loads(data)
    assert status == 200 and answer["object"] == "chat.completion" and answer["model"] == SF
    assert answer["choices"][0]["message"]["role"] == "assistant"
    status, _, data = request(mock, SF_PATH, {**body, "stream": True})
    assert validate_stream(f"siliconflow:{SF}", [data]).ok
    chunks = [json.loads(e.data) for e in events([data])[0] if e.data != "[DONE]"]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}


@pytest.mark.parametrize(("path", "body", "code"), [
    (DS_PATH, {"model": "qwen-2000b-chat", "input": {"messages": MESSAGES}}, 400),
    (CF_PATH.replace("qwen1.5-7b-chat-awq", "nope"), {"prompt": "hi"}, 400),
    (SF_PATH, {"model": "Qwen/Nope", "messages": MESSAGES}, 400),  # the documents' code 20012
])
def test_unknown_models_are_refused_in_the_providers_terms(mock, path, body, code):
    status, headers, data = request(mock, path, body)
    assert status == code and headers["content-type"] == "application/json"
    assert "No such model" in data.decode()


def test_the_seed_changes_the_answers():
    body = {"model": SF, "messages": MESSAGES}
    with running(MockSettings(seed=1)) as one, running(MockSettings(seed=2)) as two:
        assert request(one, SF_PATH, body)[2] != request(two, SF_PATH, body)[2]


def _raw_exchange(mock: RunningMock, data: bytes) -> bytes:
    with socket.create_connection((mock.host, mock.port), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received:
                break
        return received


@pytest.mark.parametrize(("what", "send", "status"), [
    ("malformed JSON", dict(raw=b'{"model": '), 400),
    ("not UTF-8", dict(raw=b'{"model": "\xff"}'), 400),
    ("NaN", dict(raw=b'{"model": NaN}'), 400),
    ("no key", dict(body={"model": SF}, headers={}), 401),
    ("GET", dict(method="GET", body=None), 405),
    ("DELETE", dict(method="DELETE", body=None), 405),
    ("a JSON string", dict(raw=b'"hello"'), 400),
])
def test_garbage_gets_a_4xx_in_the_providers_shape(mock, what, send, status):
    got, headers, data = request(mock, SF_PATH, **send)
    assert got == status, what
    body = json.loads(data)  # SiliconFlow's documented shapes: a string for 401
    assert body == "Invalid token" if status == 401 else body["code"] == 20012
    if status == 405:
        assert headers["allow"] == "POST"


PATHS = {"dashscope": DS_PATH, "cloudflare": CF_PATH, "siliconflow": SF_PATH}
BODIES = {"dashscope": {"model": DS, "input": {"messages": MESSAGES}},
          "cloudflare": {"prompt": "hi"}, "siliconflow": {"model": SF, "messages": MESSAGES}}


def _error_code(provider: str, data: bytes) -> Any:
    """The code in the provider's error shape."""
    error = json.loads(data)
    if provider == "dashscope":
        assert compiled(f"dashscope:{DS}", "error").is_valid(error)
        return error["code"]
    if provider == "cloudflare":
        assert error["success"] is False and error["result"] is None
        return error["errors"][0]["code"]
    if isinstance(error, str):  # SiliconFlow documents a bare string for 401
        return error
    assert compiled(f"siliconflow:{SF}", "error").is_valid(error)
    return error["code"]


@pytest.mark.parametrize("authorization", ["Bearer ", "Bearer", "Bearer    ", "Bearer\t",
                                           "Basic dXNlcjprZXk=", "Token test-key", "test-key",
                                           "Bearer two words", ""])
@pytest.mark.parametrize("provider", sorted(PATHS))
def test_no_bearer_token_is_401_in_the_providers_shape(mock, provider, authorization):
    headers = {"Authorization": authorization, "Content-Type": "application/json"}
    status, _, data = request(mock, PATHS[provider], BODIES[provider], headers)
    assert status == 401, (authorization, data)
    assert _error_code(provider, data) == {"dashscope": "InvalidApiKey", "cloudflare": 10000,
                                           "siliconflow": "Invalid token"}[provider]


@pytest.mark.parametrize("authorization", ["Bearer test-key", "bearer test-key",
                                           "BEARER  test-key "])
def test_the_bearer_scheme_is_case_insensitive(mock, authorization):
    headers = {"Authorization": authorization, "Content-Type": "application/json"}
    assert request(mock, SF_PATH, BODIES["siliconflow"], headers)[0] == 200


# JSON text that the strict parser refuses (validators/_payload.py): never a 500
REFUSED_TEXT = {
    "a lone surrogate": b'{"prompt": "\\ud800"}',
    "a lone low surrogate in a message": b'{"messages": [{"role": "user", "content": '
                                         b'"\\udc00"}]}',
    "a 5000-digit integer": b'{"prompt": "hi", "max_tokens": ' + b"9" * 5000 + b"}",
    "NaN": b'{"prompt": NaN}',
    "Infinity": b'{"prompt": "hi", "temperature": Infinity}',
    "a number beyond a float": b'{"prompt": "hi", "temperature": 1e999}',
    "a duplicate member": b'{"prompt": "hi", "prompt": "ho"}',
}


@pytest.mark.parametrize("what", sorted(REFUSED_TEXT))
@pytest.mark.parametrize("provider", sorted(PATHS))
def test_json_the_strict_parser_refuses_is_400_from_every_format(mock, provider, what):
    status, headers, data = request(mock, PATHS[provider], raw=REFUSED_TEXT[what])
    assert status == 400, (what, data[:300])
    assert headers["content-type"] == "application/json"
    assert _error_code(provider, data) == {"dashscope": "InvalidParameter", "cloudflare": 3003,
                                           "siliconflow": 20012}[provider]


def test_unknown_paths_list_the_endpoints(mock):
    status, _, data = request(mock, "/v2/whatever", {})
    assert status == 404 and "POST /v1/chat/completions" in json.loads(data)["endpoints"]


def test_huge_bodies_are_refused_declared_or_chunked_and_the_mock_keeps_serving():
    with running(MockSettings(max_body=1000)) as small:
        status, _, data = request(small, DS_PATH, raw=b"[" + b"1," * 2000 + b"1]")
        assert status == 413 and json.loads(data)["code"] == "InvalidParameter"
        chunked = (f"POST {DS_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n").encode()
        chunked += b"".join(b"%x\r\n%s\r\n" % (500, b"x" * 500) for _ in range(4))
        assert _raw_exchange(small, chunked).startswith(b"HTTP/1.1 413")
        assert _raw_exchange(small, b"NOT HTTP AT ALL\r\n\r\n").startswith(b"HTTP/1.1 400")
        body = {"model": DS, "input": {"messages": MESSAGES}}
        assert request(small, DS_PATH, body)[0] == 200
        assert small.app.requests >= 3


def test_the_command_serves_until_interrupted_and_reports_a_busy_port():
    process = subprocess.Popen([sys.executable, "-m", "wirespec._cli", "mock", "--port", "0",
                                "--provider", "dashscope"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        first = process.stdout.readline() if process.stdout else ""
        assert first.startswith("wirespec mock: listening on http://127.0.0.1:")
        port = int(first.split("127.0.0.1:")[1].split()[0])
        assert "base URL http://127.0.0.1:" in (process.stdout.readline()
                                                if process.stdout else "")
        served = RunningMock("127.0.0.1", port, None)  # type: ignore[arg-type]
        body = {"model": DS, "input": {"messages": MESSAGES}}
        assert request(served, DS_PATH, body)[0] == 200
        assert request(served, SF_PATH, {"model": SF})[0] == 404  # not served: --provider
        busy = subprocess.run([sys.executable, "-m", "wirespec._cli", "mock", "--port",
                               str(port)], capture_output=True, text=True, timeout=60)
        assert busy.returncode == 2
        assert busy.stderr.strip().startswith(f"wirespec: error: cannot listen on "
                                              f"127.0.0.1:{port}")
        assert "Traceback" not in busy.stderr
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    assert process.returncode == 0
    assert "Traceback" not in (process.stderr.read() if process.stderr else "")


def test_an_unknown_fault_is_refused():
    with pytest.raises(ValueError, match="unknown fault"), running(MockSettings(
            faults=frozenset({"nonsense"}))):
        pass
    assert issubclass(ServeError, Exception)


def test_answers_drawn_for_a_long_time_keep_memory_bounded():
    from wirespec.contracts import _exemplars
    from wirespec.validators._walker import PLAN_CACHE_LIMIT

    embedding = compiled("cloudflare:@cf/baai/bge-m3", "response")
    text = compiled(f"dashscope:{DS}", "response")
    for seed in range(1500):  # each draw walks merged alternatives built on the spot
        exemplar(embedding, seed, {"response": "x"})
        exemplar(text, seed, {"output": {"text": 5}})
    assert len(_exemplars._WALKER._plans) <= PLAN_CACHE_LIMIT
