"""`wirespec diff`: what changed between two sides, classified for a caller."""

from __future__ import annotations

import argparse

from ._common import EXIT_FAILED, EXIT_OK, Subparsers, project_root


def cmd_diff(args: argparse.Namespace) -> int:
    from wirespec.changes._compare import compare, render, resolve_side
    from wirespec.changes._diff import BREAKING

    root = project_root(None)
    report = compare(resolve_side(root, args.old), resolve_side(root, args.new))
    print(render(report, args.format, args.old, args.new))
    breaking = any(c.classification(kind) == BREAKING for _, kind, found in report
                   for c in found)
    return EXIT_FAILED if breaking else EXIT_OK


def add_parsers(sub: Subparsers) -> None:  # type: ignore[type-arg]
    diff = sub.add_parser("diff", help="semantic diff: breaking / non-breaking / unknown")
    diff.add_argument("old", help="schema file, source document, MODEL@REVISION or git revision")
    diff.add_argument("new")
    diff.add_argument("--format", default="text", choices=("text", "json", "markdown"))
    diff.set_defaults(run=cmd_diff)
