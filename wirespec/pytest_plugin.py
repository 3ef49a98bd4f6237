"""wirespec's pytest plugin (entry point ``wirespec``, active once wirespec is installed).

    def test_my_client(wirespec_mock):                 # the mock providers, one per session
        client = openai.OpenAI(base_url=wirespec_mock.base_url("siliconflow"), api_key="x")
        ...
        assert wirespec_mock.requests == 1             # what reached the mock

    @pytest.mark.wirespec_live                          # only with --wirespec-live
    def test_against_the_real_provider(): ...

    @pytest.mark.parametrize("entry", wirespec.catalog(provider="dashscope"), ids=str)
    def test_each_model(entry): ...

Hypothesis strategies stay where they are: ``from wirespec import strategies``. On GitHub
Actions (``GITHUB_ACTIONS=true``) a test that fails on a wirespec report (``RequestRejected``,
or any exception carrying a ``.report``) is also annotated at the document line of each
constraint the request broke.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from typing import Any

import pytest

LIVE_MARKER = "wirespec_live"
_ANNOTATIONS = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wirespec", "wirespec: provider contracts")
    group.addoption("--wirespec-live", action="store_true", default=False,
                    help="run tests marked wirespec_live against the real providers "
                    "(they cost money and need keys; skipped otherwise)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{LIVE_MARKER}: runs against the real providers; "
                            "skipped unless pytest is given --wirespec-live")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--wirespec-live"):
        return
    skip = pytest.mark.skip(reason="a live provider test: run with --wirespec-live")
    for item in items:
        if item.get_closest_marker(LIVE_MARKER) is not None:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and call.excinfo is not None:
        errors = getattr(getattr(call.excinfo.value, "report", None), "errors", None)
        if errors:
            item.config.stash.setdefault(_ANNOTATIONS, []).extend(
                _annotations(item.nodeid, errors))
    return report


def _annotations(nodeid: str, errors: list[Any]) -> list[str]:
    from wirespec.validators._ci import annotation, document_path

    found = []
    for error in errors[:20]:  # a workflow shows a few dozen annotations per step
        file, line = document_path(getattr(error, "source", None))
        found.append(annotation("error", f"{nodeid}: {error.pointer or '/'}: {error.message}",
                                title=f"wirespec: {error.keyword}", file=file, line=line))
    return found


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int,
                            config: pytest.Config) -> None:
    lines = config.stash.get(_ANNOTATIONS, [])
    if lines and os.environ.get("GITHUB_ACTIONS") == "true":
        for line in lines:
            terminalreporter.write_line(line)


class MockFixture:
    """The running mock providers: ``base_url(provider)``, ``url``, and ``requests`` (how
    many requests reached it, invalid ones included)."""

    def __init__(self, running: Any) -> None:
        self._running = running

    @property
    def url(self) -> str:
        return str(self._running.url)

    def base_url(self, provider: str) -> str:
        return str(self._running.base_url(provider))

    @property
    def requests(self) -> int:
        return int(self._running.app.requests)


@pytest.fixture(scope="session")
def wirespec_mock() -> Iterator[MockFixture]:
    """The providers' wire formats on 127.0.0.1 for the whole session (needs uvicorn:
    ``pip install 'wirespec[mock]'``)."""
    from wirespec.mock import running

    with running() as mock:
        yield MockFixture(mock)
