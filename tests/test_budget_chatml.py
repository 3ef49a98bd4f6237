"""The ChatML builder against its reference: Qwen1.5's chat template rendered by jinja2's
sandbox, on drawn conversations; the size the bounds use against the built prompt's."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wirespec.validators._chatml import (
    IM_END,
    IM_START,
    QWEN15_CHAT_TEMPLATE,
    chatml,
    chatml_size,
    render_chat,
    tools_block,
)
from wirespec.validators._tokens import nfc_size, utf8_size

# text a conversation may hold: letters of several scripts, combining marks, whitespace, the
# template's own markers and braces a template engine might trip on
PIECES = st.sampled_from(["a", "Z", " ", "\n", "\t", "é", "e\u0301", "\u0338", ">", "<", "|",
                          "你好", "😀", "\u200d", "{{ x }}", "{% if %}", IM_START, IM_END,
                          "system", "\\n", "'", '"', "\u0958", "\ufb2c"])
TEXT = st.lists(PIECES | st.text(max_size=8), max_size=12).map("".join)
ROLES = st.sampled_from(["system", "user", "assistant", "tool"]) | TEXT
MESSAGES = st.lists(st.fixed_dictionaries({"role": ROLES, "content": TEXT}), max_size=6)
SETTINGS = settings(max_examples=300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def _template() -> Any:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment().from_string(QWEN15_CHAT_TEMPLATE)


def jinja_render(messages: list[dict[str, str]]) -> str:
    return str(_template().render(messages=messages, add_generation_prompt=True))


@SETTINGS
@given(MESSAGES)
def test_the_builder_renders_what_the_template_renders(messages):
    assert render_chat(messages) == jinja_render(messages)


def test_the_default_system_turn_and_the_reply_prompt():
    assert render_chat([{"role": "user", "content": "Who are you"}]) == (
        "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n"
        "<|im_start|>user\nWho are you<|im_end|>\n<|im_start|>assistant\n")
    assert render_chat([{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]) \
        == jinja_render([{"role": "system", "content": "S"}, {"role": "user", "content": "U"}])
    assert render_chat([]) == jinja_render([]) == "<|im_start|>assistant\n"


def _normalised_size(text: str) -> int:
    return len(unicodedata.normalize("NFC", text).encode())


@SETTINGS
@given(MESSAGES, st.none() | st.just(tools_block([{"name": "f", "description": "é"}])))
def test_the_size_without_building_is_the_built_prompts(messages, tools):
    roles = [m["role"] for m in messages]
    contents = [m["content"] for m in messages]
    prompt = chatml(roles, contents, tools)
    # role and content measured apart: NFC adds up over the newline that joins them
    for size in (nfc_size, utf8_size):
        assert chatml_size(roles, contents, tools, size) == (
            sum(size(segment.text) for segment in prompt.segments), prompt.specials)
    assert nfc_size(prompt.text) == _normalised_size(prompt.text)


def test_tools_end_the_system_turn():
    tools = tools_block([{"type": "function", "function": {"name": "get_weather"}}])
    text = chatml(["user"], ["hi"], tools).text
    assert text.startswith("<|im_start|>system\nYou are a helpful assistant\n\n# Tools\n")
    assert '\n{"type": "function", "function": {"name": "get_weather"}}\n</tools>' in text
    assert text.endswith("</tool_call><|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
                         "<|im_start|>assistant\n")
    own = chatml(["system", "user"], ["Be brief.", "hi"], tools).text
    assert own.startswith("<|im_start|>system\nBe brief.\n\n# Tools\n")
