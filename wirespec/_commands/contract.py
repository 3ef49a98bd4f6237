"""`wirespec contract`: documented requests sent to a server (or the mock), every answer
checked against the documents; one model, or all of a provider's (`--provider`).

It reports as it goes (progress on stderr; with --provider, a row per model as it ends), is
bounded (--max-requests, --rate, --max-time, --total-time), and on Ctrl-C writes what was
done: the partial report, its summary, exit 130."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from wirespec._exceptions import WirespecError
from wirespec.contracts._reports import PROFILES, ContractReport, SuiteReport
from wirespec.contracts._runs import PLACEHOLDER_KEY, POLITE_RATE, Watcher

from ._arguments import Parser, count, positive_number, seconds
from ._common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from ._interrupts import Interrupts
from ._progress import Progress

# where each provider's key is usually kept, when --api-key-env is not given
_KEY_VARIABLES = {"cloudflare": "CLOUDFLARE_API_TOKEN", "dashscope": "DASHSCOPE_API_KEY",
                  "siliconflow": "SILICONFLOW_API_KEY"}
FORMATS = ("text", "json", "github", "markdown")
MOST_RATE = 10000.0


class _Shown(Watcher):
    """Progress on stderr; with several models, a row per model on stdout as it ends."""

    def __init__(self, progress: Progress, rows: bool) -> None:
        self.progress, self.rows = progress, rows

    def request(self, model: str, label: str) -> None:
        self.progress.start(f"{model}: {label}")

    def advanced(self, count: int) -> None:
        if count:
            self.progress.advance(count)

    def model_done(self, report: ContractReport) -> None:
        if self.rows:
            self.progress.clear()
            print(report.row(), flush=True)


def rate(text: str) -> float:
    return positive_number(text, MOST_RATE, "a rate in requests per second")


def _models(args: argparse.Namespace) -> tuple[list[str], str]:
    from wirespec.validators import _registry

    if (args.id is None) == (args.provider is None):
        raise WirespecError("contract: give a model ID or --provider P (one of them)")
    if args.id is not None:
        entry = _registry.resolve(args.id)
        return [entry.id], entry.provider
    return [m.id for m in _registry.models() if m.provider == args.provider], args.provider


def _format(args: argparse.Namespace) -> str:
    if args.json and args.format not in (None, "json"):
        raise WirespecError(f"--json is --format json: not with --format {args.format}")
    return "json" if args.json else args.format or "text"


def cmd_contract(args: argparse.Namespace) -> int:
    from wirespec.contracts._pacing import Bounds
    from wirespec.contracts._runs import Plan, check_arguments, default_profile, default_rate

    fmt = _format(args)
    model_ids, provider = _models(args)
    variable = args.api_key_env or _KEY_VARIABLES[provider]
    key = os.environ.get(variable)
    if key is None and args.api_key_env:
        raise WirespecError(f"--api-key-env {variable}: the variable is not set")
    profile = args.profile or default_profile(args.base_url)
    if args.negative and profile == "realistic":
        raise WirespecError("--negative: the realistic profile (the default away from "
                            "loopback) sends valid requests only; add --profile limits to "
                            "send requests that break constraints to this server")
    plan = Plan(args.examples, args.negative, profile, args.seed)
    bounds = Bounds(args.max_requests, args.rate or default_rate(args.base_url),
                    args.max_time, args.total_time)
    check_arguments(args.base_url, PLACEHOLDER_KEY if key is None else key, variable,
                    args.timeout, plan, bounds)  # before anything is printed
    suite = SuiteReport(args.base_url, profile, provider if args.id is None else None)
    interrupts = Interrupts()
    progress = Progress(len(model_ids) * plan.per_model, "requests")
    watcher = _Shown(progress, rows=args.id is None and fmt in ("text", "github"))
    account = args.account or os.environ.get("CLOUDFLARE_ACCOUNT_ID", "wirespec-contract")
    ended = False
    with interrupts.installed():
        print(_header(model_ids, provider, args, plan, bounds), file=sys.stderr, flush=True)
        try:
            _run(model_ids, suite, args, plan, bounds, watcher, interrupts, key, variable,
                 account)
        except KeyboardInterrupt:
            ended = True
        finally:
            progress.clear()
    _report(suite, args, fmt)
    if ended:
        return EXIT_INTERRUPTED
    return EXIT_OK if suite.ok else EXIT_FAILED


def _run(model_ids: list[str], suite: SuiteReport, args: argparse.Namespace, plan: Any,
         bounds: Any, watcher: Watcher, interrupts: Interrupts, key: str | None,
         variable: str, account: str) -> None:
    from wirespec.contracts._runs import run_models

    run_models(model_ids, args.base_url, suite, plan=plan,
               key=PLACEHOLDER_KEY if key is None else key, key_variable=variable,
               account=account, timeout=args.timeout, bounds=bounds, watcher=watcher,
               wait=interrupts.wait)
    if len(model_ids) == 1 and suite.not_run:  # one model asked for: it is the error
        raise WirespecError(f"{model_ids[0]}: {next(iter(suite.not_run.values()))}")


def _header(model_ids: list[str], provider: str, args: argparse.Namespace, plan: Any,
            bounds: Any) -> str:
    """What is about to happen (stderr): how much is sent, and how fast."""
    what = f"{len(model_ids)} {provider} models" if args.id is None else model_ids[0]
    each = " each" if args.id is None else ""
    negative = f" and {plan.examples} invalid" if plan.negative else ""
    limits = [f"at most {bounds.rate:g} request(s)/s" if bounds.rate else "no rate limit"]
    limits += [f"--max-requests {bounds.max_requests}"] if bounds.max_requests else []
    limits += [f"--max-time {bounds.max_time:g} s"] if bounds.max_time else []
    limits += [f"--total-time {bounds.total_time:g} s"] if bounds.total_time else []
    return (f"contract: {what}, {plan.examples} valid{negative} request(s){each}, profile "
            f"{plan.profile}; {', '.join(limits)}")


def _document(suite: SuiteReport, args: argparse.Namespace) -> dict[str, Any]:
    """A run over one model keeps the one-model report; a provider's, the suite's."""
    if args.id is None:
        return suite.as_json()
    if suite.models:
        return suite.models[0].as_json()
    unstarted = ContractReport(args.id, suite.base_url, profile=suite.profile,
                               planned=args.examples * (2 if args.negative else 1),
                               stopped="interrupted")
    return unstarted.as_json()


def _report(suite: SuiteReport, args: argparse.Namespace, fmt: str) -> None:
    from wirespec.codegen._files import write_atomic

    from . import _contract_reports

    document = json.dumps(_document(suite, args), indent=2, ensure_ascii=False) + "\n"
    if args.report != "-":
        try:
            write_atomic(Path(args.report), document)
        except OSError as err:
            raise WirespecError(f"{args.report}: cannot write the report: "
                                f"{err.strerror}") from None
    if args.junit:
        try:
            _contract_reports.junit(args.junit, suite)
        except OSError as err:
            raise WirespecError(f"{args.junit}: cannot write the JUnit report: "
                                f"{err.strerror}") from None
    if fmt == "json":
        sys.stdout.write(document)
        return
    if fmt == "markdown":
        print(_contract_reports.markdown(suite))
        return
    if fmt == "github":
        for line in _contract_reports.github(suite):
            print(line)
    _summary(suite, args)


def _summary(suite: SuiteReport, args: argparse.Namespace) -> None:
    if args.id is not None and suite.models:
        lines = list(suite.models[0].summary())
    elif args.id is not None:
        lines = [f"contract {args.id}: interrupted before its first request"]
    else:
        lines = list(suite.summary())
    for line in lines:
        print(line)
    if args.report != "-":
        print(f"report: {args.report}")


def add_parsers(sub: argparse._SubParsersAction[Parser]) -> None:
    contract = sub.add_parser("contract", help="contract run against a server (or the mock)")
    contract.add_argument("id", nargs="?", help="the model (or --provider P: all of its)")
    contract.add_argument("--provider", choices=sorted(_KEY_VARIABLES),
                          help="every model of this provider, in one report")
    contract.add_argument("--base-url", required=True, help="as the provider's SDK takes it, "
                          "e.g. http://127.0.0.1:8765/api/v1 for DashScope")
    contract.add_argument("--api-key-env", help="the environment variable holding the key "
                          "(default: the provider's usual one, e.g. DASHSCOPE_API_KEY)")
    contract.add_argument("--account", help="Cloudflare account id (default: "
                          "$CLOUDFLARE_ACCOUNT_ID)")
    contract.add_argument("--examples", type=count, default=10, help="valid requests to send "
                          "per model (and invalid ones, with --negative)")
    contract.add_argument("--negative", action="store_true", help="also send requests that "
                          "break one constraint each; they must be refused (limits profile)")
    contract.add_argument("--profile", choices=sorted(PROFILES), help="realistic: what a "
                          "careful client sends (the default away from loopback); limits: "
                          "requests at the documented limits (the default on loopback)")
    contract.add_argument("--max-requests", type=count, help="send no more than this, over "
                          "all models")
    contract.add_argument("--rate", type=rate, help="requests per second at most (default: "
                          f"{POLITE_RATE:g} away from loopback, none on loopback)")
    contract.add_argument("--max-time", type=seconds, help="seconds per model: no request "
                          "starts after them")
    contract.add_argument("--total-time", type=seconds, help="seconds in all: no request "
                          "starts after them")
    contract.add_argument("--seed", type=int, default=0)
    contract.add_argument("--timeout", type=seconds, default=60.0, help="seconds allowed for "
                          "each exchange, from connecting to the answer's last byte")
    contract.add_argument("--report", default="contract-report.json",
                          help="where the JSON report goes (- for none)")
    contract.add_argument("--format", choices=FORMATS, help="text (default), json (the "
                          "report), github (workflow annotations), markdown (a job summary)")
    contract.add_argument("--json", action="store_true", help="--format json")
    contract.add_argument("--junit", metavar="FILE", help="also write JUnit XML: a test case "
                          "per model and check")
    contract.set_defaults(run=cmd_contract)
