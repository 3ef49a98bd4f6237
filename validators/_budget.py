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
from ._limits import INPUT, LIMIT_MEANINGS, OUTPUT, TOTAL
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


def _stated(entry: ModelEntry, meaning: str) -> list[tuple[str, int, dict[str, Any] | None]]:
    """(name, value, provenance) of every limit the documents state with this meaning."""
    found = []
    for name, kind in LIMIT_MEANINGS.items():
        value, source = _limit(entry.limits, name)
        if kind == meaning and isinstance(value, int):
            found.append((name, value, source))
    return found


def _bounded_count(entry: ModelEntry, payload: dict[str, Any]) -> TokenCount | None:
    """A lower bound that already breaks a limit, or None when only the exact count can tell."""
    _, rendered = conversation(entry.provider, payload)
    least = lower_bound(entry.model, rendered)
    if least is None:
        return None
    max_tokens = max_tokens_of(entry.provider, payload) or 0
    breaks = any(least > value for _, value, _ in _stated(entry, INPUT)) or any(
        least + max_tokens > value for _, value, _ in _stated(entry, TOTAL))
    return TokenCount(tokenizer_for(entry.model), [], least, at_least=True) if breaks else None


def budget_errors(entry: ModelEntry, payload: Any,
                  count: TokenCount | None = None) -> Iterator[ValidationError]:
    """The budget errors of a schema-valid request (nothing when the model has no limits):
    one per stated limit it breaks, named after the limit."""
    if not _stated(entry, INPUT) + _stated(entry, OUTPUT) + _stated(entry, TOTAL) or \
            not isinstance(payload, dict):
        return
    max_tokens = max_tokens_of(entry.provider, payload)
    max_tokens_at = MAX_TOKENS_POINTER.get(entry.provider, "/max_tokens")
    for name, limit, source in _stated(entry, OUTPUT):
        if max_tokens is not None and max_tokens > limit:
            yield ValidationError(max_tokens_at, name, f"max_tokens {max_tokens:,} exceeds the "
                                  f"{limit:,} output tokens allowed ({name})", limit, max_tokens,
                                  source)
    if not _stated(entry, INPUT) + _stated(entry, TOTAL):
        return
    count = count or _bounded_count(entry, payload) or count_request(
        entry.provider, entry.model, payload)
    used, how = count.total, count.how
    least = "at least " if count.at_least else ""
    input_at = INPUT_POINTER.get(entry.provider, "")
    for name, limit, source in _stated(entry, INPUT):
        if used > limit:
            yield ValidationError(input_at, name, f"{least}{used:,} input tokens exceed the "
                                  f"{limit:,} allowed ({name}; {how})", limit, used, source)
    wanted = used + (max_tokens or 0)
    for name, limit, source in _stated(entry, TOTAL):
        if wanted > limit:
            yield ValidationError(input_at, name, f"{least}{used:,} input tokens + max_tokens "
                                  f"{wanted - used:,} = {least}{wanted:,} exceed the {limit:,}-"
                                  f"token context ({name}; {how})", limit, wanted, source)
