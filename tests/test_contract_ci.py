"""`contract` in CI: --format github (an ::error per failed check, at the document line of
the constraint at stake where there is one), --junit (a test case per model and check),
--format markdown (a job summary), each parsed back; and the key in none of them, nor in
the report or the progress lines, whatever a server echoes."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from raw_http import raw_server
from test_hostile_network import EXAMPLES, KEYS, Echo, _leaks

from wirespec._commands._progress import Progress
from wirespec._commands.contract import _Shown
from wirespec.contracts._mock import MockSettings
from wirespec.contracts._runs import Plan, SuiteReport, run_models
from wirespec.contracts._serve import RunningMock, running

DS = "dashscope:qwen1.5-72b-chat"
ANNOTATION = re.compile(r"^::(error|warning|notice) (?P<properties>[^:]*)::(?P<message>.*)$")


def _unescape(text: str) -> str:
    return (text.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":")
            .replace("%2C", ",").replace("%25", "%"))


def annotations(stdout: str) -> list[dict[str, str]]:
    """The workflow commands in ``stdout``, as the runner reads them."""
    found = []
    for line in stdout.splitlines():
        match = ANNOTATION.match(line)
        if match:
            fields = dict(item.split("=", 1) for item in match["properties"].split(","))
            found.append({"level": match[1], "message": _unescape(match["message"]),
                          **{k: _unescape(v) for k, v in fields.items()}})
    return found


@pytest.fixture(scope="module")
def broken() -> Iterator[RunningMock]:
    """Answers that break the response schema; invalid requests accepted."""
    with running(MockSettings(faults=frozenset({"response-schema", "accept-invalid"}))) as mock:
        yield mock


def _run(mock: RunningMock, tmp_path: Path, *args: str):
    junit = tmp_path / "junit.xml"
    result = run_cli("contract", DS, "--base-url", mock.base_url("dashscope"), "--examples",
                     "4", "--negative", "--report", str(tmp_path / "report.json"),
                     "--junit", str(junit), *args)
    return result, junit


def test_github_annotates_each_failed_check_at_its_document_line(broken, tmp_path: Path):
    result, _ = _run(broken, tmp_path, "--format", "github")
    assert result.returncode == 1, result.stderr
    found = annotations(result.stdout)
    by_title = {a["title"]: a for a in found}
    assert set(by_title) == {"wirespec contract: response-schema",
                             "wirespec contract: rejected"}
    assert all(a["level"] == "error" for a in found)
    for annotation in found:
        path, line = ROOT / annotation["file"], int(annotation["line"])
        assert annotation["file"].startswith("sources/") and path.is_file()
        assert 1 <= line <= len(path.read_text().splitlines())
        assert annotation["message"].startswith(f"{DS}: ")
    assert "FAIL response-schema" in result.stdout  # the summary follows


def test_github_leaves_out_the_file_when_no_constraint_is_at_stake(tmp_path: Path):
    with running(MockSettings(faults=frozenset({"content-type"}))) as mock:
        result, _ = _run(mock, tmp_path, "--format", "github")
    found = annotations(result.stdout)
    assert [a["title"] for a in found] == ["wirespec contract: content-type"]
    assert "file" not in found[0] and "line" not in found[0]


def test_junit_has_a_case_per_model_and_check(broken, tmp_path: Path):
    result, junit = _run(broken, tmp_path)
    assert result.returncode == 1
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == [f"wirespec contract {DS}"]
    cases = {case.get("name"): case for case in suites[0].iter("testcase")}
    assert {"transport", "status", "content-type", "response-schema", "stream-schema",
            "rejected"} <= set(cases)
    assert all(case.get("classname") == f"wirespec.contract.{DS}" for case in cases.values())
    assert cases["status"].find("failure") is None
    failure = cases["response-schema"].find("failure")
    assert failure is not None and failure.get("message", "").startswith("2 of 2 failed")
    assert "curl -sS" in (failure.text or "") and "$DASHSCOPE_API_KEY" in (failure.text or "")
    assert "documented at sources/" in (failure.text or "")
    assert suites[0].get("failures") == "2"


def test_junit_for_a_provider_says_which_models_did_not_run(tmp_path: Path):
    with running() as mock:
        junit = tmp_path / "junit.xml"
        result = run_cli("contract", "--provider", "siliconflow", "--base-url",
                         mock.base_url("siliconflow"), "--examples", "2", "--max-requests",
                         "3", "--report", "-", "--junit", str(junit))
    assert result.returncode == 0, result.stderr
    suites = ET.parse(junit).getroot().findall("testsuite")
    skipped = [s for s in suites if s.get("skipped") == "1"]
    assert len(suites) == len(skipped) + 1  # the first model ran whole
    reasons = {mark.get("message") for s in skipped for mark in s.iter("skipped")}
    assert reasons >= {"not run: --max-requests reached"}
    assert any(r.startswith("--max-requests reached after 1 of 2") for r in reasons)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split(" | ")]


def test_markdown_is_a_job_summary_table(broken, tmp_path: Path):
    result, _ = _run(broken, tmp_path, "--format", "markdown")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"### ❌ wirespec contract `{DS}` at `http://127.0.0.1:")
    tables = [i for i, line in enumerate(lines) if line.startswith("|---")]
    assert len(tables) == 2  # the models, then the failures
    models = _cells(lines[tables[0] - 1])
    row = dict(zip(models, _cells(lines[tables[0] + 1]), strict=True))
    assert row["model"] == f"`{DS}`" and row["requests"] == "8/8"
    assert row["verdict"] == "❌ failed"
    failures = [_cells(line) for line in lines[tables[1] + 1:] if line.startswith("|")]
    assert {cells[1] for cells in failures} == {"`response-schema`", "`rejected`"}
    assert all(cells[4].startswith("`sources/") for cells in failures)


def test_json_is_still_the_one_model_report(broken, tmp_path: Path):
    result, _ = _run(broken, tmp_path, "--json")
    report = json.loads(result.stdout)
    assert report["model"] == DS and report["ok"] is False
    failure = next(f for f in report["failures"] if f["check"] == "response-schema")
    assert failure["source"]["doc"].startswith("dashscope/")


@pytest.mark.parametrize("fmt", ["github", "markdown", "text"])
def test_no_output_carries_the_key(fmt, tmp_path: Path, monkeypatch):
    key = KEYS[1]  # every escape at work
    monkeypatch.setenv("DASHSCOPE_API_KEY", key)
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    with raw_server(Echo(), connections=2 * EXAMPLES) as url:
        result = run_cli("contract", DS, "--base-url", f"{url}/v1", "--examples",
                         str(EXAMPLES), "--negative", "--timeout", "5", "--format", fmt,
                         "--report", str(report), "--junit", str(junit))
    assert result.returncode == 1, result.stderr
    outputs = [result.stdout, result.stderr, report.read_text(), junit.read_text()]
    assert _leaks(key, *outputs) == []
    assert "[redacted $DASHSCOPE_API_KEY]" in result.stdout + report.read_text()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_lines_never_carry_the_key():
    key = KEYS[0]
    terminal = _Terminal()
    suite = SuiteReport("", "limits")
    watcher = _Shown(Progress(2 * EXAMPLES, "requests", stream=terminal), rows=True)
    with raw_server(Echo(), connections=2 * EXAMPLES) as url:
        run_models([DS], f"{url}/v1", suite, plan=Plan(EXAMPLES, negative=True), key=key,
                   key_variable="DASHSCOPE_API_KEY", timeout=5, watcher=watcher)
    shown = terminal.getvalue()
    assert "valid request" in shown and f"{2 * EXAMPLES}/{2 * EXAMPLES}" in shown
    assert _leaks(key, shown) == []
