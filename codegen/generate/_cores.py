"""Work spread over the machine's cores, in order, failing as one-by-one work would."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Result = TypeVar("Result")


def on_every_core(work: Callable[..., Result], jobs: Sequence[tuple[Any, ...]],
                  chunk: int = 8) -> list[Result]:
    """``work(*job)`` for each job, in order. The first job (in order) that raises raises,
    as it would one by one; with one core or few jobs nothing is started."""
    workers = min(len(jobs) // chunk, os.cpu_count() or 1)
    if workers < 2:
        return [work(*job) for job in jobs]
    # fork where there is one: workers start with everything already imported
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        columns: Iterable[Any] = zip(*jobs, strict=True)
        return list(pool.map(work, *columns, chunksize=chunk))
