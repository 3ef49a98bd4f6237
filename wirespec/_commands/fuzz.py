"""`wirespec fuzz`: property runs at every limit, with coverage per model and kind (a target).

Rows go to stdout in the catalog's order whatever finishes first, progress to stderr. Each
target may be given a time (--max-time) and the whole run one (--total-time); Ctrl-C ends the
run with the rows so far, the summary and the report (exit 130)."""

from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING, Any

from wirespec.validators import _registry

from ._arguments import seconds
from ._common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, Subparsers, count

if TYPE_CHECKING:
    from ._fuzz_report import Totals
    from ._fuzz_rows import Row
    from ._fuzz_run import Target


def cmd_fuzz(args: argparse.Namespace) -> int:
    import warnings

    # hypothesis, pydantic and the generated models: loaded for this command only
    from . import _fuzz_report as report
    from ._fuzz_rows import Settings
    from ._fuzz_run import CtrlC, in_turn, in_workers
    from ._interrupts import handling
    from ._progress import Progress

    # payloads at a 131072-character limit: hypothesis warns about the size of their repr
    warnings.filterwarnings("ignore", message="Generating overly large repr")
    targets = _targets(args.ids)
    workers = max(1, min(args.workers or _default_workers(), len(targets)))
    started = time.monotonic()
    settings = Settings(args.examples, args.seed, args.max_time,
                        started + args.total_time if args.total_time else None)
    progress = Progress(len(targets), "targets")
    printer = report.Printer(targets, args.format, progress.clear)
    printer.header()
    ctrl = CtrlC()
    interrupted = False
    with handling(ctrl.handle):  # from here on, Ctrl-C is noted, never raised, outside a run
        try:
            if workers == 1:
                in_turn(targets, settings, printer.emit, progress, ctrl)
            else:
                in_workers(targets, settings, workers, printer.emit, progress, ctrl)
        except KeyboardInterrupt:
            interrupted = True
        progress.clear()
        rows = printer.finish("interrupted" if interrupted else "total-time")
        found = report.totals(rows, time.monotonic() - started, interrupted)
        _conclude(args, rows, found, workers)
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if found.disagreements else EXIT_OK


def _targets(ids: list[str]) -> list[Target]:
    targets = [(entry.id, kind) for entry in _registry.models() for kind in entry.kinds]
    if ids:
        chosen = {_registry.resolve(model_id).id for model_id in ids}
        targets = [(model_id, kind) for model_id, kind in targets if model_id in chosen]
    return targets


def _default_workers() -> int:
    from ._jsonl import default_workers

    return default_workers()


def _conclude(args: argparse.Namespace, rows: list[Row], found: Totals, workers: int) -> None:
    """The totals in the run's format; the report and the JUnit file when asked for."""
    from . import _fuzz_report as report

    if args.format == "json":
        print(json.dumps({"totals": found.as_json()}))
    elif args.format == "markdown":
        print(report.markdown(rows, found))
    else:
        lines = report.github_totals(rows) if args.format == "github" else []
        print("\n".join([*lines, report.text_totals(found)]))
    if args.report:
        used: dict[str, Any] = {"examples": args.examples, "seed": args.seed,
                                "max_time": args.max_time, "total_time": args.total_time,
                                "workers": workers}
        report.write_report(args.report, rows, found, used)
    if args.junit:
        report.junit(args.junit, rows)


def add_parsers(sub: Subparsers) -> None:  # type: ignore[type-arg]
    fuzz = sub.add_parser("fuzz", help="property runs at every limit, with coverage",
                          description=__doc__)
    fuzz.add_argument("ids", nargs="*", metavar="ID", help="models (default: all)")
    fuzz.add_argument("--examples", type=count, default=200,
                      help="valid examples, and invalid ones spread over the constraints")
    fuzz.add_argument("--seed", type=int, default=0)
    fuzz.add_argument("--max-time", type=seconds, metavar="SECONDS",
                      help="per model and kind: its run stops there, keeping what it found "
                      "(its row says so)")
    fuzz.add_argument("--total-time", type=seconds, metavar="SECONDS",
                      help="for the whole run: runs under way stop, the others are listed "
                      "as not run")
    fuzz.add_argument("-j", "--workers", type=count, metavar="N",
                      help="processes running models side by side (rows stay in catalog "
                      "order); default: the cores")
    fuzz.add_argument("--format", default="text", choices=("text", "json", "github",
                                                           "markdown"),
                      help="json: a JSON line per model and kind, then the totals; github: "
                      "annotations at the documents' lines; markdown: a job summary "
                      "(>> $GITHUB_STEP_SUMMARY), printed at the end")
    fuzz.add_argument("--report", metavar="FILE", help="write every row and the totals as "
                      "JSON (also on Ctrl-C)")
    fuzz.add_argument("--junit", metavar="FILE", help="write a JUnit XML file: a test case "
                      "per model and kind, failed by a disagreement")
    fuzz.set_defaults(run=cmd_fuzz)
