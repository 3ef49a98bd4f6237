"""Hostile servers and careless keys: the API key never appears in anything a contract run
prints, writes or raises, whatever a server echoes back; a key that cannot be sent is one
line naming its variable."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import run_cli
from raw_http import Request, raw_server

from wirespec.contract import ContractError, run_contract
from wirespec.contracts._redact import SHORTEST_LEAK, Redactor, spellings

DS, SF = "dashscope:qwen1.5-72b-chat", "siliconflow:Qwen/Qwen2.5-7B-Instruct"
VARIABLE = {DS: "DASHSCOPE_API_KEY", SF: "SILICONFLOW_API_KEY"}
KEYS = ["sk-live-9f8e7d6c5b4a3", 'sk-live-9f"8e/7d+6c \\5b%é']  # plain; every escape at work
EXAMPLES = 6  # valid requests 1-6 (2, 4 and 6 streamed), then invalid ones


def _answer(connection: socket.socket, status: str, headers: dict[str, str],
            body: bytes) -> None:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    connection.sendall(f"HTTP/1.1 {status}\r\n{head}Content-Length: {len(body)}\r\n"
                       "Connection: close\r\n\r\n".encode("latin-1") + body)


class Echo:
    """A server that hands the Authorization header back in every way a message might quote:
    in its body (as sent, JSON-escaped, percent-encoded), its headers, its status line, a
    long value that a message shortens, member names that a parse error quotes. Requests
    come in order: valid ones (every other one streamed), then the invalid ones."""

    def __init__(self) -> None:
        self.served = 0

    def __call__(self, connection: socket.socket, request: Request) -> None:
        self.served += 1
        authorization = request.header("authorization")
        key = authorization.removeprefix("Bearer ")
        long = "x" * 30 + key  # cut by the engine's messages at 40 characters
        if self.served > EXAMPLES:  # refused, with member names that a parse error quotes
            duplicated = json.dumps("x" * 70 + key)  # cut at 80 characters, no "…" marker
            _answer(connection, "400 Bad Request", {"Content-Type": "application/json"},
                    f"{{{duplicated}: 1, {duplicated}: 2}}".encode("latin-1"))
        elif self.served == 1:  # refused, the key all over the body and the headers
            echoed = {"authorization": authorization, "url": quote(authorization),
                      "form": quote(authorization, safe="")}
            body = (json.dumps(echoed).encode() + b" " + authorization.encode("latin-1")
                    + b"\n\x1b[32mPASSED\n")  # a line of its own in the summary, in green
            _answer(connection, "401 Unauthorized", {
                "Content-Type": "application/json", "X-Echo": authorization,
                "WWW-Authenticate": f'Bearer realm="{key}"'}, body)
        elif self.served == 3:  # the key in the content type
            _answer(connection, "200 OK", {"Content-Type": f"text/plain; echo={key}"}, b"{}")
        elif self.served == 4:  # a status line that is no status line
            connection.sendall(f"HTTP/1.1 2OO {authorization}\r\n\r\n".encode("latin-1"))
        elif self.served == 5:  # a body the response schema refuses, quoting the key
            _answer(connection, "200 OK", {"Content-Type": "application/json"}, json.dumps(
                {"object": long, "output": long, "usage": {}, "request_id": long}).encode())
        else:  # streams whose events the stream schema refuses, quoting the key
            event = json.dumps({"choices": [{"finish_reason": long}], "output": long})
            frames = f"data: {event}\n\ndata: {authorization}\n\n"
            _answer(connection, "200 OK", {"Content-Type": "text/event-stream"},
                    frames.encode())


def _leaks(key: str, *texts: str) -> list[str]:
    """Every spelling of ``key`` (or its first characters) found in ``texts``."""
    pieces = {*spellings(key), key[:SHORTEST_LEAK]}
    return sorted(piece for piece in pieces for text in texts if piece in text)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("model_id", [DS, SF])
def test_a_server_echoing_the_key_gets_it_back_nowhere(model_id, key, tmp_path: Path,
                                                        monkeypatch):
    variable = VARIABLE[model_id]
    monkeypatch.setenv(variable, key)
    report_path = tmp_path / "report.json"
    with raw_server(Echo(), connections=2 * EXAMPLES) as url:
        result = run_cli("contract", model_id, "--base-url", f"{url}/v1", "--examples",
                         str(EXAMPLES), "--negative", "--timeout", "5", "--report",
                         str(report_path))
    report = report_path.read_text()
    assert result.returncode == 1, result.stderr
    assert _leaks(key, result.stdout, result.stderr, report) == []
    failed = json.loads(report)["checks"]
    assert {"status", "content-type", "transport", "response-schema",
            "stream-schema"} <= {name for name, check in failed.items() if check["failed"]}
    assert f"[redacted ${variable}]" in result.stdout  # the echo reached the messages
    assert f"Bearer ${variable}" in result.stdout  # the curl line names the variable
    assert "PASSED" not in result.stdout.splitlines() and "\x1b" not in result.stdout


def test_run_contract_keeps_the_key_out_of_the_report_and_its_repr():
    key = KEYS[1]
    with raw_server(Echo(), connections=2 * EXAMPLES) as url:
        report = run_contract(DS, f"{url}/v1", examples=EXAMPLES, negative=True, key=key,
                              key_variable="DASHSCOPE_API_KEY", timeout=5)
    texts = [repr(report), json.dumps(report.as_json(), ensure_ascii=False),
             "\n".join(report.summary()), *(repr(f) for f in report.failures),
             *(f.curl() for f in report.failures)]
    assert not report.ok and report.failed.get("error-schema")
    assert _leaks(key, *texts) == []


def test_exception_texts_never_carry_the_key():
    key = KEYS[0]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for url in (f"http://127.0.0.1:{port}/{key}/v1", f"http://127.0.0.1:{port}/v1?k={key}",
                f"http://u:{key}@127.0.0.1:{port}/v1", f"ftp://{key}/v1"):
        with pytest.raises(ContractError) as refused:
            run_contract(DS, url, examples=1, key=key, key_variable="V", timeout=2)
        assert _leaks(key, str(refused.value)) == [], str(refused.value)


@pytest.mark.parametrize(("key", "reason"), [
    ("sk-live-abc123\r", "contains a line break (CR or LF) (read from a file with Windows "
                         "line endings?)"),
    ("sk-live-abc123\r\n", "contains a line break (CR or LF) (read from a file with Windows "
                           "line endings?)"),
    ("sk-live\nabc123", "contains a line break (CR or LF)"),
    ("sk-live-\x01abc123", "contains a control character"),
    ("sk-live-\x85abc123", "contains a control character"),
    ("", "is empty"),
    (" sk-live-abc123", "begins or ends with whitespace"),
    ("sk-live-abc123\t", "begins or ends with whitespace"),
    ("sk-live-abc123\u0101", "contains a character outside Latin-1, which an HTTP header "
                             "cannot carry"),
])
def test_a_key_that_is_no_header_value_is_one_line_naming_its_variable(key, reason,
                                                                       monkeypatch):
    monkeypatch.setenv("WIRESPEC_TEST_KEY", key)
    result = run_cli("contract", DS, "--base-url", "http://127.0.0.1:1/api/v1",
                     "--api-key-env", "WIRESPEC_TEST_KEY", "--report", "-")
    assert result.returncode == 2
    assert result.stderr == f"wirespec: error: $WIRESPEC_TEST_KEY: the key {reason}\n"
    assert result.stdout == ""
    if key.strip():
        assert _leaks(key.strip(), result.stderr) == []


def test_the_redactor_takes_every_spelling_and_a_key_cut_short():
    key = KEYS[1]
    redact = Redactor(key, "K")
    for spelling in spellings(key):
        assert redact(f"<{spelling}>") == "<[redacted $K]>"
    assert redact(f"'{key[:12]}…'") == "'[redacted $K]…'"
    assert redact(key[:SHORTEST_LEAK - 1]) == key[:SHORTEST_LEAK - 1]  # too short to tell
    assert Redactor(None)(key) == key
