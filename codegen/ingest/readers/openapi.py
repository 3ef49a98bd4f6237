"""OpenAPI 3.0 / 3.1 documents: the published schemas of each POST operation.

The document is the whole file (YAML, or JSON) or the first ```yaml / ```json block of a page
whose content has an ``openapi`` key (a Mintlify page: the block wins; the prose around it is
left to the prose readers, ``block`` says which lines are the document). Anything that is not
OpenAPI 3.0 or 3.1 (Swagger 2, 3.2, no version) is one line naming its line.

Per POST operation: ``schemas["request"]`` from the ``application/json`` request body,
``"response"`` from the 200 JSON response, ``"stream"`` from the 200 ``text/event-stream``
one (read as one event's data; how a stream ends is not in any schema, so code lines such as
`data: [DONE]` in descriptions become stream ``Sample``s), ``"error"`` from the 4xx/5xx JSON
bodies (one schema, or ``anyOf`` of the different ones; each lists its statuses in
``x-status``). Schemas are converted by :mod:`._openapi_schema`; each must pass the 2020-12
meta-schema and :func:`refuse_unsafe`.

Contract extension (additive; proposed for codegen/ingest/_records.py, held here meanwhile):

- :class:`OpenAPIRead` is a ``ReadDocument`` with ``operation`` ("POST /chat/completions"),
  ``operation_id`` and ``block``. A document with one operation reads as that operation; with
  several, as a container whose ``operations`` lists one ``OpenAPIRead`` each (its own
  ``schemas`` and ``models`` empty). A builder takes ``read.operations or [read]``.
- :class:`ModelInAlternative` is a ``ModelMention`` with ``alternative``: the JSON Pointer,
  in ``schemas["request"]``, of the ``oneOf``/``anyOf`` alternative whose ``model`` enum
  names the model (None where the request is one schema for all). A model named by two
  alternatives has two mentions; the builder gives each model its alternatives only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from .._document import Source, SourceDocument
from .._records import ModelMention, ReadDocument, Sample, Span
from .._safety import refuse_unsafe
from ._openapi_find import Block, find_block
from ._openapi_located import LocatedTree, load_json_tree, load_yaml_tree
from ._openapi_schema import SchemaReader
from ._openapi_values import Budget, resolve

LAYOUT = "openapi"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_VERSION = re.compile(r"3\.([01])(?:\.\d+)?(?:-[0-9A-Za-z.-]+)?")
_ERROR_STATUS = re.compile(r"[45](?:\d\d|XX)")
_MAX_HOPS = 64  # Reference Objects followed in a row before giving up
_STREAM_READING = ("the schema given for text/event-stream read as each event's data "
                   "(OpenAPI cannot say what a stream's schema describes)")


@dataclass
class OpenAPIRead(ReadDocument):
    """A ``ReadDocument`` for one operation, or the container of several."""

    operation: str | None = None  # "POST /chat/completions"
    operation_id: str | None = None
    block: tuple[int, int] | None = None  # first and last line of the OpenAPI document
    operations: list[OpenAPIRead] = field(default_factory=list)


@dataclass(frozen=True)
class ModelInAlternative(ModelMention):
    """A model named by the ``model`` enum of one alternative of the request."""

    alternative: str | None = None


def looks_like(text: str) -> float:
    """How strongly ``text`` is (or carries) an OpenAPI document, from its keys alone."""
    version = re.search(r"""^["']?openapi["']?[ \t]*:[ \t]*["']?(\d+\.\d+)""", text, re.M) \
        or re.search(r'"openapi"\s*:\s*"(\d+\.\d+)', text)
    if version is None:
        return 0.5 if re.search(r"""^["']?swagger["']?[ \t]*:""", text, re.M) else 0.0
    if version.group(1) not in ("3.0", "3.1"):
        return 0.5
    paths = re.search(r"""^["']?paths["']?[ \t]*:""", text, re.M) or '"paths"' in text
    return 1.0 if paths else 0.8


def read(doc: SourceDocument) -> OpenAPIRead:
    """The document's POST operations (see the module's docstring for the shape)."""
    block = find_block(doc)
    tree = _load(doc, block)
    version = _version(doc, tree)
    budget = Budget.for_document(tree.root)
    leftovers = [Span(line, text) for line, text in block.others]
    operations = []
    for path, method, operation, line in _operations(doc, tree, leftovers):
        reader = SchemaReader(tree, doc, version, budget)
        operations.append(_Operation(doc, tree, reader, line).read(path, method, operation))
    span = (block.first_line, block.last_line)
    for part in operations:
        part.block = span
    if len(operations) == 1:
        operations[0].leftovers[:0] = leftovers
        return operations[0]
    return OpenAPIRead(LAYOUT, leftovers=leftovers, block=span, operations=operations)


def _load(doc: SourceDocument, block: Block) -> LocatedTree:
    where = f"sources/{doc.path}"
    if block.language == "json":
        return load_json_tree(block.text, path=where, first_line=block.first_line)
    return load_yaml_tree(block.text, path=where, first_line=block.first_line)


def _version(doc: SourceDocument, tree: LocatedTree) -> tuple[int, int]:
    root = tree.root
    if not isinstance(root, dict):
        doc.fail(tree.first_line, "the OpenAPI document is not a mapping")
    if "openapi" not in root:
        if "swagger" in root:
            doc.fail(tree.line(root, "swagger", tree.first_line), f"Swagger "
                     f"{str(root['swagger'])[:20]} (OpenAPI 2) is not read: only OpenAPI "
                     "3.0 and 3.1")
        doc.fail(tree.first_line, "no 'openapi' version: not an OpenAPI 3 document")
    written = str(root["openapi"])
    match = _VERSION.fullmatch(written)
    if match is None:
        doc.fail(tree.line(root, "openapi", tree.first_line), f"OpenAPI {written[:40]!r} "
                 "is not read: only OpenAPI 3.0.x and 3.1.x")
    return 3, int(match.group(1))


def _operations(doc: SourceDocument, tree: LocatedTree,
                leftovers: list[Span]) -> list[tuple[str, str, dict[str, Any], int]]:
    """Every POST operation (path, method, operation object, line); other methods are
    listed in ``leftovers``."""
    root = tree.root
    paths = root.get("paths")
    paths_line = tree.line(root, "paths", tree.first_line)
    if not isinstance(paths, dict):
        doc.fail(paths_line, "the document has no 'paths' mapping: no operation to read")
    found = []
    for path, item in paths.items():
        item_line = tree.line(paths, path, paths_line)
        item = _dereferenced(doc, tree, item, item_line)
        if not isinstance(item, dict):
            doc.fail(item_line, f"the path item {path[:80]!r} is not a mapping")
        for method in (key for key in item if key in _METHODS):
            line = tree.line(item, method, item_line)
            if method != "post":
                leftovers.append(Span(line, f"{method.upper()} {path}: not a POST "
                                            "operation, not read"))
            elif not isinstance(item[method], dict):
                doc.fail(line, f"the operation POST {path[:80]} is not a mapping")
            else:
                found.append((path, method, item[method], line))
    if not found:
        doc.fail(paths_line, "no POST operation in 'paths': nothing to read")
    return found


def _dereferenced(doc: SourceDocument, tree: LocatedTree, value: Any, line: int) -> Any:
    """A Reference Object followed to what it names (within the document)."""
    for _ in range(_MAX_HOPS):
        if not (isinstance(value, dict) and "$ref" in value):
            return value
        value, line, _pointer = resolve(tree, doc, value["$ref"], tree.line(value, "$ref",
                                                                            line))
    doc.fail(line, f"more than {_MAX_HOPS} references in a row (a reference loop?)")


class _Operation:
    """Reads one operation into an OpenAPIRead."""

    def __init__(self, doc: SourceDocument, tree: LocatedTree, reader: SchemaReader,
                 line: int) -> None:
        self.doc = doc
        self.tree = tree
        self.reader = reader
        self.line = line
        self.errors: list[tuple[str, int, str, Any]] = []  # status, line, words, schema

    def read(self, path: str, method: str, operation: dict[str, Any]) -> OpenAPIRead:
        operation_id = operation.get("operationId")
        self.result = OpenAPIRead(LAYOUT, operation=f"{method.upper()} {path}",
                                  operation_id=operation_id if isinstance(operation_id, str)
                                  else None)
        self._request(operation)
        self._responses(operation)
        self._error_schema(operation)
        self.result.models = self._mentions(self.result.schemas.get("request"), "", None)
        self.result.samples += self.reader.frames.values()
        self.result.leftovers += self.reader.leftovers.values()
        for kind, schema in self.result.schemas.items():
            self._check(kind, schema)
        return self.result

    def _member(self, container: dict[str, Any], key: str, line: int) -> tuple[Any, int]:
        here = self.tree.line(container, key, line)
        return _dereferenced(self.doc, self.tree, container.get(key), here), here

    def _request(self, operation: dict[str, Any]) -> None:
        body, line = self._member(operation, "requestBody", self.line)
        for media, schema, schema_line in self._media(body, line, "request"):
            if _is_json(media):
                self._keep("request", self.reader.read(schema, schema_line, "request"))
            else:
                self._leftover(schema_line, f"request body {media}: not JSON, not read")

    def _responses(self, operation: dict[str, Any]) -> None:
        responses, line = self._member(operation, "responses", self.line)
        if not isinstance(responses, dict):
            return
        for status, response in responses.items():
            status_line = self.tree.line(responses, status, line)
            response = _dereferenced(self.doc, self.tree, response, status_line)
            cited = (str(status), status_line, self.tree.words(responses, status))
            for media, schema, schema_line in self._media(response, status_line, "response"):
                self._response(cited, media, schema, schema_line)

    def _response(self, cited: tuple[str, int, str], media: str, schema: Any,
                  line: int) -> None:
        status = cited[0]
        if status == "200" and _is_json(media):
            self._keep("response", self.reader.read(schema, line, "response"))
        elif status == "200" and _base(media) == "text/event-stream":
            self._keep("stream", _marked(self.reader.read(schema, line, "response"),
                                         _STREAM_READING))
        elif _ERROR_STATUS.fullmatch(status) and _is_json(media):
            self.errors.append((*cited, self.reader.read(schema, line, "response")))
        else:
            self._leftover(line, f"response {status} {media}: not read")

    def _media(self, holder: Any, line: int, kind: str) -> list[tuple[str, Any, int]]:
        """(media type, schema, line) for each media type of a request body or response;
        its examples become samples."""
        content = holder.get("content") if isinstance(holder, dict) else None
        if not isinstance(content, dict):
            return []
        found = []
        content_line = self.tree.line(holder, "content", line)
        for media, entry in content.items():
            media_line = self.tree.line(content, media, content_line)
            if not isinstance(entry, dict) or "schema" not in entry:
                self._leftover(media_line, f"{media}: no schema")
                continue
            found.append((media, entry["schema"], self.tree.line(entry, "schema",
                                                                  media_line)))
            if _is_json(media):
                self._samples(entry, media_line, kind)
        return found

    def _samples(self, entry: dict[str, Any], line: int, kind: str) -> None:
        if "example" in entry:
            self._sample(kind, self.tree.line(entry, "example", line), entry["example"])
        examples = entry.get("examples")
        for name, example in (examples.items() if isinstance(examples, dict) else ()):
            if isinstance(example, dict) and "value" in example:
                self._sample(kind, self.tree.line(examples, name, line), example["value"])

    def _sample(self, kind: str, line: int, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        self.result.samples.append(Sample(kind, line, text, value))

    def _keep(self, kind: str, schema: Any) -> None:
        if kind in self.result.schemas:
            self._leftover(self.line, f"a second {kind} schema: not read")
            return
        self.result.schemas[kind] = schema

    def _error_schema(self, operation: dict[str, Any]) -> None:
        """One schema for every documented error body: the distinct ones, each listing the
        statuses that send it, as ``anyOf`` when there are several."""
        groups: dict[str, tuple[Any, list[dict[str, Any]]]] = {}
        for status, line, words, schema in self.errors:
            key = json.dumps(schema, sort_keys=True)
            cited = {"status": status,
                     "x-source": Source(self.doc.path, line, words).as_json()}
            groups.setdefault(key, (schema, []))[1].append(cited)
        alternatives = []
        for schema, statuses in groups.values():
            if isinstance(schema, dict):
                schema["x-status"] = statuses
            alternatives.append(schema)
        if len(alternatives) == 1:
            self.result.schemas["error"] = alternatives[0]
        elif alternatives:
            codes = [status for status, *_ in self.errors]
            line = self.tree.line(operation, "responses", self.line)
            quote = " … ".join(words for _, _, words, _ in self.errors)
            self.result.schemas["error"] = {"anyOf": alternatives, "x-source": Source(
                self.doc.path, line, quote, "the error bodies of statuses "
                f"{', '.join(codes)} read as one schema: any of them").as_json()}

    def _mentions(self, schema: Any, pointer: str, alternative: str | None
                  ) -> list[ModelMention]:
        """The models the ``model`` enum (or const) names, in the request and in each of its
        alternatives."""
        if not isinstance(schema, dict):
            return []
        found = self._model_words(schema.get("properties", {}).get("model"), alternative)
        for keyword in ("oneOf", "anyOf", "allOf"):
            for index, branch in enumerate(schema.get(keyword, ())):
                at = f"{pointer}/{keyword}/{index}"
                found += self._mentions(branch, at, alternative if keyword == "allOf"
                                        else at)
        return found

    def _model_words(self, model: Any, alternative: str | None) -> list[ModelMention]:
        held = self.reader.sources.get(id(model)) if isinstance(model, dict) else None
        if held is None:
            return []
        written = held[1]
        values = written.get("enum")
        if isinstance(values, list):
            return [ModelInAlternative(value, self.tree.line(values, index, self.line),
                                       "enum", alternative)
                    for index, value in enumerate(values) if isinstance(value, str)]
        if isinstance(written.get("const"), str):
            return [ModelInAlternative(written["const"], self.tree.line(
                written, "const", self.line), "const", alternative)]
        return []

    def _leftover(self, line: int, text: str) -> None:
        self.result.leftovers.append(Span(line, text))

    def _check(self, kind: str, schema: Any) -> None:
        """The 2020-12 meta-schema and what ingest refuses to write, as one line each."""
        try:
            jsonschema_rs.meta.validate(schema)
        except jsonschema_rs.ValidationError as err:
            line = _cited_line(schema, list(err.instance_path), self.line)
            self.doc.fail(line, f"the {kind} schema of {self.result.operation} is not a "
                          f"JSON Schema: {err.message} (at /"
                          f"{'/'.join(map(str, err.instance_path))})")
        if isinstance(schema, dict):
            refuse_unsafe(schema, f"sources/{self.doc.path}")


def _base(media: str) -> str:
    return media.split(";", 1)[0].strip().lower()


def _is_json(media: str) -> bool:
    base = _base(media)
    return base == "application/json" or base.endswith("+json")


def _marked(schema: Any, why: str) -> Any:
    if isinstance(schema, dict) and isinstance(schema.get("x-source"), dict):
        held = schema["x-source"].get("inferred")
        schema["x-source"]["inferred"] = f"{held}; {why}" if held else why
    return schema


def _cited_line(schema: Any, path: list[str | int], default: int) -> int:
    """The line of the deepest node on ``path`` that cites one."""
    line, node = default, schema
    for step in [None, *path]:
        if step is not None:
            node = _child(node, step)
        source = node.get("x-source") if isinstance(node, dict) else None
        if isinstance(source, dict) and isinstance(source.get("line"), int):
            line = source["line"]
        if node is None:
            break
    return line


def _child(node: Any, step: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(str(step))
    if isinstance(node, list) and isinstance(step, int) and step < len(node):
        return node[step]
    return None
