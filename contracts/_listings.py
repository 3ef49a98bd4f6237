"""What the mock answers to GET besides the wire formats' POST endpoints: ``/healthz``, and each
provider's list of the models it serves, where that provider's SDK looks for one.

- SiliconFlow (OpenAI-compatible): ``GET /v1/models``, OpenAI's ``{"object": "list", "data":
  [{"id", "object": "model", "created", "owned_by"}]}`` (``openai.OpenAI().models.list()``).
- DashScope: ``GET /api/v1/models`` in the native envelope, ``{"request_id", "output":
  {"models": [{"model"}], "page_no", "page_size", "total"}}`` with ``page_no``, ``page_size``
  and ``model`` (``dashscope.Models.list()`` and ``.get(name)``), and the same list in
  OpenAI's shape at ``GET /compatible-mode/v1/models``, where DashScope's OpenAI-compatible
  mode has it (only the list: the documents wirespec reads describe the native calls).
- Cloudflare: ``GET /client/v4/accounts/{account}/ai/models/search`` (also without
  ``/client/v4``), the v4 envelope with ``result_info``, with ``page``, ``per_page`` and
  ``search`` (``cloudflare.Cloudflare().ai.models.list(account_id=...)``, which turns pages
  until one is empty).

Nothing here is invented beyond the shapes: a model's entry holds its name and, for
Cloudflare, its documented token limits as properties. docs/decisions.md records the choice.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wirespec.validators import _registry

from ._wire import WIRE_FORMATS, WireFormat

CREATED = 1700000000  # the mock's fixed "created" time, as its chat answers carry
MAX_PAGE_SIZE = 1000
_NAMESPACE = uuid.UUID("6f1c1d8e-3b1a-4c55-9d0e-2f3a7b6c5d4e")  # the mock's own, for ids


class BadQuery(ValueError):
    """A query parameter the list cannot take (the mock answers 400 in the provider's
    terms)."""


Query = dict[str, list[str]]


@dataclass(frozen=True)
class Listing:
    wire: WireFormat | None  # whose error shape a refusal takes; None: /healthz (no key)
    answer: Callable[[Query], bytes]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def parse_query(query: bytes) -> Query:
    try:
        return urllib.parse.parse_qs(query.decode("latin-1"), max_num_fields=64)
    except ValueError:
        raise BadQuery("too many query parameters") from None


def _number(query: Query, name: str, default: int, most: int) -> int:
    values = query.get(name)
    if not values:
        return default
    text = values[-1]
    if not (text.isascii() and text.isdigit() and len(text) <= 10 and 1 <= int(text) <= most):
        raise BadQuery(f"{name} must be a whole number from 1 to {most}")
    return int(text)


def _page(items: list[Any], page: int, size: int) -> list[Any]:
    return items[(page - 1) * size:page * size]


def _openai_list(models: list[str], provider: str) -> bytes:
    return _json({"object": "list", "data": [
        {"id": name, "object": "model", "created": CREATED,
         "owned_by": name.split("/")[0] if "/" in name else provider} for name in models]})


def _limits(entry: _registry.ModelEntry) -> list[dict[str, str]]:
    found = []
    for name, limit in sorted(entry.limits.items()):
        value = limit.get("value") if isinstance(limit, dict) else limit
        if isinstance(value, int) and not isinstance(value, bool):
            found.append({"property_id": name, "value": str(value)})
    return found


class Listings:
    """The GET endpoints of the providers served, by path."""

    def __init__(self, providers: tuple[str, ...], seed: int, faults: frozenset[str]) -> None:
        self.providers, self.seed, self.faults = providers, seed, faults
        entries = [e for e in _registry.models() if e.provider in providers
                   and "request" in e.kinds]
        self.models = {p: [e for e in entries if e.provider == p] for p in providers}
        self._exact: dict[str, Listing] = {"/healthz": Listing(None, self._health)}
        if "siliconflow" in providers:
            body = _openai_list([e.model for e in self.models["siliconflow"]], "siliconflow")
            self._exact["/v1/models"] = Listing(WIRE_FORMATS["siliconflow"], lambda q: body)
        if "dashscope" in providers:
            wire = WIRE_FORMATS["dashscope"]
            compatible = _openai_list([e.model for e in self.models["dashscope"]], "dashscope")
            self._exact["/api/v1/models"] = Listing(wire, self._dashscope)
            self._exact["/compatible-mode/v1/models"] = Listing(wire, lambda q: compatible)

    @property
    def endpoints(self) -> list[str]:
        found = [f"GET {path}" for path in self._exact]
        if "cloudflare" in self.providers:
            found.append("GET /client/v4/accounts/{account}/ai/models/search")
        return found

    def find(self, path: str) -> Listing | None:
        found = self._exact.get(path)
        if found is None and "cloudflare" in self.providers and _cloudflare_search(path):
            return Listing(WIRE_FORMATS["cloudflare"], self._cloudflare)
        return found

    def _health(self, query: Query) -> bytes:
        return _json({"status": "ok", "providers": list(self.providers), "seed": self.seed,
                      "faults": sorted(self.faults)})

    def _dashscope(self, query: Query) -> bytes:
        page, size = _number(query, "page_no", 1, 10**9), _number(query, "page_size", 10,
                                                                   MAX_PAGE_SIZE)
        names = [e.model for e in self.models["dashscope"]]
        wanted = query.get("model")
        if wanted:
            names = [name for name in names if name == wanted[-1]]
        request_id = str(uuid.uuid5(_NAMESPACE, f"{self.seed}/models/{page}/{size}/{wanted}"))
        return _json({"request_id": request_id, "output": {
            "models": [{"model": name} for name in _page(names, page, size)],
            "page_no": page, "page_size": size, "total": len(names)}})

    def _cloudflare(self, query: Query) -> bytes:
        page, size = _number(query, "page", 1, 10**9), _number(query, "per_page", 50,
                                                               MAX_PAGE_SIZE)
        entries = self.models["cloudflare"]
        search = (query.get("search") or [""])[-1].lower()
        if search:
            entries = [e for e in entries if search in e.model.lower()]
        shown = _page(entries, page, size)
        return _json({"result": [{"id": str(uuid.uuid5(_NAMESPACE, e.model)), "name": e.model,
                                  "properties": _limits(e)} for e in shown],
                      "result_info": {"page": page, "per_page": size, "count": len(shown),
                                      "total_count": len(entries)},
                      "success": True, "errors": [], "messages": []})


def _cloudflare_search(path: str) -> bool:
    """``[/client/v4]/accounts/{account}/ai/models/search``, one segment for the account."""
    rest = path.removeprefix(WIRE_FORMATS["cloudflare"].base_path)
    parts = rest.split("/")
    return (len(parts) == 6 and parts[0] == "" and parts[1] == "accounts" and bool(parts[2])
            and parts[3:] == ["ai", "models", "search"])
