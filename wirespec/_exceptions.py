"""wirespec's exceptions: one base, one class per way a caller's input can be unusable."""

from __future__ import annotations


class WirespecError(Exception):
    """Base of every error wirespec raises on purpose."""


class DocumentError(WirespecError):
    """A source document (or a schema file) that cannot be read or does not parse.

    ``str(err)`` is one line: ``<file>:<line>: <reason>``.
    """

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> tuple[type[DocumentError], tuple[str, int | None, str]]:
        # crosses process boundaries (generation runs in worker processes) intact
        return (type(self), (self.path, self.line, self.reason))


class UnknownModelError(WirespecError):
    """A model id that names no model, or a bare id that several providers share."""

    def __init__(self, model_id: str, candidates: list[str] | None = None) -> None:
        self.model_id = model_id
        self.candidates = candidates or []
        if self.candidates:
            message = (
                f"ambiguous model id {model_id!r}: use one of " + ", ".join(self.candidates)
            )
        else:
            message = f"unknown model {model_id!r} (see `wirespec models`)"
        super().__init__(message)


class PayloadError(WirespecError):
    """A payload that is not usable JSON (malformed, not UTF-8, too deep)."""


class UnknownKindError(WirespecError):
    """A schema kind the model's documents do not describe."""

    def __init__(self, model_id: str, kind: str, documented: list[str]) -> None:
        self.model_id = model_id
        self.kind = kind
        super().__init__(f"{model_id} has no {kind} schema; its documents describe: "
                         + (", ".join(documented) or "none"))


class FetchError(WirespecError):
    """A document that could not be fetched: one line, ``<url>: <reason>``, credentials redacted."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = self.shown(url)
        self.reason = " ".join(reason.split())
        super().__init__(f"{self.url}: {self.reason}")

    @staticmethod
    def shown(url: str) -> str:
        """``url`` fit for one line of output: userinfo as ``***``, the query's values as
        ``***`` (a key passed as ``?api_key=`` never reaches a log), spaces and controls
        escaped."""
        scheme, slashes, rest = url.partition("//")
        authority_end = min([i for i in map(rest.find, "/?#") if i >= 0] or [len(rest)])
        at = rest.rfind("@", 0, authority_end)
        if slashes and at >= 0:
            url = f"{scheme}//***{rest[at:]}"
        before, question, query = url.partition("?")
        if question:
            query, hash_mark, fragment = query.partition("#")
            names = [part.partition("=")[0] for part in query.split("&")]
            url = before + "?" + "&".join(f"{name}=***" for name in names) + hash_mark + fragment
        return "".join(ch if ch.isprintable() and not ch.isspace()
                       else "".join(f"%{byte:02X}" for byte in ch.encode()) for ch in url)


class RequestRejected(WirespecError):
    """A request stopped before it was sent (``mode="enforce"``): ``.report`` says why."""

    def __init__(self, report: object) -> None:
        self.report = report
        errors = getattr(report, "errors", [])
        first = errors[0] if errors else None
        where = f" at {first.pointer or '/'}: {first.message}" if first is not None else ""
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"request to {getattr(report, 'model', '?')} rejected before it was "
                         f"sent{where}{more}")
