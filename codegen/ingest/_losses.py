"""A new revision must not lose a constraint because its words were not read.

When a prose document's reading of a parameter lacks a constraint that the previous
revision's reading of the same parameter (same model, same path) had, while the new words
for that parameter still carry numbers or a value list, the loss is more likely the reading's
than the provider's: the document is refused, the passage quoted, until the reading is fixed
or the manifest accepts the loss (``accept_loss``, each with a ``reason``)::

    [[document.accept_loss]]
    parameter = "parameters.top_k"   # the path a request writes
    keyword = "maximum"
    reason = "the 2026 page drops the bound: top_k above 100 now disables sampling"
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wirespec._exceptions import DocumentError
from wirespec.validators._schema_walk import iter_subschemas

# What reading words can lose: bounds, lengths and value lists (types and members are the
# diff's business: a member gone is a change, not a misreading).
GUARDED = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
           "maxLength", "minItems", "maxItems", "enum")
PROSE_FORMATS = frozenset({"param-list", "cell-per-line", "pipe-tables", "flattened-values",
                           "dashscope-qwen1.5-reference"})
_STILL_SAYS = re.compile(r"\d|[,，、]\s*\S+\s*[,，、]")


@dataclass(frozen=True)
class Loss:
    path: str
    keyword: str
    old: Any
    old_source: dict[str, Any]
    new_line: int
    words: str


def user_paths(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each node by the path a request writes (``parameters.top_k``, ``messages[].role``)."""
    found: dict[str, dict[str, Any]] = {}
    for pointer, node in iter_subschemas(schema):
        steps = []
        parts = pointer.split("/")[1:]
        for index, part in enumerate(parts):
            if parts[index - 1:index] == ["properties"]:
                steps.append(part)
            elif part == "items":
                steps[-1:] = [f"{steps[-1]}[]"] if steps else ["[]"]
        found.setdefault(".".join(steps), node)
    return found


def losses(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Loss]:
    """Constraints ``old`` states that ``new`` lacks, where ``new``'s words still carry
    numbers or a list."""
    before, after = user_paths(old), user_paths(new)
    for path, node in after.items():
        previous = before.get(path)
        words = node.get("description", "")
        if previous is None or not path or not _STILL_SAYS.search(words):
            continue
        for keyword in GUARDED:
            if keyword in previous and keyword not in node and \
                    not _other_form(keyword, node, previous):
                yield Loss(path, keyword, previous[keyword], previous.get("x-source", {}),
                           node.get("x-source", {}).get("line", 1), words)


def _other_form(keyword: str, node: dict[str, Any], previous: dict[str, Any]) -> bool:
    """The same bound, now open instead of closed (or the other way), or an enum of every
    value the type has (true and false): a change or nothing, not a loss."""
    if keyword == "enum" and sorted(map(repr, previous["enum"])) == ["False", "True"]:
        return True
    pairs = {"minimum": "exclusiveMinimum", "maximum": "exclusiveMaximum"}
    pairs |= {v: k for k, v in pairs.items()}
    return pairs.get(keyword) in node or (keyword == "enum" and "const" in node)


def accepted(entry: dict[str, Any], loss: Loss) -> bool:
    for allowed in entry.get("accept_loss", []) or []:
        if isinstance(allowed, dict) and allowed.get("parameter") == loss.path and \
                allowed.get("keyword") == loss.keyword and allowed.get("reason"):
            return True
    return False


def refusal(path: str, previous: str, loss: Loss) -> DocumentError:
    where = f"{previous}:{loss.old_source.get('line', '?')}"
    return DocumentError(
        f"sources/{path}", loss.new_line, f"{loss.path} loses {loss.keyword} {loss.old!r} "
        f"(stated by {where}) while its words still carry numbers or a list: "
        f"{loss.words[:160]!r}; fix the reading, or accept the loss in the manifest "
        "(accept_loss, with a reason)")
