"""Provenance for JSON Schemas that a document publishes as JSON (inline or in a string).

Every node that carries a constraint gets ``x-source``: the document, the line where the
node starts, and the node's constraint keywords quoted as the document writes them.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from wirespec.validators._schema_walk import CONSTRAINT_KEYWORDS, iter_subschemas

from ._document import Source, SourceDocument

_QUOTED_FIRST = ("type", "format", "contentType")


def quote_constraints(node: dict[str, Any]) -> str:
    """The node's constraint keywords as JSON text, e.g. ``"type": "integer", "maximum": 50``."""
    parts = []
    keys = [k for k in _QUOTED_FIRST if k in node]
    keys += [k for k in node if k in CONSTRAINT_KEYWORDS and k not in keys]
    for key in keys:
        value = node[key]
        if key in ("oneOf", "anyOf", "allOf"):
            rendered = f"[{len(value)} alternatives]"
        elif isinstance(value, dict):
            rendered = "{...}"
        else:
            rendered = json.dumps(value, ensure_ascii=False)
        parts.append(f'"{key}": {rendered}')
    return ", ".join(parts)


def annotate(
    schema: dict[str, Any],
    doc: SourceDocument,
    line_of: Callable[[str], int],
    *,
    embedded: bool,
    prefix: str = "",
) -> dict[str, Any]:
    """A copy of ``schema`` with ``x-source`` on every constraint-carrying node.

    ``line_of(pointer)`` gives the document line of the node at ``pointer``; with
    ``embedded`` the JSON sits inside one line (a YAML string) and the pointer is recorded too.
    Otherwise the pointer (``prefix`` + the node's, so a place in the document) is recorded
    where a line holds several constrained nodes (a minified file has only one line).
    """
    result = copy.deepcopy(schema)
    nodes = [(pointer, node) for pointer, node in iter_subschemas(result)
             if CONSTRAINT_KEYWORDS.intersection(node)]
    lines = Counter(line_of(pointer) for pointer, _ in nodes)
    for pointer, node in nodes:
        line = line_of(pointer)
        where = pointer if embedded else prefix + pointer if lines[line] > 1 else None
        node["x-source"] = Source(doc.path, line, quote_constraints(node),
                                  pointer=where).as_json()
    return result
