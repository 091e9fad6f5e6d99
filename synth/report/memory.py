"""Peak memory of a block of work, measured without :mod:`tracemalloc`.

A race used to trace fit and sample with ``tracemalloc.start()`` / ``tracemalloc.stop()``. Both swap the
process's raw memory allocator, which other threads call without the GIL (numpy allocates its iteration buffers
with the GIL released), and CPython 3.11 does not guard that swap: stopping the trace while another thread was
inside ``tracemalloc_raw_malloc`` crashed the whole process (CPython issue gh-128679, fixed in 3.12.9 and 3.13.2
only; gh-131566 for ``start()``). The dashboard runs a privacy check beside a race, so the server died with a
segmentation fault; the test suite lost a pytest-xdist worker the same way. Native backtrace of the crashing
thread (``benchmarks/stress_threads.py`` on the code that still traced; core dump read with gdb)::

    #3  <signal handler called>
    #4  traceback_new () at ./Modules/_tracemalloc.c:435
    #5  tracemalloc_add_trace (domain=0, size=14400) at ./Modules/_tracemalloc.c:534
    #6  tracemalloc_alloc (elsize=14400, nelem=1, use_calloc=0) at ./Modules/_tracemalloc.c:604
    #9  tracemalloc_raw_malloc (size=14400) at ./Modules/_tracemalloc.c:789
    #10 npyiter_allocate_buffers () from numpy/_core/_multiarray_umath...so
    #11 NpyIter_Reset ()
    #12 execute_ufunc_loop ()
    #17 array_multiply ()     <- `lik * prior` in singling_control._weight_distribution (the WP216 attacks)

So nothing here touches the allocator: a helper thread samples the process's resident set size instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STATM = Path("/proc/self/statm")
INTERVAL_S = 0.02
"""How often the resident set size is read: a peak shorter than this can be missed."""


def _rss_bytes() -> int | None:
    """The process's resident set size (Linux ``/proc``), ``None`` where it cannot be read."""
    import os

    try:
        return int(STATM.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class PeakMemory:
    """Highest resident memory above the start, in MB, of a :func:`peak_memory` block (``None`` off Linux)."""

    def __init__(self) -> None:
        self.start = _rss_bytes()
        self.high = self.start
        self.mb: float | None = None

    def sample(self) -> None:
        now = _rss_bytes()
        if now is not None and self.high is not None:
            self.high = max(self.high, now)

    def finish(self) -> None:
        self.sample()
        if self.start is not None and self.high is not None:
            self.mb = max(self.high - self.start, 0) / 2**20


@contextmanager
def peak_memory() -> Iterator[PeakMemory]:
    """Sample resident memory every :data:`INTERVAL_S` while the block runs; ``.mb`` is set when it ends.

    The whole process is measured: memory other threads take at the same time counts too, and memory the
    allocator keeps after a free is still counted as resident.
    """
    peak = PeakMemory()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(INTERVAL_S):
            peak.sample()

    watcher = threading.Thread(target=watch, name="synth-peak-memory", daemon=True)
    if peak.start is not None:
        watcher.start()
    try:
        yield peak
    finally:
        done.set()
        if watcher.is_alive():
            watcher.join()
        peak.finish()
