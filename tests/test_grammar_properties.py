"""Properties of the grammar on any text: normalisation keeps every quote the document's own
words, no rule raises, and hostile inputs (1 MB of one cue repeated, 100,000 short lines) cost
time in proportion to their size. Timings are printed, never asserted; a hang is the bug, so
one generous alarm (minutes) guards each hostile run."""

from __future__ import annotations

import importlib
import pkgutil
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

from hostile import scaled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wirespec.codegen.ingest.grammar as grammar
from wirespec.codegen.ingest._records import Span
from wirespec.codegen.ingest.grammar import (
    RULES,
    read_cell,
    read_constraints,
    read_type,
    sanity,
)
from wirespec.codegen.ingest.grammar._hits import Ctx
from wirespec.codegen.ingest.grammar._text import normalise

# the characters normalisation rewrites, and the words rules key on, so that drawn text
# exercises them rather than plain letters only
SPECIAL = list("（）［］：，；～０１９\u2212\u2013\u2014\u200b\u200d\ufeff¹²³⁴⁰≤≥＜＞`*\\&#;x"
               "0123456789.,-+^[](){}<>=:\"' \n|、。")
WORDS = ["default", "默认值为", "Valid values: ", "Available options:", "可选值：", "range ",
         "Required range:", "<= x <", " to ", "到", "2^31-1", "231−1", "2³¹", "&#x27;",
         "&lt;=", "**", "`", "tokens", "context", "up to ", "greater than ", "大于", "不要",
         "Example: ", "For example, ", "disabled", "enum:", "- ", "minimum: ", "1,000",
         "[0, 2)", "（0,1.0]", "Fixed as `", "only `", "` is supported", "(default)",
         "（默认值）", "models: ", "**Default values by model:**", "Must be ", "between ",
         "Maximum ", " characters", "elements", "k", "万", "\u200b"]
TEXT = st.lists(st.one_of(st.sampled_from(WORDS), st.text(alphabet=st.sampled_from(SPECIAL),
                                                          max_size=6),
                          st.text(max_size=6)), max_size=40).map("".join)
PROPERTY = settings(max_examples=scaled(300, 3000), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def spans(text: str) -> list[Span]:
    return [Span(n, line) for n, line in enumerate(text.split("\n"), start=1)]


def quotes_are_the_documents_words(given_spans: list[Span], found: list) -> None:
    for item in found:
        assert item.pieces, item
        pieces = []
        for span, start, stop in item.pieces:
            assert 0 <= start < stop <= len(given_spans[span].text), item
            pieces.append(given_spans[span].text[start:stop])
        assert "\n".join(pieces) == item.quote, item
        assert item.line == given_spans[item.pieces[0][0]].line


@PROPERTY
@given(TEXT, st.sampled_from([None, "string", "number", "integer", "boolean", "array",
                              "object"]))
def test_every_quote_is_a_verbatim_piece_of_the_spans(text, json_type):
    given_spans = spans(text)
    readings, unread = read_constraints(given_spans, json_type)
    quotes_are_the_documents_words(given_spans, readings)
    quotes_are_the_documents_words(given_spans, unread)
    sanity(readings, json_type, examples=[1, "a"])


@PROPERTY
@given(TEXT, st.data())
def test_normalised_extents_map_back_to_raw_substrings(text, data):
    normal = normalise(text)
    assert len(normal.low) == len(normal.text) == len(normal.begin) == len(normal.end)
    if normal.text:
        start = data.draw(st.integers(0, len(normal.text) - 1))
        stop = data.draw(st.integers(start + 1, len(normal.text)))
        first, last = normal.raw_extent(start, stop)
        assert 0 <= first < last <= len(text)
        assert normal.quote(start, stop) == text[first:last]


@PROPERTY
@given(st.text(max_size=300), st.text(max_size=40))
def test_no_rule_raises_on_any_unicode(text, words):
    ctx = Ctx([normalise(line) for line in text.split("\n")], "string")
    for rule in RULES:
        for at in range(len(ctx.texts)):
            list(rule(ctx, at))
    readings, _ = read_constraints(spans(text), None)
    sanity(readings, None)
    read_type(words)
    read_cell(words, Span(1, text), "integer")


@contextmanager
def no_hang(seconds: int) -> Iterator[None]:
    """A hang is the bug: an alarm long past any sane run turns it into a failure."""
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"no result after {seconds} s: the grammar hangs on this input")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


HOSTILE_UNITS = {
    "digits": "1", "interval openers": "[0, ", "chain": "0 <= x ", "signs": "<",
    "fused defaults": "default1", "Chinese defaults": "默认值为", "value list": "Valid values: a, ",
    "Chinese labels": "可选值：", "powers": "2^31-1-", "separators": "1,000,",
    "entities": "&#x27;", "backticks": "`", "brackets": "[", "strings": "[\"", "dashes": "1-",
    "superscripts": "2³¹−1", "negations": "不要大于等于", "full-width": "（０，１］",
    "examples": "Example: ", "sentinels": "greater than 100 is disabled ",
    "token figures": "1 tokens context ", "models": "qwen-max, ", "word": "ab1",
}


def _hostile(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def test_one_megabyte_of_hostile_text_costs_time_in_proportion(capsys):
    size, lines = 1_000_000, scaled(30_000, 100_000)
    mixed = "".join(_hostile(unit, size // len(HOSTILE_UNITS)) for unit in HOSTILE_UNITS.values())
    rows = []
    with no_hang(600):
        for label, text in (("1 MB, every cue in turn, one line", mixed),
                            (f"{lines:,} lines of 10 characters", "\n".join(
                                mixed[i:i + 10] for i in range(0, lines * 10, 10)))):
            started = time.perf_counter()
            read_constraints(spans(text), "string")
            rows.append(f"{label}: {time.perf_counter() - started:.2f} s")
    with capsys.disabled():
        print("\n" + "; ".join(rows))


def test_each_rule_on_each_hostile_input_grows_linearly(capsys):
    """Each rule alone on each hostile line at two sizes: the larger costs about ten times
    the smaller (printed; the alarm only catches a hang)."""
    small, large = scaled(20_000, 100_000), scaled(200_000, 1_000_000)
    worst: list[tuple[float, str, str]] = []
    with no_hang(900):
        for name, unit in HOSTILE_UNITS.items():
            texts = [normalise(_hostile(unit, size)) for size in (small, large)]
            for rule in RULES:
                timings = []
                for text in texts:
                    ctx = Ctx([text], "string")
                    started = time.perf_counter()
                    list(rule(ctx, 0))
                    timings.append(time.perf_counter() - started)
                worst.append((timings[1], timings[1] / max(timings[0], 1e-4), rule.__name__,
                              name))
    worst.sort(reverse=True)
    with capsys.disabled():
        print(f"\nslowest rule runs on {large:,} hostile characters (x: the time over the "
              f"time on {small:,}): " + "; ".join(
                  f"{rule} on {name}: {seconds:.2f} s (x{ratio:.0f})"
                  for seconds, ratio, rule, name in worst[:6]))


def _unbounded_groups(pattern: str) -> list[str]:
    """Groups repeated without bound (`(…)*`, `(…)+`, `(…){2,}`) that hold a quantifier
    themselves: the shape that makes a backtracking engine exponential."""
    found, opened, i = [], [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":  # a class: its brackets and signs are characters
            close = pattern.index("]", i + 2 if pattern[i + 1:i + 2] == "]" else i + 1)
            i = close + 1
            continue
        if char == "(":
            opened.append(i)
        elif char == ")":
            start = opened.pop()
            after = pattern[i + 1:i + 4]
            inner = pattern[start + 1:i].removeprefix("?:")
            if (after[:1] in ("*", "+") or (after[:1] == "{" and "," in after)) and any(
                    sign in inner.replace("\\", "") for sign in "*+?{"):
                found.append(pattern[start:i + 2])
        i += 1
    return found


def test_no_regex_repeats_a_quantified_group():
    """Every cue pattern of the grammar is linear by shape: literal alternatives, bounded
    classes, optional parts; none repeats a group that itself repeats."""
    patterns = {}
    for module in pkgutil.iter_modules(grammar.__path__):
        loaded = importlib.import_module(f"{grammar.__name__}.{module.name}")
        patterns.update({f"{module.name}.{name}": value.pattern
                         for name, value in vars(loaded).items()
                         if isinstance(value, re.Pattern)})
    assert len(patterns) > 30
    assert {name: found for name, pattern in patterns.items()
            if (found := _unbounded_groups(pattern))} == {}
    assert _unbounded_groups(r"\[[a-z]+(?:\|[a-z]+)+\]") == [r"(?:\|[a-z]+)+"]
    assert _unbounded_groups(r"(a|b)*c") == []
