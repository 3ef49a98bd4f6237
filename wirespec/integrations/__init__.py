"""Pre-flight where requests are made: hooks for the providers' official SDKs.

- ``wirespec.integrations.httpx``: ``ValidatingTransport`` / ``AsyncValidatingTransport``
  for every SDK built on httpx (``openai``, ``cloudflare``);
- ``wirespec.integrations.dashscope``: ``install()`` / ``installed()`` / ``session()`` for the
  ``dashscope`` SDK (built on requests).

Each checks a request against its model's contract before it is sent (``mode="enforce"``
raises :class:`wirespec.RequestRejected`; ``mode="report"`` logs to the ``wirespec`` logger
and sends), and the answer as it passes (logged when out of contract, in both modes). Keys
never reach a log record. Part of the public face (``wirespec``): may import every room.
"""

from __future__ import annotations

from ._checks import HISTORY, MODES, rejection_of

__all__ = ["HISTORY", "MODES", "rejection_of"]
