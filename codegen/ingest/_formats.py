"""Document formats: each a reader's test of structure (``looks_like``) and the reading that
turns a document into schemas. A manifest entry needs no format: the document's structure
decides (``format`` in the manifest forces one).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ._document import ModelSchemas, SourceDocument
from .grammar import Unread

Looks = Callable[[str, str], float]  # (path, text) -> 0..1
CLEAR_WINNER = 0.15  # the best score must beat the next by this much


@dataclass
class DocumentReading:
    """What one document gave: its models' schemas, what no rule read, readings to note."""

    models: list[ModelSchemas]
    unread: list[Unread] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parameters: int = 0  # the parameters (and response members) the document describes
    constraints: int = 0  # the constraints read from its words


def measured(reading: DocumentReading) -> DocumentReading:
    """``reading`` with its parameters and constraints counted from the schemas it gave (the
    distinct members and constraint keywords over its models and kinds)."""
    from wirespec.validators._schema_walk import CONSTRAINT_KEYWORDS, iter_subschemas

    members, constraints = set(), set()
    for model in reading.models:
        for kind, schema in model.schemas.items():
            for pointer, node in iter_subschemas(schema):
                members |= {(kind, f"{pointer}/{name}") for name in node.get("properties", {})}
                constraints |= {(kind, pointer, keyword) for keyword in node
                                if keyword in CONSTRAINT_KEYWORDS and keyword != "type"}
    reading.parameters = reading.parameters or len(members)
    reading.constraints = reading.constraints or len(constraints)
    return reading


@dataclass(frozen=True)
class Format:
    name: str
    what: str
    looks_like: Looks
    read: Callable[[SourceDocument], DocumentReading]


def _json_object_keys(text: str) -> set[str]:
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return set()
    try:
        value = json.loads(stripped)
    except (ValueError, RecursionError):
        return set()
    return set(value) if isinstance(value, dict) else set()


def looks_like_catalog_json(path: str, text: str) -> float:
    """Cloudflare's docs-repository model file: a JSON object with a name and its schemas or
    model properties."""
    keys = _json_object_keys(text)
    return 1.0 if "name" in keys and ({"schema", "properties", "task"} & keys) else 0.0


def looks_like_frontmatter(path: str, text: str) -> float:
    """A model card: YAML between `---` lines holding JSON Schemas as strings."""
    lines = text.split("\n", 200)
    if not lines or lines[0].strip() != "---":
        return 0.0
    return 1.0 if any(line.startswith("json_schema:") for line in lines[1:]) else 0.3


_TYPE_LINE = re.compile(r"^\s*(?:•\s*)?\S+ (?:string|number|integer|boolean|object|array)\b|"
                        r"^(?:string|number|integer|boolean|object|array)\b", re.M)


def _tree_sections(text: str) -> bool:
    stripped = {line.strip() for line in text.split("\n")}
    return "Input" in stripped and "Output" in stripped and len(_TYPE_LINE.findall(text)) >= 3


_JSON_START = re.compile(r"^\s*\{", re.M)


def _publishes_schema(text: str) -> bool:
    """An "API Schemas" section that opens a JSON document within its first lines."""
    after = text.split("API Schemas", 1)
    return len(after) == 2 and _JSON_START.search(after[1][:3000]) is not None


def looks_like_docs_page(path: str, text: str) -> float:
    """A rendered Cloudflare model page whose "API Schemas" publish the input JSON Schema."""
    return 0.9 if _tree_sections(text) and _publishes_schema(text) else 0.0


def looks_like_tree(path: str, text: str) -> float:
    """A rendered Cloudflare model page with the parameter tree only (flat or bulleted)."""
    return 0.8 if _tree_sections(text) and not _publishes_schema(text) else 0.0


_PIPE_HEADER = re.compile(r"^[^\n|]*\|[^\n|]*\bType\b[^\n|]*\|", re.M | re.I)


def looks_like_pipe_tables(path: str, text: str) -> float:
    """A prose reference whose parameters are pipe-table rows (name | type | description)."""
    headers = _PIPE_HEADER.findall(text)
    rows = sum(1 for line in text.split("\n") if line.count("|") >= 2)
    return 0.7 if headers and rows >= 10 else 0.0


def looks_like_flattened_values(path: str, text: str) -> float:
    """A rendered page that lost its parameter names: descriptions, and value lists written
    one value per line, each after the first opening with ", "."""
    continuations = sum(1 for line in text.split("\n") if line.startswith(", "))
    return 0.6 if continuations >= 5 else 0.0


def detect(doc: SourceDocument, formats: dict[str, Format]) -> Format:
    """The one format whose structure the document has, or one clear DocumentError."""
    scores = sorted(((fmt.looks_like(doc.path, doc.text), name) for name, fmt in formats.items()),
                    reverse=True)
    best, name = scores[0]
    runner_up = scores[1] if len(scores) > 1 else (0.0, "")
    if best < 0.5:
        doc.fail(None, "no reader recognises this document's layout (closest: "
                 f"{name}, {best:.2f}); name one with `format` in the manifest: "
                 + ", ".join(sorted(formats)))
    if best - runner_up[0] < CLEAR_WINNER:
        doc.fail(None, f"the layout could be {name} ({best:.2f}) or {runner_up[1]} "
                 f"({runner_up[0]:.2f}); name one with `format` in the manifest")
    return formats[name]
