"""Pages that describe several endpoints: each section starts where the page names an HTTP
method and a path, and only the chat endpoint's sections are read.

A reference page may chain endpoints (chat completions, then files, then batches): read as
one list, every endpoint's parameters would land in one request schema. The page marks each
endpoint structurally, by a line that is a method and a path::

    POST /chat/completions                  (a line, a heading, a bullet, in backticks)
    POST https://api.example.com/v1/files   (a full URL)
    POST / chat / completions               (Mintlify rendered: one piece per line)
    For Qwen LLMs: POST https://…/generation  (a short label before it, ending in a colon)

A section runs from its marker to the next (the words before the first marker belong to the
first section: a page title and its summary). The chat endpoint is the one wirespec's
request, response and stream kinds describe for the provider (see ``_shapes``): a page whose
markers all name one endpoint, or only chat endpoints of one protocol, reads as before;
otherwise the other endpoints' sections are left out, each said so once, and a page that
names several endpoints none of which is the chat one is refused rather than merged.

A provider may speak two protocols for chat (DashScope: its own ``…/generation`` and the
OpenAI-compatible ``/compatible-mode/v1/chat/completions``). Their bodies differ (``input`` and
``parameters`` against one flat object), so a page that documents both is read for the
provider's own protocol, the first in ``CHAT_ENDPOINTS``, and the other's sections are said
to be left out; a page of the compatible protocol alone is read as before.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from .._document import SourceDocument
from .._records import ReadDocument, Span
from ._text_blocks import mask_code, visible

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_METHOD = "|".join(METHODS)
# a method and a path or URL, alone on its line but for markdown chrome and a word or two
# after it (a language tab: "POST/api/v1/... Python")
_ONE_LINE = re.compile(
    rf"^(?:#{{1,6}}\s+)?(?:[-*+]\s+)?(?:[^:：`]{{1,40}}[:：]\s*)?[`*]*(?P<method>{_METHOD})\s*"
    r"(?P<path>(?:https?://|/)[^\s`*]*)[`*]*(?:\s+\S+){0,3}\s*$")
_PIECE = re.compile(r"[\w{}.\-:@~%]+")
_MAX_PIECES = 40  # a rendered path of more pieces than this is no path
_HOST = re.compile(r"^https?://[^/]*")

# The paths of the endpoint each provider's schemas describe (codegen/ingest/_shapes.py):
# OpenAI-compatible chat completions; DashScope's generation endpoints and its compatible mode.
# Each provider's chat protocols, its own first.
_CHAT = re.compile(r"/chat/completions$")
CHAT_ENDPOINTS: dict[str, tuple[re.Pattern[str], ...]] = {
    "siliconflow": (_CHAT,),
    "dashscope": (re.compile(r"/services/aigc/[\w-]*generation/generation$"), _CHAT),
    "cloudflare": (re.compile(r"/ai/run/|/chat/completions$"),),
}


@dataclass(frozen=True)
class Marker:
    """Where the page names an endpoint: its line, method and path (host dropped)."""

    line: int
    method: str
    path: str

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def _normalized(path: str) -> str:
    path = _HOST.sub("", path).split("?", 1)[0].split("#", 1)[0]
    return path.rstrip("/") or "/"


def _rendered_path(lines: list[str], index: int) -> str | None:
    """The path after a line that is a method alone, written one piece per line (``/``,
    ``chat``, ``/``, ``completions``): a piece of words follows a ``/`` only."""
    path = ""
    for at in range(index + 1, min(len(lines), index + 1 + _MAX_PIECES)):
        text = visible(lines[at])
        follows = text.startswith("/") or path.endswith("/") or (
            not path and text.startswith("http"))
        if not text or not follows or not all(
                _PIECE.fullmatch(part) for part in text.split("/") if part):
            break
        path += text
    return path if path.startswith(("/", "http")) and path.strip("/") else None


def markers(lines: list[str]) -> list[Marker]:
    """Every endpoint marker of the page, outside code."""
    masked = mask_code(lines)
    found = []
    for index, line in enumerate(masked):
        text = visible(line)
        if not text or not any(method in text for method in METHODS):
            continue
        if text in METHODS:
            path = _rendered_path(masked, index)
            if path is not None:
                found.append(Marker(index + 1, text, _normalized(path)))
        elif one := _ONE_LINE.match(text):
            found.append(Marker(index + 1, one.group("method"), _normalized(one.group("path"))))
    return found


def is_chat(marker: Marker, provider: str) -> bool:
    return any(p.search(marker.path) for p in CHAT_ENDPOINTS.get(provider, (_CHAT,)))


def _read_protocol(found: list[Marker], provider: str) -> re.Pattern[str] | None:
    """The chat protocol a page is read for: the provider's first that the page names."""
    return next((pattern for pattern in CHAT_ENDPOINTS.get(provider, (_CHAT,))
                 if any(pattern.search(m.path) for m in found)), None)


def _sections(found: list[Marker], last_line: int) -> list[tuple[Marker, int, int]]:
    """(marker, first line, last line) of each section; the first starts at line 1."""
    starts = [1, *(m.line for m in found[1:])]
    ends = [*(m.line - 1 for m in found[1:]), last_line]
    return list(zip(found, starts, ends, strict=True))


def chat_endpoint_only(doc: SourceDocument, read: ReadDocument, provider: str) -> ReadDocument:
    """``read`` restricted to the chat endpoint's sections, when the page names several
    endpoints (see the module's docstring); each section left out is a leftover line."""
    found = markers(doc.lines)
    protocol = _read_protocol(found, provider)
    if len({m.name for m in found}) < 2 or (
            protocol is not None and all(protocol.search(m.path) for m in found)):
        return read
    sections = _sections(found, len(doc.lines))
    kept = [(first, last) for marker, first, last in sections
            if protocol is not None and protocol.search(marker.path)]
    if not kept:
        names = ", ".join(dict.fromkeys(m.name for m in found))
        doc.fail(found[0].line, f"the page describes several endpoints ({names[:200]}) and "
                 f"none is the chat endpoint wirespec describes for {provider}: its parameters "
                 "are not merged into one request")

    def inside(line: int) -> bool:
        return any(first <= line <= last for first, last in kept)

    skipped = [Span(marker.line, f"{_other(marker, provider)}: {marker.name} (lines "
                                 f"{first}-{last}, "
                                 f"{sum(first <= r.line <= last for r in read.records)} "
                                 "parameters)")
               for marker, first, last in sections
               if protocol is None or not protocol.search(marker.path)]
    return dataclasses.replace(
        read,
        records=[r for r in read.records if inside(r.line)],
        models=[m for m in read.models if inside(m.line)],
        limits=[lim for lim in read.limits if inside(lim.line)],
        samples=[s for s in read.samples if inside(s.line)],
        leftovers=sorted([s for s in read.leftovers if inside(s.line)] + skipped,
                         key=lambda s: s.line))


def _other(marker: Marker, provider: str) -> str:
    return ("the chat endpoint in another protocol than the one read" if is_chat(marker, provider)
            else "another endpoint")
