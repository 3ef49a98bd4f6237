"""The prompt a Qwen chat model sees: Qwen1.5's ChatML chat template, built with ``str.join``.

The template (``QWEN15_CHAT_TEMPLATE``, from the tokenizer_config.json of the Qwen1.5 chat
models) stays the reference: the tests render drawn conversations with it in jinja2's sandbox
and compare. The builder is what runs: 24x faster than the sandbox, and it knows where the
special tokens are, so a count can add them instead of searching the text for them.

A prompt is its special tokens and the text between them (``segments``): every turn is
``<|im_start|>`` + ``role\\ncontent`` + ``<|im_end|>`` + ``\\n``, and the prompt ends with
``<|im_start|>assistant\\n``, the turn the model is asked to write.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

IM_START, IM_END = "<|im_start|>", "<|im_end|>"
DEFAULT_SYSTEM = "You are a helpful assistant"
REPLY = "assistant\n"
DEFAULT_TURN = len("system\n" + DEFAULT_SYSTEM + "\n")  # ASCII: as many bytes, in any form

# Qwen1.5's chat_template: ChatML, with a default system turn when the conversation does not
# start with one. The reference the builder is tested against (tests/test_budget_chatml.py).
QWEN15_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant<|im_end|>\\n' }}"
    "{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

# How the Qwen family's own template (Qwen2.5's) writes tools into the system turn: the
# approximation for a model whose documents do not say (Qwen1.5's template has no tools).
TOOLS_HEAD = ("\n\n# Tools\n\nYou may call one or more functions to assist with the user "
              "query.\n\nYou are provided with function signatures within <tools></tools> "
              "XML tags:\n<tools>")
TOOLS_TAIL = ("\n</tools>\n\nFor each function call, return a json object with function name "
              "and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n"
              "{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>")


@dataclass(slots=True)
class Segment:
    """Text between two special tokens: ``head`` then ``body`` (kept apart so that a count
    can be cached per turn without building the joined string first)."""

    head: str
    body: str = ""
    turn: int | None = None  # the conversation's turn it renders, if any

    @property
    def text(self) -> str:
        return self.head + self.body


class Special(str):
    """A special token the template places (one token, never split)."""


START, END = Special(IM_START), Special(IM_END)
NEWLINE = Segment("\n")


@dataclass(slots=True)
class Prompt:
    """The prompt, piece by piece: special tokens and the segments between them."""

    pieces: list[Segment | Special]

    @property
    def segments(self) -> list[Segment]:
        return [piece for piece in self.pieces if isinstance(piece, Segment)]

    @property
    def specials(self) -> int:
        return sum(1 for piece in self.pieces if isinstance(piece, Special))

    @property
    def text(self) -> str:
        return "".join(piece.text if isinstance(piece, Segment) else piece
                       for piece in self.pieces)


def _own_system(roles: Sequence[str]) -> bool:
    return bool(roles) and roles[0] == "system"


def _system_turn(roles: Sequence[str], tools: str | None) -> bool:
    """Whether the prompt opens with a system turn the template writes itself: the default
    one, or the conversation's own with the tools added."""
    return (bool(roles) and not _own_system(roles)) or tools is not None


def chatml(roles: Sequence[str], contents: Sequence[str], tools: str | None = None) -> Prompt:
    """The ChatML prompt of a conversation; ``tools`` (already rendered) ends the system
    turn, which is then written even for an empty conversation."""
    pieces: list[Segment | Special] = []
    first = 0
    if _system_turn(roles, tools):
        system = Segment("system\n", DEFAULT_SYSTEM)
        if _own_system(roles):
            system, first = Segment(roles[0] + "\n", contents[0], 0), 1
        pieces += [START, system, *([Segment(tools)] if tools is not None else []), END,
                   NEWLINE]
    for index in range(first, len(roles)):
        pieces += [START, Segment(roles[index] + "\n", contents[index], index), END, NEWLINE]
    pieces += [START, Segment(REPLY)]
    return Prompt(pieces)


def chatml_size(roles: list[str], contents: list[str], tools: str | None,
                size: Callable[[str], int],
                size_all: Callable[[list[str]], int] | None = None) -> tuple[int, int]:
    """(the segments' total ``size``, the special tokens) of :func:`chatml`'s prompt,
    without building it; ``size_all`` adds up the sizes of many texts at once. ``size``
    must add up over a newline (UTF-8 bytes do, before and after NFC: nothing composes
    with a newline)."""
    texts = roles + contents
    framing, specials = chatml_framing(len(roles), roles[0] if roles else None, tools, size)
    return (size_all(texts) if size_all else sum(map(size, texts))) + framing, specials


def chatml_framing(turns: int, first_role: str | None, tools: str | None,
                   size: Callable[[str], int]) -> tuple[int, int]:
    """(the ``size`` the template adds to the roles and contents of ``turns`` turns, the first
    one's role ``first_role``, the special tokens)."""
    framing = 2 * turns + len(REPLY)  # the newline after each role and each turn
    specials = 2 * turns + 1
    if (turns or tools is not None) and first_role != "system":
        framing += DEFAULT_TURN  # the default system turn and its newline
        specials += 2
    return framing + (size(tools) if tools is not None else 0), specials


def raw(content: str, turn: int = 0) -> Prompt:
    """A prompt sent as it is (Cloudflare's ``raw``: no template)."""
    return Prompt([Segment("", content, turn)])


def render_chat(messages: Sequence[dict[str, str]]) -> str:
    """The prompt the model sees: the conversation in Qwen1.5's ChatML, then the turn it is
    asked to write (what the jinja2 template renders with ``add_generation_prompt``)."""
    return chatml([m["role"] for m in messages], [m["content"] for m in messages]).text


def tools_block(tools: Sequence[Any], json_text: Callable[[Any], str] = json.dumps) -> str:
    """``tools`` as Qwen2.5's template writes them: one JSON line per tool (``tojson``,
    which is ``json.dumps`` with ``ensure_ascii=False``: ``json_text``)."""
    return TOOLS_HEAD + "".join("\n" + json_text(tool) for tool in tools) + TOOLS_TAIL
