"""wirespec.catalog(): the models to parametrise over, by provider and by the task the
documents file them under."""

from __future__ import annotations

import json

import wirespec
from wirespec.codegen.ingest.cloudflare_common import task_name
from wirespec.validators._registry import schemas_dir


def test_every_cloudflare_model_has_the_task_its_document_names():
    index = json.loads((schemas_dir() / "index.json").read_text())
    for model in index["models"]:
        if model["provider"] != "cloudflare":
            assert model["task"] is None  # their documents file models under no task
            continue
        document = json.loads((schemas_dir().parent / model["document"]).read_text()) \
            if model["document"].endswith(".json") else None
        if document is not None:
            assert model["task"] == document["task"]["name"], model["id"]


def test_catalog_filters_by_task_without_case():
    chat = wirespec.catalog(task="text generation")
    assert chat and {e.provider for e in chat} == {"cloudflare"}
    assert all(e.task == "Text Generation" for e in chat)
    assert "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq" in {e.id for e in chat}
    assert wirespec.catalog("dashscope", task="Text Generation") == []
    speech = wirespec.catalog("cloudflare", task="Text-to-Speech")
    assert speech and all("request" in e.kinds for e in speech)


def test_task_names_come_as_the_records_write_them():
    assert task_name({"task": {"name": " Translation "}}) == "Translation"
    assert task_name({"task": "Summarization"}) == "Summarization"
    assert task_name({"task": {"id": "x"}}) is None
    assert task_name({"task": ""}) is None
    assert task_name(None) is None
