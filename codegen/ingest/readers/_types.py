"""Type words and the flags fused to them, as Mintlify renders an entry's head.

``parameters.temperaturenumber``, ``enum<string> default"text"``, ``integerdefault:1required``:
the type is found by its words (the JSON Schema and OpenAPI vocabulary the renderers print),
the flags by theirs. Positions are returned, never rewritten text, so every span stays a
substring of its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# longer words first: alternation takes the first that matches ("integer" before "int")
_WORD = (r"(?:enum<[A-Za-z]+>|string|integer|number|boolean|object|array|null|any|file|map"
         r"|float|int|bool|dict|list)(?:<[A-Za-z]+>)?(?:\[\])*")
_GROUP = r"\([^()\n]{1,400}\)(?:\[\])+"  # (System message · object | User message · object)[]
_ONE = rf"(?:{_WORD}|{_GROUP})"
TYPE = re.compile(rf"{_ONE}(?: ?\| ?{_ONE})*")

# the Chinese pages' type cell: ``string``, ``string 或 array``, ``Array``, ``int``
ZH_TYPE = (r"(?:string|integer|int|float|double|number|boolean|bool|array|object|map|list|dict)"
           r"(?:\[\])?")
ZH_TYPE_CELL = re.compile(rf"(?i){ZH_TYPE}(?:\s*或\s*{ZH_TYPE})*")

_FLAGS = ("required", "deprecated", "header", "query", "path")


@dataclass
class Head:
    """Where, in a line, an entry's type and flags are (start, end columns)."""

    type: tuple[int, int] | None = None
    flags: dict[str, tuple[int, int]] = field(default_factory=dict)  # required, default, …
    end: int = 0  # where the description starts


def _boundary(text: str, at: int) -> bool:
    return at >= len(text) or text[at].isspace()


def _default_end(text: str, start: int) -> int:
    """The end of a fused default value: ``"text"``, ``{"type":"text"}``, ``[..]``, ``0.7``."""
    if start >= len(text):
        return start
    opener = text[start]
    if opener == '"':
        at = start + 1
        while at < len(text) and text[at] != '"':
            at += 2 if text[at] == "\\" else 1
        return min(at + 1, len(text))
    if opener in "[{":
        return _balanced_end(text, start)
    at = start
    while at < len(text) and not text[at].isspace():
        at += 1
    return at


def _balanced_end(text: str, start: int, limit: int = 2000) -> int:
    depth, at, quoted = 0, start, False
    stop = min(len(text), start + limit)
    while at < stop:
        char = text[at]
        if quoted:
            if char == "\\":
                at += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return at + 1
        at += 1
    return stop


def spaced_flags(text: str, start: int) -> Head:
    """The type and space-separated flags at ``start`` (Mintlify flattened:
    ``enum<string> required``, ``boolean defaultfalse``, ``string header required``)."""
    head = Head(end=start)
    found = TYPE.match(text, start)
    if not found or not _boundary(text, found.end()):
        return head
    head.type = (found.start(), found.end())
    at = found.end()
    while True:
        word = at
        while word < len(text) and text[word] == " ":
            word += 1
        flag = next((f for f in _FLAGS if text.startswith(f, word)
                     and _boundary(text, word + len(f))), None)
        if flag:
            head.flags[flag] = (word, word + len(flag))
            at = word + len(flag)
        elif text.startswith("default", word):
            end = _default_end(text, word + len("default"))
            if end == word + len("default") or not _boundary(text, end):
                break
            head.flags["default"] = (word, end)
            at = end
        else:
            break
    head.end = at
    return head


def fused_line(text: str) -> Head | None:
    """A whole line of type and fused flags (Mintlify rendered one cell per line:
    ``integerdefault:1required``, ``stringheaderrequired``, ``number<float>default:0.7``,
    ``required`` alone after a type line), or None when the line is anything else."""
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    head = Head(end=end)
    if text[start:end] in ("required", "deprecated", "default:"):
        head.flags[text[start:end].rstrip(":")] = (start, end)
        return head
    found = TYPE.match(text, start)
    if not found:
        return None
    head.type = (found.start(), found.end())
    at = found.end()
    if text.startswith("header", at):
        head.flags["header"] = (at, at + len("header"))
        at += len("header")
    if text.startswith("default:", at):
        value_end = end
        if text[:end].endswith("required") and end - len("required") > at + len("default:"):
            value_end = end - len("required")
            head.flags["required"] = (value_end, end)
        head.flags["default"] = (at, value_end)
        return head
    rest = text[at:end]
    if rest in ("", "required", "deprecated"):
        if rest:
            head.flags[rest] = (at, end)
        return head
    return None
