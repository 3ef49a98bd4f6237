"""`wirespec diff`: what changed between two sides, judged by what each accepts."""

from __future__ import annotations

import argparse

from ._common import EXIT_FAILED, EXIT_OK, Subparsers, project_root

FORMATS = ("text", "json", "markdown", "github")


def cmd_diff(args: argparse.Namespace) -> int:
    from wirespec.changes._report import compare, render
    from wirespec.changes._sides import resolve_side

    root = project_root(args.root)
    diff = compare(resolve_side(root, args.old, args.provider),
                   resolve_side(root, args.new, args.provider))
    print(render(diff, args.format))
    return EXIT_FAILED if diff.fails(args.fail_on) else EXIT_OK


def add_parsers(sub: Subparsers) -> None:  # type: ignore[type-arg]
    diff = sub.add_parser("diff", help="semantic diff: breaking / non-breaking / unknown",
                          description="Each side: a schema file, a document (anywhere), "
                          "REV:PATH, MODEL@REVISION, a folder (its schemas/; `.` is the "
                          "working tree) or a git revision.")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument("--format", default="text", choices=FORMATS)
    diff.add_argument("--fail-on", default="breaking", choices=("breaking", "any", "never"),
                      help="exit 1 when a change of this class is found (default: breaking)")
    diff.add_argument("--provider", help="whose documents these are, when neither the layout "
                      "nor the path says")
    diff.add_argument("--root", help="the project folder (default: found from here)")
    diff.set_defaults(run=cmd_diff)
