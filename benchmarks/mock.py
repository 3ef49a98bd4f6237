"""The mock providers' throughput against the ceiling of their own server stack: requests per
second of `wirespec mock` and of a minimal ASGI app (a fixed small JSON answer) on the same
stack (uvicorn, uvloop, httptools, one process), from 8 keep-alive connections.

Both servers run in their own processes; the load comes from this one (benchmarks/_loadgen.py).
Per case, rounds alternate the mock and the minimal app and the figure is each side's median
round. The cases: a small valid chat request per provider, one stream, and the same chat with
every request different (no answer is ever served twice: what a cold answer costs). Then the
latency of the first request after start-up that needs the tokenizer (a long prompt whose
bytes alone do not decide its budget), against a second one.

Target (issue 16): the mock >= 50% of the minimal app's requests per second.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable, MutableMapping
from typing import Any

import httpx
import uvloop
from _loadgen import Server, command, http_request, load, process

CONNECTIONS = 8
PER_ROUND = 2000  # requests per round and server, spread over the connections
ROUNDS = 5
WARM_UP = 400
TARGET = 0.5
DS, CF, SF = "qwen1.5-72b-chat", "@cf/qwen/qwen1.5-7b-chat-awq", "Qwen/Qwen2.5-7B-Instruct"
MESSAGES = [{"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Who are you?"}]
DS_PATH = "/api/v1/services/aigc/text-generation/generation"
CF_PATH = f"/client/v4/accounts/bench/ai/run/{CF}"
SF_PATH = "/v1/chat/completions"

# a case: (url, how many requests, which round) -> the requests, sent in turn
Case = Callable[[str, int, int], list[bytes]]


def repeated(path: str, payload: Any) -> Case:
    return lambda url, count, round_: [http_request(url, path, payload)]


def distinct(url: str, count: int, round_: int) -> list[bytes]:
    """``count`` chat requests that differ from each other and from every other round's."""
    return [http_request(url, SF_PATH, {"model": SF, "max_tokens": 64, "messages": [
        MESSAGES[0], {"role": "user", "content": f"Question {round_}-{n}: who are you?"}]})
        for n in range(count)]


CASES: dict[str, Case] = {
    "dashscope chat": repeated(DS_PATH, {"model": DS, "input": {"messages": MESSAGES},
                                         "parameters": {"max_tokens": 64}}),
    "cloudflare chat": repeated(CF_PATH, {"messages": MESSAGES, "max_tokens": 64}),
    "siliconflow chat": repeated(SF_PATH, {"model": SF, "messages": MESSAGES,
                                           "max_tokens": 64}),
    "siliconflow stream": repeated(SF_PATH, {"model": SF, "messages": MESSAGES,
                                             "max_tokens": 64, "stream": True}),
    "siliconflow chat, all different": distinct,
}

Scope = MutableMapping[str, Any]
_ANSWER = b'{"id":"minimal","object":"chat.completion","choices":[]}'
_HEADERS = [(b"content-type", b"application/json"),
            (b"content-length", str(len(_ANSWER)).encode())]


async def minimal_app(scope: Scope, receive: Any, send: Any) -> None:
    """The least an ASGI app can do for a request: read its body, answer a fixed JSON."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body", False):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _ANSWER})


def serve_minimal() -> None:
    """The minimal app on the stack the issue names (uvicorn, uvloop, httptools), on a
    loopback socket bound as the mock binds its own (TCP_NODELAY)."""
    import uvicorn

    from wirespec.contracts._serve import bind

    sock = bind(0)
    config = uvicorn.Config(minimal_app, loop="uvloop", http="httptools", lifespan="on",
                            log_level="warning", access_log=False, timeout_graceful_shutdown=2)
    print(f"minimal app: listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # ^C is how the benchmark stops it
        uvicorn.Server(config).run(sockets=[sock])


async def rate(server: Server, case: Case, count: int, round_: int) -> tuple[float, float]:
    """(requests per second, server CPU ms per request) of one round."""
    wire = case(server.url, count, round_)
    before = server.cpu_seconds()
    found, elapsed = await load(server.url, count, CONNECTIONS, wire)
    return len(found) / elapsed, (server.cpu_seconds() - before) * 1000 / len(found)


async def compare(mock: Server, minimal: Server) -> list[float]:
    print(f"{CONNECTIONS} connections, {ROUNDS} rounds of {PER_ROUND} requests per server "
          f"(alternating), {sys.platform}, {os.cpu_count()} cores for the client and both servers")
    print(f"{'case':<34}{'mock req/s':>11}{'minimal':>10}{'ratio':>8}   server CPU ms per "
          "request: mock, minimal")
    ratios = []
    for number, (name, case) in enumerate(CASES.items()):
        for server in (mock, minimal):
            await rate(server, case, WARM_UP, -1 - number)
        rates: dict[str, list[float]] = {"mock": [], "minimal": []}
        cpu: dict[str, list[float]] = {"mock": [], "minimal": []}
        for round_ in range(ROUNDS):
            for label, server in (("mock", mock), ("minimal", minimal)):
                per_second, cpu_ms = await rate(server, case, PER_ROUND, round_)
                rates[label].append(per_second)
                cpu[label].append(cpu_ms)
        ratio = statistics.median(rates["mock"]) / statistics.median(rates["minimal"])
        ratios.append(ratio)
        print(f"{name:<34}{statistics.median(rates['mock']):>11.0f}"
              f"{statistics.median(rates['minimal']):>10.0f}{ratio:>8.0%}   "
              f"{statistics.median(cpu['mock']):.3f}, {statistics.median(cpu['minimal']):.3f}")
    return ratios


def first_budget_request() -> None:
    """A fresh mock's first request that the tokenizer must count, and a second one."""
    with command("mock", "--port", "0", "--provider", "dashscope") as mock:
        timings = []
        for word in ("alpha", "omega"):  # different texts: no count is reused
            body = {"model": DS, "input": {"messages": [
                {"role": "user", "content": f"{word} " * 8000}]}}
            started = time.perf_counter()
            answer = httpx.post(mock.url + DS_PATH, json=body, timeout=60,
                                headers={"Authorization": "Bearer bench"})
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text[:300]
    print(f"a fresh mock's first request that needs the tokenizer (40,000 characters): "
          f"{timings[0]:.0f} ms; a second one: {timings[1]:.0f} ms")


def main() -> None:
    if sys.argv[1:] == ["--minimal"]:
        serve_minimal()
        return
    with command("mock", "--port", "0") as mock, \
            process([sys.executable, __file__, "--minimal"], "the minimal app") as minimal:
        ratios = uvloop.run(compare(mock, minimal))
    print(f"the mock at {min(ratios[:-1]):.0%}-{max(ratios[:-1]):.0%} of the minimal app "
          f"on repeated requests, {ratios[-1]:.0%} when every request is new "
          f"(target >= {TARGET:.0%})")
    first_budget_request()


if __name__ == "__main__":
    main()
