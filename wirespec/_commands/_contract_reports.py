"""`contract` for CI: a run as workflow annotations (at the document line of the constraint
at stake, where a failure has one), as a Markdown job summary, and as JUnit test cases (one
per model and check). Every text here comes from the run's report, which holds no key: the
curl commands name the key's variable, and whatever a server sent passed the redactor."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from wirespec.contracts._pacing import STOPS
from wirespec.contracts._reports import CHECKS, ContractReport, Failure, SuiteReport
from wirespec.validators._ci import (
    Case,
    annotation,
    document_path,
    md_cell,
    md_code,
    md_table,
    write_junit,
)

# checks whose failure is a documented constraint not held (by the answer, or, for
# `rejected`, by the server that accepted a request breaking it): annotated at its line
AT_THE_DOCUMENT = frozenset({"response-schema", "stream-schema", "error-schema", "rejected"})


def _where(failure: Failure) -> tuple[str | None, int | None]:
    if failure.check not in AT_THE_DOCUMENT:
        return None, None
    return document_path(failure.source)


def github(suite: SuiteReport) -> Iterator[str]:
    """One ``::error`` per failed check of each model."""
    for model in suite.models:
        for failure in model.failures:
            file, line = _where(failure)
            yield annotation("error", f"{model.model}: {failure.check} failed "
                             f"({failure.example}): {failure.message}",
                             title=f"wirespec contract: {failure.check}", file=file, line=line)
    if suite.ended:
        yield annotation("warning", f"the contract run was {suite.ended}: the report holds "
                         "what was done", title="wirespec contract: incomplete")


def _verdict(model: ContractReport) -> str:
    return "✅ passed" if model.ok else "❌ failed"


def markdown(suite: SuiteReport) -> str:
    totals = suite.totals()
    ended = f" ({suite.ended})" if suite.ended else ""
    verdict = "✅" if suite.ok else "❌"
    lines = [f"### {verdict} wirespec contract {md_code(_what(suite))} at "
             f"{md_code(suite.base_url)} ({suite.profile}){ended}: {totals['passed']} of "
             f"{totals['models']} models passed, {totals['failed']} failed, "
             f"{totals['not_run']} not run", ""]
    rows = [(md_code(m.model), f"{m.requests}/{m.planned}", m.sent["streamed"],
             sum(m.passed.values()), sum(m.failed.values()), f"{m.seconds:.1f}",
             _verdict(m) + (f" ({md_cell(STOPS[m.stopped])})" if m.stopped else ""))
            for m in suite.models]
    rows += [(md_code(model), "0", 0, 0, 0, "—", f"not run ({md_cell(why)})")
             for model, why in suite.not_run.items()]
    lines += md_table(("model", "requests", "streamed", "checks passed", "checks failed",
                       "seconds", "verdict"), rows)
    failures = [(md_code(m.model), md_code(f.check), md_cell(f.example), md_cell(f.message),
                 _documented_at(f)) for m in suite.models for f in m.failures]
    if failures:
        lines += ["", "#### Failures (the first of each check; the JSON report has the "
                      "requests as curl commands)", ""]
        lines += md_table(("model", "check", "request", "what", "documented at"), failures)
    return "\n".join(lines)


def _what(suite: SuiteReport) -> str:
    if suite.provider:
        return suite.provider
    return suite.models[0].model if len(suite.models) == 1 else "models"


def _documented_at(failure: Failure) -> str:
    file, line = _where(failure)
    if file is None:
        return "—"
    return md_code(f"{file}:{line}" if line else file)


def junit(path: str, suite: SuiteReport) -> None:
    """A test suite per model, a test case per check it ran (failed with the first failing
    request as a curl command); models not run, or stopped early, say so as skipped cases."""
    suites: dict[str, Sequence[Case]] = {}
    for model in suite.models:
        classname = f"wirespec.contract.{model.model}"
        cases = [_case(model, check, classname) for check in CHECKS
                 if check in model.passed or check in model.failed]
        if cases:  # the model's time on its first case: the suite's time is the model's
            cases[0] = dataclasses.replace(cases[0], seconds=model.seconds)
        if model.stopped == "interrupted":
            cases.append(Case("complete run", classname, failure=f"interrupted after "
                              f"{model.requests} of {model.planned} requests"))
        elif model.stopped:
            cases.append(Case("complete run", classname, skipped=f"{STOPS[model.stopped]} "
                              f"after {model.requests} of {model.planned} requests"))
        suites[f"wirespec contract {model.model}"] = cases
    for model_id, why in suite.not_run.items():
        suites[f"wirespec contract {model_id}"] = [
            Case("complete run", f"wirespec.contract.{model_id}", skipped=f"not run: {why}")]
    write_junit(path, suites)


def _case(model: ContractReport, check: str, classname: str) -> Case:
    passed, failed = model.passed.get(check, 0), model.failed.get(check, 0)
    failure = next((f for f in model.failures if f.check == check), None)
    if not failed or failure is None:
        return Case(check, classname)
    file, line = _where(failure)
    documented = f"\ndocumented at {file}:{line}" if file else ""
    details = (f"{failed} of {passed + failed} failed; the first, {failure.example}:\n"
               f"{failure.message}{documented}\n\n{failure.curl()}")
    return Case(check, classname, failure=f"{failed} of {passed + failed} failed: "
                f"{failure.message[:300]}", details=details)
