"""Server-sent events, parsed incrementally (WHATWG rules), and validated event by event.

Bytes may arrive split anywhere, even inside a UTF-8 character; an event is complete at a
blank line. Comment lines (``:HTTP_STATUS/200`` in DashScope's streams) are kept apart from
the data. A stream that ends inside an event is reported, never silently dropped.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ._errors import Report, ValidationError

DONE = "[DONE]"  # OpenAI-compatible and Cloudflare streams end with `data: [DONE]`


@dataclass
class Event:
    number: int  # 1-based, in arrival order
    data: str
    event: str | None = None
    id: str | None = None
    comments: list[str] = field(default_factory=list)


class SSEParser:
    """Feed bytes as they come; complete events come out."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self._pending = ""
        self._fields: dict[str, list[str]] = {}
        self._comments: list[str] = []
        self._count = 0

    def feed(self, chunk: bytes) -> Iterator[Event]:
        self._pending += self._decoder.decode(chunk)
        while True:
            cut = _line_end(self._pending)
            if cut is None:
                return
            line, self._pending = self._pending[:cut[0]], self._pending[cut[1]:]
            event = self._line(line)
            if event is not None:
                yield event

    def close(self) -> tuple[list[Event], str | None]:
        """The last events, and why the stream is incomplete (None when it ended cleanly)."""
        self._pending += self._decoder.decode(b"", final=True)
        events = []
        if self._pending:
            last = self._line(self._pending)
            self._pending = ""
            if last is not None:
                events.append(last)
        if self._fields:
            return events, "the stream ended inside an event (no blank line after its data)"
        return events, None

    def _line(self, line: str) -> Event | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            self._comments.append(line[1:])
            return None
        name, _, value = line.partition(":")
        self._fields.setdefault(name, []).append(value[1:] if value.startswith(" ") else value)
        return None

    def _dispatch(self) -> Event | None:
        fields, comments = self._fields, self._comments
        self._fields, self._comments = {}, []
        if "data" not in fields:
            return None
        self._count += 1
        last = {name: values[-1] for name, values in fields.items()}
        return Event(self._count, "\n".join(fields["data"]), last.get("event"), last.get("id"),
                     comments)


def _line_end(text: str) -> tuple[int, int] | None:
    """Where the first line ends: (end of its text, start of the next), or None."""
    for index, char in enumerate(text):
        if char == "\n":
            return index, index + 1
        if char == "\r":
            if index + 1 == len(text):
                return None  # a \n may follow in the next chunk
            return index, index + 2 if text[index + 1] == "\n" else index + 1
    return None


def events(chunks: Iterable[bytes]) -> tuple[list[Event], str | None]:
    parser = SSEParser()
    found = [event for chunk in chunks for event in parser.feed(chunk)]
    rest, problem = parser.close()
    return found + rest, problem


def validate_stream(model_id: str, chunks: Iterable[bytes]) -> Report:
    """Every event's data against the model's stream-event schema; errors say which event."""
    from ._engine import compiled

    engine = compiled(model_id, "stream")
    report = Report(engine.model, "stream")
    try:
        found, problem = events(chunks)
    except UnicodeDecodeError as err:
        report.errors.append(ValidationError("", "sse", f"the stream is not UTF-8 (byte "
                                             f"{err.start} of a chunk)"))
        return report
    terminated = False
    for event in found:
        if terminated:
            report.errors.append(ValidationError("", "sse", f"event {event.number}: data after "
                                                 f"{DONE}", value=event.data[:80]))
            continue
        if event.data.strip() == DONE:
            terminated = True
            continue
        try:
            payload: Any = json.loads(event.data)
        except json.JSONDecodeError as err:
            report.errors.append(ValidationError("", "sse", f"event {event.number}: data is "
                                                 f"not JSON ({err.msg})", value=event.data[:80]))
            continue
        for error in engine.report(payload).errors:
            report.errors.append(ValidationError(
                f"/events/{event.number}{error.pointer}", error.keyword,
                f"event {event.number}: {error.message}", error.limit, error.value,
                error.source, error.schema_path))
    if problem is not None:
        report.errors.append(ValidationError("", "sse", problem))
    terminator = engine.schema.get("x-stream-terminator")
    if terminator and not terminated and problem is None:
        report.errors.append(ValidationError("", "sse", f"the stream did not end with data: "
                                             f"{terminator}"))
    return report
