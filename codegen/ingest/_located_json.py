"""JSON parsing that remembers where each value starts, so provenance can cite a line.

The values are exactly what :func:`json.loads` would return (strings are decoded with the
standard library's own scanner); alongside, every value's JSON Pointer maps to its 1-based
line in the document.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

from wirespec._exceptions import DocumentError
from wirespec.validators._schema_walk import escape

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\.)*"')
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_MAX_DEPTH = 200
_MAX_NUMBER_CHARS = 400  # far past any bound a document states, far below int()'s limit
_NEWLINE = re.compile("\n")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class LocatedJSON:
    value: Any
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, pointer: str) -> int:
        """The line where the value at ``pointer`` starts (its key's line for members)."""
        return self.lines[pointer]


def loads_located(text: str, *, path: str, first_line: int = 1) -> LocatedJSON:
    """Parse ``text`` (which starts at ``first_line`` of ``path``) as one JSON value."""
    parser = _Parser(text, path, first_line)
    value = parser.parse()
    return LocatedJSON(value, parser.lines)


class _Parser:
    def __init__(self, text: str, path: str, first_line: int) -> None:
        self.text = text
        self.path = path
        self.first_line = first_line
        self.lines: dict[str, int] = {}
        # where each line starts: a position's line is a binary search, not a count from 0
        self._line_starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]

    def parse(self) -> Any:
        end, value = self._value(self._skip(0), "", 0)
        end = self._skip(end)
        if end != len(self.text):
            self._fail(end, "unexpected text after the JSON value")
        return value

    def _line(self, pos: int) -> int:
        return self.first_line + bisect.bisect_right(self._line_starts, pos) - 1

    def _fail(self, pos: int, reason: str) -> NoReturn:
        raise DocumentError(self.path, self._line(pos), f"invalid JSON: {reason}")

    def _skip(self, pos: int) -> int:
        match = _WHITESPACE.match(self.text, pos)
        assert match is not None
        return match.end()

    def _value(self, pos: int, pointer: str, depth: int) -> tuple[int, Any]:
        if depth > _MAX_DEPTH:
            self._fail(pos, f"nested deeper than {_MAX_DEPTH} levels")
        self.lines.setdefault(pointer, self._line(pos))
        if pos >= len(self.text):
            self._fail(pos, "the document ends where a value was expected")
        char = self.text[pos]
        if char == "{":
            return self._object(pos + 1, pointer, depth)
        if char == "[":
            return self._array(pos + 1, pointer, depth)
        if char == '"':
            return self._string(pos)
        for literal, value in _LITERALS.items():
            if self.text.startswith(literal, pos):
                return pos + len(literal), value
        match = _NUMBER.match(self.text, pos)
        if match:
            return match.end(), self._number(pos, match)
        self._fail(pos, f"unexpected character {char!r}")

    def _number(self, pos: int, match: re.Match[str]) -> int | float:
        text = match.group()
        if len(text) > _MAX_NUMBER_CHARS:
            self._fail(pos, f"a number of {len(text):,} characters")
        value = float(text) if match.group(1) or match.group(2) else int(text)
        if isinstance(value, float) and not math.isfinite(value):
            self._fail(pos, f"the number {text[:40]} is beyond a float (it would be written "
                       "as Infinity, which is not JSON)")
        return value

    def _string(self, pos: int) -> tuple[int, str]:
        match = _STRING.match(self.text, pos)
        if match is None:
            self._fail(pos, "unterminated string or control character in a string")
        try:
            value = json.loads(match.group())
        except json.JSONDecodeError as err:
            self._fail(pos, err.msg)
        assert isinstance(value, str)
        if not value.isascii() and _SURROGATE.search(value):
            self._fail(pos, "a lone surrogate escape in a string (not Unicode text)")
        return match.end(), value

    def _object(self, pos: int, pointer: str, depth: int) -> tuple[int, dict[str, Any]]:
        result: dict[str, Any] = {}
        pos = self._skip(pos)
        if self.text.startswith("}", pos):
            return pos + 1, result
        while True:
            if not self.text.startswith('"', pos):
                self._fail(pos, "expected a quoted member name")
            key_pos = pos
            pos, key = self._string(pos)
            if key in result:
                self._fail(key_pos, f"duplicate member name {key!r}")
            child = f"{pointer}/{escape(key)}"
            self.lines[child] = self._line(key_pos)
            pos = self._skip(pos)
            if not self.text.startswith(":", pos):
                self._fail(pos, "expected ':' after a member name")
            pos, result[key] = self._value(self._skip(pos + 1), child, depth + 1)
            pos = self._skip(pos)
            if self.text.startswith(",", pos):
                pos = self._skip(pos + 1)
                continue
            if self.text.startswith("}", pos):
                return pos + 1, result
            self._fail(pos, "expected ',' or '}' in an object")

    def _array(self, pos: int, pointer: str, depth: int) -> tuple[int, list[Any]]:
        result: list[Any] = []
        pos = self._skip(pos)
        if self.text.startswith("]", pos):
            return pos + 1, result
        while True:
            pos, item = self._value(pos, f"{pointer}/{len(result)}", depth + 1)
            result.append(item)
            pos = self._skip(pos)
            if self.text.startswith(",", pos):
                pos = self._skip(pos + 1)
                continue
            if self.text.startswith("]", pos):
                return pos + 1, result
            self._fail(pos, "expected ',' or ']' in an array")
