"""Server-sent events, parsed incrementally (WHATWG rules), and validated event by event.

Bytes may arrive split anywhere, even inside a UTF-8 character; an event is complete at a
blank line. Comment lines (``:HTTP_STATUS/200`` in DashScope's streams) are kept apart from
the data. A stream that ends inside an event is reported, never silently dropped.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from wirespec._exceptions import PayloadError

from ._errors import Report, ValidationError
from ._payload import parse_json

DONE = "[DONE]"  # OpenAI-compatible and Cloudflare streams end with `data: [DONE]`


@dataclass
class Event:
    number: int  # 1-based, in arrival order
    data: str
    event: str | None = None
    id: str | None = None
    comments: list[str] = field(default_factory=list)


class SSEParser:
    """Feed bytes as they come; complete events come out. Linear in the stream's size: each
    character is looked at once, however the stream is cut into chunks."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self._partial: list[str] = []  # the unfinished line, in pieces
        self._after_cr = False  # the last line ended in \r: a \n may follow in the next chunk
        self._fields: dict[str, list[str]] = {}
        self._comments: list[str] = []
        self._count = 0

    def feed(self, chunk: bytes) -> Iterator[Event]:
        text = self._decoder.decode(chunk)
        if self._after_cr and text:
            self._after_cr = False
            if text.startswith("\n"):
                text = text[1:]
        position = 0
        while (end := _LINE_END.search(text, position)) is not None:
            line = "".join((*self._partial, text[position:end.start()]))
            self._partial = []
            position = end.end()
            if end.group() == "\r" and position == len(text):
                self._after_cr = True
            event = self._line(line)
            if event is not None:
                yield event
        if position < len(text):
            self._partial.append(text[position:])

    def close(self) -> tuple[list[Event], str | None]:
        """The last events, and why the stream is incomplete (None when it ended cleanly)."""
        rest = self._decoder.decode(b"", final=True)
        if rest:
            self._partial.append(rest)
        events = []
        if self._partial:
            last = self._line("".join(self._partial))
            self._partial = []
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


# A line ends at \r\n, \n or \r (WHATWG); a \r at a chunk's end is settled by the next one.
_LINE_END = re.compile("\r\n|\n|\r")


def events(chunks: Iterable[bytes]) -> tuple[list[Event], str | None]:
    parser = SSEParser()
    found = [event for chunk in chunks for event in parser.feed(chunk)]
    rest, problem = parser.close()
    return found + rest, problem


class StreamChecker:
    """The stream rules, applied event by event as the bytes arrive: each event's data
    against the stream-event schema (as strictly as a request body: no NaN, duplicate
    names or 1e400), nothing after ``[DONE]``, a clean end, the terminator where the schema
    names one. Errors point at ``/events/N/...``; only the event being read is held."""

    def __init__(self, model_id: str) -> None:
        from ._engine import compiled

        self.engine = compiled(model_id, "stream")
        self._parser = SSEParser()
        self._terminated = False
        self.broken = False  # not UTF-8: said once, nothing more is read

    def feed(self, chunk: bytes) -> list[ValidationError]:
        if self.broken:
            return []
        try:
            found = list(self._parser.feed(chunk))
        except UnicodeDecodeError as err:
            return self._not_utf8(err)
        return [error for event in found for error in self._event(event)]

    def close(self) -> list[ValidationError]:
        if self.broken:
            return []
        try:
            rest, problem = self._parser.close()
        except UnicodeDecodeError as err:
            return self._not_utf8(err)
        errors = [error for event in rest for error in self._event(event)]
        if problem is not None:
            errors.append(ValidationError("", "sse", problem))
        terminator = self.engine.schema.get("x-stream-terminator")
        if terminator and not self._terminated and problem is None:
            errors.append(ValidationError("", "sse", f"the stream did not end with data: "
                                          f"{terminator}"))
        return errors

    def _not_utf8(self, err: UnicodeDecodeError) -> list[ValidationError]:
        self.broken = True
        return [ValidationError("", "sse", f"the stream is not UTF-8 (byte {err.start} of a "
                                "chunk)")]

    def _event(self, event: Event) -> list[ValidationError]:
        if self._terminated:
            return [ValidationError("", "sse", f"event {event.number}: data after {DONE}",
                                    value=event.data[:80])]
        if event.data.strip() == DONE:
            self._terminated = True
            return []
        try:
            payload: Any = parse_json(event.data, origin=f"event {event.number}: data")
        except PayloadError as err:
            return [ValidationError("", "sse", str(err), value=event.data[:80])]
        return [ValidationError(f"/events/{event.number}{error.pointer}", error.keyword,
                                f"event {event.number}: {error.message}", error.limit,
                                error.value, error.source, error.schema_path)
                for error in self.engine.report(payload).errors]


def validate_stream(model_id: str, chunks: Iterable[bytes]) -> Report:
    """Every event's data against the model's stream-event schema; errors say which event."""
    checker = StreamChecker(model_id)
    report = Report(checker.engine.model, "stream")
    for chunk in chunks:
        report.errors += checker.feed(chunk)
        if checker.broken:
            break
    report.errors += checker.close()
    return report
