"""The error-reporting walk: every violated constraint, and for oneOf/anyOf the intended
alternative's errors rather than every alternative's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._errors import ValidationError
from ._keywords import KEYWORDS, At, Check, Errors, branch_name, error, json_type

# Cheap, decisive keywords first: a failed alternative is told apart sooner.
_FIRST = ("type", "required", "const", "enum")
# Plans are cached by schema identity and keep their schema alive; callers that walk
# schemas built on the fly (merged alternatives in the mock's answers and the fuzzer's
# breaks) would otherwise grow the cache without end in a long-running process.
PLAN_CACHE_LIMIT = 4096
Plan = list[tuple[Check, Any]]
EngineFor = Callable[[dict[str, Any]], Any]  # a schema -> an engine with is_valid(instance)


class Walker:
    """The walk. Given ``engine_for``, a container the engine accepts is not walked: the engine
    answers for it in one call, and only the subtrees it refuses are walked in Python (an
    invalid request is mostly valid; without this, each alternative of each message item is
    walked)."""

    def __init__(self, engine_for: EngineFor | None = None) -> None:
        self._plans: dict[int, tuple[dict[str, Any], Plan]] = {}
        self._engine_for = engine_for
        self._engines: dict[int, tuple[dict[str, Any], Any]] = {}

    def seed(self, schema: dict[str, Any], engine: Any) -> None:
        """Use ``engine`` (already compiled) for ``schema``."""
        self._engines[id(schema)] = (schema, engine)

    def _verdict(self, schema: dict[str, Any], instance: Any) -> bool | None:
        """The engine's verdict on ``instance`` against ``schema``; None when the part does not
        compile alone (the walk decides)."""
        cached = self._engines.get(id(schema))
        if cached is None or cached[0] is not schema:
            assert self._engine_for is not None
            try:
                engine = self._engine_for(schema)
            except ValueError:  # a part that does not compile alone: it is walked
                engine = None
            if len(self._engines) >= PLAN_CACHE_LIMIT:
                self._engines.clear()
            cached = self._engines[id(schema)] = (schema, engine)
        return None if cached[1] is None else bool(cached[1].is_valid(instance))

    def _plan(self, schema: dict[str, Any]) -> Plan:
        cached = self._plans.get(id(schema))
        if cached is not None and cached[0] is schema:
            return cached[1]
        order = sorted(schema, key=lambda k: _FIRST.index(k) if k in _FIRST else len(_FIRST))
        plan = [(KEYWORDS[k], schema[k]) for k in order if k in KEYWORDS]
        if len(self._plans) >= PLAN_CACHE_LIMIT:
            self._plans.clear()  # a compiled schema's plans come back at its next walk
        self._plans[id(schema)] = (schema, plan)  # the schema is kept, so its id stays its own
        return plan

    def descend(self, schema: Any, instance: Any, at: At) -> Errors:
        if schema is True:
            return
        if schema is False:
            yield error(at, {}, "false", "no value is allowed here", False, instance)
            return
        if (self._engine_for is not None and type(instance) in _CONTAINERS
                and self._verdict(schema, instance)):
            return
        yield from self._walk(schema, instance, at)

    def _walk(self, schema: dict[str, Any], instance: Any, at: At) -> Errors:
        for check, limit in self._plan(schema):
            yield from check(self, limit, instance, schema, at)

    def is_valid(self, schema: Any, instance: Any) -> bool:
        if self._engine_for is not None and isinstance(schema, dict):
            verdict = self._verdict(schema, instance)  # the engine's, never half a walk
            if verdict is not None:
                return verdict
        return next(iter(self.descend(schema, instance, At("", ""))), None) is None

    def errors(self, schema: Any, instance: Any) -> list[ValidationError]:
        """Every violated constraint; the root is walked without asking an engine (callers
        walk what their engine refused)."""
        if not isinstance(schema, dict):  # true or false
            return list(self.descend(schema, instance, At("", "")))
        return list(self._walk(schema, instance, At("", "")))

    def rank_alternatives(self, branches: list[Any], instance: Any, at: At, keyword: str
                          ) -> list[tuple[tuple[Any, ...], int, list[ValidationError]]]:
        """(rank, index, errors) of the alternatives in the running; the lowest rank is the
        alternative the payload was meant for (its index breaks ties)."""
        complete = [index for index, branch in enumerate(branches)
                    if _has_its_required(branch, instance)]
        candidates = complete if len(complete) == 1 else range(len(branches))
        ranked = []
        for index in candidates:
            found = list(self.descend(branches[index], instance, at.sub(f"{keyword}/{index}")))
            wrong_type = any(e.keyword == "type" and e.pointer == at.pointer for e in found)
            deepest = max((e.pointer.count("/") for e in found), default=0)
            rank = (index not in complete, wrong_type, -deepest, len(found), index)
            ranked.append((rank, index, found))
        return ranked

    def clear_choice(self, branches: list[Any], instance: Any) -> int | None:
        """The alternative meant, when the ranking chooses it without falling back on order."""
        ranked = sorted(self.rank_alternatives(branches, instance, At("", ""), "oneOf"))
        if len(ranked) > 1 and ranked[0][0][:-1] == ranked[1][0][:-1]:
            return None
        return ranked[0][1]

    def intended_branch_errors(self, branches: list[Any], instance: Any, at: At,
                               keyword: str, node: dict[str, Any]) -> Errors:
        """The errors of the alternative the payload was meant for.

        Meant for: the one whose required members are all present; among those (or if
        none), the one whose type fits, then the one the payload follows furthest (its
        errors lie deepest), then the one with the fewest errors, then the first. When no
        alternative's type fits, one type error names them all; when the ranking ties on
        alternatives that each only miss required members, one error names each way out.
        """
        ranked = sorted(self.rank_alternatives(branches, instance, at, keyword))
        merged = _no_type_fits(branches, ranked, instance, at, node) or _missing_any(
            branches, ranked, at, node)
        if merged is not None:
            yield merged
            return
        _, index, found = ranked[0]
        name = branch_name(branches[index], index)
        if not found:  # cannot happen when no alternative matched; stay truthful anyway
            yield error(at, node, keyword, "matches none of the alternatives", None, instance)
            return
        for item in found:
            if "(checked as " in item.message:  # a nested alternative already says which
                yield item
                continue
            yield ValidationError(item.pointer, item.keyword, f"{item.message} (checked as "
                                  f"{name}, the alternative this payload is meant for)",
                                  item.limit, item.value, item.source, item.schema_path)


_CONTAINERS = (dict, list)
Ranked = list[tuple[tuple[Any, ...], int, list[ValidationError]]]


def _no_type_fits(branches: list[Any], ranked: Ranked, instance: Any, at: At,
                  node: dict[str, Any]) -> ValidationError | None:
    """``integer given where string or array is expected``: every alternative typed, none
    of them the value's type."""
    names: list[str] = []
    for branch in branches:
        declared = branch.get("type") if isinstance(branch, dict) else None
        if declared is None:
            return None
        names += [n for n in (declared if isinstance(declared, list) else [declared])
                  if n not in names]
    if len(ranked) != len(branches) or not all(
            any(e.keyword == "type" and e.pointer == at.pointer for e in found)
            for _, _, found in ranked):
        return None
    return error(at, node, "type", f"{json_type(instance)} given where "
                 f"{' or '.join(names)} is expected", names, instance)


def _missing_any(branches: list[Any], ranked: Ranked, at: At,
                 node: dict[str, Any]) -> ValidationError | None:
    """``'prompt' or 'messages' is required``: the best-ranked alternatives tie, and each
    only misses required members here."""
    tied = [entry for entry in ranked if entry[0][:-1] == ranked[0][0][:-1]]
    if len(tied) < 2:
        return None
    ways = []
    for _, _, found in tied:
        if not found or any(e.keyword != "required" or e.pointer != at.pointer for e in found):
            return None
        ways.append(" and ".join(repr(e.value) for e in found))
    return error(at, node, "required", f"{' or '.join(ways)} is required",
                 [w for w in ways], None)


def _has_its_required(branch: Any, instance: Any) -> bool:
    wanted = branch.get("required", []) if isinstance(branch, dict) else []
    return isinstance(instance, dict) and bool(wanted) and all(n in instance for n in wanted)
