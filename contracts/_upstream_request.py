"""What a request to the upstream is made of: where it goes (:class:`Origin`), the TLS it
speaks, its head as bytes, and the one error the pool raises (:class:`UpstreamError`)."""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass

_NOT_TOKEN_SAFE = re.compile(rb"[^\x21-\x7e]")


class UpstreamError(Exception):
    """The upstream did not answer, or its answer broke off: ``status`` is what the proxy
    answers in its place (504 when it timed out, 502 otherwise)."""

    def __init__(self, reason: str, status: int = 502) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


@dataclass(frozen=True)
class Origin:
    """Where the connections go: ``scheme://host:port``, and the prefix of every target."""

    scheme: str
    host: str  # as connected to (an IPv6 address without brackets)
    port: int
    authority: bytes  # the Host header
    prefix: bytes  # the upstream URL's path, before the caller's own

    def target(self, raw: bytes) -> bytes:
        """The request target as sent upstream (bytes HTTP does not allow there escaped)."""
        target = self.prefix + raw
        if _NOT_TOKEN_SAFE.search(target):
            target = _NOT_TOKEN_SAFE.sub(lambda found: b"%%%02X" % found[0][0], target)
        return target


def tls_context() -> ssl.SSLContext:
    """The system's certificates, the host name checked, HTTP/1.1 offered (as aiohttp)."""
    context = ssl.create_default_context()
    context.set_alpn_protocols(["http/1.1"])
    return context


def request_head(method: bytes, target: bytes, authority: bytes, headers: list[tuple[bytes, bytes]],
          body: bytes) -> bytes:
    """The request's head: the caller's headers as they are (the caller leaves out Host,
    Content-Length and Transfer-Encoding), the upstream's Host and the body's length."""
    lines = [method, b" ", target, b" HTTP/1.1\r\nhost: ", authority, b"\r\n"]
    for name, value in headers:
        lines += [name, b": ", value, b"\r\n"]
    length = bool(body) or method in (b"POST", b"PUT", b"PATCH")
    if length:
        lines += [b"content-length: ", b"%d" % len(body), b"\r\n"]
    lines.append(b"\r\n")
    head = b"".join(lines)
    breaks = 3 + len(headers) + length  # one a line: a header's own would split it
    if head.count(b"\n") != breaks or head.count(b"\r") != breaks:
        raise UpstreamError("a header carries a line break")  # never from an HTTP server
    return head
