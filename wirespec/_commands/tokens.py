"""`wirespec tokens`: a request's token counts and what is left of each documented limit."""

from __future__ import annotations

import argparse

from wirespec.validators import _registry
from wirespec.validators._engine import check_value
from wirespec.validators._payload import parse_json

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


def cmd_tokens(args: argparse.Namespace) -> int:
    from wirespec.validators._budget import budget_errors
    from wirespec.validators._tokens import count_request

    entry = _registry.resolve(args.id)
    label = shown(args.path)
    payload = parse_json(read_input(args.path, args.max_bytes), origin=label)
    report = check_value(entry.id, payload, "request", budget=False, parsed=True)
    if not report.ok:
        print_report(report, "text", label)
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


def add_parsers(sub: Subparsers) -> None:  # type: ignore[type-arg]
    tokens = sub.add_parser("tokens", help="token counts and remaining budget of a request")
    tokens.add_argument("id")
    tokens.add_argument("path", nargs="?", help="JSON file, or - for stdin (the default)")
    tokens.add_argument("--max-bytes", type=count, default=DEFAULT_MAX_BYTES,
                        help=f"refuse a larger input; default {DEFAULT_MAX_BYTES:,}")
    tokens.set_defaults(run=cmd_tokens)
