"""Bounds on a contract run: how many requests go out, how fast, and for how long.

A live run spends money and rate limits, so the bounds are hard: ``max_requests`` counts
every request sent (valid or not, over all models), ``rate`` spaces them (at most one every
1/rate seconds: a token bucket holding one token, i.e. no bursts), ``max_time`` bounds each
model and ``total_time`` the whole run. A time limit stops new requests; an exchange under
way when it passes finishes (it is bounded by the exchange's own timeout), so that a slow
answer is never cut into a false failure.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
Wait = Callable[[Callable[[], Any]], Any]  # runs a wait that Ctrl-C may cut short

# why a model's requests stopped early, as the report and the summary say it
STOPS = {
    "max-requests": "--max-requests reached",
    "max-time": "--max-time reached for this model",
    "total-time": "--total-time reached",
    "interrupted": "interrupted (Ctrl-C)",
}
ENDS_THE_RUN = frozenset({"max-requests", "total-time", "interrupted"})


def _call(function: Callable[[], T]) -> T:
    return function()


@dataclass(frozen=True)
class Bounds:
    max_requests: int | None = None
    rate: float | None = None  # requests per second; None: as fast as answers come
    max_time: float | None = None  # seconds per model
    total_time: float | None = None  # seconds in all

    def problem(self) -> str | None:
        """What is wrong with these bounds (None: nothing)."""
        for name, value in (("rate", self.rate), ("max_time", self.max_time),
                            ("total_time", self.total_time)):
            if value is not None and not (math.isfinite(value) and value > 0):
                return f"{name} {value!r}: not a number above 0"
        if self.max_requests is not None and self.max_requests < 1:
            return f"max_requests {self.max_requests!r}: not a count of 1 or more"
        return None


class Pacer:
    """When the next request may go, and whether it may go at all."""

    def __init__(self, bounds: Bounds, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, wait: Wait = _call) -> None:
        self.bounds, self.clock, self.sleep, self.wait = bounds, clock, sleep, wait
        self.started = self.model_started = clock()
        self.sent = 0
        self._last: float | None = None

    def new_model(self) -> None:
        self.model_started = self.clock()

    def stop(self) -> str | None:
        """Why no further request may go now (a key of STOPS), or None."""
        bounds, now = self.bounds, self.clock()
        if bounds.max_requests is not None and self.sent >= bounds.max_requests:
            return "max-requests"
        if bounds.total_time is not None and now - self.started >= bounds.total_time:
            return "total-time"
        if bounds.max_time is not None and now - self.model_started >= bounds.max_time:
            return "max-time"
        return None

    def next_request(self) -> str | None:
        """Waits until the rate lets the next request go and counts it; or says why it may
        not go (a time limit may pass during the wait: the wait ends there)."""
        reason = self.stop()
        if reason is not None:
            return reason
        delay = self._delay()
        if delay > 0:
            pause = min(delay, self._time_left())
            self.wait(lambda: self.sleep(pause))
            reason = self.stop()
            if reason is not None:
                return reason
        self._last = self.clock()
        self.sent += 1
        return None

    def _delay(self) -> float:
        if not self.bounds.rate or self._last is None:
            return 0.0
        return self._last + 1 / self.bounds.rate - self.clock()

    def _time_left(self) -> float:
        now, left = self.clock(), math.inf
        if self.bounds.total_time is not None:
            left = min(left, self.started + self.bounds.total_time - now)
        if self.bounds.max_time is not None:
            left = min(left, self.model_started + self.bounds.max_time - now)
        return max(left, 0.0)
