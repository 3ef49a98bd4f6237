"""The pytest plugin as a user meets it: a project with no conftest, run by pytest in a
subprocess, its JUnit file read back."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "pytest_project"


def run_pytest(tmp_path, *args: str) -> tuple[subprocess.CompletedProcess[str], ET.Element]:
    junit = tmp_path / "report.xml"
    done = subprocess.run([sys.executable, "-m", "pytest", str(EXAMPLE), "-q", "-p",
                           "no:cacheprovider", "-p", "no:xdist", f"--junitxml={junit}",
                           "--rootdir", str(EXAMPLE), *args],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    return done, ET.parse(junit).getroot()


def test_the_plugin_serves_the_mock_and_skips_live_tests(tmp_path):
    done, junit = run_pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    suite = junit if junit.tag == "testsuite" else junit.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"),
            suite.get("skipped")) == ("7", "0", "0", "1")
    skipped = [case for case in suite.iter("testcase") if case.find("skipped") is not None]
    assert [case.get("name") for case in skipped] == ["test_against_the_real_provider"]
    assert "--wirespec-live" in skipped[0].find("skipped").get("message", "")


def test_live_tests_run_with_the_flag(tmp_path):
    done, _ = run_pytest(tmp_path, "--wirespec-live", "-k", "real_provider")
    assert done.returncode == 1 and "runs only with --wirespec-live" in done.stdout


FAILING = """
import httpx, openai, pytest
from wirespec.integrations.httpx import ValidatingTransport

def test_my_gate_sends_a_temperature_that_is_not_a_number(wirespec_mock):
    client = openai.OpenAI(base_url=wirespec_mock.base_url("siliconflow"), api_key="test",
                           http_client=httpx.Client(transport=ValidatingTransport()))
    client.chat.completions.create(model="Qwen/Qwen2.5-7B-Instruct", temperature="hot",
                                   messages=[{"role": "user", "content": "hi"}])
"""


def test_a_rejected_request_is_annotated_at_the_documents_line_on_github(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\n")
    (project / "test_gate.py").write_text(FAILING)
    junit = tmp_path / "report.xml"
    done = subprocess.run([sys.executable, "-m", "pytest", str(project), "-q", "-p",
                           "no:cacheprovider", "-p", "no:xdist", f"--junitxml={junit}",
                           "--rootdir", str(project)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path, env={**os.environ, "GITHUB_ACTIONS": "true"})
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert len(lines) == 1, done.stdout
    assert "file=sources/siliconflow/" in lines[0] and ",line=" in lines[0]
    assert "test_gate.py::test_my_gate_sends_a_temperature_that_is_not_a_number" in lines[0]
    assert "/temperature" in lines[0]
    failure = ET.parse(junit).getroot().find(".//testcase/failure")
    assert failure is not None and "RequestRejected" in failure.get("message", "")
