"""`wirespec models` and `wirespec schema`: output shapes and exit codes."""

from __future__ import annotations

import json

from conftest import run_cli


def test_models_json_lists_ids_providers_models_kinds():
    result = run_cli("models", "--json")
    assert result.returncode == 0
    models = json.loads(result.stdout)
    by_id = {m["id"]: m for m in models}
    # Cloudflare 60 (catalog), DashScope 73 (seed 7, English page 57, Chinese page 9 more),
    # SiliconFlow 116 (seed 42; 2025 markdown and OpenAPI page: their own and newer ids)
    assert len(models) == 60 + 73 + 116
    entry = by_id["dashscope:qwen1.5-72b-chat"]
    assert entry["provider"] == "dashscope" and entry["model"] == "qwen1.5-72b-chat"
    assert entry["kinds"] == ["request", "response", "stream", "error"]
    assert entry["limits"]["max_output_tokens"]["value"] == 2000


def test_models_text_shows_limits():
    result = run_cli("models")
    line = next(x for x in result.stdout.splitlines() if x.startswith("dashscope:qwen1.5-14b"))
    assert "context_window=8000" in line and "max_input_tokens=6000" in line
    unlimited = next(x for x in result.stdout.splitlines()
                     if x.startswith("siliconflow:Qwen/Qwen2.5-7B-Instruct "))
    assert unlimited.endswith("no limit documented")  # never "-", which reads as unlimited


def test_schema_by_qualified_and_bare_id():
    qualified = run_cli("schema", "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq")
    bare = run_cli("schema", "@cf/qwen/qwen1.5-7b-chat-awq")
    assert qualified.returncode == bare.returncode == 0
    assert qualified.stdout == bare.stdout
    assert json.loads(qualified.stdout)["x-kind"] == "request"
    stream = json.loads(run_cli("schema", "qwen1.5-72b-chat", "--kind", "stream").stdout)
    assert stream["x-kind"] == "stream"


def test_unknown_model_and_kind_exit_2_with_one_line():
    for args in (("schema", "nope"), ("schema", "qwen1.5-72b", "--kind", "request"),
                 ("schema", "@cf/qwen/qwen1.5-7b-chat-awq", "--kind", "error")):
        result = run_cli(*args)
        assert result.returncode == 2, args
        assert result.stderr.startswith("wirespec: error: ") and result.stderr.count("\n") == 1
    assert "no error schema" in run_cli("schema", "@cf/qwen/qwen1.5-7b-chat-awq", "--kind",
                                        "error").stderr


def test_usage_errors_exit_2():
    assert run_cli("schema").returncode == 2
    assert run_cli("bogus").returncode == 2


CF = "@cf/qwen/qwen1.5-0.5b-chat"


def test_validate_exit_codes_and_json_shape():
    ok = run_cli("validate", CF, "--format", "json", stdin='{"prompt": "hi"}')
    assert ok.returncode == 0 and json.loads(ok.stdout) == {
        "valid": True, "model": f"cloudflare:{CF}", "errors": [], "warnings": [{
            "pointer": "", "keyword": "no-limit-documented", "message": "no token limit "
            f"documented for cloudflare:{CF}: the request's size was not checked",
            "limit": None, "value": None, "source": None}]}
    strict = run_cli("validate", CF, "--strict", stdin='{"prompt": "hi", "foo": 1}')
    assert strict.returncode == 1 and "/foo: undocumented: 'foo' is not in the documents" \
        in strict.stdout
    bad = run_cli("validate", CF, "-", "--format", "json", stdin='{"prompt": "hi", "top_k": 99}')
    assert bad.returncode == 1
    [error] = json.loads(bad.stdout)["errors"]
    assert set(error) == {"pointer", "keyword", "message", "limit", "value", "source"}
    assert (error["pointer"], error["keyword"], error["limit"], error["value"]) == (
        "/top_k", "maximum", 50, 99)
    text = run_cli("validate", CF, stdin='{"prompt": "hi", "top_k": 99}')
    assert "/top_k: maximum" in text.stdout and "qwen1.5-0.5b-chat.json:" in text.stdout


def test_the_path_may_follow_the_options(tmp_path):
    payload = tmp_path / "request.json"
    payload.write_text('{"prompt": "hi", "top_k": 99}')
    after = run_cli("validate", CF, "--format", "json", "--kind", "request", str(payload))
    assert after.returncode == 1 and json.loads(after.stdout)["errors"][0]["pointer"] == "/top_k"
    assert run_cli("validate", CF, "--kind", "request", "-", stdin="{}").returncode == 1
    two = run_cli("validate", CF, "--kind", "request", str(payload), str(payload))
    assert two.returncode == 2 and "unrecognized arguments" in two.stderr


def test_validate_unusable_input_exits_2():
    for data, args in (("{bad", ("validate", CF)), ("{}", ("validate", "nope")),
                       ("{}", ("validate", CF, "/no/such/file"))):
        result = run_cli(*args, stdin=data)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, args


def test_validate_jsonl_reports_failing_lines_and_a_summary():
    lines = '{"prompt": "a"}\n{"prompt": ""}\n'
    result = run_cli("validate", CF, "--jsonl", "--format", "json", stdin=lines)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["line"], o["valid"]) for o in out[:-1]] == [(2, False)]  # failures only
    assert {k: out[-1]["summary"][k] for k in ("valid", "invalid", "unusable")} == {
        "valid": 1, "invalid": 1, "unusable": 0}
    assert result.returncode == 1
    assert run_cli("validate", CF, "--jsonl", stdin='{"prompt": "a"}\n').returncode == 0
