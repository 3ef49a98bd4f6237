"""What every Cloudflare ingester shares: the model's schemas from its input/output schemas."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from ._document import ModelSchemas, Source, SourceDocument

STREAM_INFERENCE = (
    "the document types the stream only as text/event-stream; each event's data is taken "
    "to be the JSON output object (the output's object branch)"
)

# How a limit whose name says less than its meaning is read (validators/_limits.py gives the
# meaning; docs/decisions.md, "Cloudflare's YAML catalog and task pages", says why)
LIMIT_READINGS = {
    "sequence_length_limit": (
        "read as the most max_tokens may ask for (output tokens): Cloudflare calls max_tokens "
        "the 'max (sequence) tokens' and its streaming default equals this figure; 'sequence' "
        "could also mean the prompt and the answer together"),
}
_WHOLE_NUMBER = re.compile(r" *[0-9]{1,12} *")


def stated_limit(doc: SourceDocument, name: str, value: Any, line: int, quote: str, *,
                 inferred: str | None = None) -> dict[str, Any]:
    """A token limit as ``x-limits`` holds it: the whole number a catalog property or a model
    table states (written as a number or a string of digits), its line and words, and how its
    name was read where that took a judgement; one clear line when it is no whole number."""
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not _WHOLE_NUMBER.fullmatch(text):
        doc.fail(line, f"{name} is not a whole number: {str(value)[:40]!r}")
    why = "; ".join(w for w in (inferred, LIMIT_READINGS.get(name)) if w) or None
    return {"value": int(text), "x-source": Source(doc.path, line, quote, why).as_json()}

CITED_KEYWORDS = frozenset({"default", "format", "contentType"})
Words = Callable[[str, str], tuple[int, str] | None]  # (keyword's pointer, keyword) -> words


def cite_keywords(schema: dict[str, Any], words_of: Words) -> dict[str, Any]:
    """``schema`` with each one-line keyword of a cited node citing its own words
    (``x-source.keywords.<keyword> = {line, quote}``), where ``words_of`` finds them verbatim
    in the document (a published schema written one keyword per line); a keyword whose words
    it cannot find keeps the node's citation."""
    from wirespec.validators._schema_walk import CONSTRAINT_KEYWORDS, escape, iter_subschemas

    for pointer, node in iter_subschemas(schema):
        source = node.get("x-source")
        if not isinstance(source, dict):
            continue
        for keyword, value in node.items():
            if isinstance(value, (dict, list)) or keyword not in (
                    CONSTRAINT_KEYWORDS | CITED_KEYWORDS):
                continue
            found = words_of(f"{pointer}/{escape(keyword)}", keyword)
            if found is not None:
                line, quote = found
                source.setdefault("keywords", {})[keyword] = {"line": line, "quote": quote}
    return schema


def keyword_words(text: str, keyword: str, limit: int = 200) -> str | None:
    """The words of a JSON line that states ``keyword`` alone (``"maxLength": 4096,`` ->
    ``"maxLength": 4096``), else None (a line holding more, or another member)."""
    words = text.strip().removesuffix(",").rstrip()
    head = f'"{keyword}":'
    if not words.startswith(head) or len(words) > limit or words.count('":') != 1:
        return None
    return words


INDISTINCT_ONE_OF = (
    "read as anyOf: an object alternative of the document's oneOf requires nothing and allows "
    "other members, so every payload of the other alternatives matches it too and a literal "
    "oneOf would reject every one")


def _object_like(branch: Any) -> bool:
    return isinstance(branch, dict) and (branch.get("type") == "object" or (
        "properties" in branch and "type" not in branch))


def requires_something(branch: dict[str, Any]) -> bool:
    """Whether an object alternative requires a member, itself or in each of its own
    alternatives (an empty object does not match it)."""
    if branch.get("required"):
        return True
    nested = branch.get("oneOf") or branch.get("anyOf") or []
    return bool(nested) and all(isinstance(b, dict) and requires_something(b) for b in nested)


def _title(branch: dict[str, Any], index: int) -> str:
    return repr(branch["title"]) if isinstance(branch.get("title"), str) else f"#{index}"


def intended_required(schema: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """An object alternative that requires nothing, beside alternatives that each require
    something, is read by its intent: it requires its own members (those no sibling names).
    Literally it matches every object, so the other alternatives would mean nothing (Llama
    3.3's "Async Batch" made `{}` and `{"temperature": 7}` valid requests). Each reading is
    noted; an alternative with no members of its own is only noted."""
    from wirespec.validators._schema_walk import iter_subschemas

    result = copy.deepcopy(schema)
    for pointer, node in list(iter_subschemas(result)):
        for keyword in ("oneOf", "anyOf"):
            branches = node.get(keyword) or []
            objects = [b for b in branches if _object_like(b)]
            empty = [b for b in objects if not requires_something(b)]
            if not empty or len(empty) == len(objects):
                continue
            for branch in empty:
                index = branches.index(branch)
                named = {name for other in branches if other is not branch and
                         isinstance(other, dict) for name in other.get("properties", {})}
                own = [name for name in branch.get("properties", {}) if name not in named]
                where = f"{pointer or '/'}{keyword} alternative {_title(branch, index)}"
                if not own:
                    notes.append(f"{where} requires nothing and has no members of its own: "
                                 "every object matches it")
                    continue
                branch["required"] = own
                source = branch.setdefault("x-source", {})
                source["inferred"] = (
                    f"required {own} by intent: the document's alternative requires nothing, "
                    "so literally every object would match it and its siblings (which each "
                    "require a member) would mean nothing")
                notes.append(f"{where} requires nothing beside alternatives that do: read as "
                             f"requiring {own}")
    return result


def misplaced_required(schema: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """A ``required`` list written among an object's members (flux-2-dev upstream) is no
    member: its value is a list, not a schema. Read as the object's ``required``, noted."""
    from wirespec.validators._schema_walk import iter_subschemas

    result = copy.deepcopy(schema)
    for pointer, node in list(iter_subschemas(result)):
        members = node.get("properties")
        if not isinstance(members, dict):
            continue
        stray = members.get("required")
        if not (isinstance(stray, list) and all(isinstance(n, str) for n in stray)):
            continue
        del members["required"]
        node["required"] = sorted({*node.get("required", []), *stray})
        source = node.setdefault("x-source", {})
        source["inferred"] = (f"required {stray} read as the object's: the document lists it "
                              "among the members, where a list is not a member's schema")
        notes.append(f"{pointer or '/'}: a `required` list among the members is read as the "
                     f"object's required {stray}")
    return result


def indistinct_one_of_as_any_of(schema: dict[str, Any]) -> dict[str, Any]:
    """Every ``oneOf`` whose object alternatives cannot be told apart, as ``anyOf``."""
    from wirespec.validators._schema_walk import iter_subschemas

    result = copy.deepcopy(schema)
    for _pointer, node in list(iter_subschemas(result)):
        branches = node.get("oneOf")
        objects = [b for b in branches or [] if _object_like(b)]
        if len(objects) >= 2 and any(not requires_something(b) and
                                     b.get("additionalProperties") is not False
                                     for b in objects):
            node["anyOf"] = node.pop("oneOf")
            source = node.setdefault("x-source", {})
            source["inferred"] = INDISTINCT_ONE_OF
    return result


def json_output_branch(output: dict[str, Any]) -> dict[str, Any] | None:
    """The output alternative a JSON body (and each SSE event) takes, if the output streams."""
    branches = output.get("oneOf") or output.get("anyOf") or []
    objects = [b for b in branches if b.get("type") == "object"
               or b.get("contentType") == "application/json"]
    streams = [b for b in branches if b.get("contentType") == "text/event-stream"
               or b.get("type") == "string"]
    if len(objects) == 1 and streams:
        branch: dict[str, Any] = objects[0]
        return branch
    return None


def stream_event_schema(output: dict[str, Any]) -> dict[str, Any] | None:
    branch = json_output_branch(output)
    if branch is None:
        return None
    event = copy.deepcopy(branch)
    event.pop("contentType", None)
    if "x-source" in event:
        event["x-source"]["inferred"] = STREAM_INFERENCE
    return event


def task_name(model: Any) -> str | None:
    """The task a Cloudflare model record files the model under: ``task: {name: …}`` in
    the catalog, the YAML catalog and the front-matter (a plain string where a record says
    it that way); None when it says none."""
    task = model.get("task") if isinstance(model, dict) else None
    if isinstance(task, dict):
        task = task.get("name")
    return task.strip() if isinstance(task, str) and task.strip() else None


def cloudflare_model(
    doc: SourceDocument,
    name: str,
    request: dict[str, Any],
    output: dict[str, Any],
    *,
    description: str | None = None,
    task: str | None = None,
) -> ModelSchemas:
    declared = doc.entry.get("models")
    if isinstance(declared, list) and name not in declared:
        doc.fail(None, f"the document is about {name!r}, but the manifest lists {declared}")
    notes: list[str] = []
    request = indistinct_one_of_as_any_of(
        intended_required(misplaced_required(request, notes), notes))
    output = indistinct_one_of_as_any_of(
        intended_required(misplaced_required(output, notes), notes))
    schemas = {"request": request, "response": output}
    stream = stream_event_schema(output)
    if stream is not None:
        schemas["stream"] = stream
    return ModelSchemas("cloudflare", name, schemas, description=description, task=task,
                        notes=[f"{name}: {note}" for note in notes])
