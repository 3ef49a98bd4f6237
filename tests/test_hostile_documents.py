"""Hostile documents and manifests: ingest refuses, in one line naming file, line and reason,
whatever would crash or mislead later; nothing is written; time and memory stay bounded."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli
from hostile import one_clear_line, scaled
from test_hostile_payloads import counting_server
from test_ingest_bad_input import snapshot

from wirespec.codegen.ingest import read_sources

CATALOG = "cloudflare/catalog/qwen1.5-0.5b-chat.json"
FRONT = "cloudflare/qwen1.5-1.8b-chat.frontmatter.md"


def edit_catalog(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = project / "sources" / CATALOG
        document = json.loads(path.read_text(encoding="utf-8"))
        change(document["schema"]["input"])
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    return apply


def _prompt(schema: dict) -> dict:
    return next(b for b in schema["oneOf"] if "prompt" in b.get("properties", {}))[
        "properties"]["prompt"]


DOCUMENT_DAMAGES = [
    ("dangling $ref", edit_catalog(lambda s: _prompt(s).update({"$ref": "#/$defs/nowhere"})),
     "dangling"),
    ("a pattern with Python syntax", edit_catalog(lambda s: _prompt(s).update(
        {"pattern": "(?P<name>a)"})), "ECMA-262"),
    ("a POSIX class", edit_catalog(lambda s: _prompt(s).update({"pattern": "[[:alpha:]]"})),
     "ECMA-262"),
    ("lookahead", edit_catalog(lambda s: _prompt(s).update({"pattern": "^(?=a)a+$"})),
     "backtracking"),
]


def _write_raw(old: str, new: str) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = project / "sources" / CATALOG
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return apply


DOCUMENT_DAMAGES += [
    ("maximum 1e400", _write_raw('"minLength": 1', '"minLength": 1, "maximum": 1e400'),
     "Infinity"),
    ("a lone surrogate escape", _write_raw('"description": "', '"description": "\\ud800'),
     "surrogate"),
    ("a 500-digit number", _write_raw('"minLength": 1', '"minLength": ' + "1" * 500),
     "500 characters"),
]


@pytest.mark.parametrize(("name", "damage", "words"), DOCUMENT_DAMAGES,
                         ids=[d[0] for d in DOCUMENT_DAMAGES])
def test_documents_that_would_crash_later_are_refused(project, name, damage, words):
    before = snapshot(project / "schemas")
    damage(project)
    stderr = one_clear_line(run_cli("ingest", "--root", str(project)))
    assert f"sources/{CATALOG}:" in stderr and words in stderr
    line = int(stderr.split(f"sources/{CATALOG}:")[1].split(":")[0])
    assert line > 1  # a real place in the document, not where a search began
    assert snapshot(project / "schemas") == before


def test_a_remote_ref_is_refused_and_never_fetched(project):
    with counting_server() as (url, seen):
        edit_catalog(lambda s: _prompt(s).update({"$ref": url}))(project)
        stderr = one_clear_line(run_cli("ingest", "--root", str(project)))
    assert "outside the document" in stderr and "never fetches" in stderr
    assert seen == []


def test_yaml_billion_laughs_is_refused_quickly(project):
    path = project / "sources" / FRONT
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\n" + "\n".join(lines) + "\n", 1),
                    encoding="utf-8")
    started = time.perf_counter()
    stderr = one_clear_line(run_cli("ingest", "--root", str(project)))
    print(f"\nbillion laughs refused in {time.perf_counter() - started:.2f} s")
    assert "aliases expand past" in stderr and f"sources/{FRONT}:" in stderr


def test_a_yaml_alias_inside_itself_is_refused(project):
    path = project / "sources" / FRONT
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\nloop: &loop [*loop]\n", 1), encoding="utf-8")
    assert "YAML" in one_clear_line(run_cli("ingest", "--root", str(project)))


MANIFEST_DAMAGES = [
    ("revision = 2", "revision = " + "9" * 5001, "4300"),
    ("revision = 2", "revision = true", "revision must be a whole number"),
    ("revision = 2", "revision = -4", "revision must be a whole number"),
    ('path = "cloudflare/qwen1.5-1.8b-chat.frontmatter.md"', 'path = "/dev/zero"',
     "relative to sources/"),
    ('path = "cloudflare/qwen1.5-1.8b-chat.frontmatter.md"', 'path = "../../etc/passwd"',
     "stay inside it"),
    ('path = "cloudflare/qwen1.5-1.8b-chat.frontmatter.md"',
     'path = "cloudflare/qwen1.5-1.8b-chat.frontmatter.md"\nformat = ["x"]', "unknown format"),
    ('provider = "cloudflare"', 'provider = "openai"', "provider must be one of"),
]


@pytest.mark.parametrize(("old", "new", "words"), MANIFEST_DAMAGES)
def test_a_hostile_manifest_is_one_line(project, old, new, words):
    manifest = project / "sources" / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    assert old in text
    manifest.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = snapshot(project / "schemas")
    assert words in one_clear_line(run_cli("ingest", "--root", str(project)))
    assert snapshot(project / "schemas") == before


def test_a_document_that_is_a_link_out_of_sources_is_refused(project):
    target = project / "sources" / FRONT
    target.unlink()
    os.symlink("/dev/zero", target)
    assert "outside sources/" in one_clear_line(run_cli("ingest", "--root", str(project)))
    target.unlink()
    os.mkfifo(target)  # opening it would wait for a writer forever
    assert "not a regular file" in one_clear_line(run_cli("ingest", "--root", str(project)))


def test_ingest_is_linear_in_document_size(tmp_path):
    timings = []
    for count in (scaled(5_000, 20_000), scaled(10_000, 40_000)):
        root = tmp_path / str(count)
        (root / "sources" / "cloudflare").mkdir(parents=True)
        properties = {f"p{i}": {"type": "string", "description": "x" * 60, "maxLength": 100 + i}
                      for i in range(count)}
        document = {"name": "@cf/test/big", "description": "big", "properties": [],
                    "schema": {"input": {"type": "object", "properties": properties},
                               "output": {"type": "object"}}}
        text = json.dumps(document, indent=2)
        (root / "sources" / "cloudflare" / "big.json").write_text(text)
        (root / "sources" / "manifest.toml").write_text(
            '[[document]]\npath = "cloudflare/big.json"\nprovider = "cloudflare"\n')
        started = time.perf_counter()
        files = read_sources(root)
        timings.append((len(text), time.perf_counter() - started))
        assert "cloudflare/cf__test__big.request.json" in files
    print("\n" + "; ".join(f"{size / 1e6:.1f} MB in {seconds:.2f} s"
                           for size, seconds in timings))
