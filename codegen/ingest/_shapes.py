"""Each provider's wire shape around what a prose reference says: which members a request
cannot do without, and what each event of a stream carries. Only what the provider's API
fixes for every request is added here, each addition marked inferred."""

from __future__ import annotations

import copy
import re
from typing import Any

from ._document import Source, SourceDocument
from ._records import ReadDocument

DONE = "[DONE]"
_DONE_WORDS = re.compile(r"data:\s*\[DONE\]")


class Shape:
    def request(self, doc: SourceDocument, body: dict[str, Any]) -> dict[str, Any]:
        return body

    def stream(self, doc: SourceDocument, response: dict[str, Any],
               read: ReadDocument) -> dict[str, Any] | None:
        return None


def _require(body: dict[str, Any], name: str, doc: SourceDocument, why: str) -> None:
    if name in body.get("properties", {}) and name not in body.get("required", []):
        body.setdefault("required", []).append(name)
        line = body["properties"][name]["x-source"]["line"]
        body["x-source"] = Source(doc.path, line, name, inferred=why).as_json()


class DashScope(Shape):
    """``{model, input, parameters}``: a request names its model and carries its input."""

    ENVELOPE = ("model", "input", "parameters")
    CONVERSATION = ("messages", "prompt", "history")

    def request(self, doc: SourceDocument, body: dict[str, Any]) -> dict[str, Any]:
        body = copy.deepcopy(body)
        members = body.get("properties", {})
        native = "parameters" in members or "input" in members  # not a compatible-mode page
        for name in [n for n in self.CONVERSATION if n in members and native]:
            holder = members.setdefault("input", {"type": "object", "x-source": Source(
                doc.path, members[name]["x-source"]["line"], name, inferred=(
                    "DashScope's HTTP body carries the conversation in input")).as_json()})
            moved = holder.setdefault("properties", {})[name] = members.pop(name)
            moved["x-source"]["inferred"] = (
                f"the document places {name} nowhere; DashScope's HTTP body carries the "
                "conversation (messages, prompt, history) in input, as its references place it")
            if name in body.get("required", []):
                body["required"].remove(name)
                holder.setdefault("required", []).append(name)
        if "parameters" in members:
            for name in [n for n in members if n not in self.ENVELOPE]:
                moved = members["parameters"].setdefault("properties", {})[name] = \
                    members.pop(name)
                moved["x-source"]["inferred"] = (
                    f"the document places {name} nowhere; DashScope's HTTP body carries every "
                    "member but model and input in parameters, as the document places the rest")
                if name in body.get("required", []):
                    body["required"].remove(name)
                    members["parameters"].setdefault("required", []).append(name)
        inputs = body.get("properties", {}).get("input", {})
        if inputs.get("required"):
            _require(body, "input", doc, "input holds members the document marks required "
                     f"({', '.join(inputs['required'])}): a request cannot leave it out")
        _require(body, "model", doc, "every DashScope request names its model (the endpoint "
                 "serves many)")
        return body

    def stream(self, doc: SourceDocument, response: dict[str, Any],
               read: ReadDocument) -> dict[str, Any] | None:
        event = copy.deepcopy(response)
        source = event.setdefault("x-source", Source(doc.path, 1, "response").as_json())
        source["inferred"] = ("each SSE event's data has the response's shape (DashScope's "
                              "streams send the whole response object in every event)")
        return event


class OpenAICompatible(Shape):
    """A flat body; a stream of JSON chunks ended by ``data: [DONE]`` where the document says
    so."""

    def stream(self, doc: SourceDocument, response: dict[str, Any],
               read: ReadDocument) -> dict[str, Any] | None:
        line = next((n for n, text in enumerate(doc.lines, 1) if _DONE_WORDS.search(text)), None)
        if line is None:
            return None
        return {"type": "object", "x-stream-terminator": DONE,
                "x-source": Source(doc.path, line, "data: [DONE]", inferred=(
                    "each event before [DONE] is a JSON chunk; the document describes the "
                    "chunks no further")).as_json()}


SHAPES: dict[str, Shape] = {"dashscope": DashScope(), "siliconflow": OpenAICompatible(),
                            "cloudflare": Shape()}
