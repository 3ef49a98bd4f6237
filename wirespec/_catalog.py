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
    task: str | None  # as the documents name it ("Text Generation"); None where they do not

    def __str__(self) -> str:  # a readable pytest id
        return self.id


def catalog(provider: str | None = None, task: str | None = None) -> list[CatalogEntry]:
    """Every model (of ``provider``; filed under ``task``, compared without case), its schema
    kinds, its documented token limits, its task and the document that defines it. Only
    Cloudflare's documents file models under tasks: a ``task`` leaves out every model whose
    documents name none (DashScope's and SiliconFlow's)."""
    wanted = task.casefold() if task is not None else None
    found = []
    for entry in _registry.models():
        if provider is not None and entry.provider != provider:
            continue
        if wanted is not None and (entry.task or "").casefold() != wanted:
            continue
        limits = {name: (limit.get("value") if isinstance(limit, dict) else limit)
                  for name, limit in entry.limits.items()}
        found.append(CatalogEntry(entry.id, entry.provider, entry.model, tuple(entry.kinds),
                                  limits, entry.document, entry.task))
    return found
