"""Contract runs: documented requests sent to a server, every answer checked against the
documents (the checks: ``_checks.py``), one model or many (``run_models``: a provider's).

Two profiles say what is sent. ``limits`` draws requests at the documented limits with
hypothesis (and, with ``negative``, requests that break one constraint each): the way to
find where a server and the documents part, meant for the mock and test servers, and the
default on loopback. ``realistic`` sends what a careful client sends (``_realistic.py``):
positive requests only, cheap, the default for any other address. ``Bounds`` cap what goes
out (``_pacing.py``); a ``Watcher`` hears of each request and each model as they happen.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from wirespec.validators import _registry
from wirespec.validators._engine import check_value

from ._checks import ContractError, Target, invalid_example, streamed, valid_example
from ._exchange import UnusableURL, split_url
from ._pacing import ENDS_THE_RUN, STOPS, Bounds, Pacer, Wait
from ._realistic import NoRealisticRequest, realistic_request
from ._redact import Redactor
from ._reports import CHECKS, PROFILES, ContractReport, Failure, SuiteReport
from ._wire import WIRE_FORMATS

__all__ = ["CHECKS", "PROFILES", "Bounds", "ContractError", "ContractReport", "Failure",
           "Plan", "SuiteReport", "Watcher", "default_profile", "run_contract", "run_models"]

PLACEHOLDER_KEY = "wirespec-contract"  # sent when no key is given: no secret to keep
MAX_TIMEOUT = 86400.0  # a day: beyond it a "timeout" is a typo, and timers overflow
# requests per second away from loopback: a provider's rate limit is per account, shared
# with whatever else the key serves; a contract run should be a trickle beside it
POLITE_RATE = 1.0


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


def is_loopback(base_url: str) -> bool:
    """Whether the URL names this machine (by name or address; nothing is looked up)."""
    try:
        host = (urlsplit(base_url).hostname or "").lower()
    except ValueError:  # not a URL: the run says so
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_profile(base_url: str) -> str:
    """``limits`` on loopback (the mock, a test server), ``realistic`` anywhere else."""
    return "limits" if is_loopback(base_url) else "realistic"


def default_rate(base_url: str) -> float | None:
    """None (as fast as answers come) on loopback; ``POLITE_RATE`` anywhere else."""
    return None if is_loopback(base_url) else POLITE_RATE


@dataclass(frozen=True)
class Plan:
    """What each model is sent."""

    examples: int = 10
    negative: bool = False
    profile: str = "limits"
    seed: int = 0

    @property
    def per_model(self) -> int:
        return self.examples * (2 if self.negative else 1)


class Watcher:
    """Hears of a run as it goes (the command shows progress and rows); does nothing here."""

    def request(self, model: str, label: str) -> None:
        """A request is about to go."""

    def advanced(self, count: int) -> None:
        """``count`` of the planned requests are done with (sent, or not to be sent)."""

    def model_done(self, report: ContractReport) -> None:
        """A model's requests are done with."""


def _call(function: Any) -> Any:
    return function()


def run_contract(model_id: str, base_url: str, *, examples: int = 10, negative: bool = False,
                 key: str = PLACEHOLDER_KEY, key_variable: str | None = None,
                 account: str = "wirespec-contract", seed: int = 0, timeout: float = 60.0,
                 profile: str | None = None, bounds: Bounds | None = None) -> ContractReport:
    """One model's contract run. ``profile``: ``limits`` or ``realistic`` (default: limits
    on loopback, realistic elsewhere); ``bounds`` default to ``POLITE_RATE`` away from
    loopback. ``key`` never appears in the report, an exception or
    anything a server sent back; ``key_variable`` names it there (``$DASHSCOPE_API_KEY``)."""
    plan = Plan(examples, negative, profile or default_profile(base_url), seed)
    suite = SuiteReport(base_url, plan.profile)
    run_models([model_id], base_url, suite, plan=plan, key=key, key_variable=key_variable,
               account=account, timeout=timeout,
               bounds=bounds or Bounds(rate=default_rate(base_url)))
    if suite.not_run:
        raise ContractError(f"{model_id}: {next(iter(suite.not_run.values()))}")
    return suite.models[0]


def run_models(model_ids: Sequence[str], base_url: str, suite: SuiteReport, *, plan: Plan,
               key: str = PLACEHOLDER_KEY, key_variable: str | None = None,
               account: str = "wirespec-contract", timeout: float = 60.0,
               bounds: Bounds | None = None, watcher: Watcher | None = None,
               wait: Wait = _call) -> SuiteReport:
    """Each model's run, into ``suite`` as it goes: on Ctrl-C (KeyboardInterrupt, raised
    again) it holds what was done, the model under way marked ``interrupted``. ``wait``
    runs every wait (an exchange, a pause for the rate, drawing requests)."""
    bounds, watcher = bounds or Bounds(), watcher or Watcher()
    redact = Redactor(None if key == PLACEHOLDER_KEY else key, key_variable)
    check_arguments(base_url, key, key_variable, timeout, plan, bounds)
    entries = [_registry.resolve(model_id) for model_id in model_ids]
    suite.base_url = redact(base_url.rstrip("/"))
    pacer = Pacer(bounds, wait=wait)
    started, ended_by = time.monotonic(), None
    current: ContractReport | None = None
    try:
        for entry in entries:
            if ended_by is not None:
                _not_run(suite, watcher, plan, entry.id, STOPS[ended_by])
                continue
            target = Target(entry, WIRE_FORMATS[entry.provider], base_url.rstrip("/"), key,
                            key_variable, account, timeout, suite, wait)
            current = ContractReport(entry.id, suite.base_url, redact=redact,
                                     profile=plan.profile, planned=plan.per_model)
            stopped = _run_model(target, current, plan, pacer, watcher)
            current, ended_by = None, stopped if stopped in ENDS_THE_RUN else None
    except KeyboardInterrupt:
        if current is not None and current in suite.models:
            current.stopped = "interrupted"
        suite.ended = "interrupted"
        for entry in entries:
            if entry.id not in suite.not_run and all(m.model != entry.id for m in suite.models):
                suite.not_run[entry.id] = STOPS["interrupted"]
        raise
    finally:
        suite.seconds = time.monotonic() - started
    return suite


def check_arguments(base_url: str, key: str, key_variable: str | None, timeout: float,
                    plan: Plan, bounds: Bounds) -> None:
    """ContractError for the first argument a run cannot be made with."""
    try:
        split_url(base_url)
    except UnusableURL as err:
        raise ContractError(Redactor(key, key_variable)(str(err))) from None
    problem = key_problem(key)
    if problem is not None:
        raise ContractError(f"${key_variable}: the key {problem}" if key_variable
                            else f"the API key {problem}")
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise ContractError(f"timeout {timeout!r}: not a number of seconds above 0 and at "
                            f"most {MAX_TIMEOUT:g}")
    if plan.profile not in PROFILES:
        raise ContractError(f"profile {plan.profile!r}: one of {', '.join(PROFILES)}")
    if plan.negative and plan.profile == "realistic":
        raise ContractError("negative requests are not realistic traffic: ask for the "
                            "'limits' profile to send them")
    problem = bounds.problem()
    if problem is not None:
        raise ContractError(problem)


def _not_run(suite: SuiteReport, watcher: Watcher, plan: Plan, model_id: str,
             why: str) -> None:
    suite.not_run[model_id] = why
    watcher.advanced(plan.per_model)


def _run_model(target: Target, report: ContractReport, plan: Plan, pacer: Pacer,
               watcher: Watcher) -> str | None:
    """Sends the model's requests; why they stopped early (a key of STOPS), or None."""
    model, suite = target.model, target.suite
    if "request" not in model.kinds:
        _not_run(suite, watcher, plan, model.id, "its documents describe no request")
        return None
    begun = time.monotonic()
    pacer.new_model()
    watcher.request(model.id, "drawing requests")
    try:
        payloads = target.wait(lambda: _valid_payloads(model.id, plan))
    except NoRealisticRequest as err:
        _not_run(suite, watcher, plan, model.id, str(err).split(": ", 1)[-1])
        return None
    suite.models.append(report)
    try:
        stopped = _send_valid(target, report, plan, pacer, watcher, payloads)
        if stopped is None and plan.negative:
            examples = target.wait(lambda: _invalid_payloads(model.id, plan))
            watcher.advanced(plan.examples - len(examples))  # fewer exist than were asked
            stopped = _send_invalid(target, report, pacer, watcher, examples)
        elif stopped is not None and plan.negative:
            watcher.advanced(plan.examples)
    finally:
        report.seconds = time.monotonic() - begun
    report.stopped = stopped
    watcher.model_done(report)
    return stopped


def _send_valid(target: Target, report: ContractReport, plan: Plan, pacer: Pacer,
                watcher: Watcher, payloads: list[Any]) -> str | None:
    watcher.advanced(plan.examples - len(payloads))  # fewer exist than were asked for
    for number, payload in enumerate(payloads, 1):
        stopped = pacer.next_request()
        if stopped is not None:
            watcher.advanced(len(payloads) - number + 1)
            return stopped
        payload, stream = streamed(target, number, payload)
        watcher.request(target.model.id, f"valid request {number}"
                        + (", streamed" if stream else ""))
        valid_example(target, report, number, payload, stream)
        watcher.advanced(1)
    return None


def _send_invalid(target: Target, report: ContractReport, pacer: Pacer, watcher: Watcher,
                  examples: list[Any]) -> str | None:
    for number, example in enumerate(examples, 1):
        stopped = pacer.next_request()
        if stopped is not None:
            watcher.advanced(len(examples) - number + 1)
            return stopped
        watcher.request(target.model.id, f"invalid request {number}")
        invalid_example(target, report, number, example)
        watcher.advanced(1)
    return None


def _valid_payloads(model_id: str, plan: Plan) -> list[Any]:
    if plan.profile == "realistic":
        return [realistic_request(model_id, number, plan.seed)
                for number in range(1, plan.examples + 1)]
    fuzzing = _strategies()
    valid = fuzzing.valid(model_id).filter(lambda p: check_value(model_id, p).ok)
    return _draw(valid, plan.examples, plan.seed)


def _invalid_payloads(model_id: str, plan: Plan) -> list[Any]:
    return _draw(_strategies().invalid(model_id), plan.examples, plan.seed)


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
        raise ContractError("contract runs at the limits draw requests with hypothesis: pip "
                            "install 'wirespec[testing]' (or use the realistic profile)"
                            ) from None
    return _runner
