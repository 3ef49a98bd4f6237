"""From what the ingesters read to the files of schemas/: root annotations, checks, index."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs

from wirespec._exceptions import DocumentError
from wirespec.validators._schema_walk import CONSTRAINT_KEYWORDS, iter_subschemas

from .._files import canonical_json
from ._document import KINDS, ModelSchemas
from ._safety import refuse_unsafe

DIALECT = "https://json-schema.org/draft/2020-12/schema"
INDEX = "index.json"
INDEX_FORMAT = "wirespec-schema-index/1"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def model_slug(model: str) -> str:
    """A file-name form of a model id: ``@cf/qwen/x`` -> ``cf__qwen__x``."""
    return _UNSAFE.sub("_", model.lstrip("@").replace("/", "__"))


def schema_path(provider: str, model: str, kind: str) -> str:
    return f"{provider}/{model_slug(model)}.{kind}.json"


def missing_provenance(schema: dict[str, Any]) -> list[str]:
    return [pointer or "/" for pointer, node in iter_subschemas(schema)
            if CONSTRAINT_KEYWORDS.intersection(node) and "x-source" not in node]


def root_document(found: ModelSchemas, kind: str, doc_path: str) -> dict[str, Any]:
    body = found.schemas[kind]
    root: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": f"urn:wirespec:{found.provider}:{model_slug(found.model)}:{kind}",
        "title": body.get("title", f"{found.model} {kind}"),
    }
    if "description" in body or found.description:
        root["description"] = body.get("description", found.description)
    root["x-provider"] = found.provider
    root["x-model"] = found.model
    root["x-kind"] = kind
    root["x-documents"] = [f"sources/{doc_path}"]
    if kind == "request" and found.limits:
        root["x-limits"] = found.limits
    root.update((k, v) for k, v in body.items() if k not in root)
    where = f"sources/{doc_path}"
    refuse_unsafe(root, where)
    try:  # the meta-schema, checked by the engine (python-jsonschema is quadratic here)
        jsonschema_rs.meta.validate(root)
    except jsonschema_rs.ValidationError as err:
        at = "/".join(str(part) for part in err.instance_path) or "the root"
        raise DocumentError(where, None, f"the {kind} schema read for {found.model_id} is not "
                            f"valid JSON Schema 2020-12 (at {at}: {err.message})") from None
    missing = missing_provenance(root)
    if missing:
        raise DocumentError(where, None, f"the {kind} schema of {found.model_id} has "
                            f"constraints without provenance at {', '.join(missing[:5])}")
    return root


def assemble(chosen: list[tuple[ModelSchemas, str]]) -> dict[str, str]:
    """Files of schemas/ (relative path -> text) for each model's chosen document."""
    files: dict[str, str] = {}
    index = []
    seen_files: dict[str, str] = {}
    for found, doc_path in sorted(chosen, key=lambda pair: pair[0].model_id):
        kinds = {}
        for kind in KINDS:
            if kind not in found.schemas:
                continue
            rel = schema_path(found.provider, found.model, kind)
            if rel.lower() in seen_files:
                raise DocumentError(f"sources/{doc_path}", None, f"{found.model_id} and "
                                    f"{seen_files[rel.lower()]} map to the same file {rel}")
            seen_files[rel.lower()] = found.model_id
            files[rel] = canonical_json(root_document(found, kind, doc_path))
            kinds[kind] = rel
        index.append({
            "id": found.model_id, "provider": found.provider, "model": found.model,
            "kinds": kinds, "limits": found.limits, "document": f"sources/{doc_path}",
        })
    files[INDEX] = canonical_json({"format": INDEX_FORMAT, "models": index})
    return files
