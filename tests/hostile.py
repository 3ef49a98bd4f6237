"""What the hostile-input tests share: how deep to go, and what "one clear line" means.

`make test` runs the bounded suite; `make hostile` sets WIRESPEC_DEEP=1, which makes the
inputs larger and the property runs longer.
"""

from __future__ import annotations

import os
import subprocess

DEEP = os.environ.get("WIRESPEC_DEEP") == "1"


def scaled(bounded: int, deep: int) -> int:
    return deep if DEEP else bounded


def one_clear_line(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The command failed as documented: ``code``, one line on stderr, no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout[-500:],
                                       result.stderr[-2000:])
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-2000:]
    assert result.stderr.count("\n") == 1, result.stderr[-2000:]
    assert "internal error" not in result.stderr, result.stderr
    return result.stderr
