"""Type words -> a JSON Schema type fragment: `float`, `List`, `list[list[int]]`, `object[]`,
`enum<string>`, `string | null`, `string 或 array`, `str/list[str]`, `number<float>`,
`(System message · object | User message · object)[]`. A small recursive-descent parser over
a token list (nesting bounded), so no words make it loop or recurse without end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._text import normalise

NAMES = {
    "string": "string", "str": "string", "text": "string", "char": "string",
    "number": "number", "float": "number", "double": "number", "decimal": "number",
    "integer": "integer", "int": "integer", "long": "integer", "int32": "integer",
    "int64": "integer", "uint64": "integer",
    "boolean": "boolean", "bool": "boolean",
    "object": "object", "dict": "object", "map": "object", "json": "object",
    "array": "array", "list": "array", "tuple": "array",
    "null": "null", "none": "null", "nonetype": "null",
}
FORMATS = frozenset({"int32", "int64", "float", "double", "binary", "byte", "date-time",
                     "uri", "uuid", "date"})
ALTERNATIVES = ("|", "或", "/", "or")
DEEPEST = 16


@dataclass(frozen=True)
class TypeReading:
    """What the type words say: ``schema`` (a JSON Schema fragment), ``json_type`` (the one
    type the constraint grammar reads values as, None when the words allow several), and
    ``unknown`` (the words not understood; the fragment then says nothing of them)."""

    words: str
    schema: dict[str, Any]
    json_type: str | None
    unknown: tuple[str, ...] = field(default=())


def _tokens(words: str) -> list[str]:
    text = normalise(words).text
    tokens: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace() or char in "·,":
            i += 1
        elif text.startswith("[]", i):
            tokens.append("[]")
            i += 2
        elif char in "[]()<>|/或":
            tokens.append(char)
            i += 1
        else:
            stop = i
            while stop < len(text) and not text[stop].isspace() and text[stop] not in \
                    "[]()<>|/或·,":
                stop += 1
            tokens.append(text[i:stop])
            i = stop
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.at = 0
        self.unknown: list[str] = []

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def union(self, depth: int) -> dict[str, Any]:
        alternatives = [self.postfix(depth)]
        while (token := self.peek()) is not None and token.lower() in ALTERNATIVES:
            self.take()
            alternatives.append(self.postfix(depth))
        return _union(alternatives)

    def postfix(self, depth: int) -> dict[str, Any]:
        schema = self.format(self.primary(depth))
        while self.peek() == "[]":
            self.take()
            schema = {"type": "array", "items": schema} if schema else {"type": "array"}
        return schema

    def format(self, schema: dict[str, Any]) -> dict[str, Any]:
        """`integer (int64)`, `integer format: int64`: a format after the type."""
        rest = self.tokens[self.at:self.at + 3]
        if rest[:1] == ["("] and len(rest) == 3 and rest[2] == ")" and rest[1] in FORMATS:
            self.at += 3
            return {**schema, "format": rest[1]}
        if rest and rest[0].lower() in ("format:", "format") and len(rest) > 1 \
                and rest[1].lower() in FORMATS:
            self.at += 2
            return {**schema, "format": rest[1].lower()}
        return schema

    def primary(self, depth: int) -> dict[str, Any]:
        token = self.peek()
        if token is None or depth > DEEPEST:
            return {}
        if token == "(":
            self.take()
            inner = self.union(depth + 1)
            if self.peek() == ")":
                self.take()
            return inner
        self.take()
        return self.named(token, depth)

    def named(self, token: str, depth: int) -> dict[str, Any]:
        name = token.lower()
        if name == "enum" or name not in NAMES:
            words = [token]
            while self.peek() not in (None, "|", "或", "/", ")", "[]", "<", "[", "]"):
                words.append(self.take())
            if name != "enum" and not any(word.lower() in NAMES for word in words):
                self.unknown.append(" ".join(words))
                return {}
            if name != "enum":
                return self.named(next(w for w in words if w.lower() in NAMES), depth)
        schema: dict[str, Any] = {"type": NAMES[name]} if name in NAMES else {}
        if self.peek() == "<":
            schema = self.angle(schema, depth)
        elif self.peek() == "[" and schema.get("type") == "array":
            self.take()
            schema["items"] = self.union(depth + 1)
            if self.peek() == "]":
                self.take()
        return schema

    def angle(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        """`enum<string>` (the type of the members), `number<float>` (a format)."""
        self.take()
        inner = self.union(depth + 1)
        if self.peek() == ">":
            self.take()
        if not schema:  # enum<string>
            return inner
        fmt = self.tokens[self.at - 2].lower() if self.at >= 2 else ""
        if fmt in FORMATS and inner.get("type") in ("number", "integer", "string"):
            return {**schema, "format": fmt}
        return schema


def _union(alternatives: list[dict[str, Any]]) -> dict[str, Any]:
    unique: list[dict[str, Any]] = []
    for alternative in alternatives:
        if alternative not in unique:
            unique.append(alternative)
    if len(unique) == 1:
        return unique[0]
    if all(set(a) == {"type"} and isinstance(a["type"], str) for a in unique):
        return {"type": [a["type"] for a in unique]}
    if any(not a for a in unique):
        return {}
    return {"anyOf": unique}


def _json_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, str):
        return kind
    if isinstance(kind, list):
        others = [k for k in kind if k != "null"]
        return others[0] if len(others) == 1 else None
    return None


def read_type(words: str) -> TypeReading:
    """The JSON Schema fragment the type words say.

    Examples::

        float             => {"type": "number"}
        String            => {"type": "string"}
        List              => {"type": "array"}
        list[str]         => {"type": "array", "items": {"type": "string"}}
        list[list[int]]
            => {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}
        object[]          => {"type": "array", "items": {"type": "object"}}
        enum<string>      => {"type": "string"}
        string | null     => {"type": ["string", "null"]}
        string 或 array   => {"type": ["string", "array"]}
        str/list[str]
            => {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
        number<float>     => {"type": "number", "format": "float"}
        integer<int64>    => {"type": "integer", "format": "int64"}
        integer format: int64  => {"type": "integer", "format": "int64"}
        (System message · object | User message · object)[]
            => {"type": "array", "items": {"type": "object"}}
    """
    parser = _Parser(_tokens(words))
    schema = parser.union(0)
    if parser.at < len(parser.tokens):
        parser.unknown.append(" ".join(parser.tokens[parser.at:]))
    return TypeReading(words, schema, _json_type(schema), tuple(parser.unknown))
