from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def schemas() -> dict[str, str]:
    """What ingest produces from the committed sources/ (relative path -> text)."""
    from wirespec.codegen.ingest import read_sources

    return read_sources(ROOT)


def load(schemas: dict[str, str], rel: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(schemas[rel])
    return result


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of the project's sources/ and schemas/."""
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    return tmp_path
