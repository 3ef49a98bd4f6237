"""Mock providers: an ASGI app that speaks each provider's wire format on loopback.

Every request is checked with wirespec; an invalid one gets the provider's error shape and
status, a valid one a response drawn from the model's response (or stream-event) schema
(_drawn), the same response for the same request and seed, kept once drawn (_answers).
Garbage (bad JSON, huge bodies, wrong methods, unknown paths) gets a 4xx and the server keeps
serving. *Faults* make the mock deliberately non-conforming, so that contract runs can be
shown to catch what they check. Besides: ``GET /healthz`` and each provider's model list
(_listings), and a JSON line per request to a log (_request_log).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, TextIO

from wirespec._exceptions import PayloadError, UnknownModelError
from wirespec.validators import _registry
from wirespec.validators._engine import check_value
from wirespec.validators._payload import parse_json
from wirespec.validators._tokens import tokenizer_for

from ._answers import Answer, AnswerCache, answer_key
from ._drawn import drawn_answer, drawn_stream, request_id
from ._listings import BadQuery, Listing, Listings, parse_query
from ._request_log import RequestLog, Seen
from ._routes import route
from ._wire import WIRE_FORMATS, Rejection, WireFormat

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

FAULTS = {
    "response-schema": "answers break one constraint of the response schema",
    "stream-schema": "the second stream event breaks one constraint of the stream schema",
    "not-json": "the second stream event's data is not JSON",
    "cut-stream": "the stream stops in the middle of its second event",
    "content-type": "JSON answers are sent as text/plain",
    "hang": "valid requests are never answered",
    "accept-invalid": "invalid requests are answered as if they were valid",
}
MAX_BODY = 16 * 1024 * 1024
ROUTES_KEPT = 1024  # paths whose route is remembered
_request_id = request_id  # under the name the proxy's Door imports


@dataclass(frozen=True)
class MockSettings:
    providers: tuple[str, ...] = tuple(WIRE_FORMATS)
    seed: int = 0
    faults: frozenset[str] = frozenset()
    max_body: int = MAX_BODY


class _Refused(Exception):
    def __init__(self, rejection: Rejection, allow: bytes = b"POST") -> None:
        super().__init__(rejection.message)
        self.rejection = rejection
        self.allow = allow  # the methods a 405 names


class MockApp:
    """The ASGI application (``uvicorn``, or any ASGI server, can run it). ``log`` gets a
    JSON line per request (see _request_log)."""

    def __init__(self, settings: MockSettings | None = None, log: TextIO | None = None) -> None:
        self.settings = settings or MockSettings()
        unknown = set(self.settings.faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        self.wires = [WIRE_FORMATS[p] for p in self.settings.providers]
        self.listings = Listings(self.settings.providers, self.settings.seed,
                                 self.settings.faults)
        self.answers = AnswerCache()
        self._routes: dict[str, tuple[WireFormat, str] | None] = {}
        self.log = RequestLog(log) if log is not None else None
        self.requests = 0

    def prepare(self) -> None:
        """Load what a first request would otherwise wait for, blocking the event loop: the
        vocabulary of every served model's tokenizer (the Qwen one: about 0.3 s), which
        counts budgets and usage. Idempotent."""
        tokenizers = {t.name: t for t in (tokenizer_for(e.model) for models in
                                          self.listings.models.values() for e in models)}
        for tokenizer in tokenizers.values():
            if tokenizer.exact:
                tokenizer.count("wirespec")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        self.requests += 1
        seen = Seen(scope["method"], scope["path"], time.perf_counter_ns())

        async def tracked(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen.status = message["status"]
            await send(message)

        try:
            await self._serve(scope, receive, tracked, seen, self.requests)
        finally:
            if self.log is not None:
                self.log.write(seen, time.perf_counter_ns())

    async def _serve(self, scope: Scope, receive: Receive, send: Send, seen: Seen,
                     number: int) -> None:
        listing = self.listings.find(scope["path"])
        routed = self._route(scope["path"]) if listing is None else None
        wire = routed[0] if routed is not None else listing.wire if listing else None
        if wire is None and listing is None:
            await _plain(send, 404, {"error": "no such endpoint", "endpoints": [
                w.endpoint_hint for w in self.wires] + self.listings.endpoints})
            return
        seen.provider = wire.provider if wire is not None else None
        try:
            if listing is not None:
                await self._list(listing, scope, send)
            elif routed is not None:
                await self._answer(*routed, scope, receive, send, seen)
        except _Refused as refused:
            extra = [(b"allow", refused.allow)] if refused.rejection.status == 405 else []
            body = (wire.error(refused.rejection, self._error_id(number)) if wire is not None
                    else json.dumps({"error": refused.rejection.message}).encode())
            await _respond(send, refused.rejection.status, body, extra)
        except Exception as err:  # a bug of the mock's: say so in the provider's terms
            if seen.status is not None or wire is None:
                raise
            await _respond(send, 500, wire.error(Rejection(
                500, "InternalError", f"wirespec mock: {type(err).__name__}: {err}"),
                self._error_id(number)))

    def _error_id(self, number: int) -> str:
        return _request_id(f"{self.settings.seed}/request {number}")

    def _route(self, path: str) -> tuple[WireFormat, str] | None:
        if path in self._routes:
            return self._routes[path]
        found = route(path, self.wires)
        if len(self._routes) < ROUTES_KEPT:  # paths are the clients' to choose: a bound
            self._routes[path] = found
        return found

    async def _list(self, listing: Listing, scope: Scope, send: Send) -> None:
        wire = listing.wire
        if scope["method"] not in ("GET", "HEAD"):
            raise _Refused(Rejection(405, _code(wire, "method") if wire else 405,
                                     f"{scope['method']} is not allowed here; use GET"),
                           allow=b"GET, HEAD")
        if wire is not None and not _bearer_token(_header(scope, b"authorization")):
            raise _Refused(Rejection(401, _code(wire, "auth"), "Invalid API-key provided."))
        try:
            body = listing.answer(parse_query(scope["query_string"]))
        except BadQuery as err:
            code = _code(wire, "malformed") if wire is not None else 400
            raise _Refused(Rejection(400, code, str(err))) from None
        await _respond(send, 200, body)

    async def _answer(self, wire: WireFormat, rest: str, scope: Scope, receive: Receive,
                      send: Send, seen: Seen) -> None:
        if scope["method"] != "POST":
            raise _Refused(Rejection(405, _code(wire, "method"), f"{scope['method']} is not "
                                     "allowed here; use POST"))
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope["headers"]}
        if not _bearer_token(headers.get("authorization", "")):
            raise _Refused(Rejection(401, _code(wire, "auth"), "Invalid API-key provided."))
        raw = await self._body(wire, headers, receive)
        # the body says the rest; only DashScope asks for a stream in a header (the check
        # without a body reads the headers alone)
        key = answer_key(wire.provider, rest, "sse" if wire.wants_stream(headers, None) else "",
                         self.settings.seed, raw)
        answer = self.answers.get(key)
        if answer is None:
            answer = await self._fresh(wire, rest, headers, receive, raw, seen)
            if answer is None:
                return
            self.answers.put(key, answer)
        seen.model, seen.stream = answer.model, answer.frames is not None
        seen.valid, seen.errors = answer.errors == 0, answer.errors
        await _send_answer(send, answer)

    async def _fresh(self, wire: WireFormat, rest: str, headers: dict[str, str],
                     receive: Receive, raw: bytes, seen: Seen) -> Answer | None:
        """The answer drawn for a request not answered before; None when the hang fault
        kept it unanswered."""
        try:
            body = parse_json(raw, origin="request body")
        except PayloadError as err:
            raise _Refused(Rejection(400, _code(wire, "malformed"), str(err))) from None
        name = wire.model_name(rest, body)
        if name is None:
            raise _Refused(Rejection(400, _code(wire, "malformed"), "the model is missing"))
        seen.model = name
        try:
            model = _registry.resolve(f"{wire.provider}:{name}")
        except UnknownModelError:
            raise _Refused(Rejection(_NO_MODEL_STATUS.get(wire.provider, 400),
                                     _code(wire, "model"), f"No such model {name}")) from None
        seen.model = model.id
        try:
            errors = self._check(wire, model.id, body)
        except _Refused as refused:
            seen.valid, seen.errors = False, len(refused.rejection.details)
            raise
        stream = wire.wants_stream(headers, body) and "stream" in model.kinds
        seen.valid, seen.errors, seen.stream = errors == 0, errors, stream
        if "hang" in self.settings.faults:
            await _wait_for_disconnect(receive)
            return None
        seed = f"{self.settings.seed}/{hashlib.sha256(raw).hexdigest()[:16]}/{stream}"
        draw = drawn_stream if stream else drawn_answer
        return draw(wire, model, body, seed, errors, self.settings.faults)

    async def _body(self, wire: WireFormat, headers: dict[str, str], receive: Receive) -> bytes:
        limit = self.settings.max_body
        too_large = Rejection(413, _code(wire, "size"), f"Request is too large (over "
                              f"{limit} bytes)")
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _Refused(too_large)
        message = await receive()
        if message["type"] == "http.request" and not message.get("more_body", False):
            whole: bytes = message.get("body", b"")  # the usual request: in one piece
            if len(whole) > limit:
                raise _Refused(too_large)
            return whole
        chunks, size = [], 0
        while True:
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _Refused(too_large)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
            message = await receive()
        return b"".join(chunks)

    def _check(self, wire: WireFormat, model_id: str, body: Any) -> int:
        """How many constraints the request breaks: 0, or more when the accept-invalid fault
        answers anyway; otherwise an invalid request is refused."""
        report = check_value(model_id, body, "request")
        if report.ok or "accept-invalid" in self.settings.faults:
            return len(report.errors)
        details = tuple(f"{e.pointer or '/'}: {e.message}" + (f" [{e.where()}]" if e.source
                                                               else "")
                        for e in report.errors)
        first = report.errors[0]
        raise _Refused(Rejection(400, _code(wire, "invalid"), "; ".join(details[:3]) + (
            f" (and {len(details) - 3} more)" if len(details) > 3 else ""),
            param=first.pointer, details=details))

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.prepare()  # before the server accepts: no request waits for it
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


# Error codes: DashScope's and Cloudflare's published tables; SiliconFlow's documented example.
_CODES: dict[str, dict[str, str | int]] = {
    "dashscope": {"method": "InvalidURL", "auth": "InvalidApiKey", "malformed": "InvalidParameter",
                  "model": "InvalidParameter", "invalid": "InvalidParameter",
                  "size": "InvalidParameter"},
    "cloudflare": {"method": 3003, "auth": 10000, "malformed": 3003, "model": 5007,
                   "invalid": 5006, "size": 3006},
    # the documents' one example code (20012, a 400); 401 and 404 bodies are strings
    "siliconflow": {"method": 20012, "auth": "Invalid token", "malformed": 20012,
                    "model": 20012, "invalid": 20012, "size": 20012},
}
_NO_MODEL_STATUS: dict[str, int] = {}


def _bearer_token(authorization: str) -> str | None:
    """The token of ``Bearer <token>`` (the scheme in any case, as RFC 9110 has it); None for
    another scheme, or no token."""
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(c.isspace() for c in token):
        return None
    return token


def _code(wire: WireFormat, what: str) -> str | int:
    return _CODES[wire.provider][what]


async def _respond(send: Send, status: int, body: bytes,
                   extra: list[tuple[bytes, bytes]] | None = None,
                   content_type: bytes | None = None) -> None:
    headers = [(b"content-type", content_type or b"application/json"),
               (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_answer(send: Send, answer: Answer) -> None:
    await send({"type": "http.response.start", "status": answer.status,
                "headers": answer.headers})
    if answer.frames is None:
        await send({"type": "http.response.body", "body": answer.body})
        return
    last = len(answer.frames) - 1
    for number, frame in enumerate(answer.frames):  # an event a chunk, the last one ends it
        await send({"type": "http.response.body", "body": frame, "more_body": number < last})
    if last < 0:
        await send({"type": "http.response.body", "body": b""})


def _header(scope: Scope, name: bytes) -> str:
    """The last value of header ``name`` (lower case), or an empty string."""
    found = [value for key, value in scope["headers"] if key.lower() == name]
    return found[-1].decode("latin-1") if found else ""


async def _plain(send: Send, status: int, value: Any) -> None:
    await _respond(send, status, json.dumps(value).encode())


async def _wait_for_disconnect(receive: Receive, limit: float = 3600.0) -> None:
    try:
        async with asyncio.timeout(limit):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        pass
