"""The grammar's contract with the builder: readings and unread passages (re-exported by the
package; see its docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Readings whose keyword is one of these say something that is not a constraint: cite them,
# never enforce them (docs/grammar.md, "Not every number is a constraint").
NOT_CONSTRAINTS = frozenset({
    "examples",  # JSON Schema's annotation: "Example: 0.7", "For example, … set to 0.8"
    "x-sentinel",  # a value that switches a feature off ("greater than 100: top_k disabled")
    "x-elsewhere",  # another API's range quoted for contrast ("Anthropic's native [0.0, 1.0]")
    "x-unbounded",  # "没有严格的取值范围": the document says there is no strict range
    "x-no-default",  # "默认为空", "left empty by default": absent unless sent
    "x-budget",  # "input tokens + max_tokens must not exceed the context window" (the token
    #              budget checks it for every model with a context_window)
})


@dataclass(frozen=True)
class Reading:
    """One constraint read from a document's words."""

    keyword: str  # minimum, exclusiveMaximum, enum, const, default, minItems, maxItems,
    #               minLength, maxLength, pattern, type, x-limit:<name>, … (NOT_CONSTRAINTS)
    value: Any  # a limit named, not given: {"x-limit": "max_output_tokens"}
    quote: str  # the document's own words (not the normalised text); lines joined by "\n"
    line: int
    rule: str  # the rule that read it (its function name)
    inferred: str | None = None  # a reading that took a judgement says which
    models: tuple[str, ...] = ()  # per-model facts: the model words it applies to ("QwQ series")
    # where the quote is: (index of the span in the list given, start, stop) in that span's
    # text, one per line of the quote
    pieces: tuple[tuple[int, int, int], ...] = ()


@dataclass(frozen=True)
class Unread:
    """A passage that looks like a constraint and that no rule read."""

    line: int
    quote: str
    why: str  # "numbers beside range words", "a comparison sign beside a number", "a value
    #           list", "a default", "a token figure", or the reason of the rule that saw it
    pieces: tuple[tuple[int, int, int], ...] = ()
