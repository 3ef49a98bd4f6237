"""The validating proxy's cost: the same requests sent to the mock directly and through
`wirespec proxy` in front of it, from 8 concurrent keep-alive connections.

Both servers run as the commands a user starts (`wirespec mock`, `wirespec proxy`), each in its
own process; the load comes from this process (uvloop, raw HTTP/1.1 parsed by httptools, so that
the client costs as little as it can). Rounds alternate direct and proxied, and the figures pool
the rounds: added latency at p50 and p99 (proxied minus direct) and the throughput ratio. Then
where the added time goes: one connection at a time (no queueing); the proxy's upstream pool and
aiohttp's session (the fastest client library measured, docs/decisions.md) to the mock, and the
proxy's checks, all measured in this process.

Targets (issue 15): added p50 <= 1 ms, p99 <= 5 ms; throughput >= 50% of direct.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
import timeit
from collections.abc import Awaitable, Callable
from typing import Any

import _loadgen
import httpx
import uvloop
from _loadgen import Server, command, http_request, percentile

CONNECTIONS = 8
PER_ROUND = 2400  # requests per round and target, spread over the connections
ROUNDS = 3
WARM_UP = 400
SF = "Qwen/Qwen2.5-7B-Instruct"
PATH = "/v1/chat/completions"
PAYLOADS: list[dict[str, Any]] = [
    {"model": SF, "messages": [{"role": "system", "content": "You are helpful."},
                               {"role": "user", "content": "Why is pizza so good?"}],
     "max_tokens": 256, "temperature": 0.6},
    {"model": SF, "messages": [{"role": "user" if i % 2 else "assistant",
                                "content": f"message {i} " * 40} for i in range(10)],
     "top_p": 0.9},
    {"model": SF, "messages": [{"role": "user", "content": "Tell me all about PEP-8"}],
     "stop": ["\n\n"], "n": 1},
]


def requests_for(url: str) -> list[bytes]:
    return [http_request(url, PATH, payload) for payload in PAYLOADS]


async def load(url: str, total: int, connections: int) -> tuple[list[float], float]:
    return await _loadgen.load(url, total, connections, requests_for(url))


async def measure(mock: Server, proxy: Server) -> None:
    targets = {"direct": mock.url, "proxied": proxy.url}
    for url in targets.values():
        await load(url, WARM_UP, CONNECTIONS)
    latencies: dict[str, list[float]] = {label: [] for label in targets}
    rates: dict[str, list[float]] = {label: [] for label in targets}
    cpu = {(label, server): 0.0 for label in targets for server in ("mock", "proxy")}
    for _ in range(ROUNDS):
        for label, url in targets.items():
            before = mock.cpu_seconds(), proxy.cpu_seconds()
            found, elapsed = await load(url, PER_ROUND, CONNECTIONS)
            cpu[label, "mock"] += mock.cpu_seconds() - before[0]
            cpu[label, "proxy"] += proxy.cpu_seconds() - before[1]
            latencies[label] += found
            rates[label].append(len(found) / elapsed)
    print(f"{CONNECTIONS} connections, {ROUNDS} rounds of {PER_ROUND} requests per target "
          f"(alternating), {len(PAYLOADS)} chat requests in turn; {os.cpu_count()} cores for "
          "the client, the proxy and the mock")
    print(f"{'':<10}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>10}   CPU ms per request: mock, proxy")
    for label in targets:
        count = len(latencies[label])
        print(f"{label:<10}{percentile(latencies[label], 0.5):>10.3f}"
              f"{percentile(latencies[label], 0.99):>10.3f}"
              f"{statistics.median(rates[label]):>10.0f}   "
              f"{cpu[label, 'mock'] * 1000 / count:.3f}, {cpu[label, 'proxy'] * 1000 / count:.3f}")
    added50 = percentile(latencies["proxied"], 0.5) - percentile(latencies["direct"], 0.5)
    added99 = percentile(latencies["proxied"], 0.99) - percentile(latencies["direct"], 0.99)
    ratio = statistics.median(rates["proxied"]) / statistics.median(rates["direct"])
    print(f"added latency: p50 {added50:.3f} ms (target <= 1), p99 {added99:.3f} ms (target <= 5)"
          f"; throughput {ratio:.0%} of direct (target >= 50%)")
    single: dict[str, list[float]] = {}
    for label, url in targets.items():
        single[label], _ = await load(url, 600, 1)
    alone = percentile(single["proxied"], 0.5) - percentile(single["direct"], 0.5)
    print(f"one connection (no queueing): direct p50 {percentile(single['direct'], 0.5):.3f} ms,"
          f" proxied {percentile(single['proxied'], 0.5):.3f} ms, added {alone:.3f} ms")
    print("where the proxy's time goes (measured in this process):")
    await client_costs(mock.url)


async def client_costs(direct: str) -> None:
    """What forwarding costs the proxy's upstream pool (contracts/_upstream.py) over the
    cheapest client, and what aiohttp's session (the fastest library measured) costs for the
    same: sequential requests to the mock, one connection, then 8 at once."""
    from wirespec.contracts._proxy_routes import upstream_origin
    from wirespec.contracts._upstream import Pool

    raw, _ = await load(direct, 600, 1)
    pool = Pool(upstream_origin(direct))
    bodies = [json.dumps(payload).encode() for payload in PAYLOADS]
    headers = [(b"authorization", b"Bearer bench"), (b"content-type", b"application/json"),
               (b"accept-encoding", b"gzip, deflate")]

    async def forward(n: int) -> None:
        answer = await pool.request(b"POST", PATH.encode(), headers, bodies[n % len(bodies)])
        async for _chunk, _more in answer.chunks(decode=True):
            pass
        answer.close()
        assert answer.status == 200

    timed = [await _timed(forward, n) for n in range(600)]
    alone, together = await _cpu_per_request(forward)
    await pool.aclose()
    print(f"  the proxy's upstream pool to the mock: p50 {percentile(timed, 0.5):.3f} ms against "
          f"raw HTTP/1.1 {percentile(raw, 0.5):.3f} ms; CPU per request {alone:.3f} ms one at "
          f"a time, {together:.3f} ms {CONNECTIONS} at once")
    aiohttp = await aiohttp_cpu(direct, bodies)
    if aiohttp is not None:
        print(f"  aiohttp's ClientSession for the same: {aiohttp[0]:.3f} ms one at a time, "
              f"{aiohttp[1]:.3f} ms {CONNECTIONS} at once")


async def _timed(forward: Callable[[int], Awaitable[None]], n: int) -> float:
    started = time.perf_counter_ns()
    await forward(n)
    return (time.perf_counter_ns() - started) / 1e6


async def _cpu_per_request(forward: Callable[[int], Awaitable[None]],
                           total: int = 1600) -> tuple[float, float]:
    """CPU ms per request of ``forward``: one at a time, then ``CONNECTIONS`` at once."""
    began = time.process_time()
    for n in range(total):
        await forward(n)
    alone = (time.process_time() - began) / total * 1000

    async def worker(offset: int) -> None:
        for n in range(total // CONNECTIONS):
            await forward(n + offset)

    began = time.process_time()
    await asyncio.gather(*(worker(i) for i in range(CONNECTIONS)))
    return alone, (time.process_time() - began) / total * 1000


async def aiohttp_cpu(direct: str, bodies: list[bytes]) -> tuple[float, float] | None:
    try:
        import aiohttp
    except ImportError:  # not the proxy's: the comparison is left out
        return None
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     cookie_jar=aiohttp.DummyCookieJar(), trust_env=False,
                                     auto_decompress=False) as session:
        async def forward(n: int) -> None:
            async with session.post(direct + PATH, data=bodies[n % len(bodies)], headers={
                    "Authorization": "Bearer bench", "Content-Type": "application/json"},
                    allow_redirects=False) as answer:
                async for _chunk in answer.content.iter_any():
                    pass

        return await _cpu_per_request(forward)


def per_call_us(function: Callable[[], Any]) -> float:
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=5, number=number)) / number * 1e6


def check_costs(direct: str) -> None:
    """The proxy's own work per request, in this process: the request's check (routing,
    parsing, the schema and the budget) and the answer's."""
    from wirespec.contracts._mock import MockSettings
    from wirespec.contracts._proxy_routes import Door, answer_check

    door = Door(MockSettings())
    wire, rest = door.route(PATH) or (None, "")
    assert wire is not None
    body = json.dumps(PAYLOADS[0]).encode()
    inbound = door.inspect(wire, rest, body)
    answer = httpx.post(direct + PATH, content=body, headers={
        "Authorization": "Bearer bench", "Content-Type": "application/json"})

    def check_answer() -> None:
        check = answer_check(inbound, 200, "application/json", 1 << 24)
        assert check is not None
        check.feed(answer.content)
        check.close()

    print(f"  the request's check (route, parse, schema, budget): "
          f"{per_call_us(lambda: door.inspect(wire, rest, body)):.1f} µs; the answer's check "
          f"(parse, schema): {per_call_us(check_answer):.1f} µs")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, \
            command("mock", "--port", "0", "--provider", "siliconflow") as mock, \
            command("proxy", "--upstream", mock.url, "--port", "0", "--provider", "siliconflow",
                    "--log", os.path.join(folder, "violations.jsonl")) as proxy:
        uvloop.run(measure(mock, proxy))
        check_costs(mock.url)
        violations = open(os.path.join(folder, "violations.jsonl")).read()  # noqa: SIM115
        if violations:
            raise SystemExit(f"the proxy logged violations on valid traffic:\n{violations}")


if __name__ == "__main__":
    main()
