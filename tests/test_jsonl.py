"""`wirespec validate --jsonl` at scale: the fast parser refuses what the strict one refuses,
input read as a stream, failures only (--all for every line), line numbers, the summary per
constraint (also on Ctrl-C), and --workers output identical to one process."""

from __future__ import annotations

import io
import json
import math
import signal
import subprocess
import sys
from typing import Any

import orjson
import pytest
from conftest import ROOT, read_until, run_cli
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wirespec._commands import _jsonl
from wirespec._exceptions import PayloadError
from wirespec.validators._engine import check_value
from wirespec.validators._payload import parse_json, parse_json_fast

CF = "@cf/qwen/qwen1.5-0.5b-chat"  # no token limit documented: no tokenizer in these tests
QUALIFIED = f"cloudflare:{CF}"


# -- the fast parser against the strict one ----------------------------------------------

def canonical(value: Any) -> Any:
    """``value`` with every type spelled out (1 and 1.0 and True differ; so do 0.0, -0.0)."""
    if isinstance(value, dict):
        return ("object", [(key, canonical(child)) for key, child in value.items()])
    if isinstance(value, list):
        return ("array", [canonical(child) for child in value])
    if isinstance(value, float):
        return ("float", repr(value), math.copysign(1.0, value))
    return (type(value).__name__, value)


def outcome(parse: Any, data: bytes) -> tuple[str, Any]:
    try:
        return "value", canonical(parse(data, origin="line 7"))
    except PayloadError as err:
        return "refused", str(err)


def assert_same(data: bytes) -> None:
    assert outcome(parse_json_fast, data) == outcome(parse_json, data), data[:200]


CRAFTED = [
    b'{"a": 1, "a": 2}', b'{"a": {"b": 1, "b": 1}}', b'[{"x": 1}, {"x": 2, "x": 3}]',
    b'{"k:": "v:", "k": 1}', b'{"k": "a:b", "k": "c"}',  # colons inside strings
    b'{"\\u003a": 1, "\\u003a": 2}', b'{"a": "\\u003a", "a": 1}', b'{"\\u003A": 1}',
    b'NaN', b'[NaN]', b'{"t": Infinity}', b'[-Infinity]', b'1e400', b'[-1e400]', b'2e308',
    b'1e-400', b'1.7976931348623157e308', b'1E5', b'-0', b'-0.0', b'0.1e-999',
    b'"\\ud800"', b'"\\udc00x"', b'{"\\udfff": 1}', b'"\\ud83d\\ude00"', b'"\xed\xa0\x80"',
    b'123456789012345678901234567890', b'-9223372036854775809', b'18446744073709551616',
    b'9223372036854775807', b'-9223372036854775808', b'{"seed": ' + b'9' * 5001 + b'}',
    b'1' + b'0' * 400 + b'.0', b'0.' + b'0' * 30 + b'1', b'1e309', b'9.9e307', b'[1.5E+308]',
    b'1' + b'0' * 300 + b'e9', b'123456789012345678e300', b'[2E+308, "e100"]', b'99e99',
    b'\xef\xbb\xbf{}', b'\xff', b'{"a":1}x', b'', b'  ', b'"\t"', b'[1,]', b'{"a":1,}', b'01',
    b'[' * 254 + b']' * 254, b'[' * 300 + b']' * 300, b'[' * 2000 + b']' * 2000,
    b'{"a":' * 300 + b'1' + b'}' * 300, b'{"prompt": "hi"}\r\n', b' {"a": [1, 2.5, null]} ',
]


@pytest.mark.parametrize("data", CRAFTED, ids=lambda d: repr(d[:24]))
def test_the_fast_parser_decides_crafted_lines_as_the_strict_one(data):
    assert_same(data)


def test_the_fast_parser_refuses_what_the_strict_one_refuses():
    for data, words in ((b'{"a": 1, "a": 2}', "duplicate member name 'a'"),
                        (b'[NaN]', "NaN is not JSON"), (b'[1e400]', "too large for a float"),
                        (b'"\\udc00"', "lone surrogate"), (b'9' * 5000, "4300 digits")):
        with pytest.raises(PayloadError, match=words):
            parse_json_fast(data)
    assert parse_json_fast(b"123456789012345678901234567890") == 123456789012345678901234567890


NUMBER_TEXTS = st.one_of(
    st.from_regex(r"\A-?(0|[1-9][0-9]{0,30})(\.[0-9]{1,25})?([eE][+-]?[0-9]{1,4})?\Z"),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-0", "9" * 25]))
KEYS = st.sampled_from(["a", "b", "a:", ":", "\\u003a", "\\u0061", "\\ud800", "é", "k\\"
                        "\"q"])
STRING_TEXTS = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\'),
            max_size=8),
    st.sampled_from(["\\ud800", "\\udc00", "\\ud83d\\ude00", "\\n", "\\u003a", "a:b",
                     "12345678901234567890"]))


def json_texts() -> st.SearchStrategy[str]:
    """JSON-like text built by hand, so that duplicates, NaN and escapes are drawn often."""
    leaves = st.one_of(st.sampled_from(["null", "true", "false"]), NUMBER_TEXTS,
                       STRING_TEXTS.map(lambda s: f'"{s}"'))

    def containers(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        arrays = st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
        members = st.lists(st.tuples(KEYS, children), max_size=4)
        objects = members.map(lambda ms: "{" + ",".join(f'"{k}":{v}' for k, v in ms) + "}")
        return arrays | objects
    return st.recursive(leaves, containers, max_leaves=12)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_texts())
@example('{"a":"x:y","a":1}')
def test_the_fast_parser_agrees_on_drawn_text(text):
    assert_same(text.encode("utf-8", "surrogatepass"))


ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**80), 2**80)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=6),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=3), children, max_size=4), max_leaves=16)


@settings(max_examples=300, deadline=None)
@given(ANY_VALUE, st.sampled_from(["json", "ascii", "compact", "orjson"]))
def test_the_fast_parser_agrees_on_drawn_values(value, writer):
    data = {"json": lambda v: json.dumps(v, ensure_ascii=False).encode(),
            "ascii": lambda v: json.dumps(v).encode(),
            "compact": lambda v: json.dumps(v, separators=(",", ":")).encode(),
            "orjson": lambda v: orjson.dumps(v) if _fits_orjson(v) else json.dumps(v).encode(),
            }[writer](value)
    assert_same(data)
    assert canonical(parse_json_fast(data)) == canonical(parse_json(data))


def _fits_orjson(value: Any) -> bool:
    try:
        orjson.dumps(value)
    except orjson.JSONEncodeError:  # an integer past 64 bits
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
def test_the_fast_parser_agrees_on_drawn_bytes(data):
    assert_same(data)


# -- reading: a stream, never the whole input ---------------------------------------------

class CountingStream(io.RawIOBase):
    """An endless-looking input that counts what was read from it."""

    def __init__(self, lines: int) -> None:
        self.remaining = lines
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        raise OSError("in memory")

    def read(self, size: int = -1) -> bytes:
        count = min(self.remaining, max(1, size // 20))
        self.remaining -= count
        data = b'{"prompt": "ab"}\n' * count
        self.read_bytes += len(data)
        return data


def stream_settings(max_bytes: int = 1000) -> _jsonl.Settings:
    return _jsonl.Settings(QUALIFIED, "request", False, "text", "in", False, max_bytes)


def test_blocks_are_read_one_at_a_time_and_lines_numbered():
    stream = CountingStream(lines=1_000_000)  # 17 MB if it were read whole
    blocks = _jsonl.read_blocks(stream, stream_settings(), lambda: None, lambda f: f())
    first, offset, data = next(blocks)
    assert (first, offset) == (1, 0) and stream.read_bytes <= _jsonl.BLOCK_BYTES
    second, offset, _ = next(blocks)
    assert second == data.count(b"\n") + 2 and offset == len(data) + 1
    assert stream.read_bytes <= 2 * _jsonl.BLOCK_BYTES
    assert stream.remaining > 900_000  # generated as it goes: nothing was read ahead


def test_a_line_split_across_reads_is_one_line_and_a_long_open_line_is_refused():
    class Pieces(io.RawIOBase):
        def __init__(self, pieces: list[bytes]) -> None:
            self.pieces = pieces

        def fileno(self) -> int:
            raise OSError("in memory")

        def read(self, size: int = -1) -> bytes:
            return self.pieces.pop(0) if self.pieces else b""

    pieces = [b'{"pro', b'mpt": "a"}\n{"prompt"', b': "b"}\n', b'{"prompt": "c"}']
    blocks = list(_jsonl.read_blocks(Pieces(pieces), stream_settings(), lambda: None,
                                     lambda f: f()))
    assert blocks == [(1, 0, b'{"prompt": "a"}'), (2, 16, b'{"prompt": "b"}'),
                      (3, 32, b'{"prompt": "c"}')]
    endless = Pieces([b"x" * 400] * 10)
    with pytest.raises(PayloadError, match=r"in:1: a line larger than 1,000 bytes"):
        list(_jsonl.read_blocks(endless, stream_settings(), lambda: None, lambda f: f()))
    assert len(endless.pieces) == 7  # refused as soon as the line passed the bound


def test_a_file_larger_than_max_bytes_works_when_its_lines_are_small(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text('{"prompt": "a"}\n' * 20_000)  # 320 kB, lines of 16 bytes
    result = run_cli("validate", CF, str(path), "--jsonl", "--max-bytes", "100")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("summary: 20,000 lines: 20,000 valid, 0 invalid")


def test_a_line_past_max_bytes_stops_the_run_with_one_line_and_the_summary(tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_text('{"prompt": ""}\n{"prompt": "a"}\n' + json.dumps({"prompt": "x" * 2000})
                    + "\n{}\n")
    result = run_cli("validate", CF, str(path), "--jsonl", "--max-bytes", "1000")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert f"{path}:3: a line larger than 1,000 bytes (--max-bytes)" in result.stderr
    assert f"{path}:1: 1 error(s)" in result.stdout
    assert "summary (stopped after line 2): 2 lines: 1 valid, 1 invalid" in result.stdout


# -- what is printed -------------------------------------------------------------------------

LINES = "\n".join([
    '{"prompt": "fine"}',
    '{"prompt": "x", "top_k": 99}',
    "",
    '{"prompt": "a", "prompt": "b"}',
    '{"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": 5}]}',
    '{"prompt": ',
    '{"messages": [{"role": "user", "content": 7}], "top_k": 0}',
]) + "\n"


def test_failures_only_by_default_with_line_numbers_and_the_summary():
    result = run_cli("validate", CF, "--jsonl", stdin=LINES)
    assert result.returncode == 2  # an unusable line outranks invalid ones
    out = result.stdout
    assert "<stdin>:1" not in out and "valid for" not in out  # the valid line is not printed
    assert f"<stdin>:2: 1 error(s) for {QUALIFIED} (request)\n  /top_k: maximum: 99" in out
    assert "<stdin>:4: duplicate member name 'prompt'" in out
    assert "<stdin>:5: 1 error(s)" in out and "/messages/1/content: type" in out
    assert "<stdin>:6: malformed JSON at line 1, column 12" in out
    summary = out[out.index("summary"):].splitlines()
    assert summary[0] == "summary: 6 lines: 1 valid, 3 invalid, 2 unusable"
    assert summary[1].startswith("  2 lines: /messages/*/content: type  [sources/cloudflare/")
    assert [row.split("  [")[0] for row in summary[2:4]] == [
        "  1 line: /top_k: maximum", "  1 line: /top_k: minimum"]  # one row per constraint
    assert "  4 lines: warning: /: no-limit-documented" in summary


def test_all_prints_every_line_and_json_carries_the_line_number():
    result = run_cli("validate", CF, "--jsonl", "--all", "--format", "json", stdin=LINES)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("line") for o in out[:-1]] == [1, 2, 4, 5, 6, 7]
    assert [o["valid"] for o in out[:-1]] == [True, False, False, False, False, False]
    assert out[0]["model"] == QUALIFIED and out[0]["errors"] == []
    assert "duplicate member name" in out[2]["error"] and "errors" not in out[2]
    assert out[1]["errors"][0]["pointer"] == "/top_k"
    summary = out[-1]["summary"]
    assert {k: summary[k] for k in ("lines", "valid", "invalid", "unusable", "last_line",
                                    "interrupted")} == {
        "lines": 6, "valid": 1, "invalid": 3, "unusable": 2, "last_line": 7,
        "interrupted": False}
    typed = next(e for e in summary["errors"] if e["keyword"] == "type")
    assert typed["pointer"] == "/messages/*/content" and typed["lines"] == 2
    assert typed["source"]["doc"].startswith("cloudflare/")
    default = run_cli("validate", CF, "--jsonl", "--format", "json", stdin=LINES)
    assert [json.loads(line).get("line") for line in default.stdout.splitlines()[:-1]] == [
        2, 4, 5, 6, 7]


def test_the_verdict_is_check_values_and_strict_works():
    settings_ = _jsonl.Settings(QUALIFIED, "request", False, "json", "x", True, 10_000)
    lines = [line for line in LINES.splitlines() if line] + [
        '{"prompt": "a", "foo": 1}', '"just a string"', "[]", '{"prompt": "a", "seed": 1.0}']
    result = _jsonl.check_block(settings_, 1, "\n".join(lines).encode())
    for text, printed in zip(lines, result.text.splitlines(), strict=True):
        try:
            expected = check_value(QUALIFIED, parse_json(text), parsed=True).ok
        except PayloadError:
            expected = False
        assert json.loads(printed)["valid"] is expected, text
    strict = _jsonl.Settings(QUALIFIED, "request", True, "json", "x", True, 10_000)
    unknown = _jsonl.check_block(strict, 1, b'{"prompt": "a", "foo": 1}')
    assert json.loads(unknown.text)["valid"] is False and unknown.counts.invalid == 1
    cli = run_cli("validate", CF, "--jsonl", "--strict", stdin='{"prompt": "a", "foo": 1}\n')
    assert cli.returncode == 1 and "<stdin>:1: " in cli.stdout and "/foo: undocumented" in \
        cli.stdout


def test_wire_reads_each_line_as_the_rest_api_sends_it():
    lines = ('{"result": {"response": "hi"}, "success": true, "errors": [], "messages": []}\n'
             '{"response": "hi"}\n')
    wire = run_cli("validate", CF, "--kind", "response", "--jsonl", "--wire", stdin=lines)
    assert wire.returncode == 1 and "<stdin>:1" not in wire.stdout
    assert "<stdin>:2: 1 error(s)" in wire.stdout and "/: envelope: " in wire.stdout


def test_crlf_and_a_last_line_without_newline():
    result = run_cli("validate", CF, "--jsonl", "--all", stdin='{"prompt": "a"}\r\n{"x": 1}')
    assert result.returncode == 1
    assert "<stdin>:1: valid for" in result.stdout and "<stdin>:2: " in result.stdout


# -- workers ----------------------------------------------------------------------------------

def mixed_lines(count: int) -> str:
    kinds = ['{"prompt": "line %d"}', '{"prompt": "x", "top_k": %d}', '{"prompt": %d',
             '{"messages": [{"role": "user", "content": "%d"}], "temperature": 9}',
             '{"prompt": "a", "prompt": "%d"}', '{"prompt": "fine %d"}']
    return "".join(kinds[i % len(kinds)] % (i + 60) + "\n" for i in range(count))


def test_workers_print_what_one_process_prints_in_input_order(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(mixed_lines(36_000))  # about 1.4 MB: several blocks in flight
    assert path.stat().st_size > 4 * _jsonl.BLOCK_BYTES
    for fmt in ("text", "json"):
        one = run_cli("validate", CF, str(path), "--jsonl", "--format", fmt, "--workers", "1")
        two = run_cli("validate", CF, str(path), "--jsonl", "--format", fmt, "--workers", "2")
        assert one.returncode == two.returncode == 2
        assert one.stdout == two.stdout and one.stderr == two.stderr == ""
    numbers = [json.loads(line)["line"] for line in two.stdout.splitlines()[:-1]]
    assert numbers == sorted(numbers) and len(numbers) == 36_000 * 4 // 6
    piped = run_cli("validate", CF, "--jsonl", "--format", "json", "--workers", "2",
                    stdin=path.read_text())
    assert piped.stdout == two.stdout.replace(str(path), "<stdin>")


# -- Ctrl-C -----------------------------------------------------------------------------------

@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_prints_the_summary_of_what_was_done_and_exits_130(workers):
    process = subprocess.Popen(
        [sys.executable, "-m", "wirespec._cli", "validate", CF, "--jsonl", "--workers",
         workers], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=ROOT)
    assert process.stdin is not None
    try:
        process.stdin.write(b'{"prompt": "a"}\n{"prompt": "x", "top_k": 99}\n')
        process.stdin.flush()
        # printed while the pipe stays open: the process now waits for the next line
        seen = read_until(process, b"/top_k: maximum")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert b"Traceback" not in err and err == b""
    text = (seen + out).decode()
    assert "summary (interrupted after line 2): 2 lines: 1 valid, 1 invalid" in text
    assert "1 line: /top_k: maximum" in text


def test_a_worker_reading_a_file_that_shrank_says_so(tmp_path):
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b'{"prompt": "a"}\n')
    previous = signal.getsignal(signal.SIGINT)
    try:
        _jsonl._start_worker(stream_settings(), str(path))
        whole = _jsonl._work(1, None, 0, 15)
        shrunk = _jsonl._work(1, None, 0, 400)
    finally:  # this process is no worker: its Ctrl-C and globals as they were
        signal.signal(signal.SIGINT, previous)
        if _jsonl._worker_file is not None:
            _jsonl._worker_file.close()
        _jsonl._worker_settings = _jsonl._worker_file = None
    assert whole.fatal is None and whole.counts.valid == 1
    assert shrunk.fatal == "in:1: the file changed while it was read"


def test_the_summary_is_bounded_however_many_constraints_break():
    from wirespec._commands import _jsonl_summary as summary

    counts = summary.Counts()
    for index in range(summary.TRACKED + 5):
        counts.note(("warning", "undocumented", f"/m{index}", ""), None)
    counts.note(("warning", "undocumented", "/m0", ""), None)
    assert len(counts.constraints) == summary.TRACKED and counts.untracked == 5
    assert counts.constraints["warning", "undocumented", "/m0", ""] == 2
    text = summary._summary_text(counts, sorted(counts.constraints.items(),
                                                key=lambda item: -item[1]), "")
    rows = text.splitlines()
    assert rows[1] == "  2 lines: warning: /m0: undocumented"
    assert len(rows) == 1 + summary.SHOWN + 2 and rows[-2].startswith("  … and 980 more")
