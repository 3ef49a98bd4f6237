"""The phrasings corpus (tests/corpus/phrasings.tsv) as the grammar tests read it: each row's
document found in the repository, the phrase placed on its line, the spans around it, and
what read_constraints (or read_cell, for a bare table cell) makes of the phrase there.

Expectations (tests/corpus/grammar_expectations.tsv, written by hand from each phrase) say,
per construct and phrase (and, where one phrase means different things, per document line):

    kw = JSON ; kw ~ N: first … last @ model | model   the readings that cover the phrase
    unread: <why>                                      no reading; an Unread saying <why>
    cell <header>: kw = JSON                           a bare cell, read under its header
    reader: <reason>                                   not the grammar's: a layout reader's
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from wirespec.codegen.ingest._records import Span
from wirespec.codegen.ingest.grammar import Reading, Unread, read_cell, read_constraints

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
CONSTRUCTS = ("range", "default", "enum", "length", "token_limit")
BEFORE, AFTER = 60, 60  # lines around a row given to the grammar (lists run long)

# the type words of the parameters the rows are about (read from the documents by hand)
TYPES = {
    "number": "temperature top_p presence_penalty repetition_penalty frequency_penalty "
              "guidance_scale min_p",
    "integer": "seed max_tokens top_k n top_logprobs thinking_budget batch_size code "
               "num_inference_steps top_n max_chunks_per_doc overlap_tokens max_input_tokens "
               "max_completion_tokens",
    "boolean": "stream enable_search incremental_output vl_high_resolution_images raw "
               "enable_thinking parallel_tool_calls return_documents logprobs strict "
               "enable_code_interpreter has_thoughts tool_stream include_usage forced_search "
               "enable_search_extension clear_thinking preserve_thinking "
               "vl_enable_image_hw_output",
    "array": "stop messages modalities tools documents history",
    "object": "response_format tool_choice parameters",
}
PARAMETER_TYPES = {name: kind for kind, names in TYPES.items() for name in names.split()}


def local(document: str) -> Path:
    """The repository's copy of a document the researcher named by its path on their machine."""
    if document.startswith("/work/research/pages/"):
        return CORPUS / "research" / document.removeprefix("/work/research/pages/")
    if document.startswith("/work/shared/docs-versions/"):
        return ROOT / "sources" / document.removeprefix("/work/shared/docs-versions/")
    if "/seeds/003" in document:
        return ROOT / "sources" / "dashscope" / "qwen1.5-chat.api-reference.txt"
    if "/seeds/004" in document:
        return ROOT / "sources" / "siliconflow" / "chat-completions.api-reference.txt"
    raise ValueError(f"unknown document {document}")


@cache
def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def json_type(parameter: str) -> str:
    base = parameter.split(" (")[0].split(".")[-1].strip()
    return PARAMETER_TYPES.get(base, "string")


@dataclass(frozen=True)
class Row:
    construct: str
    phrase: str
    parameter: str
    path: Path
    line: int
    column: int  # where the phrase starts on its line
    language: str

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"

    @property
    def json_type(self) -> str:
        return json_type(self.parameter)


def rows() -> list[Row]:
    """The rows of the five constructs, each placed on its line (the k-th row of one phrase
    on one line is its k-th occurrence there)."""
    found = []
    seen: Counter[tuple[str, ...]] = Counter()
    with (CORPUS / "phrasings.tsv").open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if record["construct"] not in CONSTRUCTS:
                continue
            path, number, phrase = local(record["document"]), int(record["line"]), \
                record["phrase"]
            key = (record["construct"], str(path), str(number), phrase)
            nth = seen[key]
            seen[key] += 1
            found.append(Row(record["construct"], phrase, record["parameter"], path, number,
                             _occurrences(lines_of(path)[number - 1], phrase)[nth],
                             record["language"]))
    return found


def _occurrences(line: str, phrase: str) -> list[int]:
    """Where the phrase is on its line (`"maximum": 5` is not the start of `"maximum": 50`)."""
    return [i for i in range(len(line)) if line.startswith(phrase, i)
            and not (phrase[-1].isdigit() and line[i + len(phrase):i + len(phrase) + 1]
                     .isdigit())]


@dataclass(frozen=True)
class Outcome:
    readings: tuple[Reading, ...]
    unread: tuple[Unread, ...]


def _covers(row: Row, first_line: int, pieces: tuple[tuple[int, int, int], ...]) -> bool:
    stop = row.column + len(row.phrase)
    return any(first_line + span == row.line and start < stop and row.column < end
               for span, start, end in pieces)


@cache
def _read(path: Path, first: int, last: int, kind: str) -> tuple[list[Reading], list[Unread]]:
    lines = lines_of(path)
    return read_constraints([Span(n, lines[n - 1]) for n in range(first, last + 1)], kind)


def outcome(row: Row) -> Outcome:
    """The readings and unread passages that cover the row's phrase."""
    lines = lines_of(row.path)
    first, last = max(1, row.line - BEFORE), min(len(lines), row.line + AFTER)
    readings, unread = _read(row.path, first, last, row.json_type)
    return Outcome(tuple(r for r in readings if _covers(row, first, r.pieces)),
                   tuple(u for u in unread if _covers(row, first, u.pieces)))


def cell_outcome(row: Row, header: str) -> Outcome:
    readings, unread = read_cell(header, Span(row.line, lines_of(row.path)[row.line - 1]),
                                 row.json_type)
    return Outcome(tuple(readings), tuple(unread))


@dataclass(frozen=True)
class Expectation:
    construct: str
    phrase: str
    expect: str
    where: str

    @property
    def kind(self) -> str:
        for kind in ("unread", "reader", "cell"):
            if self.expect.startswith(kind):
                return kind
        return "read"


def expectations() -> list[Expectation]:
    with (CORPUS / "grammar_expectations.tsv").open(encoding="utf-8", newline="") as handle:
        return [Expectation(r["construct"], r["phrase"], r["expect"], r["where"] or "")
                for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


def expectation_of(row: Row, table: dict[tuple[str, str, str], Expectation]
                   ) -> Expectation | None:
    return table.get((row.construct, row.phrase, row.where)) \
        or table.get((row.construct, row.phrase, ""))


def describe(reading: Reading) -> str:
    """A reading in the expectations' words (long lists by length, first and last member)."""
    value = reading.value
    if isinstance(value, list) and len(value) > 6:
        text = (f"{reading.keyword} ~ {len(value)}: {json.dumps(value[0], ensure_ascii=False)}"
                f" … {json.dumps(value[-1], ensure_ascii=False)}")
    else:
        text = f"{reading.keyword} = {json.dumps(value, ensure_ascii=False)}"
    return text + (" @ " + " | ".join(reading.models) if reading.models else "")


def facts_of(expect: str) -> list[str]:
    """The expected readings, one string each, in ``describe``'s words."""
    body = expect.split(":", 1)[1] if expect.startswith("cell ") else expect
    return [_canonical(part.strip()) for part in body.split(" ; ")]


def _canonical(fact: str) -> str:
    """Re-spell a hand-written fact as ``describe`` spells it (JSON spacing, models)."""
    head, _, models = fact.partition(" @ ")
    if " = " in head:
        keyword, value = head.split(" = ", 1)
        head = f"{keyword} = {json.dumps(json.loads(value), ensure_ascii=False)}"
    return head + (" @ " + " | ".join(m.strip() for m in models.split("|")) if models else "")


def judge(row: Row, expected: Expectation | None) -> tuple[str, str]:
    """("read" | "unread" | "reader" | "wrong", detail) for one row."""
    if expected is None:
        return "wrong", "no expectation written for this phrase"
    if expected.kind == "reader":
        got = outcome(row)
        return ("reader", expected.expect) if not got.readings else \
            ("wrong", f"read {[describe(r) for r in got.readings]} where the reader should")
    if expected.kind == "cell":
        header = expected.expect.removeprefix("cell ").split(":", 1)[0]
        got = cell_outcome(row, header)
    else:
        got = outcome(row)
    actual = sorted(describe(r) for r in got.readings)
    if expected.kind == "unread":
        why = expected.expect.removeprefix("unread:").strip()
        ok = not got.readings and any(why in u.why for u in got.unread)
        return ("unread", why) if ok else ("wrong", f"read {actual}, unread "
                                           f"{[u.why for u in got.unread]}; wanted unread {why}")
    wanted = sorted(facts_of(expected.expect))
    return ("read", "") if actual == wanted else ("wrong", f"read {actual}; wanted {wanted}")


def judged() -> Iterator[tuple[Row, Expectation | None, str, str]]:
    table = {(e.construct, e.phrase, e.where): e for e in expectations()}
    for row in rows():
        expected = expectation_of(row, table)
        verdict, detail = judge(row, expected)
        yield row, expected, verdict, detail


def _rules_of(row: Row, expected: Expectation | None) -> str:
    """What reads the row: the rules of the readings that cover it, or how it is left."""
    if expected is None:
        return "(no expectation)"
    if expected.kind == "reader":
        return "a layout reader"
    if expected.kind == "cell":
        return "read_cell"
    got = outcome(row)
    if expected.kind == "unread":
        return "unread: " + expected.expect.removeprefix("unread:").strip()
    return ", ".join(sorted({reading.rule for reading in got.readings}))


def _shown(phrase: str) -> str:
    phrase = phrase if len(phrase) <= 48 else phrase[:45] + "…"
    phrase = phrase.replace("|", "\\|")
    return f"`` {phrase} ``" if "`" in phrase else f"`{phrase}`"


def coverage_table() -> str:
    """construct -> rule -> rows, distinct phrasings and the commonest, from the corpus."""
    table = {(e.construct, e.phrase, e.where): e for e in expectations()}
    groups: dict[tuple[str, str], Counter[str]] = {}
    for row in rows():
        rule = _rules_of(row, expectation_of(row, table))
        groups.setdefault((row.construct, rule), Counter())[row.phrase] += 1
    lines = ["| construct | read by | rows | phrasings | commonest phrasings (rows) |",
             "|---|---|---|---|---|"]
    order = {construct: n for n, construct in enumerate(CONSTRUCTS)}
    for (construct, rule), phrases in sorted(groups.items(), key=lambda item: (
            order[item[0][0]], item[0][1].startswith(("unread", "a layout", "read_cell")),
            -sum(item[1].values()), item[0][1])):
        common = ", ".join(f"{_shown(phrase)} ({count})" for phrase, count in
                           sorted(phrases.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
        lines.append(f"| {construct} | {rule} | {sum(phrases.values())} | {len(phrases)} | "
                     f"{common} |")
    return "\n".join(lines)


DOCS = ROOT / "docs" / "grammar.md"
START, END = "<!-- coverage: generated by tests/grammar_corpus.py -->", "<!-- coverage end -->"


def documented_table() -> str:
    text = DOCS.read_text(encoding="utf-8")
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def write_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    DOCS.write_text(f"{head}{START}\n{coverage_table()}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    write_table()
