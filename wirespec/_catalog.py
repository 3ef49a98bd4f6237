"""``wirespec.catalog()``: the models the documents describe, to list or parametrise over."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wirespec.validators import _registry


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    provider: str
    model: str
    kinds: tuple[str, ...]
    limits: dict[str, Any]  # name -> value (None: the documents state none)
    document: str

    def __str__(self) -> str:  # a readable pytest id
        return self.id


def catalog(provider: str | None = None) -> list[CatalogEntry]:
    """Every model (of ``provider``), its schema kinds, its documented token limits and the
    document that defines it."""
    found = []
    for entry in _registry.models():
        if provider is not None and entry.provider != provider:
            continue
        limits = {name: (limit.get("value") if isinstance(limit, dict) else limit)
                  for name, limit in entry.limits.items()}
        found.append(CatalogEntry(entry.id, entry.provider, entry.model, tuple(entry.kinds),
                                  limits, entry.document))
    return found
