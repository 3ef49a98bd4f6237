"""Class names for generated models: after what a node is, never ``Model1``.

Every object node gets a ``title`` before datamodel-code-generator sees the schema: a
property ``parameters`` -> ``Parameters``; the elements of ``messages`` -> ``Message``; an
alternative -> the member that sets it apart (``Prompt``, ``Messages``; nested:
``FunctionTool``). A name already taken by another node is qualified by its parent's name
(``FunctionParameters``).
"""

from __future__ import annotations

import re
from typing import Any

GENERIC_MEMBERS = ("type", "name", "description", "id")


def camel(text: str) -> str:
    words = [w for w in re.split(r"[^0-9A-Za-z]+", text) if w]
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Value"
    return name if name[0].isalpha() else f"V{name}"


def singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name + "Item"


def _is_class(node: Any) -> bool:
    return isinstance(node, dict) and "properties" in node


def _distinguishing(branch: dict[str, Any], siblings: list[Any]) -> str | None:
    others = {key for s in siblings if s is not branch and isinstance(s, dict)
              for key in s.get("required", [])}
    unique = [k for k in branch.get("required", []) if k not in others]
    preferred = [k for k in unique if k not in GENERIC_MEMBERS]
    chosen = (preferred or unique or [None])[0]
    return str(chosen) if chosen is not None else None


class Namer:
    def __init__(self, root_class: str) -> None:
        # the root's shape and the public class wirespec derives from it
        self.used = {root_class, root_class.removesuffix("Shape")}

    def claim(self, wanted: str, parent: str) -> str:
        name = wanted
        if name in self.used:
            name = f"{parent}{wanted}" if not wanted.startswith(parent) else f"{wanted}Value"
        while name in self.used:
            name += "X"
        self.used.add(name)
        return name

    def visit(self, node: Any, own: str, *, root: bool = False) -> None:
        """Title ``node``'s object descendants; ``own`` is the name ``node`` goes by."""
        if not isinstance(node, dict):
            return
        for keyword in ("oneOf", "anyOf"):
            branches = node.get(keyword, [])
            for index, branch in enumerate(branches):
                if not isinstance(branch, dict):
                    continue
                key = _distinguishing(branch, branches)
                # a branch that only adds `required` to an object is merged into a class too
                becomes_class = _is_class(branch) or ("properties" in node and "required" in branch)
                if branch.get("title") in self.used:  # a document's title taken by us
                    branch["title"] = self.claim(f"{branch['title']}Item", own)
                if "title" not in branch and becomes_class:
                    if key:
                        wanted = camel(key) if root else camel(key) + own
                    else:
                        kind = branch.get("type", "alternative")
                        wanted = f"{own}{camel(str(kind))}" if index else own + "Body"
                    branch["title"] = self.claim(wanted, own)
                self.visit(branch, branch.get("title", own), root=False)
        for name, child in node.get("properties", {}).items():
            self._child(child, camel(name), own)
            self._elements(child, name, own)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            self._child(extra, camel(singular(own)) if own else "Value", own)

    def _elements(self, child: Any, name: str, parent: str) -> None:
        if isinstance(child, dict) and isinstance(child.get("items"), dict):
            self._child(child["items"], camel(singular(name)), parent)

    def _child(self, child: Any, wanted: str, parent: str) -> None:
        if not isinstance(child, dict):
            return
        if child.get("title") in self.used and _is_class(child):
            child["title"] = self.claim(f"{child['title']}Item", parent)
        if _is_class(child) and "title" not in child:
            child["title"] = self.claim(wanted, parent)
        self.visit(child, child.get("title", wanted))
