"""`wirespec ingest`, `generate`, `models` and `schema`: the documents and what they became."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from wirespec._exceptions import UnknownKindError, UnknownModelError
from wirespec.validators import _registry

from ._common import EXIT_FAILED, EXIT_OK, EXIT_UNUSABLE, Subparsers, one_line, project_root

if TYPE_CHECKING:
    from wirespec.codegen.ingest import Plan


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
    result = ingest.check(root) if args.check else ingest.ingest(root)
    if args.verbose or not args.check:
        _print_documents(result.plan)
    if args.check:
        code = _report_stale("ingest", result.changed)
        if result.changed:
            _print_stale_meaning(root, result.changed, result.plan.files)
    else:
        print(f"ingest: {len(result.changed)} file(s) changed in {root / 'schemas'}")
        code = EXIT_OK
    for failure in result.failures:  # every other document was ingested
        print(f"wirespec: error: {one_line(str(failure))}", file=sys.stderr)
    for model_id, document in sorted(result.plan.kept.items()):
        print(f"kept the previous schemas of {model_id} ({document} failed)")
    for rel in ingest.unlisted_documents(root):  # never silently ignored
        print(f"wirespec: warning: sources/{rel} is not in the manifest and was not read "
              f"(`wirespec add sources/{rel}` adds it)", file=sys.stderr)
    return EXIT_UNUSABLE if result.failures else code


def _print_documents(planned: Plan) -> None:
    """Per document: its layout, parameters, constraints read, and what no rule read."""
    for outcome in planned.outcomes:
        where = f"sources/{outcome.entry.path}"
        reading = outcome.reading
        if reading is None:
            print(f"{where}: FAILED (below)")
            continue
        print(f"{where} [{outcome.format}]: {len(reading.models)} model(s), "
              f"{reading.parameters} parameters, {reading.constraints} constraints read, "
              f"{len(reading.unread)} unread")
        for unread in reading.unread:
            print(f"  unread {where}:{unread.line}: {one_line(unread.quote, 200)} "
                  f"({unread.why})")
        for note in reading.notes:
            print(f"  note: {one_line(note, 400)}")


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
    from wirespec.changes._diff import changes, summary

    for rel in stale:
        committed = root / "schemas" / rel
        if rel == "index.json" or not committed.is_file() or rel not in fresh:
            continue
        try:
            old = json.loads(committed.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        new = json.loads(fresh[rel])
        counts = summary(changes(old, new, new.get("x-kind", "request")))
        print(f"  {rel}: {counts['breaking']} breaking, {counts['non-breaking']} "
              f"non-breaking, {counts['unknown']} unknown", file=sys.stderr)


def _limits_text(limits: dict[str, object]) -> str:
    parts = []
    for name, limit in limits.items():
        value = limit.get("value") if isinstance(limit, dict) else limit
        parts.append(f"{name}={value}")
    return " ".join(parts) or "no limit documented"


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


def add_parsers(sub: Subparsers) -> None:  # type: ignore[type-arg]
    ingest = sub.add_parser("ingest", help="sources/ -> schemas/")
    ingest.add_argument("--check", action="store_true", help="exit 1 when schemas/ is stale")
    ingest.add_argument("--root", help="project folder (default: found from here)")
    ingest.add_argument("--verbose", action="store_true", help="with --check: also print "
                        "what each document gave")
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
