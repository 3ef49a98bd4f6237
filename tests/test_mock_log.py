"""The mock's request log (``--log FILE``): one JSON line per request, never a key."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import ROOT

from wirespec.mock import MockSettings, RunningMock, running

DS, SF = "qwen1.5-72b-chat", "Qwen/Qwen2.5-7B-Instruct"
DS_PATH = "/api/v1/services/aigc/text-generation/generation"
SF_PATH = "/v1/chat/completions"
MESSAGES = [{"role": "user", "content": "Who are you"}]
HEADER_KEY, QUERY_KEY = "sk-header-5ecret-1234", "sk-query-5ecret-5678"
FIELDS = {"time", "provider", "method", "path", "model", "status", "valid", "errors", "stream",
          "microseconds"}


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def send(server: RunningMock, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None) -> int:
    return httpx.request(method, server.url + path, json=body, timeout=10, headers=headers if
                         headers is not None else {"Authorization": f"Bearer {HEADER_KEY}"}
                         ).status_code


def test_a_line_per_request_says_what_happened_and_never_a_key(tmp_path):
    log_path = tmp_path / "requests.jsonl"
    chat = {"model": SF, "messages": MESSAGES}
    with open(log_path, "a", encoding="utf-8", buffering=1) as log, \
            running(log=log) as mock:
        sent = [
            send(mock, "POST", SF_PATH, chat),
            send(mock, "POST", f"{SF_PATH}?key={QUERY_KEY}&api_key={QUERY_KEY}", chat),
            send(mock, "POST", SF_PATH, {**chat, "stream": True}),
            send(mock, "POST", DS_PATH, {"model": DS, "input": {"messages": MESSAGES},
                                         "parameters": {"top_p": 7, "temperature": 5}}),
            send(mock, "POST", SF_PATH, chat, headers={"Authorization": QUERY_KEY}),
            send(mock, "POST", SF_PATH, {"model": "Qwen/Nope", "messages": MESSAGES}),
            send(mock, "GET", f"/v1/models?key={QUERY_KEY}"),
            send(mock, "GET", "/healthz"),
            send(mock, "GET", f"/nowhere/{'x' * 1000}"),
        ]
    text = log_path.read_text(encoding="utf-8")
    assert HEADER_KEY not in text and QUERY_KEY not in text and "5ecret" not in text
    assert text.isascii()
    found = lines(log_path)
    assert [line["status"] for line in found] == sent == [200, 200, 200, 400, 401, 400, 200,
                                                          200, 404]
    assert all(set(line) == FIELDS for line in found)
    assert all(isinstance(line["microseconds"], int) and line["microseconds"] >= 0
               for line in found)
    chat_line, queried, streamed, invalid, no_key, unknown_model, listed, health, lost = found
    assert (chat_line["provider"], chat_line["method"], chat_line["path"], chat_line["model"],
            chat_line["valid"], chat_line["errors"], chat_line["stream"]) == (
        "siliconflow", "POST", SF_PATH, f"siliconflow:{SF}", True, 0, False)
    assert queried["path"] == SF_PATH  # the query string is never logged
    assert streamed["stream"] is True and streamed["valid"] is True
    assert (invalid["provider"], invalid["model"], invalid["valid"], invalid["errors"]) == (
        "dashscope", f"dashscope:{DS}", False, 2)
    assert no_key["valid"] is None and no_key["model"] is None  # never reached its schema
    assert unknown_model["model"] == "Qwen/Nope" and unknown_model["valid"] is None
    assert (listed["method"], listed["path"], listed["provider"]) == (
        "GET", "/v1/models", "siliconflow")
    assert health["provider"] is None and health["path"] == "/healthz"
    assert lost["provider"] is None and len(lost["path"]) == 300  # cut


def test_a_kept_answer_is_logged_as_its_first_was(tmp_path):
    log_path = tmp_path / "requests.jsonl"
    body = {"model": SF, "messages": MESSAGES, "n": "many"}  # invalid: n is an integer
    with open(log_path, "a", encoding="utf-8", buffering=1) as log, \
            running(MockSettings(faults=frozenset({"accept-invalid"})), log=log) as mock:
        assert send(mock, "POST", SF_PATH, body) == send(mock, "POST", SF_PATH, body) == 200
        assert mock.app.answers.hits == 1
    first, second = lines(log_path)
    assert first["valid"] is second["valid"] is False and first["errors"] == second["errors"] >= 1
    assert {k: v for k, v in first.items() if k not in ("time", "microseconds")} == {
        k: v for k, v in second.items() if k not in ("time", "microseconds")}


def test_a_log_that_cannot_be_written_is_said_once_and_the_mock_keeps_serving(tmp_path, capfd):
    log = open(tmp_path / "closed.jsonl", "a", encoding="utf-8")  # noqa: SIM115
    log.close()
    with running(MockSettings(providers=("siliconflow",)), log=log) as mock:
        for _ in range(3):
            assert send(mock, "POST", SF_PATH, {"model": SF, "messages": MESSAGES}) == 200
    assert capfd.readouterr().err.count("wirespec mock: cannot write the log") == 1


def test_the_command_logs_to_a_file(tmp_path):
    log_path = tmp_path / "mock.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "wirespec._cli", "mock", "--port", "0",
                                "--provider", "siliconflow", "--log", str(log_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT)
    try:
        first = process.stdout.readline() if process.stdout else ""
        assert f"requests logged to {log_path}" in first
        port = int(first.split("127.0.0.1:")[1].split()[0])
        served = RunningMock("127.0.0.1", port, None)  # type: ignore[arg-type]
        assert send(served, "POST", SF_PATH, {"model": SF, "messages": MESSAGES}) == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    assert process.returncode == 0
    [line] = lines(log_path)
    assert (line["status"], line["model"]) == (200, f"siliconflow:{SF}")
    assert HEADER_KEY not in log_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["missing/dir/mock.jsonl", "."])
def test_a_log_that_cannot_be_opened_is_one_line_and_exit_2(tmp_path, where):
    done = subprocess.run([sys.executable, "-m", "wirespec._cli", "mock", "--port", "0",
                           "--log", str(tmp_path / where)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.startswith("wirespec: error: --log ")
    assert "cannot open" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
