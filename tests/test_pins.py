"""The hypothesis pin that keeps hypothesis-jsonschema working (see DEVELOPERS.md)."""

from __future__ import annotations

from importlib.metadata import version


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3])


def test_hypothesis_is_below_the_release_that_breaks_hypothesis_jsonschema():
    assert _release(version("hypothesis")) < (6, 170, 10)


def test_hypothesis_jsonschema_draws_from_a_one_of_schema():
    from hypothesis import given, settings
    from hypothesis_jsonschema import from_schema

    schema = {"oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "string"}}]}

    @settings(max_examples=20, database=None)
    @given(from_schema(schema))
    def draw(value: object) -> None:
        assert isinstance(value, int | list)

    draw()
