"""Waiting for Streamlit and finding its elements in a real browser (see shared/docs/browser-testing.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

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


def type_in_first_row(page: Page, grid: Locator, text: str) -> None:
    """Type ``text`` into the last column of the first row of the data editor ``grid`` (a canvas): double-click the
    cell until its overlay editor (a ``textarea.gdg-input``) opens, fill it, press Enter, wait for the rerun. Fixed
    pauses instead of waiting for the editor typed into nothing on a loaded machine (CI, twice)."""
    expect(grid).to_be_visible()
    settle(page)
    editor = page.locator("textarea.gdg-input")
    for _ in range(5):
        box = grid.bounding_box()
        assert box is not None
        page.mouse.dblclick(box["x"] + box["width"] * 0.85, box["y"] + 35 * 1.5)  # the header is one row high
        try:
            editor.wait_for(state="visible", timeout=5_000)
            break
        except Exception:  # the grid had not taken the double-click yet
            continue
    expect(editor).to_be_visible()
    editor.fill(text)
    editor.press("Enter")
    expect(editor).to_have_count(0)
    settle(page)
