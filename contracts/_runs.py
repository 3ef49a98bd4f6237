"""Contract runs: documented requests sent to a server, every answer checked against the
documents.

Valid requests are drawn from the model's schema (every other one asks for a stream when
the model streams); each must be answered 2xx, with the right content type, and a body (or
every stream event) that the response (or stream-event) schema accepts. With ``negative``,
requests that break one constraint each must be refused with a 4xx, in the error shape the
documents give. Each check counts its passes and failures; the first failure of each check
keeps its request, as a curl command.
"""

from __future__ import annotations

import contextlib
import json
import math
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from wirespec._exceptions import WirespecError
from wirespec.validators import _registry
from wirespec.validators._engine import check_value
from wirespec.validators._errors import Report
from wirespec.validators._payload import parse_json
from wirespec.validators._sse import validate_stream

from ._exchange import Exchange, UnusableURL, post, split_url
from ._redact import Redactor
from ._wire import WIRE_FORMATS, Outgoing, WireFormat

CHECKS = {
    "transport": "the server answered completely, within the time allowed",
    "status": "a valid request is answered 2xx",
    "content-type": "application/json, or text/event-stream for a stream",
    "envelope": "the provider's wrapping around the result",
    "response-schema": "the body matches the response schema",
    "stream-schema": "every stream event matches the stream-event schema; the stream ends "
                     "cleanly",
    "rejected": "a request that breaks one constraint is answered 4xx",
    "error-schema": "the refusal's body matches the documented error shape",
}


PLACEHOLDER_KEY = "wirespec-contract"  # sent when no key is given: no secret to keep
MAX_TIMEOUT = 86400.0  # a day: beyond it a "timeout" is a typo, and timers overflow


class ContractError(WirespecError):
    """The run could not be made (no such server, no hypothesis, an unusable URL or key)."""


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be sent in an Authorization header; None when it can. Never quotes
    the key."""
    if not key:
        return "is empty"
    if "\r" in key or "\n" in key:
        hint = " (read from a file with Windows line endings?)" if key[-1] in "\r\n" else ""
        return f"contains a line break (CR or LF){hint}"
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in key if c != "\t"):
        return "contains a control character"
    if key != key.strip():
        return "begins or ends with whitespace"
    if any(ord(c) > 0xFF for c in key):
        return "contains a character outside Latin-1, which an HTTP header cannot carry"
    return None


def _unchanged(text: str) -> str:
    return text


# control characters a server may put in what a message quotes: shown escaped, so that a
# body cannot start lines of its own in the summary ("PASSED") or drive the terminal
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
_CONTROLS.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def _keyless(outgoing: Outgoing, key_variable: str | None) -> Outgoing:
    """``outgoing`` as curl will show it: the key's variable where the key was."""
    stand_in = f"Bearer ${key_variable}" if key_variable else "Bearer <key>"
    headers = {name: stand_in if name.lower() == "authorization" else value
               for name, value in outgoing.headers.items()}
    return Outgoing(outgoing.path, headers, outgoing.body, outgoing.stream)


@dataclass
class Failure:
    check: str
    example: str
    message: str
    url: str
    outgoing: Outgoing  # without the key (see _keyless)
    key_variable: str | None

    def curl(self) -> str:
        headers = []
        for name, value in self.outgoing.headers.items():
            if name.lower() == "authorization":
                headers.append(f'-H "{name}: {value}"')  # double quotes: the shell expands it
            else:
                headers.append(f"-H {shlex.quote(f'{name}: {value}')}")
        stream = " -N" if self.outgoing.stream else ""
        return (f"curl -sS{stream} {shlex.quote(self.url)} " + " ".join(headers)
                + f" --data-binary {shlex.quote(self.outgoing.body.decode())}")

    def as_json(self) -> dict[str, Any]:
        return {"check": self.check, "example": self.example, "message": self.message,
                "url": self.url, "stream": self.outgoing.stream, "curl": self.curl(),
                "request": json.loads(self.outgoing.body)}


@dataclass
class ContractReport:
    model: str
    base_url: str
    passed: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=lambda: {"valid": 0, "streamed": 0,
                                                          "invalid": 0})
    # what a server sends back may quote the key: every message passes through this
    redact: Callable[[str], str] = field(default=_unchanged, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.failures

    def record(self, check: str, problems: list[str], example: str, url: str,
               outgoing: Outgoing, key_variable: str | None) -> bool:
        if not problems:
            self.passed[check] = self.passed.get(check, 0) + 1
            return True
        self.failed[check] = self.failed.get(check, 0) + 1
        if not any(f.check == check for f in self.failures):  # the first of each check
            message = self.redact("; ".join(problems[:5])).translate(_CONTROLS)
            self.failures.append(Failure(check, example, message, self.redact(url),
                                         _keyless(outgoing, key_variable), key_variable))
        return False

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "model": self.model, "base_url": self.base_url,
                "sent": self.sent,
                "checks": {name: {"passed": self.passed.get(name, 0),
                                  "failed": self.failed.get(name, 0), "what": CHECKS[name]}
                           for name in CHECKS if name in self.passed or name in self.failed},
                "failures": [failure.as_json() for failure in self.failures]}

    def summary(self) -> Iterator[str]:
        sent = self.sent
        yield (f"contract {self.model} at {self.base_url}: {sent['valid']} valid requests "
               f"({sent['streamed']} streamed), {sent['invalid']} invalid")
        for name in CHECKS:
            passed, failed = self.passed.get(name, 0), self.failed.get(name, 0)
            if passed or failed:
                verdict = f"{failed} FAILED" if failed else "ok"
                yield f"  {name:<16} {passed:>4} passed  {verdict}"
        for failure in self.failures:
            yield f"FAIL {failure.check} ({failure.example}): {failure.message}"
        if self.failures:
            curl = self.failures[0].curl()
            shown = curl if len(curl) <= 2000 else curl[:2000] + " …(cut; the JSON report " \
                                                                  "has all of it)"
            yield f"first failing request:\n  {shown}"
        yield "PASSED" if self.ok else "FAILED"


@dataclass(frozen=True)
class Target:
    model: _registry.ModelEntry
    wire: WireFormat
    base_url: str
    key: str = field(repr=False)
    key_variable: str | None
    account: str
    timeout: float


def _draw(strategy: Any, count: int, seed_value: int) -> list[Any]:
    """``count`` examples of ``strategy``, the same ones for the same seed."""
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from hypothesis.errors import Unsatisfiable

    found: list[Any] = []

    @seed(seed_value)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(example: Any) -> None:
        found.append(example)

    with contextlib.suppress(Unsatisfiable):  # fewer exist than were asked for: send those
        collect()
    return found[:count]


def _strategies() -> Any:
    try:
        from wirespec.fuzzing import _runner
    except ImportError:
        raise ContractError("contract runs draw requests with hypothesis: pip install "
                            "'wirespec[testing]'") from None
    return _runner


def run_contract(model_id: str, base_url: str, *, examples: int = 10, negative: bool = False,
                 key: str = PLACEHOLDER_KEY, key_variable: str | None = None,
                 account: str = "wirespec-contract", seed: int = 0,
                 timeout: float = 60.0) -> ContractReport:
    """``key`` never appears in the report, an exception or anything a server sent back;
    ``key_variable`` names it there (``$DASHSCOPE_API_KEY``)."""
    entry = _registry.resolve(model_id)
    redact = Redactor(None if key == PLACEHOLDER_KEY else key, key_variable)
    _check_arguments(key, key_variable, timeout)
    try:
        split_url(base_url)
    except UnusableURL as err:
        raise ContractError(redact(str(err))) from None
    target = Target(entry, WIRE_FORMATS[entry.provider], base_url.rstrip("/"), key,
                    key_variable, account, timeout)
    fuzzing = _strategies()
    report = ContractReport(entry.id, redact(target.base_url), redact=redact)
    valid_requests = fuzzing.valid(entry.id).filter(lambda p: check_value(entry.id, p).ok)
    for number, payload in enumerate(_draw(valid_requests, examples, seed), 1):
        _valid_example(target, report, number, payload)
    if negative:
        for number, example in enumerate(_draw(fuzzing.invalid(entry.id), examples, seed), 1):
            _invalid_example(target, report, number, example)
    return report


def _check_arguments(key: str, key_variable: str | None, timeout: float) -> None:
    problem = key_problem(key)
    if problem is not None:
        raise ContractError(f"${key_variable}: the key {problem}" if key_variable
                            else f"the API key {problem}")
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise ContractError(f"timeout {timeout!r}: not a number of seconds above 0 and at "
                            f"most {MAX_TIMEOUT:g}")


Record = Callable[[str, list[str]], bool]  # (check, problems) -> passed


def _send(target: Target, report: ContractReport, outgoing: Outgoing,
          label: str) -> tuple[Exchange, Record] | None:
    """The exchange, and how to record a check on it; None when nothing came back."""
    exchange = post(target.base_url, outgoing.path, outgoing.headers, outgoing.body,
                    target.timeout)
    if not exchange.connected and not report.passed.get("transport"):
        raise ContractError(report.redact(f"cannot connect to {target.base_url}: "
                                          f"{exchange.problem}"))

    def record(check: str, problems: list[str]) -> bool:
        return report.record(check, problems, label, target.base_url + outgoing.path,
                             outgoing, target.key_variable)

    ok = record("transport", [exchange.problem] if exchange.problem else [])
    return (exchange, record) if ok or exchange.chunks else None


def _json_body(exchange: Exchange, record: Record, check: str) -> tuple[bool, Any]:
    try:
        return True, parse_json(exchange.body, origin="the body")
    except WirespecError as err:
        record(check, [str(err)])
        return False, None


def _valid_example(target: Target, report: ContractReport, number: int, payload: Any) -> None:
    model, wire = target.model, target.wire
    stream = False
    if "stream" in model.kinds:  # every other request asks for a stream, where it can
        wanted = number % 2 == 0
        flagged = wire.with_stream_flag(payload, wanted)
        # a header-asked stream leaves the payload as drawn (and already checked)
        if flagged is payload or check_value(model.id, flagged).ok:
            payload, stream = flagged, wanted
        else:  # the flag cannot be set here: the payload decides
            stream = wire.wants_stream({}, payload)
    outgoing = wire.outgoing(model.model, payload, stream, target.key, target.account)
    label = f"valid request {number}" + (", streamed" if stream else "")
    report.sent["valid"] += 1
    report.sent["streamed"] += stream
    sent = _send(target, report, outgoing, label)
    if sent is None:
        return
    exchange, record = sent
    if not record("status", [] if 200 <= exchange.status < 300 else [
            f"answered {exchange.status}: {_quoted(report, exchange.body)}"]):
        return
    expected = "text/event-stream" if stream else "application/json"
    record("content-type", [] if exchange.content_type.startswith(expected) else [
        f"{exchange.content_type or 'no content type'}, not {expected}"])
    if stream:
        record("stream-schema", _problems(validate_stream(model.id, exchange.chunks)))
        return
    parsed, body = _json_body(exchange, record, "response-schema")
    if not parsed:
        return
    result, wrapping = wire.result(body)
    if wire.wraps_result and not record("envelope", wrapping):
        return
    record("response-schema", _problems(check_value(model.id, result, "response")))


def _invalid_example(target: Target, report: ContractReport, number: int, example: Any) -> None:
    model, wire = target.model, target.wire
    outgoing = wire.outgoing(model.model, example.payload, False, target.key, target.account)
    label = (f"invalid request {number}: breaks {example.keyword} at "
             f"{example.pointer or '/'}")
    report.sent["invalid"] += 1
    sent = _send(target, report, outgoing, label)
    if sent is None:
        return
    exchange, record = sent
    if not record("rejected", [] if 400 <= exchange.status < 500 else [
            f"answered {exchange.status}, not 4xx"]):
        return
    if "error" in model.kinds:
        parsed, body = _json_body(exchange, record, "error-schema")
        if parsed:
            record("error-schema", _problems(check_value(model.id, body, "error")))


def _quoted(report: ContractReport, body: bytes, most: int = 300) -> str:
    """The start of a body, for a message: redacted before it is cut, so that no piece of
    the key is left at the cut (undecodable bytes as \\xNN, a spelling the redactor knows;
    64 KiB decode to far more than ``most`` characters)."""
    return report.redact(body[:65536].decode(errors="backslashreplace"))[:most]


def _problems(found: Report) -> list[str]:
    return [f"{e.pointer or '/'}: {e.keyword}: {e.message}" for e in found.errors]
