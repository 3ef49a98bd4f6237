"""`wirespec fuzz` output: rows in the catalog's order (held back until those before them are
done), in text, JSON Lines or text with GitHub annotations as they come, a Markdown job
summary at the end; the totals; the JSON report and JUnit file written whole."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wirespec.validators._atomic import write_atomic
from wirespec.validators._ci import Case, annotation, md_cell, md_code, md_table, write_junit

from ._fuzz_rows import STOPS, Row, not_run
from ._fuzz_run import Target

LISTED = 10  # constraints named in a text or annotation line; JSON lists every one
HEADER = (f"{'model':<52} {'kind':<9} {'constraints':>11} {'both sides':>11} {'examples':>9}"
          f" {'seconds':>8}")


@dataclass
class Totals:
    targets: int = 0
    ran: int = 0
    not_run: int = 0
    stopped: int = 0
    constraints: int = 0
    both_sides: int = 0
    disagreements: int = 0
    unbreakable: int = 0
    unbroken: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def share(self) -> float:
        return self.both_sides / self.constraints if self.constraints else 1.0

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "coverage": self.share}


def totals(rows: Sequence[Row], seconds: float, interrupted: bool) -> Totals:
    found = Totals(targets=len(rows), seconds=round(seconds, 1), interrupted=interrupted)
    for row in rows:
        found.ran += row.ran
        found.not_run += not row.ran
        found.stopped += row.ran and row.stopped is not None
        found.constraints += row.constraints
        found.both_sides += row.both_sides
        found.disagreements += row.disagreement is not None
        found.unbreakable += len(row.unbreakable)
        found.unbroken += len(row.unbroken)
    return found


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:LISTED])
    return shown + (f" … and {len(items) - LISTED} more" if len(items) > LISTED else "")


# -- text ------------------------------------------------------------------------------------

def text_row(row: Row) -> list[str]:
    if not row.ran:
        return [f"{row.model:<52} {row.kind:<9} not run: {STOPS[row.stopped or 'interrupted']}"]
    lines = [f"{row.model:<52} {row.kind:<9} {row.constraints:>11} {row.both_sides:>6} "
             f"{row.coverage:>4.0%} {row.examples:>9} {row.seconds:>8.1f}"]
    if row.stopped:
        lines.append(f"  stopped at {STOPS[row.stopped]} after {_examples(row.examples)}"
                     if row.stopped != "interrupted" else
                     f"  interrupted (Ctrl-C) after {_examples(row.examples)}")
    found = row.disagreement
    if found is not None:
        lines.append(f"  DISAGREEMENT: {found['what']}")
        file, line = row.place(found["constraint"])
        if file:
            lines.append(f"  documented at: {file}:{line}")
        lines.append(f"  {_minimal(row)}: {_payload_text(found)[:2000]}")
    elif row.not_both_sides and not row.stopped:
        lines.append(f"  not exercised on both sides: {_listed(row.not_both_sides)}")
    if row.unbreakable:
        lines.append(f"  {len(row.unbreakable)} cannot be broken alone (every mutation tried; "
                     f"another alternative accepts each): {_listed(row.unbreakable)}")
    if row.unbroken:
        lines.append(f"  {len(row.unbroken)} could not be broken alone within the bound (no "
                     f"break in 50 draws in a row): {_listed(row.unbroken)}")
    return lines


def _minimal(row: Row) -> str:
    """A run stopped while shrinking holds a failing payload, not the smallest one."""
    return "payload (not shrunk to the end)" if row.stopped else "minimal payload"


def _examples(number: int) -> str:
    return f"{number:,} example{'' if number == 1 else 's'}"


def _payload_text(found: dict[str, Any]) -> str:
    return json.dumps(found["payload"]) if "payload" in found else found["payload_truncated"]


def text_totals(found: Totals) -> str:
    parts = [f"total: {found.both_sides}/{found.constraints} constraints exercised on both "
             f"sides ({found.share:.1%})",
             f"{found.disagreements} disagreement(s) found" if found.disagreements
             else "no disagreement"]
    if found.unbroken:
        parts.append(f"{found.unbroken} not broken alone within the bound")
    if found.stopped:
        parts.append(f"{found.stopped} stopped early")
    if found.not_run:
        parts.append(f"{found.not_run} of {found.targets} not run")
    if found.interrupted:
        parts.append("interrupted")
    return ", ".join(parts) + f", {found.seconds:.0f} s"


# -- GitHub workflow commands ------------------------------------------------------------------

def github_row(row: Row) -> list[str]:
    """A disagreement: an error at the line its constraint comes from. Constraints not
    exercised on both sides: a warning each at theirs (a gap in what the run proves). Those
    not broken alone within the bound, and a stop at a time limit: one notice per target."""
    label = f"{row.model} ({row.kind})"
    found = row.disagreement
    lines = []
    if found is not None:
        file, line = row.place(found["constraint"])
        lines.append(annotation(
            "error", f"{label}: {found['what']}; {_minimal(row)}: "
            f"{_payload_text(found)[:2000]}", title=f"wirespec fuzz: disagreement on "
            f"{found['constraint'] or row.model}", file=file, line=line))
    elif not row.stopped:
        for constraint in row.not_both_sides[:LISTED * 5]:
            file, line = row.place(constraint)
            lines.append(annotation("warning", f"{label}: {constraint} not exercised on both "
                                    "sides", title="wirespec fuzz: not exercised",
                                    file=file, line=line))
    if row.unbroken:
        lines.append(annotation("notice", f"{label}: {len(row.unbroken)} constraint(s) could "
                                f"not be broken alone within the bound: "
                                f"{_listed(row.unbroken)}", title="wirespec fuzz: bounded"))
    if row.stopped and row.ran:
        lines.append(annotation("warning", f"{label}: stopped at {STOPS[row.stopped]} after "
                                f"{_examples(row.examples)}", title="wirespec fuzz: stopped"))
    return lines


def github_totals(rows: Sequence[Row]) -> list[str]:
    skipped = [f"{row.model} ({row.kind})" for row in rows if not row.ran]
    if not skipped:
        return []
    return [annotation("warning", f"{len(skipped)} target(s) not run: {_listed(skipped)}",
                       title="wirespec fuzz: not run")]


# -- Markdown job summary ----------------------------------------------------------------------

def _verdict(row: Row) -> str:
    if not row.ran:
        return f"⏭ not run: {md_cell(STOPS[row.stopped or 'interrupted'])}"
    if row.disagreement is not None:
        return f"❌ {md_cell(row.disagreement['what'], 200)}"
    stop = f" (stopped at {STOPS[row.stopped]})" if row.stopped else ""
    return f"✅ no disagreement{md_cell(stop)}"


def markdown(rows: Sequence[Row], found: Totals) -> str:
    lines = [f"### wirespec fuzz: {md_cell(text_totals(found))}", ""]
    lines += md_table(("model", "kind", "constraints", "both sides", "examples", "seconds",
                       "result"),
                      [(md_code(r.model), r.kind, r.constraints, f"{r.both_sides} "
                        f"({r.coverage:.0%})", r.examples, f"{r.seconds:.1f}", _verdict(r))
                       for r in rows])
    for row in rows:
        found_here = row.disagreement
        if found_here is not None:
            lines += ["", f"**{md_code(row.model)} ({row.kind})**: {md_cell(found_here['what'])}"
                      f" — {_minimal(row)} {md_code(_payload_text(found_here), 1000)}"]
        if row.unbroken:
            lines += ["", f"{md_code(row.model)} ({row.kind}): not broken alone within the "
                      f"bound: {', '.join(md_code(c) for c in row.unbroken)}"]
    return "\n".join(lines)


# -- files -------------------------------------------------------------------------------------

def write_report(path: str, rows: Sequence[Row], found: Totals,
                 settings: dict[str, Any]) -> None:
    document = {"settings": settings, "targets": [row.as_json() for row in rows],
                "totals": found.as_json()}
    write_atomic(Path(path), json.dumps(document, indent=1) + "\n")


def junit(path: str, rows: Sequence[Row]) -> None:
    """A test case per model and kind: failed by a disagreement (its minimal payload in the
    details), skipped when not run."""
    cases = []
    for row in rows:
        found = row.disagreement
        details = ""
        if found is not None:
            file, line = row.place(found["constraint"])
            details = "\n".join([found["what"], *([f"documented at {file}:{line}"] if file
                                                  else []),
                                 f"{_minimal(row)}: {_payload_text(found)}"])
        cases.append(Case(row.model, f"wirespec.fuzz.{row.kind}", row.seconds,
                          failure=found["what"] if found is not None else None,
                          details=details,
                          skipped=None if row.ran else
                          f"not run: {STOPS[row.stopped or 'interrupted']}"))
    write_junit(path, {"wirespec fuzz": cases})


# -- in order ----------------------------------------------------------------------------------

class Printer:
    """Rows printed in the targets' order: one that finishes early waits for those before.
    Rows of targets not run are held and printed together (a long run stopped early would
    otherwise end in a wall of them): each when they are few, else one line for all."""

    def __init__(self, targets: list[Target], fmt: str, clear: Any) -> None:
        self.targets, self.fmt, self.clear = targets, fmt, clear
        self.rows: dict[int, Row] = {}
        self.printed = 0
        self.held: list[Row] = []

    def header(self) -> None:
        if self.fmt in ("text", "github"):
            print(HEADER, flush=True)

    def emit(self, index: int, row: Row) -> None:
        self.rows[index] = row
        while self.printed in self.rows:
            self._print(self.rows[self.printed])
            self.printed += 1

    def _print(self, row: Row) -> None:
        if self.fmt == "json":
            self._out([json.dumps(row.as_json())])
        elif self.fmt in ("text", "github"):
            if not row.ran:
                self.held.append(row)
                return
            self._out(self._release() + text_row(row)
                      + (github_row(row) if self.fmt == "github" else []))

    def _release(self) -> list[str]:
        held, self.held = self.held, []
        if len(held) <= LISTED:
            return [line for row in held for line in text_row(row)]
        why = STOPS[held[0].stopped or "interrupted"]
        return [f"{len(held)} targets not run: {why}, from {held[0].model} {held[0].kind} "
                f"to {held[-1].model} {held[-1].kind} (--report lists each)"]

    def _out(self, lines: list[str]) -> None:
        if lines:
            self.clear()
            print("\n".join(lines), flush=True)

    def finish(self, why: str) -> list[Row]:
        """Every target's row, those not run (``why``) included; the rest printed."""
        for index, (model, kind) in enumerate(self.targets):
            if index not in self.rows:
                self.rows[index] = not_run(model, kind, why)
        for index in range(self.printed, len(self.targets)):
            self._print(self.rows[index])
        self.printed = len(self.targets)
        self._out(self._release())
        return [self.rows[index] for index in range(len(self.targets))]
