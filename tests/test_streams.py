"""SSE streams: parsed incrementally however the bytes are split, each event validated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

from wirespec.validators._sse import SSEParser, events, validate_stream

DOC = (ROOT / "sources/dashscope/qwen1.5-chat.api-reference.txt").read_text().split("\n")
RENDERED = [line for line in DOC[504:518] if not line.startswith("...")]
SF = "Qwen/Qwen2.5-7B-Instruct"


def framed(lines: list[str], newline: str = "\n") -> bytes:
    """The document's SSE sample with the blank line that ends each event restored."""
    out = []
    for line in lines:
        out.append(line)
        if line.startswith("data:"):
            out.append("")
    return (newline.join(out) + newline).encode()


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 100_000])
def test_documents_sse_sample_validates_however_split(size):
    report = validate_stream("qwen1.5-72b-chat", chunked(framed(RENDERED), size))
    assert report.ok, report.errors
    parsed, problem = events(chunked(framed(RENDERED), size))
    assert problem is None and [e.event for e in parsed] == ["result"] * 3
    assert [e.id for e in parsed] == ["1", "2", "12"]
    assert parsed[0].comments == ["HTTP_STATUS/200"]


def test_the_sample_as_rendered_lacks_the_blank_lines_sse_needs():
    report = validate_stream("qwen1.5-72b-chat", [("\n".join(RENDERED) + "\n").encode()])
    assert [e.keyword for e in report.errors] == ["sse"]
    assert "ended inside an event" in report.errors[0].message


def test_crlf_and_a_character_split_across_chunks():
    data = framed(['data:{"output":{"text":"你好","finish_reason":"null"},"usage":{},'
                   '"request_id":"x"}'], "\r\n")
    split_inside_a_character = data.index("好".encode()) + 1
    parts = [data[:split_inside_a_character], data[split_inside_a_character:]]
    assert validate_stream("qwen1.5-72b-chat", parts).ok
    assert validate_stream("qwen1.5-72b-chat", chunked(data, 1)).ok


@pytest.mark.parametrize(("stream", "expected"), [
    (b'data: {"choices": [{"finish_reason": "stop"}]}\n\ndata: [DONE]\n\n', []),
    (b'data: {"choices": [{"finish_reason": "done"}]}\n\ndata: [DONE]\n\n',
     [("/events/1/choices/0/finish_reason", "enum")]),
    (b"data: not json\n\ndata: [DONE]\n\n", [("", "sse")]),
    (b'data: {"choices": []}\n\ndata: [DONE]\n\ndata: {"choices": []}\n\n', [("", "sse")]),
    (b'data: {"choices": []}\n\n', [("", "sse")]),  # no [DONE]
    (b'data: {"choices": [{"finish_', [("", "sse")]),  # cut mid-event
    (b"data: \xff\xfe\n\n", [("", "sse")]),  # not UTF-8
])
def test_stream_verdicts(stream, expected):
    report = validate_stream(SF, chunked(stream, 5))
    assert [(e.pointer, e.keyword) for e in report.errors] == expected


def test_event_numbers_in_errors():
    stream = (b'data: {"choices": []}\n\ndata: {"choices": [{"finish_reason": 1}]}\n\n'
              b"data: [DONE]\n\n")
    errors = validate_stream(SF, [stream]).errors  # type and enum: 1 breaks both
    assert errors and all(error.message.startswith("event 2:") and
                          error.pointer.startswith("/events/2/") for error in errors)


def test_parser_ignores_events_without_data_and_keeps_multiline_data():
    parser = SSEParser()
    found = list(parser.feed(b"event: ping\n\ndata: a\ndata: b\n\n"))
    assert [e.data for e in found] == ["a\nb"]
    assert parser.close() == ([], None)


def test_cli_validates_a_stream_file(tmp_path: Path):
    good, bad = tmp_path / "good.sse", tmp_path / "bad.sse"
    good.write_bytes(framed(RENDERED))
    bad.write_bytes(b"data: {}\n\n")
    def run(path: Path) -> Any:
        return run_cli("validate", "qwen1.5-72b-chat", str(path), "--kind", "stream")

    assert run(good).returncode == 0
    failed = run(bad)
    assert failed.returncode == 1 and "event 1:" in failed.stdout


def test_cli_validates_a_cloudflare_body_as_sent(tmp_path: Path):
    model = "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq"
    sent, failed = tmp_path / "sent.json", tmp_path / "failed.json"
    sent.write_text('{"result": {"response": "hi"}, "success": true, "errors": [], '
                    '"messages": []}')
    failed.write_text('{"result": null, "success": false, "errors": [{"code": 5007}]}')
    ok = run_cli("validate", model, str(sent), "--kind", "response", "--wire")
    assert ok.returncode == 0, ok.stdout
    assert run_cli("validate", model, str(sent), "--kind", "response").returncode == 1
    refused = run_cli("validate", model, str(failed), "--kind", "response", "--wire")
    assert refused.returncode == 1 and "envelope: `success` is not true" in refused.stdout


@pytest.mark.parametrize(("kind", "first", "last"), [("response", 469, 479),
                                                     ("error", 521, 525)])
def test_cli_validates_the_documents_response_and_error_samples(tmp_path: Path, kind, first,
                                                                last):
    sample = tmp_path / f"{kind}.json"
    sample.write_text("\n".join(DOC[first - 1:last]))
    assert run_cli("validate", "qwen1.5-72b-chat", str(sample), "--kind", kind).returncode == 0
    broken = json.loads(sample.read_text())
    broken["request_id"] = 7
    sample.write_text(json.dumps(broken))
    failed = run_cli("validate", "qwen1.5-72b-chat", str(sample), "--kind", kind)
    assert failed.returncode == 1 and "/request_id: type:" in failed.stdout
