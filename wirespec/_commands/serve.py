"""`wirespec mock` and `wirespec contract`: the commands that talk HTTP."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
from pathlib import Path
from typing import TypeVar

from wirespec._exceptions import WirespecError
from wirespec.contracts._mock import FAULTS, MAX_BODY, MockSettings
from wirespec.contracts._runs import MAX_TIMEOUT, PLACEHOLDER_KEY
from wirespec.contracts._wire import WIRE_FORMATS

EXIT_OK, EXIT_FAILED = 0, 1
Parser = TypeVar("Parser", bound=argparse.ArgumentParser)  # the main parser's class
# where each provider's key is usually kept, when --api-key-env is not given
_KEY_VARIABLES = {"cloudflare": "CLOUDFLARE_API_TOKEN", "dashscope": "DASHSCOPE_API_KEY",
                  "siliconflow": "SILICONFLOW_API_KEY"}


def cmd_mock(args: argparse.Namespace) -> int:
    from wirespec.contracts._serve import serve

    providers = tuple(args.provider) if args.provider else tuple(WIRE_FORMATS)
    settings = MockSettings(providers, args.seed, frozenset(args.fault or ()), args.max_body)
    with contextlib.suppress(KeyboardInterrupt):  # ^C is how a mock is meant to stop
        serve(settings, args.port, announce=lambda line: print(line, flush=True))
    return EXIT_OK


def cmd_contract(args: argparse.Namespace) -> int:
    from wirespec.codegen._files import write_atomic
    from wirespec.contracts._runs import run_contract
    from wirespec.validators import _registry

    entry = _registry.resolve(args.id)
    variable = args.api_key_env or _KEY_VARIABLES[entry.provider]
    key = os.environ.get(variable)
    if key is None and args.api_key_env:
        raise WirespecError(f"--api-key-env {variable}: the variable is not set")
    account = os.environ.get("CLOUDFLARE_ACCOUNT_ID", "wirespec-contract")
    report = run_contract(entry.id, args.base_url, examples=args.examples,
                          negative=args.negative,
                          key=PLACEHOLDER_KEY if key is None else key,
                          key_variable=variable, account=args.account or account,
                          seed=args.seed, timeout=args.timeout)
    document = json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n"
    if args.report != "-":
        try:
            write_atomic(Path(args.report), document)
        except OSError as err:
            raise WirespecError(f"{args.report}: cannot write the report: "
                                f"{err.strerror}") from None
    if args.json:
        sys.stdout.write(document)
    else:
        for line in report.summary():
            print(line)
        if args.report != "-":
            print(f"report: {args.report}")
    return EXIT_OK if report.ok else EXIT_FAILED


MOST_BODY = 1 << 30  # a mock holding more than 1 GiB per request is a typo, not a test


def _whole(text: str, least: int, most: int) -> int | None:
    """``text`` as a plain decimal number from ``least`` to ``most``; None otherwise (no sign,
    no spaces, no digits of other scripts, and no more digits than ``most`` has)."""
    digits = text.lstrip("0") or "0"
    if not (text.isascii() and text.isdigit()) or len(digits) > len(str(most)):
        return None
    value = int(digits)
    return value if least <= value <= most else None


def _port(text: str) -> int:
    value = _whole(text, 0, 65535)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a port (0-65535)")
    return value


def _count(text: str) -> int:
    value = _whole(text, 1, 10**9)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a count (1 to 1000000000)")
    return value


def _body_size(text: str) -> int:
    value = _whole(text, 1, MOST_BODY)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a size in bytes (1 to "
                                         f"{MOST_BODY})")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_TIMEOUT):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number of seconds (above 0, "
                                         f"at most {MAX_TIMEOUT:g})")
    return value


def add_parsers(sub: argparse._SubParsersAction[Parser]) -> None:
    mock = sub.add_parser("mock", help="local provider stand-ins on loopback",
                          description="Serve each provider's wire format on 127.0.0.1: "
                          "requests are validated, answers drawn from the response schemas.")
    mock.add_argument("--provider", action="append", choices=sorted(WIRE_FORMATS),
                      help="serve only this provider (repeatable; default: all three)")
    mock.add_argument("--port", type=_port, default=8765, help="0 picks a free port")
    mock.add_argument("--seed", type=int, default=0, help="answers are a function of the "
                      "request and this seed")
    mock.add_argument("--fault", action="append", choices=sorted(FAULTS),
                      help="misbehave on purpose (repeatable): "
                      + "; ".join(f"{name}: {what}" for name, what in sorted(FAULTS.items())))
    mock.add_argument("--max-body", type=_body_size, default=MAX_BODY, help="bytes; larger "
                      "requests get 413")
    mock.set_defaults(run=cmd_mock)

    contract = sub.add_parser("contract", help="contract run against a server (or the mock)")
    contract.add_argument("id")
    contract.add_argument("--base-url", required=True, help="as the provider's SDK takes it, "
                          "e.g. http://127.0.0.1:8765/api/v1 for DashScope")
    contract.add_argument("--api-key-env", help="the environment variable holding the key "
                          "(default: the provider's usual one, e.g. DASHSCOPE_API_KEY)")
    contract.add_argument("--account", help="Cloudflare account id (default: "
                          "$CLOUDFLARE_ACCOUNT_ID)")
    contract.add_argument("--examples", type=_count, default=10, help="valid requests to send "
                          "(and invalid ones, with --negative)")
    contract.add_argument("--negative", action="store_true", help="also send requests that "
                          "break one constraint each; they must be refused")
    contract.add_argument("--seed", type=int, default=0)
    contract.add_argument("--timeout", type=_seconds, default=60.0, help="seconds allowed for "
                          "each exchange, from connecting to the answer's last byte")
    contract.add_argument("--report", default="contract-report.json",
                          help="where the JSON report goes (- for none)")
    contract.add_argument("--json", action="store_true", help="print the JSON report "
                          "instead of the summary")
    contract.set_defaults(run=cmd_contract)
