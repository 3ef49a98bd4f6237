"""One HTTP request and its whole answer, within a bounded time.

The standard library's client, so that every wait is under our control: the socket's timeout
bounds each read, and a deadline bounds the whole exchange, so a server that hangs, or
trickles a byte at a time, gives a verdict instead of a stuck CI job.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

_READ = 65536
MAX_ANSWER = 64 * 1024 * 1024  # a server that never stops sending is stopped here


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
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnusableURL(f"{url!r} is not an http(s) URL")
    try:
        port = parts.port
    except ValueError:
        raise UnusableURL(f"{url!r} has an unusable port") from None
    return parts.scheme, parts.hostname, port, parts.path.rstrip("/")


def post(url: str, path: str, headers: dict[str, str], body: bytes, timeout: float,
         max_answer: int = MAX_ANSWER) -> Exchange:
    """POST ``body`` to ``url`` + ``path``; everything read within ``timeout`` seconds, and
    no more than ``max_answer`` bytes."""
    scheme, host, port, base = split_url(url)
    started = time.monotonic()
    deadline = started + timeout
    exchange = Exchange()
    kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    connection = kind(host, port, timeout=timeout)
    try:
        connection.connect()
        exchange.connected = True
        connection.request("POST", base + path, body=body, headers=headers)
        response = connection.getresponse()
        exchange.status = response.status
        exchange.content_type = response.getheader("content-type", "")
        size = 0
        while True:
            if size > max_answer:
                exchange.problem = f"the answer is larger than {max_answer} bytes"
                break
            if time.monotonic() > deadline:
                exchange.problem = f"the answer did not finish within {timeout:g} s"
                break
            if connection.sock is not None:  # never wait past the deadline
                connection.sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = response.read1(_READ)
            if not chunk:
                if response.length:  # read1 does not raise for a short body: say so
                    exchange.problem = (f"the connection closed {response.length} bytes "
                                        "short of the declared Content-Length")
                break
            exchange.chunks.append(chunk)
            size += len(chunk)
    except TimeoutError:
        exchange.problem = f"no answer within {timeout:g} s"
    except (OSError, http.client.HTTPException) as err:
        exchange.problem = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    finally:
        connection.close()
        exchange.seconds = time.monotonic() - started
    return exchange
