"""Cloudflare docs page with an inline "API Schemas" JSON Schema (seed 002).

The input schema is taken as published; the output exists only as the rendered tree.
"""

from __future__ import annotations

import re
from typing import Any

from ._document import ModelSchemas, SourceDocument
from ._embedded_schema import annotate
from ._located_json import loads_located
from .cloudflare_common import cloudflare_model
from .cloudflare_tree import read_tree

_MODEL_ID = re.compile(r"^\s*(@cf/\S+)\s*$")


def inline_input_schema(doc: SourceDocument) -> dict[str, Any]:
    marker = doc.find_line("API Schemas")
    start = next((n for n in range(marker + 1, len(doc.lines) + 1)
                  if doc.line(n).strip().startswith("{")), 0)
    if not start:
        doc.fail(marker, "no JSON Schema after 'API Schemas'")
    text = "\n".join(doc.lines[start - 1:])
    located = loads_located(text, path=f"sources/{doc.path}", first_line=start)
    if not isinstance(located.value, dict):
        doc.fail(start, "the API schema is not a JSON object")
    return annotate(located.value, doc, located.line_of, embedded=False)


def page_model_id(doc: SourceDocument) -> str | None:
    for line in doc.lines[:20]:
        if match := _MODEL_ID.match(line):
            return match.group(1)
    return None


def ingest(doc: SourceDocument) -> list[ModelSchemas]:
    request = inline_input_schema(doc)
    output = read_tree(doc, "Output", ("API Schemas",))
    name = page_model_id(doc)
    if name is None:
        doc.fail(None, "the page names no @cf/ model id")
    return [cloudflare_model(doc, name, request, output)]
