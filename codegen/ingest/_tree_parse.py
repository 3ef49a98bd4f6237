"""Cloudflare's rendered parameter tree, read back into nodes.

Two renderings of the same tree exist:

* **bulleted** (seed 002): ``• name type [min N] [max N] [default V]`` lines, nested by
  indentation, each followed by its description on the next indented line;
* **flat** (seed 001): the same tree with its indentation lost. Each entry is ``-`` then the
  name line then ``type … Description`` glued on one line; every nested list ends with one
  ``-`` (the outermost list does not), and a ``-`` may be glued to the end of a type line.

In the flat form ``- name`` after an object is either its first property or its next
sibling; only the count of closing ``-`` further on tells which, so the parser backtracks
and keeps the one reading that accounts for every line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ._document import SourceDocument

TYPE_WORDS = ("string", "number", "integer", "boolean", "object", "array", "null")
_TYPE_LINE = re.compile(r"^(?P<type>" + "|".join(TYPE_WORDS) + r")(?![a-z])(?P<rest>.*)$", re.S)
_CONSTRAINT = re.compile(r"^\s*(?P<key>min|max|default)\s+(?P<value>-?\d+(?:\.\d+)?|true|false)")
_BULLET = re.compile(r"^(?P<indent>\s*)•\s*(?P<text>.*)$")


@dataclass
class TreeNode:
    name: str
    line: int
    header: str  # the words the document uses for the node's type and limits
    type: str | None = None
    constraints: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    children: list[TreeNode] = field(default_factory=list)


def split_type_line(text: str) -> tuple[str | None, dict[str, str], str]:
    """``"number default 0.6 min 0 max 5Controls…"`` -> type, constraints, description."""
    match = _TYPE_LINE.match(text.strip())
    if not match:
        return None, {}, text.strip()
    rest = match.group("rest")
    constraints: dict[str, str] = {}
    while found := _CONSTRAINT.match(rest):
        constraints[found.group("key")] = found.group("value")
        rest = rest[found.end():]
    return match.group("type"), constraints, rest.strip()


def section_bounds(doc: SourceDocument, title: str, ends: tuple[str, ...]) -> tuple[int, int]:
    """Line numbers ``(first, last)`` strictly between a line ``title`` and the next end marker."""
    lines = [line.strip() for line in doc.lines]
    try:
        start = lines.index(title) + 1
    except ValueError:
        doc.fail(None, f"no {title!r} section in the parameter tree")
    for number in range(start, len(lines)):
        if lines[number] in ends:
            return start + 1, number
    return start + 1, len(lines)


# -- bulleted ---------------------------------------------------------------------------

def parse_bulleted(doc: SourceDocument, first: int, last: int) -> list[TreeNode]:
    roots: list[TreeNode] = []
    stack: list[tuple[int, TreeNode]] = []
    for number in range(first, last + 1):
        raw = doc.line(number)
        bullet = _BULLET.match(raw)
        if bullet is None:
            if raw.strip() and stack:
                node = stack[-1][1]
                node.description = " ".join(filter(None, [node.description, raw.strip()]))
            continue
        indent = len(bullet.group("indent"))
        name, _, header = bullet.group("text").strip().partition(" ")
        kind, constraints, leftover = split_type_line(header)
        if leftover and kind is None:
            doc.fail(number, f"cannot read the type of {name!r} from {header!r}")
        node = TreeNode(name, number, bullet.group("text").strip(), kind, constraints)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(node)
        stack.append((indent, node))
    if not roots:
        doc.fail(first, "the parameter tree is empty")
    return roots


# -- flat -------------------------------------------------------------------------------

DASH = "-"


@dataclass(frozen=True)
class _Token:
    text: str  # DASH or a line's words
    line: int


def _flat_tokens(doc: SourceDocument, first: int, last: int) -> list[_Token]:
    tokens: list[_Token] = []
    for number in range(first, last + 1):
        text = doc.line(number).strip()
        if not text:
            continue
        if text != DASH and text.endswith(DASH):
            tokens.append(_Token(text[:-1].rstrip(), number))
            tokens.append(_Token(DASH, number))
        else:
            tokens.append(_Token(text, number))
    return tokens


class _FlatParser:
    def __init__(self, doc: SourceDocument, tokens: list[_Token]) -> None:
        self.doc = doc
        self.tokens = tokens
        self.steps = 0

    def is_dash(self, pos: int) -> bool:
        return pos < len(self.tokens) and self.tokens[pos].text == DASH

    def is_text(self, pos: int) -> bool:
        return pos < len(self.tokens) and self.tokens[pos].text != DASH

    def lists(self, pos: int, root: bool) -> Iterator[tuple[list[TreeNode], int]]:
        """Every reading of a list starting at ``pos`` (a ``-``), with the position after it."""
        self.steps += 1
        if self.steps > 200_000:
            self.doc.fail(self.tokens[pos].line, "the parameter tree is too ambiguous to read")
        if not (self.is_dash(pos) and self.is_text(pos + 1)):
            return
        for node, after in self.node(pos + 1):
            for rest, end in self.after_entry(after, root):
                yield [node, *rest], end

    def after_entry(self, pos: int, root: bool) -> Iterator[tuple[list[TreeNode], int]]:
        if pos >= len(self.tokens):
            if root:
                yield [], pos
            return
        if self.is_dash(pos) and self.is_text(pos + 1):
            yield from self.lists(pos, root)
        if self.is_dash(pos) and not root:
            yield [], pos + 1  # the `-` that closes a nested list

    def node(self, pos: int) -> Iterator[tuple[TreeNode, int]]:
        token = self.tokens[pos]
        node = TreeNode(token.text, token.line, token.text)
        after = pos + 1
        if self.is_text(after):
            header = self.tokens[after]
            node.type, node.constraints, description = split_type_line(header.text)
            if node.type is None:
                return  # a name must be followed by its type line or by its children
            words = header.text[: len(header.text) - len(description)].rstrip()
            node.header = f"{token.text} {words}"
            node.line = header.line
            node.description = description or None
            after += 1
        for children, end in self._children(node, after):
            yield _with_children(node, children), end

    def _children(self, node: TreeNode, pos: int) -> Iterator[tuple[list[TreeNode], int]]:
        next_name = self.tokens[pos + 1].text if self.is_text(pos + 1) else None
        if node.type is None:
            yield from self.lists(pos, root=False)  # an untyped node is a list of alternatives
        elif node.type == "array":
            if next_name == "items":
                yield from self.lists(pos, root=False)
            yield [], pos
        elif node.type == "object":
            if next_name is not None:
                yield from self.lists(pos, root=False)
            yield [], pos
        else:
            yield [], pos


def _with_children(node: TreeNode, children: list[TreeNode]) -> TreeNode:
    return TreeNode(node.name, node.line, node.header, node.type, dict(node.constraints),
                    node.description, children)


def parse_flat(doc: SourceDocument, first: int, last: int) -> list[TreeNode]:
    tokens = _flat_tokens(doc, first, last)
    for roots, end in _FlatParser(doc, tokens).lists(0, root=True):
        if end == len(tokens):  # the one reading that accounts for every line
            return roots
    line = tokens[0].line if tokens else first
    doc.fail(line, "the parameter tree does not parse: its '-' markers do not balance")
