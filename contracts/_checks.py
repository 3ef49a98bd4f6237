"""One request of a contract run, sent, and its answer checked.

A valid request must be answered 2xx, with the right content type, and a body (or every
stream event) that the response (or stream-event) schema accepts; a request that breaks one
constraint must be refused with a 4xx, in the error shape the documents give. Each check
counts its passes and failures in the model's report; the first failure of each check keeps
its request (as a curl command) and, for a schema check, where the documents state the
constraint at stake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wirespec._exceptions import WirespecError
from wirespec.validators import _registry
from wirespec.validators._engine import check_value, compiled
from wirespec.validators._errors import Report
from wirespec.validators._payload import parse_json
from wirespec.validators._schema_walk import resolve
from wirespec.validators._sse import validate_stream

from ._exchange import Exchange, post
from ._pacing import Wait
from ._reports import ContractReport, SuiteReport
from ._wire import Outgoing, WireFormat


class ContractError(WirespecError):
    """The run could not be made (no such server, no hypothesis, an unusable URL or key)."""


@dataclass(frozen=True)
class Target:
    model: _registry.ModelEntry
    wire: WireFormat
    base_url: str
    key: str = field(repr=False)
    key_variable: str | None
    account: str
    timeout: float
    suite: SuiteReport = field(repr=False)
    wait: Wait = field(repr=False)  # around each exchange: Ctrl-C may cut it short


Record = Callable[..., bool]  # (check, problems, source=None) -> passed


def send(target: Target, report: ContractReport, outgoing: Outgoing,
         label: str) -> tuple[Exchange, Record] | None:
    """The exchange, and how to record a check on it; None when nothing came back."""
    exchange: Exchange = target.wait(lambda: post(
        target.base_url, outgoing.path, outgoing.headers, outgoing.body, target.timeout))
    if not exchange.connected and not target.suite.connected:  # no server there at all
        raise ContractError(report.redact(f"cannot connect to {target.base_url}: "
                                          f"{exchange.problem}"))
    target.suite.connected = True

    def record(check: str, problems: list[str], source: dict[str, Any] | None = None) -> bool:
        return report.record(check, problems, label, target.base_url + outgoing.path,
                             outgoing, target.key_variable, source)

    ok = record("transport", [exchange.problem] if exchange.problem else [])
    return (exchange, record) if ok or exchange.chunks else None


def _json_body(exchange: Exchange, record: Record, check: str) -> tuple[bool, Any]:
    try:
        return True, parse_json(exchange.body, origin="the body")
    except WirespecError as err:
        record(check, [str(err)])
        return False, None


def streamed(target: Target, number: int, payload: Any) -> tuple[Any, bool]:
    """The payload as sent, and whether it asks for a stream: every other request does,
    where the model streams and the stream flag can be set."""
    model, wire = target.model, target.wire
    if "stream" not in model.kinds:
        return payload, False
    wanted = number % 2 == 0
    flagged = wire.with_stream_flag(payload, wanted)
    # a header-asked stream leaves the payload as drawn (and already checked)
    if flagged is payload or check_value(model.id, flagged).ok:
        return flagged, wanted
    return payload, wire.wants_stream({}, payload)  # the flag cannot be set: the payload says


def valid_example(target: Target, report: ContractReport, number: int, payload: Any,
                  stream: bool) -> None:
    model, wire = target.model, target.wire
    outgoing = wire.outgoing(model.model, payload, stream, target.key, target.account)
    label = f"valid request {number}" + (", streamed" if stream else "")
    report.sent["valid"] += 1
    report.sent["streamed"] += stream
    sent = send(target, report, outgoing, label)
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
        found = validate_stream(model.id, exchange.chunks)
        record("stream-schema", _problems(found), _source(found))
        return
    parsed, body = _json_body(exchange, record, "response-schema")
    if not parsed:
        return
    result, wrapping = wire.result(body)
    if wire.wraps_result and not record("envelope", wrapping):
        return
    found = check_value(model.id, result, "response")
    record("response-schema", _problems(found), _source(found))


def invalid_label(number: int, example: Any) -> str:
    return f"invalid request {number}: breaks {example.keyword} at {example.pointer or '/'}"


def invalid_example(target: Target, report: ContractReport, number: int, example: Any) -> None:
    model, wire = target.model, target.wire
    outgoing = wire.outgoing(model.model, example.payload, False, target.key, target.account)
    report.sent["invalid"] += 1
    sent = send(target, report, outgoing, invalid_label(number, example))
    if sent is None:
        return
    exchange, record = sent
    if not record("rejected", [] if 400 <= exchange.status < 500 else [
            f"answered {exchange.status}, not 4xx"], _broken_source(model.id, example)):
        return
    if "error" in model.kinds:
        parsed, body = _json_body(exchange, record, "error-schema")
        if parsed:
            found = check_value(model.id, body, "error")
            record("error-schema", _problems(found), _source(found))


def _quoted(report: ContractReport, body: bytes, most: int = 300) -> str:
    """The start of a body, for a message: redacted before it is cut, so that no piece of
    the key is left at the cut (undecodable bytes as \\xNN, a spelling the redactor knows;
    64 KiB decode to far more than ``most`` characters)."""
    return report.redact(body[:65536].decode(errors="backslashreplace"))[:most]


def _problems(found: Report) -> list[str]:
    return [f"{e.pointer or '/'}: {e.keyword}: {e.message}" for e in found.errors]


def _source(found: Report) -> dict[str, Any] | None:
    """Where the documents state the first violated constraint."""
    return next((e.source for e in found.errors if e.source), None)


def _broken_source(model_id: str, example: Any) -> dict[str, Any] | None:
    """Where the documents state the constraint an invalid request breaks (the server that
    accepts it does not enforce that line)."""
    parent = example.schema_path.rpartition("/")[0]
    try:
        node = resolve(compiled(model_id, "request").schema, parent)
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    source = node.get("x-source") if isinstance(node, dict) else None
    return source if isinstance(source, dict) else None
