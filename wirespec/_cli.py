"""The `wirespec` command. Exit codes: 0 ok, 1 invalid/stale/breaking, 2 unusable input."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from wirespec._exceptions import WirespecError
from wirespec.validators import _registry

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
        return _report_stale("ingest", ingest.check(root))
    changed = ingest.ingest(root)
    print(f"ingest: {len(changed)} file(s) changed in {root / 'schemas'}")
    return EXIT_OK


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
    schema = _registry.load_schema(args.id, args.kind)
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wirespec", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = sub.add_parser("ingest", help="sources/ -> schemas/")
    ingest.add_argument("--check", action="store_true", help="exit 1 when schemas/ is stale")
    ingest.add_argument("--root", help="project folder (default: found from here)")
    ingest.set_defaults(run=cmd_ingest)

    models = sub.add_parser("models", help="list models, their kinds and token limits")
    models.add_argument("--json", action="store_true")
    models.set_defaults(run=cmd_models)

    schema = sub.add_parser("schema", help="print a model's schema")
    schema.add_argument("id")
    schema.add_argument("--kind", default="request", choices=_registry.KINDS)
    schema.set_defaults(run=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except WirespecError as err:
        print(f"wirespec: error: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
