"""`wirespec fuzz` as CI runs it: rows in catalog order whatever the workers, time limits
that stop a target (and skip the rest), Ctrl-C with a partial report (exit 130), and the
GitHub, JUnit and Markdown outputs read back."""

from __future__ import annotations

import contextlib
import io
import json
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, read_until, run_cli
from test_fuzz import CF, flipped

from wirespec._cli import main
from wirespec._commands import _fuzz_rows
from wirespec.fuzzing._runner import FuzzResult, run

SMALL = ("cloudflare:@cf/ai4bharat/indictrans2-en-indic-1B",
         "cloudflare:@cf/huggingface/distilbert-sst-2-int8")  # 2 kinds each, few constraints
ANNOTATION = re.compile(r"^::(error|warning|notice) ((?:[a-z]+=[^,:]*,?)*)::(.*)$")


def rows_of(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if '"model"' in line]


def without_seconds(rows: list[dict]) -> list[dict]:
    return [{key: value for key, value in row.items() if key != "seconds"} for row in rows]


def test_rows_are_the_same_in_catalog_order_whatever_the_workers():
    one = run_cli("fuzz", *SMALL, "--examples", "5", "-j", "1", "--format", "json")
    two = run_cli("fuzz", *SMALL, "--examples", "5", "-j", "2", "--format", "json")
    assert one.returncode == two.returncode == 0, (one.stderr, two.stderr)
    first, second = rows_of(one.stdout), rows_of(two.stdout)
    assert [(row["model"], row["kind"]) for row in first] == [
        (SMALL[0], "request"), (SMALL[0], "response"), (SMALL[1], "request"),
        (SMALL[1], "response")]
    assert without_seconds(first) == without_seconds(second)
    assert json.loads(one.stdout.splitlines()[-1])["totals"]["targets"] == 4


def test_text_rows_go_to_stdout_and_nothing_else_does():
    done = run_cli("fuzz", SMALL[0], "--examples", "5", "-j", "2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("model") and lines[-1].startswith("total: ")
    assert [line.split()[:2] for line in lines[1:-1]] == [[SMALL[0], "request"],
                                                          [SMALL[0], "response"]]


def test_max_time_stops_each_target_and_says_so(tmp_path):
    report = tmp_path / "report.json"
    done = run_cli("fuzz", SMALL[0], "--max-time", "0.001", "-j", "1", "--report",
                   str(report))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("stopped at the time limit (--max-time) after ") == 2
    targets = json.loads(report.read_text())["targets"]
    assert [(t["ran"], t["stopped"]) for t in targets] == [(True, "max-time")] * 2


def test_total_time_skips_the_targets_left_and_lists_them(tmp_path):
    report = tmp_path / "report.json"
    done = run_cli("fuzz", *SMALL, "--total-time", "0.001", "-j", "1", "--report",
                   str(report))
    assert done.returncode == 0, done.stderr
    document = json.loads(report.read_text())
    targets = document["targets"]
    assert targets[0]["stopped"] == "total-time"
    assert all(not t["ran"] and t["stopped"] == "total-time" for t in targets[1:])
    assert document["totals"]["not_run"] == len(targets) - 1
    assert done.stdout.count("not run: the total time limit (--total-time)") == 3


@pytest.mark.parametrize("bad", ["0", "-1", "nan", "soon"])
def test_a_time_that_is_no_time_is_one_line_and_exit_2(bad):
    done = run_cli("fuzz", SMALL[0], "--max-time", bad)
    assert done.returncode == 2 and done.stdout == ""
    assert "is not a number of seconds" in done.stderr and len(done.stderr.splitlines()) == 1


# -- Ctrl-C ------------------------------------------------------------------------------------

@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_prints_the_rows_so_far_the_summary_and_a_partial_report(tmp_path, workers):
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    process = subprocess.Popen(  # every model: far longer than the test waits
        [sys.executable, "-m", "wirespec._cli", "fuzz", "-j", workers, "--report",
         str(report), "--junit", str(junit)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=ROOT)
    try:
        seen = read_until(process, b" request ")  # the first row is out
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert b"Traceback" not in err
    text = (seen + out).decode()
    assert re.search(r"^total: .*, interrupted, \d+ s$", text, re.MULTILINE), text[-2000:]
    document = json.loads(report.read_text())
    targets, totals = document["targets"], document["totals"]
    assert totals["interrupted"] is True and totals["targets"] == len(targets)
    assert targets[0]["ran"] and not targets[-1]["ran"]
    assert targets[-1]["stopped"] == "interrupted"
    assert totals["ran"] + totals["not_run"] == totals["targets"]
    cases = ET.parse(junit).getroot().findall(".//testcase")
    assert len(cases) == len(targets)
    assert sum(case.find("skipped") is not None for case in cases) == totals["not_run"]


# -- CI formats, with a real disagreement (a validator with one limit changed) -----------------

@dataclass
class Outputs:
    code: int
    github: str
    markdown: str
    junit: Path
    report: Path


@pytest.fixture(scope="module")
def broken_validator_run(tmp_path_factory) -> Outputs:
    """One run with github, JUnit and the report, one with markdown, of a validator whose
    temperature maximum is 6 where the document says 5 (the request's: the other kinds are
    fuzzed as they are)."""
    engine = flipped(CF, "/oneOf/1/properties/temperature", "maximum", 6)

    def fuzzed(model: str, kind: str, **settings: Any) -> FuzzResult:
        return run(model, kind, engine=engine if kind == "request" else None, **settings)

    folder = tmp_path_factory.mktemp("fuzz")
    outputs = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_fuzz_rows, "run", fuzzed)
        for extra in (["--format", "github", "--junit", str(folder / "junit.xml"),
                       "--report", str(folder / "report.json")], ["--format", "markdown"]):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = main(["fuzz", CF, "--examples", "60", "-j", "1", *extra])
            outputs.append((code, out.getvalue()))
    assert outputs[0][0] == outputs[1][0]
    return Outputs(outputs[0][0], outputs[0][1], outputs[1][1], folder / "junit.xml",
                   folder / "report.json")


def test_github_points_a_disagreement_at_the_document_line(broken_validator_run):
    assert broken_validator_run.code == 1
    out = broken_validator_run.github
    found = [ANNOTATION.match(line) for line in out.splitlines() if line.startswith("::")]
    assert all(found), out
    errors = [m for m in found if m and m[1] == "error"]
    assert len(errors) == 1
    properties = dict(item.split("=", 1) for item in errors[0][2].split(","))
    assert properties["file"] == "sources/cloudflare/catalog/qwen1.5-0.5b-chat.json"
    assert properties["line"] == "296"  # "type": "number", "minimum": 0, "maximum": 5
    assert "the validator accepts an invalid payload" in errors[0][3]
    assert "temperature" in errors[0][3]  # the minimal payload, in the message


def test_junit_fails_the_target_with_its_minimal_payload(broken_validator_run):
    cases = {(c.get("classname"), c.get("name")): c
             for c in ET.parse(broken_validator_run.junit).getroot().iter("testcase")}
    assert set(cases) == {(f"wirespec.fuzz.{kind}", CF) for kind in
                          ("request", "response", "stream")}
    failure = cases["wirespec.fuzz.request", CF].find("failure")
    assert failure is not None
    assert failure.get("message") == "the validator accepts an invalid payload"
    assert "documented at sources/cloudflare/catalog/qwen1.5-0.5b-chat.json:296" in (
        failure.text or "")
    payload = json.loads((failure.text or "").split("minimal payload: ", 1)[1])
    assert 5 < payload["temperature"] <= 6
    assert cases["wirespec.fuzz.response", CF].find("failure") is None


def test_markdown_is_a_job_summary_table(broken_validator_run):
    lines = broken_validator_run.markdown.splitlines()
    assert lines[0].startswith("### wirespec fuzz: total: ")
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + 3  # header, rule, a row per kind
    cells = [cell.strip() for cell in table[2].strip("|").split(" | ")]
    assert cells[:2] == [f"`{CF}`", "request"]
    assert cells[-1].startswith("❌ the validator accepts an invalid payload")


def test_the_report_holds_every_field_a_ci_step_reads(broken_validator_run):
    document = json.loads(broken_validator_run.report.read_text())
    request = document["targets"][0]
    assert {"model", "kind", "constraints", "both_sides", "coverage", "examples", "seconds",
            "disagreement", "unbreakable", "unbroken", "stopped"} <= set(request)
    assert request["disagreement"]["constraint"] == "/oneOf/1/properties/temperature/maximum"
    assert document["totals"]["disagreements"] == 1
    assert document["settings"]["examples"] == 60


def test_constraints_not_broken_alone_are_notices(capsys):
    code = main(["fuzz", "cloudflare:@cf/baai/bge-m3", "--examples", "20", "-j", "1",
                 "--format", "github"])
    out = capsys.readouterr().out
    assert code == 0
    notices = [line for line in out.splitlines() if line.startswith("::notice ")]
    assert len(notices) == 1 and "could not be broken alone within the bound" in notices[0]
    assert "could not be broken alone within the bound (no break in 50 draws" in out
