"""httpx transports that check every request against its model's contract before a byte is
sent, and every answer (each stream event) as it passes.

    import httpx, openai
    from wirespec.integrations.httpx import ValidatingTransport

    client = openai.OpenAI(base_url="https://api.siliconflow.cn/v1", api_key=...,
                           http_client=httpx.Client(transport=ValidatingTransport()))
    client.chat.completions.create(model="Qwen/Qwen2.5-7B-Instruct", messages=...,
                                   temperature=3)   # raises wirespec.RequestRejected

``AsyncValidatingTransport`` is the same for ``httpx.AsyncClient`` (``openai.AsyncOpenAI``);
``cloudflare.Cloudflare(http_client=httpx.Client(transport=...))`` works alike, but that SDK
wraps whatever a transport raises in ``cloudflare.APIConnectionError`` (after its retries:
give ``max_retries=0``); ``wirespec.integrations.rejection_of(err)`` finds the rejection.

``mode="enforce"`` raises :class:`wirespec.RequestRejected` (its ``.report`` has every error);
``mode="report"`` logs one record (logger ``wirespec``, WARNING) and sends the request. An
answer that breaks the contract is logged in both modes (nothing is raised: it has arrived)
and, like every rejected request, kept in ``transport.reports`` (the newest ``history``).
``model=`` names the model for every request of that provider's wire format (a host whose
model names wirespec does not know); otherwise the URL (Cloudflare) or the body's ``model``
says. ``wrapped`` is the transport that does the sending (``httpx.HTTPTransport()`` by
default: give your own for proxies, TLS or HTTP/2 settings, which the client no longer
applies once a transport is given).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterator

import httpx

from wirespec.validators._errors import Report

from ._answers import AnswerCheck
from ._checks import HISTORY, Guard, Mode, Routed, Target

__all__ = ["AsyncValidatingTransport", "ValidatingTransport"]


def _route(guard: Guard, request: httpx.Request) -> Routed | None:
    url = request.url
    where = f"{url.scheme}://{url.netloc.decode('ascii')}{url.path}"
    return guard.route(request.method, where, url.path, request.headers)


def _watch(guard: Guard, target: Target, response: httpx.Response) -> AnswerCheck | None:
    return guard.answer(target, response.status_code, response.headers, decoded=False)


class ValidatingTransport(httpx.BaseTransport):
    """An ``httpx.BaseTransport``: ``httpx.Client(transport=ValidatingTransport())``."""

    def __init__(self, model: str | None = None, mode: Mode = "enforce",
                 wrapped: httpx.BaseTransport | None = None, *, strict: bool = False,
                 history: int = HISTORY) -> None:
        self._guard = Guard(model, mode, strict, history)
        self._wrapped = wrapped if wrapped is not None else httpx.HTTPTransport()

    @property
    def reports(self) -> deque[Report]:
        """What broke a contract, newest last: rejected or reported requests, answers."""
        return self._guard.reports

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        routed = _route(self._guard, request)
        target = self._guard.check(routed, request.read()) if routed is not None else None
        response = self._wrapped.handle_request(request)
        check = _watch(self._guard, target, response) if target is not None else None
        if check is not None and isinstance(response.stream, httpx.SyncByteStream):
            response.stream = _CheckedStream(response.stream, check)
        return response

    def close(self) -> None:
        self._wrapped.close()


class AsyncValidatingTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport``: ``httpx.AsyncClient(transport=...)``."""

    def __init__(self, model: str | None = None, mode: Mode = "enforce",
                 wrapped: httpx.AsyncBaseTransport | None = None, *, strict: bool = False,
                 history: int = HISTORY) -> None:
        self._guard = Guard(model, mode, strict, history)
        self._wrapped = wrapped if wrapped is not None else httpx.AsyncHTTPTransport()

    @property
    def reports(self) -> deque[Report]:
        """What broke a contract, newest last: rejected or reported requests, answers."""
        return self._guard.reports

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        routed = _route(self._guard, request)
        target = self._guard.check(routed, await request.aread()) if routed is not None \
            else None
        response = await self._wrapped.handle_async_request(request)
        check = _watch(self._guard, target, response) if target is not None else None
        if check is not None and isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _AsyncCheckedStream(response.stream, check)
        return response

    async def aclose(self) -> None:
        await self._wrapped.aclose()


class _CheckedStream(httpx.SyncByteStream):
    """The answer's bytes, passed on as they come, each chunk shown to the check first."""

    def __init__(self, inner: httpx.SyncByteStream, check: AnswerCheck) -> None:
        self._inner, self._check = inner, check

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._check.feed(chunk)
            yield chunk
        self._check.finish(complete=True)

    def close(self) -> None:
        self._check.finish(complete=False)  # read to its end already, or left early
        self._inner.close()


class _AsyncCheckedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, check: AnswerCheck) -> None:
        self._inner, self._check = inner, check

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self._check.feed(chunk)
            yield chunk
        self._check.finish(complete=True)

    async def aclose(self) -> None:
        self._check.finish(complete=False)
        await self._inner.aclose()
