"""`wirespec fuzz`: one row per model and kind, as the runner's result becomes plain data (it
crosses from worker processes, and is written as JSON), and one target run into one row."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from wirespec.fuzzing._bounds import Bounds, Interrupted
from wirespec.fuzzing._runner import FuzzResult, run
from wirespec.validators._ci import document_path
from wirespec.validators._engine import compiled
from wirespec.validators._schema_walk import escape, resolve, tokens

MAX_PAYLOAD_CHARS = 1_000_000  # a report keeps a larger payload as the start of its JSON text

# Why a target stopped early, or did not run: the words its row and the summary use.
STOPS = {"max-time": "the time limit (--max-time)", "total-time": "the total time limit "
         "(--total-time)", "interrupted": "Ctrl-C"}


@dataclass(frozen=True)
class Settings:
    """What every target's run needs (also in worker processes)."""

    examples: int
    seed: int
    max_time: float | None = None  # seconds per target
    # a time.monotonic() instant no target runs past; workers compare their own clock with it
    # (CLOCK_MONOTONIC on Linux, mach time on macOS: one clock for every process)
    total_deadline: float | None = None


@dataclass
class Row:
    """One model and kind: what the run found, or why it did not run."""

    model: str
    kind: str
    ran: bool = True
    stopped: str | None = None  # a key of STOPS: the run ended early (or did not start)
    constraints: int = 0
    both_sides: int = 0
    coverage: float = 1.0
    examples: int = 0
    seconds: float = 0.0
    disagreement: dict[str, Any] | None = None  # what, payload, constraint, documented_at
    not_both_sides: list[str] = field(default_factory=list)
    unbreakable: list[str] = field(default_factory=list)  # every mutation tried: a proof
    unbroken: list[str] = field(default_factory=list)  # not broken alone within the bound
    documented_at: dict[str, str] = field(default_factory=dict)  # constraint -> "file:line"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def place(self, constraint: str | None) -> tuple[str | None, int | None]:
        """The document file and line a constraint comes from, when the schema says."""
        where = self.documented_at.get(constraint or "")
        if not where:
            return None, None
        file, _, line = where.rpartition(":")
        return file, int(line)


def not_run(model: str, kind: str, why: str) -> Row:
    return Row(model, kind, ran=False, stopped=why)


def row_of(result: FuzzResult, seconds: float, stopped: str | None) -> Row:
    schema = compiled(result.model, result.kind).schema
    found = result.disagreement
    missing = result.constraints - result.both_sides - result.unbreakable - result.unbroken
    row = Row(result.model, result.kind, stopped=stopped, constraints=len(result.constraints),
              both_sides=len(result.both_sides), coverage=result.coverage,
              examples=result.examples, seconds=round(seconds, 1),
              not_both_sides=sorted(missing), unbreakable=sorted(result.unbreakable),
              unbroken=sorted(result.unbroken))
    if found is not None:
        row.disagreement = {"what": found.what, "constraint": found.constraint,
                            **_payload(found.payload)}
    placed = missing | result.unbroken | result.unbreakable
    if found is not None and found.constraint:
        placed.add(found.constraint)
    for constraint in sorted(placed):
        file, line = document_path(_source(schema, constraint))
        if file and line:
            row.documented_at[constraint] = f"{file}:{line}"
    return row


def _payload(payload: Any) -> dict[str, Any]:
    text = json.dumps(payload)
    if len(text) <= MAX_PAYLOAD_CHARS:
        return {"payload": payload}
    return {"payload_truncated": text[:MAX_PAYLOAD_CHARS]}


def _source(schema: dict[str, Any], constraint: str) -> dict[str, Any] | None:
    """The ``x-source`` of the node holding ``constraint`` (a keyword's pointer), else of the
    nearest node above it that has one: the document line closest to the constraint."""
    parts = tokens(constraint)[:-1]
    for size in range(len(parts), -1, -1):
        pointer = "".join(f"/{escape(part)}" for part in parts[:size])
        try:
            node = resolve(schema, pointer)
        except (KeyError, IndexError, TypeError, ValueError):
            continue
        if isinstance(node, dict) and isinstance(node.get("x-source"), dict):
            source: dict[str, Any] = node["x-source"]
            return source
    return None


def run_target(model: str, kind: str, settings: Settings,
               tick: Callable[[int], None] | None = None,
               interrupted: Callable[[], bool] | None = None) -> Row:
    """One model and kind within the time limits. Once ``interrupted()`` (Ctrl-C), the run
    stops at its next draw with the row so far (stopped: interrupted)."""
    begun = time.monotonic()
    limits = [(begun + settings.max_time, "max-time")] if settings.max_time else []
    if settings.total_deadline is not None:
        if begun >= settings.total_deadline:
            return not_run(model, kind, "total-time")
        limits.append((settings.total_deadline, "total-time"))
    deadline, why = min(limits) if limits else (None, None)
    try:
        result = run(model, kind, examples=settings.examples, seed_value=settings.seed,
                     bounds=Bounds(deadline, tick=tick, interrupted=interrupted))
    except Interrupted as stop:
        return row_of(stop.result, time.monotonic() - begun, "interrupted")
    return row_of(result, time.monotonic() - begun, why if result.stopped else None)
