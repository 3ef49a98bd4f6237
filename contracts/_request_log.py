"""The mock's request log (``wirespec mock --log FILE``): one JSON line per request, written
when its answer is complete.

A line holds the time, the provider, the method, the path, the model, the status, whether the
request was valid (null when it never reached its schema: no key, bad JSON, an unknown path)
and how many constraints it broke, whether the answer was a stream, and the microseconds from
the request's arrival to its answer's last byte. Never a header, the query string or a body:
keys travel in those (``Authorization``, ``?key=``), and the path and model are the only
request text a line quotes, cut to ``MAX_TEXT`` characters. Lines are ASCII (``json.dumps``'s
default), so no character of a request can split one.
"""

from __future__ import annotations

import datetime
import json
import sys
from dataclasses import dataclass
from typing import TextIO

MAX_TEXT = 300


@dataclass(slots=True)
class Seen:
    """What the log says about one request, filled in as it is answered."""

    method: str
    path: str
    started_ns: int
    provider: str | None = None
    model: str | None = None
    status: int | None = None
    valid: bool | None = None
    errors: int = 0
    stream: bool = False


def _cut(text: str | None) -> str | None:
    return text if text is None or len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


class RequestLog:
    """Lines to a text stream, flushed one at a time; a failing stream is said once on stderr
    and the mock keeps serving."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._failing = False

    def write(self, seen: Seen, ended_ns: int) -> None:
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
        line = json.dumps({"time": now, "provider": seen.provider, "method": _cut(seen.method),
                           "path": _cut(seen.path), "model": _cut(seen.model),
                           "status": seen.status, "valid": seen.valid, "errors": seen.errors,
                           "stream": seen.stream,
                           "microseconds": (ended_ns - seen.started_ns) // 1000})
        try:
            self._stream.write(line + "\n")
            self._stream.flush()
        except (OSError, ValueError) as err:  # a full disk, a closed file: keep answering
            if not self._failing:
                self._failing = True
                print(f"wirespec mock: cannot write the log: {err}", file=sys.stderr)
