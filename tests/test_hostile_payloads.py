"""Hostile payloads: every value gets one verdict, the engine's, or one clear PayloadError at
its pointer; patterns, streams and budgets cost linear time; nothing reaches the network."""

from __future__ import annotations

import http.server
import json
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jsonschema_rs
import pytest
from conftest import run_cli
from hostile import DEEP, one_clear_line, scaled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wirespec import PayloadError, validate
from wirespec.validators._engine import CompiledSchema, compiled, engine_for
from wirespec.validators._reference import reference_validator
from wirespec.validators._sse import events, validate_stream

CF = "cloudflare:@cf/qwen/qwen1.5-0.5b-chat"
DS = "dashscope:qwen1.5-72b-chat"
LLAMA = "cloudflare:@cf/meta/llama-3.3-70b-instruct-fp8-fast"


def ds(prompt: str = "hi", **parameters: Any) -> dict[str, Any]:
    return {"model": "qwen1.5-72b-chat", "input": {"prompt": prompt}, "parameters": parameters}


def _circular() -> dict[str, Any]:
    loop: dict[str, Any] = {"prompt": "hi"}
    loop["lora"] = {"again": loop}
    return loop


NOT_JSON = [
    ({"prompt": "hi", "temperature": math.nan}, "/temperature", "NaN"),
    ({"prompt": "hi", "temperature": math.inf}, "/temperature", "Infinity"),
    ({"prompt": "hi", "seed": -math.inf}, "/seed", "Infinity"),
    ({"prompt": "\ud800 lone"}, "/prompt", "surrogate"),
    ({"prompt": "hi", "\udfff": 1}, "/", "surrogate"),
    ({"prompt": "hi", 7: "x"}, "/", "int member name"),
    ({"prompt": "hi", None: "x"}, "/", "NoneType member name"),
    ({"prompt": "hi", "lora": {1, 2}}, "/lora", "set"),
    ({"prompt": b"hi"}, "/prompt", "bytes"),
    ({"messages": ({"role": "user", "content": "x"},)}, "/messages", "tuple"),
    ({"prompt": "hi", "seed": 10**5000}, "/seed", "integer"),
    ({"prompt": "hi", "lora": object()}, "/lora", "object"),
    (_circular(), "/lora/again", "circular"),
]


@pytest.mark.parametrize(("payload", "pointer", "words"), NOT_JSON)
def test_a_value_json_cannot_hold_is_a_payload_error_at_its_pointer(payload, pointer, words):
    with pytest.raises(PayloadError) as caught:
        validate(CF, payload)
    message = str(caught.value)
    assert f"at {pointer}" in message and words in message
    assert "\n" not in message


def test_a_shared_sub_value_is_json_and_is_validated():
    shared = {"role": "user", "content": "x"}
    assert validate(CF, {"messages": [shared, shared]}).ok


@pytest.mark.parametrize(("text", "words"), [
    ('{"prompt": "\\ud800"}', "surrogate"), ('{"\\udc00": 1, "prompt": "x"}', "surrogate"),
    ('{"prompt": "x", "seed": ' + "9" * 5001 + "}", "4300"),
    ('{"prompt": "x", "seed": 1e400}', "too large for a float"),
])
def test_json_text_the_parser_must_refuse(text, words):
    with pytest.raises(PayloadError) as caught:
        validate(CF, text)
    assert words in str(caught.value)
    assert validate(CF, '{"prompt": "\\ud83d\\ude00"}').ok  # a surrogate pair is one character


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text()
    | st.sampled_from(["\ud800", b"x", (1,), frozenset()])
    | st.just(5000).map(lambda digits: 10**digits),  # a repr of its own would fail
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=3) | st.integers(), children, max_size=3),
    max_leaves=8)


@settings(max_examples=scaled(300, 5000), deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.sampled_from([CF, DS, LLAMA]), JSONISH)
def test_report_ok_is_always_the_engines_verdict(model_id, value):
    payload = {"prompt": "hi", "lora": value} if model_id != DS else ds(seed=value)
    try:
        report = validate(model_id, payload, budget=False)
    except PayloadError:
        return
    assert report.ok == compiled(model_id).is_valid(payload)
    assert report.ok == reference_validator(compiled(model_id).schema).is_valid(payload)


def test_budgets_read_a_whole_float_as_the_integer_it_is():
    integral = validate(DS, ds(max_tokens=5000.0))
    assert [e.keyword for e in integral.errors] == ["max_output_tokens"]
    assert [e.keyword for e in validate(DS, ds(max_tokens=5000)).errors] == ["max_output_tokens"]


def test_a_huge_prompt_is_refused_by_its_size_without_counting():
    started = time.perf_counter()
    report = validate(DS, ds("hello " * scaled(2_000_000, 40_000_000)))
    print(f"\n{len(report.errors)} errors in {time.perf_counter() - started:.2f} s")
    assert {e.keyword for e in report.errors} == {"max_input_tokens", "context_window"}
    assert all("at least" in e.message for e in report.errors)


def test_a_million_spaces_are_counted_not_a_traceback():
    report = validate(DS, ds(" " * 1_000_000 + "x", max_tokens=100))
    assert report.ok  # about 7,800 tokens: within the 30,000 allowed


def test_an_unsatisfiable_verdict_is_never_reported_as_valid():
    # the walker knows no rule for `dependentRequired`: the report still says why not ok
    schema = {"type": "object", "dependentRequired": {"a": ["b"]}}
    engine = CompiledSchema("x", "request", schema, engine_for(schema))
    report = engine.report({"a": 1})
    assert not report.ok and report.errors


# -- patterns --------------------------------------------------------------------------

def _pattern_engine(pattern: str) -> CompiledSchema:
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": pattern}},
              "patternProperties": {"^x-\\d$": {"type": "integer"}}}
    return CompiledSchema("x", "request", schema, engine_for(schema))


def test_catastrophic_patterns_take_linear_time_in_verdict_report_and_reference():
    engine = _pattern_engine("^(a+)+$")
    text = "a" * scaled(10_000, 1_000_000) + "b"
    started = time.perf_counter()
    report = engine.report({"name": text})
    verdict = engine.is_valid({"name": text})
    reference = reference_validator(engine.schema).is_valid({"name": text})
    print(f"\n^(a+)+$ against {len(text):,} characters: "
          f"{(time.perf_counter() - started) * 1000:.1f} ms for verdict, report and reference")
    assert [e.keyword for e in report.errors] == ["pattern"] and not verdict and not reference


@pytest.mark.parametrize(("pattern", "text", "matches"), [
    ("^\\d$", "٣", False), ("^\\d$", "3", True), ("^\\w+$", "é", False),
    ("^\\s$", "\u00a0", True), ("^\\s$", "\u2028", True),
])
def test_patterns_have_ecma_262_meaning_everywhere(pattern, text, matches):
    engine = _pattern_engine(pattern)
    payload = {"name": text}
    assert engine.is_valid(payload) is matches
    assert engine.report(payload).ok is matches
    assert reference_validator(engine.schema).is_valid(payload) is matches


def test_pattern_properties_use_the_same_meaning():
    engine = _pattern_engine(".*")
    assert not engine.report({"x-3": "not an integer"}).ok
    assert engine.report({"x-٣": "an unmatched member"}).ok  # \d is ASCII in ECMA-262


# -- no network ------------------------------------------------------------------------

@contextmanager
def counting_server() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = b'{"type": "string"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/schema.json", seen
    finally:
        server.shutdown()
        server.server_close()


def test_validation_never_fetches_a_remote_ref():
    with counting_server() as (url, seen):
        schema = {"type": "object", "properties": {"a": {"$ref": url}}}
        with pytest.raises(jsonschema_rs.ValidationError):
            engine_for(schema)
        reference = reference_validator(schema)
        with pytest.raises(Exception, match="Unresolvable"):
            reference.is_valid({"a": 5})
    assert seen == []


# -- streams ---------------------------------------------------------------------------

def test_sse_parsing_is_linear_in_the_event_size():
    size = scaled(16, 64) * 1024 * 1024
    frame = b'data: {"x": "' + b"a" * size + b'"}\n\n'
    chunks = [frame[i:i + 65536] for i in range(0, len(frame), 65536)]
    started = time.perf_counter()
    found, problem = events(chunks)
    print(f"\none {size / 2**20:.0f} MiB event in {len(chunks)} chunks: "
          f"{time.perf_counter() - started:.2f} s")
    assert problem is None and len(found) == 1 and len(found[0].data) == size + 9


@pytest.mark.parametrize(("data", "words"), [
    ('{"output": NaN}', "NaN"), ('{"a": 1, "a": 2}', "duplicate"),
    ('{"usage": {"input_tokens": 1e400}}', "too large"), ("[" * 100_000 + "]" * 100_000, "deep"),
])
def test_sse_event_data_is_parsed_as_strictly_as_a_request(data, words):
    report = validate_stream(DS, [f"data: {data}\n\n".encode()])
    assert not report.ok and words in report.errors[0].message


def test_a_deep_sse_event_through_the_command_is_one_report(tmp_path):
    path = tmp_path / "deep.sse"
    path.write_text("data: " + "[" * 100_000 + "]" * 100_000 + "\n\n")
    result = run_cli("validate", DS, "--kind", "stream", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "nested too deeply" in result.stdout


# -- the command line ------------------------------------------------------------------

def test_validate_reads_a_bounded_input(tmp_path):
    one_clear_line(run_cli("validate", CF, "/dev/zero"))
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"prompt": "x" * 2000}))
    assert "--max-bytes" in one_clear_line(run_cli("validate", CF, str(big), "--max-bytes",
                                                   "1000"))
    lines = tmp_path / "lines.jsonl"
    lines.write_text('{"prompt": "a"}\n' + json.dumps({"prompt": "x" * 2000}) + "\n")
    assert ":2:" in one_clear_line(run_cli("validate", CF, str(lines), "--jsonl",
                                           "--max-bytes", "1000"))


@pytest.mark.parametrize(("text", "words"), [
    ('{"prompt": "x", "seed": ' + "9" * 5001 + "}", "4300"),
    ('{"prompt": "x", "\\udc00": 1}', "surrogate"),
    ('"{\\"prompt\\": \\"wrapped\\"}"', None),
])
def test_payloads_the_command_refuses_or_reports(tmp_path, text, words):
    path = tmp_path / "payload.json"
    path.write_text(text)
    result = run_cli("validate", CF, str(path))
    if words is None:  # a JSON string is a string: decoded once, and reported as one
        assert result.returncode == 1 and "string given where object" in result.stdout
    else:
        assert words in one_clear_line(result)


def test_a_prompt_of_a_million_spaces_through_tokens(tmp_path):
    path = tmp_path / "spaces.json"
    path.write_text(json.dumps(ds(" " * 1_000_000)))
    result = run_cli("tokens", DS, str(path))
    assert result.returncode == 0 and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [
    ("fuzz", "--examples", "0", DS), ("fuzz", "--examples", "-3", DS),
    ("validate", CF, "--max-bytes", "0"), ("validate", CF, "--kind", "nope"),
    ("schema", DS, "--revision", "9" * 5001), ("tokens",), ("nonsense",),
    ("validate", CF, "a.json", "b.json"),
])
def test_bad_arguments_are_one_line(args):
    one_clear_line(run_cli(*args))


def test_the_async_batch_reading_makes_llama_requests_checkable():
    assert not validate(LLAMA, {}).ok
    assert not validate(LLAMA, {"temperature": 7}).ok
    assert validate(LLAMA, {"requests": [{"prompt": "hi"}]}).ok
    schema = compiled(LLAMA).schema
    batch = next(b for b in schema["oneOf"] if b.get("title") == "Async Batch")
    assert batch["required"] == ["requests"] and "by intent" in batch["x-source"]["inferred"]


@pytest.mark.skipif(not DEEP, reason="deep run only (make hostile)")
def test_deep_a_200_megabyte_prompt_is_decided_by_its_size():
    started = time.perf_counter()
    report = validate(DS, ds("a " * 100_000_000))
    print(f"\n200 MB prompt: {time.perf_counter() - started:.1f} s")
    assert not report.ok


def test_the_fast_round_trip_never_vouches_for_what_the_python_pass_refuses():
    """orjson's round trip decides first; each of these must still be refused."""
    import dataclasses
    import datetime
    import enum
    import uuid

    from wirespec import PayloadError
    from wirespec.validators._payload import _round_trips, ensure_json

    class Colour(enum.Enum):
        RED = "red"

    class Number(int):
        pass

    @dataclasses.dataclass
    class Point:
        x: int

    odd = [float("nan"), float("inf"), uuid.UUID(int=1), Colour.RED, Point(1),
           datetime.date(2026, 1, 1), (1, 2), {1: "a"}, "\ud800", {"a": {1, 2}}]
    for value in odd:
        assert not _round_trips({"v": value}), value
        with pytest.raises(PayloadError):
            ensure_json({"v": value})
    for fine in (Number(3), 2**70):  # JSON, but past what the round trip vouches for
        assert not _round_trips({"v": fine})
        ensure_json({"v": fine})
    assert _round_trips({"v": [1, 2.5, "x", None, True, {"k": -(2**63)}]})
