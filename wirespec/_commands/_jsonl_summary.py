"""The summary of a `validate --jsonl` run: the lines checked, and per constraint (keyword,
pointer with array indices as *, where it is documented) the lines it failed on; bounded
however many distinct constraints hostile input breaks."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from wirespec.validators._errors import Report, ValidationError

TRACKED = 1000  # distinct constraints counted; hostile input cannot grow the summary further
SHOWN = 20  # summary rows printed per severity in text (JSON lists every tracked one)

_INDEX = re.compile(r"/\d+(?=/|$)")

# (severity, keyword, pointer with array indices as *, where the constraint is documented)
Key = tuple[str, str, str, str]


@dataclass
class Counts:
    """The lines checked so far, and per constraint the lines it failed on."""

    valid: int = 0
    invalid: int = 0
    unusable: int = 0
    last_line: int = 0
    constraints: dict[Key, int] = field(default_factory=dict)
    sources: dict[Key, dict[str, Any] | None] = field(default_factory=dict)
    untracked: int = 0

    def note(self, key: Key, source: dict[str, Any] | None, lines: int = 1) -> None:
        if key in self.constraints:
            self.constraints[key] += lines
        elif len(self.constraints) < TRACKED:
            self.constraints[key] = lines
            self.sources[key] = source
        else:
            self.untracked += lines

    def add(self, other: Counts) -> None:
        self.valid += other.valid
        self.invalid += other.invalid
        self.unusable += other.unusable
        self.last_line = max(self.last_line, other.last_line)
        self.untracked += other.untracked
        for key, lines in other.constraints.items():
            self.note(key, other.sources[key], lines)


class BlockTally:
    """The constraints a block's lines name, each counted once per line. The engine hands out
    the same warning object line after line, so a line naming one item per severity is
    counted by that object (no key worked out); the keys come once, in :meth:`into`."""

    def __init__(self) -> None:
        self.by_item: dict[tuple[str, int], list[Any]] = {}  # -> [item, lines]; held: ids stay
        self.counts = Counts()

    def add(self, report: Report) -> None:
        if report.errors:
            self._add("error", report.errors)
        if report.warnings:
            self._add("warning", report.warnings)

    def _add(self, severity: str, found: list[ValidationError]) -> None:
        if len(found) == 1:
            item = found[0]
            entry = self.by_item.get((severity, id(item)))
            if entry is not None and entry[0] is item:
                entry[1] += 1
            else:
                self.by_item[severity, id(item)] = [item, 1]
            return
        for key, source in {_key(severity, item): item.source for item in found}.items():
            self.counts.note(key, source)

    def into(self, counts: Counts) -> Counts:
        """``counts`` with this block's constraints added."""
        for (severity, _), (item, lines) in self.by_item.items():
            counts.note(_key(severity, item), item.source, lines)
        for key, lines in self.counts.constraints.items():
            counts.note(key, self.counts.sources[key], lines)
        return counts


def _key(severity: str, item: ValidationError) -> Key:
    return severity, item.keyword, _INDEX.sub("/*", item.pointer), item.where()


# -- the summary ----------------------------------------------------------------------------

def print_summary(counts: Counts, fmt: str, *, ended: str = "") -> None:
    """The lines checked and the constraints they failed; ``ended``: "interrupted" (Ctrl-C)
    or "stopped" (a line the run cannot go past), when the input was not read to its end."""
    # most lines first, then by key: the same order however the lines were split in blocks
    rows = sorted(counts.constraints.items(), key=lambda item: (-item[1], item[0]))
    if fmt == "json":
        print(json.dumps({"summary": _summary_json(counts, rows, ended)}, ensure_ascii=False))
    else:
        print(_summary_text(counts, rows, ended))
    sys.stdout.flush()


def _summary_json(counts: Counts, rows: list[tuple[Key, int]], ended: str) -> dict[str, Any]:
    listed: dict[str, list[dict[str, Any]]] = {"error": [], "warning": []}
    for key, lines in rows:
        severity, keyword, pointer, _ = key
        listed[severity].append({"pointer": pointer, "keyword": keyword,
                                 "source": counts.sources[key], "lines": lines})
    return {"lines": counts.valid + counts.invalid + counts.unusable, "valid": counts.valid,
            "invalid": counts.invalid, "unusable": counts.unusable,
            "last_line": counts.last_line, "interrupted": ended == "interrupted",
            "stopped": ended == "stopped",
            "errors": listed["error"], "warnings": listed["warning"],
            "untracked": counts.untracked}


def _summary_text(counts: Counts, rows: list[tuple[Key, int]], ended: str) -> str:
    total = counts.valid + counts.invalid + counts.unusable
    stopped = f" ({ended} after line {counts.last_line:,})" if ended else ""
    lines = [f"summary{stopped}: {total:,} lines: {counts.valid:,} valid, "
             f"{counts.invalid:,} invalid, {counts.unusable:,} unusable"]
    for severity in ("error", "warning"):
        mine = [(key, n) for key, n in rows if key[0] == severity]
        for (_, keyword, pointer, where), n in mine[:SHOWN]:
            prefix = "warning: " if severity == "warning" else ""
            place = f"  [{where}]" if where else ""
            lines.append(f"  {n:,} line{'s' if n != 1 else ''}: {prefix}{pointer or '/'}: "
                         f"{keyword}{place}")
        if len(mine) > SHOWN:
            lines.append(f"  … and {len(mine) - SHOWN} more {severity} constraints "
                         "(--format json lists them)")
    if counts.untracked:
        lines.append(f"  {counts.untracked:,} more line(s) failed on constraints past the "
                     f"first {TRACKED:,} distinct ones")
    return "\n".join(lines)
