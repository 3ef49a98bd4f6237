"""A valid request's answer, drawn: the wire format's usual shape (its hint) made to fit the
model's response or stream-event schema, ``usage`` counted (_usage), the faults applied, and
the whole kept as the bytes that go out (an :class:`~._answers.Answer`).

Everything is a function of the request and the seed string: the request id, the hint's
random choices and the draw.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from typing import Any

from wirespec.fuzzing._mutations import apply, sites
from wirespec.validators._engine import compiled
from wirespec.validators._registry import ModelEntry

from ._answers import Answer
from ._exemplars import exemplar, named_only
from ._usage import UsageCounter
from ._wire import WireFormat

SSE_HEADERS = ((b"content-type", b"text/event-stream; charset=utf-8"),
               (b"cache-control", b"no-cache"))


def request_id(seed: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(seed.encode()).digest()[:16]))


def drawn_answer(wire: WireFormat, model: ModelEntry, body: Any, seed: str, errors: int,
                 faults: frozenset[str]) -> Answer:
    engine = compiled(model.id, "response")
    hint = wire.response_hint(model.model, body, random.Random(seed), request_id(seed))
    usage = UsageCounter(wire.provider, model.model, body)
    result = usage.answer(engine, _drawn(wire, engine, seed, hint))
    if "response-schema" in faults:
        result = broken(engine, result)
    data = wire.success(result)
    kind = b"text/plain" if "content-type" in faults else b"application/json"
    return Answer(200, ((b"content-type", kind), (b"content-length", str(len(data)).encode())),
                  data, None, model.id, errors)


def drawn_stream(wire: WireFormat, model: ModelEntry, body: Any, seed: str, errors: int,
                 faults: frozenset[str]) -> Answer:
    engine = compiled(model.id, "stream")
    hints = wire.stream_hints(model.model, body, random.Random(seed), request_id(seed))
    usage = UsageCounter(wire.provider, model.model, body)
    events = usage.stream(engine, [_drawn(wire, engine, f"{seed}/{n}", hint)
                                   for n, hint in enumerate(hints)])
    if "stream-schema" in faults and len(events) > 1:
        events[1] = broken(engine, events[1])
    frames = list(wire.frames(events))
    if "not-json" in faults and len(frames) > 1:
        frames[1] = b"data: {not json\n\n"
    if "cut-stream" in faults and len(frames) > 1:
        frames = [frames[0], frames[1][:len(frames[1]) // 2]]
    return Answer(200, SSE_HEADERS, b"", tuple(frames), model.id, errors)


def _drawn(wire: WireFormat, engine: Any, seed: str, hint: Any) -> Any:
    fitted = hint if wire.hint_adds_members else named_only(hint, engine.schema)
    # a hint the schema accepts is what exemplar()'s first attempt returns (a copy of it):
    # the compiled schema says so in microseconds, the draw's own walk takes a hundred
    if isinstance(fitted, dict) and engine.is_valid(fitted):
        return fitted
    return exemplar(engine, seed, fitted)


def broken(engine: Any, value: Any) -> Any:
    """``value`` with one of its schema's constraints broken (the faults' doing): the
    deepest one, as a real provider's slip would be, not the whole body."""
    for site in sorted(sites(engine.schema, value), key=lambda s: -s.pointer.count("/")):
        changed = apply(value, site)
        if not engine.is_valid(changed):
            return changed
    return ["wirespec fault: not the documented shape"]
