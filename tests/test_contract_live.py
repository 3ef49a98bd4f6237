"""The same contract runs against the real providers, when their credentials are present
(CI has neither credentials nor network: these are skipped there). Realistic requests (the
default away from loopback), two per model, one a second: a few tokens each."""

from __future__ import annotations

import os

import pytest

from wirespec.contracts._runs import Bounds, run_contract

LIVE = [
    ("dashscope:qwen1.5-72b-chat", "DASHSCOPE_API_KEY",
     os.environ.get("DASHSCOPE_BASE_URL", "https://dashscope-intl.aliyuncs.com/api/v1")),
    ("siliconflow:Qwen/Qwen2.5-7B-Instruct", "SILICONFLOW_API_KEY",
     os.environ.get("SILICONFLOW_BASE_URL", "https://api.siliconflow.cn/v1")),
    ("cloudflare:@cf/qwen/qwen1.5-7b-chat-awq", "CLOUDFLARE_API_TOKEN",
     "https://api.cloudflare.com/client/v4"),
]


@pytest.mark.parametrize(("model_id", "variable", "base_url"), LIVE)
def test_contract_against_the_real_provider(model_id, variable, base_url):
    key = os.environ.get(variable)
    if not key or (variable == "CLOUDFLARE_API_TOKEN"
                   and not os.environ.get("CLOUDFLARE_ACCOUNT_ID")):
        pytest.skip(f"{variable} is not set (and CLOUDFLARE_ACCOUNT_ID, for Cloudflare)")
    report = run_contract(model_id, base_url, examples=2, key=key, key_variable=variable,
                          account=os.environ.get("CLOUDFLARE_ACCOUNT_ID", ""), timeout=120,
                          bounds=Bounds(rate=1.0))
    assert report.profile == "realistic"
    assert report.ok, "\n".join(report.summary())
