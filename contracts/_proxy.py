"""The validating proxy: a reverse proxy in front of a provider (or the mock) that checks each
request and each answer against the documents as they pass.

A request on one of the wire formats' endpoints is routed and checked by the mock's own rules
(``_proxy_routes.Door``). In ``enforce`` mode one the mock would refuse gets the mock's refusal
(the provider's error body and status) and never reaches the upstream; in ``report`` mode it is
forwarded. Answers pass through as they come, a chunk at a time, and are checked on the way:
a whole answer once its last byte has been passed on, a stream event by event. Every violation
is one JSON line (time, model, kind, pointer, keyword, message, action) in the log: never a
header, a key or a body, and a key quoted back in a message is redacted. Anything else
(other endpoints and methods) is forwarded unchecked; ``GET /healthz`` answers without asking
the upstream.

One pool of kept-alive connections to the upstream (``_upstream.Pool``: asyncio's protocols,
httptools' parser) forwards for the app's whole life; it keeps no cookies, reads no proxy
settings or netrc, and follows no redirects (the client sees them).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TextIO

from wirespec.validators._errors import ValidationError

from ._mock import MAX_BODY, MockSettings, Receive, Scope, Send, _code, _respond
from ._proxy_routes import (
    DECODED,
    Door,
    Inbound,
    answer_check,
    request_headers,
    response_headers,
    upstream_origin,
)
from ._redact import Redactor
from ._serve import LOOPBACK, ServeError, _uvicorn, announce_base_urls, bind, in_thread
from ._upstream import Answer, Pool
from ._upstream_request import UpstreamError
from ._wire import WIRE_FORMATS, Rejection, WireFormat

Mode = Literal["enforce", "report"]
# where clients put keys: each value is redacted from every message the log writes
_KEY_HEADERS = frozenset({b"authorization", b"x-api-key", b"api-key", b"x-auth-key"})
MAX_MESSAGE = 300  # characters of a message in the log
WATCH_AFTER = 0.05  # seconds before the proxy watches for a client that leaves


@dataclass(frozen=True)
class ProxySettings:
    upstream: str  # scheme://host[:port][/prefix], see _proxy_routes.upstream_url()
    providers: tuple[str, ...] = tuple(WIRE_FORMATS)
    mode: Mode = "enforce"
    max_body: int = MAX_BODY


class ViolationLog:
    """One JSON line per violation (ASCII only: no line separators inside a line)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._failing = False

    def write(self, model: str, kind: str, errors: list[ValidationError], action: str,
              redact: Callable[[str], str]) -> None:
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
        lines = []
        for error in errors:
            message = redact(error.message)
            if len(message) > MAX_MESSAGE:
                message = message[:MAX_MESSAGE - 1] + "…"
            lines.append(json.dumps({
                "time": now, "model": model, "kind": kind, "pointer": redact(error.pointer),
                "keyword": error.keyword, "message": message, "action": action}) + "\n")
        try:
            self._stream.write("".join(lines))
            self._stream.flush()
        except OSError as err:  # a full disk must not cut the answers passing through
            if not self._failing:
                self._failing = True
                print(f"wirespec proxy: cannot write the log: {err.strerror}", file=sys.stderr)


def _keys(headers: list[tuple[bytes, bytes]]) -> Callable[[str], str]:
    """A redactor for every key the request carries (the token of ``Bearer <token>`` too)."""
    redactors = []
    for name, value in headers:
        if name.lower() in _KEY_HEADERS:
            text = value.decode("latin-1").strip()
            _, _, token = text.partition(" ")
            redactors += [Redactor(t) for t in dict.fromkeys((text, token.strip())) if t]
    if not redactors:
        return str

    def redact(message: str) -> str:
        for redactor in redactors:
            message = redactor(message)
        return message
    return redact


@dataclass
class _Exchange:
    """One request's way through the proxy."""

    scope: Scope
    raw: bytes
    inbound: Inbound | None
    answered: bool = False  # the answer's last byte has gone to the client
    _redact: Callable[[str], str] | None = field(default=None, repr=False)

    def redact(self, message: str) -> str:
        """``message`` without the request's keys (the redactor is built when first needed:
        most exchanges log nothing)."""
        if self._redact is None:
            self._redact = _keys(self.scope["headers"])
        return self._redact(message)


class ProxyApp:
    """The ASGI application (uvicorn, or any ASGI server, can run it)."""

    def __init__(self, settings: ProxySettings, log: TextIO | None = None) -> None:
        self.settings = settings
        self.door = Door(MockSettings(settings.providers, max_body=settings.max_body))
        self.log = ViolationLog(log or sys.stderr)
        self._pool: Pool | None = None

    def pool(self) -> Pool:
        if self._pool is None:  # in the serving loop: its connections belong to it
            self._pool = Pool(upstream_origin(self.settings.upstream))
        return self._pool

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] == "/healthz" and scope["method"] in ("GET", "HEAD"):
            await _respond(send, 200, b'{"status":"ok"}')
            return
        routed = self.door.route(scope["path"]) if scope["method"] == "POST" else None
        try:
            raw = await _request_body(receive, self.settings.max_body)
        except _TooLarge:
            await self._too_large(routed, send)
            return
        if raw is None:  # the client left before its request was whole
            return
        inbound = self.door.inspect(*routed, raw) if routed else None
        exchange = _Exchange(scope, raw, inbound)
        if inbound is not None and (inbound.errors or not inbound.known) and await self._refused(
                exchange, inbound, send):
            return
        await self._guarded(exchange, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.pool()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._pool is not None:  # before saying so: then the loop stops
                    await self._pool.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _refused(self, exchange: _Exchange, inbound: Inbound, send: Send) -> bool:
        """Log what is wrong with the request; answer the refusal in enforce mode."""
        if not inbound.known and not inbound.errors:
            self.log.write(inbound.model, "request", [ValidationError(
                "", "unknown-model", "no document wirespec holds names this model: forwarded "
                "unchecked")], "forwarded", exchange.redact)
            return False
        stop = self.settings.mode == "enforce" and inbound.refusal is not None
        self.log.write(inbound.model, "request", inbound.errors,
                       "rejected" if stop else "forwarded", exchange.redact)
        if stop and inbound.refusal is not None:
            await self._refuse(inbound, inbound.refusal, send)
        return stop

    async def _refuse(self, inbound: Inbound, rejection: Rejection, send: Send) -> None:
        await _respond(send, rejection.status, inbound.wire.error(rejection, inbound.request_id))

    async def _too_large(self, routed: tuple[WireFormat, str] | None, send: Send) -> None:
        message = f"Request is too large (over {self.settings.max_body} bytes)"
        if routed is None:
            await _respond(send, 413, json.dumps({"error": message}).encode())
            return
        wire = routed[0]
        rejection = Rejection(413, _code(wire, "size"), message)
        await _respond(send, 413, wire.error(rejection, ""))

    async def _guarded(self, exchange: _Exchange, receive: Receive, send: Send) -> None:
        """Forward, and stop asking the upstream when the client leaves before its answer is
        whole (a stream the client no longer reads costs the caller tokens). The watch starts
        after ``WATCH_AFTER`` seconds: most answers are whole before then, and a watching task
        for every request is a cost they never need."""
        task = asyncio.current_task()
        loop = asyncio.get_running_loop() if task is None else task.get_loop()
        gone = False
        watcher: asyncio.Task[None] | None = None

        async def watch() -> None:
            nonlocal gone
            while (await receive())["type"] != "http.disconnect":
                pass
            if not exchange.answered and task is not None:
                gone = True
                task.cancel()

        def start_watching() -> None:
            nonlocal watcher
            watcher = loop.create_task(watch())

        timer = loop.call_later(WATCH_AFTER, start_watching)
        try:
            await self._forward(exchange, send)
        except asyncio.CancelledError:
            if not gone or task is None:
                raise
            task.uncancel()
        finally:
            timer.cancel()
            if watcher is not None:
                watcher.cancel()

    async def _forward(self, exchange: _Exchange, send: Send) -> None:
        scope = exchange.scope
        # as sent: a percent-encoded model name (Cloudflare's SDK) stays encoded
        target: bytes = scope.get("raw_path") or scope["path"].encode()
        if query := scope.get("query_string"):
            target += b"?" + query
        try:
            upstream = await self.pool().request(scope["method"].encode(), target,
                                                 request_headers(scope["headers"]), exchange.raw)
        except UpstreamError as err:
            await self._unreachable(exchange, err, send)
            return
        try:
            await self._pass_on(exchange, upstream, send)
        finally:
            upstream.close()

    async def _unreachable(self, exchange: _Exchange, err: UpstreamError, send: Send) -> None:
        message = f"wirespec proxy: the upstream did not answer: {err.reason}"
        inbound = exchange.inbound
        exchange.answered = True  # by the proxy: the client leaving now stops nothing
        if inbound is None:
            await _respond(send, err.status, json.dumps({"error": message}).encode())
            return
        self.log.write(inbound.model, "upstream", [ValidationError("", "transport", message)],
                       f"answered {err.status}", exchange.redact)
        await self._refuse(inbound, Rejection(err.status, "BadGateway", message), send)

    async def _pass_on(self, exchange: _Exchange, upstream: Answer, send: Send) -> None:
        decoded = DECODED.issuperset(upstream.codings)  # else passed on as it came, unchecked
        await send({"type": "http.response.start", "status": upstream.status, "headers":
                    response_headers(upstream.headers, decoded and bool(upstream.codings))})
        check = None
        if decoded and exchange.inbound is not None:
            check = answer_check(exchange.inbound, upstream.status, upstream.content_type,
                                 self.settings.max_body)
        try:
            async for chunk, more in upstream.chunks(decode=decoded):
                exchange.answered = not more
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
                if check is not None:  # after the chunk has gone on: it waits for no check
                    self._log_answer(exchange, check.kind, check.feed(chunk) if more else
                                     check.feed(chunk) + check.close())
        except UpstreamError as err:  # cut off: the client sees the connection close
            self._log_answer(exchange, "upstream", [ValidationError(
                "", "transport", f"the upstream's answer broke off: {err.reason}")])

    def _log_answer(self, exchange: _Exchange, kind: str, errors: list[ValidationError]) -> None:
        if errors and exchange.inbound is not None:
            self.log.write(exchange.inbound.model, kind, errors, "forwarded", exchange.redact)


class _TooLarge(Exception):
    pass


async def _request_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body (``_TooLarge`` past ``limit`` bytes); None when the client
    left first."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


@dataclass
class RunningProxy:
    host: str
    port: int
    app: Any

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def base_url(self, provider: str) -> str:
        """What the provider's SDK takes as its base URL, to go through the proxy."""
        return self.url + WIRE_FORMATS[provider].base_path


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host`` (as ``_serve.bind`` does for the mock on loopback)."""
    if host == LOOPBACK:
        return bind(port)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP: NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise ServeError(f"cannot listen on {ascii(host)[1:-1][:100]}:{port}: "
                         f"{err.strerror or err}") from None
    sock.listen(1024)
    return sock


def _server(app: Any) -> Any:
    uvicorn = _uvicorn()
    try:
        import httptools  # noqa: F401
        if sys.platform != "win32":
            import uvloop  # noqa: F401
    except ImportError:
        raise ServeError("the proxy needs uvloop and httptools: pip install "
                         "'wirespec[mock]'") from None
    config = uvicorn.Config(
        app, loop="uvloop" if sys.platform != "win32" else "asyncio", http="httptools",
        lifespan="on", log_level="warning", access_log=False, timeout_graceful_shutdown=2,
        server_header=False, date_header=False,  # the upstream's own pass through
        proxy_headers=False)  # X-Forwarded-* from a caller is the upstream's to read
    return uvicorn.Server(config)


def _open_log(path: str | None) -> TextIO:
    if path is None:
        return sys.stderr
    try:
        return open(path, "a", encoding="utf-8", buffering=1)  # open for the server's life
    except OSError as err:
        raise ServeError(f"--log {ascii(path)[1:-1][:200]}: cannot open: {err.strerror}") \
            from None


def serve(settings: ProxySettings, host: str = LOOPBACK, port: int = 8766,
          log_path: str | None = None, announce: Callable[[str], Any] = print) -> None:
    """Serve until interrupted; ``announce`` gets each line that tells where."""
    log = _open_log(log_path)
    try:
        sock = _listen(host, port)
        server = _server(ProxyApp(settings, log))
        proxy = RunningProxy(host, sock.getsockname()[1], None)
        announce(f"wirespec proxy: listening on {proxy.url}, forwarding to {settings.upstream} "
                 f"({settings.mode}; violations to {log_path or 'stderr'})")
        announce_base_urls(announce, proxy, settings.providers)
        server.run(sockets=[sock])
    finally:
        if log is not sys.stderr:
            log.close()


@contextmanager
def running_app(app: Any, host: str = LOOPBACK, port: int = 0,
                start_timeout: float = 10.0) -> Iterator[RunningProxy]:
    """Any ASGI app on uvicorn (uvloop, httptools) in a background thread, stopped on exit."""
    sock = _listen(host, port)
    with in_thread(_server(app), sock, "server", start_timeout):
        yield RunningProxy(host, sock.getsockname()[1], app)


def running(settings: ProxySettings, log: TextIO | None = None, host: str = LOOPBACK,
            port: int = 0) -> contextlib.AbstractContextManager[RunningProxy]:
    """The proxy in a background thread (``with running(settings) as proxy: proxy.url``)."""
    return running_app(ProxyApp(settings, log), host, port)
