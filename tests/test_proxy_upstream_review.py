"""The proxy's upstream pool against upstreams that misbehave on purpose: answers the proxy
could not pass on, bytes past the end of an answer, heads and trailers without bound, a
connection abandoned while its reading was paused, codings that inflate without bound.

The servers and the ``run`` fixture are tests/test_proxy_upstream.py's."""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc

import pytest
import test_proxy_upstream
from test_proxy_upstream import Exchange, Server, body_of, ok, one_get, pool_for, whole

from wirespec.contracts._upstream import HIGH_WATER
from wirespec.contracts._upstream_codings import MAX_PIECE
from wirespec.contracts._upstream_request import UpstreamError

run = test_proxy_upstream.run  # the fixture: each scenario on asyncio's loop and on uvloop's


@pytest.mark.parametrize("status", [b"099", b"600", b"999"])
def test_a_status_outside_100_to_599_is_a_502(status, run):
    """The parser takes any three digits; uvicorn has no status line for them and the proxy
    would fail with a traceback instead of answering 502."""
    async def odd(exchange: Exchange) -> None:
        exchange.answer(b"HTTP/1.1 %s X\r\ncontent-length: 2\r\n\r\n{}" % status)

    async def scenario() -> None:
        async with Server(odd) as server:
            pool = pool_for(server)
            with pytest.raises(UpstreamError, match="status") as failed:
                await pool.request(b"GET", b"/", [], b"")
            assert failed.value.status == 502
            await pool.aclose()
    run(scenario)


def test_a_second_answer_in_the_same_read_is_not_taken_for_the_next_one(run):
    """An upstream that writes more than its answer (a second answer, a body longer than its
    Content-Length says): the extra bytes must neither change the answer's headers nor be
    read as the answer to the next request on the connection."""
    async def two_answers(exchange: Exchange) -> None:
        if exchange.connection == 1:
            exchange.answer(whole(b"{}") + b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n"
                            b"x-injected: 1\r\n\r\nab")
        else:
            await ok(exchange)

    async def scenario() -> None:
        async with Server(two_answers) as server:
            pool = pool_for(server)
            answer = await pool.request(b"GET", b"/", [], b"")
            await asyncio.sleep(0.1)  # every byte of the write has been parsed
            assert answer.headers == [(b"content-length", b"2")]
            assert await body_of(answer) == b"{}"
            assert await body_of(await pool.request(b"POST", b"/", [], b"{}")) == b'{"n": 2}'
            await pool.aclose()
        assert server.connections == 2
    run(scenario)


def test_trailers_are_not_headers(run):
    """A chunked answer's trailers arrive after its head (here in the same read, before the
    caller has looked at the head): they are not passed on as headers."""
    async def trailing(exchange: Exchange) -> None:
        exchange.answer(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                        b"2\r\n{}\r\n0\r\nx-checksum: 1\r\ncontent-encoding: gzip\r\n\r\n")

    async def scenario() -> None:
        async with Server(trailing) as server:
            pool = pool_for(server)
            answer = await pool.request(b"GET", b"/", [], b"")
            assert answer.headers == [(b"transfer-encoding", b"chunked")]
            assert answer.codings == []
            assert await body_of(answer, decode=True) == b"{}"
            assert await body_of(await pool.request(b"GET", b"/", [], b"")) == b"{}"
            await pool.aclose()
        assert server.connections == 1  # kept, trailers and all
    run(scenario)


@pytest.mark.parametrize("flood", ["headers", "one-header", "interim", "trailer"])
def test_a_head_or_trailer_without_end_is_an_upstream_error(flood, run):
    """An upstream that sends header after header (or one that never ends, or interim answer
    after interim answer, or trailers) is cut off after a bounded amount, not held in memory
    until the read timeout."""
    line = b"x-filler: " + b"a" * 1000 + b"\r\n"
    starts = {"headers": b"HTTP/1.1 200 OK\r\n", "one-header": b"HTTP/1.1 200 OK\r\nx-a: ",
              "interim": b"", "trailer": b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n"
                                         b"\r\n2\r\n{}\r\n0\r\n"}
    repeated = {"headers": line, "one-header": b"a" * 1000,
                "interim": b"HTTP/1.1 103 Early Hints\r\n" + line + b"\r\n",
                "trailer": line}[flood]

    async def flooding(exchange: Exchange) -> None:
        exchange.answer(starts[flood])
        for _ in range(20_000):  # 20 MB
            exchange.answer(repeated)
            await exchange.writer.drain()

    with pytest.raises(UpstreamError, match="head or trailers"):
        run(lambda: one_get(flooding))


def test_a_large_head_within_the_bound_passes(run):
    """Cookies and the like: 48 KiB of headers in reads of any size is still an answer."""
    async def large_head(exchange: Exchange) -> None:
        exchange.answer(whole(b"{}", *[b"x-filler-%d: %s" % (n, b"a" * 1000) for n in range(48)]))

    async def scenario() -> None:
        async with Server(large_head) as server:
            pool = pool_for(server)
            answer = await pool.request(b"GET", b"/", [], b"")
            assert len(answer.headers) == 49 and await body_of(answer) == b"{}"
            await pool.aclose()
    run(scenario)


def test_an_answer_abandoned_while_reading_was_paused_leaves_no_paused_connection(run):
    """The whole answer is in, its last read past the high-water mark (reading paused), and
    the caller leaves without reading it (a client that left): the connection may be kept,
    but not with its reading paused, or the next request on it would wait for ever."""
    size = HIGH_WATER + 1  # the read that crosses the mark is the one that ends the body

    async def large_then_small(exchange: Exchange) -> None:
        if len(server.requests) == 1:
            exchange.answer(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % size)
            exchange.answer(bytes(size))
        else:
            await ok(exchange)

    async def scenario() -> None:
        nonlocal server
        async with Server(large_then_small) as server:
            pool = pool_for(server, read_timeout=5.0)
            answer = await pool.request(b"GET", b"/", [], b"")
            await asyncio.sleep(0.3)  # the body arrives; nobody reads it
            answer.close()
            assert await body_of(await pool.request(b"GET", b"/", [], b"")) == b'{"n": 0}'
            await pool.aclose()

    server: Server
    run(scenario)


@pytest.mark.parametrize("layers", [1, 2])
def test_a_decompression_bomb_is_decoded_a_piece_at_a_time(layers, run):
    """64 MiB of zeros in about 64 KiB (or, gzipped twice, in a few hundred bytes): the
    decoded pieces come one at a time as the caller asks, never all of a read at once."""
    size = 64 << 20
    packed = bytes(size)
    for _ in range(layers):
        packed = gzip.compress(packed)
    said = b", ".join([b"gzip"] * layers)

    async def bomb(exchange: Exchange) -> None:
        exchange.answer(whole(packed, b"content-encoding: " + said))

    async def scenario() -> tuple[int, int]:
        async with Server(bomb) as server:
            pool = pool_for(server)
            answer = await pool.request(b"GET", b"/", [], b"")
            total = 0
            tracemalloc.start()
            try:
                async for piece, _more in answer.chunks(decode=True):
                    assert len(piece) <= MAX_PIECE
                    total += len(piece)
                    del piece
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            answer.close()
            await pool.aclose()
        return total, peak

    total, peak = run(scenario)
    print(f"decoded {total >> 20} MiB, peak {peak / (1 << 20):.1f} MiB")
    assert total == size and peak < 8 * MAX_PIECE


def test_a_chain_of_codings_is_bounded(run):
    """Content-Encoding: gzip, gzip, ... a thousand times: a decoder each would cost memory
    and time for every byte; past a few the answer is refused (as urllib3 refuses it)."""
    async def chained(exchange: Exchange) -> None:
        exchange.answer(whole(gzip.compress(b"{}"), b"content-encoding: " +
                              b", ".join([b"gzip"] * 1000)))

    with pytest.raises(UpstreamError, match="codings"):
        run(lambda: one_get(chained, decode=True))


def test_an_answer_closed_twice_leaves_the_next_request_on_its_connection_alone(run):
    """The first close hands the connection back; a second (a caller's cleanup that runs
    again) must not close it under the request that took it meanwhile."""
    async def scenario() -> None:
        async with Server(ok) as server:
            pool = pool_for(server)
            first = await pool.request(b"GET", b"/", [], b"")
            assert await body_of(first) == b"{\"n\": 0}"  # read, and closed once
            second = await pool.request(b"GET", b"/", [], b"")
            first.close()
            assert await body_of(second) == b"{\"n\": 0}"
            assert server.connections == 1
            await pool.aclose()
    run(scenario)
