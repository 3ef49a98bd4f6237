"""`wirespec fuzz`: the targets run one after another, or in worker processes; each finished
row is handed on (``emit``) as it comes, whatever the order, and Ctrl-C ends the run with
every row finished so far, the ones under way included (cut short, stopped: interrupted).

Ctrl-C is noted, never thrown into whatever runs: a run polls it at each draw and stops there
with what it counted (an exception raised inside a library may come out as another one:
pydantic-core turns a KeyboardInterrupt while it builds a model into a SchemaError), and a
row is printed whole, the report written whole. Workers are told by the parent as well (a
terminal sends SIGINT to every process of the job, ``kill -INT`` to one); each ends the
target it is on and starts no other. A second Ctrl-C to the parent does not wait: the
workers are ended and the rows so far are what the report holds.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

from wirespec._exceptions import WirespecError

from ._fuzz_rows import Row, Settings, run_target
from ._progress import Progress

Emit = Callable[[int, Row], None]
Target = tuple[str, str]
SHOWN_EVERY = 0.5  # seconds between progress updates a target asks for
STOP_WAIT = 60.0  # seconds workers get to hand in their rows after Ctrl-C


class CtrlC:
    """The first SIGINT is noted (:attr:`noted`, polled); with ``insist``, a second one
    raises KeyboardInterrupt."""

    def __init__(self, *, insist: bool = True) -> None:
        self.noted = False
        self.insist = insist

    def handle(self, signum: int, frame: object) -> None:
        if self.noted and self.insist:
            raise KeyboardInterrupt
        self.noted = True

    def polled(self) -> bool:
        return self.noted


def _ticker(progress: Progress, item: str) -> Callable[[int], None]:
    """Progress within a target (examples so far), at most every SHOWN_EVERY seconds."""
    last = time.monotonic()

    def tick(examples: int) -> None:
        nonlocal last
        moment = time.monotonic()
        if moment - last >= SHOWN_EVERY:
            last = moment
            progress.start(f"{item}: {examples:,} examples")
    return tick


def in_turn(targets: list[Target], settings: Settings, emit: Emit, progress: Progress,
            ctrl: CtrlC) -> None:
    """One target after another, in this process. Ctrl-C: KeyboardInterrupt, after the row
    of the target it cut short is emitted."""
    for index, (model, kind) in enumerate(targets):
        if ctrl.noted:
            raise KeyboardInterrupt
        progress.start(f"{model} {kind}")
        row = run_target(model, kind, settings, _ticker(progress, f"{model} {kind}"),
                         ctrl.polled)
        progress.advance()
        emit(index, row)
    if ctrl.noted:
        raise KeyboardInterrupt


def in_workers(targets: list[Target], settings: Settings, workers: int, emit: Emit,
               progress: Progress, ctrl: CtrlC) -> None:
    """The targets shared by ``workers`` processes. Ctrl-C: the workers are stopped, their
    rows so far emitted, then KeyboardInterrupt."""
    context = _context()
    tasks: Any = context.Queue()
    results: Any = context.Queue()
    for index, (model, kind) in enumerate(targets):
        tasks.put((index, model, kind))
    for _ in range(workers):
        tasks.put(None)
    sys.stdout.flush()  # a forked worker must not inherit (and later flush) unwritten output
    sys.stderr.flush()
    processes = [context.Process(target=_work, args=(number, tasks, results, settings),
                                 daemon=True) for number in range(workers)]
    for process in processes:
        process.start()
    pool = _Pool(targets, processes, emit, progress)
    try:
        while pool.working():
            pool.receive(ctrl, results)
    except BaseException:
        pool.end()
        raise
    for process in processes:
        process.join()
    if pool.interrupted:
        raise KeyboardInterrupt


class _Pool:
    """The parent's side: messages from the workers, progress, and stopping them."""

    def __init__(self, targets: list[Target], processes: list[Any], emit: Emit,
                 progress: Progress) -> None:
        self.targets, self.processes, self.emit, self.progress = (targets, processes, emit,
                                                                   progress)
        self.exited: set[int] = set()
        self.running: dict[int, int] = {}  # worker -> the target it is on
        self.interrupted = False
        self.stop_by: float | None = None

    def working(self) -> bool:
        return len(self.exited) < len(self.processes)

    def receive(self, ctrl: CtrlC, results: Any) -> None:
        if ctrl.noted and not self.interrupted:
            self._stop()
        try:
            message = results.get(timeout=SHOWN_EVERY)
        except queue.Empty:
            self._check_alive()
            return
        self._take(message)

    def _take(self, message: tuple[Any, ...]) -> None:
        what, worker, *rest = message
        if what == "start":
            self.running[worker] = rest[0]
            self._show()
        elif what == "row":
            index, row = rest
            self.running.pop(worker, None)
            self.progress.advance()
            self.emit(index, row)
            self._show()
        elif what == "exit":
            self.exited.add(worker)
            self.running.pop(worker, None)
        else:  # "error" (unusable input: one line) or "bug"
            self.end()
            raise (WirespecError if what == "error" else RuntimeError)(rest[1])

    def _show(self) -> None:
        items = [" ".join(self.targets[index]) for index in sorted(self.running.values())]
        self.progress.start(", ".join(items))

    def _stop(self) -> None:
        """Ctrl-C: every worker told (those the terminal told already take it once)."""
        self.interrupted = True
        self.stop_by = time.monotonic() + STOP_WAIT
        for process in self.processes:
            if process.is_alive() and process.pid is not None:
                with contextlib.suppress(OSError):
                    os.kill(process.pid, signal.SIGINT)

    def _check_alive(self) -> None:
        for number, process in enumerate(self.processes):
            if number not in self.exited and process.exitcode not in (None, 0):
                index = self.running.get(number)
                what = f" while fuzzing {' '.join(self.targets[index])}" if index is not None \
                    else ""
                self.end()
                raise RuntimeError(f"a worker process ended with exit code "
                                   f"{process.exitcode}{what}")
        if self.stop_by is not None and time.monotonic() > self.stop_by:
            self.end()  # workers that do not hand in their rows in time: their targets not run
            self.exited = set(range(len(self.processes)))

    def end(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join(5)


def _context() -> Any:
    """fork on Linux: the workers start with the parent's modules loaded. Elsewhere the
    platform's default (macOS's fork is unsafe with its system libraries)."""
    import multiprocessing

    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _work(number: int, tasks: Any, results: Any, settings: Settings) -> None:
    """A worker: targets from ``tasks`` until none is left or Ctrl-C came."""
    ctrl = CtrlC(insist=False)  # the parent decides when not to wait
    signal.signal(signal.SIGINT, ctrl.handle)
    try:
        while not ctrl.noted:
            task = tasks.get()
            if task is None or ctrl.noted:
                break
            index, model, kind = task
            results.put(("start", number, index))
            row = run_target(model, kind, settings, interrupted=ctrl.polled)
            results.put(("row", number, index, row))
    except WirespecError as err:
        results.put(("error", number, None, str(err)))
    except Exception as err:  # a bug of ours: the parent says it in one line
        results.put(("bug", number, None, f"{type(err).__name__}: {err}"))
    finally:
        results.put(("exit", number))
