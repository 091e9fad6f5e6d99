"""Real-browser fixtures: a Streamlit server on a free port and Debian's chromium driven by Playwright.

Where no chromium is found the tests skip with a message saying how to install it; CI sets
SYNTH_REQUIRE_BROWSER=1 so a missing browser fails there instead of skipping.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import server

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "e2e"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    for path in CHROMIUM_CANDIDATES:
        if Path(path).exists():
            return path
    return shutil.which("chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
    if _chromium() is None:
        message = (
            "no chromium found: install it with `sudo apt-get install chromium` (Debian/Ubuntu) "
            "to run the browser tests"
        )
        if os.environ.get("SYNTH_REQUIRE_BROWSER") == "1":
            raise pytest.UsageError(message + " (SYNTH_REQUIRE_BROWSER=1 is set, so they may not be skipped)")
        for item in items:
            if "tests/e2e" in str(item.fspath).replace(os.sep, "/"):
                item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    port = server.free_port()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with (OUTPUT / "streamlit.log").open("w") as log:
        proc = server.start(port, log)
        yield f"http://127.0.0.1:{port}"
        server.stop(proc)


@pytest.fixture(scope="session", autouse=True)
def patient_expectations() -> None:
    """A loaded 2-core CI machine can take more than Playwright's default 5 s to redraw a page."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    profile = ROOT / "test-output" / ".browser-profile"
    profile.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "XDG_CONFIG_HOME": str(profile / "config"), "XDG_CACHE_HOME": str(profile / "cache")}
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, env=env)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: object, server_url: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True)  # type: ignore[attr-defined]
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))
            else route.abort()
        ),
    )
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.goto(server_url)
    yield pg
    context.close()
