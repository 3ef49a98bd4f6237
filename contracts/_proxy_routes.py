"""What the validating proxy knows about a request and its answer, by the mock's own rules,
and the way to the upstream.

The proxy routes and refuses requests through the mock's front door (:class:`Door`): the same
paths name the same wire formats, and a request the mock would refuse gets the mock's refusal,
status and body, so the two can never disagree. Answers are checked as the contract runner
checks them (envelope, then the response or error schema); streams event by event, with
``validate_stream``'s rules, as the bytes pass. The way to the upstream: its URL, the one
pooled client, and which headers go on (none hop-by-hop).
"""

from __future__ import annotations

import functools
import hashlib
import http.cookiejar
from dataclasses import dataclass, field
from typing import Any

import httpx

from wirespec._exceptions import PayloadError, UnknownModelError
from wirespec.validators import _registry
from wirespec.validators._engine import check_value, compiled
from wirespec.validators._errors import ValidationError
from wirespec.validators._payload import parse_json
from wirespec.validators._sse import StreamChecker

from ._mock import MockApp, _code, _Refused, _request_id
from ._serve import ServeError
from ._wire import Rejection, WireFormat


@dataclass
class Inbound:
    """A request on one of the wire formats' endpoints, checked."""

    wire: WireFormat
    model: str  # the model's id; ``provider:name`` as sent when no document names it
    known: bool  # a document names the model: the answer is checked too
    errors: list[ValidationError] = field(default_factory=list)
    refusal: Rejection | None = None  # the mock's answer to it; None: the mock would serve it
    request_id: str = ""


class Door(MockApp):
    """The mock's front door with nothing behind it: its routing and its refusals."""

    def route(self, path: str) -> tuple[WireFormat, str] | None:
        """The wire format whose endpoint ``path`` is, and the path below its base."""
        return self._route(path)

    def inspect(self, wire: WireFormat, rest: str, raw: bytes) -> Inbound:
        request_id = _request_id(f"proxy/{hashlib.sha256(raw).hexdigest()[:16]}")
        try:
            body = parse_json(raw, origin="request body")
        except PayloadError as err:
            return Inbound(wire, _named(wire, wire.model_name(rest, None)), False,
                           [ValidationError("", "json", str(err))],
                           Rejection(400, _code(wire, "malformed"), str(err)), request_id)
        name = wire.model_name(rest, body)
        if name is None:
            return Inbound(wire, _named(wire, None), False,
                           [ValidationError("/model", "required", "the model is missing")],
                           Rejection(400, _code(wire, "malformed"), "the model is missing"),
                           request_id)
        model = _entry(f"{wire.provider}:{name}")
        if model is None:  # newer than wirespec's documents: the upstream decides
            return Inbound(wire, _named(wire, name), False, request_id=request_id)
        report = check_value(model.id, body, "request", parsed=True)
        inbound = Inbound(wire, model.id, True, report.errors, request_id=request_id)
        if not report.ok:
            inbound.refusal = self._refusal(wire, model.id, body)
        return inbound

    def _refusal(self, wire: WireFormat, model_id: str, body: Any) -> Rejection | None:
        try:
            self._check(wire, model_id, body)
        except _Refused as refused:
            return refused.rejection
        return None


def _entry(model_id: str) -> _registry.ModelEntry | None:
    """The registry's entry, or None for a model no document describes."""
    try:
        return _registry.resolve(model_id)
    except UnknownModelError:
        return None


def _named(wire: WireFormat, name: str | None) -> str:
    return f"{wire.provider}:{name if name is not None else '?'}"


class AnswerCheck:
    """An answer checked as it passes: ``feed`` each chunk, ``close`` after the last; each
    says what is wrong so far, as errors of ``kind``."""

    kind = "response"

    def feed(self, chunk: bytes) -> list[ValidationError]:
        raise NotImplementedError

    def close(self) -> list[ValidationError]:
        raise NotImplementedError


def answer_check(inbound: Inbound, status: int, content_type: str,
                 most: int) -> AnswerCheck | None:
    """How to check the answer to ``inbound``: a 2xx stream event by event, a 2xx body against
    the response schema (inside the provider's envelope), a refusal against the error schema
    where the documents give one; None when there is nothing to check it against."""
    if not inbound.known:
        return None
    entry = _entry(inbound.model)
    kinds = entry.kinds if entry is not None else {}
    if 200 <= status < 300 and content_type.startswith("text/event-stream"):
        return StreamCheck(inbound.model) if "stream" in kinds else None
    if 200 <= status < 300 and "response" in kinds:
        return WholeCheck(inbound, "response", content_type, most)
    if status >= 400 and "error" in kinds:
        return WholeCheck(inbound, "error", content_type, most)
    return None


class WholeCheck(AnswerCheck):
    """A copy of the body as it passes (up to ``most`` bytes), checked once it is whole."""

    def __init__(self, inbound: Inbound, kind: str, content_type: str, most: int) -> None:
        self.kind, self._inbound, self._content_type, self._most = (kind, inbound,
                                                                    content_type, most)
        self._chunks: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> list[ValidationError]:
        self._size += len(chunk)
        if self._size <= self._most:
            self._chunks.append(chunk)
        return []

    def close(self) -> list[ValidationError]:
        if self._size > self._most:
            return [ValidationError("", "size", f"not checked: larger than {self._most} "
                                    "bytes")]
        wrong_type = [] if self.kind == "error" or self._content_type.startswith(
            "application/json") else [ValidationError(
                "", "content-type", f"{self._content_type or 'no content type'}, not "
                "application/json")]
        return wrong_type + self._body_errors(b"".join(self._chunks))

    def _body_errors(self, body: bytes) -> list[ValidationError]:
        wire, model_id = self._inbound.wire, self._inbound.model
        try:
            value = parse_json(body, origin="the body")
        except PayloadError as err:
            return [ValidationError("", "json", str(err))]
        if self.kind == "response":
            value, wrapping = wire.result(value)
            if wire.wraps_result and wrapping:
                return [ValidationError("", "envelope", problem) for problem in wrapping]
        # the schema's verdict and errors alone: what the documents do not name (warnings)
        # is not a violation, and an answer's usual extra members would be walked each time
        return compiled(model_id, self.kind).report(value).errors


class StreamCheck(StreamChecker, AnswerCheck):
    """A streamed answer: ``validate_stream``'s rules, event by event as the bytes arrive."""

    kind = "stream"


# --- the way to the upstream: its URL, the client, what is forwarded ---------------------

# hop-by-hop (RFC 9110 7.6.1) and what the proxy sets itself for each leg (the whole body is
# read before it is forwarded: an Expect: 100-continue was the caller's to the proxy)
NOT_FORWARDED = frozenset({b"connection", b"keep-alive", b"proxy-authenticate",
                           b"proxy-authorization", b"proxy-connection", b"te", b"trailer",
                           b"trailers", b"transfer-encoding", b"upgrade", b"host",
                           b"content-length", b"accept-encoding", b"expect"})
DECODED = frozenset({"gzip", "deflate", "identity"})  # httpx always decodes these
TIMEOUT = httpx.Timeout(600.0, connect=10.0)  # an LLM may think for minutes


def upstream_url(text: str) -> str:
    """``text`` as the upstream's URL (no trailing slash), or a ServeError saying why not."""
    shown = ascii(text)[1:-1][:200]
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError) as err:
        raise ServeError(f"--upstream {shown}: not a URL ({err})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ServeError(f"--upstream {shown}: not an http:// or https:// URL with a host")
    if url.userinfo:
        raise ServeError("--upstream: a user or password in the URL would be sent to the "
                         "upstream with every request; clients send their own keys")
    if url.query or url.fragment:
        raise ServeError(f"--upstream {shown}: a query or fragment has no place here; the "
                         "client's path and query are appended")
    return str(url).rstrip("/")


def failure(err: httpx.HTTPError) -> tuple[int, str]:
    """The status (504 when it timed out, 502 otherwise) and reason for a failed exchange,
    from the cause: httpx-aiohttp names every failed connection ConnectTimeout."""
    cause = err.__cause__
    if isinstance(cause, TimeoutError):
        return 504, "timed out"
    if isinstance(cause, OSError):
        return 502, f"cannot connect ({cause.strerror or type(cause).__name__})"
    timed_out = isinstance(err, httpx.TimeoutException)
    return (504, "timed out") if timed_out else (502, type(err).__name__)


def transport() -> httpx.AsyncBaseTransport | None:
    """aiohttp's pool and parser under httpx's client (httpx-aiohttp): the client's CPU per
    request at 8 connections 0.39 ms against httpcore's 1.17, whose pool retried each request
    1.4 times (ConnectionNotAvailable); httpcore when it is not installed. The session keeps no
    cookies, reads no proxy settings or netrc, and leaves decoding to httpx."""
    try:
        import aiohttp
        from httpx_aiohttp import AiohttpTransport
    except ImportError:
        return None

    def session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     cookie_jar=aiohttp.DummyCookieJar(), trust_env=False,
                                     auto_decompress=False)
    return AiohttpTransport(client=session)


@functools.lru_cache(maxsize=1024)
def upstream_target(upstream: str, target: bytes) -> httpx.URL:
    """Parsed once per path: most traffic goes to one or two endpoints, and parsing a URL is a
    tenth of what forwarding costs httpx."""
    return httpx.URL(upstream + target.decode("latin-1"))


class NoCookies(http.cookiejar.CookieJar):
    """A jar that takes nothing: the proxy's one client serves every caller, and httpx would
    otherwise read every answer's headers for cookies through ``http.cookiejar``."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        return None


def upstream_client() -> httpx.AsyncClient:
    """The proxy's one pooled client: no cookies kept, no proxy settings or netrc read, no
    redirect followed (the caller sees it), minutes allowed for an answer."""
    return httpx.AsyncClient(transport=transport(), timeout=TIMEOUT, trust_env=False,
                             follow_redirects=False, cookies=NoCookies(),
                             limits=httpx.Limits(max_connections=None,
                                                 max_keepalive_connections=100))


def connection_tokens(headers: list[tuple[bytes, bytes]]) -> set[bytes]:
    """Header names the Connection header makes hop-by-hop."""
    return {token.strip().lower() for name, value in headers if name.lower() == b"connection"
            for token in value.split(b",")}


def request_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    dropped = NOT_FORWARDED | connection_tokens(headers)
    kept = [(name, value) for name, value in headers if name.lower() not in dropped]
    return [*kept, (b"accept-encoding", b"gzip, deflate")]


def response_headers(headers: list[tuple[bytes, bytes]],
                     decoded: bool) -> list[tuple[bytes, bytes]]:
    dropped = (NOT_FORWARDED - {b"content-length", b"accept-encoding"}) | connection_tokens(
        headers)
    if decoded and any(name.lower() == b"content-encoding" for name, _ in headers):
        dropped |= {b"content-encoding", b"content-length"}  # the client gets it decoded
    return [(name, value) for name, value in headers if name.lower() not in dropped]
