"""The answer's checks, fed its bytes as they pass: a JSON body held until its end (bounded),
a stream checked event by event with nothing held but the event being read. What breaks the
contract goes to the guard (logged, kept in its reports) once the answer ends."""

from __future__ import annotations

import logging
import zlib
from typing import TYPE_CHECKING, Any

from wirespec._exceptions import PayloadError
from wirespec.validators._engine import compiled
from wirespec.validators._errors import Report, ValidationError
from wirespec.validators._payload import parse_json
from wirespec.validators._sse import StreamChecker

if TYPE_CHECKING:
    from ._checks import Guard, Target

logger = logging.getLogger("wirespec")

# an answer is held while it arrives to be parsed; one larger than this passes unchecked
MAX_CHECKED_ANSWER = 16 * 1024 * 1024


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class Identity:
    def decompress(self, data: bytes) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


def decoder_for(encoding: str) -> Any:
    """A decompressor for the answer's bytes as they come (what the client undoes itself)."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return Identity()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


class AnswerCheck:
    """Feed the answer's bytes as they pass; :meth:`finish` reports what broke the contract
    (once). This base checks nothing in the body: only the problem it was made with."""

    def __init__(self, guard: Guard, target: Target, kind: str, decoder: Any,
                 problem: str | None = None) -> None:
        self.guard, self.target, self.decoder = guard, target, decoder
        self.report = Report(target.entry.id, kind)
        if problem is not None:
            self.report.errors.append(ValidationError("", "content-type", problem))
        self.done = False

    def feed(self, chunk: bytes) -> None:
        if self.done:
            return
        try:
            self.take(self.decoder.decompress(chunk))
        except Exception as err:  # a check must never break the caller's answer
            self.give_up(err)

    def finish(self, complete: bool) -> None:
        """``complete``: the body was read to its end (not closed early by its reader)."""
        if self.done:
            return
        try:
            if complete:
                self.take(self.decoder.flush())
                self.end()
        except Exception as err:
            self.give_up(err)
            return
        self.done = True
        if self.report.errors:
            self.guard.answered(self.target, self.report)

    def give_up(self, err: Exception) -> None:
        self.done = True
        logger.warning("wirespec: %s: the answer could not be checked (%s)", self.target.label,
                       type(err).__name__)

    def take(self, data: bytes) -> None:
        pass

    def end(self) -> None:
        pass


class JsonCheck(AnswerCheck):
    """A JSON body: held while it arrives (up to MAX_CHECKED_ANSWER), checked at its end."""

    def __init__(self, guard: Guard, target: Target, kind: str, decoder: Any,
                 problem: str | None) -> None:
        super().__init__(guard, target, kind, decoder, problem)
        self.chunks: list[bytes] = []
        self.size = 0

    def take(self, data: bytes) -> None:
        self.size += len(data)
        if self.size <= MAX_CHECKED_ANSWER:
            self.chunks.append(data)
        else:
            self.chunks = []

    def end(self) -> None:
        if self.size > MAX_CHECKED_ANSWER:
            logger.debug("wirespec: the answer to %s is over %d bytes: not checked",
                         self.target.label, MAX_CHECKED_ANSWER)
            return
        errors = self.report.errors
        try:
            body = parse_json(b"".join(self.chunks), origin="the answer")
        except PayloadError as err:
            errors.append(ValidationError("", "json", str(err)))
            return
        wire = self.target.wire
        if self.report.kind == "response" and wire.wraps_result:
            body, wrapping = wire.result(body)
            errors += [ValidationError("", "envelope", problem) for problem in wrapping]
            if body is None:
                return
        # the schema alone: what the documents leave unsaid in an answer is no concern here
        errors += compiled(self.target.entry.id, self.report.kind).report(body).errors


class StreamCheck(AnswerCheck):
    """Server-sent events, each event's data checked as it completes (the rules of
    ``validators._sse.validate_stream``, one event at a time): nothing is held but the
    event being read."""

    def __init__(self, guard: Guard, target: Target, decoder: Any) -> None:
        super().__init__(guard, target, "stream", decoder)
        self.checker = StreamChecker(target.entry.id)

    def take(self, data: bytes) -> None:
        self.report.errors += self.checker.feed(data)
        if self.checker.broken:  # not UTF-8: said once, the rest passes unread
            self.done = True
            self.guard.answered(self.target, self.report)

    def end(self) -> None:
        self.report.errors += self.checker.close()
