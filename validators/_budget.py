"""Token budgets: what JSON Schema cannot say. Input tokens against ``max_input_tokens``,
``max_tokens`` against ``max_output_tokens``, and both together against ``context_window``,
each an ordinary error with pointer, counted figure, limit and provenance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._errors import ValidationError
from ._registry import ModelEntry
from ._tokens import TokenCount, count_request

# Where each provider's request carries the conversation and the output budget.
INPUT_POINTER = {"dashscope": "/input"}
MAX_TOKENS_POINTER = {"dashscope": "/parameters/max_tokens"}


def _limit(limits: dict[str, Any], name: str) -> tuple[int | None, dict[str, Any] | None]:
    found = limits.get(name)
    if isinstance(found, dict):
        return found.get("value"), found.get("x-source")
    return found, None


def _max_tokens(provider: str, payload: dict[str, Any]) -> Any:
    node: Any = payload
    for token in MAX_TOKENS_POINTER.get(provider, "/max_tokens").split("/")[1:]:
        node = node.get(token) if isinstance(node, dict) else None
    return node


def budget_errors(entry: ModelEntry, payload: Any,
                  count: TokenCount | None = None) -> Iterator[ValidationError]:
    """The budget errors of a schema-valid request (nothing when the model has no limits)."""
    if not entry.limits or not isinstance(payload, dict):
        return
    count = count or count_request(entry.provider, entry.model, payload)
    how = count.tokenizer.name
    used = count.total
    input_at = INPUT_POINTER.get(entry.provider, "")
    max_tokens = _max_tokens(entry.provider, payload)
    limit, source = _limit(entry.limits, "max_input_tokens")
    if limit is not None and used > limit:
        yield ValidationError(input_at, "max_input_tokens", f"{used:,} input tokens exceed the "
                              f"{limit:,} allowed ({how})", limit, used, source)
    limit, source = _limit(entry.limits, "max_output_tokens")
    if limit is not None and isinstance(max_tokens, int) and max_tokens > limit:
        yield ValidationError(MAX_TOKENS_POINTER.get(entry.provider, "/max_tokens"),
                              "max_output_tokens", f"max_tokens {max_tokens:,} exceeds the "
                              f"{limit:,} output tokens allowed", limit, max_tokens, source)
    limit, source = _limit(entry.limits, "context_window")
    wanted = used + (max_tokens if isinstance(max_tokens, int) else 0)
    if limit is not None and wanted > limit:
        yield ValidationError(input_at, "context_window", f"{used:,} input tokens + max_tokens "
                              f"{wanted - used:,} = {wanted:,} exceed the {limit:,}-token "
                              f"context ({how})", limit, wanted, source)
