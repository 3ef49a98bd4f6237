"""Hypothesis strategies of a model's payloads, for your own tests.

    from hypothesis import given
    from wirespec import strategies

    @given(strategies.valid("dashscope:qwen1.5-72b-chat"))
    def test_my_client_sends_what_the_provider_accepts(payload): ...

    @given(strategies.invalid("dashscope:qwen1.5-72b-chat"))
    def test_my_gate_rejects(example):   # example.payload .pointer .keyword .schema_path
        ...

``valid`` reaches every limit exactly (a string of exactly ``maxLength``, the number next
to an exclusive bound, ``2**64 - 1``) and every alternative; ``invalid`` breaks one
constraint at a time and names it, with the pointer where wirespec's validator reports it.
Needs hypothesis (``pip install 'wirespec[testing]'``).
"""

from __future__ import annotations

from wirespec.fuzzing._mutations import InvalidExample
from wirespec.fuzzing._runner import invalid, valid

__all__ = ["InvalidExample", "invalid", "valid"]
