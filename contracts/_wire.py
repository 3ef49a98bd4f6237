"""The three wire formats: where a request goes, how a stream is asked for and framed, how a
result is wrapped and an error shaped. The mock speaks them; the contract runner checks them.

Shapes come from the providers' documents where they give them (DashScope's SSE frames,
``X-DashScope-SSE``, its error body; SiliconFlow's ``data: [DONE]``); the rest follows each
provider's general API conventions, as their official SDKs read them (Cloudflare's
``{"result", "success", "errors", "messages"}`` envelope, OpenAI's ``{"error": {...}}``).
docs/decisions.md lists which is which.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ._exemplars import words


@dataclass(frozen=True)
class Outgoing:
    """One HTTP request, as the contract runner sends it."""

    path: str  # appended to the base URL
    headers: dict[str, str]
    body: bytes
    stream: bool


@dataclass(frozen=True)
class Rejection:
    """Why a request is refused, in the provider's terms."""

    status: int
    code: str | int
    message: str
    param: str | None = None
    details: tuple[str, ...] = ()


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _pieces(text: str, count: int) -> list[str]:
    """``text`` in ``count`` pieces (fewer for a short text), split after spaces."""
    split = text.split(" ")
    size = max(1, -(-len(split) // count))
    parts = [" ".join(split[i:i + size]) for i in range(0, len(split), size)]
    return [part + " " for part in parts[:-1]] + parts[-1:]


class WireFormat:
    provider = ""
    title = ""
    # an answer may carry the wire format's usual members that the schema does not name
    # (the OpenAI-compatible document names only `object` and `finish_reason`)
    hint_adds_members = False
    wraps_result = False  # the result travels inside an envelope (Cloudflare's)
    base_path = ""  # what a base URL ends with, as the provider's SDK is configured
    endpoint_hint = ""

    def model_name(self, path: str, body: Any) -> str | None:  # path: below base_path
        raise NotImplementedError

    def handles(self, path: str) -> bool:
        raise NotImplementedError

    def wants_stream(self, headers: dict[str, str], body: Any) -> bool:
        return isinstance(body, dict) and body.get("stream") is True

    def outgoing(self, model: str, payload: Any, stream: bool, key: str,
                 account: str) -> Outgoing:
        """The request for ``payload`` as it is (see ``with_stream_flag``); ``stream`` says
        whether a stream is asked for, by the payload or by a header."""
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                   **self.stream_headers(stream)}
        return Outgoing(self.request_path(model, account), headers, _json(payload), stream)

    def request_path(self, model: str, account: str) -> str:  # below base_path
        raise NotImplementedError

    def stream_headers(self, stream: bool) -> dict[str, str]:
        return {}

    def with_stream_flag(self, payload: Any, stream: bool) -> Any:
        """The payload asking for a stream (or not), where the flag lives in the body."""
        if isinstance(payload, dict):
            return {**payload, "stream": stream}
        return payload

    def success(self, result: Any) -> bytes:
        return _json(result)

    def result(self, body: Any) -> tuple[Any, list[str]]:
        """The part the response schema describes, and what is wrong with the wrapping."""
        return body, []

    def frames(self, events: list[Any]) -> Iterator[bytes]:
        for event in events:
            yield b"data: " + _json(event) + b"\n\n"
        yield b"data: [DONE]\n\n"

    def error(self, rejection: Rejection, request_id: str) -> bytes:
        raise NotImplementedError

    def response_hint(self, model: str, payload: Any, rng: random.Random,
                      request_id: str) -> Any:
        return None

    def stream_hints(self, model: str, payload: Any, rng: random.Random,
                     request_id: str) -> list[Any]:
        return [None] * 3


class Cloudflare(WireFormat):
    provider = "cloudflare"
    title = "Cloudflare Workers AI"
    base_path = "/client/v4"
    endpoint_hint = "POST /client/v4/accounts/{account}/ai/run/{model}"
    wraps_result = True
    _marker = "/ai/run/"

    def handles(self, path: str) -> bool:
        return path.startswith("/accounts/") and self._marker in path

    def model_name(self, path: str, body: Any) -> str | None:
        return path.split(self._marker, 1)[1] or None

    def request_path(self, model: str, account: str) -> str:
        return f"/accounts/{account}/ai/run/{model}"

    def success(self, result: Any) -> bytes:
        return _json({"result": result, "success": True, "errors": [], "messages": []})

    def result(self, body: Any) -> tuple[Any, list[str]]:
        if not isinstance(body, dict) or "result" not in body:
            return None, ["the body is not Cloudflare's envelope (no `result` member)"]
        problems = [] if body.get("success") is True else ["`success` is not true"]
        return body["result"], problems

    def error(self, rejection: Rejection, request_id: str) -> bytes:
        messages = rejection.details or (rejection.message,)
        return _json({"result": None, "success": False, "messages": [],
                      "errors": [{"code": rejection.code, "message": m} for m in messages]})

    def response_hint(self, model: str, payload: Any, rng: random.Random,
                      request_id: str) -> Any:
        tokens = rng.randint(1, 60)
        return {"response": words(rng, 3, 12),
                "usage": {"prompt_tokens": 10, "completion_tokens": tokens,
                          "total_tokens": 10 + tokens}}

    def stream_hints(self, model: str, payload: Any, rng: random.Random,
                     request_id: str) -> list[Any]:
        return [{"response": piece} for piece in _pieces(words(rng, 3, 12), 3)]


class _ModelInBody(WireFormat):
    """One endpoint; the body's ``model`` member names the model."""

    _path = ""

    def handles(self, path: str) -> bool:
        return path == self._path

    def request_path(self, model: str, account: str) -> str:
        return self._path

    def model_name(self, path: str, body: Any) -> str | None:
        model = body.get("model") if isinstance(body, dict) else None
        return model if isinstance(model, str) else None


class DashScope(_ModelInBody):
    provider = "dashscope"
    title = "Alibaba DashScope"
    base_path = "/api/v1"
    endpoint_hint = "POST /api/v1/services/aigc/text-generation/generation"
    _path = "/services/aigc/text-generation/generation"

    def wants_stream(self, headers: dict[str, str], body: Any) -> bool:
        # the document: "set this parameter to enable or set Accept to text/event-stream"
        return (headers.get("x-dashscope-sse", "").lower() == "enable"
                or "text/event-stream" in headers.get("accept", ""))

    def with_stream_flag(self, payload: Any, stream: bool) -> Any:
        return payload  # a header asks for the stream, not the body

    def stream_headers(self, stream: bool) -> dict[str, str]:
        return {"X-DashScope-SSE": "enable"} if stream else {}

    def frames(self, events: list[Any]) -> Iterator[bytes]:
        for number, event in enumerate(events, 1):
            yield (f"id:{number}\nevent:result\n:HTTP_STATUS/200\ndata:".encode()
                   + _json(event) + b"\n\n")

    def error(self, rejection: Rejection, request_id: str) -> bytes:
        return _json({"code": rejection.code, "message": rejection.message,
                      "request_id": request_id})

    def _output(self, payload: Any, text: str, finish: str) -> dict[str, Any]:
        parameters = payload.get("parameters") if isinstance(payload, dict) else None
        if isinstance(parameters, dict) and parameters.get("result_format") == "message":
            return {"choices": [{"finish_reason": finish,
                                 "message": {"role": "assistant", "content": text}}]}
        return {"text": text, "finish_reason": finish}

    def response_hint(self, model: str, payload: Any, rng: random.Random,
                      request_id: str) -> Any:
        text = words(rng, 3, 12)
        return {"output": self._output(payload, text, "stop"),
                "usage": {"input_tokens": 20, "output_tokens": len(text.split())},
                "request_id": request_id}

    def stream_hints(self, model: str, payload: Any, rng: random.Random,
                     request_id: str) -> list[Any]:
        parameters = payload.get("parameters") if isinstance(payload, dict) else None
        incremental = isinstance(parameters, dict) and parameters.get("incremental_output")
        pieces, hints, so_far = _pieces(words(rng, 3, 12), 3), [], ""
        for number, piece in enumerate(pieces, 1):
            so_far += piece
            # the document's frames carry the string "null" until the last one says "stop"
            finish = "stop" if number == len(pieces) else "null"
            hints.append({"output": self._output(payload, piece if incremental else so_far,
                                                 finish),
                          "usage": {"input_tokens": 20, "output_tokens": number},
                          "request_id": request_id})
        return hints


class OpenAICompatible(_ModelInBody):
    provider = "siliconflow"
    title = "OpenAI-compatible (SiliconFlow)"
    base_path = "/v1"
    endpoint_hint = "POST /v1/chat/completions"
    _path = "/chat/completions"
    hint_adds_members = True

    def error(self, rejection: Rejection, request_id: str) -> bytes:
        # SiliconFlow's references (2025 markdown, OpenAPI page) document the bodies: a JSON
        # string for 401 and 404, `{code, message, data}` for the others
        if rejection.status == 401:
            return _json("Invalid token")
        if rejection.status == 404:
            return _json("404 page not found")
        return _json({"code": rejection.code, "message": rejection.message,
                      "data": "; ".join(rejection.details) or rejection.message})

    def _envelope(self, model: str, request_id: str, kind: str) -> dict[str, Any]:
        return {"id": request_id, "object": kind, "created": 1700000000, "model": model}

    def response_hint(self, model: str, payload: Any, rng: random.Random,
                      request_id: str) -> Any:
        text, tokens = words(rng, 3, 12), rng.randint(1, 60)
        return {**self._envelope(model, request_id, "chat.completion"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": 10, "completion_tokens": tokens,
                          "total_tokens": 10 + tokens}}

    def stream_hints(self, model: str, payload: Any, rng: random.Random,
                     request_id: str) -> list[Any]:
        pieces = _pieces(words(rng, 3, 12), 3)
        return [{**self._envelope(model, request_id, "chat.completion.chunk"),
                 "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece},
                              "finish_reason": "stop" if n == len(pieces) else None}]}
                for n, piece in enumerate(pieces, 1)]


WIRE_FORMATS: dict[str, WireFormat] = {
    wire.provider: wire for wire in (Cloudflare(), DashScope(), OpenAICompatible())}
