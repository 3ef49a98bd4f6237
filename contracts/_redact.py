"""Keeping an API key out of everything wirespec prints or writes.

A server may echo the key it was sent: in its error body, a header, a malformed status line.
Whatever of that reaches a message (a failure quoting the body, an engine error quoting a
value, a transport error quoting the line) passes through a :class:`Redactor` first.

It reads the key character by character, each character as it is, percent-encoded (either
case, ``+`` for a space), JSON- or Python-escaped (``\\u00e9``, ``\\xe9``, ``\\"``), so any mix
of encodings is found, whatever an encoder chose to leave alone. It also takes a key cut
short: messages shorten long values ("sk-live-ab…"), so a run of the key's first
``SHORTEST_LEAK`` characters is removed with whatever of the key follows it.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, quote_plus

# The fewest leading characters of the key taken as the key (a shorter key is matched
# whole). Six characters say little about a key, and rarely occur by chance.
SHORTEST_LEAK = 6
_ESCAPED = {'"': '\\"', "\\": "\\\\", "/": "\\/", "'": "\\'", "\t": "\\t"}


def _character(c: str) -> str:
    """A pattern for one character of the key, in every spelling met in a message."""
    forms = {re.escape(c), re.escape(f"\\u{ord(c):04x}")}
    if c in _ESCAPED:
        forms.add(re.escape(_ESCAPED[c]))
    if c == " ":
        forms.add(re.escape("+"))
    for data in {c.encode("utf-8"), c.encode("latin-1", errors="ignore")} - {b""}:
        forms.add("".join(f"%{byte:02x}" for byte in data))
        forms.add(re.escape("".join(f"\\x{byte:02x}" for byte in data)))
    return "(?:" + "|".join(sorted(forms, key=lambda form: (-len(form), form))) + ")"


class Redactor:
    """``redactor(text)``: ``text`` without the key; ``name`` says what stands in for it."""

    def __init__(self, key: str | None, name: str | None = None) -> None:
        self.mark = f"[redacted ${name}]" if name else "[redacted key]"
        characters = [re.compile(_character(c), re.IGNORECASE) for c in key or ""]
        head = "".join(pattern.pattern for pattern in characters[:SHORTEST_LEAK])
        self._head = re.compile(head, re.IGNORECASE) if head else None
        self._rest = characters[SHORTEST_LEAK:]

    def __call__(self, text: str) -> str:
        if self._head is None:
            return text
        pieces, done = [], 0
        while (found := self._head.search(text, done)) is not None:
            end = found.end()
            for character in self._rest:  # as much of the key as follows
                more = character.match(text, end)
                if more is None:
                    break
                end = more.end()
            pieces += [text[done:found.start()], self.mark]
            done = end
        return "".join([*pieces, text[done:]])


def spellings(key: str) -> list[str]:
    """The whole key as servers, encoders and Python's repr commonly write it (the
    redactor finds each of these, and any mix of them)."""
    as_latin_1 = key.encode("latin-1", errors="ignore")
    forms = {key, json.dumps(key)[1:-1], json.dumps(key, ensure_ascii=False)[1:-1],
             repr(key)[1:-1], quote(key), quote(key, safe=""), quote_plus(key),
             quote(as_latin_1), repr(as_latin_1)[2:-1], repr(key.encode())[2:-1]}
    return sorted(form for form in forms if form)
