"""Where a document publishes its schemas (OpenAPI, Cloudflare's catalog), the schema wins and
its descriptions cross-check it: a constraint a description states that the schema lacks
("A max of 128 functions are supported", "maximum length of 64") is listed as unread with its
line, never enforced and never dropped in silence; one that contradicts the schema is listed
as a contradiction."""

from __future__ import annotations

from typing import Any

from wirespec.validators._schema_walk import iter_subschemas

from ._document import ModelSchemas
from ._records import Span
from .grammar import NOT_CONSTRAINTS, Unread, read_constraints

CHECKED = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
                     "maxLength", "minItems", "maxItems", "enum", "const", "pattern"})


def _json_type(node: dict[str, Any]) -> str | None:
    declared = node.get("type")
    return declared if isinstance(declared, str) else None


def _container(node: dict[str, Any]) -> bool:
    declared = node.get("type")
    return declared in ("object", "array") or "properties" in node or "items" in node


def _same(stated: Any, read: Any) -> bool:
    if isinstance(stated, list) and isinstance(read, list):
        return sorted(map(repr, stated)) == sorted(map(repr, read))
    return bool(stated == read)


def description_checks(schema: dict[str, Any]) -> list[Unread]:
    """What the descriptions of ``schema`` say that its keywords do not (or say otherwise)."""
    found: list[Unread] = []
    for _pointer, node in iter_subschemas(schema):
        words = node.get("description")
        line = node.get("x-source", {}).get("line")
        if not isinstance(words, str) or not isinstance(line, int):
            continue
        readings, _ = read_constraints([Span(line, words)], _json_type(node))
        for reading in readings:
            if reading.keyword in NOT_CONSTRAINTS or reading.keyword not in CHECKED \
                    or reading.models:
                continue
            if reading.keyword == "enum" and _container(node):
                continue  # a container's description names its members' values
            stated = node.get(reading.keyword)
            if reading.keyword == "enum" and stated is None and "const" in node:
                stated = [node["const"]] if node["const"] in reading.value else None
            if _same(stated, reading.value) or (reading.keyword == "enum" and "const" in node
                                                and node["const"] in reading.value):
                continue
            if stated is None:
                found.append(Unread(line, reading.quote, f"the description states {reading.keyword}"
                                    f" {reading.value!r}; the schema does not (not enforced)"))
            else:
                found.append(Unread(line, reading.quote, f"the description says "
                                    f"{reading.keyword} {reading.value!r}, the schema {stated!r}"
                                    " (the schema is enforced)"))
    return found


def models_checks(models: list[ModelSchemas]) -> list[Unread]:
    """The descriptions' cross-check over every schema of a document's models, each passage
    once (models of one document share their descriptions)."""
    seen: dict[tuple[int, str, str], Unread] = {}
    for model in models:
        for schema in model.schemas.values():
            for unread in description_checks(schema):
                seen.setdefault((unread.line, unread.quote, unread.why), unread)
    return sorted(seen.values(), key=lambda u: (u.line, u.quote))
