"""What the SDK hooks add per request: each official SDK against the mock (uvicorn, loopback),
with and without the hook, requests interleaved so that both sides see the same machine.

Figures: median and p90 of ``ROUNDS`` requests per side, and the median difference (the
hook's added time, which includes checking the answer or every stream event).

Run: .venv/bin/python benchmarks/integrations.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import cloudflare
import dashscope
import httpx
import openai

from wirespec.integrations import dashscope as ds_hook
from wirespec.integrations.httpx import ValidatingTransport
from wirespec.mock import running

ROUNDS = 200
KEY = "bench-key"
MESSAGES = [{"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Who are you"}]
SF, DS, CF = "Qwen/Qwen2.5-7B-Instruct", "qwen1.5-72b-chat", "@cf/qwen/qwen1.5-7b-chat-awq"


def _timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _compare(name: str, plain: Callable[[], Any], hooked: Callable[[], Any]) -> None:
    for _ in range(10):  # warm: connections, compiled schemas, the tokenizer
        plain()
        hooked()
    times: dict[str, list[float]] = {"plain": [], "hooked": []}
    for _ in range(ROUNDS):
        times["plain"].append(_timed(plain))
        times["hooked"].append(_timed(hooked))
    added = [h - p for p, h in zip(times["plain"], times["hooked"], strict=True)]
    shown = {side: (statistics.median(t) * 1e3, statistics.quantiles(t, n=10)[-1] * 1e3)
             for side, t in times.items()}
    print(f"{name:<28} without {shown['plain'][0]:6.2f} ms (p90 {shown['plain'][1]:6.2f})  "
          f"with {shown['hooked'][0]:6.2f} ms (p90 {shown['hooked'][1]:6.2f})  "
          f"added (median) {statistics.median(added) * 1e3:+6.3f} ms")


def main() -> None:
    with running() as mock:
        def openai_client(transport: httpx.BaseTransport | None) -> openai.OpenAI:
            client = httpx.Client(transport=transport) if transport else httpx.Client()
            return openai.OpenAI(base_url=mock.base_url("siliconflow"), api_key=KEY,
                                 max_retries=0, http_client=client)

        def cloudflare_client(transport: httpx.BaseTransport | None) -> cloudflare.Cloudflare:
            client = httpx.Client(transport=transport) if transport else httpx.Client()
            return cloudflare.Cloudflare(api_token=KEY, base_url=mock.base_url("cloudflare"),
                                         max_retries=0, http_client=client)

        plain, hooked = openai_client(None), openai_client(ValidatingTransport())
        _compare("openai chat",
                 lambda: plain.chat.completions.create(model=SF, messages=MESSAGES),
                 lambda: hooked.chat.completions.create(model=SF, messages=MESSAGES))
        _compare("openai chat, stream",
                 lambda: list(plain.chat.completions.create(model=SF, messages=MESSAGES,
                                                            stream=True)),
                 lambda: list(hooked.chat.completions.create(model=SF, messages=MESSAGES,
                                                             stream=True)))
        cf_plain, cf_hooked = cloudflare_client(None), cloudflare_client(ValidatingTransport())
        _compare("cloudflare ai.run",
                 lambda: cf_plain.ai.run(CF, account_id="a", messages=MESSAGES),
                 lambda: cf_hooked.ai.run(CF, account_id="a", messages=MESSAGES))
        dashscope.base_http_api_url = mock.base_url("dashscope")
        checked = ds_hook.session()
        _compare("dashscope Generation.call",  # the SDK's shared session against session=
                 lambda: dashscope.Generation.call(model=DS, messages=MESSAGES, api_key=KEY),
                 lambda: dashscope.Generation.call(model=DS, messages=MESSAGES, api_key=KEY,
                                                   session=checked))


if __name__ == "__main__":
    main()
