"""The semantic diff on the real revision pairs, each change's classification pinned, and the
non-breaking claims checked by drawing the old schema's values."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from conftest import ROOT, run_cli
from hypothesis import HealthCheck, given, settings

from wirespec.changes._diff import NON_BREAKING, changes
from wirespec.codegen.ingest import document_schemas
from wirespec.fuzzing._values import values
from wirespec.validators._walker import Walker

PAIRS = {
    "1.8b": ("cloudflare/qwen1.5-1.8b-chat.frontmatter.md",
             "cloudflare/catalog/qwen1.5-1.8b-chat.json", "cloudflare:@cf/qwen/qwen1.5-1.8b-chat"),
    "7b": ("cloudflare/catalog/older/qwen1.5-7b-chat-awq@f6a0628f.json",
           "cloudflare/catalog/qwen1.5-7b-chat-awq.json",
           "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq"),
    "14b": ("cloudflare/catalog/older/qwen1.5-14b-chat-awq@a7f17ac1.json",
            "cloudflare/catalog/qwen1.5-14b-chat-awq.json",
            "cloudflare:@cf/qwen/qwen1.5-14b-chat-awq"),
}
P0, P1 = "/oneOf/0/properties", "/oneOf/1/properties"
EXPECTED = {
    "1.8b": {
        ("request", f"{P0}/prompt", "maxLength"): "non-breaking",  # 6144 -> 131072
        ("request", f"{P1}/messages/items/properties/content", "maxLength"): "non-breaking",
        ("request", f"{P1}/functions", "properties"): "non-breaking",  # added
        ("request", f"{P1}/tools", "properties"): "non-breaking",  # added
        ("response", f"{P0}/usage", "properties"): "non-breaking",
        ("response", f"{P0}/tool_calls", "properties"): "non-breaking",
        ("stream", "/properties/usage", "properties"): "non-breaking",
        ("stream", "/properties/tool_calls", "properties"): "non-breaking",
    },
    "7b": {
        ("request", f"{P0}/prompt", "maxLength"): "non-breaking",  # removed
        ("request", f"{P0}/response_format", "properties"): "non-breaking",
        ("request", f"{P0}/top_p", "minimum"): "breaking",  # 0 -> 0.001
        ("request", f"{P0}/top_p", "maximum"): "breaking",  # 2 -> 1
        ("request", f"{P0}/frequency_penalty", "minimum"): "non-breaking",  # 0 -> -2
        ("request", f"{P0}/presence_penalty", "minimum"): "non-breaking",
        ("request", f"{P1}/messages/items/properties/content", "oneOf"): "non-breaking",
        ("request", f"{P1}/response_format", "properties"): "non-breaking",
        ("request", f"{P1}/raw", "properties"): "non-breaking",
        ("request", f"{P1}/top_p", "minimum"): "breaking",
        ("request", f"{P1}/top_p", "maximum"): "breaking",
        ("request", f"{P1}/frequency_penalty", "minimum"): "non-breaking",
        ("request", f"{P1}/presence_penalty", "minimum"): "non-breaking",
        ("response", f"{P0}/response", "required"): "non-breaking",
        ("stream", "/properties/response", "required"): "non-breaking",
    },
    "14b": {
        ("request", f"{P0}/prompt", "maxLength"): "non-breaking",
        ("request", f"{P0}/response_format", "properties"): "non-breaking",
        ("request", f"{P1}/messages/items/properties/content", "maxLength"): "non-breaking",
        ("request", f"{P1}/response_format", "properties"): "non-breaking",
        ("request", f"{P1}/raw", "properties"): "non-breaking",
        ("response", f"{P0}/response", "required"): "non-breaking",
        ("stream", "/properties/response", "required"): "non-breaking",
    },
}


def diffed(pair: str) -> tuple[dict[str, Any], dict[str, Any], dict[tuple[str, str, str], Any]]:
    old_doc, new_doc, model = PAIRS[pair]
    old = document_schemas(ROOT, old_doc)[model]
    new = document_schemas(ROOT, new_doc)[model]
    found = {(kind, c.pointer, c.keyword): c for kind in old if kind in new
             for c in changes(old[kind], new[kind])}
    return old, new, found


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_every_change_of_the_real_revision_pairs(pair):
    _, _, found = diffed(pair)
    assert {key: c.classification(key[0]) for key, c in found.items()} == EXPECTED[pair]


def _node(schema: dict[str, Any], pointer: str) -> Any:
    node: Any = schema
    for token in pointer.split("/")[1:]:
        node = node[int(token)] if isinstance(node, list) else node.get(token)
        if node is None:
            return None
    return node


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_non_breaking_request_changes_accept_every_old_value(pair):
    """Each non-breaking claim, checked where it is made: values the old node accepts (drawn
    by the strategies, limits included) are accepted by the new node."""
    old, new, found = diffed(pair)
    walker = Walker()
    checked = 0
    for (kind, pointer, _keyword), change in found.items():
        if kind != "request" or change.classification(kind) != NON_BREAKING:
            continue
        before, after = _node(old[kind], pointer), _node(new[kind], pointer)
        if before is None or after is None:
            continue  # a member added: nothing was constrained before

        check_accepts_all(walker, before, after)
        checked += 1
    assert checked >= 2


def check_accepts_all(walker: Walker, before: Any, after: Any) -> None:
    @settings(database=None, max_examples=40, suppress_health_check=list(HealthCheck))
    @given(values(before).filter(lambda value: walker.is_valid(before, value)))
    def accepted(value: Any) -> None:
        assert walker.is_valid(after, value), value

    accepted()


def test_a_breaking_claim_is_real():
    old, new, _ = diffed("7b")
    request = {"messages": [{"role": "user", "content": "hi"}], "top_p": 1.5}
    assert Walker().is_valid(old["request"], request)
    assert not Walker().is_valid(new["request"], request)


def run_diff(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("diff", *args)


def test_cli_diff_formats_and_exit_codes():
    breaking = run_diff("@cf/qwen/qwen1.5-7b-chat-awq@1", "@cf/qwen/qwen1.5-7b-chat-awq@3",
                        "--format", "json")
    assert breaking.returncode == 1
    models = json.loads(breaking.stdout)["models"]
    request = next(m for m in models if m["kind"] == "request")
    assert request["summary"] == {"breaking": 4, "non-breaking": 9, "unknown": 0}
    fine = run_diff("sources/" + PAIRS["1.8b"][0], PAIRS["1.8b"][1], "--format", "markdown")
    assert fine.returncode == 0 and fine.stdout.startswith("## Schema changes: 0 breaking")
    same = run_diff("schemas/dashscope/qwen1.5-7b-chat.request.json",
                    "schemas/dashscope/qwen1.5-7b-chat.request.json")
    assert same.returncode == 0 and "0 breaking, 0 non-breaking" in same.stdout
    assert run_diff("HEAD", "HEAD").returncode == 0
    assert run_diff("nope@1", "nope@2").returncode == 2
