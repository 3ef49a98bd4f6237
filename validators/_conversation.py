"""The conversation a request carries, as each provider's chat template receives it.

DashScope's native body: ``input.history`` rounds, ``input.messages``, then ``input.prompt``.
Cloudflare's (and OpenAI-compatible) bodies: ``messages``, or a ``prompt`` (sent as it is when
``raw`` is true). What no document says how a provider renders is counted by a stated
approximation and listed in ``estimated`` (the report warns about each):

- array ``content``: its text parts joined by newlines (vLLM's rendering for a template that
  takes a string; TGI joins them with nothing, so newlines never count fewer), any other
  part as its JSON text;
- ``tools`` and ``functions``: as the Qwen family's own template (Qwen2.5's) writes them into
  the system turn, one JSON line per tool.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Any

from ._chatml import tools_block

ARRAY_CONTENT = ("array content counted as its text parts joined by newlines (other parts as "
                 "their JSON text): how {provider} renders it is not documented")
TOOLS = ("{member} counted as Qwen2.5's chat template writes tools into the system turn: how "
         "{provider} renders them for this model is not documented")


# members that add to a chat request's prompt besides its messages
_TOOL_MEMBERS = ("tools", "functions")
_STRINGS = frozenset({str})


@dataclass(slots=True)
class Conversation:
    """Roles and contents in template order; ``places`` says where each came from."""

    roles: list[str]
    contents: list[str]
    pointer: str  # the request member the conversation sits in, for errors
    # (pointer format, first turn, turns, first number): turn i of a run is at
    # format.format(first number + i - first turn)
    places: list[tuple[str, int, int, int]] = field(default_factory=list)
    tools: str | None = None  # the tools as the template's system turn carries them
    raw: bool = False  # sent without a template
    estimated: list[tuple[str, str]] = field(default_factory=list)  # (pointer, how)

    def add(self, form: str, roles: list[str], contents: list[str], number: int = 0) -> None:
        """Turns that sit at ``form`` numbered from ``number`` (a run of messages, or one)."""
        self.places.append((form, len(self.roles), len(roles), number))
        self.roles += roles
        self.contents += contents

    def place(self, index: int) -> str:
        """The pointer of turn ``index`` (runs are in turn order: a binary search, so that a
        long history costs no quadratic time)."""
        form, first, turns, number = self.places[bisect.bisect_right(
            self.places, index, key=lambda place: place[1]) - 1]
        if not first <= index < first + turns:
            raise IndexError(index)
        return form.format(number + index - first)


class _Text(str):
    """Text already written (a bracket, a separator, a member's name)."""


def json_text(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)``, also for a structure nested deeper than the
    interpreter's stack (a Python value handed to validate() may be): written with a stack
    of its own then."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except RecursionError:
        pass
    parts: list[str] = []
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, _Text):
            parts.append(item)
        elif isinstance(item, dict | list):
            members = list(item.items()) if isinstance(item, dict) else list(enumerate(item))
            pending.append(_Text("}" if isinstance(item, dict) else "]"))
            for index in range(len(members) - 1, -1, -1):
                name, member = members[index]
                pending.append(member)
                if isinstance(item, dict):
                    pending.append(_Text(json.dumps(str(name), ensure_ascii=False) + ": "))
                if index:
                    pending.append(_Text(", "))
            parts.append("{" if isinstance(item, dict) else "[")
        else:
            parts.append(json.dumps(item, ensure_ascii=False))
    return "".join(parts)


def _text_of(content: Any, pointer: str, provider: str,
             estimated: list[tuple[str, str]]) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):  # a schema that lets other values through
        estimated.append((pointer, f"content counted as its JSON text: how {provider} renders "
                          "it is not documented"))
        return json_text(content)
    estimated.append((pointer, ARRAY_CONTENT.format(provider=provider)))
    return "\n".join(part["text"] if isinstance(part, dict) and isinstance(
        part.get("text"), str) else json_text(part) for part in content)


def _tools(payload: dict[str, Any], provider: str, conversation: Conversation) -> None:
    found = [(name, payload[name]) for name in _TOOL_MEMBERS
             if isinstance(payload.get(name), list) and payload[name]]
    if not found:
        return
    conversation.tools = tools_block([tool for _, tools in found for tool in tools],
                                     json_text)
    conversation.estimated += tools_estimates([name for name, _ in found], provider)


def _strings(messages: list[Any]) -> tuple[list[str], list[str]] | None:
    """(roles, contents) of messages whose roles and contents are all strings (the usual
    request), in two passes at C speed; None for any other."""
    try:
        roles, contents = [m["role"] for m in messages], [m["content"] for m in messages]
    except (TypeError, KeyError):
        return None
    return (roles, contents) if set(map(type, roles + contents)) <= _STRINGS else None


def _messages(messages: list[Any], form: str, provider: str,
              conversation: Conversation) -> None:
    """A run of ``{"role", "content"}`` messages (content a string, as usual, or not)."""
    plain = _strings(messages)
    if plain is not None:
        conversation.add(form, *plain)
        return
    roles, contents = [], []
    for index, message in enumerate(messages):
        message = message if isinstance(message, dict) else {}
        roles.append(str(message.get("role")))
        contents.append(_text_of(message.get("content", ""), form.format(index), provider,
                                 conversation.estimated))
    conversation.add(form, roles, contents)


Tools = list[tuple[str, list[Any]]]  # (member, its tools)


def plain_parts(provider: str, payload: Any) -> tuple[list[Any], Tools] | None:
    """The messages of a request that has no history and not both messages and a prompt (a
    prompt alone is one user message, as :func:`chat` and :func:`dashscope` count it), and
    its tools as ``_tools`` reads them (each non-empty ``tools``/``functions`` list, by
    name); None for any other request (DashScope's tools are left to the general path)."""
    if type(payload) is not dict:
        return None
    if provider == "dashscope":
        source = payload.get("input")
        if type(source) is not dict or len(source) != 1:
            return None
        messages, tools = source.get("messages", _prompt_turn(source.get("prompt"))), []
    else:
        messages = payload.get("messages")
        if "prompt" in payload:
            if messages is not None:
                return None
            messages = _prompt_turn(payload["prompt"])
        tools = [(name, payload[name]) for name in _TOOL_MEMBERS
                 if name in payload and type(payload[name]) is list and payload[name]
                 ] if "tools" in payload or "functions" in payload else []
    return (messages, tools) if type(messages) is list else None


def _prompt_turn(prompt: Any) -> list[dict[str, str]] | None:
    """A prompt as the one user turn the budget counts it as (sent raw, it is no longer)."""
    return [{"role": "user", "content": prompt}] if type(prompt) is str else None


def tools_estimates(names: list[str], provider: str) -> list[tuple[str, str]]:
    """(pointer, how) of each tools member counted as an estimate."""
    return [(f"/{name}", TOOLS.format(member=f"'{name}'", provider=provider)) for name in names]


def chat(payload: dict[str, Any], provider: str) -> Conversation | None:
    """Cloudflare and OpenAI-compatible requests: ``messages``, or a ``prompt``."""
    messages = payload.get("messages")
    prompt = payload.get("prompt")
    if not isinstance(messages, list) and not isinstance(prompt, str):
        return None
    conversation = Conversation([], [], "/messages" if isinstance(messages, list)
                                else "/prompt")
    if isinstance(messages, list):
        _messages(messages, "/messages/{}/content", provider, conversation)
    if isinstance(prompt, str):
        conversation.add("/prompt", ["user"], [prompt])
        conversation.raw = payload.get("raw") is True and not isinstance(messages, list)
    if "tools" in payload or "functions" in payload:
        _tools(payload, provider, conversation)
    return conversation


def dashscope(payload: dict[str, Any]) -> Conversation | None:
    """DashScope's native request: history rounds, messages, then the prompt."""
    source = payload.get("input")
    if not isinstance(source, dict):
        return None
    messages, prompt = source.get("messages"), source.get("prompt")
    history = source.get("history")
    # the member that holds the conversation; /input when several do
    holders = [f"/input/{name}" for name, value in (("history", history), ("messages",
               messages), ("prompt", prompt)) if isinstance(value, str | list) and value != []]
    conversation = Conversation([], [], holders[0] if len(holders) == 1 else "/input")
    for index, round_ in enumerate(history if isinstance(history, list) else []):
        for role, key in (("user", "user"), ("assistant", "bot")):
            if isinstance(round_, dict) and key in round_:
                conversation.add(f"/input/history/{{}}/{key}", [role], [str(round_[key])],
                                 index)
    if isinstance(messages, list):
        _messages(messages, "/input/messages/{}/content", "dashscope", conversation)
    if isinstance(prompt, str):
        conversation.add("/input/prompt", ["user"], [prompt])
    return conversation


def conversation_of(provider: str, payload: Any) -> Conversation | None:
    """The request's conversation, or None when it carries none wirespec can count."""
    if not isinstance(payload, dict):
        return None
    return dashscope(payload) if provider == "dashscope" else chat(payload, provider)
