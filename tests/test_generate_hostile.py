"""Generation from hostile schemas: document text never becomes code, no member is lost.

Schemas are drawn with every line and paragraph separator, control and format characters,
quotes, backslashes, triple quotes, ``#``, keywords and names pydantic or Python treat
specially, in descriptions, titles, member names, enum values and defaults; the texts carry
code that would set a sentinel if it ever ran. Each draw either generates a module that
compiles, imports without running anything and keeps every member, or is refused with one
line (a DocumentError). `make hostile` (WIRESPEC_DEEP=1) draws more.
"""

from __future__ import annotations

import builtins
import importlib.util
import itertools
import keyword
import sys
from pathlib import Path
from typing import Any

import pytest
from hostile import scaled
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from wirespec._exceptions import DocumentError
from wirespec.codegen.generate._datamodel import datamodel_source
from wirespec.codegen.generate._postprocess import module_source

SENTINEL = "WIRESPEC_PWNED"
PAYLOAD_CODE = f"__import__('builtins').__dict__.__setitem__('{SENTINEL}', 1)"
SEPARATORS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\f", "\v", "\x1c", "\x1d", "\x1e"]
CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\t", "\u202e", "\u200b", "\ufeff", "\U0001f600"]
PIECES = [*SEPARATORS, *CONTROLS, '"', "'", '"""', "'''", "\\", "\\\\", "#", " ", "x", "é",
          "{x}", "%s", PAYLOAD_CODE, f"\n{PAYLOAD_CODE}\n", f'"""\n{PAYLOAD_CODE}\n"""',
          f"'''; {PAYLOAD_CODE}; '''", f"\\\n{PAYLOAD_CODE}", "class", "import", "lambda",
          "None", "True"]
NAMES = ["model_config", "schema", "contentType", "title", "$id", "x-foo", "_private",
         "__init__", "1st", "a-b", "a_b", "a b", "A_B", "validate", "model_dump", "dict", "json",
         "copy", "fields", "Any", "Final", "int", "float", "MISSING", "root", "type", "",
         *keyword.kwlist[:12]]

# titles become class names: ours, pydantic's, typing's and the module's own names
TITLES = ["Any", "Final", "JsonInteger", "JsonNumber", "Report", "Request", "RequestShape",
          "enforce_schema", "validate_payload", "model_validator", "MODEL_ID", "KIND",
          "BaseModel", "Field", "StrictStr", "Literal", "MISSING", "Item1", "Choice2", "int"]

texts = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)
names = st.one_of(st.sampled_from(NAMES), texts)
titles = st.one_of(st.sampled_from(TITLES), texts)


def leaf() -> st.SearchStrategy[tuple[dict[str, Any], Any]]:
    """(schema, a value it accepts), for a member that is not an object."""
    return st.one_of(
        st.tuples(st.just({"type": "string"}), texts),
        st.tuples(st.just({"type": "integer"}), st.integers(-10**20, 10**20)),
        st.tuples(st.just({"type": "number"}), st.floats(allow_nan=False, allow_infinity=False)),
        st.tuples(st.just({"type": "boolean"}), st.booleans()),
        st.tuples(st.just({"type": ["string", "null"]}), st.none()),
        st.tuples(st.just({}), st.one_of(st.none(), st.integers(), texts)),
        st.lists(texts, min_size=1, max_size=3, unique=True).flatmap(
            lambda values: st.tuples(st.just({"type": "string", "enum": values}),
                                     st.sampled_from(values))),
        texts.map(lambda text: ({"type": "string", "default": text}, text)),
        texts.map(lambda text: ({"const": text}, text)),
    )


def member(depth: int) -> st.SearchStrategy[tuple[dict[str, Any], Any]]:
    inner = leaf() if depth == 0 else st.one_of(leaf(), obj(depth - 1))
    arrays = inner.map(lambda pair: ({"type": "array", "items": pair[0]}, [pair[1]]))
    return st.one_of(inner, arrays)


@st.composite
def described(draw: st.DrawFn, pair: tuple[dict[str, Any], Any]) -> tuple[dict[str, Any], Any]:
    schema, value = pair
    extra = draw(st.fixed_dictionaries({}, optional={"description": texts, "title": titles}))
    return {**schema, **extra}, value


def obj(depth: int) -> st.SearchStrategy[tuple[dict[str, Any], Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> tuple[dict[str, Any], Any]:
        members = draw(st.dictionaries(names, member(depth).flatmap(described), max_size=5))
        schema: dict[str, Any] = {"properties": {n: s for n, (s, _) in members.items()}}
        if draw(st.booleans()):  # an open object node: no type (null is then accepted)
            schema["type"] = "object"
        schema["required"] = sorted(draw(st.sets(st.sampled_from(sorted(members) or [""])))
                                    & set(members))
        return schema, {n: v for n, (_, v) in members.items()}
    return build().flatmap(described)


ids = itertools.count()


def generated_module(schema: dict[str, Any], text: str, tmp: Path) -> Any:
    """Generate, write and import a module; None when refused with one clear line."""
    try:
        source = module_source(body=datamodel_source(schema, "RequestShape"),
                               model_id=f"evil:{text}", kind="request",
                               schema_file=f"x{text}.json", shape="RequestShape",
                               public="Request", generator_version=text)
    except DocumentError as err:
        assert "\n" not in str(err) and str(err).isprintable(), str(err)
        return None
    compile(source, "generated.py", "exec")
    name = f"hostile_generated_{next(ids)}"
    path = tmp / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    assert SENTINEL not in vars(builtins), "document text ran as code"
    return module


def property_names(schema: Any) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    found = set(schema.get("properties", {}))
    for child in schema.get("properties", {}).values():
        found |= property_names(child)
    return found | property_names(schema.get("items"))


def aliases(module: Any) -> set[str]:
    classes = [c for c in vars(module).values() if isinstance(c, type)
               and issubclass(c, BaseModel) and c.__module__ == module.__name__]
    for cls in classes:
        cls.model_rebuild()  # forward references resolved: the aliases are known
    return {name if field.alias is None else field.alias
            for c in classes for name, field in c.model_fields.items()}


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile_generated")


@settings(max_examples=scaled(40, 400), deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(drawn=obj(1), text=texts)
def test_hostile_schemas_generate_safe_complete_models(tmp, drawn, text):
    schema, payload = drawn
    schema = {**schema, "type": "object"}  # the root is an object (as in every schemas/ file)
    module = generated_module(schema, text, tmp)
    event("refused in one line" if module is None else "generated and imported")
    if module is None:
        return
    assert property_names(schema) <= aliases(module), "a member was lost"
    shape = module.RequestShape
    dumped = shape.model_validate(payload).model_dump(mode="json", by_alias=True,
                                                      exclude_unset=True)
    assert dumped == payload
    model_id = module.MODEL_ID
    assert model_id == f"evil:{text}"


def test_a_separator_before_an_integer_member_stays_in_the_docstring(tmp):
    # U+2028 made the rename of `int` land on another line, where it opened a string
    for separator in SEPARATORS:
        schema = {"type": "object", "description": f"a{separator}b \"\"\" {PAYLOAD_CODE}",
                  "properties": {"n": {"type": "integer", "description": separator * 3},
                                 "x": {"type": "number"}}}
        module = generated_module(schema, separator, tmp)
        assert module is not None
        assert module.RequestShape.__doc__.strip().startswith("a")
        assert module.RequestShape.model_validate({"n": 1.0, "x": 2}).model_dump() == {
            "n": 1, "x": 2}


def test_an_object_default_of_a_model_member_is_a_factory_of_the_same_value(tmp):
    # `format: Annotated[Format, Field(validate_default=True)] = {...}` is no Format to a
    # type checker; the literal moves into the Field as its default_factory, text intact
    for text in ["})]", f"'''; {PAYLOAD_CODE}; '''", "lambda: 1", "\u2028)", "中文"]:
        default = {"type": text, "list": [1, -2.5, None, True, text]}
        schema = {"type": "object", "properties": {"format": {
            "title": "Format", "type": "object", "default": default,
            "properties": {"type": {"type": "string"}, "list": {"type": "array"}}}}}
        module = generated_module(schema, "x", tmp)
        assert module is not None
        assert "default_factory=lambda:" in Path(module.__file__).read_text(encoding="utf-8")
        shape = module.RequestShape
        shape.model_rebuild()
        made = shape.model_validate({})
        assert made.format.model_dump(mode="json", by_alias=True) == default
        assert shape.model_validate({}).format is not made.format  # fresh for each instance


def test_a_lone_surrogate_is_refused_in_one_line():
    schema = {"type": "object", "properties": {"a\ud800": {"type": "string", "enum": ["x"]}}}
    with pytest.raises(DocumentError) as refused:
        datamodel_source(schema, "RequestShape", where="schemas/x.json")
    assert str(refused.value) == (
        "schemas/x.json: /properties/a\\ud800: a lone surrogate (U+D800-U+DFFF) is not text")
