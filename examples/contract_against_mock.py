"""One contract run per provider against the mock providers, as `make demo` shows it.

The same run against a real provider is one command:
    wirespec contract dashscope:qwen1.5-72b-chat --examples 3 \
        --base-url https://dashscope-intl.aliyuncs.com/api/v1 --api-key-env DASHSCOPE_API_KEY
"""

from __future__ import annotations

import sys

from wirespec.contract import run_contract
from wirespec.mock import MockSettings, running

MODELS = ["dashscope:qwen1.5-72b-chat", "cloudflare:@cf/qwen/qwen1.5-7b-chat-awq",
          "siliconflow:Qwen/Qwen2.5-7B-Instruct"]


def main() -> int:
    failed = False
    with running() as mock:
        print(f"mock providers on {mock.url}")
        for model_id in MODELS:
            report = run_contract(model_id, mock.base_url(model_id.split(":")[0]),
                                  examples=6, negative=True)
            print("\n".join(report.summary()))
            failed |= not report.ok
    print("\nthe same against a mock answering out of contract (--fault response-schema):")
    with running(MockSettings(faults=frozenset({"response-schema"}))) as broken:
        report = run_contract(MODELS[0], broken.base_url("dashscope"), examples=2)
        print("\n".join(line[:300] for line in report.summary()))
    return 1 if failed or report.ok else 0


if __name__ == "__main__":
    sys.exit(main())
