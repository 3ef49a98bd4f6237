"""The mock's answers kept for the next time the same request comes: an answer is a function of
the request and the seed, so drawing it again (75-380 µs of schema walking) can only give the
same bytes.

A key holds everything the answer depends on: the provider, the path below its base
(Cloudflare's model), the headers that ask for a stream (DashScope's), the seed, and a digest
of the body's bytes (the model, the ``stream`` member, every parameter). What is kept is what
was sent: status, headers, body or stream frames, faults applied, so a cached answer behaves
as a fresh one did. Refusals are not kept (each carries its own request id).

Least recently used out first, bounded by entries and by the bytes held (an answer larger than
a sixteenth of the budget is never kept): an ``OrderedDict`` of a few lines, where
``functools.lru_cache`` would hold every body as its key and count only entries.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

ENTRIES = 4096
BYTES = 64 * 2**20
_OVERHEAD = 256  # bytes an entry costs besides its body (key, tuple, object headers)


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer as it was sent."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes  # a whole answer; empty for a stream
    frames: tuple[bytes, ...] | None  # a stream's frames, each sent on its own
    model: str  # the model's id, for the request log
    errors: int  # constraints the request broke (the accept-invalid fault answers anyway)

    @property
    def size(self) -> int:
        return len(self.body) + sum(map(len, self.frames or ())) + _OVERHEAD


Key = tuple[str, str, str, int, bytes]


def answer_key(provider: str, path: str, stream_headers: str, seed: int, raw: bytes) -> Key:
    """What an answer depends on, the body as its digest (a key stays small whatever the
    body's size)."""
    return provider, path, stream_headers, seed, hashlib.blake2b(raw, digest_size=16).digest()


class AnswerCache:
    """Answers by key, least recently used out first. The mock's event loop is its only
    caller: no lock."""

    def __init__(self, entries: int = ENTRIES, budget: int = BYTES) -> None:
        self._items: OrderedDict[Key, Answer] = OrderedDict()
        self._entries, self._budget, self._held = entries, budget, 0
        self.hits = self.misses = 0

    def get(self, key: Key) -> Answer | None:
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._items.move_to_end(key)
        return found

    def put(self, key: Key, answer: Answer) -> None:
        size = answer.size + len(key[1])
        if size > self._budget // 16 or key in self._items:
            return
        self._items[key] = answer
        self._held += size
        while self._held > self._budget or len(self._items) > self._entries:
            (_, path, *_), oldest = self._items.popitem(last=False)
            self._held -= oldest.size + len(path)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def held(self) -> int:
        """Bytes held, overheads included."""
        return self._held
