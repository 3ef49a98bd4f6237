"""Checking a hand-read fact sheet (tests/facts/*.toml) against what ingest read.

A fact names a path a user writes (``parameters.temperature``, ``messages[].content``,
``questions.*.type``); every schema node that path can reach is found, into alternatives
(``oneOf``/``anyOf``/``allOf``) on the way, and the fact holds when one of them says it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wirespec.validators._keywords import equal as json_equal

FACTS = Path(__file__).resolve().parent / "facts"
ALTERNATIVES = ("oneOf", "anyOf", "allOf")


@dataclass(frozen=True)
class Verdict:
    fact: dict[str, Any]
    model: str
    outcome: str  # right | wrong | missing
    found: Any = None

    def __str__(self) -> str:
        fact = self.fact
        return (f"{self.outcome}: {self.model} {fact['kind']} {fact['path'] or '/'} "
                f"{fact['keyword']} = {fact['value']!r} (line {fact['line']}: "
                f"{fact['quote'][:60]!r}) found {self.found!r}")


def sheets() -> list[Path]:
    return sorted(FACTS.glob("*.toml"))


def load_sheet(path: Path) -> dict[str, Any]:
    with path.open("rb") as stream:
        return tomllib.load(stream)


def _with_alternatives(node: Any) -> Iterator[dict[str, Any]]:
    """``node`` and every alternative inside it (the ways a value can match it)."""
    if not isinstance(node, dict):
        return
    yield node
    for keyword in ALTERNATIVES:
        for branch in node.get(keyword, ()):
            yield from _with_alternatives(branch)


def _steps(path: str) -> list[str]:
    """``messages[].content`` -> ``["messages", "[]", "content"]``."""
    steps = []
    for part in path.split(".") if path else []:
        name = part.rstrip("[]")
        if name:
            steps.append(name)
        steps += ["[]"] * (part[len(name):].count("[]"))
    return steps


def nodes_at(schema: dict[str, Any], path: str) -> list[tuple[dict[str, Any], dict[str, Any] | None,
                                                               str | None]]:
    """(node, its parent object, its member name) for every node ``path`` reaches."""
    found: list[tuple[dict[str, Any], dict[str, Any] | None, str | None]] = [(schema, None, None)]
    for step in _steps(path):
        following = []
        for node, _, _ in found:
            for option in _with_alternatives(node):
                if step == "[]":
                    items = option.get("items")
                    following += [(items, option, None)] if isinstance(items, dict) else []
                elif step == "*":
                    extra = option.get("additionalProperties")
                    following += [(extra, option, None)] if isinstance(extra, dict) else []
                    following += [(child, option, None) for child in
                                  option.get("patternProperties", {}).values()]
                elif step in option.get("properties", {}):
                    following.append((option["properties"][step], option, step))
        found = following
    return found


def _types(node: dict[str, Any]) -> set[str]:
    types: set[str] = set()
    for option in _with_alternatives(node):
        declared = option.get("type")
        types |= {declared} if isinstance(declared, str) else set(declared or ())
    return types


def _holds(fact: dict[str, Any], node: dict[str, Any], parent: dict[str, Any] | None,
           name: str | None, limits: dict[str, Any]) -> tuple[bool, Any]:
    keyword, value = fact["keyword"], fact["value"]
    if keyword == "limit":
        stated = limits.get(value["name"], {})
        stated = stated.get("value") if isinstance(stated, dict) else stated
        return stated == value["value"], stated
    if keyword == "type":
        wanted = {value} if isinstance(value, str) else set(value)
        return _types(node) == wanted, sorted(_types(node))
    if keyword == "nullable":
        nullable = "null" in _types(node) or any(
            None in option.get("enum", ()) for option in _with_alternatives(node))
        return nullable == value, nullable
    if keyword == "required":
        required = name is not None and parent is not None and any(
            name in option.get("required", ()) for option in _with_alternatives(parent))
        return required == value, required
    if keyword == "enum":
        options = [o for option in _with_alternatives(node) for o in option.get("enum", ())]
        options = sorted({str(o) for o in options if o is not None})
        return options == sorted(map(str, value)), options
    seen = [option[keyword] for option in _with_alternatives(node) if keyword in option]
    return any(json_equal(found, value) for found in seen), seen


def _error_body(schema: dict[str, Any], status: str) -> list[dict[str, Any]]:
    """The error bodies of ``status`` (each alternative that lists it, or every alternative
    where none says which status it is)."""
    bodies = schema.get("anyOf", [schema]) if "anyOf" in schema and not schema.get(
        "properties") else [schema]
    listed = [b for b in bodies if status in map(str, b.get("x-status", {}))]
    return listed or bodies


def check_fact(fact: dict[str, Any], model: str, schemas: dict[str, dict[str, Any]],
               limits: dict[str, Any]) -> Verdict:
    schema = schemas.get(fact["kind"])
    if fact["path"] == "model" and fact["keyword"] == "enum" and schema is not None:
        # one schema per model: each says its own id; the enum is the list of them
        const = schema.get("properties", {}).get("model", {}).get("const")
        if const is None:
            const = next((b.get("properties", {}).get("model", {}).get("const")
                          for b in schema.get("oneOf", [])), None)
        return Verdict(fact, model, "right" if const in fact["value"] else "wrong", const)
    if fact["kind"] == "error" and ":" in fact["path"] and schema is not None:
        status, _, rest = fact["path"].partition(":")
        for body in _error_body(schema, status):
            verdict = check_fact({**fact, "path": rest}, model, {"error": body}, limits)
            if verdict.outcome == "right":
                break
        return Verdict(fact, model, verdict.outcome, verdict.found)
    if fact["keyword"] == "limit":
        holds, found = _holds(fact, {}, None, None, limits)
        return Verdict(fact, model, "right" if holds else "missing" if found is None else
                       "wrong", found)
    if schema is None:
        return Verdict(fact, model, "missing", f"no {fact['kind']} schema")
    reached = nodes_at(schema, fact["path"])
    if not reached:
        return Verdict(fact, model, "missing", "the path reaches no node")
    found_values = []
    if fact["keyword"] in ("type", "enum") and len(reached) > 1:
        # alternatives that each allow one kind or value: the member allows their union
        reached = [*reached, ({"anyOf": [node for node, _, _ in reached]}, None, None)]
    for node, parent, name in reached:
        holds, found = _holds(fact, node, parent, name, limits)
        if holds:
            return Verdict(fact, model, "right", found)
        found_values.append(found)
    empty = all(v in (None, [], False, set()) for v in found_values)
    return Verdict(fact, model, "missing" if empty else "wrong", found_values)
