"""OpenAPI Schema Objects as JSON Schema 2020-12: every ``$ref`` inlined, every node cited.

OpenAPI 3.0 is a dialect of an older JSON Schema; its forms become 2020-12's:

- ``nullable: true`` adds ``"null"`` to ``type`` and ``null`` to an ``enum`` (OpenAPI 3.0.3
  reads an enum without null as refusing it; the writers of these documents mean "or null").
  On a node without ``type`` (a ``oneOf``), or as ``allOf: [$ref, {nullable: true}]`` (the
  3.0 idiom for a nullable reference, which 3.0's letter would ignore), the node becomes
  ``anyOf: [{"type": "null"}, node]`` where it did not accept null already, marked inferred.
- ``exclusiveMinimum: true`` beside ``minimum: m`` becomes ``exclusiveMinimum: m``.
- ``example`` becomes ``examples: [..]``; ``default``, ``format``, ``title``, ``deprecated``
  stay annotations.
- ``readOnly`` / ``writeOnly`` stay annotations; as 3.0 says, a readOnly member is not
  required in a request and a writeOnly member is not required in a response.
- ``discriminator`` and ``externalDocs`` become the annotations ``x-discriminator`` and
  ``x-externalDocs`` (a discriminator only helps to pick a ``oneOf`` alternative, which
  validation does anyway; its mapping names components and is never resolved); ``xml``
  (XML serialisation) and the document's own ``x-…`` extensions are dropped (so a document
  cannot write our ``x-source`` or ``x-limits``); members beside a ``$ref`` are ignored in
  3.0, as the specification says, and listed as leftovers when they constrain.
- A ``oneOf`` whose alternatives are the same schema (up to annotations) would reject every
  value they accept: they are read as one, marked inferred.

3.1 documents are JSON Schema 2020-12 already: only references, ``example`` and the
annotations above are handled, and a ``$ref`` with members beside it is ``allOf`` of both.

References are followed within the document only (a remote or dangling one is one line naming
its line) and inlined. Recursive references are refused: the rest of wirespec (the error walk,
value strategies, the diff, generated class names) walks self-contained trees, and none of the
documents read needs recursion. Inlining is bounded (a reference bomb is one line).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

import jsonschema_rs

from wirespec._exceptions import DocumentError
from wirespec.validators._schema_walk import CONSTRAINT_KEYWORDS

from .._document import Source, SourceDocument
from .._located_json import loads_located
from .._records import Sample, Span
from ._openapi_located import LocatedTree
from ._openapi_values import (
    ANNOTATIONS,
    Budget,
    constraints_only,
    has_type,
    inlined_size,
    resolve,
    size,
)

MAX_SCHEMA_DEPTH = 100  # nesting of one schema once references are inlined

_SUBSCHEMA = ("items", "additionalProperties", "not", "contains", "propertyNames", "if",
              "then", "else", "unevaluatedItems", "unevaluatedProperties", "contentSchema")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas")
_PLAIN = frozenset({"type", "enum", "const", "multipleOf", "maximum", "minimum",
                    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
                    "maxContains", "minContains", "maxProperties", "minProperties", "required",
                    "dependentRequired", "format", "contentEncoding", "contentMediaType",
                    } | (ANNOTATIONS - {"x-discriminator", "x-externalDocs", "x-source"}))
_RENAMED = {"discriminator": "x-discriminator", "externalDocs": "x-externalDocs"}
# inlined schemas need no names, anchors or definitions of their own
_DROPPED = frozenset({"xml", "$defs", "definitions", "$id", "$schema", "$anchor",
                      "$dynamicAnchor", "$vocabulary"})
_EXCLUSIVE = {"exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"}
_QUOTED = CONSTRAINT_KEYWORDS | {"nullable", "$ref"}
_NULL_ONLY = {"nullable", "description", "title"}
_FRAME = re.compile(r"`(data:[ \t]?([^`\n]{1,200}))`")


@dataclass(frozen=True)
class _At:
    """Where the reader is: the line cited for the node, its depth, the references open."""

    line: int
    depth: int = 0
    trail: tuple[str, ...] = ()


@dataclass
class _Node:
    """One node being converted: the result, the readings that took a judgement, and
    whether the node is nullable (its own ``nullable`` or the allOf idiom)."""

    out: dict[str, Any] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)
    nullable: bool = False


class SchemaReader:
    """Converts the schemas of one document; ``direction`` is ``request`` or ``response``."""

    def __init__(self, tree: LocatedTree, doc: SourceDocument, version: tuple[int, int],
                 budget: Budget) -> None:
        self.tree = tree
        self.doc = doc
        self.version = version
        self.budget = budget
        self.direction = "request"
        # id(converted node) -> (the node, kept alive so its id stays its own; the document's)
        self.sources: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.leftovers: dict[tuple[int, str], Span] = {}
        self.frames: dict[tuple[int, str], Sample] = {}

    # -- entry points -------------------------------------------------------------------

    def read(self, node: Any, line: int, direction: str) -> Any:
        self.direction = direction
        needed = inlined_size(self.tree, self.doc, node, line, self.budget)
        if needed > self.budget.left:
            self._spend(needed, line)  # refused before anything is built
        return self._schema(node, _At(line))

    def fail(self, line: int, reason: str) -> NoReturn:
        self.doc.fail(line, reason)

    def leftover(self, line: int, text: str) -> None:
        self.leftovers.setdefault((line, text), Span(line, text))

    # -- nodes --------------------------------------------------------------------------

    def _schema(self, node: Any, at: _At) -> Any:
        if at.depth > MAX_SCHEMA_DEPTH:
            self.fail(at.line, f"a schema nested deeper than {MAX_SCHEMA_DEPTH} levels once "
                      "its references are inlined")
        self._spend(1, at.line)
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            self.fail(at.line, f"a schema must be a mapping, found {type(node).__name__}")
        if "$ref" in node:
            return self._reference(node, at)
        return self._object(node, at)

    def _object(self, node: dict[str, Any], at: _At) -> dict[str, Any]:
        state = _Node()
        for key, value in node.items():
            if key != "$ref":
                self._keyword(node, key, value, state, at)
        self._exclusive_bounds(node, state, at)
        self._not_required(state)
        self._same_alternatives(state)
        self._enum_outside_type(node, state, at)
        result = self._cited(node, state, at)
        if state.nullable:
            result = self._nullable(node, result, state, at)
        return result

    def _reference(self, node: dict[str, Any], at: _At) -> Any:
        ref_line = self.tree.line(node, "$ref", at.line)
        target, target_line, pointer = resolve(self.tree, self.doc, node["$ref"], ref_line)
        if pointer in at.trail:
            cycle = " -> ".join(p.rsplit("/", 1)[-1] for p in (*at.trail, pointer))
            self.fail(ref_line, f"$ref {node['$ref'][:120]!r} is recursive ({cycle}); "
                      "wirespec inlines references and does not read recursive schemas")
        inner = self._schema(target, _At(target_line, at.depth + 1, (*at.trail, pointer)))
        siblings = [key for key in node if key != "$ref"]
        if not siblings:
            return inner
        if self.version < (3, 1):
            for key in siblings:
                if key in _QUOTED or key in _EXCLUSIVE:
                    self.leftover(self.tree.line(node, key, at.line), f"{key} beside $ref is "
                                  "ignored (OpenAPI 3.0: a reference's other members are)")
            return inner
        beside = self._object(node, at)
        if isinstance(inner, dict) and not CONSTRAINT_KEYWORDS.intersection(beside):
            inner.update((k, v) for k, v in beside.items() if k != "x-source")
            return inner
        beside["allOf"] = [inner, *beside.get("allOf", [])]
        return beside

    def _keyword(self, node: dict[str, Any], key: str, value: Any, state: _Node,
                 at: _At) -> None:
        line = self.tree.line(node, key, at.line)
        deeper = _At(line, at.depth + 1, at.trail)
        if key in _SUBSCHEMA:
            self._subschema(key, value, state, deeper)
        elif key in _SUBSCHEMA_LISTS:
            self._alternatives(key, value, state, deeper)
        elif key in _SUBSCHEMA_MAPS:
            self._members(key, value, state, deeper)
        elif key == "nullable":
            self._nullable_mark(value, state, line)
        elif key in _EXCLUSIVE and isinstance(value, bool):
            pass  # OpenAPI 3.0's boolean form: read with its bound (_exclusive_bounds)
        elif key in _PLAIN or key in _EXCLUSIVE:
            self._spend(size(value), line)
            state.out[key] = copy.deepcopy(value)
            if key == "description" and isinstance(value, str) and "data:" in value:
                self._stream_frames(node, value)
        elif key == "example":
            state.out["examples"] = [*state.out.get("examples", []), copy.deepcopy(value)]
        elif key in _RENAMED:
            state.out[_RENAMED[key]] = copy.deepcopy(value)
        elif key in ("$dynamicRef", "$recursiveRef"):
            self.fail(line, f"{key} (a dynamic reference) is not read")
        elif key not in _DROPPED and not key.startswith("x-"):
            self.leftover(line, f"{key[:80]}: not a schema keyword, not read")

    def _subschema(self, key: str, value: Any, state: _Node, at: _At) -> None:
        if key == "items" and isinstance(value, list):  # the older tuple form
            self._alternatives("prefixItems", value, state, at)
            return
        state.out[key] = self._schema(value, at)

    def _alternatives(self, key: str, value: Any, state: _Node, at: _At) -> None:
        if not isinstance(value, list):
            self.fail(at.line, f"{key} must be a list of schemas")
        indices = list(range(len(value)))
        if key == "allOf" and self.version < (3, 1):
            indices = [index for index in indices if not _only_nullable(value[index])]
            if len(indices) < len(value):
                state.nullable = True
                state.inferred.append("allOf with a branch that only says nullable: true "
                                      "(OpenAPI 3.0's nullable reference) read as: the "
                                      "other branches, or null")
            if not indices:
                return
        state.out[key] = [
            self._schema(value[index], _At(self.tree.line(value, index, at.line), at.depth,
                                           at.trail))
            for index in indices]

    def _members(self, key: str, value: Any, state: _Node, at: _At) -> None:
        if not isinstance(value, dict):
            self.fail(at.line, f"{key} must map names to schemas")
        state.out[key] = {
            name: self._schema(sub, _At(self.tree.line(value, name, at.line), at.depth,
                                        at.trail))
            for name, sub in value.items()}

    def _nullable_mark(self, value: Any, state: _Node, line: int) -> None:
        if self.version >= (3, 1):
            self.leftover(line, "nullable: not a keyword of OpenAPI 3.1 (JSON Schema), "
                                "not read")
        elif not isinstance(value, bool):
            self.leftover(line, f"nullable: {value!r} is not a boolean, not read")
        elif value:
            state.nullable = True

    def _stream_frames(self, node: dict[str, Any], description: str) -> None:
        """Server-sent event lines a description prints in code (`data: [DONE]`), as
        samples of the stream: the schemas cannot say how a stream ends, the words can."""
        place = self.tree.place(node, "description")
        first, last = (place.line, place.last_line) if place else (self.tree.first_line,) * 2
        lines = self.tree.document_lines(self.doc.text)
        for match in _FRAME.finditer(description):
            frame = match.group(1)
            line = next((number for number in range(first, min(last, len(lines)) + 1)
                         if frame in lines[number - 1]), first)
            try:
                value = loads_located(match.group(2), path=self.doc.path).value
            except DocumentError:
                value = None  # not JSON: a terminator such as [DONE]
            self.frames.setdefault((line, frame), Sample("stream", line, frame, value))

    # -- after the keywords ---------------------------------------------------------------

    def _exclusive_bounds(self, node: dict[str, Any], state: _Node, at: _At) -> None:
        for exclusive, bound in _EXCLUSIVE.items():
            flag = node.get(exclusive)
            if flag is not True:
                continue
            if bound in state.out:
                state.out[exclusive] = state.out.pop(bound)
            else:
                self.leftover(self.tree.line(node, exclusive, at.line),
                              f"{exclusive}: true without {bound}: nothing to exclude")

    def _not_required(self, state: _Node) -> None:
        """OpenAPI 3.0: readOnly members are not required in requests, writeOnly ones are
        not required in responses."""
        required, members = state.out.get("required"), state.out.get("properties")
        if self.version >= (3, 1) or not isinstance(required, list) \
                or not isinstance(members, dict):
            return
        flag = "readOnly" if self.direction == "request" else "writeOnly"
        dropped = [name for name in required
                   if isinstance(members.get(name), dict) and members[name].get(flag) is True]
        if dropped:
            state.out["required"] = [name for name in required if name not in dropped]
            state.inferred.append(f"{flag} members not required in a {self.direction} "
                                  f"(OpenAPI 3.0): {', '.join(dropped)}")

    def _same_alternatives(self, state: _Node) -> None:
        alternatives = state.out.get("oneOf")
        if not isinstance(alternatives, list):
            return
        seen: dict[str, int] = {}
        kept = []
        for index, alternative in enumerate(alternatives):
            shape = json.dumps(constraints_only(alternative), sort_keys=True)
            if shape in seen:
                state.inferred.append(f"oneOf alternative {index + 1} is alternative "
                                      f"{seen[shape] + 1} again (up to annotations): a oneOf "
                                      "would reject every value they accept; read as one")
                continue
            seen[shape] = index
            kept.append(alternative)
        state.out["oneOf"] = kept

    def _enum_outside_type(self, node: dict[str, Any], state: _Node, at: _At) -> None:
        """An enum none of whose values has the node's type accepts nothing: kept as
        written (the law), and listed, since the document cannot mean it."""
        values, declared = state.out.get("enum"), state.out.get("type")
        types = [declared] if isinstance(declared, str) else declared
        if isinstance(values, list) and values and isinstance(types, list) \
                and not any(has_type(value, types) for value in values):
            self.leftover(self.tree.line(node, "enum", at.line), "no enum value is of the "
                          f"type {'/'.join(map(str, types))}: the node accepts no value")

    def _cited(self, node: dict[str, Any], state: _Node, at: _At) -> dict[str, Any]:
        quote = self._quote(node)
        source = Source(self.doc.path, at.line, quote, "; ".join(state.inferred) or None)
        state.out["x-source"] = source.as_json()
        self.sources[id(state.out)] = (state.out, node)
        return state.out

    def _quote(self, node: dict[str, Any]) -> str:
        words = [self.tree.words(node, key, name_only=key in _SUBSCHEMA_LISTS or (
            key in _SUBSCHEMA and isinstance(node[key], dict | list))) for key in node
            if key in _QUOTED]
        return (" … " if self.tree.yaml_words else ", ").join(words)

    def _nullable(self, node: dict[str, Any], out: dict[str, Any], state: _Node,
                  at: _At) -> dict[str, Any]:
        if isinstance(out.get("type"), str | list):
            types = [out["type"]] if isinstance(out["type"], str) else out["type"]
            out["type"] = types if "null" in types else [*types, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        if "const" in out and out["const"] is not None:
            out["enum"] = [out.pop("const"), None]
        if _accepts_null(out):
            return out
        annotations = {k: v for k, v in out.items() if k in ANNOTATIONS - {"x-source"}}
        inner = {k: v for k, v in out.items() if k not in annotations}
        source = Source(self.doc.path, at.line, self._quote(node),
                        "nullable read as: null, or the node as written")
        outer = {**annotations, "anyOf": [{"type": "null", "x-source": source.as_json()},
                                          inner], "x-source": source.as_json()}
        self.sources[id(outer)] = (outer, node)
        return outer

    def _spend(self, amount: int, line: int) -> None:
        self.budget.left -= amount
        if self.budget.left < 0:
            self.fail(line, f"the schemas read grow past {self.budget.granted:,} nodes once their "
                      "references are inlined (a reference bomb?)")


def _only_nullable(branch: Any) -> bool:
    return isinstance(branch, dict) and branch.get("nullable") is True \
        and set(branch) <= _NULL_ONLY


def _accepts_null(schema: dict[str, Any]) -> bool:
    try:
        engine = jsonschema_rs.validator_for(schema, offline=True,
                                             pattern_options=jsonschema_rs.RegexOptions())
    except (jsonschema_rs.ValidationError, ValueError):
        return True  # not a schema: the meta-schema check names it; no wrapping here
    return bool(engine.is_valid(None))
