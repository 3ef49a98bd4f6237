"""The contract runner's HTTP client: every wait and every answer is bounded, and the deadline
covers the whole exchange (connect, status line, headers, 1xx answers, body)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

import pytest
from raw_http import Request, raw_server

from wirespec.contracts._exchange import Exchange, UnusableURL, post, split_url

HANG_LIMIT = 30.0  # seconds: an exchange still running after this has hung (the bug)


def _headers(connection: socket.socket, extra: str = "") -> None:
    connection.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n{extra}"
                       "\r\n".encode())


def _ending(call: Callable[[], Exchange]) -> Exchange:
    """``call()``, run where a hang fails the test instead of stopping the suite."""
    done: list[Exchange] = []
    worker = threading.Thread(target=lambda: done.append(call()), daemon=True)
    worker.start()
    worker.join(HANG_LIMIT)
    assert done, f"the exchange was still running after {HANG_LIMIT:g} s"
    print(f"ended after {done[0].seconds:.2f} s: {done[0].problem}")
    return done[0]


def _trickle(pieces: list[bytes], pause: float) -> Callable[[socket.socket, Request], None]:
    def behave(connection: socket.socket, request: Request) -> None:
        for piece in pieces:  # each read succeeds; the whole never ends in time
            connection.sendall(piece)
            time.sleep(pause)
    return behave


def test_a_trickling_server_is_cut_off_at_the_deadline():
    def trickle(connection: socket.socket, request: Request) -> None:
        _headers(connection)
        _trickle([b":"] * 40, 0.1)(connection, request)

    with raw_server(trickle) as url:
        exchange = _ending(lambda: post(url, "/", {}, b"{}", timeout=0.5))
    assert exchange.problem == "the answer did not finish within 0.5 s"
    assert exchange.status == 200 and exchange.chunks


HOSTILE_HEADS = {
    # a header line every 0.1 s (fewer than http.client's 100-header limit)
    "trickled headers": _trickle([b"HTTP/1.1 200 OK\r\n",
                                  *[b"X-Slow-%d: 1\r\n" % n for n in range(90)]], 0.1),
    # the status line a byte at a time
    "trickled status line": _trickle([bytes([c]) for c in b"HTTP/1.1 200 OK\r\n" * 4], 0.1),
    # http.client skips 100 Continue answers in a loop that has no end of its own
    "endless 100 Continue": _trickle([b"HTTP/1.1 100 Continue\r\n\r\n"] * 3000, 0.01),
    # accepts, reads the request, and waits for the client to give up
    "never answers": lambda connection, request: connection.recv(1),
}


@pytest.mark.parametrize("behaviour", sorted(HOSTILE_HEADS))
def test_the_deadline_covers_the_status_line_headers_and_1xx_answers(behaviour):
    with raw_server(HOSTILE_HEADS[behaviour]) as url:
        exchange = _ending(lambda: post(url, "/", {}, b"{}", timeout=1.0))
    assert exchange.problem == "no answer within 1 s (no complete status line and headers)"
    assert exchange.connected and exchange.status == 0


def test_no_connection_in_time_is_said_so():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    try:  # fill the accept queue: further connections wait in SYN-SENT until the deadline
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(listener.getsockname())
            fillers.append(filler)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        exchange = _ending(lambda: post(url, "/", {}, b"{}", timeout=0.5))
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
    if exchange.connected:  # the kernel let it in after all: nothing to learn here
        pytest.skip("the loopback accept queue did not fill")
    assert exchange.problem == "no connection within 0.5 s"


def test_an_endless_answer_is_cut_off_at_its_size():
    def flood(connection: socket.socket, request: Request) -> None:
        _headers(connection)
        for _ in range(1000):
            connection.sendall(b"data: x\n\n" * 1000)

    with raw_server(flood) as url:
        exchange = post(url, "/", {}, b"{}", timeout=30, max_answer=100_000)
    assert exchange.problem == "the answer is larger than 100000 bytes"


def test_a_connection_closed_mid_answer_is_reported():
    def cut(connection: socket.socket, request: Request) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":")

    with raw_server(cut) as url:
        exchange = post(url, "/", {}, b"{}", timeout=5)
    assert exchange.problem == "the connection closed 89 bytes short of the declared " \
                               "Content-Length"


def test_a_chunked_answer_cut_mid_chunk_is_reported():
    def cut(connection: socket.socket, request: Request) -> None:
        _headers(connection, "Transfer-Encoding: chunked\r\n")
        connection.sendall(b"20\r\ndata: {\"only part")

    with raw_server(cut) as url:
        exchange = post(url, "/", {}, b"{}", timeout=5)
    assert exchange.problem is not None and "IncompleteRead" in exchange.problem


def test_the_raw_server_reads_the_whole_request_before_it_answers():
    seen: list[Request] = []

    def record(connection: socket.socket, request: Request) -> None:
        seen.append(request)
        connection.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")

    body = b"x" * 300_000  # more than one recv()
    with raw_server(record) as url:
        exchange = post(url, "/path", {"Content-Type": "application/json"}, body, timeout=5)
    assert exchange.problem is None and exchange.status == 204
    assert seen[0].head.startswith("POST /path HTTP/1.1") and seen[0].body == body


@pytest.mark.parametrize("url", ["ftp://host/x", "not a url", "http://:80/", "http://h:x/",
                                 "http://[::1", "http://[::1/v1", "http://h:99999/",
                                 "http://h/a b", "http://h/\x7f"])
def test_unusable_urls(url):
    with pytest.raises(UnusableURL):
        split_url(url)


@pytest.mark.parametrize("url", ["http://user:sk-secret-123@h/v1", "http://sk-secret-123@h/v1",
                                 "http://h/v1?key=sk-secret-123", "http://h/v1#sk-secret-123"])
def test_a_url_that_may_hold_a_secret_is_refused_without_quoting_it(url):
    with pytest.raises(UnusableURL) as refused:
        split_url(url)
    assert "sk-secret" not in str(refused.value)
