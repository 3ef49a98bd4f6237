"""The constraint grammar: the meaning of a parameter's words, one small rule per construct.

Input: the spans a layout reader found for one parameter (codegen/ingest/_records.py): its
type words, its description lines and its layout marks. Output: readings (a JSON Schema
keyword or a token limit, its value, the document's own words and line, the rule that read
it) and the passages that look like constraints but that no rule read (never dropped in
silence: ingest lists them with their line).

Rules see normalised text (full-width brackets, colons and commas made ASCII; U+2212 and
dashes a hyphen-minus; zero-width characters gone; superscript digits and `^` as powers;
thousands separators gone) and quote the original words through an offset map.

- ``read_constraints(spans, json_type)``: readings and unread passages of one parameter.
- ``read_type(words)``: type words -> a JSON Schema fragment and the type values are read as.
- ``read_cell(label, cell, json_type)``: a table cell read under its column's header.
- ``sanity(readings, json_type, examples)``: what was read that cannot be right as it stands.

Readings whose keyword is in ``NOT_CONSTRAINTS`` (examples, sentinels, another API's range, …)
are not constraints: cite them, never enforce them. docs/grammar.md has the rules, the
phrasings each reads and the decisions.
"""

from __future__ import annotations

from ._cells import read_cell
from ._contract import NOT_CONSTRAINTS, Reading, Unread
from ._read import RULES, read_constraints
from ._sanity import Problem, sanity
from ._types import TypeReading, read_type

__all__ = ["NOT_CONSTRAINTS", "RULES", "Problem", "Reading", "TypeReading", "Unread",
           "read_cell", "read_constraints", "read_type", "sanity"]
