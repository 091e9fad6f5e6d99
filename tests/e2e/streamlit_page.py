"""Waiting for Streamlit and finding its elements in a real browser (see shared/docs/browser-testing.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "e2e"


def settle(page: Page, timeout: float = 120_000) -> None:
    """Wait until the script run triggered by the last action has finished and drawn."""
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    expect(page.locator("[data-testid=stSkeleton]")).to_have_count(0, timeout=timeout)


def goto(page: Page, title: str) -> None:
    page.locator("[data-testid=stSidebarNavLink]").filter(has_text=title).click()
    settle(page)
    expect(page.locator("h1").filter(has_text=title)).to_be_visible()
    no_exception(page)


def no_exception(page: Page) -> None:
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def chart(page: Page, key: str) -> Any:
    return page.locator(f".st-key-{key}:not([data-stale='true']) [data-testid=stPlotlyChart] .js-plotly-plot .main-svg")


def screenshot(page: Page, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path))
    return path
