"""A schema from a document's JSON samples, where it gives bodies but no parameters for them
(SiliconFlow's markdown shows its response and error bodies only as examples).

A sample says what kind each member is, never that a member is required or what values are
allowed: the schema takes the types and nothing else, and says so in ``x-source.inferred``.
Placeholders (``"<string>"``, ``123``) are what they stand for.
"""

from __future__ import annotations

from typing import Any

from ._document import Source, SourceDocument
from ._records import Sample

FROM_SAMPLE = ("the document gives this body only as an example: the members' kinds are "
               "taken from it; nothing is required and no value is constrained")
_KINDS = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
          dict: "object", type(None): "null"}


def _typed(value: Any, source: dict[str, Any]) -> dict[str, Any]:
    kind = _KINDS.get(type(value), "string")
    if kind == "integer":
        kind = "number" if isinstance(value, float) else "integer"
    node: dict[str, Any] = {} if kind == "null" else {"type": kind}
    if kind == "object":
        node["properties"] = {name: _typed(member, source) for name, member in value.items()}
    elif kind == "array" and value:
        node["items"] = _typed(value[0], source)
    if node:
        node["x-source"] = dict(source)
    return node


def from_samples(doc: SourceDocument, samples: list[Sample], kind: str) -> dict[str, Any] | None:
    """One schema for the samples of ``kind`` (several different bodies: ``anyOf`` of them)."""
    found = [s for s in samples if s.kind == kind and s.value is not None]
    if not found:
        return None
    shapes: list[dict[str, Any]] = []
    for sample in found:
        source = Source(doc.path, sample.line, sample.text.split("\n", 1)[0][:80],
                        inferred=FROM_SAMPLE).as_json()
        shape = _typed(sample.value, source)
        if shape not in shapes:
            shapes.append(shape)
    if len(shapes) == 1:
        return shapes[0]
    first = found[0]
    return {"anyOf": shapes, "x-source": Source(
        doc.path, first.line, first.text.split("\n", 1)[0][:80],
        inferred=f"{FROM_SAMPLE} ({len(shapes)} different {kind} bodies: any of them)").as_json()}
