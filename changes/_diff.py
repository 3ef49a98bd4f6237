"""A semantic diff of two schemas, each change decided by what is accepted.

A change is judged alone: the old node with that one change applied (``mid``) against the old
node. For a request it is **breaking** when a value the old node accepted is rejected (a
witness is found and checked by the reference validator), **non-breaking** when a rule proves
the new accepts everything the old did (_sets), **unknown** otherwise. For a response, stream
event or error body the direction is reversed: breaking when a caller may now meet a value
the old schema did not allow (a member gone, a type or bound widened). Changes inside a
``oneOf`` alternative are also judged at the alternatives (a widened alternative may overlap
another, and a value matching two is rejected). Equal accepted sets report nothing.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from ._sets import ALTERNATIVES, SOURCE, cleaned, covers, normalized
from ._witness import found, witness

BREAKING, NON_BREAKING, UNKNOWN = "breaking", "non-breaking", "unknown"
ASPECTS: dict[str, tuple[str, ...]] = {
    "range": ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"),
    "length": ("minLength", "maxLength"),
    "item count": ("minItems", "maxItems"),
    "member count": ("minProperties", "maxProperties"),
    "type": ("type",),
    "values": ("enum", "const"),
    "pattern": ("pattern",),
}
LIMITS = ("context_window", "max_input_tokens", "max_output_tokens")


@dataclass(frozen=True)
class Source:
    doc: str
    line: int | None
    quote: str

    @classmethod
    def of(cls, node: Any) -> Source | None:
        found_source = node.get("x-source") if isinstance(node, dict) else None
        if not isinstance(found_source, dict) or "doc" not in found_source:
            return None
        return cls(str(found_source["doc"]), found_source.get("line"),
                   str(found_source.get("quote", "")))

    def as_json(self) -> dict[str, Any]:
        return {"doc": self.doc, "line": self.line, "quote": self.quote}


@dataclass(frozen=True)
class Change:
    pointer: str  # in the new schema (the old one's where the node is gone)
    path: str  # as a caller writes it: parameters.temperature, messages[].content
    aspect: str  # range, length, type, values, required, member, limit, alternatives, ...
    old: Any
    new: Any
    classification: str
    reason: str
    witness: Any = None  # a value the old side accepted and the new rejects (or, for a
    has_witness: bool = False  # response, one the new allows and the old did not)
    old_source: Source | None = None
    new_source: Source | None = None
    form: str = ""  # which alternative: "with messages"
    # the two nodes the verdict compared (old, old with this change), for drawing checks
    judged: tuple[Any, Any] | None = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "form": self.form, "pointer": self.pointer or "/",
                "aspect": self.aspect, "old": self.old, "new": self.new,
                "classification": self.classification, "reason": self.reason,
                "example": self.witness if self.has_witness else None,
                "old_source": self.old_source.as_json() if self.old_source else None,
                "new_source": self.new_source.as_json() if self.new_source else None}


@dataclass
class _Walk:
    kind: str
    old_root: Any
    found: list[Change] = field(default_factory=list)


def changes(old: Any, new: Any, kind: str = "request") -> list[Change]:
    """Every change from ``old`` to ``new`` (two schemas of one kind), judged."""
    walk = _Walk(kind, normalized(old, keep_sources=True))
    _node(walk, walk.old_root, normalized(new, keep_sources=True), "", "", "")
    walk.found += _limits(old, new, kind)
    return walk.found


def summary(found: list[Change]) -> dict[str, int]:
    counts = {BREAKING: 0, NON_BREAKING: 0, UNKNOWN: 0}
    for change in found:
        counts[change.classification] += 1
    return counts


# -- judging one change -----------------------------------------------------------------

Verdict = tuple[str, Any, bool, tuple[Any, Any]]  # class, witness, has one, nodes compared
ONE_OF = "; under oneOf a request that now matches two alternatives is rejected"


def _judge(walk: _Walk, pointer: str, old: Any, mid: Any) -> Verdict | None:
    """The verdict on replacing ``old`` by ``mid`` at ``pointer``; None when both accept the
    same values."""
    request = walk.kind == "request"
    keeps, gains = (mid, old) if request else (old, mid)  # keeps ⊇ gains: non-breaking
    if covers(keeps, gains):
        if covers(gains, keeps):
            return None
        if request and (enclosing := _oneof_ancestor(pointer)) is not None:
            before = _at(walk.old_root, enclosing[0])
            after = _replaced(before, enclosing[1], mid)
            if not covers(after, before):
                value = witness(before, after)
                return (BREAKING, value, True, (before, after)) if found(value) else (
                    UNKNOWN, None, False, (before, after))
            return NON_BREAKING, None, False, (before, after)
        return NON_BREAKING, None, False, (old, mid)
    value = witness(gains, keeps)
    if found(value):
        return BREAKING, value, True, (old, mid)
    return UNKNOWN, None, False, (old, mid)


def _oneof_ancestor(pointer: str) -> tuple[str, str] | None:
    """(the nearest enclosing oneOf node's pointer, the rest) when ``pointer`` is inside one."""
    marker = pointer.rfind("/oneOf/")
    if marker < 0:
        return None
    return pointer[:marker], pointer[marker:]


def _replaced(root: Any, pointer: str, value: Any) -> Any:
    if not pointer:
        return value
    result = copy.deepcopy(root)
    node = result
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    for token in tokens[:-1]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    if isinstance(node, list):
        node[int(tokens[-1])] = value
    else:
        node[tokens[-1]] = value
    return result


def _at(root: Any, pointer: str) -> Any:
    node = root
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def _record(walk: _Walk, pointer: str, path: str, form: str, aspect: str, old_node: Any,
            mid: Any, old_value: Any, new_value: Any, reason: str,
            sources: tuple[Any, Any]) -> None:
    judged = _judge(walk, pointer, old_node, mid)
    if judged is None:
        return
    classification, value, has_witness, nodes = judged
    if classification != NON_BREAKING and nodes[0] is not old_node:  # judged at the oneOf
        reason += ONE_OF
    walk.found.append(Change(pointer, path, aspect, old_value, new_value, classification,
                             reason, value if has_witness else None, has_witness,
                             Source.of(sources[0]), Source.of(sources[1]), form, nodes))


# -- walking both schemas ----------------------------------------------------------------

def _node(walk: _Walk, old: Any, new: Any, pointer: str, path: str, form: str) -> None:
    if cleaned(old) == cleaned(new):
        return
    if not isinstance(old, dict) or not isinstance(new, dict):
        _record(walk, pointer, path, form, "schema", old, new, cleaned(old), cleaned(new),
                "the schema was replaced", (old, new))
        return
    if any(k in old for k in ALTERNATIVES) or any(k in new for k in ALTERNATIVES):
        _alternatives(walk, old, new, pointer, path, form)
        return
    for aspect, keywords in ASPECTS.items():
        before = {k: old[k] for k in keywords if k in old}
        after = {k: new[k] for k in keywords if k in new}
        if before != after:
            mid = {**{k: v for k, v in old.items() if k not in keywords}, **after}
            _record(walk, pointer, path, form, aspect, old, mid, _shown(aspect, before),
                    _shown(aspect, after), f"{aspect} {_shown(aspect, before)} -> "
                    f"{_shown(aspect, after)}", (old, new))
    _members(walk, old, new, pointer, path, form)
    _child(walk, old, new, "items", pointer, f"{path}[]", form)
    _child(walk, old, new, "additionalProperties", pointer, _join(path, "*"), form)


def _shown(aspect: str, part: dict[str, Any]) -> Any:
    """An aspect's keywords as people read them: a range as an interval, values as a list."""
    if aspect == "range":
        low = ("(", part["exclusiveMinimum"]) if "exclusiveMinimum" in part else (
            "[", part.get("minimum", "-inf"))
        high = (part["exclusiveMaximum"], ")") if "exclusiveMaximum" in part else (
            part.get("maximum", "inf"), "]")
        if "minimum" in part and "exclusiveMinimum" in part:  # both written: the tighter
            low = ("(", part["exclusiveMinimum"]) if part["exclusiveMinimum"] >= part[
                "minimum"] else ("[", part["minimum"])
        if "maximum" in part and "exclusiveMaximum" in part:
            high = (part["exclusiveMaximum"], ")") if part["exclusiveMaximum"] <= part[
                "maximum"] else (part["maximum"], "]")
        return "any" if not part else f"{low[0]}{low[1]}, {high[0]}{high[1]}"
    if aspect in ("length", "item count", "member count"):
        least, most = (part.get(k) for k in ASPECTS[aspect])
        unit = {"length": "characters", "item count": "items", "member count": "members"}[aspect]
        return f"{least or 0}..{most if most is not None else '∞'} {unit}"
    if aspect == "type":
        return part.get("type", "any")
    if aspect == "values":
        return part.get("enum", [part["const"]] if "const" in part else "any value")
    if len(part) == 1:
        return next(iter(part.values()))
    return part or None


def _members(walk: _Walk, old: dict[str, Any], new: dict[str, Any], pointer: str, path: str,
             form: str) -> None:
    before, after = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name in sorted({*before, *after}):
        at, member_path = f"{pointer}/properties/{_escape(name)}", _join(path, name)
        if name in before and name in after:
            _node(walk, before[name], after[name], at, member_path, form)
        elif name in after:
            mid = {**old, "properties": {**before, name: after[name]}}
            _record(walk, at, member_path, form, "member", old, mid, None, "documented",
                    f"{member_path} documented ({_summary(after[name])})", (None, after[name]))
        else:
            rest = {k: v for k, v in before.items() if k != name}
            mid = {**old, "properties": rest}
            _record(walk, at, member_path, form, "member", old, mid, "documented", None,
                    f"{member_path} no longer documented", (before[name], None))
    for name in sorted(old_required ^ new_required):
        at, member_path = f"{pointer}/properties/{_escape(name)}", _join(path, name)
        required = sorted(old_required ^ {name})
        mid = {**old, "required": required} if required else {
            k: v for k, v in old.items() if k != "required"}
        now = name in new_required
        _record(walk, at, member_path, form, "required", old, mid, not now, now,
                f"{member_path} {'now required' if now else 'no longer required'}",
                (before.get(name, old), after.get(name, new)))


def _child(walk: _Walk, old: dict[str, Any], new: dict[str, Any], keyword: str, pointer: str,
           path: str, form: str) -> None:
    if keyword not in old and keyword not in new:
        return
    before, after = old.get(keyword, True), new.get(keyword, True)
    if isinstance(before, dict) and isinstance(after, dict):
        _node(walk, before, after, f"{pointer}/{keyword}", path, form)
    elif cleaned(before) != cleaned(after):
        mid = {**old, keyword: after}
        _record(walk, f"{pointer}/{keyword}", path, form, keyword, old, mid, cleaned(before),
                cleaned(after), f"{keyword} {_brief(cleaned(before))} -> "
                f"{_brief(cleaned(after))}", (old, new))


def _alternatives(walk: _Walk, old: dict[str, Any], new: dict[str, Any], pointer: str,
                  path: str, form: str) -> None:
    keyword = next((k for k in ALTERNATIVES if k in old and k in new), None)
    only_alternatives = set(old) - {SOURCE} == set(new) - {SOURCE} == {keyword}
    if keyword is None or len(old[keyword]) != len(new[keyword]) or not only_alternatives:
        counts = [len(node.get(k, [])) for node in (old, new) for k in ALTERNATIVES]
        _record(walk, pointer, path, form, "alternatives", old, new,
                f"{counts[0] + counts[1] or 'no'} alternatives",
                f"{counts[2] + counts[3] or 'no'} alternatives",
                "the alternatives changed", (old, new))
        return
    for index, (one, two) in enumerate(zip(old[keyword], new[keyword], strict=True)):
        _node(walk, one, two, f"{pointer}/{keyword}/{index}", path,
              form or _form(new[keyword], index))


def _form(branches: list[Any], index: int) -> str:
    """An alternative named by a member only it requires (``with messages``)."""
    mine = branches[index].get("required", []) if isinstance(branches[index], dict) else []
    others = [set(b.get("required", [])) for i, b in enumerate(branches)
              if i != index and isinstance(b, dict)]
    for name in mine:
        if not any(name in other for other in others):
            return f"with {name}"
    return f"alternative {index + 1}"


def _summary(node: Any) -> str:
    """A member's schema in a few words: its types, or "any value"."""
    if not isinstance(node, dict):
        return "any value" if node is not False else "no value"
    declared = node.get("type")
    if declared is None:
        count = sum(len(node.get(k, [])) for k in ALTERNATIVES)
        return f"{count} alternatives" if count else "any value"
    return declared if isinstance(declared, str) else " or ".join(declared)


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _brief(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:79] + "…"


# -- token limits ------------------------------------------------------------------------

def _limit(schema: Any, name: str) -> tuple[Any, Any]:
    limits = schema.get("x-limits", {}) if isinstance(schema, dict) else {}
    limit = limits.get(name) if isinstance(limits, dict) else None
    if isinstance(limit, dict):
        return limit.get("value"), limit
    return limit, None


def _limits(old: Any, new: Any, kind: str) -> list[Change]:
    """x-limits: a smaller (or newly documented) limit may reject a request the old allowed."""
    found = []
    for name in LIMITS:
        (before, old_node), (after, new_node) = _limit(old, name), _limit(new, name)
        if before == after:
            continue
        smaller = after is not None and (before is None or after < before)
        classification = (BREAKING if smaller else NON_BREAKING) if kind == "request" else (
            NON_BREAKING)
        reason = (f"{name} {before if before is not None else 'not documented'} -> "
                  f"{after if after is not None else 'not documented'}")
        found.append(Change("/x-limits/" + name, f"(token limit) {name}", "limit", before,
                            after, classification, reason, old_source=Source.of(old_node),
                            new_source=Source.of(new_node)))
    return found
