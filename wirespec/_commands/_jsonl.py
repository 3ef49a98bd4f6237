"""`wirespec validate --jsonl`: JSON Lines at scale.

The input is read in blocks of whole lines, never whole: what is held is a block and at most
one line up to --max-bytes. Each block is checked (in a worker process when there are
several) and the results are printed in input order, a few blocks in flight at most, so
memory does not grow with the input. Only failures are printed unless --all; the summary
counts, per constraint, the lines it failed on, at the end and on Ctrl-C (exit 130), where
it covers exactly the lines printed so far.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import select
import signal
import stat
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from typing import IO, Any

from wirespec._exceptions import PayloadError
from wirespec.validators._engine import check_value, compiled
from wirespec.validators._errors import Report, ValidationError
from wirespec.validators._payload import parse_json_fast

from ._common import EXIT_FAILED, EXIT_OK, EXIT_UNUSABLE, open_input

BLOCK_BYTES = 256 * 1024  # one read, and one worker's task
IN_FLIGHT_PER_WORKER = 2  # blocks queued per worker: enough to keep it busy, no more
TRACKED = 1000  # distinct constraints counted; hostile input cannot grow the summary further
SHOWN = 20  # summary rows printed per severity in text (JSON lists every tracked one)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

_INDEX = re.compile(r"/\d+(?=/|$)")


@dataclass(frozen=True)
class Settings:
    """What every worker needs to check a line and print it."""

    model: str
    kind: str
    strict: bool
    fmt: str
    label: str
    show_all: bool
    max_bytes: int


Waiting = Callable[[Callable[[], Any]], Any]
Block = tuple[int, int, bytes]  # the number of its first line, its offset, whole lines

# (severity, keyword, pointer with array indices as *, where the constraint is documented)
Key = tuple[str, str, str, str]


@dataclass
class Counts:
    """The lines checked so far, and per constraint the lines it failed on."""

    valid: int = 0
    invalid: int = 0
    unusable: int = 0
    last_line: int = 0
    constraints: dict[Key, int] = field(default_factory=dict)
    sources: dict[Key, dict[str, Any] | None] = field(default_factory=dict)
    untracked: int = 0

    def note(self, key: Key, source: dict[str, Any] | None, lines: int = 1) -> None:
        if key in self.constraints:
            self.constraints[key] += lines
        elif len(self.constraints) < TRACKED:
            self.constraints[key] = lines
            self.sources[key] = source
        else:
            self.untracked += lines

    def add(self, other: Counts) -> None:
        self.valid += other.valid
        self.invalid += other.invalid
        self.unusable += other.unusable
        self.last_line = max(self.last_line, other.last_line)
        self.untracked += other.untracked
        for key, lines in other.constraints.items():
            self.note(key, other.sources[key], lines)


@dataclass
class BlockResult:
    """A block's printed text and counts; ``fatal`` stops the run after the text."""

    text: str
    counts: Counts
    fatal: str | None = None


# -- one line -------------------------------------------------------------------------------

def check_block(settings: Settings, first: int, data: bytes) -> BlockResult:
    """Every line of ``data`` (whole lines; the first is line ``first``) checked and rendered."""
    out: list[str] = []
    counts = Counts()
    for number, line in enumerate(data.split(b"\n"), first):
        if len(line) > settings.max_bytes:
            return BlockResult("".join(out), counts, f"{settings.label}:{number}: a line larger "
                               f"than {settings.max_bytes:,} bytes (--max-bytes)")
        if not line or line.isspace():
            continue
        counts.last_line = number
        _check_line(settings, number, line, out, counts)
    return BlockResult("".join(out), counts)


def _check_line(settings: Settings, number: int, line: bytes, out: list[str],
                counts: Counts) -> None:
    where = f"{settings.label}:{number}"
    try:
        report = check_value(settings.model, parse_json_fast(line, origin=where),
                             settings.kind, parsed=True, strict=settings.strict)
    except PayloadError as err:
        counts.unusable += 1
        out.append(json.dumps({"line": number, "valid": False, "error": str(err)},
                              ensure_ascii=False) + "\n" if settings.fmt == "json"
                   else f"{err}\n")
        return
    if report.ok:
        counts.valid += 1
    else:
        counts.invalid += 1
    _count_constraints(report, counts)
    if settings.show_all or not report.ok:
        out.append(render(report, settings.fmt, where, number))


def _count_constraints(report: Report, counts: Counts) -> None:
    for severity, found in (("error", report.errors), ("warning", report.warnings)):
        if len(found) == 1:
            counts.note(_key(severity, found[0]), found[0].source)
        elif found:  # a line counts once per constraint
            for key, source in {_key(severity, item): item.source for item in found}.items():
                counts.note(key, source)


_keys: dict[tuple[str, int], tuple[ValidationError, Key]] = {}


def _key(severity: str, item: ValidationError) -> Key:
    """The constraint ``item`` breaks; remembered per item, since the engine hands out the
    same warning object for every line (held here, so that its id is not reused)."""
    known = _keys.get((severity, id(item)))
    if known is not None and known[0] is item:
        return known[1]
    if len(_keys) >= 4096:
        _keys.clear()
    key = (severity, item.keyword, _INDEX.sub("/*", item.pointer), item.where())
    _keys[severity, id(item)] = item, key
    return key


def render(report: Report, fmt: str, where: str, number: int) -> str:
    """One line's report: print_report's text under ``file:line``, or its JSON with "line"."""
    if fmt == "json":
        return json.dumps({"line": number, **report.as_json()}, ensure_ascii=False) + "\n"
    head = (f"valid for {report.model} ({report.kind})" if report.ok
            else f"{len(report.errors)} error(s) for {report.model} ({report.kind})")
    lines = [f"{where}: {head}"]
    for error in report.errors:
        place = f"  [{error.where()}]" if error.source else ""
        lines.append(f"  {error.pointer or '/'}: {error.keyword}: {error.message}{place}")
    for warning in report.warnings:
        lines.append(f"  warning: {warning.pointer or '/'}: {warning.message}")
    return "\n".join(lines) + "\n"


# -- reading --------------------------------------------------------------------------------

def read_blocks(stream: IO[bytes], settings: Settings, before_wait: Callable[[], None],
                waiting: Waiting) -> Iterator[Block]:
    """(number of the first line, offset, whole lines) of the input, a read at a time; a line still
    open past --max-bytes is refused. ``before_wait`` runs before a read that would wait
    (a pipe with nothing in it yet): whatever is done gets printed first. Both run through
    ``waiting``: Ctrl-C may stop the run there."""
    read = _reader(stream, settings.label)
    held: list[bytes] = []  # the start of line ``number``, not yet ended
    size, number, offset = 0, 1, 0
    while True:
        if _would_wait(stream):
            waiting(before_wait)
        data: bytes = waiting(read)
        if not data:
            break
        end = data.rfind(b"\n") + 1
        if not end:
            held.append(data)
            size += len(data)
            if size > settings.max_bytes:
                raise PayloadError(f"{settings.label}:{number}: a line larger than "
                                   f"{settings.max_bytes:,} bytes (--max-bytes)")
            continue
        block = b"".join([*held, data[:end - 1]]) if held else data[:end - 1]
        yield number, offset, block
        number += block.count(b"\n") + 1
        offset += len(block) + 1
        held = [data[end:]] if end < len(data) else []
        size = len(data) - end
    if held:
        yield number, offset, b"".join(held)


def _reader(stream: IO[bytes], label: str) -> Callable[[], bytes]:
    """One read of what is there (up to a block): os.read on a file descriptor."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):  # an in-memory stream
        return lambda: stream.read(BLOCK_BYTES)

    def read() -> bytes:
        try:
            return os.read(fd, BLOCK_BYTES)
        except OSError as err:
            raise PayloadError(f"{label}: cannot read: {err.strerror}") from None
    return read


def _would_wait(stream: IO[bytes]) -> bool:
    try:
        ready, _, _ = select.select([stream.fileno()], [], [], 0)
    except (OSError, ValueError, AttributeError):  # no select on this stream: assume so
        return True
    return not ready


# -- running --------------------------------------------------------------------------------

class Interrupts:
    """Ctrl-C stops the run only while it waits (for input or a worker), so that the summary
    counts exactly the lines printed; at any other moment it is noted and acted on as soon
    as the block at hand is printed and counted."""

    def __init__(self) -> None:
        self.waiting = False
        self.noted = False

    def handle(self, signum: int, frame: object) -> None:
        if self.waiting:
            raise KeyboardInterrupt
        self.noted = True

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


def run(path: str | None, settings: Settings, workers: int) -> int:
    """Check every line of the input; print failures (every line with --all) and the summary."""
    _ = compiled(settings.model, settings.kind).closed_engine  # once, before workers fork
    counts = Counts()
    interrupts = Interrupts()
    previous = signal.signal(signal.SIGINT, interrupts.handle)
    try:
        with open_input(path) as stream:
            _check_stream(stream, path, settings, workers, counts, interrupts)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, previous)
        print_summary(counts, settings.fmt, ended="interrupted")
        return EXIT_INTERRUPTED
    except PayloadError:  # unreadable, or a line past --max-bytes: main says so after this
        signal.signal(signal.SIGINT, previous)
        print_summary(counts, settings.fmt, ended="stopped")
        raise
    signal.signal(signal.SIGINT, previous)
    print_summary(counts, settings.fmt)
    if counts.unusable:
        return EXIT_UNUSABLE
    return EXIT_FAILED if counts.invalid else EXIT_OK


Reads = Callable[[Callable[[], None]], Iterator[Block]]


def _check_stream(stream: IO[bytes], path: str | None, settings: Settings, workers: int,
                  counts: Counts, interrupts: Interrupts) -> None:
    def show(result: BlockResult) -> None:
        sys.stdout.write(result.text)
        counts.add(result.counts)

    def emit(result: BlockResult) -> None:
        interrupts.hold(lambda: show(result))
        if result.fatal:
            raise PayloadError(result.fatal)
        interrupts.check()

    def reads(before_wait: Callable[[], None]) -> Iterator[Block]:
        return read_blocks(stream, settings, before_wait, interrupts.wait)

    size = _regular_size(stream)
    if workers == 1 or (size is not None and size <= BLOCK_BYTES):  # not worth processes
        for first, _, data in reads(sys.stdout.flush):
            emit(check_block(settings, first, data))
    else:
        _in_workers(settings, workers, reads, emit, interrupts,
                    path if size is not None and path not in (None, "-") else None)


def _regular_size(stream: IO[bytes]) -> int | None:
    """The size of a regular file; None for a pipe, a terminal, or a stream in memory."""
    try:
        status = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def _in_workers(settings: Settings, workers: int, reads: Reads,
                emit: Callable[[BlockResult], None], interrupts: Interrupts,
                path: str | None) -> None:
    """Blocks checked by ``workers`` processes, printed in input order. From a regular file
    (``path``) a worker reads its block itself: only where it is crosses the pipe."""
    sys.stdout.flush()  # a forked worker must not inherit (and later flush) unwritten output
    pool = _context().Pool(workers, initializer=_start_worker, initargs=(settings, path))
    pending: deque[AsyncResult[BlockResult]] = deque()

    def drain(keep: int) -> None:
        while len(pending) > keep:
            result = interrupts.wait(pending[0].get)
            pending.popleft()
            emit(result)

    def before_wait() -> None:
        drain(0)
        sys.stdout.flush()

    try:
        for first, offset, data in reads(before_wait):
            task = (first, None, offset, len(data)) if path else (first, data, offset, len(data))
            pending.append(pool.apply_async(_work, task))
            while pending and pending[0].ready():
                emit(pending.popleft().get())
            drain(workers * IN_FLIGHT_PER_WORKER)
        drain(0)
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()


def _context() -> Any:
    """fork on Linux: the workers start with the parent's compiled schema. Elsewhere the
    platform's default (macOS's fork is unsafe with its system libraries): each worker
    compiles the schema once."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


_worker_settings: Settings | None = None
_worker_file: IO[bytes] | None = None


def _start_worker(settings: Settings, path: str | None) -> None:
    global _worker_settings, _worker_file
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    _worker_settings = settings
    _worker_file = open(path, "rb") if path else None  # noqa: SIM115 (the worker's lifetime)


def _work(first: int, data: bytes | None, offset: int, length: int) -> BlockResult:
    assert _worker_settings is not None, "the pool's initializer sets it"
    if data is None:
        assert _worker_file is not None, "a path was given"
        data = os.pread(_worker_file.fileno(), length, offset)
        if len(data) != length:
            return BlockResult("", Counts(), f"{_worker_settings.label}:{first}: the file "
                               "changed while it was read")
    return check_block(_worker_settings, first, data)


def default_workers() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


# -- the summary ----------------------------------------------------------------------------

def print_summary(counts: Counts, fmt: str, *, ended: str = "") -> None:
    """The lines checked and the constraints they failed; ``ended``: "interrupted" (Ctrl-C)
    or "stopped" (a line the run cannot go past), when the input was not read to its end."""
    rows = sorted(counts.constraints.items(), key=lambda item: -item[1])  # stable: first seen
    if fmt == "json":
        print(json.dumps({"summary": _summary_json(counts, rows, ended)}, ensure_ascii=False))
    else:
        print(_summary_text(counts, rows, ended))
    sys.stdout.flush()


def _summary_json(counts: Counts, rows: list[tuple[Key, int]], ended: str) -> dict[str, Any]:
    listed: dict[str, list[dict[str, Any]]] = {"error": [], "warning": []}
    for key, lines in rows:
        severity, keyword, pointer, _ = key
        listed[severity].append({"pointer": pointer, "keyword": keyword,
                                 "source": counts.sources[key], "lines": lines})
    return {"lines": counts.valid + counts.invalid + counts.unusable, "valid": counts.valid,
            "invalid": counts.invalid, "unusable": counts.unusable,
            "last_line": counts.last_line, "interrupted": ended == "interrupted",
            "stopped": ended == "stopped",
            "errors": listed["error"], "warnings": listed["warning"],
            "untracked": counts.untracked}


def _summary_text(counts: Counts, rows: list[tuple[Key, int]], ended: str) -> str:
    total = counts.valid + counts.invalid + counts.unusable
    stopped = f" ({ended} after line {counts.last_line:,})" if ended else ""
    lines = [f"summary{stopped}: {total:,} lines: {counts.valid:,} valid, "
             f"{counts.invalid:,} invalid, {counts.unusable:,} unusable"]
    for severity in ("error", "warning"):
        mine = [(key, n) for key, n in rows if key[0] == severity]
        for (_, keyword, pointer, where), n in mine[:SHOWN]:
            prefix = "warning: " if severity == "warning" else ""
            place = f"  [{where}]" if where else ""
            lines.append(f"  {n:,} line{'s' if n != 1 else ''}: {prefix}{pointer or '/'}: "
                         f"{keyword}{place}")
        if len(mine) > SHOWN:
            lines.append(f"  … and {len(mine) - SHOWN} more {severity} constraints "
                         "(--format json lists them)")
    if counts.untracked:
        lines.append(f"  {counts.untracked:,} more line(s) failed on constraints past the "
                     f"first {TRACKED:,} distinct ones")
    return "\n".join(lines)
