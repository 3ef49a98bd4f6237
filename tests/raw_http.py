"""Raw HTTP servers on loopback for the tests of hostile servers: each reads the whole request
before it misbehaves, so that the client never meets a reset caused by its own unread bytes."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass
class Request:
    head: str  # request line and headers, latin-1
    body: bytes

    def header(self, name: str) -> str:
        for line in self.head.split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return ""


def read_request(connection: socket.socket) -> Request:
    """The request's head, then as many body bytes as its Content-Length says."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return Request(data.decode("latin-1"), b"")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    request = Request(head.decode("latin-1"), body)
    length = int(request.header("content-length") or 0)
    while len(request.body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        request.body += chunk
    return request


Behave = Callable[[socket.socket, Request], Any]


@contextmanager
def raw_server(behave: Behave, connections: int = 1) -> Iterator[str]:
    """A server on loopback that reads each request whole, then does ``behave`` with the
    client socket; it serves ``connections`` connections, one at a time."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def serve() -> None:
        for _ in range(connections):
            try:
                connection, _ = listener.accept()
            except OSError:  # the listener was closed: the test is over
                return
            with connection, contextlib.suppress(OSError):  # the client left, as it may
                behave(connection, read_request(connection))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes an accept() that waits (close does not)
        listener.close()
        thread.join(timeout=10)
