"""SiliconFlow: 42 models, roles, the few types the page implies, no ranges."""

from __future__ import annotations

import json

from conftest import ROOT, load, run_cli
from jsonschema import Draft202012Validator

MODEL = "siliconflow/Qwen__Qwen2.5-7B-Instruct"


def test_forty_two_models(seed_schemas):
    requests = [rel for rel in seed_schemas if rel.startswith("siliconflow/")
                and rel.endswith(".request.json")]
    assert len(requests) == 42
    assert f"{MODEL}.request.json" in seed_schemas
    assert "siliconflow/Pro__Qwen__Qwen2.5-7B-Instruct.request.json" in seed_schemas
    assert "siliconflow/Vendor-A__Qwen__Qwen2-72B-Instruct.request.json" in seed_schemas


def test_request_fields_roles_and_no_ranges(seed_schemas):
    request = load(seed_schemas, f"{MODEL}.request.json")
    props = request["properties"]
    assert set(props) == {"model", "messages", "stream", "max_tokens", "stop", "temperature",
                          "top_p", "n", "response_format"}
    assert props["model"]["const"] == "Qwen/Qwen2.5-7B-Instruct"
    assert props["model"]["x-source"]["line"] == 16
    role = props["messages"]["items"]["properties"]["role"]
    assert sorted(role["enum"]) == ["assistant", "system", "user"]
    assert props["stop"]["items"]["type"] == "string"
    for name in ("temperature", "top_p", "max_tokens", "n"):
        assert not {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"} & set(
            props[name])
        assert "inferred" in props[name]["x-source"]


def test_response_and_stream(seed_schemas):
    response = load(seed_schemas, f"{MODEL}.response.json")
    assert response["properties"]["object"]["const"] == "chat.completion"
    reasons = response["properties"]["choices"]["items"]["properties"]["finish_reason"]["enum"]
    assert reasons == ["stop", "eos", "length", "tool_calls"]
    stream = load(seed_schemas, f"{MODEL}.stream.json")
    assert stream["x-stream-terminator"] == "[DONE]"
    validator = Draft202012Validator(stream)
    assert validator.is_valid({"choices": [{"finish_reason": None}]})
    assert not validator.is_valid({"choices": [{"finish_reason": "done"}]})


SEED_004 = "siliconflow/chat-completions.api-reference.txt"


def _ingest_alone(tmp_path, text):
    (tmp_path / "sources" / "siliconflow").mkdir(parents=True)
    (tmp_path / "sources" / SEED_004).write_text(text, encoding="utf-8")
    (tmp_path / "sources" / "manifest.toml").write_text(
        f'[[document]]\npath = "{SEED_004}"\nprovider = "siliconflow"\n')
    return run_cli("ingest", "--root", str(tmp_path))


def test_a_reworded_flattened_page_ingests_and_says_what_it_could_not_name(tmp_path):
    """A later rendering with one description reworded and one parameter added: the page is
    still read by its structure; the description no known parameter has is listed as unread
    with its line, and the parameter whose words are gone is said to be left out."""
    text = (ROOT / "sources" / SEED_004).read_text(encoding="utf-8")
    text = text.replace("The maximum number of tokens to generate.",
                        "Upper bound on generated tokens.\nPenalty on repeated tokens, 1 to 2.")
    result = _ingest_alone(tmp_path, text)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[flattened-values]: 42 model(s)" in out
    assert f"unread sources/{SEED_004}:58: Upper bound on generated tokens." in out
    assert f"unread sources/{SEED_004}:59: Penalty on repeated tokens, 1 to 2." in out
    assert "max_tokens: not on this page" in out
    request = json.loads((tmp_path / "schemas" / "siliconflow" /
                          "Qwen__Qwen2.5-7B-Instruct.request.json").read_text())
    assert "max_tokens" not in request["properties"]
    assert request["properties"]["temperature"]["type"] == "number"


def test_a_flattened_page_without_model_ids_is_one_line(tmp_path):
    text = (ROOT / "sources" / SEED_004).read_text(encoding="utf-8")
    start = text.index("deepseek-ai/DeepSeek-V2-Chat")
    end = text.index("A list of messages")
    result = _ingest_alone(tmp_path, text[:start] + text[end:])
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "without a list of model ids" in result.stderr or "no reader" in result.stderr
