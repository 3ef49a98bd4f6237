"""What every layout reader needs: the text with its code blanked out, headings, section
labels, the layout's own mark labels, names and their paths, and spans labelled with the
column or widget they come from.

Documents are read line by line: every span keeps its 1-based line, and blanking code keeps
columns, so a span's words are always a substring of the document's line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .._records import ParameterRecord, Span

_ZERO_WIDTH = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
FENCE = "```"


@dataclass(frozen=True)
class LabelledSpan(Span):
    """Words the layout itself labels: a table cell under its column header ("默认值",
    "Example"), a widget's words ("Example", "Show child attributes", "属性"), or a second
    type line. Readers put example values and widget chrome in a record's description as
    labelled spans, so that nothing is lost and the builder can tell them from prose."""

    label: str = ""


def visible(text: str) -> str:
    """The text without zero-width characters and outer whitespace."""
    return text.translate(_ZERO_WIDTH).strip()


def starts_invisible(text: str) -> bool:
    """Mintlify renders every parameter name after a U+200B ZERO WIDTH SPACE."""
    return text.lstrip(" \t").startswith("\u200b")


def mask_code(lines: list[str]) -> list[str]:
    """The lines with fenced code (and the fences) replaced by spaces, columns kept.

    A fence may open or close in the middle of a line (Mintlify flattens ``Copy ```\\n{``
    and ````` ### Authorizations`` onto one line): each ``````` toggles.
    """
    out: list[str] = []
    inside = False
    for line in lines:
        if FENCE not in line:
            out.append(" " * len(line) if inside else line)
            continue
        kept: list[str] = []
        for index, piece in enumerate(line.split(FENCE)):
            if index:
                inside = not inside
                kept.append(" " * len(FENCE))
            kept.append(" " * len(piece) if inside else piece)
        out.append("".join(kept))
    return out


_HEADING = re.compile(r"^\s*(#{1,6})\s+(\S.*)$")


def heading(line: str) -> tuple[int, str] | None:
    """(level, title) of a markdown heading line (a closing run of ``#`` dropped)."""
    found = _HEADING.match(line)
    if not found:
        return None
    return len(found.group(1)), found.group(2).rstrip().rstrip("#").strip()


def unbold(text: str) -> str:
    return visible(text).strip("*").strip()


# -- sections ----------------------------------------------------------------------------

_HEADER_WORDS = re.compile(r"(?i)authori[sz]ation|^headers?$|请求头")
_STREAM_WORDS = re.compile(r"(?i)chunk")
_RESPONSE_WORDS = re.compile(r"(?i)respon[sc]e|响应|出参|返回结果|返回参数|输出参数")
_REQUEST_WORDS = re.compile(r"(?i)\bbody\b|request|parameters|请求体|请求参数|入参|输入参数")
# "chat completion object (non-stream)", "chat completion chunk object (stream)": a label that
# names the object a call returns (the English twin of "chat响应对象")
_RESULT_OBJECT = re.compile(r"(?i)^(?:chat )?(?:completions?|responses?|results?)(?: chunk)? "
                            r"object(?: \([^()]{1,60}\))?$")
_BARE_LABELS = frozenset({
    "authorization", "authorizations", "header", "headers", "body", "request", "request body",
    "request parameters", "parameters", "response", "responses", "response parameters",
    "response body"})


def section_label(text: str, *, is_heading: bool) -> str | None:
    """The section a label opens (request, response, stream, header), or None.

    Headings are matched on their words; a bare line only when it is one of the labels
    renderers print (``Body``, ``Response``) or a short Chinese label without a full stop,
    so that a description line is never taken for a section.
    """
    label = unbold(text).strip("#").strip()
    if _RESULT_OBJECT.match(label):
        return "stream" if _STREAM_WORDS.search(label) else "response"
    if not label or len(label) > 40:
        return None
    if not is_heading and not _is_bare_label(label):
        return None
    for section, words in (("header", _HEADER_WORDS), ("stream", _STREAM_WORDS),
                           ("response", _RESPONSE_WORDS), ("request", _REQUEST_WORDS)):
        if words.search(label):
            return section
    return None


def _is_bare_label(label: str) -> bool:
    if label.lower() in _BARE_LABELS:
        return True
    ascii_only = label.isascii()
    return not ascii_only and len(label) <= 30 and "。" not in label and "，" not in label \
        and bool(re.search(r"请求体|请求参数|入参|响应|出参", label))


# -- the layout's own marks --------------------------------------------------------------

# Widget labels Mintlify renders before a constraint (the renderer's words, not a page's)
MARK_LABELS = frozenset({
    "required range", "available options", "required array length", "required string length",
    "minimum string length", "maximum string length", "minimum array length",
    "maximum array length", "allowed value", "allowed values", "required length"})
EXAMPLE_LABELS = frozenset({"example", "examples"})
WIDGETS = frozenset({"show child attributes", "hide child attributes", "show properties",
                     "hide properties"})


def label_of(text: str) -> str | None:
    """The lowercased label before the first colon (``**Example:**`` -> ``example``)."""
    head, colon, _ = visible(text)[:60].partition(":")
    if not colon:
        return None
    return head.strip("* ").lower()


def is_mark(text: str) -> bool:
    return label_of(text) in MARK_LABELS


def is_example(text: str) -> bool:
    return label_of(text) in EXAMPLE_LABELS


def is_widget(text: str) -> bool:
    """A widget's label: Mintlify's ``Show child attributes``, help.aliyun.com's collapsed
    ``属性`` / ``output属性`` blocks."""
    words = visible(text)
    return words.lower() in WIDGETS or (words.endswith("属性") and len(words) <= 40
                                        and " " not in words)


# -- names and paths ---------------------------------------------------------------------

NAME = re.compile(r"[A-Za-z_$@](?:[\w.\-$@\[\]]|\\[_\[\]*])*")
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
_TYPE_NOTES = frozenset({"list", "dict", "array", "object"})


def unescape(name: str) -> str:
    """Markdown escapes gone: ``max\\_tokens`` -> ``max_tokens``."""
    return re.sub(r"\\([_\[\]*])", r"\1", name)


def is_name(text: str) -> bool:
    return NAME.fullmatch(text) is not None


def name_path(name: str) -> tuple[str, ...]:
    """``output.choise[x].message`` -> ``("output", "choise", "[]", "message")``.

    A bracket step is an array's elements, except a type note (``choise[list]``).
    """
    parts: list[str] = []
    for piece in unescape(name).split("."):
        base = piece.split("[", 1)[0]
        if base:
            parts.append(base)
        for note in _BRACKETS.findall(piece):
            if note.strip().lower() not in _TYPE_NOTES:
                parts.append("[]")
    return tuple(parts)


def is_array_type(words: str) -> bool:
    return "[]" in words or re.match(r"(?i)\s*(?:array|list)\b", words) is not None


def with_array_steps(records: Iterable[ParameterRecord]) -> None:
    """Step into array elements: ``messages.role`` under a ``messages`` typed ``object[]``
    becomes ``("messages", "[]", "role")``. Paths are compared without their steps, per
    section, so the order of the entries does not matter."""
    listed = list(records)
    arrays = {(r.section, _bare(r.path)) for r in listed
              if r.type_words is not None and is_array_type(r.type_words.text)}
    for record in listed:
        stepped: list[str] = []
        bare: list[str] = []
        for index, part in enumerate(record.path):
            stepped.append(part)
            if part == "[]":
                continue
            bare.append(part)
            last = index == len(record.path) - 1
            following = None if last else record.path[index + 1]
            if not last and following != "[]" and (record.section, tuple(bare)) in arrays:
                stepped.append("[]")
        record.path = tuple(stepped)


def _bare(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part for part in path if part != "[]")


# -- placement ---------------------------------------------------------------------------

_CLAUSE = re.compile(r"[^。；;]+")
_EN_PLACE = re.compile(r"(?i)\b(?:place|put)\b.{0,80}?\bin(?:to)?\b")
_SDK_ONLY = re.compile(r"(?i)\bSDK")


def placement(spans: Iterable[Span]) -> Span | None:
    """The first clause saying where a parameter goes on the wire (``通过HTTP调用时，请将
    temperature 放入 parameters 对象中``, ``For HTTP calls, place `x` in the `parameters`
    object``, ``请放入请求头``). A clause about an SDK's arguments (``通过 Python SDK调用时，请放入
    extra_body 对象中``: the SDK sends extra_body's members at the top of the body) is not one."""
    for span in spans:
        if isinstance(span, LabelledSpan):
            continue
        for clause in _CLAUSE.findall(span.text):
            words = clause.strip()
            if _SDK_ONLY.search(words) and "HTTP" not in words.upper():
                continue
            if ("放入" in words and "中" in words) or "放入请求头" in words \
                    or _EN_PLACE.search(words):
                return Span(span.line, words.rstrip("."))
    return None


def finish(records: list[ParameterRecord]) -> list[ParameterRecord]:
    """Array steps and placements set, in document order."""
    with_array_steps(records)
    for record in records:
        if record.placement is None:
            record.placement = placement(record.description)
    return sorted(records, key=lambda r: r.line)
