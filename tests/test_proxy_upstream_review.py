"""The proxy's upstream pool against upstreams that misbehave on purpose: answers the proxy
could not pass on, bytes past the end of an answer, heads and trailers without bound, a
connection abandoned while its reading was paused, codings that inflate without bound.

The servers and the ``run`` fixture are tests/test_proxy_upstream.py's."""

from __future__ import annotations

import pytest
import test_proxy_upstream
from test_proxy_upstream import Exchange, Server, pool_for

from wirespec.contracts._upstream import UpstreamError

run = test_proxy_upstream.run  # the fixture: each scenario on asyncio's loop and on uvloop's


@pytest.mark.parametrize("status", [b"099", b"600", b"999"])
def test_a_status_outside_100_to_599_is_a_502(status, run):
    """The parser takes any three digits; uvicorn has no status line for them and the proxy
    would fail with a traceback instead of answering 502."""
    async def odd(exchange: Exchange) -> None:
        exchange.answer(b"HTTP/1.1 %s X\r\ncontent-length: 2\r\n\r\n{}" % status)

    async def scenario() -> None:
        async with Server(odd) as server:
            pool = pool_for(server)
            with pytest.raises(UpstreamError, match="status") as failed:
                await pool.request(b"GET", b"/", [], b"")
            assert failed.value.status == 502
            await pool.aclose()
    run(scenario)
