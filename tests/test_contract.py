"""Contract runs: they pass against the mock, and fail, naming the check, against a mock that
misbehaves on purpose; a hanging or absent server gives a verdict, never a hang."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_cli

from wirespec.contract import ContractError, run_contract
from wirespec.mock import FAULTS, MockSettings, RunningMock, running

DS, CF, SF = ("dashscope:qwen1.5-72b-chat", "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq",
              "siliconflow:Qwen/Qwen2.5-7B-Instruct")
PROVIDER = {DS: "dashscope", CF: "cloudflare", SF: "siliconflow"}


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running() as server:
        yield server


@pytest.mark.parametrize("model_id", [DS, CF, SF, "cloudflare:@cf/baai/bge-m3",
                                      "cloudflare:@cf/openai/gpt-oss-120b"])
def test_contract_passes_against_the_mock(mock, model_id):
    provider = model_id.split(":")[0]
    report = run_contract(model_id, mock.base_url(provider), examples=6, negative=True)
    assert report.ok, list(report.summary())
    assert report.sent["valid"] == 6 and report.sent["invalid"] == 6
    assert report.passed["rejected"] == 6
    if model_id in (DS, CF, SF):
        assert report.sent["streamed"] == 3 and report.passed["stream-schema"] == 3
    if model_id == DS:
        assert report.passed["error-schema"] == 6  # the documented error body


# each fault, and the check that must catch it
CAUGHT_BY = {"response-schema": "response-schema", "stream-schema": "stream-schema",
             "not-json": "stream-schema", "cut-stream": "stream-schema",
             "content-type": "content-type", "hang": "transport",
             "accept-invalid": "rejected"}


def test_every_fault_has_a_check_that_catches_it():
    assert set(CAUGHT_BY) == set(FAULTS)


@pytest.mark.parametrize("fault", sorted(CAUGHT_BY))
@pytest.mark.parametrize("model_id", [DS, SF])
def test_contract_fails_naming_the_check(model_id, fault):
    with running(MockSettings(faults=frozenset({fault}))) as broken:
        report = run_contract(model_id, broken.base_url(PROVIDER[model_id]), examples=4,
                              negative=True, timeout=1.0)
    assert not report.ok
    assert report.failed.get(CAUGHT_BY[fault], 0) > 0
    assert {f.check for f in report.failures} == {CAUGHT_BY[fault]}
    failure = report.failures[0]
    assert failure.curl().startswith("curl -sS")
    assert "-H 'Content-Type: application/json'" in failure.curl()
    summary = "\n".join(report.summary())
    assert f"FAIL {CAUGHT_BY[fault]}" in summary and summary.endswith("FAILED")


def test_a_hanging_server_gets_a_verdict(mock):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections, never answers
    try:
        port = listener.getsockname()[1]
        report = run_contract(SF, f"http://127.0.0.1:{port}/v1", examples=2, timeout=0.5)
    finally:
        listener.close()
    assert report.failed["transport"] == 2
    assert "no answer within 0.5 s" in report.failures[0].message


def test_no_server_is_unusable_input():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ContractError, match=f"cannot connect to http://127.0.0.1:{port}/v1"):
        run_contract(SF, f"http://127.0.0.1:{port}/v1", examples=1, timeout=2)
    with pytest.raises(ContractError, match="not an http"):
        run_contract(SF, "ftp://example/v1", examples=1)


def test_the_command_writes_a_report_and_says_what_failed(tmp_path: Path):
    with running(MockSettings(faults=frozenset({"response-schema"}))) as broken:
        report_path = tmp_path / "report.json"
        result = run_cli("contract", DS, "--base-url", broken.base_url("dashscope"),
                         "--examples", "3", "--report", str(report_path))
    assert result.returncode == 1, result.stderr
    assert "FAIL response-schema (valid request 1)" in result.stdout
    assert "first failing request:\n  curl -sS " in result.stdout
    assert '"Authorization: Bearer $DASHSCOPE_API_KEY"' in result.stdout
    report = json.loads(report_path.read_text())
    assert report["ok"] is False and report["checks"]["response-schema"]["failed"] >= 1
    assert report["failures"][0]["request"]["model"] == "qwen1.5-72b-chat"


def test_the_command_passes_and_prints_json(mock, tmp_path: Path):
    result = run_cli("contract", SF, "--base-url", mock.base_url("siliconflow"), "--examples",
                     "2", "--negative", "--json", "--report", "-")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["sent"] == {"valid": 2, "streamed": 1, "invalid": 2}


@pytest.mark.parametrize(("args", "message"), [
    (["--api-key-env", "WIRESPEC_TEST_UNSET_VARIABLE"], "the variable is not set"),
    (["--base-url", "not a url"], "is not an http(s) URL"),
])
def test_the_command_refuses_unusable_input(mock, args, message):
    base = ["contract", SF, "--base-url", mock.base_url("siliconflow"), "--report", "-"]
    result = run_cli(*base, *args)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


CONTRACT = ["contract", SF, "--base-url", "http://127.0.0.1:1/v1"]


@pytest.mark.parametrize("args", [
    *(["mock", "--port", port] for port in ["99999", "65536", "-1", "+80", " 80", "80 ", "٣",
                                            "0x50", "8e3", "", "9" * 5000,
                                            "0" * 5000 + "65536"]),
    *(["mock", "--max-body", size] for size in ["0", "-5", "٣", "1e6", "", "9" * 5000,
                                                 str((1 << 30) + 1)]),
    [*CONTRACT, "--examples", "0"], [*CONTRACT, "--examples", "٣"],
    [*CONTRACT, "--examples", "9" * 5000],
    *([*CONTRACT, "--timeout", seconds] for seconds in ["-3", "0", "-0", "inf", "-inf", "nan",
                                                       "1e309", "86401", "", "5s"]),
    ["contract", "nope:x", "--base-url", "http://127.0.0.1:1/v1"],
])
def test_unusable_arguments_exit_2_with_one_line(args):
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "error: " in lines[0], result.stderr


@pytest.mark.parametrize(("url", "message"), [
    ("http://[::1", "'http://[::1' is not a URL (Invalid IPv6 URL)"),
    ("http://[::1]:99999/v1", "has an unusable port"),
    ("http://127.0.0.1:1/v 1", "has a space or control character in its path"),
    ("http://user:secret@127.0.0.1:1/v1", "the base URL carries credentials"),
    ("http://127.0.0.1:1/v1?key=secret", "the base URL has a query or fragment"),
    ("ftp://127.0.0.1/v1", "is not an http(s) URL"),
])
def test_an_unusable_base_url_is_one_line(url, message):
    result = run_cli("contract", SF, "--base-url", url, "--report", "-")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("wirespec: error: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "secret" not in result.stderr


@pytest.mark.parametrize("timeout", [0.0, -1.0, float("inf"), float("nan"), 1e6])
def test_run_contract_refuses_a_timeout_that_is_no_deadline(timeout):
    with pytest.raises(ContractError, match="not a number of seconds"):
        run_contract(SF, "http://127.0.0.1:1/v1", examples=1, timeout=timeout)
