"""Content codings undone as an answer passes (gzip and deflate, the ones the proxy asks
the upstream for): a piece at a time, each output at most ``MAX_PIECE`` bytes and made only
when the one before has been taken, because a small piece may inflate to a great deal (a
deflate stream to a thousand times its size, each coding more)."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterable, Iterator

from ._upstream_request import UpstreamError

MAX_PIECE = 1 << 20  # the most a decoded piece of an answer may grow to at once
MAX_CODINGS = 5  # codings undone in a chain, as urllib3 allows: each costs every byte a pass


class BrokenCoding(ValueError):
    pass


class Decoders:
    """``codings`` as the Content-Encoding header lists them, undone last applied first."""

    def __init__(self, codings: list[bytes]) -> None:
        if len(codings) > MAX_CODINGS:
            raise BrokenCoding(f"more than {MAX_CODINGS} content codings")
        self._decoders = [_Decoder(coding) for coding in reversed(codings)]

    def feed(self, data: bytes, final: bool = False) -> Iterator[bytes]:
        """What ``data`` decodes to, as it is taken (``final``: the last of the answer);
        BrokenCoding when it does not."""
        outs: Iterable[bytes] = (data,)
        for decoder in self._decoders:
            outs = decoder.decode(outs, final)
        return (out for out in outs if out)


class _Decoder:
    """gzip or deflate undone (deflate in zlib's format, or raw as some servers send it)."""

    def __init__(self, coding: bytes) -> None:
        self._coding = coding
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if coding == b"gzip" else
                                        zlib.MAX_WBITS)
        self._fed = False

    def decode(self, pieces: Iterable[bytes], final: bool) -> Iterator[bytes]:
        for piece in pieces:
            yield from self.feed(piece)
        if final:
            yield self.flush()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            first = self._zlib.decompress(data, MAX_PIECE)
        except zlib.error:
            if self._coding != b"deflate" or self._fed:
                raise self._broken() from None
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
            self._fed = True
            yield from self.feed(data)
            return
        self._fed = self._fed or bool(data)
        yield first
        while self._zlib.unconsumed_tail:
            try:
                yield self._zlib.decompress(self._zlib.unconsumed_tail, MAX_PIECE)
            except zlib.error:
                raise self._broken() from None

    def flush(self) -> bytes:
        try:
            rest = self._zlib.flush()
        except zlib.error:
            raise self._broken() from None
        if self._fed and not self._zlib.eof:  # cut short: what came is not the whole body
            raise self._broken()
        return rest

    def _broken(self) -> BrokenCoding:
        return BrokenCoding(f"its {self._coding.decode()} coding is broken")


async def decoded(pieces: AsyncIterator[tuple[bytes, bool]],
                   codings: list[bytes]) -> AsyncIterator[tuple[bytes, bool]]:
    """``pieces`` with their codings undone , each decoded piece made
    once the caller has taken the one before."""
    try:
        decoders = Decoders(codings)
        async for piece, more in pieces:
            outs = decoders.feed(piece, final=not more)
            out = next(outs, None)
            if out is None and not more:
                yield b"", False
            while out is not None:
                following = next(outs, None)  # one ahead: is this the last?
                yield out, more or following is not None
                out = following
    except BrokenCoding as err:
        raise UpstreamError(str(err)) from None
