"""An OpenAPI document's data with the place of every member: its line and its words.

YAML is read with ``load_yaml`` (bounded aliases, no code) and then built again from its node
graph with the JSON Schema ruleset of YAML 1.2, which OpenAPI 3.x recommends: ``1e5`` is a
number (YAML 1.1 reads a string), ``2024-01-01`` and ``yes`` are strings (YAML 1.1 reads a
date and a boolean, and a date is not JSON), mapping keys are their text (``200:`` is the key
"200"), and a value JSON cannot hold (``1e400``, ``.nan``, ``!!binary``) or a key written twice
is one clear line. JSON is read with ``loads_located``. Both give a :class:`LocatedTree`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

import yaml

from wirespec._exceptions import DocumentError
from wirespec.validators._schema_walk import escape

from .._located_json import loads_located
from .._yaml import load_yaml

_MAX_DEPTH = 200  # as the JSON parser: far past any real document, far below the stack
_MAX_NUMBER_CHARS = 400
_MAX_WORDS = 200  # a quote longer than this is cut, with "…"
_TAG = "tag:yaml.org,2002:"
_JSON_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")}
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
         "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_OCTAL = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_EXPLICIT: dict[str, type] = {f"{_TAG}int": int, f"{_TAG}float": float, f"{_TAG}bool": bool,
                              f"{_TAG}null": type(None)}
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Place:
    """Where a member (or an array item) is written: its first line, its last line and its
    words as written (whitespace runs as one space; None for JSON, whose words are rendered
    from the value)."""

    line: int
    last_line: int
    words: str | None = None


@dataclass
class LocatedTree:
    """A document's data; ``place(container, key)`` says where a member is written.

    Containers are found by identity: a YAML alias gives the same object at every use, and
    its members keep the place of the anchored original (where they are written).
    """

    root: Any
    first_line: int
    yaml_words: bool
    members: dict[int, dict[str | int, Place]] = field(default_factory=dict)
    _lines: list[str] | None = field(default=None, repr=False)

    def document_lines(self, text: str) -> list[str]:
        """The file's lines (``text`` split once per document, not once per use)."""
        if self._lines is None:
            self._lines = text.split("\n")
        return self._lines

    def place(self, container: Any, key: str | int) -> Place | None:
        return self.members.get(id(container), {}).get(key)

    def line(self, container: Any, key: str | int, default: int) -> int:
        found = self.place(container, key)
        return found.line if found else default

    def words(self, container: dict[str, Any], key: str, *, name_only: bool = False) -> str:
        """The member as written: ``maximum: 32768`` (YAML), ``"maximum": 32768`` (JSON);
        with ``name_only`` (a keyword holding subschemas, which cite themselves) the YAML
        words stop after the key."""
        found = self.place(container, key)
        value = container[key]
        if found is not None and found.words is not None:
            return _cut(found.words[:found.words.find(":", len(key)) + 1] if name_only
                        else found.words)
        if key in ("oneOf", "anyOf", "allOf") and isinstance(value, list):
            rendered = f"[{len(value)} alternatives]"  # as quote_constraints writes them
        elif isinstance(value, dict):
            rendered = "{...}"
        else:
            rendered = json.dumps(value, ensure_ascii=False)
        return _cut(f'"{key}": {rendered}')


def _cut(words: str) -> str:
    return words if len(words) <= _MAX_WORDS else words[:_MAX_WORDS - 1].rstrip() + "…"


def load_json_tree(text: str, *, path: str, first_line: int) -> LocatedTree:
    located = loads_located(text, path=path, first_line=first_line)
    tree = LocatedTree(located.value, first_line, yaml_words=False)
    stack: list[tuple[Any, str]] = [(located.value, "")]
    while stack:
        value, pointer = stack.pop()
        if isinstance(value, dict):
            keys: list[str | int] = list(value)
            children = list(value.values())
        elif isinstance(value, list):
            keys, children = list(range(len(value))), value
        else:
            continue
        places = tree.members.setdefault(id(value), {})
        for key, child in zip(keys, children, strict=True):
            child_pointer = f"{pointer}/{escape(key)}"
            line = located.lines.get(child_pointer, first_line)
            places[key] = Place(line, line)
            stack.append((child, child_pointer))
    return tree


def load_yaml_tree(text: str, *, path: str, first_line: int) -> LocatedTree:
    _data, node = load_yaml(text, path=path, first_line=first_line)
    builder = _YamlBuilder(text, path, first_line)
    root = builder.build(node, 0) if node is not None else None
    tree = LocatedTree(root, first_line, yaml_words=True)
    tree.members = builder.members
    return tree


class _YamlBuilder:
    """JSON data from a composed YAML node graph (YAML 1.2, JSON Schema ruleset)."""

    def __init__(self, text: str, path: str, first_line: int) -> None:
        self.text = text
        self.path = path
        self.first_line = first_line
        self.members: dict[int, dict[str | int, Place]] = {}
        self.built: dict[int, Any] = {}
        self.implicit = yaml.resolver.Resolver()

    def fail(self, node: yaml.Node, reason: str) -> NoReturn:
        raise DocumentError(self.path, self.first_line + node.start_mark.line, reason)

    def build(self, node: yaml.Node, depth: int) -> Any:
        if id(node) in self.built:
            return self.built[id(node)]
        if depth > _MAX_DEPTH:
            self.fail(node, f"nested deeper than {_MAX_DEPTH} levels")
        if node.tag not in _JSON_TAGS and not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"a YAML value tagged {node.tag!r} is not JSON")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, depth)
        assert isinstance(node, yaml.ScalarNode)  # the composer makes no other kind
        value = self._scalar(node)
        self.built[id(node)] = value
        return value

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        self.built[id(node)] = result
        places = self.members.setdefault(id(result), {})
        written: set[str] = set()  # keys written here; a merge key's ones may be overridden
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if self._own(node, key_node):
                if key in written:
                    self.fail(key_node, f"the key {key[:80]!r} is written twice in one "
                                        "mapping")
                written.add(key)
            result[key] = self.build(value_node, depth + 1)
            places[key] = self._place(key_node, value_node)
        return result

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> list[Any]:
        result: list[Any] = []
        self.built[id(node)] = result
        places = self.members.setdefault(id(result), {})
        for index, child in enumerate(node.value):
            result.append(self.build(child, depth + 1))
            places[index] = self._place(child, child)
        return result

    def _key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, "a mapping key that is not a plain string (OpenAPI keys are "
                            "strings)")
        return self._text(node, node.value)

    @staticmethod
    def _own(mapping: yaml.Node, key_node: yaml.Node) -> bool:
        """Whether a key is written inside this mapping (not brought in by a merge key)."""
        return bool(mapping.start_mark.index <= key_node.start_mark.index
                    <= mapping.end_mark.index)

    def _place(self, first: yaml.Node, last: yaml.Node) -> Place:
        start, end = first.start_mark.index, last.end_mark.index
        if end < start:  # an alias: its words are the anchor's, elsewhere; quote this line
            end = self.text.find("\n", start)
            end = len(self.text) if end < 0 else end
        words = _SPACES.sub(" ", self.text[start:min(end, start + 4 * _MAX_WORDS)]).strip()
        return Place(self.first_line + first.start_mark.line,
                     self.first_line + max(first.start_mark.line, last.end_mark.line), words)

    def _text(self, node: yaml.Node, text: str) -> str:
        if not text.isascii() and _SURROGATE.search(text):
            self.fail(node, "a lone surrogate escape in a string (not Unicode text)")
        return text

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        text = node.value
        if node.style is not None:  # quoted or a block scalar: a string
            if node.tag != f"{_TAG}str":
                self.fail(node, f"a quoted YAML value tagged {node.tag!r}")
            return self._text(node, text)
        implicit = self.implicit.resolve(  # type: ignore[no-untyped-call]
            yaml.ScalarNode, text, (True, False))
        if node.tag == implicit:
            return self._plain(node, text)
        if node.tag == f"{_TAG}str":
            return self._text(node, text)
        value = self._plain(node, text)
        if node.tag == f"{_TAG}float" and type(value) is int:
            return float(value)
        if type(value) is _EXPLICIT.get(node.tag):
            return value
        self.fail(node, f"the YAML value {text[:40]!r} tagged {node.tag!r} is not JSON")

    def _plain(self, node: yaml.ScalarNode, text: str) -> Any:
        """A plain scalar by YAML 1.2's JSON Schema ruleset (the core schema's forms)."""
        if _NULL.fullmatch(text):
            return None
        if text in _BOOL:
            return _BOOL[text]
        if _INT.fullmatch(text) or _OCTAL.fullmatch(text) or _HEX.fullmatch(text):
            return self._integer(node, text)
        if _FLOAT.fullmatch(text) or _SPECIAL_FLOAT.fullmatch(text):
            return self._float(node, text)
        return self._text(node, text)

    def _integer(self, node: yaml.Node, text: str) -> int:
        if len(text) > _MAX_NUMBER_CHARS:
            self.fail(node, f"a number of {len(text):,} characters")
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text)

    def _float(self, node: yaml.Node, text: str) -> float:
        if _SPECIAL_FLOAT.fullmatch(text):
            self.fail(node, f"{text} is not a finite number (JSON cannot hold it)")
        if len(text) > _MAX_NUMBER_CHARS:
            self.fail(node, f"a number of {len(text):,} characters")
        value = float(text)
        if not math.isfinite(value):
            self.fail(node, f"the number {text[:40]} is beyond a float (JSON cannot hold it)")
        return value
