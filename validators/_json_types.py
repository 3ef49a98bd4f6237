"""Pydantic types with JSON Schema's meaning, for the generated models.

JSON Schema's ``integer`` is any number with a zero fractional part (``256.0`` is one), never
a string or a boolean; ``number`` is any number, kept as given (an ``int`` stays an ``int``,
so ``2**64 - 1`` survives a round trip).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Strict, StrictFloat, StrictInt


def _integral_float_to_int(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInteger = Annotated[int, BeforeValidator(_integral_float_to_int), Strict()]
JsonNumber = StrictInt | StrictFloat

__all__ = ["JsonInteger", "JsonNumber"]
