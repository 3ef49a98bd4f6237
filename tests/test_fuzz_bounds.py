"""The fuzzer's runs stop where they are told: a deadline keeps what was counted, fruitless
draws end a constraint's run (not broken alone within the bound, told apart from a proof),
Ctrl-C hands over the result so far; and a oneOf break that leaves the payload meant for its
own alternative (clef's questions) is not drawn."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from wirespec.fuzzing._bounds import Bounds, Draws, Interrupted, OutOfAttempts, OutOfTime
from wirespec.fuzzing._mutations import apply, sites
from wirespec.fuzzing._runner import _matches_several_when_meant_to, breaking_each, run
from wirespec.validators._engine import compiled

CLEF = "cloudflare:@cf/cloudflare/clef"
SMALL = "cloudflare:@cf/ai4bharat/indictrans2-en-indic-1B"
EMBEDDINGS = "cloudflare:@cf/baai/bge-m3"  # its response: two anyOf alternatives, alike


def test_fruitless_draws_in_a_row_end_a_bounded_run():
    examples = [0]
    draws = Draws(Bounds(attempts=3), lambda: examples[0], bounded=True)
    for _ in range(3):
        draws.start()
    examples[0] += 1  # an example checked: the count starts again
    for _ in range(3):
        draws.start()
    with pytest.raises(OutOfAttempts):
        draws.start()
    unbounded = Draws(Bounds(attempts=3), lambda: 0, bounded=False)
    for _ in range(10):
        unbounded.start()


def test_a_passed_deadline_stops_the_next_draw():
    draws = Draws(Bounds(deadline=time.monotonic() - 1), lambda: 0, bounded=False)
    with pytest.raises(OutOfTime):
        draws.start()


def test_a_deadline_keeps_what_was_counted():
    result = run(SMALL, "request", examples=50, bounds=Bounds(deadline=time.monotonic() - 1))
    assert result.stopped == "time" and result.examples == 0
    assert result.disagreement is None and result.constraints


def test_progress_is_told_the_examples_so_far():
    seen: list[int] = []
    result = run(SMALL, "response", examples=5, bounds=Bounds(tick=seen.append))
    assert seen and seen == sorted(seen) and seen[-1] <= result.examples


def test_ctrl_c_hands_over_the_result_so_far():
    def interrupt(examples: int) -> None:
        if examples >= 3:
            raise KeyboardInterrupt

    with pytest.raises(Interrupted) as stopped:
        run(SMALL, "request", examples=50, bounds=Bounds(tick=interrupt))
    assert stopped.value.result.stopped == "interrupted"
    assert stopped.value.result.examples >= 3


def test_constraints_not_broken_alone_are_listed_apart_from_a_proof():
    result = run(EMBEDDINGS, "response", examples=20, bounds=Bounds(attempts=10))
    assert result.disagreement is None and result.stopped is None
    # an element of the wrong type in one alternative's list fits the other alternative
    assert "/anyOf/0/properties/data/items/type" not in result.invalid_side
    assert result.unbroken and not result.unbreakable
    assert not result.unbroken & result.invalid_side
    assert result.coverage == 1.0  # the rest is exercised on both sides


# -- clef: a oneOf under additionalProperties ---------------------------------------------------

QUESTION = {"type": "noul", "instructions": None}  # a yes/no question (the Noul alternative)
TARGET = "/properties/questions/additionalProperties/oneOf"


def test_a_break_that_matches_no_second_alternative_is_not_a_oneof_break():
    engine = compiled(CLEF)
    payload = {"model": "clef", "state": None, "questions": {"q": dict(QUESTION)}}
    assert engine.is_valid(payload)
    breaks = [site for site in sites(engine.schema, payload) if site.keyword == "oneOf"]
    assert {site.schema_path for site in breaks} == {TARGET}
    for site in breaks:
        broken = apply(payload, site)  # another alternative's members added: criteria
        if engine.is_valid(broken):
            continue  # a Choice's criteria ({}) fits a Noul's too: nothing broken
        reported = {(e.pointer, e.keyword) for e in engine.report(broken).errors}
        # still a Noul by its type: the validator names the Noul's constraint, rightly
        assert reported == {("/questions/q/criteria", "type")}
        assert not _matches_several_when_meant_to(engine, site, broken)


def test_clefs_oneof_breaks_are_reported_as_drawn():
    """(Without the check, 60 examples found the break above reported as a type error.)"""
    engine = compiled(CLEF)
    drawn: list[Any] = []

    @settings(database=None, max_examples=100, suppress_health_check=list(HealthCheck))
    @given(breaking_each(engine)[TARGET])
    def check(example: Any) -> None:
        reported = {(e.pointer, e.keyword) for e in engine.report(example.payload).errors}
        assert (example.pointer, example.keyword) in reported
        drawn.append(example)

    check()
    assert drawn
