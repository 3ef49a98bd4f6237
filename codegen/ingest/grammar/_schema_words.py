"""JSON Schema keywords written out as text: YAML (`minimum: 128`, `default: 1024x1024`,
`enum:` then `- chat` lines, a folded `default: >-`) and JSON (`"maxLength": 131072`, also
inside an escaped JSON string). They mean what the keyword means."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._hits import Ctx, Fact, Hit, Piece, capped, hit, is_blank, skip_spaces
from ._text import Text
from ._values import LONGEST, Value, as_written, bracket_end, scalar, value_at, value_in

NUMERIC = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
           "maxLength", "minItems", "maxItems", "multipleOf")
KEYWORD = re.compile(r'"?\b(' + "|".join((*NUMERIC, "default", "enum", "const"))
                     + r')\b"? ?: ?')
FOLDED = (">-", ">", "|-", "|", ">+", "|+")
MOST_LINES = 500
JSON_STOPS = " ,}]\\\n"


def schema_keyword(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A schema keyword and its value.

    Examples::

        [number] minimum: 128        => minimum = 128
        [integer]     maximum: 9999999999  => maximum = 9999999999
        [integer] \\"maxLength\\": 131072,  => maxLength = 131072
        [boolean] \\"default\\": false\\n  => default = false
        [string] default: 1024x1024   => default = "1024x1024"
        [string] default: an island near sea, with seagulls
            => default = "an island near sea, with seagulls"
        [array] default: [ "苹果", "香蕉" ]  => default = ["苹果", "香蕉"]
        [string] default: "['大语言模型', 'LLM']"  => default = "['大语言模型', 'LLM']"
        [string] enum: [ text, image, audio ]  => enum = ["text", "image", "audio"]
        [string] enum:\\n  - chat\\n  - embedding  => enum = ["chat", "embedding"]
        [string] default: >-\\n  a long\\n  text  => default = "a long text"
    """
    text = ctx.texts[at]
    line_end = len(text.text.rstrip())
    for match in capped(KEYWORD.finditer(text.text)):
        start = match.start()
        if start > 0 and (text.text[start - 1].isalnum() or text.text[start - 1] == "_"):
            continue
        found = _keyword_value(ctx, at, match, line_end)
        if found is not None:
            yield found


def _keyword_value(ctx: Ctx, at: int, match: re.Match[str], line_end: int) -> Hit | None:
    text = ctx.texts[at]
    keyword = match.group(1)
    quoted_key = text.text[match.start()] == '"'
    j = skip_spaces(text.text, match.end())
    if keyword in NUMERIC:
        value = value_in(text, j, stops=JSON_STOPS)
        if value is None or not isinstance(value.value, int | float) \
                or isinstance(value.value, bool):
            return None
        return hit(at, match.start(), value.stop, Fact(keyword, value.value))
    if not quoted_key and skip_spaces(text.text, 0, also="-") != match.start():
        return None  # mid-sentence "default:" is the default rules' (code spans, fusions)
    if j >= line_end:
        return _block(ctx, at, match, keyword)
    if text.text[j:line_end] in FOLDED:
        return _folded(ctx, at, match, keyword)
    if text.text[j] in "[{" and bracket_end(text.text, j) is None:
        return _flow_lines(ctx, at, match, j)
    if quoted_key or text.text[j] in "[{\"'":
        value = value_in(text, j, stops=JSON_STOPS)
    else:
        words = text.text[j:line_end]
        value = as_written(text, Value(scalar(words), j, line_end, words))
    if value is None:
        return None
    return hit(at, match.start(), value.stop, _fact(keyword, value))


def _fact(keyword: str, value: Value) -> Fact:
    """The value as YAML or JSON types it (`default: false` is false whatever the type
    words say: sanity reports the clash, the grammar does not hide it)."""
    return Fact(keyword, value.value)


def _indent(text: Text) -> int:
    return len(text.text) - len(text.text.lstrip(" "))


def _following(ctx: Ctx, at: int) -> Iterator[int]:
    """The spans indented deeper than span ``at`` (blank ones skipped), in order."""
    base = _indent(ctx.texts[at])
    for k in range(at + 1, min(len(ctx.texts), at + 1 + MOST_LINES)):
        if not ctx.look_ahead():
            return
        if is_blank(ctx.texts[k]):
            continue
        if _indent(ctx.texts[k]) <= base and not ctx.texts[k].text.lstrip().startswith("- "):
            return
        if _indent(ctx.texts[k]) < base:
            return
        yield k


def _block(ctx: Ctx, at: int, match: re.Match[str], keyword: str) -> Hit | None:
    """`enum:` then one `- item` line per member."""
    if keyword != "enum":
        return None
    pieces = [Piece(at, match.start(), match.end())]
    items = []
    for k in _following(ctx, at):
        line = ctx.texts[k].text
        first = skip_spaces(line, 0)
        if not line.startswith("- ", first):
            break
        words = line[first + 2:].strip()
        flow = value_at(words, 0) if words[:1] in ("[", "{") else None
        items.append(flow.value if flow is not None else scalar(words))
        pieces.append(Piece(k, first, len(line.rstrip())))
    if not items:
        return None
    return Hit(tuple(pieces), (Fact("enum", items),))


def _folded(ctx: Ctx, at: int, match: re.Match[str], keyword: str) -> Hit | None:
    """`default: >-` then the value's lines, joined with spaces."""
    pieces = [Piece(at, match.start(), len(ctx.texts[at].text.rstrip()))]
    words = []
    for k in _following(ctx, at):
        line = ctx.texts[k].text
        first = skip_spaces(line, 0)
        words.append(line.strip())
        pieces.append(Piece(k, first, len(line.rstrip())))
    if not words:
        return None
    joined = " ".join(words)
    return Hit(tuple(pieces), (Fact(keyword, joined),))


def _flow_lines(ctx: Ctx, at: int, match: re.Match[str], j: int) -> Hit | None:
    """`enum: [` with the members on the lines after, until the bracket closes."""
    pieces = [Piece(at, match.start(), len(ctx.texts[at].text.rstrip()))]
    joined = ctx.texts[at].text[j:]
    for k in range(at + 1, min(len(ctx.texts), at + 1 + MOST_LINES)):
        if not ctx.look_ahead():
            return None
        line = ctx.texts[k].text
        joined += "\n" + line
        if len(joined) > LONGEST:
            return None
        if line.strip():
            pieces.append(Piece(k, skip_spaces(line, 0), len(line.rstrip())))
        if bracket_end(joined, 0) is not None:
            value = value_at(joined, 0)
            if value is None:
                return None
            return Hit(tuple(pieces), (_fact(match.group(1), value),))
    return None
