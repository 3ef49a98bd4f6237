"""Two older Cloudflare families, read by structure: the docs repository's YAML catalog files
(``src/content/workers-ai-models/*.yaml``: ``model`` + ``json_schema`` with JSON Schemas as
JSON strings) and the 2023 Hugo task pages (``content/workers-ai/models/<task>.md``: a model
table with per-model figures, one shared input/output JSON Schema in fenced blocks).

Every fact pinned here was read by hand from the copies in tests/corpus/research/cloudflare/
(each with its .origin.txt); checking uses tests/facts.py's own logic."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli
from facts import check_fact

from wirespec._exceptions import DocumentError
from wirespec.codegen.ingest import FORMATS, cloudflare_task_page, cloudflare_yaml_catalog
from wirespec.codegen.ingest._assemble import assemble_model
from wirespec.codegen.ingest._document import ModelSchemas, SourceDocument
from wirespec.codegen.ingest._formats import DocumentReading, detect
from wirespec.validators._limits import LIMIT_MEANINGS, OUTPUT, TOTAL

CORPUS = ROOT / "tests/corpus/research/cloudflare"
YAML_FAMILY = ["llama-3.2-3b-instruct@c16e5adc.yaml", "llama-3.1-8b-instruct@1215e033.yaml",
               "llama-2-7b-chat-int8@223ebb92.yaml", "whisper@1215e033.yaml",
               "bge-small-en-v1.5@8a4ad664.yaml"]
TASK_PAGES = ["text-generation.model-list@2f6a20e0.md", "text-generation.task-page@dc6de251.md",
              "text-embeddings.task-page@31476969.md",
              "text-classification.task-page@13f27fff.md", "embedding.task-page@049bb4f3.md"]
TEXT_GENERATION = TASK_PAGES[:2]
LLAMA_2 = ("@cf/meta/llama-2-7b-chat-fp16", "@cf/meta/llama-2-7b-chat-int8",
           "@cf/mistral/mistral-7b-instruct-v0.1", "@hf/thebloke/codellama-7b-instruct-awq")
NO_HANG_SECONDS = 60.0  # a hang is the bug, not a slow machine


def _no_sibling(rel: str) -> SourceDocument:
    raise AssertionError(f"a reader asked for {rel}")


def document(name: str, text: str | None = None, **entry: Any) -> SourceDocument:
    if text is None:
        text = (CORPUS / name).read_text(encoding="utf-8")
    return SourceDocument(f"cloudflare/{name}", text, {"provider": "cloudflare", **entry},
                          _no_sibling)


def read(name: str, text: str | None = None, **entry: Any) -> tuple[str, DocumentReading]:
    """The format detected from the document alone (as a manifest entry with only path and
    provider) and what it read."""
    doc = document(name, text, **entry)
    chosen = detect(doc, FORMATS)
    return chosen.name, chosen.read(doc)


def model(name: str, model_id: str | None = None) -> ModelSchemas:
    _, reading = read(name)
    found = {m.model: m for m in reading.models}
    return found[model_id] if model_id else next(iter(found.values()))


def holds(found: ModelSchemas, kind: str, path: str, keyword: str, value: Any) -> None:
    fact = {"models": ["*"], "kind": kind, "path": path, "keyword": keyword, "value": value,
            "line": 0, "quote": ""}
    verdict = check_fact(fact, found.model, found.schemas, found.limits)
    assert verdict.outcome == "right", str(verdict)


def lacks(found: ModelSchemas, kind: str, path: str, keyword: str) -> None:
    fact = {"models": ["*"], "kind": kind, "path": path, "keyword": keyword, "value": None,
            "line": 0, "quote": ""}
    assert check_fact(fact, found.model, found.schemas, found.limits).outcome == "missing"


# ---------------------------------------------------------------- detection
@pytest.mark.parametrize("name", YAML_FAMILY)
def test_a_yaml_catalog_file_is_detected_by_its_structure(name):
    chosen, reading = read(name)
    assert chosen == "cloudflare-yaml-catalog" and len(reading.models) == 1


@pytest.mark.parametrize("name", TASK_PAGES)
def test_a_task_page_is_detected_by_its_structure(name):
    chosen, reading = read(name)
    assert chosen == "cloudflare-task-page" and reading.models


def _corpus() -> list[Path]:
    files = [*(ROOT / "sources").rglob("*"), *(ROOT / "tests/corpus/research").rglob("*")]
    return sorted(p for p in files if p.is_file() and not p.name.endswith(".origin.txt")
                  and p.name != "manifest.toml")


def test_no_other_document_looks_like_either_family():
    mine = set(YAML_FAMILY) | set(TASK_PAGES)
    for path in _corpus():
        if path.name in mine:
            continue
        text = path.read_text(encoding="utf-8")
        assert cloudflare_yaml_catalog.looks_like(text) < 0.5, path
        assert cloudflare_task_page.looks_like(text) < 0.5, path


@pytest.mark.parametrize("name", YAML_FAMILY + TASK_PAGES)
def test_every_model_read_assembles_into_valid_schemas_with_provenance(name):
    _, reading = read(name)
    for found in reading.models:
        assembled = assemble_model(found, f"cloudflare/{name}")  # meta-schema, provenance
        assert assembled.files


# ---------------------------------------------------------------- the YAML catalog
def test_llama_3_2_yaml_facts():
    found = model("llama-3.2-3b-instruct@c16e5adc.yaml")
    assert found.model == "@cf/meta/llama-3.2-3b-instruct"
    assert set(found.schemas) == {"request", "response", "stream"}
    assert found.limits == {}  # properties: beta and terms only
    for keyword, value in [("type", "string"), ("minLength", 1), ("maxLength", 131072),
                           ("required", True)]:
        holds(found, "request", "prompt", keyword, value)
    holds(found, "request", "raw", "default", False)
    holds(found, "request", "stream", "default", False)
    holds(found, "request", "max_tokens", "default", 256)
    for keyword, value in [("type", "number"), ("minimum", 0), ("maximum", 5),
                           ("default", 0.6)]:
        holds(found, "request", "temperature", keyword, value)
    holds(found, "request", "top_p", "maximum", 2)
    holds(found, "request", "top_k", "type", "integer")
    holds(found, "request", "top_k", "minimum", 1)
    holds(found, "request", "top_k", "maximum", 50)
    holds(found, "request", "seed", "maximum", 9999999999)
    holds(found, "request", "presence_penalty", "minimum", 0)
    holds(found, "request", "messages", "required", True)
    holds(found, "request", "messages[].role", "required", True)
    holds(found, "request", "messages[].content", "maxLength", 131072)
    holds(found, "request", "messages[].content", "type", ["array", "string"])
    holds(found, "request", "messages[].content[].type", "enum", ["text", "image_url"])
    holds(found, "request", "messages[].content[].image_url.url", "pattern",
          "^data:[-\\w.]+/[-\\w.]+;base64,")
    holds(found, "request", "functions[].code", "required", True)
    holds(found, "response", "response", "type", "string")


def test_a_constraint_in_a_json_string_cites_the_strings_line_and_its_pointer():
    doc = document("llama-3.2-3b-instruct@c16e5adc.yaml")
    prompt = model("llama-3.2-3b-instruct@c16e5adc.yaml").schemas["request"]["oneOf"][0][
        "properties"]["prompt"]
    source = prompt["x-source"]
    assert (source["line"], source["pointer"]) == (22, "/oneOf/0/properties/prompt")
    assert "inferred" not in source  # read as written: nothing to infer
    cited = source["keywords"]["maxLength"]
    assert cited == {"line": 22, "quote": '\\"maxLength\\": 131072'}
    assert cited["quote"] in doc.line(22)  # the document's own (escaped) words
    output = model("llama-3.2-3b-instruct@c16e5adc.yaml").schemas["response"]
    assert output["oneOf"][0]["x-source"]["line"] == 23


def test_llama_3_1_has_no_temperature_default_and_the_same_bounds():
    found = model("llama-3.1-8b-instruct@1215e033.yaml")
    lacks(found, "request", "temperature", "default")
    holds(found, "request", "temperature", "maximum", 5)
    holds(found, "request", "prompt", "minLength", 1)
    holds(found, "request", "messages[].content", "maxLength", 131072)
    holds(found, "request", "seed", "minimum", 1)


def test_llama_2_int8_yaml_facts():
    found = model("llama-2-7b-chat-int8@223ebb92.yaml")
    assert found.model == "@cf/meta/llama-2-7b-chat-int8" and found.limits == {}
    holds(found, "request", "temperature", "default", 0.6)
    holds(found, "request", "top_p", "maximum", 2)
    holds(found, "request", "prompt", "maxLength", 131072)
    holds(found, "request", "functions[].name", "required", True)


def test_whisper_yaml_a_binary_string_or_an_object_and_no_stream():
    found = model("whisper@1215e033.yaml")
    assert found.model == "@cf/openai/whisper"
    assert set(found.schemas) == {"request", "response"}
    request = found.schemas["request"]
    assert [branch.get("type") for branch in request["oneOf"]] == ["string", "object"]
    assert request["oneOf"][0]["format"] == "binary"
    holds(found, "request", "audio", "type", "array")
    holds(found, "request", "audio", "required", True)
    holds(found, "request", "audio[]", "type", "number")
    holds(found, "response", "text", "required", True)
    holds(found, "response", "words[].start", "type", "number")
    holds(found, "response", "vtt", "type", "string")


def test_bge_small_yaml_reads_its_token_limit_property():
    found = model("bge-small-en-v1.5@8a4ad664.yaml")
    assert found.limits == {"max_input_tokens": {"value": 512, "x-source": {
        "doc": "cloudflare/bge-small-en-v1.5@8a4ad664.yaml", "line": 16,
        "quote": 'property_id: "max_input_tokens" … value: "512"'}}}
    holds(found, "request", "text", "type", ["array", "string"])
    holds(found, "request", "text", "minLength", 1)
    holds(found, "request", "text", "maxItems", 100)
    holds(found, "request", "text[]", "minLength", 1)
    holds(found, "request", "text", "required", True)
    holds(found, "response", "data[][]", "type", "number")


CATALOG_YAML = """model:
  name: "@cf/test/model"
  properties:
    - property_id: "context_length_limit"
      value: "3072"
json_schema:
  input:
    type: object
    properties:
      prompt:
        type: string
        maxLength: 4096
    required: [prompt]
  output: "{\\"type\\": \\"object\\",
    \\"properties\\": {\\"response\\": {\\"type\\": \\"string\\"}}}"
"""


def test_json_schema_written_as_yaml_mappings_cites_each_nodes_own_line():
    _, reading = read("mapping.yaml", CATALOG_YAML)
    found = reading.models[0]
    prompt = found.schemas["request"]["properties"]["prompt"]
    assert prompt["maxLength"] == 4096 and prompt["x-source"]["line"] == 10
    root = found.schemas["request"]["x-source"]
    assert (root["line"], root["quote"]) == (8, '"type": "object", "required": ["prompt"]')
    assert found.schemas["response"]["properties"]["response"]["type"] == "string"
    assert found.limits["context_length_limit"]["value"] == 3072


def test_a_yaml_catalog_file_without_json_schema_gives_its_model_and_limits():
    text = CATALOG_YAML.split("json_schema:")[0]
    chosen, reading = read("limits-only.yaml", text)
    assert chosen == "cloudflare-yaml-catalog"
    assert reading.models[0].schemas == {} and "no `json_schema`" in reading.notes[0]


# ---------------------------------------------------------------- the task pages
@pytest.mark.parametrize("name", TEXT_GENERATION)
def test_text_generation_task_page_limits_per_model(name):
    _, reading = read(name)
    limits = {m.model: {k: v["value"] for k, v in m.limits.items()} for m in reading.models}
    assert list(limits) == list(LLAMA_2)
    defaults = {"default_max_sequence_tokens": 256}
    assert limits[LLAMA_2[0]] == {"context_length_limit": 3072, "sequence_length_limit": 2500,
                                  "default_max_sequence_tokens_stream": 2500, **defaults}
    assert limits[LLAMA_2[1]] == {"context_length_limit": 2048, "sequence_length_limit": 1800,
                                  "default_max_sequence_tokens_stream": 1800, **defaults}
    assert limits[LLAMA_2[2]] == {"default_max_sequence_tokens_stream": 1800, **defaults}
    assert limits[LLAMA_2[3]] == {"default_max_sequence_tokens_stream": 596, **defaults}
    fp16 = reading.models[0].limits
    assert fp16["context_length_limit"]["x-source"]["line"] == 22
    assert fp16["context_length_limit"]["x-source"]["quote"] == (
        "<strong>Context tokens limit</strong>: 3072")
    assert "output tokens" in fp16["sequence_length_limit"]["x-source"]["inferred"]
    assert "not a limit" in fp16["default_max_sequence_tokens"]["x-source"]["inferred"]
    assert not reading.unread


def test_the_two_cloudflare_limit_names_have_their_meaning():
    assert LIMIT_MEANINGS["context_length_limit"] == TOTAL
    assert LIMIT_MEANINGS["sequence_length_limit"] == OUTPUT
    assert "default_max_sequence_tokens" not in LIMIT_MEANINGS  # a default: never enforced


@pytest.mark.parametrize("name", TEXT_GENERATION)
def test_text_generation_task_page_one_shared_schema_for_every_model(name):
    _, reading = read(name)
    for found in reading.models:
        assert set(found.schemas) == {"request", "response", "stream"}
        holds(found, "request", "", "type", "object")
        holds(found, "request", "prompt", "type", "string")
        holds(found, "request", "prompt", "maxLength", 4096)
        holds(found, "request", "prompt", "required", True)
        holds(found, "request", "stream", "default", False)
        holds(found, "request", "max_tokens", "type", "integer")
        holds(found, "request", "max_tokens", "default", 256)
        holds(found, "request", "messages", "type", "array")
        holds(found, "request", "messages", "required", True)
        holds(found, "request", "messages[].role", "required", True)
        holds(found, "request", "messages[].content", "maxLength", 4096)
        holds(found, "request", "messages[].content", "required", True)
        holds(found, "response", "response", "type", "string")
        lacks(found, "request", "temperature", "type")  # 2023: no sampling parameters


def test_a_fenced_schema_cites_each_keywords_own_line():
    found = model(TEXT_GENERATION[0])
    prompt = found.schemas["request"]["oneOf"][0]["properties"]["prompt"]
    assert prompt["x-source"]["line"] == 300
    assert prompt["x-source"]["keywords"] == {
        "type": {"line": 301, "quote": '"type": "string"'},
        "maxLength": {"line": 302, "quote": '"maxLength": 4096'}}
    stream = found.schemas["request"]["oneOf"][0]["properties"]["stream"]
    assert stream["x-source"]["keywords"]["default"] == {"line": 306, "quote": '"default": false'}


def test_text_embeddings_task_page():
    _, reading = read("text-embeddings.task-page@31476969.md")
    models = {m.model: m for m in reading.models}
    assert list(models) == ["@hf/baai/bge-base-en-v1.5", "@cf/baai/bge-small-en-v1.5",
                            "@cf/baai/bge-base-en-v1.5", "@cf/baai/bge-large-en-v1.5"]
    assert models["@hf/baai/bge-base-en-v1.5"].limits == {}
    for line, model_id in enumerate(list(models)[1:], 23):
        limit = models[model_id].limits["max_input_tokens"]
        assert (limit["value"], limit["x-source"]["line"]) == (512, line)
        holds(models[model_id], "request", "text", "type", ["array", "string"])
        holds(models[model_id], "request", "text", "maxItems", 100)
        holds(models[model_id], "request", "text", "required", True)
        holds(models[model_id], "response", "data[][]", "type", "number")
    # the output dimensions are no token limit, the prose figure is advice: listed, not read
    assert [(u.line, u.quote) for u in reading.unread] == [
        (23, "<strong>Output dimensions</strong>: 384"),
        (24, "<strong>Output dimensions</strong>: 768"),
        (25, "<strong>Output dimensions</strong>: 1024"),
        (27, "An English word is approximately 1-3 tokens, depending on word length and "
             "representation within the model")]


def test_text_classification_task_page_outputs_an_array():
    found = model("text-classification.task-page@13f27fff.md")
    assert found.model == "@cf/huggingface/distilbert-sst-2-int8"
    assert found.description == "Distilled BERT model that was finetuned on SST-2 for " \
        "sentiment classification"
    holds(found, "request", "text", "type", "string")
    holds(found, "request", "text", "required", True)
    holds(found, "response", "", "type", "array")
    holds(found, "response", "[].score", "type", "number")
    holds(found, "response", "[].label", "type", "string")


def test_the_earliest_task_page_names_its_model_in_an_id_item_and_wraps_its_schemas():
    _, reading = read("embedding.task-page@049bb4f3.md")
    assert [m.model for m in reading.models] == ["@cf/baai/bge-base-en-v1.5"]
    found = reading.models[0]
    holds(found, "request", "text", "type", ["array", "string"])
    holds(found, "request", "text", "required", True)
    holds(found, "response", "", "type", "array")
    holds(found, "response", "[]", "type", "number")
    assert found.schemas["request"]["x-source"]["line"] == 143  # inside the wrapper
    assert [n for n in reading.notes if "wraps its schema" in n] == [
        'the Input block wraps its schema in {"schema": …} (line 143); read as the schema '
        "inside",
        'the Output block wraps its schema in {"schema": …} (line 166); read as the schema '
        "inside"]


def test_the_manifest_may_name_a_subset_of_the_pages_models():
    doc = document(TEXT_GENERATION[0], models=[LLAMA_2[1]])
    reading = FORMATS["cloudflare-task-page"].read(doc)
    assert [m.model for m in reading.models] == [LLAMA_2[1]]
    doc = document(TEXT_GENERATION[0], models=["@cf/meta/llama-3-8b-instruct"])
    with pytest.raises(DocumentError, match="does not name"):
        FORMATS["cloudflare-task-page"].read(doc)


PAGE = (CORPUS / TEXT_GENERATION[0]).read_text(encoding="utf-8")


def test_reworded_and_reordered_labels_are_read_by_structure():
    text = PAGE.replace("### Input", "**Input schema:**").replace("### Output", "## Output") \
        .replace("<strong>Context tokens limit</strong>", "Context tokens limit") \
        .replace("| Model ID  ", "| Model     ").replace("<br/>", "<br>")
    _, reading = read("reworded.md", text)
    fp16 = reading.models[0]
    assert fp16.limits["context_length_limit"]["value"] == 3072
    holds(fp16, "request", "prompt", "maxLength", 4096)


def test_a_figure_under_an_unknown_label_is_listed_not_dropped():
    text = PAGE.replace("<strong>Sequence tokens limit</strong>: 2500",
                        "<strong>Beams</strong>: 4", 1)
    _, reading = read("unknown-label.md", text)
    assert "sequence_length_limit" not in reading.models[0].limits
    assert [(u.line, u.quote) for u in reading.unread] == [(22, "<strong>Beams</strong>: 4")]


def test_a_model_named_twice_is_one_model_unless_both_rows_give_figures():
    item = PAGE.replace("* Task type:", "* ID: **@cf/meta/llama-2-7b-chat-int8**\n* Task type:")
    _, reading = read("item-and-row.md", item)
    int8 = [m for m in reading.models if m.model == LLAMA_2[1]]
    assert len(int8) == 1 and int8[0].limits["context_length_limit"]["value"] == 2048
    row = PAGE.splitlines()[22]
    twice = PAGE.replace(row, f"{row}\n{row.replace('2048', '4096')}", 1)
    err = _fails("twice.md", twice)
    assert err.line == 24 and "second row of figures (the first is on line 23)" in err.reason


# ---------------------------------------------------------------- bad input: one clear line
def _fails(name: str, text: str) -> DocumentError:
    with pytest.raises(DocumentError) as raised:
        read(name, text)
    assert "\n" not in str(raised.value)
    return raised.value


def test_a_json_string_that_is_not_json_names_the_document_and_its_line():
    text = (CORPUS / YAML_FAMILY[0]).read_text(encoding="utf-8").replace(
        '\\"minLength\\": 1,', '\\"minLength\\": 1,,', 1)
    err = _fails("broken.yaml", text)
    assert (err.path, err.line) == ("sources/cloudflare/broken.yaml", 22)
    assert err.reason.startswith("json_schema.input is not JSON (its line 9): ")


def test_a_yaml_catalog_file_without_a_model_name_is_one_line():
    text = CATALOG_YAML.replace('  name: "@cf/test/model"\n', "  title: x\n")
    doc = document("nameless.yaml", text)
    with pytest.raises(DocumentError, match=r"model\.name is missing") as raised:
        cloudflare_yaml_catalog.ingest(doc)
    assert raised.value.line == 2  # where model's members start


def test_a_yaml_mapping_schema_with_a_value_json_lacks_is_one_line():
    text = CATALOG_YAML.replace("maxLength: 4096", "maxLength: .inf")
    err = _fails("infinite.yaml", text)
    assert err.line == 12 and "no JSON number" in err.reason


def test_a_task_page_whose_schema_block_is_not_json_names_its_line():
    text = PAGE.replace('"maxLength": 4096\n        },\n        "stream"',
                        '"maxLength": 4096\n        }\n        "stream"', 1)
    err = _fails("broken.md", text)
    assert (err.path, err.line) == ("sources/cloudflare/broken.md", 304)
    assert err.reason.startswith("the Input code block (opened on line 294) is not JSON: ")


def test_a_task_page_with_two_input_schemas_or_an_unclosed_one_is_one_line():
    second = PAGE.replace("### Output", "### Input", 1)
    assert "a second Input JSON Schema" in str(_fails("two.md", second.replace(
        "TypeScript class: **AiTextGenerationOutput**", "### Output\n\n```json\n{\"type\": "
        "\"string\"}\n```")))
    unclosed = PAGE[:PAGE.rindex("```")]
    with pytest.raises(DocumentError) as raised:
        FORMATS["cloudflare-task-page"].read(document("unclosed.md", unclosed))
    err = raised.value
    assert (err.line, err.reason) == (359, "the Output code block opened here never closes")


@pytest.mark.parametrize(("name", "text", "line", "words"), [
    ("cloudflare/broken.yaml", CATALOG_YAML.replace('\\"string\\"}}}', '\\"string\\"}}'), 14,
     "json_schema.output is not JSON"),
    ("cloudflare/broken.md", PAGE.replace('"default": 256\n        }\n      },\n      '
                                          '"required": [\n        "prompt"',
                                          '"default": 256\n        }\n      },\n      '
                                          '"required": [\n        prompt', 1), 314,
     "is not JSON")])
def test_ingest_says_one_line_and_exits_2(tmp_path, name, text, line, words):
    sources = tmp_path / "sources"
    (sources / "cloudflare").mkdir(parents=True)
    (sources / name).write_text(text, encoding="utf-8")
    (sources / "manifest.toml").write_text(
        f'[[document]]\npath = "{name}"\nprovider = "cloudflare"\n')
    result = run_cli("ingest", "--root", str(tmp_path))
    assert result.returncode == 2
    [message] = result.stderr.splitlines()
    assert message.startswith(f"wirespec: error: sources/{name}:{line}: ") and words in message


# ---------------------------------------------------------------- hostile layouts
HOSTILE = {
    "a long fence line": "```" + "a" * 400_000 + "`",
    "fences": "```json\n" * 40_000,
    "a heading of spaces": "#" + " " * 400_000 + "x",
    "bold marks": "**" * 200_000,
    "table rows": "| Model ID | Description |\n| --- | --- |\n" + "| `@cf/a/b` | x<br/>" * 40_000,
    "breaks in a cell": "| Model |\n| --- |\n| `@cf/a/b` "
                        + "<br/>Context tokens limit: 1" * 40_000,
    "yaml keys": "model:\n  name: x\n" + "  a: b\n" * 80_000 + "json_schema:\n  input: x\n",
    "a line of pipes": "|" * 400_000,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_layouts_do_not_hang(name):
    text = HOSTILE[name]
    start = time.perf_counter()
    for reader in (cloudflare_yaml_catalog, cloudflare_task_page):
        reader.looks_like(text)
    doc = document("hostile.md", text)
    for reading in (cloudflare_task_page.read, cloudflare_yaml_catalog.ingest):
        with contextlib.suppress(DocumentError):
            reading(doc)
    seconds = time.perf_counter() - start
    print(f"{name}: {seconds * 1000:.0f} ms for {len(text):,} characters")
    assert seconds < NO_HANG_SECONDS
