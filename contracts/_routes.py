"""Which wire format a request path belongs to: the mock's routing, shared with what checks
requests on the client's side (``wirespec.integrations``) so that both read a path alike."""

from __future__ import annotations

from collections.abc import Iterable

from ._wire import WIRE_FORMATS, WireFormat


def route(path: str, wires: Iterable[WireFormat] = WIRE_FORMATS.values()
          ) -> tuple[WireFormat, str] | None:
    """The wire format serving ``path`` (percent-decoded, no query) and the path below its
    base; None when none does. A path works with its base (``/v1/chat/completions``, as the
    SDKs send it) or without (``/chat/completions``), as Cloudflare's do."""
    for wire in wires:
        for prefix in (wire.base_path, ""):
            if path.startswith(prefix) and wire.handles(path[len(prefix):]):
                return wire, path[len(prefix):]
    return None
