"""JSON samples a document prints, and the model ids it names.

A sample starts where a JSON object can start a body: at the start of a line (not inside a
larger literal), after a quote that opens a shell or JavaScript body (``--data '{``,
``body: '{``), after Mintlify's flattened fence (``Copy ```\\n{``), or after ``data:`` (a
server-sent event). It runs until its braces balance, within a bounded number of lines, and
counts only if it parses as JSON. Its kind is told by its lead-in (``--data``, ``data:``) or
by the nearest words before it (headings, labels, status codes).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .._records import ModelMention, ParameterRecord, Sample, Span
from ._text_blocks import FENCE, LabelledSpan, visible

MAX_SAMPLE_LINES = 2000
MAX_SAMPLE_CHARS = 1_000_000
MAX_DEPTH = 200
_CONTEXT_LINES = 12

_REQUEST_LEAD = re.compile(r"(?i)--data|-d\s*'|\bbody\b|payload")
_STATUS = re.compile(r"\b([1-5]\d\d)\b")
_KIND_WORDS = (
    ("error", re.compile(r"(?i)\berror|\bfail|异常|错误|出错|失败")),
    ("request", re.compile(r"(?i)request|请求|\bcurl\b|--data|payload")),
    ("response", re.compile(r"(?i)response|响应|返回|结果|\bresult\b")),
    ("stream", re.compile(r"(?i)\bSSE\b|stream|流式")),
)


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def _parse(text: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return False, None


class _Scanner:
    """Balanced-brace scan over lines, aware of JSON strings, bounded in lines and depth."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def scan(self, first: int, column: int) -> tuple[int, str | None, bool]:
        """(last line index looked at, JSON text or None, whether a bound stopped the scan)
        for the value starting at ``lines[first][column]``. A string never runs past its
        line (JSON strings hold no raw newline), so only depth, lines and size bound it."""
        depth, quoted, escaped, size = 0, False, False, 0
        pieces: list[str] = []
        last = min(len(self.lines), first + MAX_SAMPLE_LINES)
        for index in range(first, last):
            line = self.lines[index]
            start = column if index == first else 0
            if index != first and line.strip().startswith(FENCE):
                return index - 1, None, True
            for at in range(start, len(line)):
                char = line[at]
                if quoted:
                    if escaped:
                        escaped = False
                    elif char == "\\":
                        escaped = True
                    elif char == '"':
                        quoted = False
                    continue
                if char == '"':
                    quoted = True
                elif char in "{[":
                    depth += 1
                    if depth > MAX_DEPTH:
                        return index, None, True
                elif char in "}]":
                    depth -= 1
                    if depth == 0:
                        pieces.append(line[start:at + 1])
                        return index, "\n".join(pieces), False
            if quoted:
                return index, None, False
            pieces.append(line[start:])
            size += len(line)
            if size > MAX_SAMPLE_CHARS:
                return index, None, True
        return last - 1, None, True


def _start(line: str, previous: str) -> tuple[int, str] | None:
    """(column, lead-in) where a sample may start on ``line``."""
    column = line.find("{")
    if column < 0:
        return None
    lead = line[:column]
    stripped = lead.strip()
    if stripped.lower() == "data:":
        return column, "data:"
    if not stripped:
        # a bare object inside a larger literal (a Python list of dicts) is no body
        if previous.rstrip().endswith(("[", "{", ",", "(")):
            return None
        return column, ""
    if stripped.endswith(("'", FENCE + "\\n")):
        return column, stripped
    return None


def _status_kind(words: str) -> str | None:
    found = _STATUS.search(words)
    if not found:
        return None
    return "error" if found.group(1)[0] in "45" else "response"


def _words_kind(words: str) -> str | None:
    """The kind ``words`` name: an error or chunk word anywhere, else the earliest kind
    word (or status code)."""
    if _KIND_WORDS[0][1].search(words):
        return "error"
    if re.search(r"(?i)chunk", words):
        return "stream"
    best: tuple[int, str] | None = None
    for kind, pattern in _KIND_WORDS:
        found = pattern.search(words)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), kind)
    status = _STATUS.search(words)
    if status and (best is None or status.start() < best[0]):
        return _status_kind(words)
    return best[1] if best else None


def sample_kind(lines: list[str], first: int, lead: str, taken: dict[int, str]) -> str:
    """The kind of the sample starting at ``lines[first]`` after ``lead``.

    Its lead-in decides first (``data:``, ``--data '``); then a sample right after another
    continues it (frames of one stream), or answers it (the body after a request); then
    the nearest words before it that name a kind or a status code.
    """
    if lead == "data:":
        return "stream"
    if _REQUEST_LEAD.search(lead):
        return "request"
    if lead and (kind := _words_kind(lead.replace(FENCE, " "))):
        return kind
    seen = 0
    for index in range(first - 1, -1, -1):
        if seen >= _CONTEXT_LINES:
            break
        words = visible(lines[index])
        if not words:
            continue
        if index in taken:
            if seen == 0:
                return "response" if taken[index] == "request" else taken[index]
            continue
        seen += 1
        if kind := _words_kind(words):
            return kind
    return "response"


def find_samples(lines: list[str]) -> list[Sample]:
    """Every JSON object body the document prints, with its kind and first line."""
    scanner = _Scanner(lines)
    samples: list[Sample] = []
    taken: dict[int, str] = {}
    index, previous = 0, ""
    while index < len(lines):
        line = lines[index]
        start = _start(line, previous)
        previous = line if line.strip() else previous
        if start is None:
            index += 1
            continue
        column, lead = start
        last, text, bounded = scanner.scan(index, column)
        parsed, value = _parse(text) if text is not None else (False, None)
        if parsed:
            kind = sample_kind(lines, index, lead, taken)
            samples.append(Sample(kind, index + 1, text or "", value))
            taken.update(dict.fromkeys(range(index, last + 1), kind))
            previous = lines[last]
        # past a parsed sample, or past lines a bounded scan already walked (linear time)
        index = last + 1 if parsed or bounded else index + 1
    return samples + _fenced_scalars(lines)


def _fenced_scalars(lines: list[str]) -> list[Sample]:
    """A ```json block holding one string (``"Invalid token"``): an error or answer body."""
    found: list[Sample] = []
    for index in range(len(lines) - 2):
        if lines[index].strip().lower() != FENCE + "json" or lines[index + 2].strip() != FENCE:
            continue
        body = lines[index + 1].strip()
        if body.startswith('"'):
            parsed, value = _parse(body)
            if parsed:
                kind = sample_kind(lines, index, "", {})
                found.append(Sample(kind, index + 2, body, value))
    return found


def outside(samples: list[Sample], spans: list[tuple[int, int]]) -> list[Sample]:
    """The samples that start outside every (first, last) line range given (a JSON value
    inside an entry's description is the entry's words, not a body)."""
    return [s for s in samples if not any(a <= s.line <= b for a, b in spans)]


# -- model mentions ----------------------------------------------------------------------

_CODE_MODEL = re.compile(
    r"""(?<!\w)["']?model["']?\s*[:=(]\s*["']([A-Za-z0-9][\w.\-/:@]{0,120})["']""")
MODEL_ID = re.compile(r"[A-Za-z0-9][\w.\-]*(?:/[\w.\-]+)*")
_LIST_ITEM_LEAD = re.compile(r"^(?:and|or|以及|和)\s+")


def looks_like_model(word: str) -> bool:
    """A model id's shape: no spaces, and a digit, a slash or a hyphen in it."""
    return len(word) <= 120 and MODEL_ID.fullmatch(word) is not None \
        and any(c.isdigit() or c in "/-" for c in word) and not word.replace(".", "").isdigit()


def code_mentions(lines: list[str], sample_lines: set[int]) -> list[ModelMention]:
    """``model="qwen-plus"``, ``'model': '…'``, ``"model": "…"``, ``.model("…")``."""
    found = []
    for number, line in enumerate(lines, 1):
        if "model" not in line:
            continue
        how = "sample" if number in sample_lines else "code"
        found += [ModelMention(m.group(1), number, how) for m in _CODE_MODEL.finditer(line)]
    return found


def sample_line_numbers(samples: list[Sample]) -> set[int]:
    return {s.line + offset for s in samples for offset in range(s.text.count("\n") + 1)}


def _items(text: str) -> list[str]:
    """The model ids of a comma list, when every item is one (``a, b, and c.``)."""
    words = []
    for raw in re.split(r"[,，、]", text):
        word = _LIST_ITEM_LEAD.sub("", raw.strip().strip("`*\"' ")).rstrip(".。")
        word = word.strip("`*\"' ")
        if not looks_like_model(word):
            return []
        words.append(word)
    return words


def record_mentions(record: ParameterRecord) -> list[ModelMention]:
    """Model ids in a ``model`` parameter's own words: its options (``enum``), default,
    example, and lists after a label (``Valid values: a, b``, ``**Qwen Max**: a, b``)."""
    if not record.path or record.path[-1] != "model" or record.section != "request":
        return []
    found: list[ModelMention] = []
    options = False
    for mark in record.marks:
        text = visible(mark.text)
        label, _, rest = text.partition(":")
        if label.lower().strip("* ") == "available options":
            options = True
            found += [ModelMention(w, mark.line, "enum") for w in _items(rest)]
        elif text.startswith("default"):
            value = text[len("default"):].lstrip(":").strip('"')
            if looks_like_model(value):
                found.append(ModelMention(value, mark.line, "default"))
        elif options and text.startswith(("*", "-")):
            found += [ModelMention(w, mark.line, "enum") for w in _items(text.lstrip("*- "))]
    for span in record.description:
        found += _description_mentions(span)
    return found


_EXAMPLE_WIDGET = re.compile(r'(?:Example|示例值)\s*:?\s*"(?P<value>[^"]{1,100})"$')


def _description_mentions(span: Span) -> list[ModelMention]:
    text = visible(span.text)
    if isinstance(span, LabelledSpan) and span.label.lower() in ("example", "示例值"):
        word = text.split(":", 1)[-1].strip().strip('"')
        return [ModelMention(word, span.line, "example")] if looks_like_model(word) else []
    if widget := _EXAMPLE_WIDGET.fullmatch(text):  # Fumadocs: `Example"BAAI/bge-m3"`
        word = widget.group("value")
        return [ModelMention(word, span.line, "example")] if looks_like_model(word) else []
    if ":" not in text and "：" not in text:
        return []
    rest = re.split(r"[:：]", text, maxsplit=1)[1]
    words = _items(rest)
    return [ModelMention(w, span.line, "list") for w in words] if len(words) > 1 else []


def unique(mentions: list[ModelMention]) -> list[ModelMention]:
    """Each (model, line, how) once, in document order."""
    return sorted(set(mentions), key=lambda m: (m.line, m.model, m.how))
