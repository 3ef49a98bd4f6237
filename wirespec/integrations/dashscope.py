"""The dashscope SDK's requests checked against their contracts, as the httpx transports do.

    import dashscope
    from wirespec.integrations import dashscope as wirespec_dashscope

    wirespec_dashscope.install()          # every call through the SDK's shared session
    dashscope.Generation.call(model="qwen1.5-72b-chat", messages=..., top_p=1.5,
                              api_key=...)  # raises wirespec.RequestRejected, nothing sent
    wirespec_dashscope.uninstall()

    with wirespec_dashscope.installed(mode="report") as hook:   # the same, for a block
        ...
    hook.reports                          # what broke a contract, newest last

    dashscope.Generation.call(..., session=wirespec_dashscope.session())   # one call

The hook is a requests transport adapter (``ValidatingAdapter``) wrapping the one the SDK
mounted, so it sees exactly the bytes the SDK sends, after the SDK has placed each argument
in ``input`` or ``parameters`` (which is what the contract describes), and the answer's
bytes, decompressed, as the SDK reads them (a stream event by event). ``install`` has the
SDK's shared session made anew with it (and ``uninstall`` without): a session the SDK
recreates later (``close_shared_sync_session``) has it too. The SDK's ``AioGeneration``
(aiohttp) is not covered.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Literal, cast, overload
from urllib.parse import unquote, urlsplit

import requests
import requests.utils
from requests.adapters import BaseAdapter, HTTPAdapter

from wirespec._exceptions import WirespecError
from wirespec.validators._errors import Report

from ._answers import AnswerCheck
from ._checks import HISTORY, Guard, Mode

__all__ = ["ValidatingAdapter", "install", "installed", "session", "uninstall"]


class ValidatingAdapter(BaseAdapter):
    """A requests transport adapter: ``session.mount("https://", ValidatingAdapter())``."""

    def __init__(self, model: str | None = None, mode: Mode = "enforce",
                 wrapped: BaseAdapter | None = None, *, strict: bool = False,
                 history: int = HISTORY) -> None:
        super().__init__()
        self.guard = Guard(model, mode, strict, history)
        self.wrapped = wrapped if wrapped is not None else HTTPAdapter()

    @property
    def reports(self) -> deque[Report]:
        """What broke a contract, newest last: rejected or reported requests, answers."""
        return self.guard.reports

    def sharing(self, wrapped: BaseAdapter) -> ValidatingAdapter:
        """Another adapter around ``wrapped`` with this one's settings and reports."""
        twin = ValidatingAdapter(wrapped=wrapped)
        twin.guard = self.guard
        return twin

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: dict[str, str] | None = None) -> requests.Response:
        parts = urlsplit(request.url or "")
        path = unquote(parts.path)
        where = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{path}"
        headers = {name: value.decode("latin-1") if isinstance(value, bytes) else value
                   for name, value in request.headers.items()}
        routed = self.guard.route(request.method or "GET", where, path, headers)
        target = self.guard.check(routed, _body(request)) if routed is not None else None
        response = self.wrapped.send(request, stream=stream, timeout=timeout, verify=verify,
                                     cert=cert, proxies=proxies)
        check = self.guard.answer(target, response.status_code, response.headers,
                                  decoded=True) if target is not None else None
        if check is not None:
            response.__class__ = _CheckedResponse
            cast(_CheckedResponse, response).wirespec_check = check
        return response

    def close(self) -> None:
        self.wrapped.close()


def _body(request: requests.PreparedRequest) -> bytes | None:
    body = request.body
    if body is None or isinstance(body, bytes):
        return body or b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return None  # a file or generator: reading it would take it from the request


class _CheckedResponse(requests.Response):
    """A response whose body, read in any way (``content``, ``iter_lines``), is shown to
    the check as it is read."""

    wirespec_check: AnswerCheck

    @overload
    def iter_content(self, chunk_size: int | None = 1,
                     decode_unicode: Literal[False] = False) -> Iterator[bytes]: ...
    @overload
    def iter_content(self, chunk_size: int | None = 1, *,
                     decode_unicode: Literal[True]) -> Iterator[str | bytes]: ...
    def iter_content(self, chunk_size: int | None = 1,
                     decode_unicode: bool = False) -> Iterator[str | bytes]:
        check = self.wirespec_check
        if check.done:  # read already: replayed from what requests keeps
            return super().iter_content(chunk_size, decode_unicode=True) if decode_unicode \
                else super().iter_content(chunk_size)
        chunks = _fed(super().iter_content(chunk_size), check)
        if decode_unicode:
            return requests.utils.stream_decode_response_unicode(chunks, self)
        return chunks


def _fed(chunks: Iterator[bytes], check: AnswerCheck) -> Iterator[bytes]:
    complete = False
    try:
        for chunk in chunks:
            check.feed(chunk)
            yield chunk
        complete = True
    finally:
        check.finish(complete)


def session(model: str | None = None, mode: Mode = "enforce", *, strict: bool = False,
            history: int = HISTORY) -> requests.Session:
    """A requests session whose every request is checked: ``session=`` of a dashscope call.
    Its adapter (for ``.reports``) is ``session.get_adapter("https://")``."""
    checked = requests.Session()
    adapter = ValidatingAdapter(model, mode, strict=strict, history=history)
    checked.mount("http://", adapter)
    checked.mount("https://", adapter)
    return checked


_HOOK_NAMES = ("_create_shared_sync_session", "close_shared_sync_session")
_installed: dict[str, Any] = {}  # while installed: the SDK's factory, and the adapter


def _sdk_http() -> Any:
    """The SDK's HTTP module (the names this hook uses are private: checked, not assumed)."""
    try:
        from dashscope.api_entities import http_request
    except ImportError:
        raise WirespecError("wirespec.integrations.dashscope needs the dashscope SDK: "
                            "pip install dashscope") from None
    if not all(callable(getattr(http_request, name, None)) for name in _HOOK_NAMES):
        raise WirespecError("this dashscope SDK has no shared session to hook; pass "
                            "session=wirespec.integrations.dashscope.session() to each call")
    return http_request


def install(model: str | None = None, mode: Mode = "enforce", *, strict: bool = False,
            history: int = HISTORY) -> ValidatingAdapter:
    """Check every request the dashscope SDK makes through its shared session, from now on
    (installing again replaces the settings). Returns the adapter (``.reports``)."""
    module = _sdk_http()
    uninstall()
    factory: Callable[[], requests.Session] = module._create_shared_sync_session
    adapter = ValidatingAdapter(model, mode, strict=strict, history=history)

    def checked_session() -> requests.Session:
        made = factory()
        for prefix in ("http://", "https://"):
            made.mount(prefix, adapter.sharing(made.get_adapter(prefix)))
        return made

    _installed.update(factory=factory, adapter=adapter)
    module._create_shared_sync_session = checked_session
    module.close_shared_sync_session()  # the next call makes its session with the hook
    return adapter


def uninstall() -> None:
    """The SDK as it was (its next call makes a session without the hook)."""
    if not _installed:
        return
    module = _sdk_http()
    module._create_shared_sync_session = _installed["factory"]
    _installed.clear()
    module.close_shared_sync_session()


@contextlib.contextmanager
def installed(model: str | None = None, mode: Mode = "enforce", *, strict: bool = False,
              history: int = HISTORY) -> Iterator[ValidatingAdapter]:
    """:func:`install` for a block; uninstalled at its end, however it ends."""
    adapter = install(model, mode, strict=strict, history=history)
    try:
        yield adapter
    finally:
        uninstall()
