"""`wirespec validate --jsonl`: JSON Lines at scale.

The input is read in blocks of whole lines, never whole: what is held is a block and at most
one line up to --max-bytes. Each block is checked (in a worker process when there are
several) and the results are printed in input order, a few blocks in flight at most, so
memory does not grow with the input (a worker reads its block of a regular file itself:
only where it is crosses the pipe). Lines are parsed by parse_json_fast (jiter, as strict as
the strict parser, which gives the messages) and judged by check_value, as a single payload is.
Only failures are printed unless --all; the summary counts, per constraint, the lines it
failed on, at the end and on Ctrl-C (exit 130), where it covers exactly the lines printed.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import select
import signal
import stat
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from typing import IO, Any

from wirespec._exceptions import PayloadError
from wirespec.validators._ci import annotation
from wirespec.validators._engine import check_value, compiled
from wirespec.validators._errors import Report
from wirespec.validators._payload import parse_json_fast

from . import _ci_reports
from ._common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNUSABLE,
    headline,
    open_input,
)
from ._interrupts import Interrupts
from ._jsonl_summary import BlockTally, Counts, print_summary

BLOCK_BYTES = 256 * 1024  # one read, and one worker's task
IN_FLIGHT_PER_WORKER = 2  # blocks queued per worker: enough to keep it busy, no more


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
    wire: bool = False  # a response body as the REST API sends it (validate --wire)
    junit: str | None = None  # where the summary goes as JUnit XML, as well


Waiting = Callable[[Callable[[], Any]], Any]
Block = tuple[int, int, bytes]  # the number of its first line, its offset, whole lines

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
    tally = BlockTally()
    verdict = _verdict(settings)
    for number, line in enumerate(data.split(b"\n"), first):
        if len(line) > settings.max_bytes:
            return BlockResult("".join(out), tally.into(counts), f"{settings.label}:{number}: a "
                               f"line larger than {settings.max_bytes:,} bytes (--max-bytes)")
        if not line or line.isspace():
            continue
        counts.last_line = number
        _check_line(settings, verdict, number, line, out, counts, tally)
    return BlockResult("".join(out), tally.into(counts))


def _verdict(settings: Settings) -> Callable[[Any], Report]:
    """The single-payload path's verdict on a parsed line: check_value, or --wire's."""
    if settings.wire:
        from .checks import validate_as_sent

        return lambda value: validate_as_sent(settings.model, value, settings.kind,
                                              strict=settings.strict)
    model, kind, strict = settings.model, settings.kind, settings.strict
    return lambda value: check_value(model, value, kind, parsed=True, strict=strict)


def _check_line(settings: Settings, verdict: Callable[[Any], Report], number: int,
                line: bytes, out: list[str], counts: Counts, tally: BlockTally) -> None:
    where = f"{settings.label}:{number}"
    try:
        report = verdict(parse_json_fast(line, origin=where))
    except PayloadError as err:
        counts.unusable += 1
        if settings.fmt == "json":
            out.append(json.dumps({"line": number, "valid": False, "error": str(err)},
                                  ensure_ascii=False) + "\n")
        elif settings.fmt == "github":  # at the input's own line
            out.append(annotation("error", str(err), title="wirespec: not JSON",
                                  file=settings.label, line=number) + "\n")
        elif settings.fmt != "markdown":
            out.append(f"{err}\n")
        return
    ok = report.ok
    if ok:
        counts.valid += 1
    else:
        counts.invalid += 1
    tally.add(report)
    if (settings.show_all or not ok) and settings.fmt != "markdown":  # a summary, not a log
        out.append(render(report, settings.fmt, where, number))


def render(report: Report, fmt: str, where: str, number: int) -> str:
    """One line's report: print_report's text under ``file:line``, or its JSON with "line"."""
    if fmt == "json":
        return json.dumps({"line": number, **report.as_json()}, ensure_ascii=False) + "\n"
    lines = [f"{where}: {headline(report)}"]
    for error in report.errors:
        place = f"  [{error.where()}]" if error.source else ""
        lines.append(f"  {error.pointer or '/'}: {error.keyword}: {error.message}{place}")
    for warning in report.warnings:
        lines.append(f"  warning: {warning.pointer or '/'}: {warning.message}")
    return "\n".join(lines) + "\n"


# -- reading --------------------------------------------------------------------------------

def read_blocks(stream: IO[bytes], settings: Settings, before_wait: Callable[[], None],
                waiting: Waiting) -> Iterator[Block]:
    """(number of the first line, its offset, whole lines) of the input, a read at a time; a
    line still open past --max-bytes is refused. ``before_wait`` runs before a read that
    would wait (a pipe with nothing in it yet): whatever is done gets printed first. Both run
    through ``waiting``: Ctrl-C may stop the run there."""
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

def run(path: str | None, settings: Settings, workers: int) -> int:
    """Check every line of the input; print failures (every line with --all) and the summary."""
    engine = compiled(settings.model, settings.kind)  # compiled once, before workers fork
    _ = engine.closed_engine, engine.documented_engine
    counts = Counts()
    interrupts = Interrupts()
    with open_input(path) as stream:
        try:
            with interrupts.installed():
                _check_stream(stream, path, settings, workers, counts, interrupts)
        except KeyboardInterrupt:
            _summarise(counts, settings, ended="interrupted")
            return EXIT_INTERRUPTED
        except PayloadError:  # unreadable, or a line past --max-bytes: main says so next
            _summarise(counts, settings, ended="stopped")
            raise
    _summarise(counts, settings)
    if counts.unusable:
        return EXIT_UNUSABLE
    return EXIT_FAILED if counts.invalid else EXIT_OK


def _summarise(counts: Counts, settings: Settings, ended: str = "") -> None:
    """The summary in the run's format, and as JUnit XML with --junit."""
    if settings.fmt == "github":
        print("\n".join(_ci_reports.summary_github(counts, settings.label)))
    if settings.fmt == "markdown":
        print(_ci_reports.summary_markdown(counts, settings.label, ended), flush=True)
    else:
        print_summary(counts, "text" if settings.fmt == "github" else settings.fmt, ended=ended)
    if settings.junit:
        _ci_reports.summary_junit(settings.junit, counts, settings.label, settings.model, ended)


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
