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
- no timestamp, kept model order, the built-in formatter: byte-identical output each run.
"""

from __future__ import annotations

import copy
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

from ._naming import Namer

# Keys the generator must not see: annotations of ours, and `format: binary` / `contentType`,
# which it would turn into `bytes` where the wire carries a JSON string.
_DROPPED = ("contentType",)


def prepared(schema: dict[str, Any], root_class: str) -> dict[str, Any]:
    def clean(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: clean(v) for k, v in node.items()
                    if not k.startswith("x-") and k not in _DROPPED and k not in ("$id", "title")
                    and not (k == "format" and v == "binary")} | (
                {"title": node["title"]} if isinstance(node.get("title"), str) else {})
        if isinstance(node, list):
            return [clean(item) for item in node]
        return node

    result: dict[str, Any] = clean(copy.deepcopy(schema))
    result.pop("title", None)
    Namer(root_class).visit(result, root_class, root=True)
    return result


def datamodel_source(schema: dict[str, Any], root_class: str) -> str:
    output = run_datamodel_codegen(
        prepared(schema, root_class),
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
    )
    if not isinstance(output, str):
        raise TypeError(f"datamodel-code-generator returned {type(output).__name__}")
    return output
