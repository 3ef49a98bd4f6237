"""Ctrl-C during a long run: taken only where the run can stop cleanly, so that what its
report counts is never half-recorded."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from typing import Any


@contextlib.contextmanager
def handling(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """SIGINT handled by ``handler`` for the run (only the main thread may handle it:
    elsewhere Ctrl-C stays the caller's)."""
    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Interrupts:
    """Ctrl-C stops the run only while it waits (for input, a worker, an exchange, a pause);
    at any other moment it is noted and acted on at the next wait or :meth:`check`."""

    def __init__(self) -> None:
        self.waiting = False
        self.noted = False

    def handle(self, signum: int, frame: object) -> None:
        if self.waiting:
            raise KeyboardInterrupt
        self.noted = True

    def installed(self) -> contextlib.AbstractContextManager[None]:
        return handling(self.handle)

    def check(self) -> None:
        if self.noted:
            raise KeyboardInterrupt

    def wait(self, function: Callable[[], Any]) -> Any:
        """``function()``, during which Ctrl-C stops the run."""
        return self._run(function, waiting=True)

    def hold(self, function: Callable[[], Any]) -> Any:
        """``function()``, which Ctrl-C does not cut short."""
        return self._run(function, waiting=False)

    def _run(self, function: Callable[[], Any], *, waiting: bool) -> Any:
        self.check()
        before, self.waiting = self.waiting, waiting
        try:
            return function()
        finally:
            self.waiting = before
