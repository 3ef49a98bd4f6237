"""Running the mock providers with uvicorn, on loopback only: in the foreground for
``wirespec mock``, or in a thread for tests (``with running() as mock: mock.base_url(...)``)."""

from __future__ import annotations

import importlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

from wirespec._exceptions import WirespecError

from ._mock import MockApp, MockSettings
from ._wire import WIRE_FORMATS

LOOPBACK = "127.0.0.1"


class ServeError(WirespecError):
    pass


@dataclass
class RunningMock:
    host: str
    port: int
    app: MockApp

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def base_url(self, provider: str) -> str:
        """What the provider's SDK takes as its base URL."""
        return self.url + WIRE_FORMATS[provider].base_path


def _uvicorn() -> Any:
    try:
        import uvicorn
    except ImportError:
        raise ServeError("the mock needs uvicorn: pip install 'wirespec[mock]'") from None
    return uvicorn


def bind(port: int) -> socket.socket:
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY on accepted sockets only when the listener
    # says TCP, and without it a kept-alive connection waits 40 ms on delayed ACKs per answer
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError as err:
        sock.close()
        raise ServeError(f"cannot listen on {LOOPBACK}:{port}: {err.strerror}") from None
    sock.listen(128)
    return sock


def _importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def stack() -> tuple[str, str]:
    """uvicorn's event loop and HTTP parser for the mock: uvloop and httptools where they
    import (the fastest uvicorn has), else asyncio and h11, without a word."""
    return ("uvloop" if _importable("uvloop") else "asyncio",
            "httptools" if _importable("httptools") else "h11")


def _server(app: MockApp) -> Any:
    uvicorn = _uvicorn()
    loop, http = stack()
    config = uvicorn.Config(app, loop=loop, http=http, log_level="warning", lifespan="on",
                            access_log=False, timeout_graceful_shutdown=2)
    return uvicorn.Server(config)


def _open_log(path: str) -> TextIO:
    try:
        return open(path, "a", encoding="utf-8", buffering=1)  # open for the server's life
    except OSError as err:
        raise ServeError(f"--log {ascii(path)[1:-1][:200]}: cannot open: {err.strerror}") \
            from None


def announce_base_urls(announce: Any, running: Any, providers: tuple[str, ...]) -> None:
    """A line per provider: its name, the base URL its SDK takes here, the endpoint."""
    for provider in providers:
        wire = WIRE_FORMATS[provider]
        announce(f"  {wire.title:<32} base URL {running.base_url(provider)}  "
                 f"({wire.endpoint_hint})")


def serve(settings: MockSettings, port: int, announce: Any = print,
          log_path: str | None = None) -> None:
    """Serve until interrupted; ``announce`` gets each line that tells where, once the mock
    is ready (its tokenizers loaded); ``log_path`` gets a JSON line per request."""
    log = _open_log(log_path) if log_path is not None else None
    try:
        sock = bind(port)
        app = MockApp(settings, log)
        server = _server(app)
        app.prepare()
        mock = RunningMock(LOOPBACK, sock.getsockname()[1], app)
        announce(f"wirespec mock: listening on {mock.url} (seed {settings.seed}"
                 + (f", faults: {', '.join(sorted(settings.faults))}" if settings.faults
                    else "") + (f"; requests logged to {log_path}" if log_path else "") + ")")
        announce_base_urls(announce, mock, settings.providers)
        server.run(sockets=[sock])
    finally:
        if log is not None:
            log.close()


@contextmanager
def running(settings: MockSettings | None = None, port: int = 0,
            start_timeout: float = 10.0, log: TextIO | None = None) -> Iterator[RunningMock]:
    """The mock in a background thread, stopped on exit; ``log`` gets a JSON line per
    request."""
    sock = bind(port)
    app = MockApp(settings, log)
    with in_thread(_server(app), sock, "mock", start_timeout):
        yield RunningMock(LOOPBACK, sock.getsockname()[1], app)


@contextmanager
def in_thread(server: Any, sock: socket.socket, what: str,
              start_timeout: float = 10.0) -> Iterator[None]:
    """A uvicorn server on ``sock`` in a background thread, from started to stopped."""
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name=f"wirespec-{what}")
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise ServeError(f"the {what} did not start")
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
