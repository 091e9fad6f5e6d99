"""First page load on a fresh server: ``streamlit run app.py`` against ``make run``'s ``python -m ui.serve``.

Each repeat starts a new server on a free port, waits for its health check, then opens the dashboard in headless
Chromium twice (two visitors) and times, from navigation, the page's title and the file uploader. The first visitor
on a plain ``streamlit run`` waits for the script's imports (``synth``, scipy, scikit-learn, plotly); ``ui.serve``
imports them while the server starts. Needs chromium (``apt-get install chromium``).

Prints a table and writes ``benchmarks/results/first_load.json``.

Run: ``python -m benchmarks.bench_first_load [--repeats 3]``
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from typing import Any

from benchmarks.common import ROOT, machine, write_results

COMMANDS = {
    "streamlit run app.py": [sys.executable, "-m", "streamlit", "run", "app.py"],
    "python -m ui.serve (make run)": [sys.executable, "-m", "ui.serve"],
}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _visit(command: list[str]) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    server = subprocess.Popen(command + args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    start = time.perf_counter()
    out: dict[str, float] = {}
    try:
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - start > 120:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        out["healthy_s"] = time.perf_counter() - start
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for visitor in ("first", "second"):
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                t0 = time.perf_counter()
                page.goto(url)
                page.locator("h1").first.wait_for(timeout=120_000)
                out[f"{visitor}_title_s"] = time.perf_counter() - t0
                page.get_by_test_id("stFileUploaderDropzoneInput").first.wait_for(state="attached", timeout=120_000)
                out[f"{visitor}_uploader_s"] = time.perf_counter() - t0
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    # alternated, so a change in the machine's load falls on both commands alike
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeats):
        for name, command in COMMANDS.items():
            runs[name].append(_visit(command))
    print(f"{'command':32} {'healthy s':>10} {'1st title s':>12} {'1st uploader s':>15} {'2nd uploader s':>15}")
    for name, visits in runs.items():
        med = {key: statistics.median(v[key] for v in visits) for key in visits[0]}
        results[name] = {"median": med, "runs": visits}
        print(
            f"{name:32} {med['healthy_s']:10.2f} {med['first_title_s']:12.2f} {med['first_uploader_s']:15.2f} "
            f"{med['second_uploader_s']:15.2f}"
        )
    write_results(ROOT / "benchmarks" / "results" / "first_load.json", {"machine": machine(), "commands": results})


if __name__ == "__main__":
    main()
