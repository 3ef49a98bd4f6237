"""Property runs: valid and just-invalid payloads per model, three verdicts compared
(jsonschema, the validator, the generated model), and each limit's two sides counted."""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from pydantic import BaseModel, ValidationError

from wirespec._exceptions import UnknownKindError
from wirespec.generated import _index as generated
from wirespec.validators._engine import CompiledSchema, compiled
from wirespec.validators._keywords import At
from wirespec.validators._keywords import equal as json_equal
from wirespec.validators._reference import reference_validator
from wirespec.validators._schema_walk import iter_subschemas, resolve

from ._bounds import Bounds, Draws, Interrupted, OutOfAttempts, OutOfTime
from ._mutations import InvalidExample, Site, apply, sites
from ._values import at_limit, reaching, values

COUNTED = ("type", "enum", "const", "minimum", "maximum", "exclusiveMinimum",
           "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "required",
           "oneOf", "anyOf")
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
          "maxLength", "minItems", "maxItems")


def valid(model_id: str, kind: str = "request") -> st.SearchStrategy[Any]:
    """Payloads the model's schema accepts, reaching every limit and every alternative."""
    engine = compiled(model_id, kind)
    return values(engine.schema).filter(engine.is_valid)


def invalid(model_id: str, kind: str = "request") -> st.SearchStrategy[InvalidExample]:
    """Payloads that break exactly one constraint; each says which, and where it is reported."""
    return _invalid(compiled(model_id, kind))


def breaking_each(engine: CompiledSchema) -> dict[str, st.SearchStrategy[InvalidExample]]:
    """Per constraint: payloads that reach it, then break it."""
    return {target: _breaking(engine, target,
                              values(reaching(engine.schema, target)).filter(engine.is_valid))
            for target in sorted(constraints(engine.schema))}


def _invalid(engine: CompiledSchema) -> st.SearchStrategy[InvalidExample]:
    """A target constraint is drawn first (over all of the schema's constraints, so rare ones
    are broken too), then a valid payload that reaches it."""
    each = breaking_each(engine)
    return st.sampled_from(sorted(each)).flatmap(lambda target: each[target])


@st.composite
def _breaking(draw: st.DrawFn, engine: CompiledSchema, target: str,
              payloads: st.SearchStrategy[Any]) -> InvalidExample:
    payload = draw(payloads)
    found = list(sites(engine.schema, payload))
    assume(found)
    aimed = [site for site in found if site.schema_path == target]
    site = draw(st.sampled_from(aimed or found))
    broken = apply(payload, site)
    assume(not engine.is_valid(broken))
    assume(_still_meant_for_the_same_alternatives(engine, site, broken))
    assume(_matches_several_when_meant_to(engine, site, broken))
    return InvalidExample(broken, site.reported_at, site.keyword, site.schema_path)


def _still_meant_for_the_same_alternatives(engine: CompiledSchema, site: Site,
                                           broken: Any) -> bool:
    """A break inside an alternative names that alternative's constraint while the payload
    is still meant for it, or while every alternative tied for first would name it too."""
    for alternatives, index, pointer in site.within:
        try:
            branches = resolve(engine.schema, alternatives)
            value = resolve(broken, pointer)
        except (KeyError, IndexError, TypeError):
            return False
        if engine.walker.is_valid({"anyOf": branches}, value):
            continue  # some alternative still matches: nothing is chosen here
        ranked = sorted(engine.walker.rank_alternatives(branches, value, At("", ""), "x"))
        best = [entry for entry in ranked if entry[0][:-1] == ranked[0][0][:-1]]
        if len(best) == 1 and best[0][1] == index:
            continue
        wanted = (site.reported_at[len(pointer):], site.keyword)
        if not all(wanted in {(e.pointer, e.keyword) for e in found} for _, _, found in best):
            return False
    return True


def _matches_several_when_meant_to(engine: CompiledSchema, site: Site, broken: Any) -> bool:
    """A oneOf break adds another alternative's members so that two alternatives match. Where
    they still do not (clef's questions: a member present, ``type: "noul"``, rules the other
    alternative out), the payload is still meant for its own alternative, and the validator
    rightly names that alternative's constraint: not the break drawn, so not drawn."""
    if site.keyword != "oneOf":
        return True
    try:
        branches = resolve(engine.schema, site.schema_path)
        value = resolve(broken, site.pointer)
    except (KeyError, IndexError, TypeError):
        return False
    return sum(engine.walker.is_valid(branch, value) for branch in branches) >= 2


def constraints(schema: dict[str, Any]) -> set[str]:
    """Every counted constraint, as the schema pointer of its keyword."""
    return {f"{pointer}/{keyword}" for pointer, node in iter_subschemas(schema)
            for keyword in COUNTED if keyword in node}


def at_the_limit(schema: dict[str, Any], payload: Any, site: Site) -> bool:
    """Whether a valid payload sits exactly on ``site``'s bound (or applies it at all)."""
    if site.keyword not in BOUNDS:
        return True
    bound = resolve(schema, site.schema_path)
    value = resolve(payload, site.pointer)
    if site.keyword in ("minLength", "maxLength", "minItems", "maxItems"):
        return bool(len(value) == bound)
    if site.keyword in ("minimum", "maximum"):
        return bool(value == bound)
    direction = math.inf if site.keyword == "exclusiveMinimum" else -math.inf
    step = 1 if site.keyword == "exclusiveMinimum" else -1
    return bool(value == math.nextafter(bound, direction) or (
        isinstance(value, int) and value == bound + step))


class Disagreement(AssertionError):
    """Two verdicts differ. ``constraint`` is the schema pointer of the keyword at stake,
    when one is (its ``x-source`` says which document line it comes from)."""

    def __init__(self, what: str, payload: Any, constraint: str | None = None) -> None:
        self.what = what
        self.payload = payload
        self.constraint = constraint
        super().__init__(f"{what}: {payload!r}"[:2000])

    def __reduce__(self) -> tuple[type[Disagreement], tuple[str, Any, str | None]]:
        # crosses process boundaries (`wirespec fuzz -j N`) intact
        return (type(self), (self.what, self.payload, self.constraint))


@dataclass
class FuzzResult:
    model: str
    kind: str
    constraints: set[str]
    valid_side: set[str] = field(default_factory=set)
    invalid_side: set[str] = field(default_factory=set)
    examples: int = 0
    disagreement: Disagreement | None = None
    # constraints no single change can break: every mutation was drawn and another
    # alternative accepted each (hypothesis ran out of draws to make)
    unbreakable: set[str] = field(default_factory=set)
    # constraints no draw broke alone within the bound (``Bounds.attempts``): not a proof
    unbroken: set[str] = field(default_factory=set)
    stopped: str | None = None  # "time" (the deadline passed) or "interrupted" (Ctrl-C)

    @property
    def both_sides(self) -> set[str]:
        return self.constraints & self.valid_side & self.invalid_side

    @property
    def coverage(self) -> float:
        """Share of the constraints that can be broken alone, exercised on both sides; those
        the bounded search could not break alone are left out as well (and listed)."""
        breakable = self.constraints - self.unbreakable - self.unbroken
        return len(self.both_sides & breakable) / len(breakable) if breakable else 1.0


def _model_verdict(typed: type[BaseModel], payload: Any) -> tuple[bool, Any]:
    try:
        instance = typed.model_validate(payload)
    except ValidationError:
        return False, None
    return True, instance.model_dump(mode="json", by_alias=True, exclude_unset=True)


def check_valid(result: FuzzResult, engine: CompiledSchema, reference: Any,
                typed: type[BaseModel], payload: Any) -> None:
    if not reference.is_valid(payload):
        raise Disagreement("the valid strategy drew a payload jsonschema rejects", payload)
    report = engine.report(payload)
    if not report.ok:
        raise Disagreement("the validator rejects a valid payload", payload,
                           report.errors[0].schema_path or None)
    accepted, dumped = _model_verdict(typed, payload)
    if not accepted:
        raise Disagreement("the generated model rejects a valid payload", payload)
    if not json_equal(dumped, payload):
        raise Disagreement("a model round trip changed the payload", payload)
    for site in sites(engine.schema, payload):
        if at_the_limit(engine.schema, payload, site):
            result.valid_side.add(site.schema_path)


def check_invalid(result: FuzzResult, engine: CompiledSchema, reference: Any,
                  typed: type[BaseModel], example: InvalidExample) -> None:
    payload = example.payload
    at_stake = example.schema_path
    if reference.is_valid(payload):
        raise Disagreement(f"jsonschema accepts a payload breaking {example.keyword} at "
                           f"{example.pointer or '/'}", payload, at_stake)
    report = engine.report(payload)
    if report.ok:
        raise Disagreement("the validator accepts an invalid payload", payload, at_stake)
    if _model_verdict(typed, payload)[0]:
        raise Disagreement("the generated model accepts an invalid payload", payload,
                           at_stake)
    reported = {(e.pointer, e.keyword) for e in report.errors}
    if (example.pointer, example.keyword) not in reported:
        raise Disagreement(f"the validator does not report {example.keyword} at "
                           f"{example.pointer or '/'} (it reports {sorted(reported)})", payload,
                           at_stake)
    result.invalid_side.add(example.schema_path)


def run(model_id: str, kind: str = "request", *, examples: int = 200, seed_value: int = 0,
        engine: CompiledSchema | None = None, bounds: Bounds | None = None) -> FuzzResult:
    """Draw ``examples`` valid and ``examples`` invalid payloads; stop at the first
    disagreement, shrunk to a minimal payload. ``engine`` replaces the validator under test.
    ``bounds``: a deadline (the result then says ``stopped``), the fruitless draws a
    constraint gets, progress. Ctrl-C raises :class:`Interrupted` with the result so far."""
    truth = compiled(model_id, kind)
    engine = engine or truth
    bounds = bounds or Bounds()
    reference = reference_validator(truth.schema)
    typed = generated.load(truth.model, kind)
    if typed is None:  # generated/ is behind schemas/: `wirespec generate` first
        raise UnknownKindError(truth.model, kind, [])
    result = FuzzResult(truth.model, kind, constraints(truth.schema))
    checks = _Checks(result, engine, reference, typed, bounds, seed_value)
    try:
        _run_all(checks, truth, examples)
    except Disagreement as found:
        result.disagreement = found
    except OutOfTime:
        result.stopped = "time"
    except KeyboardInterrupt:
        result.stopped = "interrupted"
        raise Interrupted(result) from None
    return result


def _run_all(checks: _Checks, truth: CompiledSchema, examples: int) -> None:
    result = checks.result
    each = breaking_each(truth)
    # every constraint is reached, and every bound drawn exactly, not left to chance
    aimed = [at_limit(truth.schema, target) or reaching(truth.schema, target)
             for target in sorted(result.constraints)]
    checks.prop(values(truth.schema).filter(truth.is_valid), examples, check_valid)
    for schema in aimed:
        # unsatisfiable, or not drawn within the bound: its valid side shows as not exercised
        with contextlib.suppress(Unsatisfiable, OutOfAttempts):
            checks.prop(values(schema).filter(truth.is_valid), 2, check_valid, bounded=True)
    for target, breaking in each.items():  # every constraint gets its own share
        before = len(result.invalid_side)
        try:
            checks.prop(breaking, max(2, examples // max(1, len(each))), check_invalid,
                        bounded=True)
        except Unsatisfiable:
            result.unbreakable.add(target)
        except OutOfAttempts:
            if len(result.invalid_side) == before and target not in result.invalid_side:
                result.unbroken.add(target)


@dataclass
class _Checks:
    """What every property run of one model and kind shares."""

    result: FuzzResult
    engine: CompiledSchema
    reference: Any
    typed: type[BaseModel]
    bounds: Bounds
    seed_value: int

    def prop(self, strategy: st.SearchStrategy[Any], count: int, check: Any, *,
             bounded: bool = False) -> None:
        """``check(result, engine, reference, typed, drawn)`` on ``count`` draws; ``bounded``:
        at most ``bounds.attempts`` fruitless draws in a row."""
        result = self.result
        draws = Draws(self.bounds, lambda: result.examples, bounded=bounded)

        @seed(self.seed_value)
        @settings(max_examples=count, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
        @given(draws.wrap(strategy))
        def checked(drawn: Any) -> None:
            result.examples += 1
            try:
                check(result, self.engine, self.reference, self.typed, drawn)
            except Disagreement as found:
                # kept as found: a deadline while it is shrunk leaves this one, not none
                draws.failing = True
                result.disagreement = found
                raise

        try:
            checked()
        except OutOfTime:
            if result.disagreement is not None:  # cut short while shrinking: keep it
                result.stopped = "time"
                raise result.disagreement from None
            raise
