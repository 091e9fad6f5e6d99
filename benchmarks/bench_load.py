"""Load test: N concurrent browser sessions on one server, each with its own table.

Each session (a Chromium context of one headless browser, driven by Playwright) uploads a different table
whose column names carry the session's number (``zq3x_age`` …), fits the default synthesizer, samples, and
opens Compare and Privacy. Measured and checked:

* errors: exception boxes, error alerts, and steps that did not finish (a Playwright timeout);
* leakage: every page's HTML may name only its own session's columns and file (``zq<i>x``), never another's;
* peak server memory (resident set of the Streamlit process, sampled every 0.25 s) against its resident set
  with the server started and idle, and the memory per session that gives;
* page times (each step from the click until Streamlit finished the run), with their median and p95;
* responsiveness afterwards: the health check and a fresh session's first page.

Prints a table and writes ``benchmarks/results/load.json``. Needs chromium (``apt-get install chromium``).

Run: ``python -m benchmarks.bench_load [--sessions 8] [--rows 3000]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e import server  # noqa: E402
from tests.e2e.conftest import CHROMIUM_ARGS, _chromium  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "load.json"
STEPS = ("open", "upload", "fit", "sample", "compare", "privacy")
TOKEN = re.compile(r"zq(\d+)x")


def session_table(i: int, rows: int) -> pd.DataFrame:
    """A table only session ``i`` has: its column names and category labels carry ``zq<i>x``."""
    rng = np.random.default_rng(1000 + i)
    tag = f"zq{i}x"
    return pd.DataFrame(
        {
            f"{tag}_age": rng.integers(18, 90, rows),
            f"{tag}_city": rng.choice([f"{tag}_north", f"{tag}_south", f"{tag}_east"], rows),
            f"{tag}_income": rng.normal(40_000 + 1000 * i, 8_000, rows).round(0),
            f"{tag}_member": rng.choice(["yes", "no"], rows),
        }
    )


def rss_mb(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return int(text.split("VmRSS:")[1].split()[0]) / 1024


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.25)


async def settle(page: Any, timeout: float = 300_000) -> None:
    """Wait until the run triggered by the last action finished (see shared/docs/browser-testing.md)."""
    await page.wait_for_timeout(300)
    await page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout)
    await page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    await page.locator("[data-testid=stSkeleton]").first.wait_for(state="detached", timeout=timeout)


async def one_session(browser: Any, url: str, i: int, csv: Path, result: dict[str, Any]) -> None:
    """One user's walk; fills ``result`` with step times, errors and tokens of other sessions seen."""
    context = await browser.new_context(viewport={"width": 1400, "height": 2000})
    await context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))
            else route.abort()
        ),
    )
    page = await context.new_page()
    page.set_default_timeout(300_000)
    times: dict[str, float] = {}
    result.update(times=times, errors=[], leaks=set())

    async def check(step: str) -> None:
        html = await page.content()
        others = {int(n) for n in TOKEN.findall(html)} - {i}
        if others:
            result["leaks"] |= {f"{step}: saw session {n}" for n in others}
        for testid in ("stException", "stAlertContentError"):
            count = await page.locator(f"[data-testid={testid}]").count()
            if count:
                text = await page.locator(f"[data-testid={testid}]").first.inner_text()
                result["errors"].append(f"{step}: {testid}: {text[:200]}")

    async def timed(step: str, action: Any, done: Any) -> None:
        """Run ``action``, wait until ``done`` (what the step draws when it finished) shows and the run ended."""
        start = time.perf_counter()
        await action()
        await done.first.wait_for(state="visible")
        await settle(page)
        times[step] = max(time.perf_counter() - start - 0.3, 0.0)  # settle's fixed 0.3 s is not the app's time
        await check(step)

    def title(text: str) -> Any:
        return page.locator("h1").filter(has_text=text)

    def alert(kind: str, text: str) -> Any:
        return page.get_by_test_id(f"stAlertContent{kind}").filter(has_text=text)

    async def nav(text: str) -> None:
        await page.locator("[data-testid=stSidebarNavLink]").filter(has_text=text).click()

    try:
        await timed("open", lambda: page.goto(url), alert("Success", "UCI Adult"))
        upload = page.get_by_test_id("stFileUploaderDropzoneInput").first
        await timed("upload", lambda: upload.set_input_files(str(csv)), alert("Success", csv.name))
        await nav("Synthesize")
        await title("Synthesize").first.wait_for()
        await settle(page)
        fit = page.get_by_role("button", name="Fit", exact=True)
        await timed("fit", lambda: fit.click(), alert("Success", "fitted in"))
        await nav("Sample")
        await title("Sample").first.wait_for()
        await settle(page)
        sample = page.get_by_role("button", name="Sample", exact=True)
        await timed("sample", lambda: sample.click(), alert("Success", "synthetic rows"))
        overall = page.get_by_test_id("stMetricLabel").filter(has_text="Trivariate accuracy")
        await timed("compare", lambda: nav("Compare"), overall)
        # The headline comes first; the sections (which name the columns) fill in when the column scores land.
        await page.get_by_text("Column distributions, worst match first").first.wait_for(state="visible")
        await settle(page)
        await check("compare sections")
        if f"zq{i}x" not in await page.content():
            result["errors"].append("compare: the session's own columns are not shown")
        dcr = page.get_by_test_id("stMetricLabel").filter(has_text="Closer to train than to holdout")
        await timed("privacy", lambda: nav("Privacy"), dcr)
    except Exception as exc:  # a step that never finished is an error of the run, recorded, not raised
        result["errors"].append(f"{type(exc).__name__}: {str(exc)[:300]}")
        await page.screenshot(path=str(ROOT / "test-output" / f"load-session{i}.png"))
    finally:
        await context.close()


async def run_sessions(url: str, csvs: list[Path]) -> list[dict[str, Any]]:
    from playwright.async_api import async_playwright

    profile = ROOT / "test-output" / ".browser-profile"
    profile.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "XDG_CONFIG_HOME": str(profile / "config"), "XDG_CACHE_HOME": str(profile / "cache")}
    results: list[dict[str, Any]] = [{} for _ in csvs]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, env=env)
        await asyncio.gather(*(one_session(browser, url, i, csv, results[i]) for i, csv in enumerate(csvs)))
        await browser.close()
    return results


async def fresh_session_seconds(url: str) -> float:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        page = await browser.new_page()
        start = time.perf_counter()
        await page.goto(url)
        await settle(page)
        seconds = time.perf_counter() - start - 0.3
        await browser.close()
    return seconds


def run_load(sessions: int, rows: int) -> dict[str, Any]:
    """Start a server, run ``sessions`` concurrent walks, check the server afterwards; the measurements."""
    port = server.free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = ROOT / "test-output" / "load-streamlit.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, log_path.open("w") as log:
        csvs = []
        for i in range(sessions):
            path = Path(tmp) / f"session{i}.csv"
            session_table(i, rows).to_csv(path, index=False)
            csvs.append(path)
        proc = server.start(port, log)
        sampler = RssSampler(proc.pid)
        try:
            idle_mb = rss_mb(proc.pid)
            sampler.start()
            start = time.perf_counter()
            results = asyncio.run(run_sessions(url, csvs))
            wall = time.perf_counter() - start
            after_mb = rss_mb(proc.pid)
            health_start = time.perf_counter()
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as resp:
                healthy = resp.read().decode().strip() == "ok"
            health_seconds = time.perf_counter() - health_start
            fresh = asyncio.run(fresh_session_seconds(url))
            alive = proc.poll() is None
        finally:
            sampler.running = False
            server.stop(proc)
    steps: dict[str, dict[str, float]] = {}
    for step in STEPS:
        values = sorted(r["times"][step] for r in results if step in r.get("times", {}))
        if values:
            p95 = values[min(len(values) - 1, int(np.ceil(0.95 * len(values))) - 1)]
            steps[step] = {"median": statistics.median(values), "p95": p95, "max": values[-1], "n": len(values)}
    peak = max(sampler.peak, after_mb)
    return {
        "sessions": sessions,
        "rows_per_table": rows,
        "wall_seconds": wall,
        "errors": [f"session {i}: {e}" for i, r in enumerate(results) for e in r.get("errors", [])],
        "leaks": [f"session {i}: {x}" for i, r in enumerate(results) for x in sorted(r.get("leaks", set()))],
        "idle_rss_mb": idle_mb,
        "peak_rss_mb": peak,
        "after_rss_mb": after_mb,
        "mb_per_session": (peak - idle_mb) / sessions,
        "steps": steps,
        "healthy_after": healthy and alive,
        "health_seconds_after": health_seconds,
        "fresh_session_seconds_after": fresh,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--rows", type=int, default=3000, help="rows of each session's table")
    parser.add_argument("--quick", action="store_true", help="3 sessions of 1,000 rows")
    args = parser.parse_args(argv)
    if _chromium() is None:
        print("no chromium: install it with `apt-get install chromium`")
        return 1
    sessions, rows = (3, 1000) if args.quick else (args.sessions, args.rows)
    out = run_load(sessions, rows)
    print(f"{sessions} concurrent sessions, {rows:,} rows each, {out['wall_seconds']:.0f} s wall")
    print(f"{'step':10s} {'median s':>9s} {'p95 s':>7s} {'max s':>7s}")
    for step, s in out["steps"].items():
        print(f"{step:10s} {s['median']:9.2f} {s['p95']:7.2f} {s['max']:7.2f}")
    print(
        f"server RSS: idle {out['idle_rss_mb']:.0f} MB, peak {out['peak_rss_mb']:.0f} MB, "
        f"after {out['after_rss_mb']:.0f} MB; {out['mb_per_session']:.0f} MB per session"
    )
    print(f"errors: {len(out['errors'])}, leaks: {len(out['leaks'])}, healthy after: {out['healthy_after']}")
    health, fresh = out["health_seconds_after"], out["fresh_session_seconds_after"]
    print(f"afterwards: health check {health:.2f} s, fresh session {fresh:.1f} s")
    for line in out["errors"][:10] + out["leaks"][:10]:
        print("  ", line)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "note": "shared machine: times as measured",
                **out,
            },
            indent=2,
        )
    )
    return 1 if out["errors"] or out["leaks"] or not out["healthy_after"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
