"""Realistic requests for live runs: what a careful client sends, not what the limits allow.

A contract run against a real provider should fail on the provider's regressions, not on the
documents' gaps, and should cost little. So a realistic request holds the members the
schema requires (and something to read where none of them is a text), an output cap set
small (``max_tokens`` at most ``SMALL_OUTPUT``), and, on every third request, the sampling
parameters at their documented ``default`` or example (which asks for nothing the provider
would not do anyway). Values come from the documents' ``examples`` and ``default``, else
from well inside the documented range; texts are short questions of our own, never drawn
unicode. Nothing the schema does not name, no control
characters; the request is checked against the model's schema before it is handed out.
Where a request can take several shapes (a prompt or a conversation), successive requests
take them in turn.

Plain seeded builders rather than hypothesis strategies: the same (model, number, seed)
always gives the same request, and a live run needs no test dependencies.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wirespec._exceptions import WirespecError
from wirespec.validators._engine import check_value, compiled
from wirespec.validators._schema_walk import integer_bounds, merged, types_of
from wirespec.validators._walker import Walker

SMALL_OUTPUT = 16  # tokens asked for at most: enough for "Hello!", cheap on any price list
PROMPTS = ("Say hello.", "What is 2 + 2?", "Name a primary colour.", "Reply with the word ok.",
           "Translate 'good morning' into French.", "Give one synonym for quick.")
WORD = "hello"
# the members that cap what a model writes: one of them is set to SMALL_OUTPUT
OUTPUT_CAPS = ("max_tokens", "max_completion_tokens", "max_new_tokens", "max_output_tokens")
# members that carry what the model reads: a short prompt of ours, not the document's example
TEXT_MEMBERS = frozenset({"prompt", "content", "text", "query", "input", "input_text",
                          "question", "user", "bot", "system"})
# sampling parameters: sent with their documented default (or example) on every third
# request; other optional members (tool choice, reasoning effort, formats) can cost more or
# need company (tools) that a short question does not have
SAMPLING = ("temperature", "top_p", "top_k", "min_p", "seed", "repetition_penalty",
            "presence_penalty", "frequency_penalty")
# the runner sets the stream flag (every other request); a realistic request leaves it alone
LEFT_TO_THE_RUNNER = frozenset({"stream"})
_TYPE_ORDER = ("string", "object", "integer", "number", "boolean", "array", "null")
_WALKER = Walker()
_NOTHING = object()  # no fitting value here


class NoRealisticRequest(WirespecError):
    """The builders cannot make a valid request for the model (a document gap to report)."""


@dataclass(frozen=True)
class _Turn:
    """What one request is made from: which shape it takes (a prompt or messages), its
    random source (which short text), and whether sampling parameters go in."""

    shape: int
    rng: random.Random
    sampling: bool


def realistic_request(model_id: str, number: int, seed: int = 0) -> Any:
    """Request ``number`` (from 1) of a realistic run: valid for the model, the same for the
    same arguments. The runner asks for a stream on even numbers, so a shape is kept for
    two requests in a row (sent whole, then streamed); sampling parameters go in on every
    third."""
    engine = compiled(model_id, "request")
    for shift in range(4):  # another shape, then without sampling, before giving up
        for sampling in ((True, False) if number % 3 == 0 else (False,)):
            turn = _Turn((number - 1) // 2 + shift, random.Random(f"{seed}/{number}/{shift}"),
                         sampling)
            payload = schema_value(engine.schema, "", turn)
            if payload is not _NOTHING and acceptable(model_id, payload):
                return payload
    raise NoRealisticRequest(f"{model_id}: no realistic request fits its request schema")


def acceptable(model_id: str, payload: Any) -> bool:
    """Valid, and holding no member the documents do not name."""
    engine = compiled(model_id, "request")
    return check_value(model_id, payload).ok and engine.closed_engine.is_valid(payload)


def short_text(turn: _Turn) -> str:
    return turn.rng.choice(PROMPTS)


def plain(value: Any) -> bool:
    """A documented value fit to send: no control characters, however deep."""
    if isinstance(value, str):
        return not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value)
    if isinstance(value, list):
        return all(plain(item) for item in value)
    if isinstance(value, dict):
        return all(plain(k) and plain(v) for k, v in value.items())
    return True


def documented_values(node: dict[str, Any]) -> list[Any]:
    """The node's ``default`` and ``examples`` that it accepts, in that order."""
    found = ([node["default"]] if "default" in node else []) + [
        example for example in node.get("examples", []) if example is not None]
    return [value for value in found if plain(value) and _WALKER.is_valid(node, value)]


def schema_value(node: Any, name: str, turn: _Turn) -> Any:
    """A realistic value for ``node`` (the schema of member ``name``), or _NOTHING."""
    if not isinstance(node, dict) or not node:
        return short_text(turn)
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return enum_value(node["enum"], name)
    if "oneOf" in node or "anyOf" in node:
        return alternative_value(node, name, turn)
    kinds = types_of(node) or ["string"]
    kind = min(kinds, key=lambda k: _TYPE_ORDER.index(k) if k in _TYPE_ORDER else 99)
    value = _BUILDERS[kind](node, name, turn)
    return value if value is _NOTHING or _WALKER.is_valid(node, value) else _NOTHING


def enum_value(choices: list[Any], name: str) -> Any:
    """A conversation's one message is the user's; otherwise the first documented choice."""
    if name == "role" and "user" in choices:
        return "user"
    return next((choice for choice in choices if plain(choice)), choices[0])


def alternative_value(node: dict[str, Any], name: str, turn: _Turn) -> Any:
    """One alternative's value, among those that carry something to read (a text part
    rather than an image's URL). Shapes of the whole request (a prompt, or messages) are
    taken in turn, request after request; other choices take the plainest that fits (a text
    rather than a list of parts)."""
    keyword = "oneOf" if "oneOf" in node else "anyOf"
    branches = sorted((merged(node, b) for b in node[keyword] if isinstance(b, dict)),
                      key=_plainness)
    built = []
    for branch in branches:
        value = schema_value(branch, name, turn)
        if value is not _NOTHING and _WALKER.is_valid(node, value):
            built.append((branch, value))
    reading = [pair for pair in built if reads(pair[1], name)] or built
    if not reading:
        return _NOTHING
    if _ways_of_asking([branch for branch, _ in reading]):
        return reading[turn.shape % len(reading)][1]
    return reading[0][1]


def reads(value: Any, name: str) -> bool:
    """Whether ``value`` (member ``name``) holds a text for the model to read."""
    if isinstance(value, str):
        return name in TEXT_MEMBERS and bool(value)
    if isinstance(value, dict):
        return any(reads(member, key) for key, member in value.items())
    if isinstance(value, list):
        return any(reads(item, _singular(name)) for item in value)
    return False


def _plainness(branch: dict[str, Any]) -> tuple[int, int]:
    kinds = types_of(branch) or ["string"]
    return (min(_TYPE_ORDER.index(k) if k in _TYPE_ORDER else 99 for k in kinds),
            len(branch.get("required", ())))


def _ways_of_asking(branches: list[dict[str, Any]]) -> bool:
    """Object alternatives told apart by what they require (``prompt`` or ``messages``)."""
    required = {tuple(b.get("required", ())) for b in branches}
    return len(branches) > 1 and len(required) == len(branches) and all(
        "object" in (types_of(b) or ["object"]) for b in branches)


def object_value(node: dict[str, Any], name: str, turn: _Turn) -> Any:
    """The required members (and a text, when none of them holds one); the output cap, set
    small; on some requests, the sampling parameters' documented values; an optional object
    only when it ends up holding one of those."""
    members = node.get("properties", {})
    required = [m for m in node.get("required", ()) if isinstance(m, str)]
    value: dict[str, Any] = {}
    for member in required:
        found = schema_value(members.get(member, {}), member, turn)
        if found is _NOTHING:
            return _NOTHING
        value[member] = found
    if not reads(value, name):
        value.update(something_to_read(members, turn))
    for member, schema in members.items():
        if member not in value and member not in LEFT_TO_THE_RUNNER:
            found = optional_value(schema, member, turn, capped=_capped(value))
            if found is not _NOTHING:
                value[member] = found
    return value


def something_to_read(members: dict[str, Any], turn: _Turn) -> dict[str, Any]:
    """The first optional text member, when the schema names one and requires none (a speech
    model's ``text``): a request without anything to read is no request."""
    for name, schema in members.items():
        if name in TEXT_MEMBERS and isinstance(schema, dict) and "string" in (
                types_of(schema) or ["string"]):
            text = schema_value(schema, name, turn)
            if text is not _NOTHING:
                return {name: text}
    return {}


def _capped(value: dict[str, Any]) -> bool:
    return any(cap in value for cap in OUTPUT_CAPS)


def optional_value(schema: Any, name: str, turn: _Turn, *, capped: bool) -> Any:
    if not isinstance(schema, dict):
        return _NOTHING
    if name in OUTPUT_CAPS:
        return _NOTHING if capped else output_cap(schema)
    if types_of(schema) == ["object"] and "properties" in schema:
        inner = object_value(schema, name, turn)
        return inner if isinstance(inner, dict) and inner else _NOTHING
    if turn.sampling and name in SAMPLING:
        documented = [v for v in documented_values(schema)
                      if isinstance(v, int | float) and not isinstance(v, bool)]
        return documented[0] if documented else _NOTHING
    return _NOTHING


def output_cap(schema: dict[str, Any]) -> Any:
    """``SMALL_OUTPUT`` tokens, moved inside the documented range when it lies outside."""
    if "integer" not in types_of(schema) and "number" not in types_of(schema):
        return _NOTHING
    low, high = integer_bounds(schema)
    cap = SMALL_OUTPUT if high is None else min(SMALL_OUTPUT, high)
    cap = cap if low is None else max(cap, low)
    return cap if _WALKER.is_valid(schema, cap) else _NOTHING


def string_value(node: dict[str, Any], name: str, turn: _Turn) -> Any:
    texts = [short_text(turn)] if name in TEXT_MEMBERS else []
    by_name = ["user"] if name == "role" else []
    for candidate in [*texts, *documented_values(node), *by_name, WORD]:
        if isinstance(candidate, str):
            fitted = _fitted(candidate, node)
            if _WALKER.is_valid(node, fitted):
                return fitted
    return _NOTHING


def _fitted(text: str, node: dict[str, Any]) -> str:
    """``text`` within the documented length (repeated up to a minimum, cut to a maximum)."""
    low, high = node.get("minLength", 0), node.get("maxLength")
    while len(text) < low:
        text = f"{text} {text}"
    return text[:high] if isinstance(high, int) else text


def integer_value(node: dict[str, Any], name: str, turn: _Turn) -> Any:
    documented = [v for v in documented_values(node) if isinstance(v, int)]
    if documented:
        return documented[0]
    return inside(*integer_bounds(node))


def inside(low: int | None, high: int | None) -> int:
    """Well inside the range: its middle, or a small number near its one bound."""
    if low is not None and high is not None:
        return (low + high) // 2
    if low is not None:
        return max(low, 1)
    if high is not None:
        return min(high, 1)
    return 1


def number_value(node: dict[str, Any], name: str, turn: _Turn) -> Any:
    documented = [v for v in documented_values(node) if isinstance(v, int | float)]
    if documented:
        return documented[0]
    low = node.get("minimum", node.get("exclusiveMinimum"))
    high = node.get("maximum", node.get("exclusiveMaximum"))
    if isinstance(low, int | float) and isinstance(high, int | float):
        return round((low + high) / 2, 3)
    return integer_value(node, name, turn)


def boolean_value(node: dict[str, Any], name: str, turn: _Turn) -> Any:
    documented = [v for v in documented_values(node) if isinstance(v, bool)]
    return documented[0] if documented else False


def array_value(node: dict[str, Any], name: str, turn: _Turn) -> Any:
    """As few items as the schema allows, at least one: one message, one text."""
    if name == "messages":
        conversation = user_turn(node, turn)
        if conversation is not _NOTHING:
            return conversation
    low, high = node.get("minItems", 0), node.get("maxItems")
    count = max(low if isinstance(low, int) else 0, 1)
    if isinstance(high, int):
        count = min(count, high)
    items = [schema_value(node.get("items", {}), _singular(name), turn) for _ in range(count)]
    return _NOTHING if any(item is _NOTHING for item in items) else items


def user_turn(node: dict[str, Any], turn: _Turn) -> Any:
    """A conversation of one user message, as chat APIs have it, where the schema takes it
    (a document may describe the user's message as a bare object, and the system's fully)."""
    conversation = [{"role": "user", "content": short_text(turn)}]
    return conversation if _WALKER.is_valid(node, conversation) else _NOTHING


def _singular(name: str) -> str:
    """An item is named after its list (``texts`` holds a text), for TEXT_MEMBERS."""
    return name[:-1] if name.endswith("s") and name[:-1] in TEXT_MEMBERS else name


def null_value(node: dict[str, Any], name: str, turn: _Turn) -> Any:
    return None


Builder = Callable[[dict[str, Any], str, _Turn], Any]
_BUILDERS: dict[str, Builder] = {
    "object": object_value, "string": string_value, "integer": integer_value,
    "number": number_value, "boolean": boolean_value, "array": array_value, "null": null_value}
