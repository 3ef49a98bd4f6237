"""datamodel-code-generator, with the flags that keep its models faithful to the schema.

Flags, and why:
- ``use_missing_sentinel`` + ``strict_nullable``: an optional member may be absent, but is
  ``None`` only where the schema allows ``null`` (absent members stay absent on dump).
- ``strict_types=(str, bool)``: no ``1`` -> ``"1"`` or ``"true"`` -> ``True`` coercion.
  ``integer``/``number`` become wirespec's JsonInteger/JsonNumber after generation
  (see _postprocess): pydantic has no strict type with JSON Schema's meaning for them.
- ``extra_fields="allow"``: unknown members are kept (JSON Schema allows them unless
  ``additionalProperties: false``), so a round trip drops nothing.
- ``use_title_as_name`` with titles set by _naming; ``use_schema_description`` and
  ``use_field_description``: the documents' descriptions as docstrings.
- ``field_constraints`` + ``use_annotated``: bounds as ``Field(ge=…)``, readable and typed.
- ``enum_field_as_literal="all"``: enums as ``Literal[…]`` (no Enum objects on a round trip).
- no timestamp, kept model order, the built-in formatter with its line length given (not read
  from the working folder's pyproject.toml): byte-identical output each run, from anywhere.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from datamodel_code_generator import generate as run_datamodel_codegen
from datamodel_code_generator.enums import (
    DataModelType,
    InputFileType,
    StrictTypes,
    TargetPydanticVersion,
)
from datamodel_code_generator.format import Formatter, PythonVersion
from datamodel_code_generator.parser import LiteralType

from wirespec._exceptions import DocumentError
from wirespec.validators._schema_walk import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUED, escape

from ._naming import Namer
from ._open_types import widened

# Keywords the generator must not see: annotations of ours (``x-…``), ``$id``, and
# ``format: binary`` / ``contentType``, which it would turn into ``bytes`` where the wire
# carries a JSON string. They are dropped only where they are keywords of a schema node:
# a member named ``contentType`` or ``$id``, or a value that holds one, is the document's.
_DROPPED = frozenset({"contentType", "$id"})
_SURROGATE = re.compile("[\ud800-\udfff]")


def _is_annotation(key: str, value: Any) -> bool:
    return (key.startswith("x-") or key in _DROPPED or (key == "format" and value == "binary")
            or (key == "title" and not isinstance(value, str)))


def _cleaned(node: Any) -> Any:
    """A schema node without our annotations; values (``enum``, ``default``, …) untouched."""
    if not isinstance(node, dict):
        return copy.deepcopy(node)
    result: dict[str, Any] = {}
    for key, value in node.items():
        if _is_annotation(key, value):
            continue
        if key in SCHEMA_VALUED:
            result[key] = _cleaned(value)
        elif key in SCHEMA_LISTS and isinstance(value, list):
            result[key] = [_cleaned(child) for child in value]
        elif key in SCHEMA_MAPS and isinstance(value, dict):
            result[key] = {name: _cleaned(child) for name, child in value.items()}
        else:
            result[key] = copy.deepcopy(value)
    return result


def prepared(schema: dict[str, Any], root_class: str) -> dict[str, Any]:
    """The schema as datamodel-code-generator should see it: annotations dropped, object
    nodes titled (see _naming), open nodes widened (see _open_types)."""
    result: dict[str, Any] = _cleaned(schema)
    result.pop("title", None)
    Namer(root_class).visit(result, root_class, root=True)
    wide: dict[str, Any] = widened(result)
    return wide


def datamodel_source(schema: dict[str, Any], root_class: str, *, where: str = "schema") -> str:
    """datamodel-code-generator's module for ``schema`` (``where`` names it in a refusal)."""
    _require_text(schema, where, "")
    ready = prepared(schema, root_class)
    try:
        output = _run_datamodel_codegen(ready, root_class)
    except Exception as err:  # a third-party generator on hostile input: any failure
        first = str(err).strip().partition("\n")[0]
        reason = f"datamodel-code-generator cannot generate it: {type(err).__name__}: {first}"
        raise DocumentError(where, None, _one_line(reason)) from None
    if not isinstance(output, str):
        raise TypeError(f"datamodel-code-generator returned {type(output).__name__}")
    return output


def _require_text(node: Any, where: str, pointer: str) -> None:
    """Refuse lone surrogates (``"\\ud800"`` in JSON): no UTF-8 text, no pydantic alias."""
    if isinstance(node, dict):
        for key, value in node.items():
            _require_text(key, where, f"{pointer}/{escape(key)}")
            _require_text(value, where, f"{pointer}/{escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _require_text(value, where, f"{pointer}/{index}")
    elif isinstance(node, str) and _SURROGATE.search(node):
        raise DocumentError(where, None, f"{_one_line(pointer) or '/'}: a lone surrogate "
                            "(U+D800-U+DFFF) is not text")


def _one_line(text: str) -> str:
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)[:300]


def _run_datamodel_codegen(schema: dict[str, Any], root_class: str) -> Any:
    return run_datamodel_codegen(
        schema,
        input_file_type=InputFileType.JsonSchema,
        output_model_type=DataModelType.PydanticV2BaseModel,
        class_name=root_class,
        use_missing_sentinel=True,
        strict_nullable=True,
        target_pydantic_version=TargetPydanticVersion.V2_14,
        strict_types=[StrictTypes.str, StrictTypes.bool],
        extra_fields="allow",
        use_title_as_name=True,
        use_schema_description=True,
        use_field_description=True,
        field_constraints=True,
        use_annotated=True,
        use_union_operator=True,
        use_standard_collections=True,
        enum_field_as_literal=LiteralType.All,
        keep_model_order=True,
        disable_timestamp=True,
        target_python_version=PythonVersion.PY_311,
        formatters=[Formatter.BUILTIN],
        # its formatter otherwise reads pyproject.toml from the working folder, and the line
        # length decides where it leaves trailing commas, which ruff then keeps
        builtin_format_line_length=100,
        settings_path=Path(__file__).parent,
    )
