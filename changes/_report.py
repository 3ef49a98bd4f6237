"""The diff as people read it and CI acts on it: changes grouped across models, each with
the path a caller writes, old -> new, an example value, and the words of both documents.

Formats: ``text`` (a terminal), ``markdown`` (a pull request or an issue), ``json`` (stable
keys for scripts), ``github`` (workflow annotations at the document's line).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from wirespec.validators import _registry
from wirespec.validators._ci import Case, annotation, document_path, write_junit

from ._diff import BREAKING, NON_BREAKING, UNKNOWN, Change, Source, changes
from ._sides import Side

ORDER = (BREAKING, UNKNOWN, NON_BREAKING)
FAIL_ON = {"breaking": {BREAKING}, "any": {BREAKING, UNKNOWN, NON_BREAKING}, "never": set()}


@dataclass
class Grouped:
    """One change, and every model (and kind) it was found in."""

    change: Change
    kind: str
    models: list[str] = field(default_factory=list)


@dataclass
class Diff:
    old: str
    new: str
    groups: list[Grouped]

    def counts(self) -> dict[str, int]:
        counts = {BREAKING: 0, NON_BREAKING: 0, UNKNOWN: 0}
        for group in self.groups:
            counts[group.change.classification] += 1
        return counts

    def fails(self, fail_on: str) -> bool:
        return any(g.change.classification in FAIL_ON[fail_on] for g in self.groups)


def _model_change(model: str, removed: bool) -> Change:
    return Change("", "(model)", "model", "listed" if removed else None,
                  None if removed else "listed", BREAKING if removed else NON_BREAKING,
                  f"model {'removed: its requests have no schema' if removed else 'added'}")


def compare(old: Side, new: Side) -> Diff:
    """Every change from ``old`` to ``new``, identical changes of several models as one."""
    pairs = [(m, m) for m in sorted(old.schemas) if m in new.schemas]
    if not pairs and len(old.schemas) == len(new.schemas) == 1:  # two single models
        pairs = [(next(iter(old.schemas)), next(iter(new.schemas)))]
    found: list[tuple[str, str, Change]] = []
    for before, after in pairs:
        for kind in (k for k in _registry.KINDS if k in old.schemas[before]
                     and k in new.schemas[after]):
            found += [(after, kind, change) for change in
                      changes(old.schemas[before][kind], new.schemas[after][kind], kind)]
    if old.whole_project or new.whole_project or len(pairs) > 1 or not pairs:
        paired = {m for pair in pairs for m in pair}
        found += [(m, "request", _model_change(m, True)) for m in old.schemas if m not in paired]
        found += [(m, "request", _model_change(m, False)) for m in new.schemas
                  if m not in paired]
    return Diff(old.name, new.name, _grouped(found))


def _group_key(kind: str, change: Change) -> str:
    return json.dumps([kind, change.path, change.form, change.aspect, change.old, change.new,
                       change.classification, change.reason,
                       change.old_source.quote if change.old_source else None,
                       change.new_source.quote if change.new_source else None],
                      sort_keys=True, default=str)


def _grouped(found: Iterable[tuple[str, str, Change]]) -> list[Grouped]:
    groups: dict[str, Grouped] = {}
    for model, kind, change in found:
        key = _group_key(kind, change)
        group = groups.setdefault(key, Grouped(change, kind))
        if model not in group.models:
            group.models.append(model)
    return sorted(groups.values(), key=lambda g: (ORDER.index(g.change.classification),
                                                  g.models[0], g.kind, g.change.path))


def _models(group: Grouped, limit: int = 6) -> str:
    shown = ", ".join(group.models[:limit])
    return shown + (f" (+{len(group.models) - limit} more)" if len(group.models) > limit else "")


def _where(source: Source | None) -> str:
    if source is None:
        return "not in the document"
    line = f":{source.line}" if source.line else ""
    return f'{source.doc}{line} "{_short(source.quote, 160)}"'


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _example(group: Grouped) -> str:
    change = group.change
    if not change.has_witness:
        return ""
    value = _short(json.dumps(_abridged(change.witness), ensure_ascii=False, sort_keys=True)
                   , 160)
    return (f"; e.g. {value} was accepted and is now rejected" if group.kind == "request"
            else f"; e.g. {value} may now be returned")


def _abridged(value: Any) -> Any:
    """Long strings as their length: ``"x" × 131073``."""
    if isinstance(value, str) and len(value) > 24:
        return f"{value[:12]}…({len(value)} characters)"
    if isinstance(value, list):
        return [_abridged(item) for item in value]
    if isinstance(value, dict):
        return {key: _abridged(item) for key, item in value.items()}
    return value


def _title(group: Grouped) -> str:
    change = group.change
    form = f" ({change.form})" if change.form else ""
    kind = "" if group.kind == "request" else f" [{group.kind}]"
    return f"{change.path or '(root)'}{form}{kind}: {change.reason}"


def render(diff: Diff, fmt: str) -> str:
    counts = diff.counts()
    tail = (f"{counts[BREAKING]} breaking, {counts[NON_BREAKING]} non-breaking, "
            f"{counts[UNKNOWN]} unknown ({diff.old} -> {diff.new})")
    if fmt == "json":
        return json.dumps({"old": diff.old, "new": diff.new, "summary": counts, "changes": [
            {"models": g.models, "kind": g.kind, **g.change.as_json()} for g in diff.groups]},
            ensure_ascii=False, sort_keys=True)
    if fmt == "github":
        return "\n".join([*(_annotation(g) for g in diff.groups), tail])
    if fmt == "markdown":
        return _markdown(diff, tail)
    lines = []
    for group in diff.groups:
        change = group.change
        lines.append(f"{change.classification.upper():<13} {_title(group)}{_example(group)}")
        lines.append(f"{'':<14}models: {_models(group)}")
        if change.old_source or change.new_source:
            lines.append(f"{'':<14}old: {_where(change.old_source)}")
            lines.append(f"{'':<14}new: {_where(change.new_source)}")
    return "\n".join([*lines, tail])


def _markdown(diff: Diff, tail: str) -> str:
    lines = [f"## Contract changes: {tail}", ""]
    for label in ORDER:
        groups = [g for g in diff.groups if g.change.classification == label]
        if not groups:
            continue
        lines += [f"### {label.capitalize()} ({len(groups)})", ""]
        for group in groups:
            change = group.change
            form = f" ({change.form})" if change.form else ""
            kind = "" if group.kind == "request" else f" — {group.kind}"
            lines.append(f"- **`{change.path or '(root)'}`**{form}{kind}: {change.reason}"
                         f"{_example(group)}  ")
            lines.append(f"  models: {_models(group, 12)}  ")
            if change.old_source or change.new_source:
                lines.append(f"  old: {_md_source(change.old_source)}  ")
                lines.append(f"  new: {_md_source(change.new_source)}")
        lines.append("")
    return "\n".join(lines)


def _md_source(source: Source | None) -> str:
    if source is None:
        return "—"
    line = f":{source.line}" if source.line else ""
    quote = _short(source.quote, 200).replace("`", "'")
    return f"`{source.doc}{line}` — “{quote}”"


def _annotation(group: Grouped) -> str:
    """A workflow command at the new document's line (the old one's when the words are
    gone): ``::error`` breaking, ``::warning`` unknown, ``::notice`` non-breaking."""
    change = group.change
    level = {BREAKING: "error", UNKNOWN: "warning", NON_BREAKING: "notice"}[
        change.classification]
    source = change.new_source or change.old_source
    file, line = (None, None) if source is None else document_path(
        {"doc": source.doc, "line": source.line})
    message = f"{_title(group)}{_example(group)} — models: {_models(group)}"
    return annotation(level, message, title=f"wirespec: {change.classification}", file=file,
                      line=line)


def write_diff_junit(path: str, diff: Diff, fail_on: str) -> None:
    """A test case per change: failed when its class fails the run (``--fail-on``), so the
    test report and the exit code agree."""
    failing = FAIL_ON[fail_on]
    cases = []
    for group in diff.groups:
        change = group.change
        details = "\n".join([f"{_title(group)}{_example(group)}", f"models: {_models(group)}",
                             f"old: {_where(change.old_source)}",
                             f"new: {_where(change.new_source)}"])
        cases.append(Case(_title(group), f"wirespec.diff.{change.classification}",
                          failure=change.classification if change.classification in failing
                          else None, details=details))
    write_junit(path, {f"wirespec diff {diff.old} -> {diff.new}": cases})
