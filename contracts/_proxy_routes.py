"""What the validating proxy knows about a request and its answer, by the mock's own rules,
and the way to the upstream.

The proxy routes and refuses requests through the mock's front door (:class:`Door`): the same
paths name the same wire formats, and a request the mock would refuse gets the mock's refusal,
status and body, so the two can never disagree. Answers are checked as the contract runner
checks them (envelope, then the response or error schema); streams event by event, with
``validate_stream``'s rules, as the bytes pass. The way to the upstream: its URL, where the
pool connects, and which headers go on (none hop-by-hop).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any

import httpx

from wirespec._exceptions import PayloadError, UnknownModelError
from wirespec.validators import _registry
from wirespec.validators._engine import check_value, compiled
from wirespec.validators._errors import ValidationError
from wirespec.validators._payload import parse_json_fast
from wirespec.validators._sse import StreamChecker

from ._mock import MockApp, _code, _Refused, _request_id
from ._serve import ServeError
from ._upstream_request import Origin
from ._wire import Rejection, WireFormat


@dataclass
class Inbound:
    """A request on one of the wire formats' endpoints, checked."""

    wire: WireFormat
    model: str  # the model's id; ``provider:name`` as sent when no document names it
    raw: bytes = field(repr=False)  # the body as sent
    errors: list[ValidationError] = field(default_factory=list)
    refusal: Rejection | None = None  # the mock's answer to it; None: the mock would serve it
    entry: _registry.ModelEntry | None = None  # the document's model: the answer is checked

    @property
    def known(self) -> bool:
        """A document names the model."""
        return self.entry is not None

    @functools.cached_property
    def request_id(self) -> str:
        """The id an error body from the proxy carries (only those need it)."""
        return _request_id(f"proxy/{hashlib.sha256(self.raw).hexdigest()[:16]}")


class Door(MockApp):
    """The mock's front door with nothing behind it: its routing and its refusals."""

    def route(self, path: str) -> tuple[WireFormat, str] | None:
        """The wire format whose endpoint ``path`` is, and the path below its base."""
        return self._route(path)

    def inspect(self, wire: WireFormat, rest: str, raw: bytes) -> Inbound:
        try:
            body = parse_json_fast(raw, origin="request body")
        except PayloadError as err:
            return Inbound(wire, _named(wire, wire.model_name(rest, None)), raw,
                           [ValidationError("", "json", str(err))],
                           Rejection(400, _code(wire, "malformed"), str(err)))
        name = wire.model_name(rest, body)
        if name is None:
            return Inbound(wire, _named(wire, None), raw,
                           [ValidationError("/model", "required", "the model is missing")],
                           Rejection(400, _code(wire, "malformed"), "the model is missing"))
        model = _entry(f"{wire.provider}:{name}")
        if model is None:  # newer than wirespec's documents: the upstream decides
            return Inbound(wire, _named(wire, name), raw)
        report = check_value(model.id, body, "request", parsed=True)
        inbound = Inbound(wire, model.id, raw, report.errors, entry=model)
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
    if inbound.entry is None:
        return None
    kinds = inbound.entry.kinds
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
            value = parse_json_fast(body, origin="the body")
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


# --- the way to the upstream: its URL, what is forwarded ---------------------------------

# hop-by-hop (RFC 9110 7.6.1) and what the proxy sets itself for each leg (the whole body is
# read before it is forwarded: an Expect: 100-continue was the caller's to the proxy)
NOT_FORWARDED = frozenset({b"connection", b"keep-alive", b"proxy-authenticate",
                           b"proxy-authorization", b"proxy-connection", b"te", b"trailer",
                           b"trailers", b"transfer-encoding", b"upgrade", b"host",
                           b"content-length", b"accept-encoding", b"expect"})
_NOT_PASSED_BACK = NOT_FORWARDED - {b"content-length", b"accept-encoding"}
_NOT_PASSED_DECODED = _NOT_PASSED_BACK | {b"content-encoding", b"content-length"}
DECODED = frozenset({b"gzip", b"deflate", b"identity"})  # what the proxy asks for and undoes


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


def upstream_origin(upstream: str) -> Origin:
    """Where the pool connects for ``upstream`` (as :func:`upstream_url` gives it)."""
    url = httpx.URL(upstream)
    port = url.port or (443 if url.scheme == "https" else 80)
    return Origin(url.scheme, url.raw_host.decode("ascii"), port, url.netloc,
                  url.raw_path.rstrip(b"/"))


def connection_tokens(headers: list[tuple[bytes, bytes]]) -> set[bytes]:
    """Header names the Connection header makes hop-by-hop."""
    return {token.strip().lower() for name, value in headers if name.lower() == b"connection"
            for token in value.split(b",")}


def _passed(headers: list[tuple[bytes, bytes]],
            dropped: frozenset[bytes]) -> list[tuple[bytes, bytes]]:
    """``headers`` (names lowercased) less ``dropped`` and what Connection names."""
    kept = [(name, value) for name, value in headers if name not in dropped]
    if len(kept) < len(headers) and b"connection" in dropped and any(
            name == b"connection" for name, _ in headers):
        tokens = connection_tokens(headers)
        kept = [(name, value) for name, value in kept if name not in tokens]
    return kept


def request_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The caller's headers that go on (an ASGI server gives their names lowercased)."""
    kept = _passed(headers, NOT_FORWARDED)
    kept.append((b"accept-encoding", b"gzip, deflate"))
    return kept


def response_headers(headers: list[tuple[bytes, bytes]],
                     decoded: bool) -> list[tuple[bytes, bytes]]:
    """The upstream's headers that go on (``headers`` with their names lowercased);
    ``decoded``: the body came encoded and goes on decoded, without its coding and length."""
    return _passed(headers, _NOT_PASSED_DECODED if decoded else _NOT_PASSED_BACK)
