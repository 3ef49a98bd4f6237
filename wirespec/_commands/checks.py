"""`wirespec validate`: pre-flight checks of payloads from files."""

from __future__ import annotations

import argparse

from wirespec.validators import _registry
from wirespec.validators._engine import check_value, compiled
from wirespec.validators._errors import Report
from wirespec.validators._payload import parse_json

from . import _ci_reports
from ._common import (
    DEFAULT_MAX_BYTES,
    EXIT_FAILED,
    EXIT_OK,
    Subparsers,
    count,
    print_report,
    read_input,
    shown,
)


def cmd_validate(args: argparse.Namespace) -> int:
    compiled(args.id, args.kind)  # an unknown model or kind fails before any input is read
    label = shown(args.path)
    if args.jsonl:
        return _validate_lines(args, label)
    data = read_input(args.path, args.max_bytes)
    if args.kind == "stream":  # a server-sent event stream, as received
        from wirespec.validators._sse import validate_stream

        report = validate_stream(args.id, [data])
        return _finish(report, args, label)
    payload = parse_json(data, origin=label)
    report = validate_as_sent(args.id, payload, args.kind, strict=args.strict) if args.wire \
        else check_value(args.id, payload, args.kind, parsed=True,  # a JSON string is a string
                         strict=args.strict)
    return _finish(report, args, label)


def _finish(report: Report, args: argparse.Namespace, label: str) -> int:
    """The report printed in its format (and written as JUnit with --junit); the exit code."""
    if args.format in _ci_reports.CI_FORMATS:
        print(_ci_reports.render(report, args.format, label))
    else:
        print_report(report, args.format, label)
    if args.junit:
        _ci_reports.report_junit(args.junit, report, label)
    return EXIT_OK if report.ok else EXIT_FAILED


def _validate_lines(args: argparse.Namespace, label: str) -> int:
    from . import _jsonl

    settings = _jsonl.Settings(args.id, args.kind, args.strict, args.format, label, args.all,
                               args.max_bytes, args.wire, args.junit)
    return _jsonl.run(args.path, settings, args.workers or _jsonl.default_workers())


def validate_as_sent(model_id: str, body: object, kind: str, *, strict: bool = False) -> Report:
    """A body as the provider's REST API sends it: its wrapping checked, then what is inside."""
    from wirespec.contracts._wire import WIRE_FORMATS
    from wirespec.validators._errors import ValidationError

    entry = _registry.resolve(model_id)
    if kind != "response":
        return check_value(entry.id, body, kind, parsed=True, strict=strict)
    result, problems = WIRE_FORMATS[entry.provider].result(body)
    if problems:
        return Report(entry.id, kind, [ValidationError("", "envelope", p) for p in problems])
    return check_value(entry.id, result, kind, parsed=True, strict=strict)


def add_parsers(sub: Subparsers) -> None:  # type: ignore[type-arg]
    check = sub.add_parser("validate", help="check a payload (file or stdin); with --kind "
                           "stream, a server-sent event stream, event by event")
    check.add_argument("id")
    check.add_argument("path", nargs="?", help="JSON file, or - for stdin (the default)")
    check.add_argument("--kind", default="request", choices=_registry.KINDS)
    check.add_argument("--format", default="text", choices=("text", "json", "github",
                                                            "markdown"),
                       help="github: workflow annotations at the documents' lines; markdown: "
                       "a job summary (>> $GITHUB_STEP_SUMMARY)")
    check.add_argument("--junit", metavar="FILE", help="also write the verdict as a JUnit "
                       "XML file (with --jsonl: a test case per constraint)")
    check.add_argument("--jsonl", action="store_true", help="one JSON payload per line, read "
                       "as a stream: failing lines printed (file:line), then a summary per "
                       "constraint (also on Ctrl-C, exit 130)")
    check.add_argument("--all", action="store_true", help="with --jsonl: print every line, "
                       "not only the failing ones")
    check.add_argument("--workers", type=count, default=None, help="with --jsonl: processes "
                       "checking lines (output stays in input order); default: the cores")
    check.add_argument("--strict", action="store_true", help="what the documents do not say "
                       "(members they do not name, no documented token limit) is an error")
    check.add_argument("--wire", action="store_true", help="a response body as the REST API "
                       "sends it: Cloudflare's {result, success, ...} envelope is checked and "
                       "its result validated")
    check.add_argument("--max-bytes", type=count, default=DEFAULT_MAX_BYTES,
                       help="refuse a larger input (with --jsonl: a larger line); default "
                       f"{DEFAULT_MAX_BYTES:,}")
    check.set_defaults(run=cmd_validate)
