"""``usage`` in the mock's answers, counted with the model's own tokenizer.

Where wirespec counts a model exactly (the Qwen vocabulary, validators/_tokens.py), the prompt
figure (``prompt_tokens``, DashScope's ``input_tokens``) is the request's prompt as the chat
template renders it, and the completion figure (``completion_tokens``, ``output_tokens``) the
answer's own text: every choice's, or in a stream the text so far (DashScope's figures grow
event by event; with ``incremental_output`` each event holds a piece). ``total_tokens`` is
their sum. Only members the drawn answer already has are set, and only if the answer still
validates; otherwise, and for a model without a tokenizer, the drawn figures stay (schema-valid
numbers that mean nothing: docs/decisions.md says so).
"""

from __future__ import annotations

import itertools
from typing import Any

from wirespec.validators._conversation import conversation_of
from wirespec.validators._tokens import InexactCount, Tokenizer, count_conversation, tokenizer_for

PROMPT = ("prompt_tokens", "input_tokens")
COMPLETION = ("completion_tokens", "output_tokens")
TOTAL = "total_tokens"


def _count(tokenizer: Tokenizer, text: str) -> int:
    try:
        return tokenizer.count(text)
    except InexactCount as inexact:  # whitespace runs of a million characters, counted in parts
        return inexact.count


def _texts(answer: dict[str, Any]) -> list[str]:
    """The generated text of each choice (Cloudflare's ``response``, DashScope's ``text`` or
    choices, OpenAI-compatible choices' message or delta)."""
    if isinstance(answer.get("response"), str):
        return [answer["response"]]
    output = answer.get("output")
    holder = output if isinstance(output, dict) else answer
    if isinstance(holder.get("text"), str):
        return [holder["text"]]
    found = []
    for choice in holder.get("choices") or ():
        message = choice.get("message", choice.get("delta")) if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            found.append(content)
    return found


def _with_usage(answer: Any, prompt: int, completion: int) -> Any:
    """``answer`` (a copy) with its usage figures replaced; itself when it has none."""
    usage = answer.get("usage") if isinstance(answer, dict) else None
    if not isinstance(usage, dict):
        return answer
    figures = dict(usage)
    for names, value in ((PROMPT, prompt), (COMPLETION, completion)):
        for name in names:
            if name in figures:
                figures[name] = value
    if TOTAL in figures:
        figures[TOTAL] = prompt + completion
    return {**answer, "usage": figures}


class UsageCounter:
    """The figures of one request: its prompt counted once, each answer's text on demand."""

    def __init__(self, provider: str, model: str, request: Any) -> None:
        self.tokenizer = tokenizer_for(model)
        conversation = conversation_of(provider, request) if self.tokenizer.exact else None
        self.prompt = (count_conversation(self.tokenizer, conversation).total
                       if conversation is not None else None)
        parameters = request.get("parameters") if isinstance(request, dict) else None
        # each stream event holds a piece (deltas; DashScope's incremental_output), or the
        # text so far (DashScope's default)
        self.pieces = provider != "dashscope" or (isinstance(parameters, dict) and parameters.get(
            "incremental_output") is True)

    @property
    def counts(self) -> bool:
        """The model has a tokenizer and the request a prompt: figures will be counted."""
        return self.prompt is not None

    def answer(self, engine: Any, answer: Any) -> Any:
        """A whole answer with counted figures, if it stays valid."""
        if self.prompt is None or not isinstance(answer, dict):
            return answer
        completion = sum(_count(self.tokenizer, text) for text in _texts(answer))
        counted = _with_usage(answer, self.prompt, completion)
        return counted if counted is answer or engine.is_valid(counted) else answer

    def stream(self, engine: Any, events: list[Any]) -> list[Any]:
        """Stream events with counted figures (the text so far), each kept as drawn if its
        counted form would not validate."""
        if self.prompt is None:
            return events
        counted: list[Any] = []
        so_far: list[str] = []
        for event in events:
            texts = _texts(event) if isinstance(event, dict) else []
            so_far = ([a + b for a, b in itertools.zip_longest(so_far, texts, fillvalue="")]
                      if self.pieces else texts)
            figures = _with_usage(event, self.prompt,
                                  sum(_count(self.tokenizer, text) for text in so_far))
            counted.append(figures if figures is event or engine.is_valid(figures) else event)
        return counted
