"""Browser: change a column's kind in the schema editor and see the change reach the synthesizer."""

from __future__ import annotations

import pandas as pd
from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import goto, no_exception, screenshot, settle

ROW_HEIGHT = 35
NAME_WIDTH = 140  # the pinned 'column' column (pages/data.py); 'kind' is next


def test_edit_a_kind_and_fit_with_it(page: Page) -> None:
    settle(page)
    goto(page, "Synthesize")
    expect(page.get_by_text("Column kinds (set on Data): 9 categorical, 6 numeric (integer).")).to_be_visible()
    goto(page, "Data")
    editor = page.locator("[class*='st-key-schema_editor'] [data-testid=stDataFrame]").first
    box = editor.bounding_box()
    assert box is not None
    # The grid is a canvas: click the "kind" cell of the first row (past the pinned name column), move down to
    # education_num (row 5), edit.
    # The canvas opens its cell editor asynchronously: short pauses let each step land.
    page.mouse.click(box["x"] + NAME_WIDTH + 80, box["y"] + ROW_HEIGHT + ROW_HEIGHT / 2)
    page.wait_for_timeout(300)
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    page.keyboard.type("categorical")
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    page.mouse.click(box["x"] + box["width"] + 5, box["y"] - 40)
    settle(page)
    grid = page.locator("[class*='st-key-schema_editor']:not([data-stale='true']) table[role=grid]").last
    expect(grid).to_contain_text("set by the user")
    no_exception(page)
    screenshot(page, "data_kind_edited")

    goto(page, "Synthesize")
    expect(page.get_by_text("Column kinds (set on Data): 10 categorical, 5 numeric (integer).")).to_be_visible()
    page.get_by_role("button", name="Fit", exact=True).click()
    settle(page)
    goto(page, "Sample")
    page.get_by_role("button", name="Sample", exact=True).click()
    settle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the synthetic table (CSV)").click()
    downloaded = pd.read_csv(info.value.path())
    # As a category, education_num only takes the 16 values seen in training.
    assert set(downloaded["education_num"]) <= set(range(1, 17))
    no_exception(page)
