"""wirespec: LLM providers' published API docs as executable contracts.

    from wirespec import validate
    report = validate("dashscope:qwen1.5-72b-chat", payload, kind="request")
    report.ok, report.errors
    Request = model("dashscope:qwen1.5-72b-chat")   # the generated pydantic model
"""

from __future__ import annotations

from pathlib import Path as _Path


def _map_checkout() -> None:
    # pyproject maps the rooms (validators/, codegen/, generated/, fuzzing/, contracts/,
    # changes/) into this package. Imported from a checkout (cwd on sys.path, or the editable
    # install's links, which resolve here), look in the checkout itself first: modules written
    # by `wirespec generate` are then importable at once, without reinstalling.
    here = _Path(__file__).resolve().parent
    root = here.parent
    if (root / "codegen" / "__init__.py").is_file() and (root / "pyproject.toml").is_file():
        __path__[:0] = [str(here), str(root)]


_map_checkout()

from wirespec._catalog import CatalogEntry, catalog  # noqa: E402
from wirespec._exceptions import (  # noqa: E402
    DocumentError,
    PayloadError,
    RequestRejected,
    UnknownKindError,
    UnknownModelError,
    WirespecError,
)
from wirespec._models import model  # noqa: E402
from wirespec.validators._engine import drop_unknown, validate  # noqa: E402
from wirespec.validators._errors import Report, ValidationError  # noqa: E402

__all__ = [
    "CatalogEntry",
    "DocumentError",
    "PayloadError",
    "Report",
    "RequestRejected",
    "UnknownKindError",
    "UnknownModelError",
    "ValidationError",
    "WirespecError",
    "catalog",
    "drop_unknown",
    "model",
    "validate",
]
