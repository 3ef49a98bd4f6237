"""The proxy's way to its one upstream: a small pool of kept-alive HTTP/1.1 connections on
asyncio's protocols, answers parsed by httptools (the parser uvicorn serves with).

Why not a client library: at 8 connections the proxy's added latency is its CPU per request
queued 8 deep, and the clients measured cost 0.13-0.40 ms of CPU per request where this pool
costs 0.05-0.06 (docs/decisions.md, "The proxy's upstream client"). The pool does what the
proxy needs and no more: no cookies, proxy settings, netrc or redirects (the caller sees
them); Content-Length, chunked and read-to-close bodies; an answer's body handed on a piece at
a time as it arrives, the connection not read while the caller has ``HIGH_WATER`` bytes
unread; ``https://`` through asyncio's ssl with the system's certificates verified; a
connection kept only when its answer was read to the end and both sides keep it alive, and
not reused once idle for ``IDLE_TIMEOUT``. Requests made in one turn of the loop are written
together at its end, so that the upstream finds them together instead of waking for each.
What an upstream sends is bounded: ``MAX_HEAD`` bytes of head or trailers in a row, content
codings undone lazily in pieces of at most 1 MiB and no more than five in a chain
(_upstream_codings), bytes past the end of an answer never read as the next one. Requests are
made of _upstream_request's parts.
"""

from __future__ import annotations

import asyncio
import collections
import socket
import ssl
from collections.abc import AsyncIterator
from typing import cast

import httptools

from ._upstream_codings import decoded
from ._upstream_request import Origin, UpstreamError, request_head, tls_context

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 600.0  # between two pieces of an answer: an LLM may think for minutes
IDLE_TIMEOUT = 15.0  # an idle connection is not reused later than this: the server may be
# closing it (aiohttp's keep-alive timeout)
MAX_IDLE = 100
SOON = 1 << 16  # bytes of a body that go on with the head (the head waits for them)
HIGH_WATER = 1 << 18  # bytes of an answer read ahead of the caller before reading pauses
MAX_HEAD = 1 << 16  # bytes an answer may send in a row with no head, body or end in them
# (headers, interim answers, trailers): httptools keeps them all, and would until the timeout
IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS", b"TRACE", b"PUT", b"DELETE"})


class _Connection(asyncio.Protocol):
    """One connection: a request written, its answer parsed as the bytes arrive."""

    def __init__(self, pool: Pool, loop: asyncio.AbstractEventLoop) -> None:
        self._pool, self._loop = pool, loop
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[None] | None = None
        self.idle_since: float | None = None  # kept for the next request since (loop time)
        self.lost = False  # the connection is closed (or closing)
        self._begin()

    def _begin(self) -> None:
        """Ready for the next answer."""
        self.status = 0
        self._no_head_yet()
        self._head = False  # the request was HEAD: its answer has no body
        self.has_head = False
        self.complete = False
        self.reusable = False
        self.received = False  # a byte of the answer has arrived
        self.error: UpstreamError | None = None
        self._pieces: collections.deque[bytes] = collections.deque()
        self._unread = 0
        self._paused = False
        self._stalled = 0  # bytes since the parser last handed on a head, a body piece, the end

    def _no_head_yet(self) -> None:
        """What an answer's head says, before one (again after an interim answer's)."""
        self.headers: list[tuple[bytes, bytes]] = []
        self.codings: list[bytes] = []
        self.content_type = b""
        self._framed = False  # a Content-Length or a chunked coding: not read to close
        self._soon = False  # a small body is announced: no need to wake for the head alone

    # --- asyncio's side --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        if self.idle_since is not None:  # nothing was asked: a server that talks out of turn
            self.close()
            return
        self.received = True
        self._stalled += len(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(UpstreamError("the upstream switched protocols"))
        except httptools.HttpParserError as err:
            self._fail(UpstreamError(f"not an HTTP/1.1 answer ({err})"))
        if self._stalled > MAX_HEAD:
            self._fail(UpstreamError(f"over {MAX_HEAD >> 10} KiB of head or trailers"))

    def eof_received(self) -> bool:
        self.lost = True  # the upstream says no more: not to be kept, whatever came before
        if self.has_head and not self.complete and not self._framed:
            self.complete = True  # a body that ends when the connection does
            self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._pool.forget(self)
        if not self.complete:
            self._fail(UpstreamError("the connection closed"))

    # --- httptools' side ---------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self.complete:  # more than its answer: the connection is out of step with us
            self.reusable = False

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.has_head:  # trailers (or a second answer's): never the answer's headers
            return
        lowered = name.lower()  # as uvicorn writes them on anyway
        self.headers.append((lowered, value))
        if lowered == b"content-encoding":
            self.codings += [c.strip().lower() for c in value.split(b",") if c.strip()]
        elif lowered == b"content-type":
            self.content_type = value
        elif lowered == b"content-length":
            self._framed = True
            self._soon = value.isdigit() and 0 < int(value) <= SOON
        elif lowered == b"transfer-encoding":
            self._framed = True

    def on_headers_complete(self) -> None:
        if self.complete:  # a second answer's
            return
        status = self._parser.get_status_code()
        if not 100 <= status <= 599:  # three digits the parser takes, but no status: uvicorn
            # has no status line for it (a traceback, not an answer)
            self._fail(UpstreamError(f"not an HTTP/1.1 answer (status {status})"))
            return
        if status < 200:  # an interim answer (103 Early Hints): the real one follows
            self._no_head_yet()
            return
        self.status, self.has_head, self._stalled = status, True, 0
        if self._head:  # no body follows, whatever its headers say: the parser cannot know
            self.complete = True
            self._close_transport()
        elif self._soon:  # the body wakes the caller: one wake-up, not two
            return
        self._wake()

    def on_body(self, body: bytes) -> None:
        if self.complete:
            return
        self._pieces.append(body)
        self._unread += len(body)
        self._stalled = 0
        if self._unread > HIGH_WATER and not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self.complete or not self.has_head:
            return
        self.complete, self._stalled = True, 0
        self.reusable = self._parser.should_keep_alive()
        self._wake()

    # --- the pool's side ---------------------------------------------------------------

    def send(self, head: bytes, body: bytes, head_only: bool) -> None:
        if self._transport is None or self._transport.is_closing():
            raise UpstreamError("the connection closed")
        self.idle_since = None
        self._head = head_only
        self._pool.write_soon(self._transport, [head, body] if body else [head])

    async def pieces(self) -> AsyncIterator[tuple[bytes, bool]]:
        """The body as it arrives (pieces that arrived together joined), each with whether
        more follows: the last says False, with what came with it or ``b""``."""
        while True:
            if self._pieces:
                piece = self._pieces[0] if len(self._pieces) == 1 else b"".join(self._pieces)
                self._pieces.clear()
                self._unread = 0
                if self._paused and self._transport is not None:
                    self._paused = False
                    self._transport.resume_reading()
                yield piece, not self.complete
                if self.complete and not self._pieces:
                    return
            elif self.complete:
                yield b"", False
                return
            elif self.error is not None:
                raise self.error
            else:
                await self.wait()

    def idle(self) -> None:
        """Kept for the next request."""
        if self._paused and self._transport is not None:  # an answer whole but left unread
            self._transport.resume_reading()
        self._begin()
        self.idle_since = self._loop.time()

    def close(self) -> None:
        self.lost = True
        self._pool.forget(self)
        self._close_transport()

    # --- the rest ----------------------------------------------------------------------

    async def wait(self) -> None:
        """Until the parser has news (or the read timeout has passed)."""
        loop = self._loop
        self._waiter = waiter = loop.create_future()
        timer = loop.call_later(self._pool.read_timeout, self._timed_out, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None

    def _timed_out(self, waiter: asyncio.Future[None]) -> None:
        if waiter is self._waiter and not waiter.done():
            self._fail(UpstreamError("timed out", 504))

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _fail(self, error: UpstreamError) -> None:
        if self.error is None:
            self.error = error
        self._close_transport()
        self._wake()

    def _close_transport(self) -> None:
        self.lost = True
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()


class Answer:
    """An answer's status and headers; its body through :meth:`chunks`, then :meth:`close`."""

    def __init__(self, pool: Pool, connection: _Connection) -> None:
        self._pool, self._connection = pool, connection
        self._closed = False
        self.status = connection.status
        self.headers = connection.headers  # as received, names lowercased
        self.codings = connection.codings  # Content-Encoding's codings, lowercased
        self.content_type = connection.content_type.decode("latin-1")

    def chunks(self, decode: bool = False) -> AsyncIterator[tuple[bytes, bool]]:
        """The body a piece at a time as it arrives, each with whether more follows (the
        last says False); ``decode``: gzip and deflate undone."""
        pieces = self._connection.pieces()
        codings = [c for c in self.codings if c != b"identity"]
        return decoded(pieces, codings) if decode and codings else pieces

    def close(self) -> None:
        """The connection back to the pool when the answer was read to its end and both
        sides keep it alive; closed otherwise (a caller that left, a broken answer). Once: by
        a second call the connection may be another request's."""
        if self._closed:
            return
        self._closed = True
        connection = self._connection
        if connection.complete and connection.reusable and not connection.lost:
            self._pool.release(connection)
        else:
            connection.close()


class Pool:
    """Kept-alive connections to one origin; as many at once as requests are in flight."""

    def __init__(self, origin: Origin, tls: ssl.SSLContext | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
                 idle_timeout: float = IDLE_TIMEOUT) -> None:
        self.origin = origin
        self._tls = (tls or tls_context()) if origin.scheme == "https" else None
        self._connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self._idle_timeout = idle_timeout
        self._idle: list[_Connection] = []  # the one kept last at the end
        self._open: set[_Connection] = set()
        self._loop = asyncio.get_running_loop()  # made in the loop it serves
        self._unwritten: list[tuple[asyncio.Transport, list[bytes]]] = []

    async def request(self, method: bytes, target: bytes, headers: list[tuple[bytes, bytes]],
                      body: bytes) -> Answer:
        """Send a request (``headers`` without Host and Content-Length: the pool sets them)
        and wait for its answer's head. A request that met a kept connection the upstream
        had just closed is sent again on a new one when it is idempotent (as aiohttp)."""
        head = request_head(method, self.origin.target(target), self.origin.authority, headers,
                            body)
        while (connection := self._kept()) is not None:
            try:
                return await self._exchange(connection, method, head, body)
            except UpstreamError as err:
                if err.status != 502 or connection.received or method not in IDEMPOTENT:
                    raise
        return await self._exchange(await self._connect(), method, head, body)

    def _kept(self) -> _Connection | None:
        """The connection kept last, unless the upstream has closed it or it has been idle
        so long that the upstream may be closing it now (then every older one too)."""
        while self._idle:
            connection = self._idle.pop()
            assert connection.idle_since is not None
            if connection.lost:
                continue
            if self._loop.time() - connection.idle_since > self._idle_timeout:
                for stale in [connection, *self._idle]:
                    stale.close()
                return None
            return connection
        return None

    async def _exchange(self, connection: _Connection, method: bytes, head: bytes,
                        body: bytes) -> Answer:
        try:
            connection.send(head, body, method == b"HEAD")
            while not connection.has_head:
                if connection.error is not None:
                    raise connection.error
                await connection.wait()
        except BaseException:
            connection.close()
            raise
        return Answer(self, connection)

    async def _connect(self) -> _Connection:
        origin, loop = self.origin, self._loop
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, connection = await loop.create_connection(
                    lambda: _Connection(self, loop), origin.host, origin.port, ssl=self._tls,
                    server_hostname=origin.host if self._tls else None)
        except TimeoutError:
            raise UpstreamError("timed out", 504) from None
        except ssl.SSLError as err:
            why = getattr(err, "verify_message", None) or err.reason or type(err).__name__
            raise UpstreamError(f"TLS failed ({why})") from None
        except OSError as err:
            raise UpstreamError(f"cannot connect ({err.strerror or type(err).__name__})") \
                from None
        self._open.add(connection)
        return connection

    def write_soon(self, transport: asyncio.Transport, data: list[bytes]) -> None:
        """Written once this turn of the loop is done, with every other request of the turn:
        the upstream then finds them together rather than waking for each."""
        if not self._unwritten:
            self._loop.call_soon(self._write)
        self._unwritten.append((transport, data))

    def _write(self) -> None:
        unwritten, self._unwritten = self._unwritten, []
        for transport, data in unwritten:
            if not transport.is_closing():
                transport.writelines(data)

    def release(self, connection: _Connection) -> None:
        if len(self._idle) >= MAX_IDLE:
            connection.close()
            return
        connection.idle()
        self._idle.append(connection)

    def forget(self, connection: _Connection) -> None:
        self._open.discard(connection)
        if connection in self._idle:
            self._idle.remove(connection)

    async def aclose(self) -> None:
        for connection in list(self._open):
            connection.close()
        await asyncio.sleep(0)  # the transports' close callbacks run
