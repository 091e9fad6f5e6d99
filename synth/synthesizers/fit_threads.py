"""Fitting a sequential model's trees side by side.

Each tree of sequential CART is fitted on the training rows alone (column ``j`` on the columns before it), never on
another tree, so the trees can be grown at once. scikit-learn builds a tree with Python's lock released, so
threads use the cores without copying the table into processes. Every tree's seed is drawn before any is fitted,
in the order the trees come, so the model is the same whatever the number of threads (pinned by
``tests/unit/test_fit_threads.py``).

Threads: ``SYNTH_FIT_THREADS`` if set, else the machine's cores up to :data:`MOST_THREADS`; fewer when the table
is large, so the copies of the predictor matrix the trees read at once stay under :data:`MEMORY_BUDGET` bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

from synth.progress import ProgressCallback

#: Most threads by default (a laptop's performance cores; more rarely pays on tables this size).
MOST_THREADS = 4
#: Bytes of predictor copies the trees fitted at once may hold (each may copy the predictor matrix once).
MEMORY_BUDGET = 512 * 2**20

T = TypeVar("T")


def fit_threads(rows: int, slots: int) -> int:
    """Threads for fitting the trees of a table of ``rows`` × ``slots`` predictor slots (float32)."""
    wanted = os.environ.get("SYNTH_FIT_THREADS")
    cores = os.cpu_count() or 1
    # A setting is honoured up to four threads a core (more only adds switching); anything else means the default.
    threads = min(int(wanted), 4 * cores) if wanted and wanted.strip().isdigit() else min(cores, MOST_THREADS)
    per_tree = max(rows * slots * 4, 1)
    return max(1, min(threads, MEMORY_BUDGET // per_tree))


def run_all(
    tasks: Sequence[tuple[str, Callable[[], T]]],
    threads: int,
    progress: ProgressCallback,
    start: float = 0.0,
    share: float = 1.0,
) -> list[T]:
    """Every task's result, in the tasks' order; ``progress`` moves from ``start`` by ``share`` as tasks finish.

    A cancel (``progress`` raising) stops the tasks not yet started and is raised at once; trees already being
    grown finish in the background, as one tree's fit cannot be interrupted.
    """
    total = len(tasks)
    if threads <= 1 or total <= 1:
        out = []
        for k, (name, task) in enumerate(tasks):
            progress(start + share * k / max(total, 1), f"fitting a tree for {name} ({k + 1} of {total})")
            out.append(task())
        return out
    # The trees import scikit-learn's tree module on first use (it takes ~0.4 s, paid by a fit only). Imported
    # here first: threads importing one module at once can meet Python's import-lock deadlock check, which raised
    # _DeadlockError on a fresh process's first fit (session 23).
    import sklearn.tree  # noqa: F401

    results: dict[int, T] = {}
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="synth-fit")
    try:
        pending: dict[Future[T], int] = {pool.submit(task): k for k, (_, task) in enumerate(tasks)}
        progress(start, f"fitting {total} trees, {threads} at a time")
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            # One report per tree, in a fixed number whatever the scheduling (a cancel at the k-th report lands).
            for future in sorted(done, key=pending.__getitem__):
                k = pending.pop(future)
                results[k] = future.result()
                progress(
                    start + share * len(results) / total,
                    f"fitted the tree for {tasks[k][0]} ({len(results)} of {total})",
                )
    finally:
        # On a cancel or an error: trees not started are dropped; the caller does not wait for the running ones.
        pool.shutdown(wait=False, cancel_futures=True)
    return [results[k] for k in range(total)]
