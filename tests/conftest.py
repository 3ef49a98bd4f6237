from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The `wirespec` command, run from the project folder, as a user would."""
    return subprocess.run([sys.executable, "-m", "wirespec._cli", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def read_until(process: subprocess.Popen[bytes], marker: bytes, seconds: float = 120) -> bytes:
    """stdout up to ``marker``; a generous bound: a hang is the bug."""
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + seconds
    while marker not in seen:
        assert time.monotonic() < deadline, seen
        ready, _, _ = select.select([process.stdout], [], [], 1)
        if ready:
            chunk = os.read(process.stdout.fileno(), 65536)
            assert chunk, seen  # the process ended early
            seen += chunk
    return seen


@pytest.fixture(scope="session")
def schemas() -> dict[str, str]:
    """What ingest produces from the committed sources/ (relative path -> text)."""
    from wirespec.codegen.ingest import read_sources

    return read_sources(ROOT)


def load(schemas: dict[str, str], rel: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(schemas[rel])
    return result


# The models property runs in `make test` cover (`wirespec fuzz` covers every model): every
# seed family (all the seed DashScope models), two SiliconFlow ones (theirs differ only in the
# model constant), one catalog model per task, and one model per other set of documents: the
# newer references name dozens of models that differ only in their constant and defaults.
SAMPLED_MODELS = {
    "siliconflow:Qwen/Qwen2.5-7B-Instruct", "siliconflow:Pro/Qwen/Qwen2-7B-Instruct",
    *(f"cloudflare:@cf/{name}" for name in (
        "qwen/qwen1.5-0.5b-chat", "qwen/qwen1.5-1.8b-chat", "qwen/qwen1.5-7b-chat-awq",
        "qwen/qwen1.5-14b-chat-awq", "baai/bge-m3", "baai/bge-reranker-base", "openai/whisper",
        "black-forest-labs/flux-1-schnell", "deepgram/aura-1", "meta/m2m100-1.2b",
        "facebook/detr-resnet-50", "openai/gpt-oss-120b", "huggingface/distilbert-sst-2-int8")),
}
SEED_DASHSCOPE = "sources/dashscope/qwen1.5-chat.api-reference.txt"


def sampled_targets() -> list[tuple[str, str]]:
    index = json.loads((ROOT / "schemas" / "index.json").read_text())
    targets, documents_seen = [], set()
    for model in index["models"]:
        for kind, rel in model["kinds"].items():
            documents = tuple(json.loads((ROOT / "schemas" / rel).read_text())["x-documents"])
            seed = documents == (SEED_DASHSCOPE,)
            if model["provider"] == "cloudflare" and model["id"] not in SAMPLED_MODELS:
                continue  # one per task, named above
            first = (model["provider"], documents, kind) not in documents_seen
            if model["id"] in SAMPLED_MODELS or seed or first:
                targets.append((model["id"], kind))
            documents_seen.add((model["provider"], documents, kind))
    return targets


SEED_DOCUMENTS = [
    "cloudflare/qwen1.5-1.8b-chat.frontmatter.md", "cloudflare/qwen1.5-0.5b-chat.tree.txt",
    "cloudflare/qwen1.5-7b-chat-awq.docs-page.txt", "dashscope/qwen1.5-chat.api-reference.txt",
    "siliconflow/chat-completions.api-reference.txt"]


@pytest.fixture(scope="session")
def seed_schemas() -> dict[str, str]:
    """What the five seed documents say, read as if they were the only sources."""
    from wirespec.codegen.ingest import read_sources

    return read_sources(ROOT, only=SEED_DOCUMENTS)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of the project's sources/ and schemas/."""
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    return tmp_path
