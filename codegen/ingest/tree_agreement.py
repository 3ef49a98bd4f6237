"""How far a rendered parameter tree agrees with the JSON Schema of the same page.

Both are flattened into ``(path, keyword, value)`` facts, where ``path`` follows
properties, items, additionalProperties and oneOf branches. A ``type`` on a node with
``oneOf`` is pushed into branches that lack one (the JSON puts it on the parent, the tree on
each branch: the same constraint).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

COMPARED = ("type", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
            "default", "description", "format", "required", "title", "enum")
# What the renderer never draws: these may be absent from the tree without disagreeing.
NOT_RENDERED = {"required", "format", "title"}

Fact = tuple[str, str, str]


def facts(schema: dict[str, Any], path: str = "", inherited_type: Any = None) -> set[Fact]:
    found: set[Fact] = set()
    own_type = schema.get("type", inherited_type)
    branches = schema.get("oneOf")
    for keyword in COMPARED:
        # a type over oneOf branches is counted in the branches, where the tree puts it
        value = (None if branches else own_type) if keyword == "type" else schema.get(keyword)
        if value is not None:
            found.add((path or "/", keyword, json.dumps(value, sort_keys=True)))
    if branches:
        found.add((path or "/", "oneOf", str(len(branches))))
        for index, branch in enumerate(branches):
            found |= facts(branch, f"{path}/oneOf/{index}", own_type)
    for name, child in schema.get("properties", {}).items():
        found |= facts(child, f"{path}/properties/{name}")
    for keyword in ("items", "additionalProperties"):
        if isinstance(schema.get(keyword), dict):
            found |= facts(schema[keyword], f"{path}/{keyword}")
    return found


@dataclass
class Agreement:
    agree: set[Fact]
    json_only: set[Fact]
    tree_only: set[Fact]

    @property
    def contradictions(self) -> set[tuple[str, str]]:
        """(path, keyword) pairs both sides state, with different values."""
        json_keys = {(p, k) for p, k, _ in self.json_only}
        return json_keys & {(p, k) for p, k, _ in self.tree_only}

    @property
    def unexplained(self) -> set[Fact]:
        """JSON facts the tree lacks that the renderer does draw (a boolean false default
        is not drawn either)."""
        return {f for f in self.json_only
                if f[1] not in NOT_RENDERED and not (f[1] == "default" and f[2] == "false")}


def compare(tree: dict[str, Any], published: dict[str, Any]) -> Agreement:
    tree_facts, json_facts = facts(tree), facts(published)
    return Agreement(tree_facts & json_facts, json_facts - tree_facts, tree_facts - json_facts)
