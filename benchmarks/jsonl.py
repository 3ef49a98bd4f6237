"""`make bench`: `wirespec validate --jsonl` in lines per second, one worker and two, against
orjson + jsonschema-rs on the same lines in one process; the peak RSS of each run.

The lines are written to a temporary folder under /tmp (never the repository). Options:
``--mb N`` the size of each throughput file (default 40), ``--rss-mb N`` also runs one and
two workers over a file of N MB for their peak RSS (default 0: not run; 1024 for 1 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from wirespec.validators._registry import load_schema

MODEL = "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq"  # seed 002's schema, with a context window
UNLIMITED = "cloudflare:@cf/qwen/qwen1.5-0.5b-chat"  # no limit documented: no token budget
WORDS = ("pizza", "dough", "cheese", "oven", "tomato", "basil", "crust", "why", "is", "so",
         "good", "tell", "me", "about", "the", "history", "of", "naples", "and", "its")


def request(rng: random.Random) -> dict[str, Any]:
    """A chat request as an application logs it: mostly valid, some not."""
    def text(low: int, high: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))

    roll = rng.random()
    if roll < 0.25:
        body: dict[str, Any] = {"prompt": text(5, 60), "seed": rng.randint(1, 10**6)}
    else:
        turns = rng.randint(1, 12)
        body = {"messages": [{"role": "system", "content": "You are helpful."}] + [
            {"role": "user" if i % 2 == 0 else "assistant", "content": text(3, 80)}
            for i in range(turns)], "max_tokens": rng.choice([64, 256, 1024])}
    body["temperature"] = round(rng.uniform(0, 1.5), 2)
    if roll > 0.95:
        body["temperature"] = 7  # past the documented maximum
    elif roll > 0.93:
        body["top_k"] = 99
    return body


def write_lines(path: Path, megabytes: int, keep: Any = None, seed: int = 15) -> int:
    """``megabytes`` of JSON Lines (a pool of distinct requests, those ``keep`` accepts,
    repeated); the line count."""
    rng = random.Random(seed)
    pool: list[bytes] = []
    while len(pool) < 2000:
        body = request(rng)
        if keep is None or keep(body):
            pool.append(json.dumps(body).encode() + b"\n")
    block = b"".join(pool)
    repeats = max(1, megabytes * 1024 * 1024 // len(block))
    with path.open("wb") as out:
        for _ in range(repeats):
            out.write(block)
    return repeats * len(pool)


def reference_rate(model: str, path: Path) -> float:
    """orjson + jsonschema-rs, one process: lines per second (verdicts only)."""
    validator = jsonschema_rs.validator_for(load_schema(model), offline=True)
    start = time.perf_counter()
    lines = 0
    with path.open("rb") as source:
        for line in source:
            validator.is_valid(orjson.loads(line))
            lines += 1
    return lines / (time.perf_counter() - start)


def run_cli(model: str, path: Path, workers: int) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds of every process, peak RSS in kB of the largest, exit code):
    measured by a fresh interpreter, so that RUSAGE_CHILDREN holds only this run."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "wall = time.perf_counter() - start\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, code)\n")
    command = [sys.executable, "-c", probe, sys.executable, "-m", "wirespec._cli", "validate",
               model, str(path), "--jsonl", "--workers", str(workers)]
    wall, cpu, rss, code = subprocess.run(command, capture_output=True, text=True,
                                          check=True).stdout.split()
    return float(wall), float(cpu), int(rss), int(code)


def startup(model: str, path: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of the interpreter, the imports and the schema: a one-line input."""
    one = path.with_name("one.jsonl")
    with path.open("rb") as source:
        one.write_bytes(source.readline())
    runs = [run_cli(model, one, 1) for _ in range(3)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def compare(model: str, folder: Path, megabytes: int) -> None:
    verdict = jsonschema_rs.validator_for(load_schema(model), offline=True).is_valid
    for mix, keep in (("valid lines", verdict), ("7% invalid", None)):
        path = folder / f"{mix.split()[0]}.jsonl"
        lines = write_lines(path, megabytes, keep)
        reference = max(reference_rate(model, path) for _ in range(3))
        start_wall, start_cpu = startup(model, path)
        print(f"{model}, {mix}: {lines:,} lines, {path.stat().st_size / 2**20:,.0f} MB; "
              f"orjson + jsonschema-rs {reference:,.0f} lines/s; start-up {start_wall:.2f} s "
              "(left out)")
        runs: dict[int, list[tuple[float, float, int, int]]] = {1: [], 2: []}
        for _ in range(3):  # interleaved, the best of three: the machine may be shared
            for workers in runs:
                runs[workers].append(run_cli(model, path, workers))
        for workers, measured in runs.items():
            wall, cpu, rss, code = min(measured)
            rate = lines / max(wall - start_wall, 1e-9)
            per_core = lines / max(cpu - start_cpu, 1e-9)
            print(f"  --workers {workers}: {rate:>9,.0f} lines/s ({rate / reference:>4.0%}); "
                  f"per CPU second {per_core:>9,.0f} ({per_core / reference:>4.0%}); peak RSS "
                  f"{rss / 1024:,.0f} MB; exit {code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=40)
    parser.add_argument("--rss-mb", type=int, default=0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wirespec-jsonl-", dir="/tmp"))
    try:
        print(f"cores: {os.cpu_count()}, load {os.getloadavg()[0]:.1f}; lines/s exclude "
              "start-up; 'per CPU second': lines over the CPU time of every process (the "
              "per-core rate); ratios to orjson + jsonschema-rs in one process; peak RSS of "
              "the largest process")
        for model in (MODEL, UNLIMITED):
            compare(model, folder, args.mb)
        if args.rss_mb:
            big = folder / "big.jsonl"
            count = write_lines(big, args.rss_mb)
            for workers in (1, 2):
                wall, _, rss, _ = run_cli(MODEL, big, workers)
                print(f"peak RSS on {big.stat().st_size / 2**20:,.0f} MB ({count:,} lines) with "
                      f"--workers {workers}: {rss / 1024:,.0f} MB (largest process; {wall:.0f} s)")
    finally:
        shutil.rmtree(folder)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"(this script's own peak RSS: {own / 1024:,.0f} MB)")


if __name__ == "__main__":
    main()
