"""Progress of a long run, on stderr: one line rewritten in place on a terminal (counts,
rate, ETA), plain lines every so often otherwise (a CI log keeps every line it is given, so
a rewritten line would be a wall of them). Results go to stdout; progress never does."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

PLAIN_EVERY = 30.0  # seconds between plain lines: enough to see a run is alive, not a flood


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else \
        f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """``done`` of ``total`` (units: ``what``), with the item now under way."""

    def __init__(self, total: int, what: str, *, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.what = total, what
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.started = self.last_shown = clock()
        self.done = 0
        self.now = ""
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self._width = 0

    def line(self) -> str:
        elapsed = self.clock() - self.started
        eta = ""
        if 0 < self.done < self.total:
            eta = f", about {_clock(elapsed / self.done * (self.total - self.done))} left"
        now = f" — {self.now}" if self.now else ""
        return f"{self.done}/{self.total} {self.what}, {_clock(elapsed)} elapsed{eta}{now}"

    def start(self, item: str) -> None:
        self.now = item
        self._show()

    def advance(self, count: int = 1) -> None:
        self.done += count
        self.now = ""
        self._show()

    def _show(self) -> None:
        moment = self.clock()
        if self.live:
            text = self.line()[:200]
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
        elif moment - self.last_shown >= PLAIN_EVERY:
            self.stream.write(self.line() + "\n")
        else:
            return
        self.last_shown = moment
        self.stream.flush()

    def clear(self) -> None:
        """Before a result line goes to stdout on the same terminal, and at the end."""
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
