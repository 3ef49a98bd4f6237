"""What a contract run found: per model (:class:`ContractReport`), and over several models
(:class:`SuiteReport`, ``wirespec contract --provider``), as JSON and as summary lines.

Everything a server sent that reaches a message passes through the run's redactor: a key a
server echoes never reaches a report.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ._pacing import STOPS
from ._wire import Outgoing

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
PROFILES = {
    "realistic": "valid requests a careful client sends: documented values, short texts, "
                 "small max_tokens",
    "limits": "requests drawn at the documented limits (and, with negative, just past them)",
}


def _unchanged(text: str) -> str:
    return text


# control characters a server may put in what a message quotes: shown escaped, so that a
# body cannot start lines of its own in the summary ("PASSED") or drive the terminal
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
_CONTROLS.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def keyless(outgoing: Outgoing, key_variable: str | None) -> Outgoing:
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
    outgoing: Outgoing  # without the key (see keyless)
    key_variable: str | None
    # where the documents state the constraint at stake (x-source), when there is one
    source: dict[str, Any] | None = None

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
                "request": json.loads(self.outgoing.body), "source": self.source}


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
    profile: str = "limits"
    planned: int = 0  # requests this model was to be sent
    seconds: float = 0.0
    stopped: str | None = None  # why its requests ended early (a key of STOPS)

    @property
    def ok(self) -> bool:
        return not self.failures

    def record(self, check: str, problems: list[str], example: str, url: str,
               outgoing: Outgoing, key_variable: str | None,
               source: dict[str, Any] | None = None) -> bool:
        if not problems:
            self.passed[check] = self.passed.get(check, 0) + 1
            return True
        self.failed[check] = self.failed.get(check, 0) + 1
        if not any(f.check == check for f in self.failures):  # the first of each check
            message = self.redact("; ".join(problems[:5])).translate(_CONTROLS)
            self.failures.append(Failure(check, example, message, self.redact(url),
                                         keyless(outgoing, key_variable), key_variable,
                                         source))
        return False

    @property
    def requests(self) -> int:
        return self.sent["valid"] + self.sent["invalid"]

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "model": self.model, "base_url": self.base_url,
                "sent": self.sent,
                "checks": {name: {"passed": self.passed.get(name, 0),
                                  "failed": self.failed.get(name, 0), "what": CHECKS[name]}
                           for name in CHECKS if name in self.passed or name in self.failed},
                "failures": [failure.as_json() for failure in self.failures],
                "profile": self.profile, "planned": self.planned,
                "seconds": round(self.seconds, 3), "stopped": self.stopped}

    def summary(self) -> Iterator[str]:
        sent = self.sent
        yield (f"contract {self.model} at {self.base_url} ({self.profile}): {sent['valid']} "
               f"valid requests ({sent['streamed']} streamed), {sent['invalid']} invalid")
        for name in CHECKS:
            passed, failed = self.passed.get(name, 0), self.failed.get(name, 0)
            if passed or failed:
                verdict = f"{failed} FAILED" if failed else "ok"
                yield f"  {name:<16} {passed:>4} passed  {verdict}"
        if self.stopped:
            yield f"  stopped after {self.requests} of {self.planned} requests: " \
                  f"{STOPS[self.stopped]}"
        for failure in self.failures:
            yield f"FAIL {failure.check} ({failure.example}): {failure.message}"
        if self.failures:
            yield f"first failing request:\n  {shortened_curl(self.failures[0])}"
        yield "PASSED" if self.ok else "FAILED"

    def row(self) -> str:
        """One line for this model, as a run over many prints it when the model is done."""
        verdict = "PASSED" if self.ok else "FAILED"
        checks = sum(self.passed.values()) + sum(self.failed.values())
        failed = sum(self.failed.values())
        stopped = f"; stopped: {STOPS[self.stopped]}" if self.stopped else ""
        return (f"{verdict:<6} {self.model}: {self.requests}/{self.planned} requests "
                f"({self.sent['streamed']} streamed), {checks} checks"
                + (f", {failed} failed" if failed else "") + f", {self.seconds:.1f} s{stopped}")


def shortened_curl(failure: Failure, most: int = 2000) -> str:
    curl = failure.curl()
    return curl if len(curl) <= most else curl[:most] + " …(cut; the JSON report has all of it)"


@dataclass
class SuiteReport:
    """A run over several models (``--provider``): one section per model, and totals."""

    base_url: str
    profile: str
    provider: str | None = None
    models: list[ContractReport] = field(default_factory=list)
    not_run: dict[str, str] = field(default_factory=dict)  # model id -> why
    ended: str | None = None  # "interrupted": the run did not finish
    seconds: float = 0.0
    connected: bool = False  # some exchange reached the server

    @property
    def ok(self) -> bool:
        return all(model.ok for model in self.models)

    def totals(self) -> dict[str, Any]:
        sent = {what: sum(m.sent[what] for m in self.models)
                for what in ("valid", "streamed", "invalid")}
        checks = {name: {"passed": sum(m.passed.get(name, 0) for m in self.models),
                         "failed": sum(m.failed.get(name, 0) for m in self.models)}
                  for name in CHECKS}
        return {"models": len(self.models) + len(self.not_run), "run": len(self.models),
                "passed": sum(m.ok for m in self.models),
                "failed": sum(not m.ok for m in self.models), "not_run": len(self.not_run),
                "sent": sent,
                "checks": {name: counts for name, counts in checks.items()
                           if counts["passed"] or counts["failed"]}}

    def _not_run_by_reason(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for model, why in self.not_run.items():
            grouped.setdefault(why, []).append(model)
        return grouped

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "provider": self.provider, "base_url": self.base_url,
                "profile": self.profile, "ended": self.ended,
                "seconds": round(self.seconds, 3), "totals": self.totals(),
                "models": [model.as_json() for model in self.models],
                "not_run": [{"model": model, "why": why}
                            for model, why in self.not_run.items()]}

    def summary(self) -> Iterator[str]:
        """The failing models' details, then the totals (the rows came as models ended)."""
        for report in self.models:
            if not report.ok:
                yield from report.summary()
        for why, models in self._not_run_by_reason().items():
            shown = ", ".join(models[:5]) + (f" and {len(models) - 5} more" if len(models) > 5
                                             else "")
            yield f"not run ({why}): {shown}"
        totals = self.totals()
        sent = totals["sent"]
        ended = f" ({self.ended})" if self.ended else ""
        yield (f"contract {self.provider or 'models'} at {self.base_url} ({self.profile})"
               f"{ended}: {totals['run']} of {totals['models']} models run, "
               f"{totals['passed']} passed, {totals['failed']} failed; {sent['valid']} valid "
               f"requests ({sent['streamed']} streamed), {sent['invalid']} invalid; "
               f"{self.seconds:.1f} s")
        for name, counts in totals["checks"].items():
            verdict = f"{counts['failed']} FAILED" if counts["failed"] else "ok"
            yield f"  {name:<16} {counts['passed']:>6} passed  {verdict}"
        yield "PASSED" if self.ok else "FAILED"
