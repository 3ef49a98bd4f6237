"""`wirespec proxy`: a validating reverse proxy in front of a provider (or the mock)."""

from __future__ import annotations

import argparse
import contextlib

from wirespec._commands._arguments import Parser, port
from wirespec._commands._common import EXIT_OK
from wirespec.contracts._wire import WIRE_FORMATS

MODES = {"enforce": "invalid requests get the provider's error body and status from the "
                    "proxy and never reach the upstream",
         "report": "everything is forwarded; violations are only logged"}


def cmd_proxy(args: argparse.Namespace) -> int:
    from wirespec.contracts._proxy import ProxySettings, serve
    from wirespec.contracts._proxy_routes import upstream_url

    providers = tuple(dict.fromkeys(args.provider)) if args.provider else tuple(WIRE_FORMATS)
    settings = ProxySettings(upstream_url(args.upstream), providers, args.mode)
    with contextlib.suppress(KeyboardInterrupt):  # ^C is how a proxy is meant to stop
        serve(settings, args.host, args.port, args.log,
              announce=lambda line: print(line, flush=True))
    return EXIT_OK


def add_parsers(sub: argparse._SubParsersAction[Parser]) -> None:
    proxy = sub.add_parser(
        "proxy", help="a validating reverse proxy in front of a provider",
        description="Forward requests to --upstream, checking each request and each answer "
        "(streams event by event, as they pass) against the documents. Violations are logged "
        "as JSON lines (time, model, kind, pointer, keyword, message, action), never headers, "
        "keys or bodies; keys pass through to the upstream. GET /healthz answers 200 without "
        "asking the upstream. Needs wirespec[mock] (uvicorn, uvloop, httptools).")
    proxy.add_argument("--upstream", required=True, help="where requests go: scheme://host"
                       "[:port][/prefix], e.g. https://dashscope.aliyuncs.com or the mock's "
                       "http://127.0.0.1:8765; the request's path and query are appended")
    proxy.add_argument("--provider", action="append", choices=sorted(WIRE_FORMATS),
                       help="check only this provider's endpoints (repeatable; default: all "
                       "three); requests elsewhere pass unchecked")
    proxy.add_argument("--port", type=port, default=8766, help="0 picks a free port")
    proxy.add_argument("--host", default="127.0.0.1", help="where to listen (default: "
                       "loopback only)")
    proxy.add_argument("--mode", choices=sorted(MODES), default="enforce",
                       help="; ".join(f"{name}: {what}" for name, what in MODES.items()))
    proxy.add_argument("--log", metavar="FILE", help="append violations here (default: "
                       "stderr)")
    proxy.set_defaults(run=cmd_proxy)
