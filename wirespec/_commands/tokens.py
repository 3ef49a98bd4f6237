"""`wirespec tokens`: a request's token counts, the bounds its bytes give, how the budget was
decided, and what is left of each documented limit ("no limit documented" where none is)."""

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

DECIDED = {
    "upper bound": "within every limit by the byte bound alone: no tokenizer needed",
    "upper bound with cached counts": "within every limit by the bound with cached counts",
    "lower bound": "over a limit by the byte bound alone: no tokenizer needed",
    "exact count": "the bounds could not decide: counted exactly",
    "estimate": "the bound could not decide: estimated (no tokenizer for this model)",
    "not counted": "not counted: the request carries no conversation wirespec can count",
}


def _where(source: object) -> str:
    if isinstance(source, dict) and "doc" in source:
        return f" [sources/{source['doc']}:{source.get('line')}]"
    return ""


def cmd_tokens(args: argparse.Namespace) -> int:
    from wirespec.validators._budget import budget, reserved_max_tokens, stated_limits
    from wirespec.validators._conversation import conversation_of
    from wirespec.validators._limits import OUTPUT, TOTAL
    from wirespec.validators._tokens import count_request, prompt_size, tokenizer_for

    entry = _registry.resolve(args.id)
    label = shown(args.path)
    payload = parse_json(read_input(args.path, args.max_bytes), origin=label)
    report = check_value(entry.id, payload, "request", budget=False, parsed=True)
    if not report.ok:
        print_report(report, "text", label)
        return EXIT_FAILED
    verdict = budget(entry, payload)
    tokens = count_request(entry.provider, entry.model, payload)
    print(f"{entry.id}: {tokens.tokenizer.name}")
    conversation = conversation_of(entry.provider, payload)
    if conversation is None:
        print("  no conversation wirespec can count (messages or prompt)")
    else:
        for pointer, role, counted in tokens.turns:
            print(f"  {pointer:<36} {role:<10} {counted:>9,} tokens")
        if conversation.tools is not None:
            print(f"  {'tools (an estimate: see the warning)':<47} {tokens.tools:>9,} tokens")
        print(f"  {'chat template and reply prompt':<47} {tokens.template:>9,} tokens")
        print(f"  {'input total':<47} {tokens.total:>9,} tokens")
        tokenizer = tokenizer_for(entry.model)
        size, specials = prompt_size(tokenizer, conversation)
        longest = tokenizer.longest_token_bytes
        least = f"at least {specials - (-size // longest):,}, " if longest else ""
        print(f"  {'bounds from bytes':<20} {least}at most {size + specials:,} "
              f"({size:,} bytes between {specials} special tokens)")
    limits = stated_limits(entry)
    reserved = reserved_max_tokens(entry, payload)
    if reserved is not None:
        print(f"  {'output reserved':<20} {reserved.phrase()}")
    if not limits:
        print("  no limit documented for this model: the request's size is not checked")
    for limit in limits:
        print(f"  {limit.name:<20} {limit.value:>9,}{_where(limit.source)}")
    if limits:
        print(f"  {'decided by':<20} {DECIDED.get(verdict.decided_by, verdict.decided_by)}")
    for error in verdict.errors:
        print(f"  over budget: {error.pointer}: {error.message} [{error.where()}]")
    for warning in verdict.warnings:
        print(f"  warning: {warning.pointer or '/'}: {warning.message}")
    extra = reserved.value if reserved is not None else 0
    for limit in limits if conversation is not None else []:
        if limit.meaning != OUTPUT and not verdict.errors:
            left = limit.value - tokens.total - (extra if limit.meaning == TOTAL else 0)
            kind = "context left after the reply" if limit.meaning == TOTAL else \
                "input budget left"
            print(f"  {kind}: {left:,} tokens ({limit.name})")
    return EXIT_FAILED if verdict.errors else EXIT_OK


def add_parsers(sub: Subparsers) -> None:  # type: ignore[type-arg]
    tokens = sub.add_parser("tokens", help="token counts and remaining budget of a request")
    tokens.add_argument("id")
    tokens.add_argument("path", nargs="?", help="JSON file, or - for stdin (the default)")
    tokens.add_argument("--max-bytes", type=count, default=DEFAULT_MAX_BYTES,
                        help=f"refuse a larger input; default {DEFAULT_MAX_BYTES:,}")
    tokens.set_defaults(run=cmd_tokens)
