"""Progress lines: rewritten in place on a terminal, plain and sparse in a log."""

from __future__ import annotations

import io

from wirespec._commands._progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_one_line_rewritten_with_an_eta():
    now = [0.0]
    out = _Terminal()
    progress = Progress(4, "models", stream=out, clock=lambda: now[0])
    progress.start("cloudflare:a request")
    now[0] = 10.0
    progress.advance()
    assert out.getvalue().rstrip().endswith("1/4 models, 0:10 elapsed, about 0:30 left")
    assert "\n" not in out.getvalue()
    progress.clear()
    assert out.getvalue().endswith("\r")


def test_a_log_gets_a_plain_line_every_so_often():
    now = [0.0]
    out = io.StringIO()
    progress = Progress(100, "requests", stream=out, clock=lambda: now[0])
    for step in range(100):
        now[0] = step * 1.0
        progress.advance()
    lines = out.getvalue().splitlines()
    assert 2 <= len(lines) <= 4
    assert lines[0].startswith("31/100 requests, 0:30 elapsed")
