"""``wirespec.model()``: the generated pydantic model of a model id and kind."""

from __future__ import annotations

from pydantic import BaseModel

from wirespec._exceptions import UnknownKindError
from wirespec.generated import _index
from wirespec.validators import _registry


def model(model_id: str, kind: str = "request") -> type[BaseModel]:
    """The generated pydantic model of a model id's ``kind`` schema: it accepts exactly what
    the schema accepts (the compiled schema decides before pydantic parses)."""
    entry = _registry.resolve(model_id)
    found = _index.load(entry.id, kind)
    if found is None:
        raise UnknownKindError(entry.id, kind, [k for (i, k) in _index.MODELS if i == entry.id])
    return found
