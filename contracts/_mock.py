"""Mock providers: an ASGI app that speaks each provider's wire format on loopback.

Every request is checked with wirespec; an invalid one gets the provider's error shape and
status, a valid one a response drawn from the model's response (or stream-event) schema,
the same response for the same request and seed. Garbage (bad JSON, huge bodies, wrong
methods, unknown paths) gets a 4xx and the server keeps serving. *Faults* make the mock
deliberately non-conforming, so that contract runs can be shown to catch what they check.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from wirespec._exceptions import PayloadError, UnknownModelError
from wirespec.fuzzing._mutations import apply, sites
from wirespec.validators import _registry
from wirespec.validators._engine import check_value, compiled
from wirespec.validators._payload import parse_json

from ._exemplars import exemplar, named_only
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
_SSE_HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8"),
                (b"cache-control", b"no-cache")]


@dataclass(frozen=True)
class MockSettings:
    providers: tuple[str, ...] = tuple(WIRE_FORMATS)
    seed: int = 0
    faults: frozenset[str] = frozenset()
    max_body: int = MAX_BODY


class _Refused(Exception):
    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.message)
        self.rejection = rejection


class MockApp:
    """The ASGI application (``uvicorn``, or any ASGI server, can run it)."""

    def __init__(self, settings: MockSettings | None = None) -> None:
        self.settings = settings or MockSettings()
        unknown = set(self.settings.faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        self.wires = [WIRE_FORMATS[p] for p in self.settings.providers]
        self.requests = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        self.requests += 1
        routed = self._route(scope["path"])
        if routed is None:
            await _plain(send, 404, {"error": "no such endpoint", "endpoints": [
                w.endpoint_hint for w in self.wires]})
            return
        wire, rest = routed
        request_id = _request_id(f"{self.settings.seed}/request {self.requests}")
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self._answer(wire, rest, scope, receive, tracked, request_id)
        except _Refused as refused:
            extra = [(b"allow", b"POST")] if refused.rejection.status == 405 else []
            await _respond(send, refused.rejection.status,
                           wire.error(refused.rejection, request_id), extra)
        except Exception as err:  # a bug of the mock's: say so in the provider's terms
            if started:
                raise
            await _respond(send, 500, wire.error(Rejection(
                500, "InternalError", f"wirespec mock: {type(err).__name__}: {err}"),
                request_id))

    def _route(self, path: str) -> tuple[WireFormat, str] | None:
        for wire in self.wires:
            for prefix in (wire.base_path, ""):  # Cloudflare's paths work with or without
                if path.startswith(prefix) and wire.handles(path[len(prefix):]):
                    return wire, path[len(prefix):]
        return None

    async def _answer(self, wire: WireFormat, rest: str, scope: Scope, receive: Receive,
                      send: Send, request_id: str) -> None:
        if scope["method"] != "POST":
            raise _Refused(Rejection(405, _code(wire, "method"), f"{scope['method']} is not "
                                     "allowed here; use POST"))
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope["headers"]}
        if not _bearer_token(headers.get("authorization", "")):
            raise _Refused(Rejection(401, _code(wire, "auth"), "Invalid API-key provided."))
        raw = await self._body(wire, headers, receive)
        try:
            body = parse_json(raw, origin="request body")
        except PayloadError as err:
            raise _Refused(Rejection(400, _code(wire, "malformed"), str(err))) from None
        name = wire.model_name(rest, body)
        if name is None:
            raise _Refused(Rejection(400, _code(wire, "malformed"), "the model is missing"))
        try:
            model = _registry.resolve(f"{wire.provider}:{name}")
        except UnknownModelError:
            raise _Refused(Rejection(_NO_MODEL_STATUS.get(wire.provider, 400),
                                     _code(wire, "model"), f"No such model {name}")) from None
        self._check(wire, model.id, body)
        stream = wire.wants_stream(headers, body) and "stream" in model.kinds
        seed = f"{self.settings.seed}/{hashlib.sha256(raw).hexdigest()[:16]}/{stream}"
        request_id = _request_id(seed)  # the same request gets the same answer
        if "hang" in self.settings.faults:
            await _wait_for_disconnect(receive)
            return
        rng = random.Random(seed)
        if stream:
            hints = wire.stream_hints(model.model, body, rng, request_id)
            events = [_drawn_answer(wire, model.id, "stream", f"{seed}/{n}", hint)
                      for n, hint in enumerate(hints)]
            await self._stream(wire, model.id, events, send)
            return
        result = _drawn_answer(wire, model.id, "response", seed,
                               wire.response_hint(model.model, body, rng, request_id))
        if "response-schema" in self.settings.faults:
            result = _broken(compiled(model.id, "response"), result)
        kind = b"text/plain" if "content-type" in self.settings.faults else None
        await _respond(send, 200, wire.success(result), content_type=kind)

    async def _body(self, wire: WireFormat, headers: dict[str, str], receive: Receive) -> bytes:
        limit = self.settings.max_body
        too_large = Rejection(413, _code(wire, "size"), f"Request is too large (over "
                              f"{limit} bytes)")
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _Refused(too_large)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _Refused(too_large)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _check(self, wire: WireFormat, model_id: str, body: Any) -> None:
        report = check_value(model_id, body, "request")
        if report.ok or "accept-invalid" in self.settings.faults:
            return
        details = tuple(f"{e.pointer or '/'}: {e.message}" + (f" [{e.where()}]" if e.source
                                                               else "")
                        for e in report.errors)
        first = report.errors[0]
        raise _Refused(Rejection(400, _code(wire, "invalid"), "; ".join(details[:3]) + (
            f" (and {len(details) - 3} more)" if len(details) > 3 else ""),
            param=first.pointer, details=details))

    async def _stream(self, wire: WireFormat, model_id: str, events: list[Any],
                      send: Send) -> None:
        faults = self.settings.faults
        if "stream-schema" in faults and len(events) > 1:
            events[1] = _broken(compiled(model_id, "stream"), events[1])
        frames = list(wire.frames(events))
        if "not-json" in faults and len(frames) > 1:
            frames[1] = b"data: {not json\n\n"
        if "cut-stream" in faults and len(frames) > 1:
            frames = [frames[0], frames[1][:len(frames[1]) // 2]]
        await send({"type": "http.response.start", "status": 200, "headers": _SSE_HEADERS})
        for frame in frames:
            await send({"type": "http.response.body", "body": frame, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


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


def _request_id(seed: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(seed.encode()).digest()[:16]))


def _code(wire: WireFormat, what: str) -> str | int:
    return _CODES[wire.provider][what]


def _drawn_answer(wire: WireFormat, model_id: str, kind: str, seed: str, hint: Any) -> Any:
    engine = compiled(model_id, kind)
    return exemplar(engine, seed, hint if wire.hint_adds_members else named_only(
        hint, engine.schema))


def _broken(engine: Any, value: Any) -> Any:
    """``value`` with one of its schema's constraints broken (the faults' doing): the
    deepest one, as a real provider's slip would be, not the whole body."""
    for site in sorted(sites(engine.schema, value), key=lambda s: -s.pointer.count("/")):
        changed = apply(value, site)
        if not engine.is_valid(changed):
            return changed
    return ["wirespec fault: not the documented shape"]


async def _respond(send: Send, status: int, body: bytes,
                   extra: list[tuple[bytes, bytes]] | None = None,
                   content_type: bytes | None = None) -> None:
    headers = [(b"content-type", content_type or b"application/json"),
               (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _plain(send: Send, status: int, value: Any) -> None:
    await _respond(send, status, json.dumps(value).encode())


async def _wait_for_disconnect(receive: Receive, limit: float = 3600.0) -> None:
    try:
        async with asyncio.timeout(limit):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        pass


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
