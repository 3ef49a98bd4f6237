"""Every produced schema: metaschema-valid, self-contained, provenance, determinism."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT
from jsonschema import Draft202012Validator

from wirespec.codegen.ingest import read_sources
from wirespec.codegen.ingest._assemble import missing_provenance


def test_committed_schemas_are_current(schemas):
    committed = {str(p.relative_to(ROOT / "schemas")): p.read_text(encoding="utf-8")
                 for p in (ROOT / "schemas").rglob("*.json")}
    assert committed == schemas, "run `make ingest`"


def test_ingest_is_deterministic(schemas):
    assert read_sources(ROOT) == schemas


@pytest.mark.parametrize("kind", ["request", "response", "stream", "error"])
def test_each_schema_is_valid_2020_12_with_root_annotations(schemas, kind):
    files = [rel for rel in schemas if rel.endswith(f".{kind}.json")]
    assert files
    for rel in files:
        schema = json.loads(schemas[rel])
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"].startswith("urn:wirespec:")
        assert schema["x-provider"] and schema["x-model"] and schema["x-kind"] == kind
        assert not _has_ref(schema), rel  # self-contained (a quote may still say "$ref")
        assert missing_provenance(schema) == [], rel


def _words(text: str) -> str:
    return " ".join(text.replace("\\n", " ").split())


def test_every_quote_is_words_of_its_document(schemas):
    """Each `x-source.quote` segment stands in its document, at or next to its line."""
    texts: dict[str, list[str]] = {}
    for rel, text in schemas.items():
        for node in _sources(json.loads(text)):
            lines = texts.setdefault(node["doc"], (ROOT / "sources" / node["doc"])
                                     .read_text().split("\n"))
            window = _words(" ".join(lines[max(0, node["line"] - 2):node["line"] + 1]))
            whole = _words(" ".join(lines)).replace('\\"', '"')
            for segment in node["quote"].split(" … "):
                segment = _words(segment).removesuffix("…")
                if segment.startswith('"'):  # JSON keywords: each one, anywhere in the JSON
                    compact = "".join(whole.split())
                    abbreviated = re.sub(r"\[\d+ alternatives\]", "[", segment).replace(
                        "{...}", "{")
                    pieces = abbreviated.split(', "')
                    assert all("".join(piece.lstrip('"').split()) in compact
                               for piece in pieces), (rel, node)
                else:
                    assert segment in window or segment in whole, (rel, node)


def _has_ref(value) -> bool:
    if isinstance(value, dict):
        return "$ref" in value or any(_has_ref(child) for child in value.values())
    return isinstance(value, list) and any(_has_ref(child) for child in value)


def _sources(value):
    if isinstance(value, dict):
        if "x-source" in value and isinstance(value["x-source"], dict):
            yield value["x-source"]
        for child in value.values():
            yield from _sources(child)
    elif isinstance(value, list):
        for child in value:
            yield from _sources(child)


def test_index_lists_every_model(schemas):
    index = json.loads(schemas["index.json"])
    ids = [m["id"] for m in index["models"]]
    # Cloudflare 60, DashScope 73, SiliconFlow 116 (tests/test_cli.py says from which)
    assert len(ids) == len(set(ids)) == 60 + 73 + 116
    assert "dashscope:qwen1.5-72b-chat" in ids
    assert "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq" in ids


def test_every_default_is_a_value_of_its_own_schema(schemas):
    """A default the documents give as a limit's name ("the model's maximum output length")
    is a figure where the model's limit is known, else an ``x-default-limit`` annotation:
    never an object where the member is an integer."""
    import jsonschema_rs

    from wirespec.validators._schema_walk import iter_subschemas

    wrong = []
    for rel, text in schemas.items():
        for pointer, node in iter_subschemas(json.loads(text)):
            if "default" in node:
                bare = {k: v for k, v in node.items() if k != "default"}
                if not jsonschema_rs.validator_for(bare).is_valid(node["default"]):
                    wrong.append(f"{rel}{pointer}: {node['default']!r}")
    assert wrong == []
