"""One HTTP request and its whole answer, within a bounded time.

The standard library's client, so that every wait is under our control. A watchdog holds
the deadline for the whole exchange: when it passes, it shuts the connection down, and
whatever the client was waiting for (the status line, a header trickled a line at a time,
one more ``100 Continue``, the rest of the body) ends at once. A socket timeout alone bounds
each read, not the exchange: a server that sends a byte before every timeout never ends.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_READ = 65536
MAX_ANSWER = 64 * 1024 * 1024  # a server that never stops sending is stopped here
# what http.client refuses in a request target (it would raise InvalidURL on every request)
_UNSENDABLE = frozenset(map(chr, [*range(0x21), 0x7F]))


@dataclass
class Exchange:
    status: int = 0
    content_type: str = ""
    chunks: list[bytes] = field(default_factory=list)  # the body as it arrived
    problem: str | None = None  # why the exchange did not complete
    connected: bool = False
    seconds: float = 0.0

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


class UnusableURL(ValueError):
    pass


def split_url(url: str) -> tuple[str, str, int | None, str]:
    # the URL may carry a secret (user:password@, ?key=): only its plain faults quote it
    try:
        parts = urlsplit(url)
    except ValueError as err:  # an unclosed IPv6 bracket, for one
        raise UnusableURL(f"{url!r} is not a URL ({err})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnusableURL(f"{url!r} is not an http(s) URL")
    if "@" in parts.netloc:
        raise UnusableURL("the base URL carries credentials (user@ or user:password@), which "
                          "are never sent; give the key in an environment variable")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise UnusableURL("the base URL has a query or fragment (?… or #…); the request path "
                          "is appended to the base URL, so it can have neither")
    if _UNSENDABLE & set(parts.path):
        raise UnusableURL(f"{url!r} has a space or control character in its path")
    try:
        port = parts.port
    except ValueError:
        raise UnusableURL(f"{url!r} has an unusable port") from None
    return parts.scheme, parts.hostname, port, parts.path.rstrip("/")


class _Watchdog:
    """Shuts the exchange's connection down when ``seconds`` have passed.

    It keeps its own duplicate of the socket (taken as the connection is made), so it can
    reach the connection whatever the client does with its own handle: wrap it for TLS,
    hand it to the response, close it. Shutting a socket down (never closing it) wakes a
    read blocked in another thread; the lock keeps the duplicate open while it is used.
    """

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self.step = "connect"  # what the exchange is waiting for (see _late)
        self.expired_in = ""  # the step it was waiting for when time ran out
        self._done = False
        self._twin: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def connect(self, address: tuple[str, int], timeout: Any = None,
                source_address: Any = None) -> socket.socket:
        """``socket.create_connection``, watched (http.client's hook for making sockets)."""
        sock = socket.create_connection(address, timeout, source_address)
        with self._lock:
            if not self._done:
                self._twin = sock.dup()
                if self.expired:
                    _shut(self._twin)
        return sock

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired, self.expired_in = True, self.step
            if self._twin is not None:
                _shut(self._twin)

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._done = True
            if self._twin is not None:
                self._twin.close()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the peer: nothing left to wake
        sock.shutdown(socket.SHUT_RDWR)


def _late(step: str, timeout: float) -> str:
    if step == "connect":
        return f"no connection within {timeout:g} s"
    if step == "answer":
        return f"no answer within {timeout:g} s (no complete status line and headers)"
    return f"the answer did not finish within {timeout:g} s"


def post(url: str, path: str, headers: dict[str, str], body: bytes, timeout: float,
         max_answer: int = MAX_ANSWER) -> Exchange:
    """POST ``body`` to ``url`` + ``path``; everything (connect, status line, headers, any
    1xx answers, body) within ``timeout`` seconds, and no more than ``max_answer`` bytes."""
    scheme, host, port, base = split_url(url)
    started = time.monotonic()
    exchange = Exchange()
    kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    connection = kind(host, port, timeout=timeout)
    watchdog = _Watchdog(timeout)
    connection._create_connection = watchdog.connect  # type: ignore[attr-defined]
    timed_out = False
    watchdog.start()
    try:
        connection.connect()
        exchange.connected, watchdog.step = True, "answer"
        connection.request("POST", base + path, body=body, headers=headers)
        response = connection.getresponse()
        exchange.status, watchdog.step = response.status, "body"
        exchange.content_type = response.getheader("content-type", "")
        _read_body(response, exchange, max_answer)
    except TimeoutError:
        timed_out = True
    except (OSError, http.client.HTTPException, ValueError) as err:
        exchange.problem = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    finally:
        watchdog.stop()
        connection.close()
        exchange.seconds = time.monotonic() - started
    if watchdog.expired or timed_out:  # whatever broke, it broke because time ran out
        _ran_out(exchange, watchdog.expired_in or watchdog.step, timeout)
    return exchange


def _ran_out(exchange: Exchange, step: str, timeout: float) -> None:
    exchange.problem = _late(step, timeout)
    if step != "body":  # http.client takes the shut-down connection for the end of the
        exchange.status, exchange.content_type = 0, ""  # headers: they were not complete


def _read_body(response: http.client.HTTPResponse, exchange: Exchange, max_answer: int) -> None:
    size = 0
    while True:
        if size > max_answer:
            exchange.problem = f"the answer is larger than {max_answer} bytes"
            return
        chunk = response.read1(_READ)
        if not chunk:
            if response.length:  # read1 does not raise for a short body: say so
                exchange.problem = (f"the connection closed {response.length} bytes short "
                                    "of the declared Content-Length")
            return
        exchange.chunks.append(chunk)
        size += len(chunk)
