"""`wirespec fuzz`: property runs at every limit, with coverage per model."""

from __future__ import annotations

import argparse
import json

from wirespec.validators import _registry

from ._common import EXIT_FAILED, EXIT_OK, Subparsers, count


def cmd_fuzz(args: argparse.Namespace) -> int:
    import time
    import warnings

    from wirespec.fuzzing._runner import run

    # payloads at a 131072-character limit: hypothesis warns about the size of their repr
    warnings.filterwarnings("ignore", message="Generating overly large repr")

    targets = [(entry.id, kind) for entry in _registry.models() for kind in entry.kinds]
    if args.ids:
        chosen = {_registry.resolve(model_id).id for model_id in args.ids}
        targets = [(model_id, kind) for model_id, kind in targets if model_id in chosen]
    failed = False
    total = both = 0
    started = time.monotonic()
    print(f"{'model':<52} {'kind':<9} {'constraints':>11} {'both sides':>11} {'examples':>9}"
          f" {'seconds':>8}", flush=True)
    for model_id, kind in targets:
        begun = time.monotonic()
        result = run(model_id, kind, examples=args.examples, seed_value=args.seed)
        total += len(result.constraints)
        both += len(result.both_sides)
        print(f"{model_id:<52} {kind:<9} {len(result.constraints):>11} "
              f"{len(result.both_sides):>6} {result.coverage:>4.0%} {result.examples:>9} "
              f"{time.monotonic() - begun:>8.1f}", flush=True)
        if result.disagreement is not None:
            failed = True
            print(f"  DISAGREEMENT: {result.disagreement.what}")
            print(f"  minimal payload: {json.dumps(result.disagreement.payload)[:2000]}")
        elif result.coverage < 1:
            missing = sorted(result.constraints - result.both_sides - result.unbreakable)
            print(f"  not exercised on both sides: {', '.join(missing[:5])}"
                  + (" …" if len(missing) > 5 else ""))
        if result.unbreakable:
            print(f"  {len(result.unbreakable)} cannot be broken alone (another alternative "
                  f"accepts the change): {', '.join(sorted(result.unbreakable)[:3])}"
                  + (" …" if len(result.unbreakable) > 3 else ""))
    share = both / total if total else 1.0
    print(f"total: {both}/{total} constraints exercised on both sides ({share:.1%}), "
          f"{'disagreements found' if failed else 'no disagreement'}, "
          f"{time.monotonic() - started:.0f} s")
    return EXIT_FAILED if failed else EXIT_OK


def add_parsers(sub: Subparsers) -> None:  # type: ignore[type-arg]
    fuzz = sub.add_parser("fuzz", help="property runs at every limit, with coverage")
    fuzz.add_argument("ids", nargs="*", metavar="ID", help="models (default: all)")
    fuzz.add_argument("--examples", type=count, default=200,
                      help="valid examples, and invalid ones spread over the constraints")
    fuzz.add_argument("--seed", type=int, default=0)
    fuzz.set_defaults(run=cmd_fuzz)
