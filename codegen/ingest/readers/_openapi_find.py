"""Where the OpenAPI document is: the whole file, or a fenced block of a page.

Fences follow CommonMark: three or more backticks or tildes, indented at most three spaces,
closed by a run of the same character at least as long (an unclosed fence runs to the end);
the info string's first word names the language (``yaml``, ``yml``, ``json``; Mintlify writes
````` ````yaml post /chat/completions `````). A block is an OpenAPI document when a line of
it, at its left margin, is an ``openapi`` or ``swagger`` key (so a Swagger 2 block is found,
and refused by its version, rather than missed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .._document import SourceDocument

_OPENING = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)")
_KEY = re.compile(r"""^(?:["']?(?:openapi|swagger)["']?[ \t]*:)""", re.M)
_JSON_KEY = re.compile(r'"(?:openapi|swagger)"\s*:')
_LANGUAGES = {"yaml": "yaml", "yml": "yaml", "json": "json"}


@dataclass(frozen=True)
class Block:
    """The OpenAPI document's text, its language and its first and last lines in the file;
    ``others``: further OpenAPI blocks of the page (line, note), which are not read."""

    text: str
    language: str
    first_line: int
    last_line: int
    others: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Fence:
    language: str
    first_line: int  # of the content
    lines: list[str]


def find_block(doc: SourceDocument) -> Block:
    lines = doc.lines
    fences = _fences(lines)
    inside = {number for fence in fences
              for number in range(fence.first_line, fence.first_line + len(fence.lines))}
    if _whole_file(doc.text, lines, inside):
        language = "json" if doc.text.lstrip().startswith("{") else "yaml"
        return Block(doc.text, language, 1, len(lines))
    found = [fence for fence in fences if _is_openapi(fence)]
    if not found:
        doc.fail(1, "no OpenAPI document: neither the file nor a ```yaml or ```json block "
                    "in it has an 'openapi' key")
    first, others = found[0], found[1:]
    return Block("\n".join(first.lines), first.language, first.first_line,
                 first.first_line + max(len(first.lines) - 1, 0),
                 [(fence.first_line - 1, "a further OpenAPI block: not read")
                  for fence in others])


def _whole_file(text: str, lines: list[str], inside: set[int]) -> bool:
    """A JSON object, or YAML with an openapi/swagger key at the margin outside fences."""
    if text.lstrip().startswith("{"):
        return True
    return any(_KEY.match(line) and number not in inside
               for number, line in enumerate(lines, 1))


def _is_openapi(fence: _Fence) -> bool:
    if fence.language == "json":
        return any(_JSON_KEY.search(line) for line in fence.lines)
    return any(_KEY.match(line) for line in fence.lines)


def _fences(lines: list[str]) -> list[_Fence]:
    found = []
    number = 0
    while number < len(lines):
        opening = _OPENING.fullmatch(lines[number])
        number += 1
        if opening is None or (opening.group(2)[0] == "`" and "`" in opening.group(3)):
            continue  # a backtick fence's info string has no backtick (CommonMark)
        indent, run = len(opening.group(1)), opening.group(2)
        info = (opening.group(3).split() or [""])[0]
        closing = re.compile(rf" {{0,3}}{re.escape(run[0])}{{{len(run)},}}[ \t]*")
        start = number
        while number < len(lines) and not closing.fullmatch(lines[number]):
            number += 1
        body = [_dedent(line, indent) for line in lines[start:number]]
        number += 1  # past the closing fence
        language = _LANGUAGES.get(info.lower())
        if language is not None:
            found.append(_Fence(language, start + 1, body))
    return found


def _dedent(line: str, indent: int) -> str:
    """A content line without the fence's indentation (CommonMark removes up to as many
    spaces as the opening fence had)."""
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, indent):]
