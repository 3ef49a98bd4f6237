"""Token budgets: what JSON Schema cannot say. Input tokens against ``max_input_tokens``,
``max_tokens`` against ``max_output_tokens``, and both together against ``context_window``,
each an ordinary error with pointer, counted figure, limit and provenance.

The prompt's size in bytes bounds its tokens from below (no token is longer than the
vocabulary's longest): when that bound already breaks a limit, the exact count is skipped,
so a huge prompt costs a pass over its bytes, not a tokenizer run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._errors import ValidationError
from ._registry import ModelEntry
from ._tokens import TokenCount, conversation, count_request, lower_bound, tokenizer_for

# Where each provider's request carries the conversation and the output budget.
INPUT_POINTER = {"dashscope": "/input"}
MAX_TOKENS_POINTER = {"dashscope": "/parameters/max_tokens"}


def _limit(limits: dict[str, Any], name: str) -> tuple[int | None, dict[str, Any] | None]:
    found = limits.get(name)
    if isinstance(found, dict):
        return found.get("value"), found.get("x-source")
    return found, None


def whole_number(value: Any) -> int | None:
    """A JSON integer as an int (``5000.0`` is the integer 5000), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def max_tokens_of(provider: str, payload: dict[str, Any]) -> int | None:
    node: Any = payload
    for token in MAX_TOKENS_POINTER.get(provider, "/max_tokens").split("/")[1:]:
        node = node.get(token) if isinstance(node, dict) else None
    return whole_number(node)


def _bounded_count(entry: ModelEntry, payload: dict[str, Any]) -> TokenCount | None:
    """A lower bound that already breaks a limit, or None when only the exact count can tell."""
    _, rendered = conversation(entry.provider, payload)
    least = lower_bound(entry.model, rendered)
    if least is None:
        return None
    max_tokens = max_tokens_of(entry.provider, payload) or 0
    breaks = any(limit is not None and wanted > limit for limit, wanted in (
        (_limit(entry.limits, "max_input_tokens")[0], least),
        (_limit(entry.limits, "context_window")[0], least + max_tokens)))
    return TokenCount(tokenizer_for(entry.model), [], least, at_least=True) if breaks else None


def budget_errors(entry: ModelEntry, payload: Any,
                  count: TokenCount | None = None) -> Iterator[ValidationError]:
    """The budget errors of a schema-valid request (nothing when the model has no limits)."""
    if not entry.limits or not isinstance(payload, dict):
        return
    count = count or _bounded_count(entry, payload) or count_request(
        entry.provider, entry.model, payload)
    how = count.how
    used = count.total
    least = "at least " if count.at_least else ""
    input_at = INPUT_POINTER.get(entry.provider, "")
    max_tokens = max_tokens_of(entry.provider, payload)
    limit, source = _limit(entry.limits, "max_input_tokens")
    if limit is not None and used > limit:
        yield ValidationError(input_at, "max_input_tokens", f"{least}{used:,} input tokens "
                              f"exceed the {limit:,} allowed ({how})", limit, used, source)
    limit, source = _limit(entry.limits, "max_output_tokens")
    if limit is not None and max_tokens is not None and max_tokens > limit:
        yield ValidationError(MAX_TOKENS_POINTER.get(entry.provider, "/max_tokens"),
                              "max_output_tokens", f"max_tokens {max_tokens:,} exceeds the "
                              f"{limit:,} output tokens allowed", limit, max_tokens, source)
    limit, source = _limit(entry.limits, "context_window")
    wanted = used + (max_tokens or 0)
    if limit is not None and wanted > limit:
        yield ValidationError(input_at, "context_window", f"{least}{used:,} input tokens + "
                              f"max_tokens {wanted - used:,} = {least}{wanted:,} exceed the "
                              f"{limit:,}-token context ({how})", limit, wanted, source)
