"""`wirespec diff`, `add` and `update`: what changed, judged by what each side accepts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import EXIT_FAILED, EXIT_OK, EXIT_UNUSABLE, Subparsers, one_line, project_root

if TYPE_CHECKING:
    from wirespec.changes._report import Diff

FORMATS = ("text", "json", "markdown", "github")


def cmd_diff(args: argparse.Namespace) -> int:
    from wirespec.changes._report import compare, render, write_diff_junit
    from wirespec.changes._sides import resolve_side

    root = project_root(args.root)
    diff = compare(resolve_side(root, args.old, args.provider),
                   resolve_side(root, args.new, args.provider))
    print(render(diff, args.format))
    if args.junit:
        write_diff_junit(args.junit, diff, args.fail_on)
    return EXIT_FAILED if diff.fails(args.fail_on) else EXIT_OK


def add_parsers(sub: Subparsers) -> None:  # type: ignore[type-arg]
    diff = sub.add_parser("diff", help="semantic diff: breaking / non-breaking / unknown",
                          description="Each side: a schema file, a document (anywhere), "
                          "REV:PATH, MODEL@REVISION, a folder (its schemas/; `.` is the "
                          "working tree) or a git revision.")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument("--format", default="text", choices=FORMATS)
    diff.add_argument("--junit", metavar="FILE", help="also write a JUnit XML file: a test "
                      "case per change, failed when --fail-on counts it")
    diff.add_argument("--fail-on", default="breaking", choices=("breaking", "any", "never"),
                      help="exit 1 when a change of this class is found (default: breaking)")
    diff.add_argument("--provider", help="whose documents these are, when neither the layout "
                      "nor the path says")
    diff.add_argument("--root", help="the project folder (default: found from here)")
    diff.set_defaults(run=cmd_diff)
    add_document_parsers(sub)


def _print_review(diff: Diff, unread: list[str], where: str) -> None:
    from wirespec.changes._report import render

    if diff.groups:
        print(render(diff, "text"))
    else:
        print("no change in what the models accept")
    if unread:
        print(f"what {where} says that no rule read:")
        for line in unread:
            print(f"  {where}:{one_line(line, 300)}")


def cmd_add(args: argparse.Namespace) -> int:
    from wirespec.changes._adding import add_document
    from wirespec.codegen.ingest._manifest import read_capped

    root = project_root(args.root)
    data = read_capped(Path(args.path), args.path)
    added = add_document(root, data, name=args.path, provider=args.provider,
                         models=args.models, url=args.url)
    if added.already_present:
        print(f"sources/{added.path} already holds these bytes: nothing added")
        return EXIT_OK
    assert added.diff is not None
    print(f"added sources/{added.path} [{added.format}], revision {added.revision} of "
          f"{len(added.models)} model(s): {', '.join(added.models[:8])}"
          + (" …" if len(added.models) > 8 else ""))
    _print_review(added.diff, added.unread, f"sources/{added.path}")
    return EXIT_FAILED if added.diff.fails("breaking") else EXIT_OK


def cmd_update(args: argparse.Namespace) -> int:
    from wirespec.changes._updating import CHANGED, UNREACHABLE, UNUSABLE, update

    root = project_root(args.root)
    results = update(root, provider=args.provider, dry_run=args.dry_run)
    if not results:
        print("update: no document in the manifest has a url that defines a model today")
    breaking = False
    for result in results:
        document = result.document
        where = f"sources/{document.path}"
        if result.status in (UNREACHABLE, UNUSABLE):
            print(f"wirespec: error: {where}: {result.status}: {one_line(result.reason, 400)}",
                  file=sys.stderr)
            continue
        if result.status != CHANGED or result.diff is None:
            print(f"{where}: unchanged ({document.url})")
            continue
        added = result.added
        target = f"sources/{added.path}" if added else "(dry run: nothing written)"
        print(f"{where}: changed at {document.url} -> {target}")
        _print_review(result.diff, added.unread if added else [], target)
        breaking = breaking or result.diff.fails("breaking")
    if any(r.status in (UNREACHABLE, UNUSABLE) for r in results):
        return EXIT_UNUSABLE
    return EXIT_FAILED if breaking else EXIT_OK


def add_document_parsers(sub: Subparsers) -> None:  # type: ignore[type-arg]
    add = sub.add_parser("add", help="add a document to sources/ (a new revision when it "
                         "covers known models) and review what changed")
    add.add_argument("path", help="the document, as published (kept verbatim)")
    add.add_argument("--provider", help="whose document it is: cloudflare, dashscope or "
                     "siliconflow (default: told by its layout or path)")
    add.add_argument("--models", nargs="+", metavar="M", help="the model ids it describes, "
                     "where it does not name them")
    add.add_argument("--url", help="where the document is published (`update` fetches it)")
    add.add_argument("--root", help="the project folder (default: found from here)")
    add.set_defaults(run=cmd_add)
    update = sub.add_parser("update", help="fetch every tracked document; add changed ones "
                            "as revisions; exit 1 when something breaks")
    update.add_argument("--provider", help="only this provider's documents")
    update.add_argument("--dry-run", action="store_true", help="fetch and review; write "
                        "nothing")
    update.add_argument("--root", help="the project folder (default: found from here)")
    update.set_defaults(run=cmd_update)
