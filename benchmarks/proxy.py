"""The validating proxy's cost: the same requests sent to the mock directly and through
`wirespec proxy` in front of it, from 8 concurrent keep-alive connections.

Both servers run as the commands a user starts (`wirespec mock`, `wirespec proxy`), each in its
own process; the load comes from this process (uvloop, raw HTTP/1.1 parsed by httptools, so that
the client costs as little as it can). Rounds alternate direct and proxied, and the figures pool
the rounds: added latency at p50 and p99 (proxied minus direct) and the throughput ratio. Then
where the added time goes: the proxy's checks, measured in this process, and one connection at a
time (no queueing).

Targets (issue 15): added p50 <= 1 ms, p99 <= 5 ms; throughput >= 50% of direct.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import httptools
import httpx
import uvloop

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


@dataclass
class Server:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User and system time of the process so far (Linux; 0 elsewhere)."""
        try:
            with open(f"/proc/{self.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def command(*args: str) -> Iterator[Server]:
    """`wirespec ARGS` in its own process, with the URL its first line announces."""
    process = subprocess.Popen([sys.executable, "-m", "wirespec._cli", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.search(r"listening on (http://[\d.:]+)", first)
        if not found:
            raise SystemExit(f"wirespec {args[0]} did not start: {first!r}")
        yield Server(found.group(1), process.pid)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Connection(asyncio.Protocol):
    """One keep-alive connection: a request written, its answer parsed to the last byte."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[int] | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(self.parser.get_status_code())

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("the server closed the connection"))

    async def send(self, raw: bytes) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


def requests_for(url: str) -> list[bytes]:
    host = url.removeprefix("http://")
    wire = []
    for payload in PAYLOADS:
        body = json.dumps(payload).encode()
        wire.append(f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer bench\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                    .encode() + body)
    return wire


async def load(url: str, total: int, connections: int) -> tuple[list[float], float]:
    """Latencies (ms) of ``total`` requests over ``connections`` connections, and the time
    they all took (s)."""
    host, port = url.removeprefix("http://").split(":")
    loop = asyncio.get_running_loop()
    clients = [(await loop.create_connection(Connection, host, int(port)))[1]
               for _ in range(connections)]
    wire = requests_for(url)
    latencies: list[float] = []

    async def worker(client: Connection, count: int, offset: int) -> None:
        for n in range(count):
            started = time.perf_counter_ns()
            status = await client.send(wire[(n + offset) % len(wire)])
            latencies.append((time.perf_counter_ns() - started) / 1e6)
            if status != 200:
                raise SystemExit(f"{url}: answered {status}")

    began = time.perf_counter()
    await asyncio.gather(*(worker(c, total // connections, i) for i, c in enumerate(clients)))
    elapsed = time.perf_counter() - began
    for client in clients:
        assert client.transport is not None
        client.transport.close()
    return latencies, elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


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
    """What forwarding costs the proxy's client (httpx.AsyncClient as the proxy sets it up)
    over the cheapest client: sequential requests to the mock, one connection."""
    from wirespec.contracts._proxy import ProxyApp, ProxySettings

    raw, _ = await load(direct, 600, 1)
    client = ProxyApp(ProxySettings(direct)).client()
    bodies = [json.dumps(payload).encode() for payload in PAYLOADS]
    timed, began = [], time.process_time()
    for n in range(600):
        started = time.perf_counter_ns()
        answer = await client.send(httpx.Request(
            "POST", direct + PATH, content=bodies[n % len(bodies)],
            headers={"Authorization": "Bearer bench", "Content-Type": "application/json"}),
            stream=True)
        await answer.aread()
        await answer.aclose()
        timed.append((time.perf_counter_ns() - started) / 1e6)
        assert answer.status_code == 200
    spent = (time.process_time() - began) / 600 * 1000
    await client.aclose()
    with_httpx, cheapest = percentile(timed, 0.5), percentile(raw, 0.5)
    print(f"  the proxy's httpx.AsyncClient to the mock: p50 {with_httpx:.3f} ms against raw "
          f"HTTP/1.1 {cheapest:.3f} ms ({with_httpx - cheapest:.3f} ms more), {spent:.3f} ms of "
          "CPU per request")
    print(f"    of which aiohttp's session alone (the transport under it): "
          f"{await aiohttp_cpu(direct, bodies):.3f} ms of CPU per request")


async def aiohttp_cpu(direct: str, bodies: list[bytes]) -> float:
    import aiohttp

    async with aiohttp.ClientSession(auto_decompress=False) as session:
        began = time.process_time()
        for n in range(600):
            async with session.post(direct + PATH, data=bodies[n % len(bodies)], headers={
                    "Authorization": "Bearer bench", "Content-Type": "application/json"}) as r:
                await r.read()
        return (time.process_time() - began) / 600 * 1000


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
