"""The constraint grammar: the meaning of a parameter's words, one small rule per construct.

Input: the spans a layout reader found for one parameter (codegen/ingest/_records.py): its
type words, its description lines and its layout marks. Output: readings (a JSON Schema
keyword or a token limit, its value, the document's own words and line, the rule that read
it) and the passages that look like constraints but that no rule read (never dropped in
silence: ingest lists them with their line).

Rules see normalised text (full-width brackets, colons and commas made ASCII; U+2212 and
dashes a hyphen-minus; zero-width characters gone; superscript digits and `^` as powers;
thousands separators gone) and quote the original words through an offset map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reading:
    """One constraint read from a document's words."""

    keyword: str  # minimum, exclusiveMaximum, enum, const, default, minItems, maxItems,
    #               minLength, maxLength, type, x-limit:<name>, …
    value: Any
    quote: str  # the document's own words (not the normalised text)
    line: int
    rule: str  # the rule that read it (its function name)
    inferred: str | None = None  # a reading that took a judgement says which
    models: tuple[str, ...] = ()  # per-model facts: the model words it applies to ("QwQ series")


@dataclass(frozen=True)
class Unread:
    """A passage that looks like a constraint and that no rule read."""

    line: int
    quote: str
    why: str  # "numbers beside range words", "a comparison sign", "a value list", "a default"
