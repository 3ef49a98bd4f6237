"""Token budgets: what JSON Schema cannot say. Input tokens against ``max_input_tokens``,
``max_tokens`` against ``max_output_tokens``, and both together against ``context_window``,
each an ordinary error with pointer, counted figure, limit and provenance. ``max_tokens``
not sent counts as its documented default (the schema's ``default``, cited).

Bounds decide first, from the prompt's UTF-8 size alone (see _tokens): at most S + B tokens
(every token covers a byte), at least S + B/128 (none covers more than 128). When the upper
bound fits every limit the request is within budget and no tokenizer is loaded; when the
lower bound already breaks one (and the bounds decide the rest) a huge prompt costs a pass
over its bytes. Only between the two is the prompt counted, turn by turn, from the cache
where a turn was counted before. The usual request (messages of strings) takes a shortcut,
:func:`decided_by_bytes`, that builds nothing when its bytes fit.

Errors point at the conversation (``/messages``, ``/input/messages``, ``/prompt``), or at
``max_tokens`` when the input fits the context by itself and the output tips it. A figure
that rests on an approximation (tools, array content, a model without a tokenizer) still
decides, and a warning (keyword ``estimate``) says so; a request with no conversation to
count gets ``not-counted``.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

from wirespec._exceptions import WirespecError

from ._chatml import TOOLS_HEAD, TOOLS_TAIL, chatml_framing
from ._conversation import Conversation, conversation_of, plain_parts, tools_estimates
from ._errors import Report, ValidationError
from ._limits import INPUT, LIMIT_MEANINGS, OUTPUT, TOTAL
from ._registry import ModelEntry, load_schema
from ._tokens import (
    ESTIMATE_RULE,
    NFC_GROWTH,
    TokenCount,
    Tokenizer,
    count_conversation,
    known_counts,
    prompt_of,
    prompt_size,
    tokenizer_for,
    utf8_size,
)

# Where each provider's request carries the output budget.
MAX_TOKENS_POINTER = {"dashscope": "/parameters/max_tokens"}
ESTIMATE, NOT_COUNTED = "estimate", "not-counted"
ORDER = (OUTPUT, INPUT, TOTAL)  # the order a report lists a request's budget errors in


@dataclass(frozen=True)
class Limit:
    name: str
    value: int
    source: dict[str, Any] | None
    meaning: str  # INPUT, OUTPUT or TOTAL


class MaxTokens(NamedTuple):
    """The output budget a request reserves: sent, or the documented default."""

    value: int
    pointer: str
    sent: bool
    source: dict[str, Any] | None = None  # the default's provenance

    def phrase(self) -> str:
        if self.sent:
            return f"max_tokens {self.value:,}"
        where = f": sources/{self.source['doc']}:{self.source['line']}" if self.source else ""
        return f"max_tokens {self.value:,} (not sent: the documented default{where})"


@dataclass
class Verdict:
    errors: list[ValidationError] = field(default_factory=list)
    warnings: list[ValidationError] = field(default_factory=list)
    decided_by: str = "no limits"  # "upper bound", "lower bound", "exact count", ...
    count: TokenCount | None = None


def whole_number(value: Any) -> int | None:
    """A JSON integer as an int (``5000.0`` is the integer 5000), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _at(node: Any, path: tuple[str, ...]) -> Any:
    for token in path:
        node = node.get(token) if isinstance(node, dict) else None
    return node


@dataclass(frozen=True)
class Plan:
    """What a model's budget checks, read once per entry."""

    output: tuple[Limit, ...]
    limits: tuple[Limit, ...]  # the input and total limits, in that order
    max_tokens_pointer: str
    max_tokens_path: tuple[str, ...]
    # (members the alternative requires, default, provenance) of each documented default
    defaults: tuple[tuple[frozenset[str], int, Any], ...]
    tokenizer: Tokenizer
    input_cap: int | None  # the least input limit
    total_cap: int | None  # the least total limit
    output_cap: int | None  # the least output limit

    @property
    def names(self) -> str:
        return ", ".join(limit.name for limit in self.limits)

    def fits(self, upper: int, extra: int) -> bool:
        """Within every limit, if the input is at most ``upper`` tokens."""
        return (self.input_cap is None or upper <= self.input_cap) and (
            self.total_cap is None or upper + extra <= self.total_cap)


_PLANS: dict[int, tuple[ModelEntry, Plan]] = {}


def plan_for(entry: ModelEntry) -> Plan:
    """The entry's plan (kept while the entry lives: the registry's live as long as the
    process; a few thousand others at most)."""
    held = _PLANS.get(id(entry))
    if held is not None and held[0] is entry:
        return held[1]
    found = stated_limits(entry)
    caps = {meaning: min((limit.value for limit in found if limit.meaning == meaning),
                         default=None) for meaning in ORDER}
    pointer = MAX_TOKENS_POINTER.get(entry.provider, "/max_tokens")
    plan = Plan(tuple(limit for limit in found if limit.meaning == OUTPUT),
                tuple(limit for limit in found if limit.meaning != OUTPUT), pointer,
                tuple(pointer.split("/")[1:]), _documented_defaults(entry.id, pointer)
                if found else (), tokenizer_for(entry.model), caps[INPUT], caps[TOTAL],
                caps[OUTPUT])
    if len(_PLANS) < 4096:
        _PLANS[id(entry)] = (entry, plan)
    return plan


def stated_limits(entry: ModelEntry) -> list[Limit]:
    """Every token limit the model's documents state, with what it bounds: output limits
    first, then input, then total (the order a report lists their errors in)."""
    found = []
    for name, meaning in sorted(LIMIT_MEANINGS.items(), key=lambda item: ORDER.index(item[1])):
        limit = entry.limits.get(name)
        value, source = (limit.get("value"), limit.get("x-source")) if isinstance(
            limit, dict) else (limit, None)
        if isinstance(value, int) and not isinstance(value, bool):
            found.append(Limit(name, value, source, meaning))
    return found


@functools.cache
def _documented_defaults(model_id: str, pointer: str
                         ) -> tuple[tuple[frozenset[str], int, Any], ...]:
    """(members the alternative requires, default, provenance) of ``max_tokens`` in the
    schema and in each of its top-level alternatives."""
    try:
        schema = load_schema(model_id)
    except WirespecError:  # a model the registry does not hold (tests build their own)
        return ()
    found = []
    for branch in [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]:
        node: Any = branch
        for token in pointer.split("/")[1:]:
            properties = node.get("properties") if isinstance(node, dict) else None
            node = properties.get(token) if isinstance(properties, dict) else None
        default = whole_number(node.get("default")) if isinstance(node, dict) else None
        if default is not None and isinstance(branch, dict):
            found.append((frozenset(branch.get("required", [])), default,
                          node.get("x-source")))
    return tuple(found)


def reserved_max_tokens(entry: ModelEntry, payload: dict[str, Any]) -> MaxTokens | None:
    """``max_tokens`` as sent, else the default documented for the alternative the request
    takes (the first whose required members it has), else None."""
    plan = plan_for(entry)
    sent = whole_number(_at(payload, plan.max_tokens_path))
    if sent is not None:
        return MaxTokens(sent, plan.max_tokens_pointer, True)
    for required, default, source in plan.defaults:
        if required <= payload.keys():
            return MaxTokens(default, plan.max_tokens_pointer, False, source)
    return None


_ROLE, _CONTENT = operator.itemgetter("role"), operator.itemgetter("content")


def decided_by_bytes(entry: ModelEntry, payload: Any) -> list[ValidationError] | None:
    """The usual request (messages of strings, perhaps tools, an exact tokenizer) within
    every limit by its bytes alone: decided in microseconds, building nothing the report
    does not need; returns the warnings the budget gives it (tools are an estimate). None
    says only "not decided here"."""
    held = _PLANS.get(id(entry))  # plan_for's own first step, without the call
    plan = held[1] if held is not None and held[0] is entry else plan_for(entry)
    parts = plain_parts(entry.provider, payload) if plan.tokenizer.exact else None
    if parts is None:
        return None
    messages, tools = parts
    try:  # a TypeError unless every role and content is a string
        joined = "".join([*map(_ROLE, messages), *map(_CONTENT, messages)])
    except (TypeError, KeyError):
        return None
    path = plan.max_tokens_path
    extra = payload.get(path[0]) if len(path) == 1 else _at(payload, path)
    if type(extra) is not int:  # the usual max_tokens needs no conversion
        extra = whole_number(extra)
        if extra is None:
            extra = next((default for required, default, _ in plan.defaults
                          if required <= payload.keys()), 0)
    if plan.output_cap is not None and extra > plan.output_cap:
        return None
    # ASCII is its own NFC, and its bytes are its length; other text is bounded by its
    # most NFC can make of it (the exact NFC size is the general path's, when this fails)
    size = len(joined) if joined.isascii() else NFC_GROWTH * utf8_size(joined)
    framing, specials = chatml_framing(len(messages), messages[0]["role"] if messages else None,
                                       "" if tools else None, plan.tokenizer.size)
    if tools:
        written = _tools_bound([tool for _, listed in tools for tool in listed])
        if written is None:
            return None
        size += written
    if not plan.fits(size + framing + specials, extra):
        return None
    if not tools:
        return []
    return list(_tools_warnings(plan, entry.provider, tuple(name for name, _ in tools)))


Warnings = tuple[ValidationError, ...]
_TOOLS_WARNINGS: dict[tuple[int, str, tuple[str, ...]], tuple[Plan, Warnings]] = {}


def _tools_warnings(plan: Plan, provider: str, names: tuple[str, ...]
                    ) -> tuple[ValidationError, ...]:
    """The estimate warnings the budget gives tools, made once per plan (they are frozen)."""
    key = (id(plan), provider, names)
    held = _TOOLS_WARNINGS.get(key)
    if held is not None and held[0] is plan:
        return held[1]
    stand_in = Conversation([], [], "", estimated=tools_estimates(list(names), provider))
    made = tuple(_estimate_warnings(plan, stand_in, ""))  # "": exact tokenizers only here
    if len(_TOOLS_WARNINGS) < 4096:
        _TOOLS_WARNINGS[key] = (plan, made)
    return made


def _tools_bound(tools: list[Any]) -> int | None:
    """At least the UTF-8 size of the NFC of tools_block(tools): the template writes each
    tool as ``json.dumps`` does (a space after each ``:`` and ``,``, no ASCII escapes), at
    most twice orjson's compact bytes, a newline before each; None when orjson cannot."""
    try:
        compact = orjson.dumps(tools)
    except orjson.JSONEncodeError:  # nested past its depth, an integer past 64 bits
        return None
    growth = 1 if compact.isascii() else NFC_GROWTH
    return len(TOOLS_HEAD) + len(TOOLS_TAIL) + len(tools) + 2 * growth * len(compact)


def _output_errors(plan: Plan, reserved: MaxTokens | None) -> list[ValidationError]:
    if reserved is None:
        return []
    return [ValidationError(reserved.pointer, limit.name, f"{reserved.phrase()} exceeds the "
                            f"{limit.value:,} output tokens allowed ({limit.name})", limit.value,
                            reserved.value, limit.source)
            for limit in plan.output if reserved.value > limit.value]


def _estimate_warnings(plan: Plan, conversation: Conversation,
                       model: str) -> list[ValidationError]:
    found = [ValidationError(pointer, ESTIMATE, f"{how}; its tokens are an estimate, and so is "
                             f"the budget against {plan.names}") for pointer, how in
             conversation.estimated]
    if not plan.tokenizer.exact:
        found.append(ValidationError(conversation.pointer, ESTIMATE, f"no tokenizer for {model}:"
                                     f" the budget against {plan.names} is estimated "
                                     f"({ESTIMATE_RULE})"))
    return found


class _Budget:
    """One request's input against its input and total limits."""

    def __init__(self, plan: Plan, reserved: MaxTokens | None,
                 conversation: Conversation) -> None:
        self.plan = plan
        self.reserved = reserved
        self.extra = reserved.value if reserved is not None else 0
        self.conversation = conversation

    def by_bounds(self, lower: int, upper: int) -> list[ValidationError] | None:
        """The errors, when the bounds decide every limit and break one; else None."""
        errors = []
        how = ("a lower bound from the prompt's UTF-8 size: no token is longer than "
               f"{self.plan.tokenizer.longest_token_bytes} bytes")
        for limit in self.plan.limits:
            extra = self.extra if limit.meaning == TOTAL else 0
            if upper + extra <= limit.value:
                continue
            if lower > limit.value or (lower + extra > limit.value and upper <= limit.value):
                errors.append(self.error(limit, lower, "at least ", how))
            else:
                return None
        return errors or None

    def by_count(self, used: int, how: str) -> list[ValidationError]:
        return [self.error(limit, used, "", how) for limit in self.plan.limits
                if used + (self.extra if limit.meaning == TOTAL else 0) > limit.value]

    def error(self, limit: Limit, used: int, least: str, how: str) -> ValidationError:
        if limit.meaning == INPUT:
            return ValidationError(self.conversation.pointer, limit.name, f"{least}{used:,} input "
                                   f"tokens exceed the {limit.value:,} allowed ({limit.name}; "
                                   f"{how})", limit.value, used, limit.source)
        wanted = used + self.extra
        # the input alone over the context: the conversation; else the output that tips it
        pointer = self.conversation.pointer if used > limit.value else \
            self.plan.max_tokens_pointer
        total = f"{least}{used:,} input tokens" if self.reserved is None else (
            f"{least}{used:,} input tokens + {self.reserved.phrase()} = {least}{wanted:,}")
        return ValidationError(pointer, limit.name, f"{total} exceed the {limit.value:,}-token "
                               f"context ({limit.name}; {how})", limit.value, wanted,
                               limit.source)


def _input_verdict(budget: _Budget, verdict: Verdict, sizes: tuple[int, int] | None) -> None:
    """Past the upper bound from bytes: the lower bound, the upper bound with the counts
    cached before, then the count (``sizes`` None: the count at once)."""
    conversation, tokenizer, prompt = budget.conversation, budget.plan.tokenizer, None
    if sizes is not None:
        size, specials = sizes
        if tokenizer.longest_token_bytes is not None:
            lower = specials - (-size // tokenizer.longest_token_bytes)
            errors = budget.by_bounds(lower, size + specials)
            if errors is not None:
                verdict.errors += errors
                verdict.decided_by = "lower bound"
                return
        prompt = prompt_of(conversation)
        known = known_counts(tokenizer, prompt)
        # the turns counted before at their count, the others at their bytes
        tighter = size + specials - sum(tokenizer.size(segment.head) + tokenizer.size(
            segment.body) - counted for segment, counted in known)
        if known and budget.plan.fits(tighter, budget.extra):
            verdict.decided_by = "upper bound with cached counts"
            return
    count = count_conversation(tokenizer, conversation, prompt)
    verdict.count, verdict.decided_by = count, "exact count" if tokenizer.exact else "estimate"
    verdict.errors += budget.by_count(count.total, count.how)


def budget(entry: ModelEntry, payload: Any, *, bounds: bool = True,
           shortcut: bool = True) -> Verdict:
    """The budget of a schema-valid request: an error for every stated limit it breaks,
    named after the limit; a warning for every figure that is an estimate. ``bounds=False``
    counts every request exactly (the reference the bounds are tested against);
    ``shortcut=False`` when the caller already tried :func:`decided_by_bytes`."""
    plan = plan_for(entry)
    if not (plan.output or plan.limits) or not isinstance(payload, dict):
        return Verdict()
    if bounds and shortcut and plan.limits:
        decided = decided_by_bytes(entry, payload)
        if decided is not None:
            return Verdict([], decided, "upper bound")
    reserved = reserved_max_tokens(entry, payload)
    verdict = Verdict(_output_errors(plan, reserved) if plan.output else [], [], "max_tokens")
    if not plan.limits:
        return verdict
    conversation = conversation_of(entry.provider, payload)
    if conversation is None:
        verdict.warnings.append(ValidationError("", NOT_COUNTED, "the request's tokens were not "
                                                f"counted against {plan.names}: wirespec counts "
                                                "a conversation (messages or prompt), and this "
                                                "request has none"))
        verdict.decided_by = "not counted"
        return verdict
    if conversation.estimated or not plan.tokenizer.exact:
        verdict.warnings += _estimate_warnings(plan, conversation, entry.id)
    sizes = None
    if bounds:  # most requests end here: within every limit by their bytes alone
        sizes = prompt_size(plan.tokenizer, conversation)
        if plan.fits(sum(sizes), reserved.value if reserved is not None else 0):
            verdict.decided_by = "upper bound"
            return verdict
    _input_verdict(_Budget(plan, reserved, conversation), verdict, sizes)
    return verdict


def budget_errors(entry: ModelEntry, payload: Any) -> list[ValidationError]:
    """The budget's errors alone."""
    return budget(entry, payload).errors


def check_budget(entry: ModelEntry, payload: Any, report: Report) -> None:
    """Add the budget's errors and warnings to the report of a schema-valid request."""
    decided = decided_by_bytes(entry, payload)
    if decided is not None:  # the usual request: within every limit
        report.warnings += decided
        return
    verdict = budget(entry, payload, shortcut=False)  # it did not decide: not tried twice
    report.errors += verdict.errors
    report.warnings += verdict.warnings
