"""The `wirespec` command. Exit codes: 0 ok, 1 invalid/stale/breaking, 2 unusable input."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, NoReturn

from wirespec._exceptions import (
    PayloadError,
    UnknownKindError,
    UnknownModelError,
    WirespecError,
)
from wirespec.validators import _registry
from wirespec.validators._engine import check_value, compiled
from wirespec.validators._errors import Report
from wirespec.validators._payload import parse_json

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2
Command = Callable[[argparse.Namespace], int]


def project_root(given: str | None) -> Path:
    """--root, else the nearest folder up from here with sources/manifest.toml."""
    if given:
        return Path(given)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "sources" / "manifest.toml").is_file():
            return folder
    import wirespec

    return Path(wirespec.__file__).resolve().parent.parent


def _report_stale(command: str, stale: list[str]) -> int:
    if not stale:
        print(f"{command}: up to date")
        return EXIT_OK
    print(f"{command}: {len(stale)} file(s) stale; run `wirespec {command}`", file=sys.stderr)
    for rel in stale:
        print(f"  {rel}", file=sys.stderr)
    return EXIT_FAILED


def cmd_ingest(args: argparse.Namespace) -> int:
    from wirespec.codegen import ingest

    root = project_root(args.root)
    if args.check:
        stale = ingest.check(root)
        code = _report_stale("ingest", stale)
        if stale:
            _print_stale_meaning(root, stale, ingest.read_sources(root))
        return code
    notes: list[str] = []
    changed = ingest.ingest(root, notes)
    for note in notes:
        print(f"note: {note}")
    print(f"ingest: {len(changed)} file(s) changed in {root / 'schemas'}")
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    from wirespec.codegen import generate

    root = project_root(args.root)
    if args.check:
        return _report_stale("generate", generate.check(root))
    changed = generate.generate(root)
    print(f"generate: {len(changed)} file(s) changed in {root / 'generated'}")
    return EXIT_OK


def _print_stale_meaning(root: Path, stale: list[str], fresh: dict[str, str]) -> None:
    """What each stale schema's change means for callers (the diff's summary)."""
    from wirespec.validators._diff import changes, summary

    for rel in stale:
        committed = root / "schemas" / rel
        if rel == "index.json" or not committed.is_file() or rel not in fresh:
            continue
        try:
            old = json.loads(committed.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        new = json.loads(fresh[rel])
        counts = summary(list(changes(old, new)), new.get("x-kind", "request"))
        print(f"  {rel}: {counts['breaking']} breaking, {counts['non-breaking']} "
              f"non-breaking, {counts['unknown']} unknown", file=sys.stderr)


def _limits_text(limits: dict[str, object]) -> str:
    parts = []
    for name, limit in limits.items():
        value = limit.get("value") if isinstance(limit, dict) else limit
        parts.append(f"{name}={value}")
    return " ".join(parts) or "-"


def cmd_models(args: argparse.Namespace) -> int:
    entries = _registry.models()
    if args.json:
        print(json.dumps([{"id": e.id, "provider": e.provider, "model": e.model,
                           "kinds": list(e.kinds), "limits": e.limits, "document": e.document}
                          for e in entries], indent=2, ensure_ascii=False))
        return EXIT_OK
    width = max(len(e.id) for e in entries)
    for entry in entries:
        kinds = ",".join(entry.kinds)
        print(f"{entry.id:<{width}}  {kinds:<28}  {_limits_text(entry.limits)}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    if args.revision is None:
        schema = _registry.load_schema(args.id, args.kind)
    else:
        schema = _revision_schema(args.id, args.revision, args.kind)
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return EXIT_OK


def _revision_schema(model_id: str, revision: int, kind: str) -> dict[str, object]:
    from wirespec.codegen.ingest import document_schemas, revisions

    entry = _registry.resolve(model_id)
    root = project_root(None)
    known = [r for r in revisions(root) if r.model_id == entry.id]
    chosen = [r for r in known if r.revision == revision]
    if not chosen:
        listed = ", ".join(f"{r.revision} ({r.document})" for r in known)
        raise UnknownModelError(f"{entry.id} revision {revision}") from ValueError(listed)
    schemas = document_schemas(root, chosen[0].document)[entry.id]
    if kind not in schemas:
        raise UnknownKindError(entry.id, kind, list(schemas))
    return schemas[kind]


DEFAULT_MAX_BYTES = 32 * 1024 * 1024  # a request body far past any provider's own limit


def _open_input(path: str | None) -> contextlib.AbstractContextManager[BinaryIO]:
    if path in (None, "-"):
        return contextlib.nullcontext(sys.stdin.buffer)
    try:
        return open(path, "rb")
    except OSError as err:
        raise PayloadError(f"{_shown(path)}: cannot read: {err.strerror}") from None


def _read_input(path: str | None, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The whole input, refused when it is larger than ``max_bytes`` (``/dev/zero`` ends)."""
    with _open_input(path) as stream:
        try:
            data = stream.read(max_bytes + 1)
        except OSError as err:
            raise PayloadError(f"{_shown(path)}: cannot read: {err.strerror}") from None
    if len(data) > max_bytes:
        raise PayloadError(f"{_shown(path)}: larger than {max_bytes:,} bytes (--max-bytes)")
    return data


def _input_lines(path: str | None, max_bytes: int) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of a JSON Lines input, one line in memory at a time."""
    with _open_input(path) as stream:
        for number in itertools.count(1):
            try:
                line = stream.readline(max_bytes + 1)
            except OSError as err:
                raise PayloadError(f"{_shown(path)}: cannot read: {err.strerror}") from None
            if not line:
                return
            if len(line) > max_bytes and not line.endswith(b"\n"):
                raise PayloadError(f"{_shown(path)}:{number}: a line larger than "
                                   f"{max_bytes:,} bytes (--max-bytes)")
            yield number, line


def _shown(path: str | None) -> str:
    return "<stdin>" if path in (None, "-") else ascii(path)[1:-1][:200]


def _print_report(report: Report, fmt: str, label: str) -> None:
    if fmt == "json":
        print(json.dumps(report.as_json(), ensure_ascii=False))
        return
    if report.ok:
        print(f"{label}: valid for {report.model} ({report.kind})")
        return
    print(f"{label}: {len(report.errors)} error(s) for {report.model} ({report.kind})")
    for error in report.errors:
        where = f"  [{error.where()}]" if error.source else ""
        print(f"  {error.pointer or '/'}: {error.keyword}: {error.message}{where}")


def cmd_validate(args: argparse.Namespace) -> int:
    compiled(args.id, args.kind)  # an unknown model or kind fails before any input is read
    label = _shown(args.path)
    if args.jsonl:
        return _validate_lines(args, label)
    data = _read_input(args.path, args.max_bytes)
    if args.kind == "stream":  # a server-sent event stream, as received
        from wirespec.validators._sse import validate_stream

        report = validate_stream(args.id, [data])
        _print_report(report, args.format, label)
        return EXIT_OK if report.ok else EXIT_FAILED
    payload = parse_json(data, origin=label)
    report = _validate_as_sent(args.id, payload, args.kind) if args.wire else check_value(
        args.id, payload, args.kind, parsed=True)  # a JSON string is a string, not more JSON
    _print_report(report, args.format, label)
    return EXIT_OK if report.ok else EXIT_FAILED


def _validate_lines(args: argparse.Namespace, label: str) -> int:
    counts = {"valid": 0, "invalid": 0, "unusable": 0}
    for number, line in _input_lines(args.path, args.max_bytes):
        if not line.strip():
            continue
        where = f"{label}:{number}"
        try:
            report = check_value(args.id, parse_json(line, origin=where), args.kind,
                                 parsed=True)
        except PayloadError as err:
            counts["unusable"] += 1
            print(json.dumps({"valid": False, "line": number, "error": str(err)})
                  if args.format == "json" else f"{err}")
            continue
        counts["valid" if report.ok else "invalid"] += 1
        _print_report(report, args.format, where)
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    print(json.dumps({"summary": counts}) if args.format == "json" else f"summary: {summary}")
    if counts["unusable"]:
        return EXIT_UNUSABLE
    return EXIT_FAILED if counts["invalid"] else EXIT_OK


def _validate_as_sent(model_id: str, body: object, kind: str) -> Report:
    """A body as the provider's REST API sends it: its wrapping checked, then what is inside."""
    from wirespec.validators._errors import ValidationError
    from wirespec.validators._wire import WIRE_FORMATS

    entry = _registry.resolve(model_id)
    if kind != "response":
        return check_value(entry.id, body, kind, parsed=True)
    result, problems = WIRE_FORMATS[entry.provider].result(body)
    if problems:
        return Report(entry.id, kind, [ValidationError("", "envelope", p) for p in problems])
    return check_value(entry.id, result, kind, parsed=True)


def cmd_fuzz(args: argparse.Namespace) -> int:
    import time
    import warnings

    from wirespec.validators._fuzzing import run

    # payloads at a 131072-character limit: hypothesis warns about the size of their repr
    warnings.filterwarnings("ignore", message="Generating overly large repr")

    targets = [(entry.id, kind) for entry in _registry.models() for kind in entry.kinds]
    if args.ids:
        chosen = {_registry.resolve(model_id).id for model_id in args.ids}
        targets = [(model_id, kind) for model_id, kind in targets if model_id in chosen]
    failed = False
    total = both = 0
    started = time.monotonic()
    print(f"{'model':<52} {'kind':<9} {'constraints':>11} {'both sides':>11} {'examples':>9}")
    for model_id, kind in targets:
        result = run(model_id, kind, examples=args.examples, seed_value=args.seed)
        total += len(result.constraints)
        both += len(result.both_sides)
        print(f"{model_id:<52} {kind:<9} {len(result.constraints):>11} "
              f"{len(result.both_sides):>6} {result.coverage:>4.0%} {result.examples:>9}")
        if result.disagreement is not None:
            failed = True
            print(f"  DISAGREEMENT: {result.disagreement.what}")
            print(f"  minimal payload: {json.dumps(result.disagreement.payload)[:2000]}")
        elif result.coverage < 1:
            missing = sorted(result.constraints - result.both_sides - result.unbreakable)
            print(f"  not exercised on both sides: {', '.join(missing[:5])}"
                  + (" …" if len(missing) > 5 else ""))
        if result.unbreakable:
            print(f"  {len(result.unbreakable)} cannot be broken alone (another alternative "
                  f"accepts the change): {', '.join(sorted(result.unbreakable)[:3])}"
                  + (" …" if len(result.unbreakable) > 3 else ""))
    share = both / total if total else 1.0
    print(f"total: {both}/{total} constraints exercised on both sides ({share:.1%}), "
          f"{'disagreements found' if failed else 'no disagreement'}, "
          f"{time.monotonic() - started:.0f} s")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_tokens(args: argparse.Namespace) -> int:
    from wirespec.validators._budget import budget_errors
    from wirespec.validators._tokens import count_request

    entry = _registry.resolve(args.id)
    label = _shown(args.path)
    payload = parse_json(_read_input(args.path, args.max_bytes), origin=label)
    report = check_value(entry.id, payload, "request", budget=False, parsed=True)
    if not report.ok:
        _print_report(report, "text", label)
        return EXIT_FAILED
    count = count_request(entry.provider, entry.model, payload, per_turn=True)
    print(f"{entry.id}: {count.tokenizer.name}")
    for turn, tokens in count.turns:
        print(f"  {turn.pointer:<36} {turn.role:<10} {tokens:>9,} tokens")
    print(f"  {'chat template and reply prompt':<47} {count.template:>9,} tokens")
    print(f"  {'input total':<47} {count.total:>9,} tokens")
    for name, limit in entry.limits.items():
        value = limit["value"] if isinstance(limit, dict) else limit
        print(f"  {name:<20} {value:>9,}")
    errors = list(budget_errors(entry, payload, count))
    for error in errors:
        print(f"  over budget: {error.message} [{error.where()}]")
    limit = entry.limits.get("max_input_tokens")
    if isinstance(limit, dict):
        print(f"  input budget left: {limit['value'] - count.total:,} tokens")
    if not entry.limits:
        print("  no token limits are documented for this model")
    return EXIT_FAILED if errors else EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from wirespec._diff_cli import compare, render, resolve_side
    from wirespec.validators._diff import BREAKING

    root = project_root(None)
    report = compare(resolve_side(root, args.old), resolve_side(root, args.new))
    print(render(report, args.format, args.old, args.new))
    breaking = any(c.classification(kind) == BREAKING for _, kind, found in report
                   for c in found)
    return EXIT_FAILED if breaking else EXIT_OK


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (and exit 2) instead of the usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_UNUSABLE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def count(text: str) -> int:
    """An argument that is a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a count (1 or more)")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="wirespec", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = sub.add_parser("ingest", help="sources/ -> schemas/")
    ingest.add_argument("--check", action="store_true", help="exit 1 when schemas/ is stale")
    ingest.add_argument("--root", help="project folder (default: found from here)")
    ingest.set_defaults(run=cmd_ingest)

    generate = sub.add_parser("generate", help="schemas/ -> generated/ (models, validators)")
    generate.add_argument("--check", action="store_true", help="exit 1 when generated/ is stale")
    generate.add_argument("--root", help="project folder (default: found from here)")
    generate.set_defaults(run=cmd_generate)

    models = sub.add_parser("models", help="list models, their kinds and token limits")
    models.add_argument("--json", action="store_true")
    models.set_defaults(run=cmd_models)

    schema = sub.add_parser("schema", help="print a model's schema")
    schema.add_argument("id")
    schema.add_argument("--kind", default="request", choices=_registry.KINDS)
    schema.add_argument("--revision", type=int, help="an older document's schema "
                        "(revisions: see sources/manifest.toml)")
    schema.set_defaults(run=cmd_schema)

    check = sub.add_parser("validate", help="check a payload (file or stdin); with --kind "
                           "stream, a server-sent event stream, event by event")
    check.add_argument("id")
    check.add_argument("path", nargs="?", help="JSON file, or - for stdin (the default)")
    check.add_argument("--kind", default="request", choices=_registry.KINDS)
    check.add_argument("--format", default="text", choices=("text", "json"))
    check.add_argument("--jsonl", action="store_true", help="one JSON payload per line")
    check.add_argument("--wire", action="store_true", help="a response body as the REST API "
                       "sends it: Cloudflare's {result, success, ...} envelope is checked and "
                       "its result validated")
    check.add_argument("--max-bytes", type=count, default=DEFAULT_MAX_BYTES,
                       help="refuse a larger input (with --jsonl: a larger line); default "
                       f"{DEFAULT_MAX_BYTES:,}")
    check.set_defaults(run=cmd_validate)

    tokens = sub.add_parser("tokens", help="token counts and remaining budget of a request")
    tokens.add_argument("id")
    tokens.add_argument("path", nargs="?", help="JSON file, or - for stdin (the default)")
    tokens.add_argument("--max-bytes", type=count, default=DEFAULT_MAX_BYTES,
                        help=f"refuse a larger input; default {DEFAULT_MAX_BYTES:,}")
    tokens.set_defaults(run=cmd_tokens)

    diff = sub.add_parser("diff", help="semantic diff: breaking / non-breaking / unknown")
    diff.add_argument("old", help="schema file, source document, MODEL@REVISION or git revision")
    diff.add_argument("new")
    diff.add_argument("--format", default="text", choices=("text", "json", "markdown"))
    diff.set_defaults(run=cmd_diff)

    fuzz = sub.add_parser("fuzz", help="property runs at every limit, with coverage")
    fuzz.add_argument("ids", nargs="*", metavar="ID", help="models (default: all)")
    fuzz.add_argument("--examples", type=count, default=200,
                      help="valid examples, and invalid ones spread over the constraints")
    fuzz.add_argument("--seed", type=int, default=0)
    fuzz.set_defaults(run=cmd_fuzz)

    from wirespec._serve_cli import add_parsers

    add_parsers(sub)
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # argparse gives an optional positional its (empty) turn before the options that follow,
    # so `validate ID --kind K PATH` leaves PATH over: it is the PATH, not an error
    if len(extra) == 1 and getattr(args, "path", "") is None and (
            extra[0] == "-" or not extra[0].startswith("-")):
        args.path, extra = extra[0], []
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    run: Command = args.run
    try:
        return run(args)
    except WirespecError as err:
        print(f"wirespec: error: {one_line(str(err))}", file=sys.stderr)
        return EXIT_UNUSABLE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # a bug of ours: still one line, the traceback on request
        if os.environ.get("WIRESPEC_DEBUG"):
            raise
        print(f"wirespec: internal error: {type(err).__name__}: {one_line(str(err))} (set "
              "WIRESPEC_DEBUG=1 for the traceback, and please report it)", file=sys.stderr)
        return EXIT_UNUSABLE


def one_line(text: str, limit: int = 2000) -> str:
    """``text`` as one printable line: line breaks and control characters escaped."""
    flat = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


if __name__ == "__main__":
    sys.exit(main())
