"""`wirespec contract`: documented requests sent to a server (or the mock), every answer
checked against the documents."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from wirespec._exceptions import WirespecError
from wirespec.contracts._runs import PLACEHOLDER_KEY

from ._arguments import Parser, count, seconds
from ._common import EXIT_FAILED, EXIT_OK

# where each provider's key is usually kept, when --api-key-env is not given
_KEY_VARIABLES = {"cloudflare": "CLOUDFLARE_API_TOKEN", "dashscope": "DASHSCOPE_API_KEY",
                  "siliconflow": "SILICONFLOW_API_KEY"}


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


def add_parsers(sub: argparse._SubParsersAction[Parser]) -> None:
    contract = sub.add_parser("contract", help="contract run against a server (or the mock)")
    contract.add_argument("id")
    contract.add_argument("--base-url", required=True, help="as the provider's SDK takes it, "
                          "e.g. http://127.0.0.1:8765/api/v1 for DashScope")
    contract.add_argument("--api-key-env", help="the environment variable holding the key "
                          "(default: the provider's usual one, e.g. DASHSCOPE_API_KEY)")
    contract.add_argument("--account", help="Cloudflare account id (default: "
                          "$CLOUDFLARE_ACCOUNT_ID)")
    contract.add_argument("--examples", type=count, default=10, help="valid requests to send "
                          "(and invalid ones, with --negative)")
    contract.add_argument("--negative", action="store_true", help="also send requests that "
                          "break one constraint each; they must be refused")
    contract.add_argument("--seed", type=int, default=0)
    contract.add_argument("--timeout", type=seconds, default=60.0, help="seconds allowed for "
                          "each exchange, from connecting to the answer's last byte")
    contract.add_argument("--report", default="contract-report.json",
                          help="where the JSON report goes (- for none)")
    contract.add_argument("--json", action="store_true", help="print the JSON report "
                          "instead of the summary")
    contract.set_defaults(run=cmd_contract)
