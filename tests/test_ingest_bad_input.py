"""Damaged documents: one clear line naming file, line and reason; exit 2; schemas/ intact."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli

from wirespec._exceptions import DocumentError
from wirespec.codegen.ingest import read_sources

FRONT = "cloudflare/qwen1.5-1.8b-chat.frontmatter.md"
FLAT = "cloudflare/qwen1.5-0.5b-chat.tree.txt"
PAGE = "cloudflare/qwen1.5-7b-chat-awq.docs-page.txt"
PROSE = "dashscope/qwen1.5-chat.api-reference.txt"
FLATREF = "siliconflow/chat-completions.api-reference.txt"
SEEDS = (FRONT, FLAT, PAGE, PROSE, FLATREF)


def replace(old: str, new: str) -> Callable[[str], str]:
    def damage(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)
    return damage


def cut_lines(keep: int) -> Callable[[str], str]:
    return lambda text: "\n".join(text.split("\n")[:keep])


DAMAGES = [
    (FRONT, replace("\n---\n", "\n"), None, "no closing '---'"),
    (FRONT, replace("task_type:", "task_type: [unclosed"), 18, "invalid YAML"),
    (FRONT, replace('\\"maxLength\\": 6144', '\\"maxLength\\": '), 23, "invalid JSON"),
    (FRONT, replace("  input: \"{", "  input: \"["), 23, None),
    (FLAT, replace("object-\nprompt", "object\nprompt"), None, "does not parse"),
    (FLAT, cut_lines(150), None, None),
    (FLAT, replace("booleanIf true, a chat", "boolean max 5If true, a chat"), 32,
     "'max' given for a boolean"),
    (PAGE, replace('"maxLength": 131072,\n', '"maxLength": 131072,,\n'), 359, "invalid JSON"),
    (PAGE, cut_lines(500), None, "invalid JSON"),
    (PAGE, replace("\n    • 1 string\n", "\n    • 1 strang\n"), 344, "cannot read the type"),
    (PROSE, replace("Section | Parameter | Type | Description", "Section Parameter"), None,
     "Section | Parameter"),
    (PROSE, cut_lines(420), None, None),
    (PROSE, replace("parameters.stop | str/list[str] for", "parameters.stop | tuple for"), 428,
     "cannot read the type"),
    (FLATREF, cut_lines(9), None, "no reader recognises"),
    (FLATREF, lambda text: text[:text.index("deepseek-ai/")] + text[text.index("A list of m"):],
     None, "without a list of model ids"),
]


@pytest.mark.parametrize(("rel", "damage", "line", "reason"), DAMAGES)
def test_damaged_document_gives_one_clear_error(project, rel, damage, line, reason):
    path = project / "sources" / rel
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        read_sources(project, only=[rel])  # the others are read alone elsewhere
    error = caught.value
    assert error.path == f"sources/{rel}"
    assert "\n" not in str(error)
    if line is not None:
        assert error.line == line, str(error)
    if reason is not None:
        assert reason in error.reason


@pytest.mark.parametrize("rel", SEEDS)
@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
def test_truncated_anywhere_is_an_error_never_a_crash(project, rel, fraction):
    path = project / "sources" / rel
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    try:
        read_sources(project, only=[rel])
    except DocumentError as error:
        assert error.path.startswith("sources/")


def test_not_utf8_names_the_line(project):
    path = project / "sources" / PROSE
    data = path.read_bytes()
    at = data.index(b"Request parameters")
    path.write_bytes(data[:at] + b"\xff\xfe" + data[at:])
    with pytest.raises(DocumentError) as caught:
        read_sources(project, only=[PROSE])
    assert caught.value.line == 321 and "UTF-8" in caught.value.reason


def test_broken_manifest(project):
    manifest = project / "sources" / "manifest.toml"
    entry = 'path = "cloudflare/qwen1.5-0.5b-chat.tree.txt"'
    header = manifest.read_text().split("\n").index(entry)  # the line above it, counted from 1
    manifest.write_text(manifest.read_text().replace(entry, entry + '\nformat = "nope"'))
    with pytest.raises(DocumentError, match="unknown format 'nope'") as caught:
        read_sources(project)
    assert caught.value.line == header  # the entry's [[document]] line
    manifest.write_text("[[document]\npath = 1\n")
    with pytest.raises(DocumentError, match="invalid TOML") as caught:
        read_sources(project)
    assert caught.value.line == 1


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_cli_failed_ingest_exits_2_keeps_the_failing_documents_models(project):
    before = snapshot(project / "schemas")
    path = project / "sources" / PAGE
    path.write_text(path.read_text().replace('"maxLength": 131072,', '"maxLength": 131072,,'))
    result = run_cli("ingest", "--root", str(project))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    failures = result.stderr.splitlines()
    # the page, and the flat tree whose `required` comes from the page's schema: a line each
    assert len(failures) == 2 and all(line.startswith("wirespec: error: sources/")
                                      for line in failures)
    assert f"sources/{PAGE}:359: invalid JSON" in failures[1] or \
        f"sources/{PAGE}:359: invalid JSON" in failures[0]
    assert "kept the previous schemas of cloudflare:@cf/qwen/qwen1.5-0.5b-chat" in result.stdout
    assert snapshot(project / "schemas") == before  # every other document: unchanged as well


def test_cli_ingest_check_reports_stale_then_ingest_repairs(project):
    victim = project / "schemas" / "dashscope" / "qwen1.5-7b-chat.request.json"
    victim.write_text("{}")
    (project / "schemas" / "dashscope" / "leftover.request.json").write_text("{}")
    result = run_cli("ingest", "--check", "--root", str(project))
    assert result.returncode == 1 and "qwen1.5-7b-chat.request.json" in result.stderr
    assert "leftover.request.json" in result.stderr
    assert run_cli("ingest", "--root", str(project)).returncode == 0
    assert run_cli("ingest", "--check", "--root", str(project)).returncode == 0
    assert not (project / "schemas" / "dashscope" / "leftover.request.json").exists()


def test_cli_ingest_check_says_what_a_stale_schema_change_means(project):
    victim = project / "schemas" / "dashscope" / "qwen1.5-72b-chat.request.json"
    committed = json.loads(victim.read_text())
    committed["properties"]["parameters"]["properties"]["top_p"]["exclusiveMaximum"] = 0.5
    victim.write_text(json.dumps(committed))
    result = run_cli("ingest", "--check", "--root", str(project))
    assert result.returncode == 1
    # the documents now allow up to 1.0, where the committed schema said 0.5: a widening
    assert "qwen1.5-72b-chat.request.json: 0 breaking, 1 non-breaking, 0 unknown" in (
        result.stderr)
