"""The grammar over 721 real constraint phrasings (tests/corpus/phrasings.tsv: range, default,
enum, length and token_limit rows from 21 documents): every row is read as its hand-written
expectation says (tests/corpus/grammar_expectations.tsv), or reported Unread with the reason
written there, or is a layout reader's (a bare cell read under its header, a catalog JSON
property). Prints rows read / unread / wrong per construct."""

from __future__ import annotations

from collections import Counter

import grammar_corpus as corpus


def test_every_row_is_read_or_reported_as_expected(capsys):
    verdicts: Counter[tuple[str, str]] = Counter()
    wrong = []
    for row, _, verdict, detail in corpus.judged():
        verdicts[(row.construct, verdict)] += 1
        if verdict == "wrong":
            wrong.append(f"{row.where} {row.construct} {row.phrase!r}: {detail}")
    with capsys.disabled():
        print("\nphrasings: construct   read  unread  reader  wrong")
        for construct in corpus.CONSTRUCTS:
            counts = [verdicts[(construct, kind)] for kind in ("read", "unread", "reader",
                                                               "wrong")]
            print(f"  {construct:<20}" + "".join(f"{n:>7}" for n in counts))
        total = [sum(n for (_, kind), n in verdicts.items() if kind == k)
                 for k in ("read", "unread", "reader", "wrong")]
        print(f"  {'all':<20}" + "".join(f"{n:>7}" for n in total))
    assert wrong == []


def test_every_expectation_is_used():
    table = {(e.construct, e.phrase, e.where): e for e in corpus.expectations()}
    used = {id(corpus.expectation_of(row, table)) for row in corpus.rows()}
    assert [(e.construct, e.phrase, e.where) for e in table.values()
            if id(e) not in used] == []


def test_rows_are_placed_on_their_lines():
    rows = corpus.rows()
    assert len(rows) == 721
    for row in rows:
        line = corpus.lines_of(row.path)[row.line - 1]
        assert line[row.column:row.column + len(row.phrase)] == row.phrase


def test_the_coverage_table_in_docs_is_current():
    assert corpus.documented_table() == corpus.coverage_table(), (
        "docs/grammar.md's coverage table is stale: run .venv/bin/python tests/grammar_corpus.py")
