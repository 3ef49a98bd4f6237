"""Cloudflare: front-matter, docs page with schema, rendered trees (flat and bulleted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, load

from wirespec.codegen.ingest import FORMATS
from wirespec.codegen.ingest._manifest import load_manifest
from wirespec.codegen.ingest._pipeline import document_reader
from wirespec.codegen.ingest._tree_parse import split_type_line
from wirespec.codegen.ingest.cloudflare_docs_page import inline_input_schema
from wirespec.codegen.ingest.cloudflare_tree import read_tree
from wirespec.codegen.ingest.tree_agreement import compare

SMALL = "cloudflare/cf__qwen__qwen1.5-1.8b-chat"
TREE = "cloudflare/cf__qwen__qwen1.5-0.5b-chat"
PAGE = "cloudflare/cf__qwen__qwen1.5-7b-chat-awq"


def doc(rel: str) -> Any:
    entries = {e.path: e for e in load_manifest(ROOT / "sources", set(FORMATS))}
    return document_reader(ROOT / "sources", entries)(rel)


def branch(schema: dict[str, Any], index: int) -> dict[str, Any]:
    result: dict[str, Any] = schema["oneOf"][index]
    return result


@pytest.mark.parametrize(("rel", "limit"), [(SMALL, 6144), (TREE, 131072), (PAGE, 131072)])
def test_each_model_keeps_its_own_documents_prompt_limit(seed_schemas, rel, limit):
    request = load(seed_schemas, f"{rel}.request.json")
    prompt = branch(request, 0)["properties"]["prompt"]
    assert (prompt["minLength"], prompt["maxLength"]) == (1, limit)
    content = branch(request, 1)["properties"]["messages"]["items"]["properties"]["content"]
    assert content["maxLength"] == limit


@pytest.mark.parametrize("rel", [SMALL, TREE, PAGE])
def test_numeric_limits_and_defaults(seed_schemas, rel):
    props = branch(load(seed_schemas, f"{rel}.request.json"), 0)["properties"]
    assert (props["temperature"]["minimum"], props["temperature"]["maximum"]) == (0, 5)
    assert (props["top_k"]["minimum"], props["top_k"]["maximum"]) == (1, 50)
    assert (props["seed"]["minimum"], props["seed"]["maximum"]) == (1, 9999999999)
    for name in ("top_p", "repetition_penalty", "frequency_penalty", "presence_penalty"):
        assert (props[name]["minimum"], props[name]["maximum"]) == (0, 2), name
    assert props["max_tokens"] == {**props["max_tokens"], "type": "integer", "default": 256}


def test_newer_pages_add_tools_functions_and_image_the_older_card_lacks(seed_schemas):
    older = branch(load(seed_schemas, f"{SMALL}.request.json"), 1)["properties"]
    for rel in (TREE, PAGE):
        newer = branch(load(seed_schemas, f"{rel}.request.json"), 1)["properties"]
        assert {"tools", "functions", "image"} <= set(newer)
        assert not {"tools", "functions", "image"} & set(older)
        assert newer["temperature"]["default"] == 0.6


@pytest.mark.parametrize("rel", [TREE, PAGE])
def test_one_of_shapes(seed_schemas, rel):
    request = load(seed_schemas, f"{rel}.request.json")
    assert [b["required"] for b in request["oneOf"]] == [["prompt"], ["messages"]]
    image = branch(request, 0)["properties"]["image"]
    assert [b["type"] for b in image["oneOf"]] == ["array", "string"]
    assert image["oneOf"][0]["items"]["type"] == "number"
    tools = branch(request, 1)["properties"]["tools"]["items"]["oneOf"]
    assert [sorted(b["required"]) for b in tools] == [
        ["description", "name", "parameters"], ["function", "type"]]
    parameters = tools[0]["properties"]["parameters"]
    assert parameters["properties"]["properties"]["additionalProperties"]["required"] == [
        "type", "description"]
    response = load(seed_schemas, f"{rel}.response.json")
    assert [b["type"] for b in response["oneOf"]] == ["object", "string"]
    tool_call = branch(response, 0)["properties"]["tool_calls"]["items"]["properties"]
    assert tool_call["arguments"]["type"] == "object" and tool_call["name"]["type"] == "string"


def test_tree_required_is_inferred_from_the_family_schema_and_says_so(seed_schemas):
    request = load(seed_schemas, f"{TREE}.request.json")
    source = branch(request, 1)["x-source"]
    assert "qwen1.5-7b-chat-awq.docs-page.txt" in source["inferred"]
    assert source["line"] == 66


def test_front_matter_json_in_a_string_is_cited_by_line_and_pointer(seed_schemas):
    prompt = branch(load(seed_schemas, f"{SMALL}.request.json"), 0)["properties"]["prompt"]
    assert prompt["x-source"] == {
        "doc": "cloudflare/qwen1.5-1.8b-chat.frontmatter.md", "line": 23,
        "quote": '"type": "string", "minLength": 1, "maxLength": 6144',
        "pointer": "/oneOf/0/properties/prompt"}


def test_stream_event_is_the_json_output_branch(seed_schemas):
    stream = load(seed_schemas, f"{SMALL}.stream.json")
    assert stream["type"] == "object" and "response" in stream["properties"]
    assert "text/event-stream" in stream["x-source"]["inferred"]


def test_bulleted_tree_agrees_with_the_json_schema_of_the_same_page():
    page = doc("cloudflare/qwen1.5-7b-chat-awq.docs-page.txt")
    agreement = compare(read_tree(page, "Input", ("Output",)), inline_input_schema(page))
    assert len(agreement.agree) == 150
    assert not agreement.contradictions
    assert not agreement.tree_only
    assert not agreement.unexplained  # only required, format, title and false defaults


def test_flat_and_bulleted_trees_of_the_same_family_read_alike(seed_schemas):
    flat = load(seed_schemas, f"{TREE}.request.json")
    flat.pop("title")  # the root annotation ingest adds, not part of the tree
    page = doc("cloudflare/qwen1.5-7b-chat-awq.docs-page.txt")
    agreement = compare(flat, inline_input_schema(page))
    assert not agreement.contradictions and not agreement.tree_only and not agreement.unexplained


@pytest.mark.parametrize(("line", "expected"), [
    ("string min 1 max 131072The input", ("string", {"min": "1", "max": "131072"}, "The input")),
    ("number default 0.6 min 0 max 5Controls", ("number", {"default": "0.6", "min": "0",
                                                           "max": "5"}, "Controls")),
    ("arrayAn array", ("array", {}, "An array")),
    ("object", ("object", {}, "")),
    ("string", ("string", {}, "")),
])
def test_split_type_line(line, expected):
    assert split_type_line(line) == expected


def test_sources_are_the_shared_copies_verbatim():
    shared = ROOT.parent / "shared"
    if not shared.is_dir():
        pytest.skip("../shared is not beside this checkout")
    import tomllib

    manifest = tomllib.loads((ROOT / "sources" / "manifest.toml").read_text())
    folders = [shared / "corpus" / name for name in (
        "cloudflare-docs", "cloudflare-docs-older", "cloudflare-docs-newer",
        "cloudflare-docs-newer/older")] + [shared / "docs-versions" / p
                                           for p in ("dashscope", "siliconflow")]
    copied = 0
    for entry in manifest["document"]:
        origin = entry.get("origin", "")
        if origin.startswith("seed "):
            original = shared / "seeds" / origin.split()[1].rstrip(":")
        else:
            name = Path(entry["path"]).name
            original = next(f / name for f in folders if (f / name).is_file())
        assert (ROOT / "sources" / entry["path"]).read_bytes() == original.read_bytes()
        copied += 1
    assert copied == len(manifest["document"])


def test_ingest_reads_no_path_outside_sources():
    assert not any(Path(e.path).is_absolute() or ".." in e.path
                   for e in load_manifest(ROOT / "sources", set(FORMATS)))
