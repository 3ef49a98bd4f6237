"""The proxy's upstream pool (contracts/_upstream.py) against raw HTTP/1.1 servers on loopback
that answer byte for byte as a test says: Content-Length, chunked and read-to-close bodies,
kept and closed connections, bodies passed on a piece at a time and never read ahead without
bound, gzip and deflate undone, every failure an UpstreamError (502, or 504 when it timed out).

Each test runs the server and the pool in one event loop (``asyncio.run``); a server's
handler gets each request's head and body and writes what it likes."""

from __future__ import annotations

import asyncio
import gzip
import ssl
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from wirespec.contracts._proxy_routes import upstream_origin
from wirespec.contracts._upstream import HIGH_WATER, Answer, Pool
from wirespec.contracts._upstream_request import Origin, UpstreamError

WAIT = 20.0  # seconds a "does not hang" bound allows; never a measure of speed
Handler = Callable[["Exchange"], Awaitable[None]]


class Exchange:
    """One request as the server read it, and the way to answer it."""

    def __init__(self, head: bytes, body: bytes, writer: asyncio.StreamWriter,
                 connection: int) -> None:
        self.head, self.body, self.writer, self.connection = head, body, writer, connection
        self.close_after = False

    def answer(self, data: bytes) -> None:
        self.writer.write(data)


class Server:
    """A raw HTTP/1.1 server on loopback; ``handler`` answers each request."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler, self.tls = handler, tls
        self.connections = 0
        self.requests: list[Exchange] = []

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._server.close()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://localhost:{self._server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                exchange = Exchange(head, await reader.readexactly(length), writer, number)
                self.requests.append(exchange)
                await self.handler(exchange)
                await writer.drain()
                if exchange.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Callable[[Callable[[], Awaitable[Any]]], Any]:
    """Runs a scenario on asyncio's loop, then on uvloop's (the proxy's)."""
    factory = asyncio.new_event_loop if request.param == "asyncio" else pytest.importorskip(
        "uvloop").new_event_loop

    def running(scenario: Callable[[], Awaitable[Any]]) -> Any:
        async def bounded() -> Any:
            async with asyncio.timeout(WAIT):
                return await scenario()
        with asyncio.Runner(loop_factory=factory) as runner:
            return runner.run(bounded())
    return running


def pool_for(server: Server, **options: Any) -> Pool:
    return Pool(upstream_origin(server.url), **options)


async def body_of(answer: Answer, decode: bool = False) -> bytes:
    pieces = [piece async for piece, _more in answer.chunks(decode=decode)]
    answer.close()
    return b"".join(pieces)


async def one_get(handler: Handler, decode: bool = False) -> bytes:
    """The body of one GET to a server that answers with ``handler`` (what the pool raises,
    raised), the pool closed after."""
    async with Server(handler) as server:
        pool = pool_for(server)
        try:
            return await body_of(await pool.request(b"GET", b"/", [], b""), decode=decode)
        finally:
            await pool.aclose()


HEADERS = [(b"content-type", b"application/json")]


def whole(body: bytes, *extra: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n%s\r\n%s" % (
        len(body), b"".join(line + b"\r\n" for line in extra), body)


def chunked(*pieces: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


async def ok(exchange: Exchange) -> None:
    exchange.answer(whole(b'{"n": %d}' % len(exchange.body)))


# --- kept-alive connections -------------------------------------------------------------

def test_a_connection_is_kept_for_the_next_request(run):
    async def scenario() -> None:
        async with Server(ok) as server:
            pool = pool_for(server)
            for body in (b"{}", b"[1]"):
                answer = await pool.request(b"POST", b"/v1/x", HEADERS, body)
                assert answer.status == 200 and await body_of(answer) == b'{"n": %d}' % len(body)
            await pool.aclose()
        assert server.connections == 1
        first = server.requests[0].head.lower()
        assert first.startswith(b"post /v1/x http/1.1\r\nhost: localhost:")
        assert b"content-length: 2\r\n" in first and b"content-type: application/json" in first
    run(scenario)


def test_an_upstream_that_closes_a_kept_connection_between_requests(run):
    """As servers do when a connection has been idle: the next request goes on a new one."""
    async def closing(exchange: Exchange) -> None:
        await ok(exchange)
        exchange.close_after = True  # no Connection: close said

    async def scenario() -> None:
        async with Server(closing) as server:
            pool = pool_for(server)
            for _ in range(3):
                answer = await pool.request(b"POST", b"/", HEADERS, b"{}")
                assert await body_of(answer) == b'{"n": 2}'
                await asyncio.sleep(0.05)  # the close reaches the pool
            await pool.aclose()
        assert server.connections == 3
    run(scenario)


def test_connection_close_is_not_kept(run):
    async def saying_close(exchange: Exchange) -> None:
        exchange.answer(whole(b"{}", b"Connection: close"))

    async def scenario() -> None:
        async with Server(saying_close) as server:
            pool = pool_for(server)
            for _ in range(2):
                assert await body_of(await pool.request(b"GET", b"/", [], b"")) == b"{}"
            await pool.aclose()
        assert server.connections == 2
    run(scenario)


def test_a_connection_idle_too_long_is_not_reused(run):
    """Past the idle timeout the upstream may be closing it: a new connection instead."""
    async def scenario() -> None:
        async with Server(ok) as server:
            pool = pool_for(server, idle_timeout=0.1)
            for _ in range(2):
                assert await body_of(await pool.request(b"GET", b"/", [], b"")) == b'{"n": 0}'
                await asyncio.sleep(0.3)
            await pool.aclose()
        assert server.connections == 2
    run(scenario)


def test_requests_at_once_each_get_a_connection_kept_for_later(run):
    async def together(exchange: Exchange) -> None:
        arrived.append(exchange)
        if len(arrived) == 5:  # every answer waits until all five requests are in
            everyone.set()
        await everyone.wait()
        await ok(exchange)

    async def scenario() -> None:
        nonlocal everyone
        everyone = asyncio.Event()
        async with Server(together) as server:
            pool = pool_for(server)

            async def one(n: int) -> bytes:
                return await body_of(await pool.request(b"POST", b"/", HEADERS, b"x" * n))
            assert await asyncio.gather(*(one(n) for n in range(5))) == [
                b'{"n": %d}' % n for n in range(5)]
            assert await asyncio.gather(*(one(n) for n in range(5)))  # on the kept ones
            await pool.aclose()
        assert server.connections == 5

    arrived: list[Exchange] = []
    everyone: asyncio.Event
    run(scenario)


@pytest.mark.parametrize(("method", "retried"), [(b"GET", True), (b"POST", False)])
def test_a_kept_connection_closed_unanswered_is_retried_only_when_idempotent(method, retried, run):
    """The server reads the second request on its first connection and hangs up without a
    byte (a keep-alive race): a GET is sent again on a new connection, a POST is not (the
    upstream may have acted on it)."""
    async def hanging_up_on_the_second(exchange: Exchange) -> None:
        if len(server.requests) == 2:
            exchange.close_after = True
            return
        await ok(exchange)

    async def scenario() -> None:
        async with Server(hanging_up_on_the_second) as found:
            nonlocal server
            server = found
            pool = pool_for(server)
            await body_of(await pool.request(method, b"/", [], b""))
            if retried:
                assert await body_of(await pool.request(method, b"/", [], b"")) == b'{"n": 0}'
                assert server.connections == 2
            else:
                with pytest.raises(UpstreamError) as failed:
                    await pool.request(method, b"/", [], b"")
                assert failed.value.status == 502
            await pool.aclose()

    server: Server
    run(scenario)


# --- bodies --------------------------------------------------------------------------------

def test_a_chunked_answer_passes_piece_by_piece(run):
    """The second chunk is sent only once the caller has the first: had the pool waited for
    the whole answer, this would hang."""
    got_first = asyncio.Event()

    async def streaming(exchange: Exchange) -> None:
        exchange.answer(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n"
                        b"content-type: text/event-stream\r\n\r\n5\r\nfirst\r\n")
        await exchange.writer.drain()
        await got_first.wait()
        exchange.answer(chunked(b"second", b"third"))

    async def scenario() -> None:
        async with Server(streaming) as server:
            pool = pool_for(server)
            answer = await pool.request(b"POST", b"/", HEADERS, b"{}")
            assert answer.content_type == "text/event-stream"
            pieces = []
            async for piece, more in answer.chunks():
                pieces.append((piece, more))
                got_first.set()
            answer.close()
            again = await pool.request(b"POST", b"/", HEADERS, b"{}")  # the connection kept
            got_first.set()
            assert b"".join([p async for p, _ in again.chunks()]) == b"firstsecondthird"
            again.close()
            await pool.aclose()
        assert pieces[0] == (b"first", True) and pieces[-1][1] is False
        assert b"".join(piece for piece, _ in pieces) == b"firstsecondthird"
        assert server.connections == 1
    run(scenario)


def test_a_small_body_after_its_head(run):
    """The head of a small answer waits for its body (one wake-up for both): it still comes."""
    async def slow_body(exchange: Exchange) -> None:
        exchange.answer(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        await exchange.writer.drain()
        await asyncio.sleep(0.2)
        exchange.answer(b"{}")

    async def scenario() -> None:
        async with Server(slow_body) as server:
            pool = pool_for(server)
            answer = await pool.request(b"GET", b"/", [], b"")
            assert answer.status == 200 and await body_of(answer) == b"{}"
            await pool.aclose()
    run(scenario)


def test_a_body_read_to_the_close(run):
    async def unframed(exchange: Exchange) -> None:
        exchange.answer(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"a\": 1}")
        exchange.close_after = True

    assert run(lambda: one_get(unframed)) == b'{"a": 1}'


def test_an_answer_that_breaks_off_is_an_upstream_error_after_what_came(run):
    async def short(exchange: Exchange) -> None:
        exchange.answer(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789")
        exchange.close_after = True

    async def scenario() -> None:
        async with Server(short) as server:
            pool = pool_for(server)
            answer = await pool.request(b"GET", b"/", [], b"")
            got = []
            with pytest.raises(UpstreamError) as broken:
                async for piece, _more in answer.chunks():
                    got.append(piece)
            answer.close()
            await pool.aclose()
        assert b"".join(got) == b"0123456789" and broken.value.status == 502
    run(scenario)


def test_a_head_answer_has_no_body_whatever_its_length_says(run):
    async def head(exchange: Exchange) -> None:
        exchange.answer(b"HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n")

    async def scenario() -> None:
        async with Server(head) as server:
            pool = pool_for(server)
            answer = await pool.request(b"HEAD", b"/", [], b"")
            assert answer.status == 200 and await body_of(answer) == b""
            assert await body_of(await pool.request(b"HEAD", b"/", [], b"")) == b""
            await pool.aclose()
    run(scenario)


def test_an_interim_answer_is_skipped(run):
    async def hinting(exchange: Exchange) -> None:
        exchange.answer(b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n" + whole(b"{}"))

    async def scenario() -> None:
        async with Server(hinting) as server:
            pool = pool_for(server)
            answer = await pool.request(b"GET", b"/", [], b"")
            assert answer.status == 200 and (b"link", b"</a>") not in answer.headers
            assert await body_of(answer) == b"{}"
            await pool.aclose()
    run(scenario)


def test_a_large_answer_is_not_read_ahead_of_its_caller(run):
    """A caller that does not read: the pool stops reading (the server's writes back up)
    instead of holding the whole answer."""
    size = 64 << 20

    async def huge(exchange: Exchange) -> None:
        exchange.answer(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % size)
        exchange.answer(bytes(size))
        await asyncio.sleep(0.5)  # the caller holds its first piece meanwhile
        server.backlog = exchange.writer.transport.get_write_buffer_size()

    async def scenario() -> None:
        async with Server(huge) as found:
            nonlocal server
            server = found
            pool = pool_for(server)
            answer = await pool.request(b"GET", b"/", [], b"")
            pieces = answer.chunks()
            first, _ = await anext(pieces)
            await asyncio.sleep(1.0)
            assert server.backlog > size // 2  # most of it still at the server
            total = len(first)
            async for piece, _more in pieces:
                assert len(piece) <= HIGH_WATER + (1 << 20)
                total += len(piece)
            answer.close()
            await pool.aclose()
        assert total == size

    server: Any
    run(scenario)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate", "gzip, gzip"])
def test_encoded_answers_are_decoded_when_asked(coding, run):
    text = b'{"text": "%s"}' % (b"pizza " * 5000)
    packed = text
    for name in coding.split(", "):
        packed = gzip.compress(packed) if name == "gzip" else zlib.compress(packed) \
            if name == "deflate" else zlib.compress(packed)[2:-4]
    said = coding.replace("raw-", "").encode()

    async def encoded(exchange: Exchange) -> None:
        exchange.answer(b"HTTP/1.1 200 OK\r\ncontent-encoding: %s\r\ntransfer-encoding: "
                        b"chunked\r\n\r\n" % said + chunked(packed[:7], packed[7:99],
                                                            packed[99:]))

    async def scenario() -> None:
        async with Server(encoded) as server:
            pool = pool_for(server)
            answer = await pool.request(b"GET", b"/", [], b"")
            assert await body_of(answer, decode=True) == text
            assert await body_of(await pool.request(b"GET", b"/", [], b"")) == packed
            await pool.aclose()
    run(scenario)


@pytest.mark.parametrize("coded", [b"not gzip at all", gzip.compress(b"pizza " * 999)[:-20]],
                         ids=["not gzip", "a gzip stream cut short"])
def test_a_broken_coding_is_an_upstream_error(coded, run):
    """A body that is not its coding, or whose coding stops before its end (the framing says
    the body is whole, the gzip stream says it is not), is never passed on as complete."""
    async def broken(exchange: Exchange) -> None:
        exchange.answer(whole(coded, b"content-encoding: gzip"))

    with pytest.raises(UpstreamError, match="gzip"):
        run(lambda: one_get(broken, decode=True))


# --- failures ------------------------------------------------------------------------------

def test_nothing_listening_is_a_502(run):
    async def scenario() -> None:
        async with Server(ok) as server:
            url = server.url
        with pytest.raises(UpstreamError) as failed:
            await Pool(upstream_origin(url)).request(b"GET", b"/", [], b"")
        assert failed.value.status == 502 and failed.value.reason.startswith("cannot connect")
    run(scenario)


def test_an_upstream_that_does_not_answer_in_time_is_a_504(run):
    async def silent(exchange: Exchange) -> None:
        await asyncio.sleep(WAIT)

    async def scenario() -> None:
        async with Server(silent) as server:
            pool = pool_for(server, read_timeout=0.2)
            with pytest.raises(UpstreamError) as failed:
                await pool.request(b"GET", b"/", [], b"")
            assert (failed.value.status, failed.value.reason) == (504, "timed out")
            await pool.aclose()
    run(scenario)


def test_an_answer_that_is_not_http_is_a_502(run):
    async def garbage(exchange: Exchange) -> None:
        exchange.answer(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")

    async def scenario() -> None:
        async with Server(garbage) as server:
            with pytest.raises(UpstreamError, match=r"not an HTTP/1\.1 answer"):
                await pool_for(server).request(b"GET", b"/", [], b"")
    run(scenario)


def test_a_header_with_a_line_break_is_never_sent(run):
    async def scenario() -> None:
        async with Server(ok) as server:
            with pytest.raises(UpstreamError, match="line break"):
                await pool_for(server).request(b"GET", b"/", [(b"x", b"a\r\nhost: evil")],
                                               b"")
        assert server.requests == []
    run(scenario)


def test_the_target_keeps_its_encoding_and_escapes_what_http_does_not_allow():
    origin = Origin("http", "example.com", 80, b"example.com", b"/prefix")
    assert origin.target(b"/ai/run/%40cf%2Fqwen?x=1") == b"/prefix/ai/run/%40cf%2Fqwen?x=1"
    assert origin.target(b"/a b\xc3\xa9") == b"/prefix/a%20b%C3%A9"


# --- https ---------------------------------------------------------------------------------

def test_https_with_the_certificate_verified(run):
    trustme = pytest.importorskip("trustme")  # a dev dependency
    authority = trustme.CA()
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(served)
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)

    async def scenario() -> None:
        async with Server(ok, tls=served) as server:
            pool = pool_for(server, tls=trusting)
            for _ in range(2):
                assert await body_of(await pool.request(b"GET", b"/", [], b"")) == b'{"n": 0}'
            await pool.aclose()
            assert server.connections == 1
            with pytest.raises(UpstreamError, match="TLS failed") as refused:
                await pool_for(server).request(b"GET", b"/", [], b"")  # the system's CAs
            assert refused.value.status == 502
    run(scenario)
