"""What the SDK hooks share: which contract a request falls under, its check before a byte is
sent, and the answer's check as it passes (a stream event by event, never held whole).

A request is under a contract when it is a POST to one of the wire formats' endpoints (the
mock's routing, ``contracts/_routes.py``) with a JSON body, and names a documented model:
Cloudflare's in the URL path, the others' in the body's ``model`` (``model=`` pins one for a
host whose names wirespec does not know). Anything else passes untouched, with one debug
record. Nothing here logs a header, and every message is cleared of the request's key.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wirespec._exceptions import PayloadError, RequestRejected, UnknownModelError
from wirespec.contracts._redact import Redactor
from wirespec.contracts._routes import route
from wirespec.contracts._wire import WireFormat
from wirespec.validators import _registry
from wirespec.validators._engine import check_value
from wirespec.validators._errors import Report, ValidationError
from wirespec.validators._payload import parse_json

from ._answers import AnswerCheck, Identity, JsonCheck, StreamCheck, decoder_for, is_json

logger = logging.getLogger("wirespec")

Mode = Literal["enforce", "report"]
MODES = ("enforce", "report")
HISTORY = 100  # reports kept on a transport (the newest)
MAX_WARNED = 4096  # warnings remembered as logged (forgotten all at once past this)
SHOWN_ERRORS = 5  # errors spelled out in one log record ("… and N more")
_SECRET_WORDS = ("authorization", "key", "token", "secret", "cookie")


@dataclass(frozen=True)
class Routed:
    """A request to one of the wire formats' endpoints, before its body is read."""

    wire: WireFormat
    rest: str  # the path below the wire format's base
    method: str
    where: str  # scheme://host[:port]/path: no userinfo, no query
    headers: dict[str, str] = field(repr=False)  # lower-case names


@dataclass(frozen=True)
class Target:
    """A request under a model's contract: what its answer is checked against."""

    entry: _registry.ModelEntry
    wire: WireFormat
    stream: bool  # a stream was asked for (and the model's documents describe one)
    label: str  # "POST https://host/path (provider:model)", for messages
    headers: dict[str, str] = field(repr=False)  # the request's: its key kept out of logs


class Guard:
    """The checks of one hook (a transport, an adapter): its mode, pinned model and the
    reports of what broke a contract."""

    def __init__(self, model: str | None, mode: Mode, strict: bool, history: int) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be 'enforce' or 'report', not {mode!r}")
        self.pinned = _registry.resolve(model) if model is not None else None
        self.mode = mode
        self.strict = strict
        self.reports: deque[Report] = deque(maxlen=history)
        self._warned: set[tuple[str, str]] = set()

    def route(self, method: str, where: str, path: str,
              headers: Mapping[str, str]) -> Routed | None:
        """The endpoint ``path`` (percent-decoded) belongs to, when its body is worth reading."""
        found = route(path) if method.upper() == "POST" else None
        if found is None:
            logger.debug("wirespec: %s %s is no documented endpoint: passed through unchecked",
                         method, where)
            return None
        lowered = {name.lower(): value for name, value in headers.items()}
        if not is_json(lowered.get("content-type", "application/json")):
            logger.debug("wirespec: %s %s: the body is not JSON: passed through unchecked",
                         method, where)
            return None
        return Routed(found[0], found[1], method.upper(), where, lowered)

    def check(self, routed: Routed, raw: bytes | None) -> Target | None:
        """The request's check before it is sent: raises :class:`RequestRejected` in enforce
        mode, logs in report mode; the target its answer is checked against (None when the
        request is under no contract)."""
        if raw is None:
            logger.debug("wirespec: %s %s: the body is a stream: passed through unchecked",
                         routed.method, routed.where)
            return None
        try:
            payload, broken = parse_json(raw, origin="request body"), None
        except PayloadError as err:
            payload, broken = None, err
        entry = self._model(routed, payload)
        if entry is None:
            logger.debug("wirespec: %s %s names no documented model: passed through unchecked",
                         routed.method, routed.where)
            return None
        target = Target(entry, routed.wire,
                        routed.wire.wants_stream(routed.headers, payload)
                        and "stream" in entry.kinds,
                        f"{routed.method} {routed.where} ({entry.id})", routed.headers)
        if broken is not None:
            report = Report(entry.id, "request", [ValidationError("", "json", str(broken))])
        else:
            report = check_value(entry.id, payload, "request", parsed=True, strict=self.strict)
        self._judge(target, report)
        return target

    def answer(self, target: Target, status: int, headers: Mapping[str, str],
               decoded: bool) -> AnswerCheck | None:
        """The check of the answer's body, fed as it passes (None when nothing is checked:
        a status the documents describe no body for, an encoding not understood)."""
        lowered = {name.lower(): value for name, value in headers.items()}
        entry = target.entry
        if 200 <= status < 300:
            kind = "stream" if target.stream else "response"
        elif status >= 400 and "error" in entry.kinds:
            kind = "error"
        else:
            return None
        decoder = Identity() if decoded else decoder_for(
            lowered.get("content-encoding", ""))
        if decoder is None:
            logger.debug("wirespec: the answer to %s is %s-encoded: passed on unchecked",
                         target.label, lowered.get("content-encoding"))
            return None
        content_type = lowered.get("content-type", "")
        if kind == "stream":
            if content_type.startswith("text/event-stream"):
                return StreamCheck(self, target, decoder)
            return AnswerCheck(self, target, "stream", decoder,
                               f"content type {content_type or '(none)'}, not "
                               "text/event-stream, for a stream")
        wrong = None if kind == "error" or is_json(content_type) else (
            f"content type {content_type or '(none)'}, not application/json")
        return JsonCheck(self, target, kind, decoder, wrong)

    def _model(self, routed: Routed, payload: Any) -> _registry.ModelEntry | None:
        if self.pinned is not None and self.pinned.provider == routed.wire.provider:
            return self.pinned
        name = routed.wire.model_name(routed.rest, payload)
        if name is None:
            return None
        return _documented(f"{routed.wire.provider}:{name}")

    def _judge(self, target: Target, report: Report) -> None:
        if report.errors:
            self.reports.append(report)
            if self.mode == "enforce":
                raise RequestRejected(report)
            self.log(logging.WARNING, target, report, report.errors,
                     "the request breaks the contract; sent anyway (report mode)")
        elif fresh := self._fresh(report.warnings):
            self.log(logging.INFO, target, report, fresh,
                     "the request says what no document does")

    def _fresh(self, warnings: list[ValidationError]) -> list[ValidationError]:
        """The warnings not logged before: each is said once (a model without a documented
        limit would otherwise say so on every request)."""
        if len(self._warned) > MAX_WARNED:
            self._warned.clear()
        fresh = [w for w in warnings if (w.pointer, w.message) not in self._warned]
        self._warned.update((w.pointer, w.message) for w in fresh)
        return fresh

    def answered(self, target: Target, report: Report) -> None:
        self.reports.append(report)
        self.log(logging.WARNING, target, report, report.errors,
                 "the answer breaks the contract")

    def log(self, level: int, target: Target, report: Report, found: list[ValidationError],
            what: str) -> None:
        """One record: what happened and each error (the first few), the key removed."""
        redactors = [Redactor(secret) for secret in _secrets(target.headers)]

        def clean(text: str) -> str:
            for redactor in redactors:
                text = redactor(text)
            return text

        lines = [clean(_spelled(error)) for error in found]
        shown = "; ".join(lines[:SHOWN_ERRORS]) + (
            f" (and {len(lines) - SHOWN_ERRORS} more)" if len(lines) > SHOWN_ERRORS else "")
        summary = {"model": report.model, "kind": report.kind, "mode": self.mode,
                   "request": clean(target.label),
                   "errors": [{"pointer": clean(error.pointer), "keyword": error.keyword,
                               "message": line} for error, line in zip(found, lines,
                                                                       strict=True)]}
        logger.log(level, "wirespec: %s: %s: %s", clean(target.label), what, shown,
                   extra={"wirespec_report": summary})


def _documented(model_id: str) -> _registry.ModelEntry | None:
    """The model an id names, or None for one no document describes."""
    try:
        return _registry.resolve(model_id)
    except UnknownModelError:
        return None


def _spelled(error: ValidationError) -> str:
    where = error.where()
    return f"{error.pointer or '/'}: {error.message}" + (f" [{where}]" if where else "")


def _secrets(headers: Mapping[str, str]) -> tuple[str, ...]:
    """What in the request's headers is a credential (the token of ``Bearer <token>``)."""
    found = []
    for name, value in headers.items():
        if any(word in name for word in _SECRET_WORDS):
            parts = value.split()
            found.append(parts[1] if len(parts) == 2 else value.strip())
    return tuple(secret for secret in found if secret)


def rejection_of(error: BaseException | None) -> RequestRejected | None:
    """The :class:`RequestRejected` behind ``error``: itself, or the cause an SDK wrapped it
    in (Cloudflare's raises ``APIConnectionError`` from whatever its transport raised)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, RequestRejected):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None

