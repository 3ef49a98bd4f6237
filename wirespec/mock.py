"""Mock providers for your own tests (install ``wirespec[mock]``).

    from wirespec.mock import running

    with running() as mock:                       # a free port on 127.0.0.1
        client = openai.OpenAI(base_url=mock.base_url("siliconflow"), api_key="any")
        dashscope.base_http_api_url = mock.base_url("dashscope")

Requests are validated; invalid ones get the provider's error body and status; valid ones an
answer drawn from the response schema (the same for the same request and seed). ``faults``
make the mock misbehave on purpose: see ``FAULTS``.
"""

from __future__ import annotations

from wirespec.contracts._mock import FAULTS, MockApp, MockSettings
from wirespec.contracts._serve import RunningMock, ServeError, running, serve

__all__ = ["FAULTS", "MockApp", "MockSettings", "RunningMock", "ServeError", "running", "serve"]
