"""Rewriting generated Python source through its tokens and syntax tree, never its lines.

``str.splitlines`` breaks at ten characters (U+2028, U+0085, form feed, ...); ``tokenize``
breaks only at ``\\n``, and the compiler at ``\\n`` and ``\\r``. Arithmetic that mixes two of
these views puts a rewrite on the wrong line, where it can open or close a string literal and
turn a document's text into code. So here every position is an absolute offset computed from
the very lines ``tokenize`` reads, names are found with ``ast``, and each rewrite is checked:
the result must parse and hold exactly the string constants it held before.
"""

from __future__ import annotations

import ast
import tokenize
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# Control, format (bidi overrides, zero-width), surrogate and line/paragraph separators: none
# may appear raw in a module. ``\n`` is the one line break allowed.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_STRING_PREFIX_LETTERS = "rRbBuUfF"


class UnsafeSource(ValueError):
    """Generated source that could not be rewritten safely (one line, for a DocumentError)."""


@dataclass(frozen=True)
class Token:
    type: int
    string: str
    start: int  # absolute offsets into the source
    end: int
    row: int  # tokenize's own position, to meet the syntax tree's
    column: int
    line: str

    def ast_position(self) -> tuple[int, int]:
        """(line, UTF-8 byte column), as ``ast`` counts them where lines end only at newlines."""
        return self.row, len(self.line[:self.column].encode("utf-8"))


def is_unsafe(char: str) -> bool:
    return char != "\n" and unicodedata.category(char) in _UNSAFE_CATEGORIES


def _surely_safe(source: str) -> bool:
    """A quick yes for most modules (printable covers less than safe: a no proves nothing)."""
    return source.replace("\n", "").isprintable()


def escape_char(char: str) -> str:
    """The escape sequence that stands for ``char`` inside a (non-raw) string literal."""
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def located_tokens(source: str) -> Iterator[Token]:
    """``tokenize``'s tokens with absolute offsets, from the lines it was given itself."""
    line_starts: list[int] = []
    position = 0

    def readline() -> str:  # lines end at "\n" only, exactly as tokenize counts them
        nonlocal position
        end = source.find("\n", position) + 1 or len(source)
        line_starts.append(position)
        line, position = source[position:end], end
        return line

    def offset(row: int, column: int) -> int:
        return line_starts[row - 1] + column if row <= len(line_starts) else len(source)

    try:
        for token in tokenize.generate_tokens(readline):
            yield Token(token.type, token.string, offset(*token.start), offset(*token.end),
                        *token.start, token.line)
    except (tokenize.TokenError, SyntaxError) as err:
        raise UnsafeSource(f"generated source does not tokenize: {err.args[0]}") from None


def replaced(source: str, swaps: list[tuple[Token, str]]) -> str:
    """``source`` with each token's text replaced (tokens in source order)."""
    pieces, last = [], 0
    for token, text in swaps:
        pieces += [source[last:token.start], text]
        last = token.end
    return "".join(pieces) + source[last:]


def escaped_literals(source: str) -> str:
    """Every string literal with its unsafe characters written as escapes: the same values,
    and a module whose only line break is the newline, whatever a document's text held."""
    if _surely_safe(source):
        return source
    swaps = [(token, _escaped_literal(token.string)) for token in located_tokens(source)
             if token.type == tokenize.STRING and any(map(is_unsafe, token.string))]
    result = replaced(source, swaps)
    require_same_literals(source, result)
    return result


def _escaped_literal(literal: str) -> str:
    body = literal.lstrip(_STRING_PREFIX_LETTERS)
    prefix = literal[:len(literal) - len(body)]
    if set(prefix.lower()) & set("rbf"):
        raise UnsafeSource("a raw, bytes or f-string literal holds control characters")
    # the compiler reads "\r\n" and "\r" in source as "\n": keep that value
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            following = body[index + 1]
            # "\\" + an unsafe character is no escape sequence: both characters are the value
            out.append("\\\\" + escape_char(following) if is_unsafe(following)
                       else char + following)
            index += 2
            continue
        out.append(escape_char(char) if is_unsafe(char) else char)
        index += 1
    return prefix + "".join(out)


def require_safe(source: str) -> None:
    if _surely_safe(source):
        return
    found = next((char for char in source if is_unsafe(char)), None)
    if found is not None:
        raise UnsafeSource(f"generated source holds U+{ord(found):04X} outside a literal")


def parsed(source: str) -> ast.Module:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError) as err:
        raise UnsafeSource(f"generated source does not parse: {err.args[0]}") from None


def string_constants(source: str) -> list[str | bytes]:
    return [node.value for node in ast.walk(parsed(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)]


def require_same_literals(before: str, after: str) -> None:
    """A rewrite never moves text between code and literals: the same constants, in order."""
    if before != after and string_constants(before) != string_constants(after):
        raise UnsafeSource("a rewrite changed the module's string literals")


def without_leading_comments(source: str, prefixes: tuple[str, ...]) -> str:
    """``source`` without the comments before its first statement that start with
    ``prefixes`` (each with its line break)."""
    swaps: list[tuple[Token, str]] = []
    for token in located_tokens(source):
        dropped = token.type == tokenize.COMMENT and token.string.startswith(prefixes)
        its_line_end = token.type == tokenize.NL and swaps and swaps[-1][0].end == token.start
        if dropped or its_line_end:
            swaps.append((token, ""))
        elif token.type not in (tokenize.COMMENT, tokenize.NL):
            break
    result = replaced(source, swaps)
    require_same_literals(source, result)
    return result


def renamed(source: str, names: dict[str, str]) -> str:
    """Classes named in ``names`` and every reference to them (or to a built-in named there)
    renamed; attributes, keyword arguments, field names and literals keep their text."""
    if not names:
        return source
    require_safe(source)  # then tokenize's lines are the compiler's lines
    references = {(node.lineno, node.col_offset) for node in ast.walk(parsed(source))
                  if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
                  and node.id in names}
    swaps: list[tuple[Token, str]] = []
    previous = ""
    for token in located_tokens(source):
        if token.type == tokenize.NAME and token.string in names and (
                previous == "class" or token.ast_position() in references):
            swaps.append((token, names[token.string]))
        previous = token.string if token.type == tokenize.NAME else ""
    result = replaced(source, swaps)
    require_same_literals(source, result)
    return result


_LITERAL_NODES = (ast.Dict, ast.List, ast.Constant, ast.UnaryOp, ast.USub, ast.UAdd, ast.Load)


def _validated_field(annotation: ast.expr) -> ast.Call | None:
    """The ``Field(…, validate_default=True)`` call of an ``Annotated[…]`` annotation."""
    if not (isinstance(annotation, ast.Subscript) and isinstance(annotation.value, ast.Name)
            and annotation.value.id == "Annotated" and isinstance(annotation.slice, ast.Tuple)):
        return None
    for part in annotation.slice.elts[1:]:
        if isinstance(part, ast.Call) and isinstance(part.func, ast.Name) \
                and part.func.id == "Field" and any(
                    k.arg == "validate_default" for k in part.keywords):
            return part
    return None


def defaults_as_factories(source: str) -> str:
    """``x: Annotated[T, Field(…, validate_default=True)] = {…}`` (an object or array default
    of a model-typed member) -> the literal as the Field's ``default_factory``: the same
    default, validated the same way, fresh for each instance, in a form a type checker
    accepts (a dict is not a ``T``)."""
    require_safe(source)  # then tokenize's lines are the compiler's lines
    moves = [(node.annotation, field, node.value) for node in ast.walk(parsed(source))
             if isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Dict | ast.List)
             and all(isinstance(n, _LITERAL_NODES) for n in ast.walk(node.value))
             and (field := _validated_field(node.annotation)) is not None]
    if not moves:
        return source
    starts = {token.ast_position(): token.start for token in located_tokens(source)}

    def closer_end(node: ast.expr) -> int:  # the node ends with a one-byte bracket
        assert node.end_lineno is not None and node.end_col_offset is not None
        return starts[(node.end_lineno, node.end_col_offset - 1)] + 1

    edits: list[tuple[int, int, str]] = []
    for annotation, field, value in moves:
        literal = source[starts[(value.lineno, value.col_offset)]:closer_end(value)]
        paren = closer_end(field) - 1
        comma = "" if source[:paren].rstrip().endswith(",") else ", "
        edits += [(paren, paren, f"{comma}default_factory=lambda: {literal}"),
                  (closer_end(annotation), closer_end(value), "")]
    result = source
    for start, end, text in sorted(edits, reverse=True):
        result = result[:start] + text + result[end:]
    if sorted(map(repr, string_constants(source))) != sorted(map(repr, string_constants(result))):
        raise UnsafeSource("moving a default changed the module's string literals")
    return result
