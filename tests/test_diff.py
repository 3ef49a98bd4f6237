"""The diff, decided by what each side accepts: the real revision pairs pinned change by
change, every non-breaking claim checked by drawing, every breaking claim by its example, a
constructed case per rule, and the command as CI uses it."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli
from hypothesis import HealthCheck, given, seed, settings

from wirespec.changes._diff import BREAKING, NON_BREAKING, UNKNOWN, Change, changes
from wirespec.changes._report import Diff, compare, render
from wirespec.changes._sets import accepts
from wirespec.changes._sides import resolve_side
from wirespec.fuzzing._values import values

PINS = json.loads((ROOT / "tests" / "corpus" / "diff" / "real_pairs.json").read_text())
PAIR_IDS = [Path(pin["new"]).name for pin in PINS]


def diffed(pin: dict[str, Any]) -> Diff:
    return compare(resolve_side(ROOT, f"sources/{pin['old']}"),
                   resolve_side(ROOT, f"sources/{pin['new']}"))


@pytest.fixture(scope="module")
def real_diffs() -> dict[str, Diff]:
    return {pin["new"]: diffed(pin) for pin in PINS}


@pytest.mark.parametrize("pin", PINS, ids=PAIR_IDS)
def test_every_change_of_the_real_revision_pairs(pin, real_diffs):
    found = sorted([g.kind, g.change.path, g.change.form, g.change.aspect,
                    g.change.classification] for g in real_diffs[pin["new"]].groups)
    assert found == pin["changes"]


def _claims(real_diffs: dict[str, Diff], label: str) -> list[tuple[str, Change]]:
    return [(g.kind, g.change) for diff in real_diffs.values() for g in diff.groups
            if g.change.classification == label and g.change.judged is not None]


def test_every_non_breaking_claim_survives_the_drawing_check(real_diffs):
    """Values drawn from the side that must be covered (limits weighted in) are accepted by
    the other: for a request, old values by the new node; for a response, the reverse."""
    checked = 0
    for kind, change in _claims(real_diffs, NON_BREAKING):
        assert change.judged is not None
        old, mid = change.judged
        gains, keeps = (old, mid) if kind == "request" else (mid, old)
        drawn_and_checked(gains, keeps, change)
        checked += 1
    print(f"\nnon-breaking claims drawn against: {checked}")
    assert checked >= 40


def drawn_and_checked(gains: Any, keeps: Any, change: Change) -> None:
    @seed(0)
    @settings(database=None, max_examples=25, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(values(gains).filter(lambda value: accepts(gains, value)))
    def covered(value: Any) -> None:
        assert accepts(keeps, value), (change.path, change.reason, value)

    covered()


def test_every_breaking_claim_comes_with_a_checked_example(real_diffs):
    claims = [(kind, c) for kind, c in _claims(real_diffs, BREAKING) if c.aspect != "model"]
    for kind, change in claims:
        assert change.has_witness and change.judged is not None, change
        old, mid = change.judged
        gains, keeps = (old, mid) if kind == "request" else (mid, old)
        assert accepts(gains, change.witness) and not accepts(keeps, change.witness), change
    assert len(claims) >= 30


# -- one constructed case per rule --------------------------------------------------------

def obj(members: dict[str, Any], required: list[str] | None = None, **more: Any) -> Any:
    node = {"type": "object", "properties": members, **more}
    if required:
        node["required"] = required
    return node


NUM = {"type": "number"}
INT = {"type": "integer"}
MSG = obj({"messages": {"type": "array"}}, ["messages"])
PROMPT = obj({"prompt": {"type": "string"}}, ["prompt"])
RULES = {
    "integer -> number widens": (obj({"n": INT}), obj({"n": NUM}), "request",
                                 [("n", "type", NON_BREAKING)]),
    "number -> integer narrows": (obj({"n": NUM}), obj({"n": INT}), "request",
                                  [("n", "type", BREAKING)]),
    "integer -> number in a response may return 0.5": (
        obj({"n": INT}), obj({"n": NUM}), "response", [("n", "type", BREAKING)]),
    "a closed end opened": (obj({"t": {"type": "number", "maximum": 2}}),
                            obj({"t": {"type": "number", "exclusiveMaximum": 2}}), "request",
                            [("t", "range", BREAKING)]),
    "an open end closed": (obj({"t": {"type": "number", "exclusiveMaximum": 2}}),
                           obj({"t": {"type": "number", "maximum": 2}}), "request",
                           [("t", "range", NON_BREAKING)]),
    "integers: (0, 3) is [1, 2]": (obj({"k": {"type": "integer", "exclusiveMinimum": 0,
                                              "exclusiveMaximum": 3}}),
                                   obj({"k": {"type": "integer", "minimum": 1, "maximum": 2}}),
                                   "request", []),
    "an enum value removed": (obj({"r": {"enum": ["a", "b"]}}), obj({"r": {"enum": ["a"]}}),
                              "request", [("r", "values", BREAKING)]),
    "an enum reordered": (obj({"r": {"enum": ["a", "b"]}}), obj({"r": {"enum": ["b", "a"]}}),
                          "request", []),
    "a boolean listed as [true, false]": (obj({"s": {"type": "boolean", "enum": [True, False]}}),
                                          obj({"s": {"type": "boolean"}}), "request", []),
    "newly required": (obj({"a": NUM}), obj({"a": NUM}, ["a"]), "request",
                       [("a", "required", BREAKING)]),
    "no longer required in a response": (obj({"a": NUM}, ["a"]), obj({"a": NUM}), "response",
                                         [("a", "required", BREAKING)]),
    "additionalProperties closed": (obj({"a": NUM}), obj({"a": NUM}, additionalProperties=False),
                                    "request", [("*", "additionalProperties", BREAKING)]),
    "additionalProperties opened": (obj({"a": NUM}, additionalProperties=False), obj({"a": NUM}),
                                    "request", [("*", "additionalProperties", NON_BREAKING)]),
    "a member documented where any value passed": (
        obj({}), obj({"tools": {"type": "array"}}), "request", [("tools", "member", BREAKING)]),
    "a member documented where none passed": (
        obj({}, additionalProperties=False), obj({"tools": {"type": "array"}},
                                                 additionalProperties=False),
        "request", [("tools", "member", NON_BREAKING)]),
    "type moved up from the alternatives": (
        {"oneOf": [PROMPT, MSG]},
        {"type": "object", "oneOf": [{k: v for k, v in PROMPT.items() if k != "type"},
                                     {k: v for k, v in MSG.items() if k != "type"}]},
        "request", []),
    "became alternatives, one of them the old form, overlapping": (
        obj({"prompt": {"type": "string"}}),
        {"oneOf": [obj({"prompt": {"type": "string"}}), MSG]}, "request",
        [("", "alternatives", BREAKING)]),
    "became anyOf alternatives, one of them the old form": (
        obj({"prompt": {"type": "string"}}),
        {"anyOf": [obj({"prompt": {"type": "string"}}), MSG]}, "request",
        [("", "alternatives", NON_BREAKING)]),
    "an alternative widened into its sibling": (
        {"oneOf": [PROMPT, MSG]},
        {"oneOf": [obj({"prompt": {"type": "string"}}), MSG]}, "request",
        [("prompt", "required", BREAKING)]),
    "a disjoint alternative widened": (
        {"oneOf": [obj({"k": {"const": "a"}, "n": {"type": "integer"}}, ["k"]),
                   obj({"k": {"const": "b"}}, ["k"])]},
        {"oneOf": [obj({"k": {"const": "a"}, "n": NUM}, ["k"]),
                   obj({"k": {"const": "b"}}, ["k"])]}, "request",
        [("n", "type", NON_BREAKING)]),
    "descriptions are not changes": (obj({"a": {"type": "number", "description": "old"}}),
                                     obj({"a": {"type": "number", "description": "new"}}),
                                     "request", []),
}


@pytest.mark.parametrize("case", list(RULES))
def test_each_rule_on_a_constructed_case(case):
    old, new, kind, expected = RULES[case]
    found = [(c.path, c.aspect, c.classification) for c in changes(old, new, kind)]
    assert found == expected
    for change in changes(old, new, kind):
        if change.classification == BREAKING:
            assert change.has_witness


def limits(**values_: int) -> dict[str, Any]:
    return {"type": "object", "x-limits": dict(values_.items())}


@pytest.mark.parametrize(("old", "new", "expected"), [
    (limits(max_output_tokens=2000), limits(max_output_tokens=1500), BREAKING),
    (limits(max_output_tokens=1500), limits(max_output_tokens=2000), NON_BREAKING),
    ({"type": "object"}, limits(context_window=8000), BREAKING),
    (limits(context_window=8000), {"type": "object"}, NON_BREAKING),
])
def test_token_limits_are_diffed(old, new, expected):
    found = changes(old, new, "request")
    assert [(c.aspect, c.classification) for c in found] == [("limit", expected)]


def test_unknown_when_no_rule_decides_and_no_example_is_found():
    old = obj({"p": {"type": "string", "pattern": "^a+$"}})
    new = obj({"p": {"type": "string", "pattern": "^(a|aa)+$"}})
    assert [c.classification for c in changes(old, new, "request")] == [UNKNOWN]


# -- sides and the command ------------------------------------------------------------------

def test_documents_outside_sources_are_read_as_documents(tmp_path):
    """The measured crash: catalog JSON a user downloaded was read as a bare schema."""
    pin = next(p for p in PINS if p["new"].endswith("qwen1.5-7b-chat-awq.json"))
    for side in ("old", "new"):
        shutil.copy(ROOT / "sources" / pin[side], tmp_path / Path(pin[side]).name)
    diff = compare(resolve_side(ROOT, str(tmp_path / Path(pin["old"]).name)),
                   resolve_side(ROOT, str(tmp_path / Path(pin["new"]).name)))
    found = sorted([g.kind, g.change.path, g.change.form, g.change.aspect,
                    g.change.classification] for g in diff.groups)
    assert found == pin["changes"]
    assert all(str(tmp_path) in (g.change.new_source or g.change.old_source).doc
               for g in diff.groups if g.change.new_source or g.change.old_source)


def project(folder: Path, models: dict[str, dict[str, Any]]) -> Path:
    (folder / "schemas").mkdir(parents=True)
    entries = []
    for model_id, schema in models.items():
        rel = f"{model_id.replace(':', '_')}.request.json"
        (folder / "schemas" / rel).write_text(json.dumps(schema))
        entries.append({"id": model_id, "kinds": {"request": rel}})
    (folder / "schemas" / "index.json").write_text(json.dumps({"models": entries}))
    return folder


def test_markdown_groups_one_change_across_models(tmp_path):
    def schema(high: float) -> dict[str, Any]:
        return obj({"parameters": obj({"temperature": {
            "type": "number", "minimum": 0, "maximum": high,
            "x-source": {"doc": "d/ref.md", "line": 7, "quote": f"range [0, {high}]"}}})})
    ids = [f"dashscope:m{i}" for i in range(7)]
    old = project(tmp_path / "old", {m: schema(2) for m in ids})
    new = project(tmp_path / "new", {m: schema(1) for m in ids})
    text = render(compare(resolve_side(ROOT, str(old)), resolve_side(ROOT, str(new))),
                  "markdown")
    assert text.count("**`parameters.temperature`**") == 1
    assert "range [0, 2] -> [0, 1]" in text and "e.g. 2 was accepted" in text
    assert "“range [0, 2]”" in text and "“range [0, 1]”" in text and "d/ref.md:7" in text
    assert "m0, m1" not in text and "dashscope:m0, dashscope:m1" in text


def run_diff(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("diff", *args)


def test_cli_formats_fail_on_and_exit_codes(tmp_path):
    old = f"sources/{PINS[1]['old']}"
    new = f"sources/{PINS[1]['new']}"
    breaking = run_diff(old, new, "--format", "json")
    assert breaking.returncode == 1, breaking.stderr
    report = json.loads(breaking.stdout)
    assert set(report) == {"old", "new", "summary", "changes"}
    assert report["summary"][BREAKING] >= 1
    first = report["changes"][0]
    assert {"models", "kind", "path", "form", "aspect", "old", "new", "classification",
            "reason", "example", "old_source", "new_source", "pointer"} == set(first)
    assert run_diff(old, new, "--fail-on", "never").returncode == 0
    junit_file = tmp_path / "diff.xml"
    assert run_diff(old, new, "--junit", str(junit_file)).returncode == 1
    suite = ET.parse(junit_file).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("failures") == str(report["summary"][BREAKING])
    assert suite.get("tests") == str(len(report["changes"]))
    github = run_diff(old, new, "--format", "github").stdout.splitlines()
    assert github[0].startswith("::error file=sources/cloudflare/catalog/qwen1.5-7b-chat-awq")
    assert ",line=" in github[0] and "title=wirespec%3A breaking::" in github[0]
    widening = run_diff("sources/" + PINS[3]["old"], "sources/" + PINS[3]["new"])
    assert widening.returncode == 0
    assert run_diff("sources/" + PINS[3]["old"], "sources/" + PINS[3]["new"],
                    "--fail-on", "any").returncode == 1
    same = run_diff(old, old)
    assert same.returncode == 0 and same.stdout.startswith("0 breaking, 0 non-breaking")
    assert run_diff("HEAD", ".").returncode in (0, 1)  # the working tree against HEAD
    at_head = run_diff(f"HEAD:{new}", new)
    assert at_head.returncode == 0 and "0 breaking" in at_head.stdout
    (tmp_path / "garbage.json").write_bytes(b"\xff\xfe{not")
    for bad in (("nope@1", "nope@2"), (str(tmp_path / "garbage.json"), new),
                ("no-such-thing", new)):
        failed = run_diff(*bad)
        assert failed.returncode == 2 and failed.stderr.count("\n") == 1, failed.stderr
        assert "Traceback" not in failed.stderr
