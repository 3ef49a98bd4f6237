"""What stops a property run before hypothesis would: a deadline, a bound on fruitless draws,
and Ctrl-C (noted by the caller, polled here), with what was counted so far kept.

Each stop is raised from inside hypothesis (where a draw starts) as a ``KeyboardInterrupt``:
the one exception hypothesis lets through untouched (neither a failure to shrink nor, raised
in a draw, a strategy it calls flaky). The runner catches each by its own class, before any
``KeyboardInterrupt`` of Ctrl-C, and keeps what was counted.

The bound on fruitless draws is counted in draws, not in seconds, so that a run says the same
whatever the machine's load: a constraint whose breaking draws have all been refused
``attempts`` times in a row (each draw a payload, one break, and the checks that the break is
the one meant) is reported as not broken alone within the bound. Hypothesis itself gives up
only after 458 refused draws (a run of llama-3.3's size spent over a minute per constraint so).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

# Measured over the models `make test` samples (84 targets, 2,113 constraints): every
# constraint that was broken at all was broken within its first 7 draws; 50 leaves a wide
# margin and costs a ninth of hypothesis's own 458 per constraint that is not.
ATTEMPTS = 50


class Stop(KeyboardInterrupt):
    """A bound was reached (never Ctrl-C: the runner catches every one of these)."""


class OutOfTime(Stop):
    """The run's deadline passed (``--max-time`` or ``--total-time``)."""


class OutOfAttempts(Stop):
    """``Bounds.attempts`` draws in a row gave no example."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run; ``result`` holds what was counted until then."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result


@dataclass(frozen=True)
class Bounds:
    """When a run stops early. ``deadline`` is a ``time.monotonic()`` instant; ``tick`` is
    told the examples checked so far (at every draw: progress, throttled by its reader)."""

    deadline: float | None = None
    attempts: int = ATTEMPTS
    tick: Callable[[int], None] | None = None
    # whether Ctrl-C came: polled at each draw, so that the run stops between two draws
    # rather than wherever a signal lands (pydantic-core, building a model, turns a
    # KeyboardInterrupt raised inside it into a SchemaError)
    interrupted: Callable[[], bool] | None = None


class Draws:
    """The draws of one property run, checked against the bounds as each starts."""

    def __init__(self, bounds: Bounds, examples: Callable[[], int], *, bounded: bool) -> None:
        self.bounds = bounds
        self.examples = examples  # the run's examples checked so far
        self.bounded = bounded  # whether fruitless draws end this run
        self.fruitless = 0  # draws in a row that gave no example
        self.before: int | None = None  # the examples when the last draw started
        self.failing = False  # a disagreement is being shrunk: draws are no longer fruitless

    def start(self) -> None:
        if self.bounds.interrupted is not None and self.bounds.interrupted():
            raise KeyboardInterrupt
        if self.bounds.deadline is not None and time.monotonic() >= self.bounds.deadline:
            raise OutOfTime
        checked = self.examples()
        if self.bounds.tick is not None:
            self.bounds.tick(checked)
        if self.before is not None:  # how the draw before this one went
            gave = checked > self.before or self.failing
            self.fruitless = 0 if gave else self.fruitless + 1
        self.before = checked
        if self.bounded and self.fruitless >= self.bounds.attempts:
            raise OutOfAttempts

    def wrap(self, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        """``strategy``, with :meth:`start` called at each draw."""
        @st.composite
        def counted(draw: st.DrawFn) -> Any:
            self.start()
            return draw(strategy)

        return counted()
