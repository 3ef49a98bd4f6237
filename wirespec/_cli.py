"""The `wirespec` command: the parser and the dispatch. Each command group's code is in
wirespec/_commands/. Exit codes: 0 ok, 1 invalid/stale/breaking, 2 unusable input."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from wirespec._commands._common import EXIT_OK, EXIT_UNUSABLE, one_line
from wirespec._exceptions import WirespecError

Command = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (and exit 2) instead of the usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_UNUSABLE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    # the groups are imported here, under main's Ctrl-C handling (an import takes a while)
    from wirespec._commands import (
        changes,
        checks,
        contract,
        fuzz,
        mock,
        proxy,
        schemas,
        tokens,
    )

    groups = (schemas, checks, changes, fuzz, mock, contract, proxy, tokens)
    parser = _Parser(prog="wirespec", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in groups:
        group.add_parsers(sub)
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
    try:
        args = _parse(argv)
    except KeyboardInterrupt:  # ^C while the commands load: as quiet as during a run
        return 130
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


if __name__ == "__main__":
    sys.exit(main())
