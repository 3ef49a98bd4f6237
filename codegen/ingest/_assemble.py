"""From what the ingesters read to the files of schemas/: root annotations, checks, index."""

from __future__ import annotations

import re
from dataclasses import dataclass
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


@dataclass
class Assembled:
    """One model's files of schemas/ and its entry of the index."""

    files: dict[str, str]  # relative path -> text
    entry: dict[str, Any]


def assemble_model(found: ModelSchemas, doc_path: str) -> Assembled:
    """The schema files of one model, from the document chosen for it (a DocumentError when
    one would be invalid or lack provenance)."""
    files, kinds = {}, {}
    for kind in KINDS:
        if kind in found.schemas:
            rel = schema_path(found.provider, found.model, kind)
            files[rel] = canonical_json(root_document(found, kind, doc_path))
            kinds[kind] = rel
    return Assembled(files, {"id": found.model_id, "provider": found.provider,
                             "model": found.model, "kinds": kinds, "limits": found.limits,
                             "document": f"sources/{doc_path}", "task": found.task})


def index_file(entries: list[dict[str, Any]]) -> str:
    return canonical_json({"format": INDEX_FORMAT,
                           "models": sorted(entries, key=lambda entry: entry["id"])})


def assemble(chosen: list[tuple[ModelSchemas, str]]) -> dict[str, str]:
    """Files of schemas/ (relative path -> text) for each model's chosen document."""
    files: dict[str, str] = {}
    entries = []
    owners: dict[str, str] = {}
    for found, doc_path in sorted(chosen, key=lambda pair: pair[0].model_id):
        assembled = assemble_model(found, doc_path)
        for rel in assembled.files:
            if rel.lower() in owners:
                raise DocumentError(f"sources/{doc_path}", None, f"{found.model_id} and "
                                    f"{owners[rel.lower()]} map to the same file {rel}")
            owners[rel.lower()] = found.model_id
        files.update(assembled.files)
        entries.append(assembled.entry)
    files[INDEX] = index_file(entries)
    return files
