"""Contract runs against a server, from Python (install ``wirespec[contract]``).

    from wirespec.contract import run_contract

    report = run_contract("dashscope:qwen1.5-72b-chat", "http://127.0.0.1:8765/api/v1",
                          examples=10, negative=True)
    report.ok, report.passed, report.failed, report.failures[0].curl()
"""

from __future__ import annotations

from wirespec.contracts._runs import (
    CHECKS,
    ContractError,
    ContractReport,
    Failure,
    run_contract,
)

__all__ = ["CHECKS", "ContractError", "ContractReport", "Failure", "run_contract"]
