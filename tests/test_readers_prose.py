"""Layout readers on the real documents, pinned by reading them by hand: how many records
each section has, and for the parameters below their path, type words, required mark, line
and the constraint words on the right line (marks, or description); model mentions; samples;
token-limit rows."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from conftest import ROOT

from wirespec.codegen.ingest._document import SourceDocument
from wirespec.codegen.ingest._records import ParameterRecord, ReadDocument
from wirespec.codegen.ingest.readers import cell_per_line, param_list, pipe_table
from wirespec.codegen.ingest.readers._limits import InferredLimitRow
from wirespec.codegen.ingest.readers._text_blocks import LabelledSpan

RESEARCH = "tests/corpus/research"
MARKDOWN = "sources/siliconflow/chat-completions.markdown.2025.md"
FLATTENED = "sources/dashscope/dashscope-chat.en.md"
OPENAI_CHAT = f"{RESEARCH}/dashscope/qwencloud-openai-chat.en.md"
ANTHROPIC = f"{RESEARCH}/dashscope/qwencloud-anthropic-messages.en.md"
KOLORS = f"{RESEARCH}/siliconflow/image-generations.kolors.rendered.md"
COMPILATION = f"{RESEARCH}/siliconflow/docs-compilation.stream-chat-embeddings-rerank.2026.md"
PROTOCOL_ZH = "sources/dashscope/qwen-api-reference.dashscope-protocol.zh.txt"
APP_CALL_ZH = f"{RESEARCH}/dashscope/app-call-plus-qwen-api-reference.2025-04-07.zh.txt"
COMPAT_ZH = f"{RESEARCH}/dashscope/qwen-api-reference.openai-compat.zh.txt"
FARUI = f"{RESEARCH}/dashscope/farui-plus-api.zh.md"
MODEL_CARD = f"{RESEARCH}/dashscope/model-card.qwen3.8-2.4t-a95b.zh.md"
ALIBABA_EN = f"{RESEARCH}/dashscope/qwen-api-reference.alibabacloud-en.2024-10-31.pages-excerpt.txt"
SEED_003 = "sources/dashscope/qwen1.5-chat.api-reference.txt"


def document(path: str, text: str | None = None) -> SourceDocument:
    if text is None:
        text = (ROOT / path).read_text(encoding="utf-8")

    def sibling(rel: str) -> SourceDocument:
        raise AssertionError(f"a reader asked for {rel}")

    return SourceDocument(path, text, {}, sibling)


_CACHE: dict[tuple[str, str], ReadDocument] = {}


def read(reader: ModuleType, path: str) -> ReadDocument:
    key = (reader.__name__, path)
    if key not in _CACHE:
        _CACHE[key] = reader.read(document(path))
    return _CACHE[key]


def record(doc: ReadDocument, dotted: str, section: str | None = None,
           line: int | None = None) -> ParameterRecord:
    path = tuple(dotted.split("."))
    found = [r for r in doc.records if r.path == path and section in (None, r.section)
             and line in (None, r.line)]
    assert len(found) == 1, (dotted, [(r.line, r.section) for r in found])
    return found[0]


def words(record: ParameterRecord) -> list[tuple[int, str]]:
    """Every span of the record (marks and description), as (line, words)."""
    return [(s.line, s.text) for s in [*record.marks, *record.description]]


def has(record: ParameterRecord, line: int, phrase: str, where: str = "any") -> bool:
    spans = {"marks": record.marks, "description": record.description,
             "any": [*record.marks, *record.description]}[where]
    return any(s.line == line and phrase in s.text for s in spans)


def check(doc: ReadDocument, dotted: str, line: int, type_words: str | None,
          required: str | None, section: str = "request") -> ParameterRecord:
    found = record(doc, dotted, section, line)
    assert (found.type_words.text if found.type_words else None) == type_words
    assert (found.required.text if found.required else None) == required
    return found


def sections(doc: ReadDocument) -> dict[str, int]:
    return dict(Counter(r.section for r in doc.records))


def mentions(doc: ReadDocument, how: str) -> list[tuple[str, int]]:
    return [(m.model, m.line) for m in doc.models if m.how == how]


def samples(doc: ReadDocument) -> list[tuple[str, int]]:
    return [(s.kind, s.line) for s in doc.samples]


def test_every_span_is_words_of_its_line():
    """Spans are quoted from the document: each one's words stand on its line."""
    for reader, path in [(param_list, MARKDOWN), (param_list, FLATTENED),
                         (param_list, KOLORS), (param_list, COMPILATION),
                         (cell_per_line, PROTOCOL_ZH), (cell_per_line, FARUI),
                         (pipe_table, SEED_003)]:
        lines = (ROOT / path).read_text(encoding="utf-8").split("\n")
        doc = read(reader, path)
        for r in doc.records:
            for span in [r.name, r.type_words, r.required, r.deprecated, r.placement,
                         *r.marks, *r.description]:
                if span is not None:
                    assert span.text in lines[span.line - 1].replace("\u200b", ""), (path, span)


# -- parameter lists: markdown --------------------------------------------------------------

def test_markdown_sections_and_nesting():
    doc = read(param_list, MARKDOWN)
    assert doc.layout == "param_list" and len(doc.records) == 25
    assert sections(doc) == {"header": 1, "request": 24}
    check(doc, "Authorization", 120, "string", "required", "header")
    check(doc, "messages.[].role", 191, "enum<string>", "required")
    check(doc, "messages.[].content", 200, "string", "required")
    check(doc, "response_format.type", 302, "string", None)  # dotted under its parent
    check(doc, "tools.[].type", 315, "enum<string>", "required")
    check(doc, "tools.[].function", 323, "object", "required")
    name = check(doc, "tools.[].function.name", 327, "string", "required")
    assert has(name, 330, "with a maximum length of 64.", "description")
    check(doc, "tools.[].function.strict", 343, "boolean | null", None)
    assert doc.leftovers == []


def test_markdown_marks_defaults_and_examples():
    doc = read(param_list, MARKDOWN)
    model = check(doc, "model", 131, "enum<string>", "required")
    assert has(model, 133, "default:Qwen/QwQ-32B", "marks")
    assert has(model, 137, "Available options:", "marks")
    assert has(model, 177, "* internlm/internlm2_5-7b-chat", "marks")
    example = [s for s in model.description if isinstance(s, LabelledSpan)]
    assert [(s.line, s.text, s.label) for s in example] == [
        (182, "**Example:**", "Example"), (183, '"Qwen/QwQ-32B"', "Example")]
    messages = check(doc, "messages", 185, "object[]", "required")
    assert has(messages, 189, "Required array length: `1 - 10` elements", "marks")
    role = record(doc, "messages.[].role")
    assert has(role, 195, "Available options: `user`, `assistant`, `system`", "marks")
    max_tokens = check(doc, "max_tokens", 216, "integer", None)
    assert has(max_tokens, 218, "default:512", "marks")
    assert has(max_tokens, 220, "Required range: `1 <= x <= 16384`", "marks")
    assert has(check(doc, "thinking_budget", 233, "integer", None), 237,
               "Required range: `128 <= x <= 32768`", "marks")
    assert has(check(doc, "min_p", 242, "number", None), 246, "Required range: `0 <= x <= 1`")
    stop = check(doc, "stop", 251, "string | null` or `string[] | null", None)
    assert has(stop, 254, "Up to 4 sequences", "description")
    tool_type = record(doc, "tools.[].type")
    assert words(tool_type)[:2] == [(320, "**Available options:**"), (321, "function")]
    assert has(check(doc, "stream", 208, "boolean", None), 210, "default:true", "marks")


def test_markdown_models_and_samples():
    doc = read(param_list, MARKDOWN)
    enum = mentions(doc, "enum")
    assert len(enum) == 42 and enum[0] == ("baidu/ERNIE-4.5-300B-A47B", 139)
    assert ("Pro/THUDM/glm-4-9b-chat", 180) in enum
    assert mentions(doc, "default") == [("Qwen/QwQ-32B", 133)]
    assert mentions(doc, "example") == [("Qwen/QwQ-32B", 183)]
    assert mentions(doc, "code") == [("Qwen/QwQ-32B", 62)]
    assert mentions(doc, "sample") == [("Qwen/QwQ-32B", 19), ("Qwen/QwQ-32B", 109)]
    assert samples(doc) == [("request", 18), ("request", 109), ("response", 355),
                            ("error", 391), ("error", 401), ("error", 407), ("error", 413),
                            ("error", 422), ("error", 432)]
    assert doc.samples[4].value == "Invalid token"
    assert doc.samples[2].value["object"] == "chat.completion"


# -- parameter lists: Mintlify flattened ------------------------------------------------------

def test_flattened_counts_and_nesting():
    doc = read(param_list, FLATTENED)
    # 96 entry links on the page, one of them a heading's (Endpoint)
    assert len(doc.records) == 95
    assert sections(doc) == {"header": 1, "request": 45, "response": 49}
    check(doc, "Authorization", 81, "string", "required", "header")
    check(doc, "input", 86, "object", "required")
    check(doc, "input.messages", 90, "(System message · object | User message · object | "
          "Assistant message · object | Tool message · object)[]", "required")
    role = check(doc, "input.messages.[].role", 101, "enum<string>", "required")
    assert has(role, 103, "Available options:system", "marks")
    check(doc, "parameters.tools.[].function.name", 297, "string", "required")
    check(doc, "output.choices.[].message.tool_calls.[].function.name", 389, "string", None,
          "response")
    # four entries on one line, in their order
    on_403 = [r.path[-1] for r in doc.records if r.line == 403]
    assert on_403 == ["token", "bytes", "logprob", "top_logprobs"]
    assert record(doc, "output.choices.[].logprobs.content.[].logprob").type_words.text == \
        "number | null"
    assert doc.leftovers == []


def test_flattened_marks_belong_to_the_entry_before_the_next_anchor():
    doc = read(param_list, FLATTENED)
    temperature = check(doc, "parameters.temperature", 117, "number", None)
    assert has(temperature, 117, "Range: [0, 2).", "description")
    assert has(temperature, 122, "Required range:0 <= x < 2", "marks")
    top_p = check(doc, "parameters.top_p", 122, "number", None)
    assert has(top_p, 122, "Range: (0, 1.0].", "description")
    assert has(top_p, 141, "Required range:0 < x <= 1", "marks")
    assert has(check(doc, "parameters.top_k", 141, "integer", None), 160,
               "Required range:x >= 0", "marks")
    result_format = check(doc, "parameters.result_format", 109, "enum<string>", None)
    assert has(result_format, 109, 'default"text"', "marks")
    assert has(result_format, 117, "Available options:message,text", "marks")
    seed = check(doc, "parameters.seed", 285, "integer", None)
    assert has(seed, 285, "Range: [0, 2³¹−1].", "description")
    assert has(seed, 287, "Required range:x >= 0", "marks")
    assert has(record(doc, "parameters.presence_penalty"), 285, "Required range:-2 <= x <= 2")
    n = check(doc, "parameters.n", 329, "integer", None)
    assert [m.text for m in n.marks] == ["default1", "Required range:1 <= x <= 4"]
    top_logprobs = record(doc, "parameters.top_logprobs")
    assert [m.text for m in top_logprobs.marks] == ["default0", "Required range:0 <= x <= 5"]
    assert has(record(doc, "parameters.response_format"), 307, 'default{"type":"text"}')
    deprecated = record(doc, "parameters.max_tokens")
    assert deprecated.deprecated is not None and deprecated.deprecated.line == 160
    tools = record(doc, "parameters.tools.[].type")
    assert has(tools, 295, "Available options:function", "marks")


def test_flattened_placements_models_and_samples():
    doc = read(param_list, FLATTENED)
    placed = record(doc, "parameters.max_completion_tokens").placement
    assert placed is not None and placed.line == 186
    assert placed.text == "For HTTP calls, place `max_completion_tokens` in the `parameters` field"
    assert mentions(doc, "code") == [("qwen-plus", 19)]
    assert mentions(doc, "example") == [("qwen-plus", 86)]
    assert samples(doc) == [("response", 24)]
    assert doc.samples[0].value["output"]["choices"][0]["finish_reason"] == "stop"


def test_flattened_openai_chat():
    doc = read(param_list, OPENAI_CHAT)
    assert len(doc.records) == 98
    assert sections(doc) == {"header": 1, "request": 47, "response": 50}
    role = check(doc, "messages.[].role", 74, "enum<string>", "required")
    assert has(role, 76, "Available options:system", "marks")
    assert has(check(doc, "modalities", 86, "string[]", None), 86, 'default["text"]', "marks")
    assert has(record(doc, "stream"), 78, "defaultfalse", "marks")
    assert has(record(doc, "tools.[].function.parameters"), 311, "default{}", "marks")
    assert has(record(doc, "tool_choice"), 313, 'default"auto"', "marks")
    top_logprobs = check(doc, "top_logprobs", 295, "integer", None)
    assert has(top_logprobs, 295, "Valid values: 0 to 5.", "description")
    assert has(record(doc, "n"), 222, "range of 1-4", "description")
    assert has(record(doc, "search_options.search_strategy"), 343,
               "Available options:turbo,max,agent,agent_max", "marks")
    assert has(record(doc, "choices.[].finish_reason", "response"), 354,
               "Available options:stop,length,tool_calls", "marks")
    assert mentions(doc, "code") == [("qwen3.7-plus", 19)]
    assert samples(doc) == [("response", 31)]


def test_flattened_anthropic_model_lists():
    doc = read(param_list, ANTHROPIC)
    assert len(doc.records) == 46  # 47 links, one in the FAQ heading
    check(doc, "x-api-key", 74, "string", "required", "header")
    check(doc, "max_tokens", 103, "integer", "required")
    assert has(record(doc, "temperature"), 117, "range [0, 2)", "description")
    fixed = check(doc, "output_config.format.type", 167, "enum<string>", "required")
    assert has(fixed, 169, "Available options:json_schema", "marks")
    listed = mentions(doc, "list")
    assert len(listed) == 39
    assert ("qwen3.7-max", 80) in listed and ("deepseek-v3.2", 101) in listed
    assert {line for _, line in listed} == {80, 83, 86, 89, 92, 95, 98, 101}


# -- parameter lists: Mintlify rendered one cell per line -------------------------------------

def test_rendered_kolors():
    doc = read(param_list, KOLORS)
    assert len(doc.records) == 15
    assert sections(doc) == {"header": 1, "request": 9, "response": 5}
    batch = check(doc, "batch_size", 49, "integer", "required")
    assert [(m.line, m.text) for m in batch.marks] == [
        (50, "default:1"), (52, "Required range: 1 <= x <= 4")]
    prompt = check(doc, "prompt", 42, "string", "required")
    assert prompt.marks[0].text.endswith("fish flying over the sea")
    assert has(check(doc, "image_size", 45, "enum<string>", "required"), 47,
               "Available options: 1024x1024, 960x1280", "marks")
    assert has(check(doc, "guidance_scale", 59, "number", "required"), 62,
               "Required range: 0 <= x <= 20", "marks")
    assert has(check(doc, "seed", 68, "integer", None), 70,
               "Required range: 0 <= x <= 9999999999", "marks")
    check(doc, "seed", 98, "integer", None, "response")
    check(doc, "images.[].url", 86, "string", None, "response")
    assert has(record(doc, "image"), 73, "default:data:image/webp;base64, XXX", "marks")
    assert mentions(doc, "default") == [("Kwai-Kolors/Kolors", 38)]
    assert mentions(doc, "enum") == [("Kwai-Kolors/Kolors", 40)]
    assert samples(doc) == [("request", 6)]


def test_rendered_compilation_of_four_pages():
    doc = read(param_list, COMPILATION)
    assert len(doc.records) == 44
    assert sections(doc) == {"header": 3, "request": 28, "response": 13}
    stop = check(doc, "stop", 217, "string", None)
    assert (220, "string") in words(stop)  # a union's second type line, labelled
    assert next(s.label for s in stop.description if isinstance(s, LabelledSpan)) == "type"
    check(doc, "input", 390, "string", "required")
    budget = check(doc, "thinking_budget", 188, "integer", None)
    assert has(budget, 192, "Required range: 128 <= x <= 32768", "marks")
    assert (194, "4096") in [(s.line, s.text) for s in budget.description
                             if isinstance(s, LabelledSpan) and s.label == "Example"]
    assert has(check(doc, "query", 517, "string", "required"), 521,
               "Minimum string length: 1", "marks")
    assert has(check(doc, "top_n", 548, "integer", None), 552, "Required range: x >= 1")
    assert has(record(doc, "overlap_tokens"), 572, "Required range: 0 <= x <= 80", "marks")
    assert has(record(doc, "return_documents"), 558, "default:false", "marks")
    assert record(doc, "min_p").type_words.text == "number<float>"
    assert samples(doc) == [("request", 96), ("request", 311), ("response", 320),
                            ("request", 457), ("response", 463), ("request", 605),
                            ("response", 613)]
    assert ("Pro/zai-org/GLM-4.7", 134) in mentions(doc, "example")


# -- one cell per line -----------------------------------------------------------------------

def test_protocol_zh_entries():
    doc = read(cell_per_line, PROTOCOL_ZH)
    assert doc.layout == "cell_per_line"
    # 32 lines carry （必选）/（可选）: 31 entry heads and one step of the setup guide
    assert sections(doc) == {"request": 31, "response": 5}
    temperature = check(doc, "temperature", 127, "float", "（可选）")
    assert has(temperature, 133, "取值范围： [0, 2)", "description")
    assert temperature.placement is not None and (temperature.placement.line,
                                                  temperature.placement.text) == (
        137, "通过HTTP调用时，请将 temperature 放入 parameters 对象中")
    assert has(check(doc, "top_p", 139, "float", "（可选）"), 145, "取值范围：（0,1.0]。")
    assert has(check(doc, "seed", 270, "integer", "（可选）"), 274, "取值范围：[0,231−1]。")
    assert has(check(doc, "top_logprobs", 362, "integer", "（可选）"), 366, "取值范围：[0,5]")
    assert has(record(doc, "top_logprobs"), 362, "默认值为0", "marks")
    assert has(check(doc, "stream", 279, "boolean", "（可选）"), 279, "默认值为false", "marks")
    assert has(record(doc, "incremental_output"), 289,
               "默认为false（Qwen3-Max、Qwen3-VL、Qwen3 开源版、QwQ 、QVQ模型默认值为 true）",
               "marks")
    check(doc, "stop", 378, "string 或 array", "（可选）")
    assert has(check(doc, "tool_choice", 397, "string 或 object", "（可选）"), 397,
               "默认值为 auto", "marks")
    assert has(check(doc, "response_format", 312, "object", "（可选）"), 312,
               '默认值为{"type": "text"}', "marks")
    assert has(record(doc, "max_input_tokens"), 251, "qwen-plus-latest 默认值：129,024")
    messages = check(doc, "messages", 120, "array", "（必选）")
    assert messages.placement is not None and "放入 input 对象中" in messages.placement.text
    header = check(doc, "X-DashScope-DataInspection", 448, "string", "（可选）")
    assert header.placement is not None and header.placement.line == 456
    check(doc, "status_code", 490, "string", None, "response")
    usage = check(doc, "usage", 511, "map", None, "response")
    assert [(s.line, s.text) for s in usage.description if isinstance(s, LabelledSpan)] == [
        (515, "属性")]
    assert mentions(doc, "code") == [("qwen-plus", 59), ("qwen-vl-max-latest", 104)]
    assert samples(doc) == [("response", 466)]
    assert doc.leftovers == []


def test_app_call_zh_three_references_in_one_page():
    doc = read(cell_per_line, APP_CALL_ZH)
    # 58 heads with a required mark, 31 response heads (one fused: system_fingerprintstring)
    assert len(doc.records) == 89
    assert sections(doc) == {"request": 58, "response": 23, "stream": 8}
    check(doc, "stream", 105, "boolean", "（可选）")  # no space before the mark
    check(doc, "image_list", 190, "Array", "（可选）")
    assert record(doc, "System Message").line == 408
    fused = [r for r in doc.records if r.path == ("system_fingerprint",)]
    assert [(r.line, r.section) for r in fused] == [(658, "response"), (706, "stream")]
    assert samples(doc)[:3] == [("response", 225), ("response", 247), ("response", 606)]
    assert [kind for kind, line in samples(doc) if 670 <= line <= 679] == ["stream"] * 10
    assert ("qwen-plus", 386) in mentions(doc, "code")


def test_compat_zh():
    doc = read(cell_per_line, COMPAT_ZH)
    assert sections(doc) == {"request": 24}
    assert has(check(doc, "modalities", 88, "array", "（可选）"), 88, '默认值为["text"]', "marks")
    assert has(check(doc, "seed", 158, "integer", "（可选）"), 164, "取值范围：0到231−1。")
    assert mentions(doc, "code") == [("qwen-plus", 27)]


def test_farui_cell_tables():
    doc = read(cell_per_line, FARUI)
    assert len(doc.records) == 32  # 8 + 13 + 11 rows in three tables
    assert sections(doc) == {"request": 17, "header": 4, "response": 11}
    max_tokens = next(r for r in doc.records if r.path == ("max_tokens",))
    assert (max_tokens.line, max_tokens.name.text, max_tokens.type_words.text) == (
        441, "max\\_tokens", "int")
    assert max_tokens.required.text == "（可选）"
    default = max_tokens.marks[0]
    assert isinstance(default, LabelledSpan) and (default.line, default.text, default.label) \
        == (445, "2000", "Default")
    top_p = next(r for r in doc.records if r.path == ("top_p",))
    assert has(top_p, 457, "取值范围为（0,1.0)", "description")
    content_type = check(doc, "Content-Type", 546, "string", "是", "header")
    assert isinstance(content_type.required, LabelledSpan)
    role = check(doc, "input.messages.[].role", 622, "string", "message存在的时候不能缺省")
    assert role.description == []
    check(doc, "parameters.top_k", 666, "float", "否")
    model = next(r for r in doc.records if r.path == ("model",) and r.line == 588)
    assert [(s.line, s.text) for s in model.description if isinstance(s, LabelledSpan)] == [
        (596, "farui-plus")]
    check(doc, "output.choices.[].finish_reason", 714, "string", None, "response")
    assert [(lim.model, lim.name, lim.value, lim.quote, lim.line) for lim in doc.limits] == [
        ("farui-plus", "context_window", 12000, "12k", 25),
        ("farui-plus", "max_input_tokens", 12000, "12k", 27),
        ("farui-plus", "max_output_tokens", 2000, "2k", 29)]
    assert all(isinstance(lim, InferredLimitRow) and "1,000" in lim.inferred
               for lim in doc.limits)
    assert mentions(doc, "table") == [("farui-plus", 23)]
    assert ("error", 887) in samples(doc) and ("request", 783) in samples(doc)
    assert [kind for kind, line in samples(doc) if 373 <= line <= 391] == ["stream"] * 19


def test_model_card_grid_and_english_model_table():
    card = read(cell_per_line, MODEL_CARD)
    assert card.records == []
    assert [(lim.name, lim.value, lim.line) for lim in card.limits] == [
        ("max_input_tokens", 991808, 71), ("max_output_tokens", 131072, 75),
        ("context_window", 1000000, 79), ("max_input_tokens_thinking", 983616, 83),
        ("max_output_tokens_thinking", 131072, 87), ("max_thinking_tokens", 131072, 91)]
    assert {lim.model for lim in card.limits} == {"qwen3.8-2.4t-a95b"}
    assert mentions(card, "heading") == [("qwen3.8-2.4t-a95b", 1)]
    english = read(cell_per_line, ALIBABA_EN)
    assert mentions(english, "table") == [("qwen-turbo", 21), ("qwen-plus", 27),
                                          ("qwen-max", 33)]
    assert [(lim.model, lim.name, lim.value, lim.line) for lim in english.limits] == [
        ("qwen-turbo", "context_window", 8000, 25), ("qwen-turbo", "max_input_tokens", 6000, 25),
        ("qwen-plus", "context_window", 32000, 31), ("qwen-plus", "max_input_tokens", 30000, 31),
        ("qwen-max", "context_window", 8000, 37), ("qwen-max", "max_input_tokens", 6000, 37)]


# -- pipe tables (seed 003) ------------------------------------------------------------------

def test_seed_003_every_row():
    doc = read(pipe_table, SEED_003)
    assert doc.layout == "pipe_table"
    lines = {r.line for r in doc.records}
    sdk_request = {323, 324, 326, 327, 328, 329, 331, 332, 333, 334, 335, 336, 337, 338}
    sdk_response = {*range(383, 391), *range(392, 396), 397, 398, 399}
    http_request = {*range(409, 423), *range(424, 430)}
    http_response = {433, 434, 436, 437, 439, 440, 441, 442, 443, 444}
    assert lines == sdk_request | sdk_response | http_request | http_response
    assert len(doc.records) == 59
    assert sections(doc) == {"request": 29, "response": 25, "header": 5}
    assert doc.leftovers == []


def test_seed_003_cells():
    doc = read(pipe_table, SEED_003)
    temperature = next(r for r in doc.records if r.path == ("parameters", "temperature"))
    assert (temperature.line, temperature.type_words.text, temperature.required.text) == (
        427, "Float", "Optional.")
    assert has(temperature, 427, "Valid values: [0,2).", "description")
    assert has(temperature, 427, "Default value: 0.85.", "description")
    example = temperature.description[-1]
    assert isinstance(example, LabelledSpan) and (example.text, example.label) == (
        "0.85", "Example")
    top_p = next(r for r in doc.records if r.path == ("top_p",))
    assert has(top_p, 331, "Valid values: (0,1.0). Default value: 0.8.", "description")
    incremental = next(r for r in doc.records if r.path == ("incremental_output",))
    assert [s.line for s in incremental.description] == [338, 339]  # a cell over two lines
    assert has(incremental, 339, "Default value: False.", "description")
    max_tokens = next(r for r in doc.records if r.path == ("parameters", "max_tokens"))
    assert [(s.line, s.text) for s in max_tokens.description][-1] == (423, "1500")
    check(doc, "Content-Type", 409, "String", None, "header")
    accept = check(doc, "Accept", 410, "String", "Optional.", "header")
    assert has(accept, 410, "Default value: */*", "description")
    check(doc, "input.messages.[].role", 418, "String", None)
    check(doc, "output.choise.[].message.content", 441, "String", None, "response")
    check(doc, "choices.[].finish_reason", 395, "String", None, "response")
    stop = next(r for r in doc.records if r.path == ("parameters", "stop"))
    assert stop.type_words.text.startswith("str/list[str] for specifying strings;")
    finish = check(doc, "output.finish_reason", 434, "String", None, "response")
    assert [(s.line, s.text) for s in finish.description] == [
        (434, "The reason why the generation process stops. Valid values:"), (435, "stop")]


def test_seed_003_overview_models_and_limits():
    doc = read(pipe_table, SEED_003)
    assert mentions(doc, "table") == [("qwen1.5-72b-chat", 12), ("qwen1.5-32b-chat", 13),
                                      ("qwen1.5-14b-chat", 14), ("qwen1.5-7b-chat", 15)]
    listed = mentions(doc, "list")
    assert sorted(listed) == sorted((m, 414) for m in (
        "qwen1.5-72b-chat", "qwen1.5-14b-chat", "qwen1.5-7b-chat", "qwen-72b-chat",
        "qwen-14b-chat", "qwen-7b-chat"))
    assert ("qwen-72b-chat", 69) in mentions(doc, "code")
    assert ("qwen-14b-chat", 452) in mentions(doc, "sample")
    limits = {(lim.model, lim.name): lim for lim in doc.limits}
    assert {k: v.value for k, v in limits.items()} == {
        ("qwen1.5-72b-chat", "context_window"): 32000,
        ("qwen1.5-72b-chat", "max_input_tokens"): 30000,
        ("qwen1.5-72b-chat", "max_output_tokens"): 2000,
        ("qwen1.5-32b-chat", "context_window"): 32000,
        ("qwen1.5-32b-chat", "max_input_tokens"): 30000,
        ("qwen1.5-32b-chat", "max_output_tokens"): 2000,
        ("qwen1.5-14b-chat", "context_window"): 8000,
        ("qwen1.5-14b-chat", "max_input_tokens"): 6000,
        ("qwen1.5-7b-chat", "context_window"): 8000,
        ("qwen1.5-7b-chat", "max_input_tokens"): 6000}
    inherited = limits[("qwen1.5-32b-chat", "max_output_tokens")]
    assert isinstance(inherited, InferredLimitRow) and inherited.line == 12
    assert "qwen1.5-32b-chat (line 13) is blank" in inherited.inferred
    assert isinstance(limits[("qwen1.5-7b-chat", "context_window")], InferredLimitRow)
    assert not isinstance(limits[("qwen1.5-72b-chat", "context_window")], InferredLimitRow)
    assert limits[("qwen1.5-72b-chat", "context_window")].quote in (ROOT / SEED_003).read_text(
        encoding="utf-8").split("\n")[11]
    assert samples(doc) == [("response", 342), ("response", 366), ("request", 451),
                            ("response", 469), ("request", 487), ("stream", 508),
                            ("stream", 512), ("stream", 518), ("error", 521)]


@pytest.mark.parametrize("reader,path", [
    (param_list, MARKDOWN), (param_list, FLATTENED), (param_list, OPENAI_CHAT),
    (param_list, ANTHROPIC), (param_list, KOLORS), (param_list, COMPILATION),
    (cell_per_line, PROTOCOL_ZH), (cell_per_line, APP_CALL_ZH), (cell_per_line, COMPAT_ZH),
    (cell_per_line, FARUI), (pipe_table, SEED_003)])
def test_reading_is_deterministic(reader, path):
    text = Path(ROOT / path).read_text(encoding="utf-8")
    assert reader.read(document(path, text)) == reader.read(document(path, text))


def test_a_placement_for_an_sdk_is_not_a_place_on_the_wire():
    """"通过 Python SDK调用时，请放入 extra_body 对象中" (a 2026 OpenAI-compatible page) says
    where the SDK takes the argument; the SDK sends extra_body's members at the top of the
    body, so the member stays where the page lists it. An HTTP placement still counts."""
    text = "\n".join([
        "请求体", "top_k integer （可选）", "",
        "生成过程中采样候选集的大小。取值需要大于或等于0。", "",
        "该参数非OpenAI标准参数。通过 Python SDK调用时，请放入 extra_body 对象中。"
        "配置方式为：extra_body={\"top_k\":xxx}。",
        "temperature float （可选）", "",
        "采样温度。通过HTTP调用时，请将 temperature 放入 parameters 对象中。",
        "seed integer （可选）", "",
        "When you use the OpenAI SDK, put it in the extra_body object.",
    ])
    doc = cell_per_line.read(document("sources/dashscope/sdk-placement.txt", text))
    assert record(doc, "top_k").placement is None
    assert record(doc, "seed").placement is None
    temperature = record(doc, "temperature").placement
    assert temperature is not None and "parameters" in temperature.text


def test_a_required_mark_with_a_deprecation_note_still_heads_an_entry():
    """`max_tokens integer （可选，即将废弃）` (2026): an optional parameter said to be going."""
    text = "\n".join(["请求体", "max_tokens integer （可选，即将废弃）", "",
                      "用于限制模型输出的最大 Token 数。", "temperature float （可选）", "",
                      "采样温度。"])
    doc = cell_per_line.read(document("sources/dashscope/deprecated-mark.txt", text))
    found = check(doc, "max_tokens", 2, "integer", "（可选，即将废弃）")
    assert found.deprecated is not None and found.deprecated.text == "即将废弃"
    check(doc, "temperature", 5, "float", "（可选）")


MARKDOWN_CELLS = "\n".join([
    "#### 参数说明", "", "**model string （必选）**", "模型名称。", "",
    "**messages array （必选）**", "消息数组。", "",
    "  * **消息类型**", "      * **User Message object （必选）**", "        用户消息。",
    "      * **属性**", "          * **content string（必选）**", "            待翻译的句子。",
    "          * **role string （必选）**", "            必须设为user。", "",
    "**stream\\_options object （可选）**", "流式输出的配置项。", "",
    "  * **属性**", "      * **include\\_usage boolean （可选）默认值为 false**",
    "        是否包含。",
    "", "**seed integer （可选）**", "取值范围：[0,2^31−1]。",
    "通过HTTP调用时，请将 seed 放入 parameters 对象中。",
])


def test_a_markdown_rendering_of_cells_nests_members_by_their_bullets():
    """The same entries rendered to markdown (bold heads, `\\_`, bullets): a bulleted entry
    under another is its member; a shape named in words (`User Message object`) is not a
    member itself; the first entry without a bullet closes the list."""
    doc = cell_per_line.read(document("sources/dashscope/markdown-cells.md", MARKDOWN_CELLS))
    paths = [r.path for r in doc.records]
    assert ("messages", "[]", "content") in paths and ("messages", "[]", "role") in paths
    assert ("stream_options", "include_usage") in paths
    assert ("seed",) in paths
    usage = record(doc, "stream_options.include_usage")
    assert usage.marks[0].text == "默认值为 false"
    assert cell_per_line.looks_like(MARKDOWN_CELLS) > 0.5
