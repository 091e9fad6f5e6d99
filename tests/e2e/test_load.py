"""Three concurrent browser sessions on one server: no errors, no session sees another's table, and the
server still answers afterwards (the short version of ``benchmarks/bench_load.py``)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from benchmarks.bench_load import run_load


def test_three_concurrent_sessions_stay_isolated_and_the_server_survives() -> None:
    # The other browser tests drive sync Playwright, whose event loop stays open in this thread for the whole
    # session; the load test runs its own asyncio loop, so it gets a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        out = pool.submit(run_load, sessions=3, rows=1000).result()
    assert not out["errors"], out["errors"]
    assert not out["leaks"], out["leaks"]  # every page showed only its own session's columns and file
    assert out["healthy_after"]
    assert set(out["steps"]) == {"open", "upload", "fit", "sample", "compare", "privacy"}
    assert all(step["n"] == 3 for step in out["steps"].values())
