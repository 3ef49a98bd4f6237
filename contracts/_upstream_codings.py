"""Content codings undone as an answer passes (gzip and deflate, the ones the proxy asks
the upstream for): a piece at a time, each output at most ``MAX_PIECE`` bytes, because a small
piece may inflate to a great deal."""

from __future__ import annotations

import zlib

MAX_PIECE = 1 << 20  # the most a decoded piece of an answer may grow to at once


class BrokenCoding(ValueError):
    pass


class Decoders:
    """``codings`` as the Content-Encoding header lists them, undone last applied first."""

    def __init__(self, codings: list[bytes]) -> None:
        self._decoders = [_Decoder(coding) for coding in reversed(codings)]

    def feed(self, data: bytes, final: bool = False) -> list[bytes]:
        """What ``data`` decodes to (``final``: the last of the answer); BrokenCoding when it
        does not."""
        outs = [data]
        for decoder in self._decoders:
            outs = [out for piece in outs for out in decoder.feed(piece)]
            if final:
                outs += decoder.flush()
        return [out for out in outs if out]


class _Decoder:
    """gzip or deflate undone (deflate in zlib's format, or raw as some servers send it)."""

    def __init__(self, coding: bytes) -> None:
        self._coding = coding
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if coding == b"gzip" else
                                        zlib.MAX_WBITS)
        self._fed = False

    def feed(self, data: bytes) -> list[bytes]:
        try:
            outs = self._inflate(data)
        except zlib.error:
            if self._coding != b"deflate" or self._fed:
                raise self._broken() from None
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
            self._fed = True
            return self.feed(data)
        self._fed = self._fed or bool(data)
        return outs

    def flush(self) -> list[bytes]:
        try:
            return [self._zlib.flush()]
        except zlib.error:
            raise self._broken() from None

    def _inflate(self, data: bytes) -> list[bytes]:
        outs = [self._zlib.decompress(data, MAX_PIECE)]
        while self._zlib.unconsumed_tail:
            outs.append(self._zlib.decompress(self._zlib.unconsumed_tail, MAX_PIECE))
        return outs

    def _broken(self) -> BrokenCoding:
        return BrokenCoding(f"its {self._coding.decode()} coding is broken")
