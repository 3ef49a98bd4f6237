"""The mock as CI infrastructure, at its boundary: /healthz, each provider's model list read by
that provider's own SDK, the server stack it chooses (and its fallback), and the tokenizer
loaded before the first request."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import cloudflare
import dashscope
import httpx
import openai
import pytest

from wirespec.contracts import _serve
from wirespec.contracts._mock import MockApp
from wirespec.mock import MockSettings, RunningMock, running
from wirespec.validators import _tokens
from wirespec.validators._registry import models

KEY = "test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running() as server:
        yield server


def served(provider: str) -> list[str]:
    return [e.model for e in models() if e.provider == provider and "request" in e.kinds]


def test_healthz_answers_without_a_key(mock):
    answer = httpx.get(mock.url + "/healthz", timeout=10)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    assert answer.json() == {"status": "ok", "providers": ["cloudflare", "dashscope",
                                                           "siliconflow"],
                             "seed": 0, "faults": []}
    assert httpx.head(mock.url + "/healthz", timeout=10).status_code == 200


def test_healthz_says_which_faults_are_on():
    with running(MockSettings(providers=("dashscope",), seed=7,
                              faults=frozenset({"hang"}))) as faulty:
        assert httpx.get(faulty.url + "/healthz", timeout=10).json() == {
            "status": "ok", "providers": ["dashscope"], "seed": 7, "faults": ["hang"]}


def test_the_openai_sdk_lists_siliconflows_models(mock):
    client = openai.OpenAI(base_url=mock.base_url("siliconflow"), api_key=KEY, max_retries=0,
                           timeout=10)
    listed = list(client.models.list())
    assert [m.id for m in listed] == served("siliconflow")
    first = listed[0]
    assert first.object == "model" and isinstance(first.created, int)
    assert first.owned_by == first.id.split("/")[0]


def test_dashscopes_compatible_mode_lists_its_models_in_openais_shape(mock):
    client = openai.OpenAI(base_url=mock.url + "/compatible-mode/v1", api_key=KEY,
                           max_retries=0, timeout=10)
    assert [m.id for m in client.models.list()] == served("dashscope")


def test_the_dashscope_sdk_lists_and_gets_models(mock, monkeypatch):
    monkeypatch.setattr(dashscope, "base_http_api_url", mock.base_url("dashscope"))
    everything = served("dashscope")
    first = dashscope.Models.list(page=1, page_size=5, api_key=KEY)
    second = dashscope.Models.list(page=2, page_size=5, api_key=KEY)
    assert first.status_code == 200 and first.output["total"] == len(everything)
    assert [m["model"] for m in first.output["models"] + second.output["models"]] == \
        everything[:10]
    found = dashscope.Models.get("qwen1.5-72b-chat", api_key=KEY)
    assert found.status_code == 200 and found.output == {"model": "qwen1.5-72b-chat"}
    assert dashscope.Models.get("qwen-2000b", api_key=KEY).status_code == 404


def test_the_cloudflare_sdk_turns_every_page_of_its_models(mock):
    client = cloudflare.Cloudflare(api_token=KEY, base_url=mock.base_url("cloudflare"),
                                   max_retries=0, timeout=10)
    names = [m["name"] for m in client.ai.models.list(account_id="acct", per_page=7)]
    assert names == served("cloudflare")  # pages of 7 until an empty one
    page = client.ai.models.list(account_id="acct", search="QWEN1.5-7B")
    assert [m["name"] for m in page.result] == ["@cf/qwen/qwen1.5-7b-chat-awq"]
    assert page.result_info is not None and page.result_info.page == 1
    properties = {p["property_id"]: p["value"] for p in page.result[0]["properties"]}
    assert all(value.isdigit() for value in properties.values())


def test_cloudflares_list_works_without_the_client_v4_prefix(mock):
    answer = httpx.get(mock.url + "/accounts/a/ai/models/search?per_page=2", headers=AUTH,
                       timeout=10)
    body = answer.json()
    assert answer.status_code == 200 and body["success"] is True and len(body["result"]) == 2
    assert body["result_info"]["total_count"] == len(served("cloudflare"))


@pytest.mark.parametrize(("path", "provider"), [
    ("/v1/models", "siliconflow"), ("/compatible-mode/v1/models", "dashscope"),
    ("/api/v1/models", "dashscope"), ("/client/v4/accounts/a/ai/models/search", "cloudflare")])
def test_a_model_list_needs_a_key_and_refuses_in_the_providers_terms(mock, path, provider):
    answer = httpx.get(mock.url + path, timeout=10)
    assert answer.status_code == 401
    if provider == "siliconflow":
        assert answer.json() == "Invalid token"  # SiliconFlow's documented 401 body
    elif provider == "cloudflare":
        assert answer.json()["errors"][0]["code"] == 10000
    else:
        assert answer.json()["code"] == "InvalidApiKey"
    refused = httpx.post(mock.url + path, headers=AUTH, json={}, timeout=10)
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("query", ["page_no=0", "page_no=x", "page_size=100000",
                                   "page_no=" + "9" * 30, "page_no=%EF%BC%91",
                                   "&".join(f"a{n}=1" for n in range(100))])
def test_a_query_the_list_cannot_take_is_400(mock, query):
    answer = httpx.get(f"{mock.url}/api/v1/models?{query}", headers=AUTH, timeout=10)
    assert answer.status_code == 400 and answer.json()["code"] == "InvalidParameter"


def test_only_the_served_providers_lists_are_there():
    with running(MockSettings(providers=("cloudflare",))) as one:
        assert httpx.get(one.url + "/v1/models", headers=AUTH, timeout=10).status_code == 404
        unknown = httpx.get(one.url + "/nowhere", timeout=10).json()
        assert "GET /client/v4/accounts/{account}/ai/models/search" in unknown["endpoints"]
        assert "GET /healthz" in unknown["endpoints"]


def test_the_stack_is_uvloop_and_httptools_where_they_import():
    assert _serve.stack() == ("uvloop", "httptools")


def test_without_uvloop_and_httptools_the_mock_serves_on_asyncio_and_h11(monkeypatch):
    for name in ("uvloop", "httptools"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
    assert _serve.stack() == ("asyncio", "h11")
    with running(MockSettings(providers=("siliconflow",))) as plain:
        assert plain.app is not None
        answer = httpx.post(plain.base_url("siliconflow") + "/chat/completions", headers=AUTH,
                            json={"model": "Qwen/Qwen2.5-7B-Instruct",
                                  "messages": [{"role": "user", "content": "hi"}]}, timeout=10)
        assert answer.status_code == 200 and answer.json()["object"] == "chat.completion"


def test_the_tokenizer_is_loaded_before_the_first_request():
    _tokens._qwen_encoding.cache_clear()
    with running(MockSettings(providers=("dashscope",))) as fresh:
        assert fresh.app.requests == 0
        assert _tokens._qwen_encoding.cache_info().currsize == 1


def test_no_tokenizer_is_loaded_when_no_served_model_has_one():
    app = MockApp(MockSettings(providers=("cloudflare",)))
    app.listings.models = {"cloudflare": [e for e in app.listings.models["cloudflare"]
                                          if "qwen" not in e.model.lower()]}
    _tokens._qwen_encoding.cache_clear()
    app.prepare()
    assert _tokens._qwen_encoding.cache_info().currsize == 0
