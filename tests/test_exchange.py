"""The contract runner's HTTP client: every wait and every answer is bounded."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from wirespec.validators._exchange import UnusableURL, post, split_url


@contextmanager
def raw_server(behave: Callable[[socket.socket], None]) -> Iterator[str]:
    """A one-connection server on loopback that does ``behave`` with the client socket."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            behave(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        thread.join(timeout=10)


def _headers(connection: socket.socket, extra: str = "") -> None:
    connection.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n{extra}"
                       "\r\n".encode())


def test_a_trickling_server_is_cut_off_at_the_deadline():
    def trickle(connection: socket.socket) -> None:
        _headers(connection)
        for _ in range(40):  # a byte every 0.1 s: each read succeeds, the whole never ends
            try:
                connection.sendall(b":")
            except OSError:
                return
            time.sleep(0.1)

    with raw_server(trickle) as url:
        exchange = post(url, "/", {}, b"{}", timeout=0.5)
    assert exchange.problem == "the answer did not finish within 0.5 s"
    assert exchange.status == 200 and exchange.chunks


def test_an_endless_answer_is_cut_off_at_its_size():
    def flood(connection: socket.socket) -> None:
        _headers(connection)
        try:
            for _ in range(1000):
                connection.sendall(b"data: x\n\n" * 1000)
        except OSError:
            return

    with raw_server(flood) as url:
        exchange = post(url, "/", {}, b"{}", timeout=30, max_answer=100_000)
    assert exchange.problem == "the answer is larger than 100000 bytes"


def test_a_connection_closed_mid_answer_is_reported():
    def cut(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":")

    with raw_server(cut) as url:
        exchange = post(url, "/", {}, b"{}", timeout=5)
    assert exchange.problem == "the connection closed 89 bytes short of the declared " \
                               "Content-Length"


def test_a_chunked_answer_cut_mid_chunk_is_reported():
    def cut(connection: socket.socket) -> None:
        _headers(connection, "Transfer-Encoding: chunked\r\n")
        connection.sendall(b"20\r\ndata: {\"only part")

    with raw_server(cut) as url:
        exchange = post(url, "/", {}, b"{}", timeout=5)
    assert exchange.problem is not None and "IncompleteRead" in exchange.problem


@pytest.mark.parametrize("url", ["ftp://host/x", "not a url", "http://:80/", "http://h:x/"])
def test_unusable_urls(url):
    with pytest.raises(UnusableURL):
        split_url(url)
