"""Long contract runs: --provider over all of a provider's models in one report, the bounds
(--max-requests counted at the mock, --rate spacing, --max-time, --total-time), the profile
chosen by the address, and Ctrl-C: the partial report written, its summary printed, exit
130."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from wirespec.contracts._mock import MockSettings
from wirespec.contracts._pacing import Bounds, Pacer
from wirespec.contracts._runs import (
    ContractError,
    Plan,
    SuiteReport,
    Watcher,
    default_profile,
    run_contract,
    run_models,
)
from wirespec.contracts._serve import RunningMock, running
from wirespec.validators import _registry

DS, SF = "dashscope:qwen1.5-72b-chat", "siliconflow:Qwen/Qwen2.5-7B-Instruct"
DASHSCOPE = [m.id for m in _registry.models() if m.provider == "dashscope"]
SILICONFLOW = [m.id for m in _registry.models() if m.provider == "siliconflow"]


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running() as server:
        yield server


# -- --provider ---------------------------------------------------------------------------

def test_provider_runs_every_model_into_one_report(mock, tmp_path: Path):
    report_path = tmp_path / "report.json"
    before = mock.app.requests
    result = run_cli("contract", "--provider", "dashscope", "--base-url",
                     mock.base_url("dashscope"), "--examples", "1", "--report",
                     str(report_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert mock.app.requests - before == len(DASHSCOPE)  # one request per model, no more
    report = json.loads(report_path.read_text())
    assert report["ok"] is True and report["provider"] == "dashscope"
    assert report["ended"] is None and report["profile"] == "limits"  # loopback: limits
    assert [m["model"] for m in report["models"]] == DASHSCOPE
    assert report["totals"]["models"] == report["totals"]["passed"] == len(DASHSCOPE)
    assert report["totals"]["sent"]["valid"] == len(DASHSCOPE)
    assert all(m["sent"]["valid"] == 1 and m["planned"] == 1 for m in report["models"])
    rows = [line for line in result.stdout.splitlines() if line.startswith("PASSED ")]
    assert len(rows) == len(DASHSCOPE)  # a row per model, printed as it ended
    assert f"{len(DASHSCOPE)} of {len(DASHSCOPE)} models run" in result.stdout
    assert result.stderr.startswith(f"contract: {len(DASHSCOPE)} dashscope models")


def test_one_model_keeps_the_one_model_report(mock):
    result = run_cli("contract", SF, "--base-url", mock.base_url("siliconflow"), "--examples",
                     "2", "--format", "json", "--report", "-")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"ok", "model", "base_url", "sent", "checks", "failures"} <= set(report)
    assert report["model"] == SF and report["sent"] == {"valid": 2, "streamed": 1, "invalid": 0}
    assert "models" not in report and report["stopped"] is None


@pytest.mark.parametrize(("args", "message"), [
    ([], "give a model ID or --provider P"),
    ([SF, "--provider", "siliconflow"], "give a model ID or --provider P"),
    ([SF, "--json", "--format", "github"], "--json is --format json"),
    ([SF, "--negative", "--profile", "realistic"], "--negative: the realistic profile"),
    ([SF, "--rate", "0"], "is not a rate"), ([SF, "--rate", "nan"], "is not a rate"),
    ([SF, "--max-requests", "0"], "is not a count"),
    ([SF, "--max-time", "-1"], "is not a number of seconds"),
    ([SF, "--total-time", "inf"], "is not a number of seconds"),
    ([SF, "--provider", "openai"], "invalid choice"),
    ([SF, "--profile", "wild"], "invalid choice"),
    ([SF, "--format", "xml"], "invalid choice"),
])
def test_unusable_arguments_are_one_line(mock, args, message):
    result = run_cli("contract", *args, "--base-url", mock.base_url("siliconflow"),
                     "--report", "-")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr


def test_negative_away_from_loopback_is_refused_before_anything_is_sent():
    # a documentation address (RFC 5737): nothing listens, nothing is reached
    result = run_cli("contract", SF, "--base-url", "https://192.0.2.1/v1", "--negative",
                     "--report", "-")
    assert result.returncode == 2 and "add --profile limits" in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(("url", "profile"), [
    ("http://127.0.0.1:8765/v1", "limits"), ("http://127.8.0.1/v1", "limits"),
    ("http://localhost:8765/api/v1", "limits"), ("http://[::1]:8765/v1", "limits"),
    ("https://api.siliconflow.cn/v1", "realistic"), ("https://10.0.0.1/v1", "realistic"),
    ("https://localhost.example.com/v1", "realistic"), ("http://[::1/v1", "realistic"),
])
def test_the_profile_follows_the_address(url, profile):
    assert default_profile(url) == profile


def test_run_contract_refuses_negative_realistic_requests():
    with pytest.raises(ContractError, match="not realistic traffic"):
        run_contract(SF, "http://127.0.0.1:1/v1", negative=True, profile="realistic")


# -- bounds ---------------------------------------------------------------------------------

def test_max_requests_is_a_hard_cap_over_all_models(mock, tmp_path: Path):
    report_path = tmp_path / "report.json"
    before = mock.app.requests
    result = run_cli("contract", "--provider", "siliconflow", "--base-url",
                     mock.base_url("siliconflow"), "--examples", "3", "--max-requests", "7",
                     "--profile", "realistic", "--report", str(report_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert mock.app.requests - before == 7  # what reached the mock
    report = json.loads(report_path.read_text())
    assert report["totals"]["sent"]["valid"] == 7 and report["totals"]["run"] == 3
    third = report["models"][2]
    assert third["sent"]["valid"] == 1 and third["stopped"] == "max-requests"
    assert report["totals"]["not_run"] == len(SILICONFLOW) - 3
    assert {m["why"] for m in report["not_run"]} == {"--max-requests reached"}
    assert "not run (--max-requests reached)" in result.stdout


class FakeTime:
    """A clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now, self.slept = 100.0, []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_rate_spaces_the_requests():
    time = FakeTime()
    pacer = Pacer(Bounds(rate=4), clock=time.clock, sleep=time.sleep)
    assert [pacer.next_request() for _ in range(3)] == [None, None, None]
    assert time.slept == [0.25, 0.25]
    time.now += 1.0  # an answer that took a second: no wait before the next
    assert pacer.next_request() is None and time.slept == [0.25, 0.25]


def test_time_limits_stop_new_requests_per_model_and_in_all():
    time = FakeTime()
    pacer = Pacer(Bounds(max_time=5, total_time=12), clock=time.clock, sleep=time.sleep)
    assert pacer.next_request() is None
    time.now += 5
    assert pacer.next_request() == "max-time"
    pacer.new_model()
    assert pacer.next_request() is None
    time.now += 4
    assert pacer.next_request() is None
    pacer.new_model()
    time.now += 3
    assert pacer.next_request() == "total-time"


def test_a_rate_wait_ends_at_a_time_limit():
    time = FakeTime()
    pacer = Pacer(Bounds(rate=0.1, total_time=3), clock=time.clock, sleep=time.sleep)
    assert pacer.next_request() is None
    assert pacer.next_request() == "total-time" and time.slept == [3.0]
    assert pacer.sent == 1


def test_max_requests_counts_every_request():
    pacer = Pacer(Bounds(max_requests=2))
    assert [pacer.next_request() for _ in range(3)] == [None, None, "max-requests"]


def test_max_time_stops_a_model_after_a_slow_exchange():
    # the hanging mock holds each exchange for the whole --timeout (3 s), longer than
    # --max-time (2 s): the model stops after its first request, the run goes on
    with running(MockSettings(faults=frozenset({"hang"}))) as hanging:
        result = run_cli("contract", "--provider", "siliconflow", "--base-url",
                         hanging.base_url("siliconflow"), "--examples", "3", "--timeout",
                         "3", "--max-time", "2", "--total-time", "4", "--profile",
                         "realistic", "--format", "json", "--report", "-")
    assert result.returncode == 1, result.stderr  # the hang fails `transport`
    report = json.loads(result.stdout)
    first = report["models"][0]
    assert first["sent"]["valid"] == 1 and first["stopped"] == "max-time"
    assert report["models"][-1]["stopped"] in ("max-time", "total-time")
    assert report["totals"]["not_run"] > 0
    assert {m["why"] for m in report["not_run"]} == {"--total-time reached"}


# -- as it goes -----------------------------------------------------------------------------

class Heard(Watcher):
    def __init__(self) -> None:
        self.labels: list[str] = []
        self.advanced_by = 0
        self.done: list[str] = []

    def request(self, model: str, label: str) -> None:
        self.labels.append(f"{model}: {label}")

    def advanced(self, count: int) -> None:
        self.advanced_by += count

    def model_done(self, report) -> None:
        self.done.append(report.model)


def test_the_watcher_hears_every_request_and_every_model(mock):
    heard = Heard()
    models = SILICONFLOW[:3]
    suite = SuiteReport(mock.base_url("siliconflow"), "limits")
    run_models(models, mock.base_url("siliconflow"), suite, plan=Plan(examples=2,
               negative=True), watcher=heard, key="sk-live-secret-0123456789",
               key_variable="SILICONFLOW_API_KEY")
    assert heard.done == models and heard.advanced_by == 3 * 4
    assert sum("valid request" in label for label in heard.labels) == 3 * 4
    assert not any("sk-live" in label for label in heard.labels)


# -- Ctrl-C ---------------------------------------------------------------------------------

def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "wirespec._cli", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _first_line(stream, timeout: float = 60.0) -> str:
    """The first line of ``stream``, or a failed test when none comes (a hang is the bug)."""
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    assert line and line[0], "no output"
    return line[0]


def _rest(process: subprocess.Popen[str]) -> tuple[str, str]:
    """What the process printed after the lines already read (its output is small: no
    pipe fills while it ends)."""
    process.wait(timeout=60)
    assert process.stdout is not None and process.stderr is not None
    return process.stdout.read(), process.stderr.read()


def test_ctrl_c_writes_the_partial_report_and_its_summary(tmp_path: Path):
    report_path, junit_path = tmp_path / "report.json", tmp_path / "junit.xml"
    with running(MockSettings(faults=frozenset({"hang"}))) as hanging:
        process = _start("contract", "--provider", "dashscope", "--base-url",
                         hanging.base_url("dashscope"), "--examples", "2", "--timeout", "1",
                         "--report", str(report_path), "--junit", str(junit_path))
        first_row = _first_line(process.stdout)  # the first model is done
        process.send_signal(signal.SIGINT)
        rest, errors = _rest(process)
    assert process.returncode == 130, errors
    assert first_row.startswith("FAILED dashscope:")  # the hang fails `transport`
    assert "(interrupted)" in rest and "Traceback" not in errors
    assert rest.rstrip().endswith(f"report: {report_path}")
    report = json.loads(report_path.read_text())
    assert report["ended"] == "interrupted" and report["ok"] is False
    assert report["totals"]["run"] >= 1 and report["totals"]["not_run"] >= 1
    assert report["models"][0]["stopped"] is None  # done before Ctrl-C
    assert {m["why"] for m in report["not_run"]} == {"interrupted (Ctrl-C)"}
    import xml.etree.ElementTree as ET

    cases = ET.parse(junit_path).getroot().iter("testcase")
    assert any(case.get("name") == "transport" for case in cases)


def test_ctrl_c_on_one_model_keeps_the_one_model_report(tmp_path: Path):
    report_path = tmp_path / "report.json"
    with running(MockSettings(faults=frozenset({"hang"}))) as hanging:
        process = _start("contract", DS, "--base-url", hanging.base_url("dashscope"),
                         "--timeout", "60", "--report", str(report_path))
        header = _first_line(process.stderr)  # printed once Ctrl-C is handled
        process.send_signal(signal.SIGINT)
        out, _ = _rest(process)
    assert header.startswith(f"contract: {DS}, 10 valid request(s), profile limits")
    assert process.returncode == 130
    report = json.loads(report_path.read_text())
    assert report["model"] == DS and report["stopped"] == "interrupted"
    assert "interrupted" in out and out.rstrip().endswith(f"report: {report_path}")
