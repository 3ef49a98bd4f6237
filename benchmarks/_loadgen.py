"""The benchmarks' shared load generator: servers started as their own processes, and HTTP/1.1
load from keep-alive connections in this process (uvloop, raw requests, answers parsed by
httptools, so that the client costs as little as it can). Not a benchmark itself (`make bench`
runs the files without a leading underscore).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, cast

import httptools


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
def process(argv: Sequence[str], what: str) -> Iterator[Server]:
    """``argv`` in its own process, with the URL its first line announces ("listening on
    http://host:port"); interrupted (^C) on exit."""
    started = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    try:
        assert started.stdout is not None
        first = started.stdout.readline()
        found = re.search(r"listening on (http://[\d.:]+)", first)
        if not found:
            raise SystemExit(f"{what} did not start: {first!r}")
        yield Server(found.group(1), started.pid)
    finally:
        started.send_signal(signal.SIGINT)
        try:
            started.wait(timeout=20)
        except subprocess.TimeoutExpired:
            started.kill()
            started.wait()


def command(*args: str) -> AbstractContextManager[Server]:
    """`wirespec ARGS` in its own process (see :func:`process`)."""
    return process([sys.executable, "-m", "wirespec._cli", *args], f"wirespec {args[0]}")


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


def http_request(url: str, path: str, payload: Any, headers: dict[str, str] | None = None,
                 method: str = "POST") -> bytes:
    """A request as it goes on the wire (a JSON body, a bearer key)."""
    host = url.removeprefix("http://")
    body = json.dumps(payload).encode() if payload is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Authorization: Bearer bench",
             "Content-Type: application/json", f"Content-Length: {len(body)}",
             *(f"{name}: {value}" for name, value in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def load(url: str, total: int, connections: int,
               wire: Sequence[bytes]) -> tuple[list[float], float]:
    """Latencies (ms) of ``total`` requests over ``connections`` connections, each sending
    the requests of ``wire`` in turn, and the time they all took (s)."""
    host, port = url.removeprefix("http://").split(":")
    loop = asyncio.get_running_loop()
    clients = [(await loop.create_connection(Connection, host, int(port)))[1]
               for _ in range(connections)]
    latencies: list[float] = []

    async def worker(client: Connection, count: int, offset: int) -> None:
        for n in range(count):
            started = time.perf_counter_ns()
            status = await client.send(wire[(n + offset) % len(wire)])
            latencies.append((time.perf_counter_ns() - started) / 1e6)
            if status != 200:
                raise SystemExit(f"{url}: answered {status}")

    began = time.perf_counter()
    share = total // connections
    await asyncio.gather(*(worker(c, share, i * share) for i, c in enumerate(clients)))
    elapsed = time.perf_counter() - began
    for client in clients:
        assert client.transport is not None
        client.transport.close()
    return latencies, elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
