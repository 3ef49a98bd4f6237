"""CI formats: workflow commands, JUnit XML and Markdown, from hostile text and from the
`validate` command (single payloads and JSON Lines)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import run_cli

from wirespec.validators._ci import (
    Case,
    annotation,
    document_path,
    junit,
    md_cell,
    md_code,
    write_junit,
)

MODEL = "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq"


def _command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the runner splits it: ``::name props::message``."""
    assert line.startswith("::")
    head, _, message = line[2:].partition("::")
    name, _, props = head.partition(" ")
    fields = dict(p.split("=", 1) for p in props.split(",")) if props else {}
    return name, fields, message


def test_an_annotation_cannot_start_a_command_of_its_own():
    line = annotation("error", "x\n::error::forged %0A", title="a:b,c", file="d,e:f", line=3)
    assert "\n" not in line
    name, fields, message = _command(line)
    assert name == "error"
    assert fields == {"file": "d%2Ce%3Af", "line": "3", "title": "a%3Ab%2Cc"}
    assert message == "x%0A::error::forged %250A"


def test_an_annotation_level_is_one_of_three():
    with pytest.raises(ValueError, match="annotation level"):
        annotation("fatal", "m", title="t")


def test_document_paths_are_from_the_project_root():
    assert document_path({"doc": "cloudflare/x.json", "line": 7}) == ("sources/cloudflare/x.json",
                                                                       7)
    assert document_path({"doc": "/abs/x.json", "line": 0}) == ("/abs/x.json", None)
    assert document_path(None) == (None, None)


def test_junit_holds_what_xml_cannot_as_escapes_and_parses():
    hostile = "nul\x00 bell\x07 \ufffe <tag> & ]]>"
    data = junit({"suite \x01": [Case(hostile, "c", failure=hostile, details=hostile),
                                 Case("ok", "c"), Case("skip", "c", skipped="why")]})
    root = ET.fromstring(data)
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    case = suite.find("testcase")
    assert case is not None and case.get("name") == "nul\\x00 bell\\x07 \\ufffe <tag> & ]]>"


def test_junit_is_written_whole(tmp_path: Path):
    target = tmp_path / "out.xml"
    write_junit(target, {"s": [Case("a", "c")]})
    assert ET.parse(target).getroot().tag == "testsuites"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xml"]


def test_markdown_cells_cannot_open_rows_or_code_spans():
    assert md_cell("a|b\nc") == "a\\|b c"
    assert md_code("x`y") == "`x'y`"
    assert md_cell("<script>") == "&lt;script>"


@pytest.fixture
def invalid_payload(tmp_path: Path) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}],
                                "temperature": 9, "foo": 1}))
    return path


def test_validate_github_points_at_the_document_line(invalid_payload: Path, tmp_path: Path):
    junit_file = tmp_path / "validate.xml"
    done = run_cli("validate", MODEL, str(invalid_payload), "--format", "github",
                     "--junit", str(junit_file))
    assert done.returncode == 1, done.stderr
    commands = [_command(line) for line in done.stdout.splitlines() if line.startswith("::")]
    error = next(c for c in commands if c[0] == "error")
    assert error[1]["file"].startswith("sources/cloudflare/")
    assert error[1]["line"].isdigit()
    assert "temperature" in error[2]
    assert any(c[0] == "warning" and "foo" in c[2] for c in commands)
    case = ET.parse(junit_file).getroot().find("testsuite/testcase")
    assert case is not None and case.find("failure") is not None


def test_validate_markdown_is_a_table(invalid_payload: Path):
    done = run_cli("validate", MODEL, str(invalid_payload), "--format", "markdown")
    assert done.returncode == 1
    assert "| `/temperature` | `maximum` |" in done.stdout


def test_jsonl_annotates_each_constraint_once_and_unusable_lines_at_their_line(
        tmp_path: Path):
    lines = [{"prompt": "x", "top_k": 0}] * 3 + [{"prompt": "x"}]
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    junit_file = tmp_path / "lines.xml"
    done = run_cli("validate", MODEL, str(path), "--jsonl", "--workers", "1", "--format",
                     "github", "--junit", str(junit_file))
    assert done.returncode == 2  # an unusable line, as in text
    commands = [_command(line) for line in done.stdout.splitlines() if line.startswith("::")]
    assert [c[2] for c in commands if "top_k" in c[2]] == [
        f"{path}: 3 lines fail minimum at /top_k"]
    assert any(c[1].get("line") == "5" and c[1]["file"] == str(path) for c in commands)
    suite = ET.parse(junit_file).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "2"  # top_k, unusable


def test_jsonl_markdown_is_only_the_summary(tmp_path: Path):
    path = tmp_path / "requests.jsonl"
    path.write_text('{"prompt": "x", "top_k": 0}\nnot json\n')
    done = run_cli("validate", MODEL, str(path), "--jsonl", "--workers", "1", "--format",
                     "markdown")
    assert done.stdout.startswith("### ")
    assert "malformed" not in done.stdout
