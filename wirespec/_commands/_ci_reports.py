"""`validate` for CI: a report as workflow annotations at the documents' lines, as a Markdown
job summary, and as JUnit test cases (one per payload, or per constraint for JSON Lines)."""

from __future__ import annotations

from wirespec.validators._ci import (
    Case,
    annotation,
    document_path,
    md_cell,
    md_code,
    md_table,
    write_junit,
)
from wirespec.validators._errors import Report, ValidationError

from ._common import headline
from ._jsonl_summary import Counts, Key

CI_FORMATS = ("github", "markdown")


def _annotate(level: str, item: ValidationError, label: str) -> str:
    """At the document line the constraint comes from; at the payload file without one."""
    file, line = document_path(item.source)
    return annotation(level, f"{label}: {item.pointer or '/'}: {item.message}",
                      title=f"wirespec: {item.keyword} at {item.pointer or '/'}",
                      file=file or (label if label != "<stdin>" else None), line=line)


def github(report: Report, label: str) -> str:
    lines = [_annotate("error", e, label) for e in report.errors]
    lines += [_annotate("warning", w, label) for w in report.warnings]
    lines.append(f"{label}: {headline(report)}")
    return "\n".join(lines)


def _source_cell(item: ValidationError) -> str:
    if not item.source:
        return "—"
    quote = item.source.get("quote") or ""
    said = f" “{md_cell(quote, 120)}”" if quote else ""
    return md_code(item.where()) + said


def markdown(report: Report, label: str) -> str:
    verdict = "✅ valid" if report.ok else f"❌ {len(report.errors)} error(s)"
    lines = [f"### `{md_cell(label)}`: {verdict} for {md_code(report.model)} ({report.kind})",
             ""]
    rows = [(md_code(e.pointer or "/"), md_code(e.keyword), md_cell(e.message),
             _source_cell(e)) for e in report.errors]
    rows += [(md_code(w.pointer or "/"), "warning", md_cell(w.message), _source_cell(w))
             for w in report.warnings]
    if rows:
        lines += md_table(("where", "constraint", "what", "documented at"), rows)
    return "\n".join(lines)


def render(report: Report, fmt: str, label: str) -> str:
    return github(report, label) if fmt == "github" else markdown(report, label)


def report_junit(path: str, report: Report, label: str) -> None:
    """One test case: the payload, failed with every error when it is invalid."""
    failure = None if report.ok else f"{len(report.errors)} error(s)"
    details = "\n".join(f"{e.pointer or '/'}: {e.keyword}: {e.message}"
                        + (f"  [{e.where()}]" if e.source else "") for e in report.errors)
    write_junit(path, {f"wirespec validate {report.model}": [
        Case(label, f"wirespec.validate.{report.kind}", failure=failure, details=details)]})


# -- JSON Lines: per constraint ---------------------------------------------------------------

def _rows(counts: Counts) -> list[tuple[Key, int]]:
    return sorted(counts.constraints.items(), key=lambda item: (-item[1], item[0]))


def summary_github(counts: Counts, label: str) -> list[str]:
    """One annotation per constraint that lines failed (not one per line: a workflow shows a
    few dozen annotations, and a million would bury them)."""
    found = []
    for key, lines in _rows(counts):
        severity, keyword, pointer, where = key
        doc, _, line = where.rpartition(":")
        message = (f"{label}: {lines:,} line{'s' if lines != 1 else ''} "
                   f"{'fail' if severity == 'error' else 'warn about'} {keyword} at "
                   f"{pointer or '/'}")
        found.append(annotation(severity, message, title=f"wirespec: {keyword} at "
                                f"{pointer or '/'}", file=doc or None,
                                line=int(line) if line.isdigit() else None))
    return found


def summary_markdown(counts: Counts, label: str, ended: str) -> str:
    total = counts.valid + counts.invalid + counts.unusable
    stopped = f" ({ended} after line {counts.last_line:,})" if ended else ""
    lines = [f"### `{md_cell(label)}`{stopped}: {total:,} lines, {counts.valid:,} valid, "
             f"{counts.invalid:,} invalid, {counts.unusable:,} unusable", ""]
    rows = [(f"{n:,}", severity, md_code(pointer or "/"), md_code(keyword),
             md_code(where) if where else "—")
            for (severity, keyword, pointer, where), n in _rows(counts)]
    if rows:
        lines += md_table(("lines", "severity", "where", "constraint", "documented at"), rows)
    if counts.untracked:
        lines += ["", f"{counts.untracked:,} more line(s) failed on constraints past the "
                      "first distinct ones."]
    return "\n".join(lines)


def summary_junit(path: str, counts: Counts, label: str, model: str, ended: str) -> None:
    """A case per constraint the lines failed, and one for the lines that passed."""
    cases = [Case(f"{label}: {counts.valid:,} valid lines", "wirespec.validate.lines")]
    for (severity, keyword, pointer, where), n in _rows(counts):
        name = f"{keyword} at {pointer or '/'}"
        reason = f"{n:,} line{'s' if n != 1 else ''}" + (f"  [{where}]" if where else "")
        if severity == "error":
            cases.append(Case(name, "wirespec.validate.constraints", failure=reason))
        else:
            cases.append(Case(name, "wirespec.validate.warnings", skipped=f"warning: {reason}"))
    if counts.unusable:
        cases.append(Case("unusable lines", "wirespec.validate.lines",
                          failure=f"{counts.unusable:,} line(s) are not JSON the checks take"))
    if ended:
        cases.append(Case("the whole input", "wirespec.validate.lines",
                          failure=f"{ended} after line {counts.last_line:,}"))
    write_junit(path, {f"wirespec validate {model}": cases})
