"""Structure the prose readers must respect, on small synthetic documents: a page chaining
several endpoints is read for the chat endpoint only (the others said so), a heading that
names a shape in words is no parameter, and a model id that cannot be one is one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli
from jsonschema import Draft202012Validator

from wirespec.codegen.ingest import plan_sources
from wirespec.codegen.ingest._model_names import MAX_ID_LENGTH, implausible, named_ids
from wirespec.codegen.ingest._pipeline import MAX_FILE_NAME_BYTES, Outcome, Plan
from wirespec.codegen.ingest.readers._endpoints import markers

ZWSP = "\u200b"
CHAT_REQUEST = {"messages": [{"role": "user", "content": "hi"}]}


def entry(name: str, type_line: str, *prose: str) -> str:
    """One entry of a Mintlify list rendered one cell per line."""
    return "\n".join([f"{ZWSP}{name}", type_line, *prose, "", ""])


CHAT_SECTION = "\n".join([
    "Make a reply (compatible)", "Answers a conversation.", "", "POST", "/", "chat", "/",
    "completions", "", "Body", "application/json", "",
    entry("model", "enum<string>required", "Which model answers.", "",
          "Available options: acme/Talk-7B, acme/Talk-70B"),
    entry("messages", "object[]required", "The conversation so far."),
    entry("temperature", "number", "How random the reply is.", "",
          "Required range: 0 <= x <= 2"),
    "Response", "200", "",
    entry("id", "string", "The reply's id."),
])
MESSAGES_SECTION = "\n".join([
    "Make a reply (other vendor)", "", "POST", "/", "messages", "", "Body", "",
    entry("model", "enum<string>required", "",
          "Available options: acme/Talk-7B, acme/Only-Here-3B"),
    entry("max_tokens", "integerrequired", "Tokens at most."),
    entry("system", "string", "The system words."),
])
FILES_SECTION = "\n".join([
    "Upload", "", "POST https://api.acme.test/v1/files", "", "Body", "",
    entry("purpose", "stringrequired", "What the file is for."),
    entry("file", "filerequired", "The file."),
])
BATCHES_SECTION = "\n".join([
    "## POST /v1/batches", "", "Body", "",
    entry("input_file_id", "stringrequired", "The uploaded file."),
    entry("completion_window", "stringrequired", "How long it may take."),
])


def project(tmp_path: Path, provider: str, name: str, text: str, fmt: str,
            models: list[str] | None = None) -> Path:
    (tmp_path / "sources" / provider).mkdir(parents=True)
    (tmp_path / "sources" / provider / name).write_text(text, encoding="utf-8")
    manifest = f'[[document]]\npath = "{provider}/{name}"\nprovider = "{provider}"\n' \
        f'format = "{fmt}"\n'
    if models is not None:
        manifest += f"models = {json.dumps(models)}\n"
    (tmp_path / "sources" / "manifest.toml").write_text(manifest, encoding="utf-8")
    return tmp_path


def only_outcome(planned: Plan) -> Outcome:
    [outcome] = planned.outcomes
    return outcome


def schemas_of(planned: Plan, kind: str) -> dict[str, dict]:
    return {rel: json.loads(text) for rel, text in planned.files.items()
            if rel.endswith(f".{kind}.json")}


# -- several endpoints on one page -----------------------------------------------------------

def test_endpoint_markers_in_their_three_writings():
    text = "\n".join([CHAT_SECTION, MESSAGES_SECTION, FILES_SECTION, BATCHES_SECTION])
    assert [m.name for m in markers(text.split("\n"))] == [
        "POST /chat/completions", "POST /messages", "POST /v1/files", "POST /v1/batches"]
    prose = ["You may POST /v1/files first, then refer to it.", "```", "POST /v1/files", "```",
             "curl -X POST https://api.acme.test/v1/files"]
    assert markers(prose) == []


def test_a_page_of_several_endpoints_is_read_for_the_chat_endpoint_only(tmp_path):
    text = "\n".join([CHAT_SECTION, MESSAGES_SECTION, FILES_SECTION, BATCHES_SECTION])
    planned = plan_sources(project(tmp_path, "siliconflow", "chain.txt", text, "param-list"))
    outcome = only_outcome(planned)
    assert outcome.error is None and outcome.reading is not None
    requests = schemas_of(planned, "request")
    # the models of the chat endpoint's enum only (Only-Here-3B is the other endpoint's)
    assert sorted(s["x-model"] for s in requests.values()) == ["acme/Talk-70B", "acme/Talk-7B"]
    for schema in requests.values():
        assert set(schema["properties"]) == {"model", "messages", "temperature"}
        assert schema["required"] == ["model", "messages"]
        validator = Draft202012Validator(schema)
        assert validator.is_valid({"model": schema["x-model"], **CHAT_REQUEST})
    assert all(set(s["properties"]) == {"id"} for s in schemas_of(planned, "response").values())
    skipped = [note for note in outcome.reading.notes if "another endpoint" in note]
    lines = text.split("\n")
    messages_line = lines.index("Make a reply (other vendor)") + 3
    files_marker = "POST https://api.acme.test/v1/files"
    assert skipped[0] == (f"line {messages_line}: not read: another endpoint: POST /messages "
                          f"(lines {messages_line}-{lines.index(files_marker)}, 3 parameters)")
    assert [note.split(": not read: ")[1].split(" (")[0] for note in skipped] == [
        "another endpoint: POST /messages", "another endpoint: POST /v1/files",
        "another endpoint: POST /v1/batches"]
    for note in skipped:  # each cites its marker's line
        number = int(note.split(":")[0].removeprefix("line "))
        assert "POST" in lines[number - 1]


def test_a_page_of_several_endpoints_none_of_them_chat_is_refused(tmp_path):
    text = "\n".join([FILES_SECTION, BATCHES_SECTION]) + entry(
        "model", "stringrequired", "", "Example:", '"acme/Talk-7B"')
    root = project(tmp_path, "siliconflow", "files.txt", text, "param-list")
    error = only_outcome(plan_sources(root)).error
    assert error is not None and error.line == 3
    assert "none is the chat endpoint" in error.reason and "POST /v1/batches" in error.reason
    result = run_cli("ingest", "--root", str(root))
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1


def test_a_page_of_one_endpoint_reads_as_before(tmp_path):
    text = CHAT_SECTION + "\n" + CHAT_SECTION.replace("POST\n/\nchat\n/\ncompletions",
                                                      "POST https://api.acme.test/v1/chat/"
                                                      "completions")
    planned = plan_sources(project(tmp_path, "siliconflow", "twice.txt", text, "param-list"))
    outcome = only_outcome(planned)
    assert outcome.error is None and outcome.reading is not None
    assert not [note for note in outcome.reading.notes if "another endpoint" in note]


# -- a heading that names a shape in words -------------------------------------------------

SHAPES_PAGE = "\n".join([
    "# 对话接口", "", "请求体", "",
    "model string （必选）", "", "模型名称，例如 acme-chat-7b。", "",
    "messages array （必选）", "", "对话历史。", "", "消息类型", "",
    "Opening Note object （可选）", "", "开场说明。", "", "属性", "",
    "Asker Turn object （必选）", "", "提问的一方。", "", "属性", "",
    "Helper Turn object （可选）", "", "回答的一方。", "", "属性", "",
    "temperature float （可选）", "", "取值范围：[0, 2)", "",
])


def test_a_shape_heading_is_an_element_alternative_never_a_member(tmp_path):
    root = project(tmp_path, "dashscope", "shapes.txt", SHAPES_PAGE, "cell-per-line",
                   models=["acme-chat-7b"])
    planned = plan_sources(root)
    assert only_outcome(planned).error is None
    assert only_outcome(planned).format == "cell-per-line"  # detected: no format given
    [request] = schemas_of(planned, "request").values()
    assert set(request["properties"]) == {"model", "messages", "temperature"}
    assert request["required"] == ["model", "messages"]
    items = request["properties"]["messages"]["items"]
    assert [(a["title"], a["type"]) for a in items["anyOf"]] == [
        ("Opening Note", "object"), ("Asker Turn", "object"), ("Helper Turn", "object")]
    assert items["anyOf"][1]["x-source"]["line"] == SHAPES_PAGE.split("\n").index(
        "Asker Turn object （必选）") + 1
    validator = Draft202012Validator(request)
    assert validator.is_valid({"model": "acme-chat-7b", **CHAT_REQUEST})
    assert not validator.is_valid({"model": "acme-chat-7b", "messages": ["hi"]})


def test_members_between_two_shape_headings_belong_to_the_first(tmp_path):
    page = SHAPES_PAGE.replace("开场说明。\n\n属性\n", "开场说明。\n\nrole string （必选）\n\n"
                               "固定为 system。\n\ncontent string （必选）\n\n内容。\n")
    root = project(tmp_path, "dashscope", "shapes.txt", page, "cell-per-line",
                   models=["acme-chat-7b"])
    [request] = schemas_of(plan_sources(root), "request").values()
    assert set(request["properties"]) == {"model", "messages", "temperature"}
    opening = request["properties"]["messages"]["items"]["anyOf"][0]
    assert set(opening["properties"]) == {"role", "content"}
    assert opening["required"] == ["role", "content"]


def test_a_shape_heading_after_no_array_is_not_written_and_said_so(tmp_path):
    page = SHAPES_PAGE.replace("messages array （必选）", "messages string （必选）")
    root = project(tmp_path, "dashscope", "shapes.txt", page, "cell-per-line",
                   models=["acme-chat-7b"])
    planned = plan_sources(root)
    [request] = schemas_of(planned, "request").values()
    assert set(request["properties"]) == {"model", "messages", "temperature"}
    notes = only_outcome(planned).reading.notes  # type: ignore[union-attr]
    assert sum("names a shape in words" in note for note in notes) == 3


# -- model ids that cannot be ids ----------------------------------------------------------

def test_plausible_model_ids():
    for model in ("qwen-plus-2025-04-28", "Pro/deepseek-ai/DeepSeek-R1",
                  "@cf/meta/llama-3.1-8b-instruct", "acme:chat@v2"):
        assert implausible(model) is None
    assert "glued" in (implausible("qwen-" + "plus" * 30) or "")
    assert implausible("qwen plus") is not None and implausible("-qwen") is not None
    assert implausible("a" * MAX_ID_LENGTH) is None


GLUED = "".join(f"acme-{size}b-chat" for size in range(1, 60))


@pytest.mark.parametrize("fmt", ["param-list", "cell-per-line"])
def test_glued_model_ids_are_one_clear_line_never_a_traceback(tmp_path, fmt):
    page = "# 模型列表\n\n| 模型 |\n\n" + GLUED.replace("acme", "qwen") + "\n\n" + SHAPES_PAGE
    assert any(len(model) > MAX_ID_LENGTH for model, _ in named_ids(page, "dashscope"))
    root = project(tmp_path, "dashscope", "glued.md", page, fmt)
    error = only_outcome(plan_sources(root)).error
    assert error is not None and error.line == 5 and "glued" in error.reason
    result = run_cli("ingest", "--root", str(root))
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr and ":5: a model id of" in result.stderr


OPENAPI = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
    "/chat/completions": {"post": {"requestBody": {"content": {"application/json": {"schema": {
        "type": "object", "required": ["model"], "properties": {
            "model": {"type": "string", "enum": ["m" * (MAX_FILE_NAME_BYTES + 1)]}}}}}},
        "responses": {"200": {"description": "ok"}}}}}}


def test_the_writer_refuses_a_model_id_too_long_for_a_file_name(tmp_path):
    root = project(tmp_path, "siliconflow", "api.json", json.dumps(OPENAPI), "openapi")
    planned = plan_sources(root)
    error = only_outcome(planned).error
    assert error is not None and "would name a file of" in error.reason
    assert list(planned.files) == ["index.json"]
    result = run_cli("ingest", "--root", str(root))
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1


# -- a default or maximum given as the model's own limit ------------------------------------

LIMIT_PAGE = CHAT_SECTION.replace(
    entry("temperature", "number", "How random the reply is.", "",
          "Required range: 0 <= x <= 2"),
    entry("max_tokens", "integer", "Tokens at most. The default and maximum values correspond "
          "to the model's maximum output length."))


def test_a_limit_named_not_given_is_an_annotation_never_a_default(tmp_path):
    planned = plan_sources(project(tmp_path, "siliconflow", "limit.txt", LIMIT_PAGE,
                                   "param-list"))
    assert only_outcome(planned).error is None
    for rel, schema in schemas_of(planned, "request").items():
        node = schema["properties"]["max_tokens"]
        assert "default" not in node and "maximum" not in node, rel
        assert node["x-default-limit"] == node["x-maximum-limit"] == "max_output_tokens"
        assert node["x-source"]["keywords"]["x-default-limit"]["rule"] == "limit_reference"


def test_a_limit_named_is_the_models_figure_where_the_documents_state_it():
    from wirespec.codegen.ingest._build import PerModel
    from wirespec.codegen.ingest._prose import _per_model
    from wirespec.codegen.ingest.grammar import Reading

    reading = Reading("default", {"x-limit": "max_output_tokens"}, "Default is the model's "
                      "maximum output length", 7, "limit_reference")
    request = {"properties": {"max_tokens": {"type": "integer", "x-source": {"line": 6}}}}
    limits = {"max_output_tokens": {"value": 8192, "x-source": {"line": 40}}}
    _per_model(request, [PerModel(("max_tokens",), reading)], "m", ["m"], limits)
    node = request["properties"]["max_tokens"]
    assert node["default"] == 8192
    assert "8192, stated at line 40" in node["x-source"]["keywords"]["default"]["inferred"]


# -- English pages rendered one cell per line; two protocols of one provider -----------------

EN_CELLS = "\n".join([
    "Acme API reference", "", "Request body", "",
    "model string (Required)", "", "The model name, such as qwen-plus.", "",
    "messages array (Required)", "", "The conversation.", "",
    "For HTTP, put messages in the input object.", "",
    "stop string or array (Optional)", "", "Where to stop.", "",
    "stream boolean (Optional) Defaults to false", "", "Whether to stream.",
    "For HTTP, put stream into the parameters object.", "",
    "temperature float (Optional)", "", "Value range: [0, 2)", "",
    "For HTTP, place temperature in the parameters object.", "",
    "vl_high_resolution_images boolean (Optional) defaults to false", "",
    "The Java SDK version must be at least 2.20.8. For HTTP, place "
    "vl_high_resolution_images in the parameters object.", "",
    "tool_choice string or object (Optional)", "", "Valid values:", "",
    '"none": Do not call tools.', "", '"auto": The model decides.', "",
    "Use an object to name a tool.", "", 'type Fixed as "function".', "", "function", "",
    "name: the tool to be called.", "",
    "For HTTP, put tool_choice in the parameters object.", "",
    "chat completion object (same for stream and non-stream)", "",
    "request_id string", "", "The request's id.", "",
    "chat completion chunk object (stream)", "",
    "chunk_id string", "", "The chunk's id.", "",
])


def test_english_cells_per_line_are_detected_and_read(tmp_path):
    root = tmp_path / "project"
    (root / "sources" / "dashscope").mkdir(parents=True)
    (root / "sources" / "dashscope" / "ref.txt").write_text(EN_CELLS, encoding="utf-8")
    (root / "sources" / "manifest.toml").write_text(
        '[[document]]\npath = "dashscope/ref.txt"\nprovider = "dashscope"\n', encoding="utf-8")
    planned = plan_sources(root)
    assert only_outcome(planned).error is None
    assert only_outcome(planned).format == "cell-per-line"  # detected: no format given
    [request] = schemas_of(planned, "request").values()
    [response] = schemas_of(planned, "response").values()
    parameters = request["properties"]["parameters"]["properties"]
    assert request["properties"]["input"]["required"] == ["messages"]
    assert parameters["stream"]["default"] is False
    assert parameters["temperature"]["minimum"] == 0
    assert parameters["temperature"]["exclusiveMaximum"] == 2
    assert parameters["stop"]["type"] == ["string", "array"]
    # a version of the SDK is no bound of a boolean
    assert set(parameters["vl_high_resolution_images"]) & {"minimum", "exclusiveMinimum"} == set()
    # "none" and "auto" are the string form's values; the object form stays open, and its
    # inline member's const is not the parameter's
    choice = parameters["tool_choice"]
    assert "const" not in choice and "enum" not in choice
    assert {"type": "string", "enum": ["none", "auto"]}.items() <= choice["anyOf"][0].items()
    assert choice["anyOf"][1]["type"] == "object" and "enum" not in choice["anyOf"][1]
    Draft202012Validator(request).validate({"model": "qwen-plus", "input": {
        "messages": []}, "parameters": {"tool_choice": {"type": "function"}}})
    assert "request_id" in response["properties"]
    # the chunks the page describes are the stream, not a copy of the response
    [stream] = schemas_of(planned, "stream").values()
    assert "chunk_id" in stream["properties"] and "request_id" not in stream["properties"]


def test_a_page_of_two_protocols_is_read_for_the_providers_own():
    from wirespec.codegen.ingest.readers._endpoints import _read_protocol

    found = markers([
        "endpoint for HTTP: POST https://acme.test/compatible-mode/v1/chat/completions",
        "For Qwen LLMs: POST https://acme.test/api/v1/services/aigc/text-generation/generation",
        "For VL: POST https://acme.test/api/v1/services/aigc/multimodal-generation/generation",
    ])
    assert [m.path for m in found] == ["/compatible-mode/v1/chat/completions",
                                       "/api/v1/services/aigc/text-generation/generation",
                                       "/api/v1/services/aigc/multimodal-generation/generation"]
    protocol = _read_protocol(found, "dashscope")
    assert protocol is not None and [bool(protocol.search(m.path)) for m in found] == [
        False, True, True]
    # a page of the compatible protocol alone is read for it
    alone = _read_protocol(found[:1], "dashscope")
    assert alone is not None and alone.search(found[0].path)


# -- Fumadocs: a name fused to its type, widgets glued to their labels ------------------------

FUMADOCS = "\n".join([
    "Acme", "", "Create a rerank request", "", "POST", "/rerank",
    "AuthorizationBearer <token>required", "", "In: header", "",
    "modelstringrequired", "", "The model name.", "", 'Example"acme/rerank-v2"',
    "querystringrequired", "", "The search query.", "", "Length1 <= length", 'Example"Apple"',
    "top_ninteger", "", "How many to return. Must be ≥ 1.", "", "Range1 <= value", "Example4",
    "max_chunks_per_docinteger", "", "Chunks per document.", "", "Default1024",
    "Range1 <= value <= 4096",
    "return_documentsboolean", "", "Whether to return the documents.", "",
    "inputstring | arrayrequired", "", "What to embed.", "",
    "inputstring | object | arrayrequired", "", "What to embed (VL variant).", "",
])


def test_fumadocs_entries_and_widgets_are_read(tmp_path):
    root = tmp_path / "project"
    (root / "sources" / "siliconflow").mkdir(parents=True)
    (root / "sources" / "siliconflow" / "rerank.txt").write_text(FUMADOCS, encoding="utf-8")
    (root / "sources" / "manifest.toml").write_text(
        '[[document]]\npath = "siliconflow/rerank.txt"\nprovider = "siliconflow"\n',
        encoding="utf-8")
    planned = plan_sources(root)
    outcome = only_outcome(planned)
    assert outcome.error is None and outcome.format == "param-list"
    [request] = schemas_of(planned, "request").values()
    members = request["properties"]
    assert members["model"]["const"] == "acme/rerank-v2"
    assert set(request["required"]) >= {"model", "query", "input"}
    assert members["query"]["minLength"] == 1
    assert members["top_n"]["minimum"] == 1
    assert members["max_chunks_per_doc"]["default"] == 1024
    assert members["max_chunks_per_doc"]["maximum"] == 4096
    assert members["return_documents"]["type"] == "boolean"
    # two variants of one member: either type is accepted, and the note says so
    assert members["input"]["type"] == ["string", "array", "object"]
    assert any("second entry of input" in note for note in outcome.reading.notes)
