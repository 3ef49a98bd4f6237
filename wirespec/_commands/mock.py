"""`wirespec mock`: local provider stand-ins on loopback."""

from __future__ import annotations

import argparse
import contextlib

from wirespec.contracts._mock import FAULTS, MAX_BODY, MockSettings
from wirespec.contracts._wire import WIRE_FORMATS

from ._arguments import Parser, body_size, port
from ._common import EXIT_OK


def cmd_mock(args: argparse.Namespace) -> int:
    from wirespec.contracts._serve import serve

    providers = tuple(args.provider) if args.provider else tuple(WIRE_FORMATS)
    settings = MockSettings(providers, args.seed, frozenset(args.fault or ()), args.max_body)
    with contextlib.suppress(KeyboardInterrupt):  # ^C is how a mock is meant to stop
        serve(settings, args.port, announce=lambda line: print(line, flush=True),
              log_path=args.log)
    return EXIT_OK


def add_parsers(sub: argparse._SubParsersAction[Parser]) -> None:
    mock = sub.add_parser("mock", help="local provider stand-ins on loopback",
                          description="Serve each provider's wire format on 127.0.0.1: "
                          "requests are validated, answers drawn from the response schemas "
                          "(the same request, the same answer: kept once drawn), usage "
                          "counted with the model's tokenizer; GET /healthz and each "
                          "provider's model list.")
    mock.add_argument("--provider", action="append", choices=sorted(WIRE_FORMATS),
                      help="serve only this provider (repeatable; default: all three)")
    mock.add_argument("--port", type=port, default=8765, help="0 picks a free port")
    mock.add_argument("--seed", type=int, default=0, help="answers are a function of the "
                      "request and this seed")
    mock.add_argument("--fault", action="append", choices=sorted(FAULTS),
                      help="misbehave on purpose (repeatable): "
                      + "; ".join(f"{name}: {what}" for name, what in sorted(FAULTS.items())))
    mock.add_argument("--max-body", type=body_size, default=MAX_BODY, help="bytes; larger "
                      "requests get 413")
    mock.add_argument("--log", metavar="FILE", help="append a JSON line per request (time, "
                      "provider, method, path, model, status, valid, errors, stream, "
                      "microseconds; never a header, a key or a body)")
    mock.set_defaults(run=cmd_mock)
