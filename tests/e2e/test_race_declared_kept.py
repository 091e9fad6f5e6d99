"""Browser: what a user types in the Race page's *Public ranges and labels* grid and the orders they choose stay
there when the DP network is taken out of the race and added back (Streamlit drops the state of a widget a run
does not draw)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import goto, no_exception, screenshot, settle
from tests.e2e.test_race_report import _declare_first_row
from tests.e2e.test_synthesizers_flow import _pick

DP = "DP Bayesian network"
ORDER = "age ≤ hours_per_week"


def test_a_typed_range_and_an_order_survive_taking_the_dp_network_out_of_the_race_and_back(page: Page) -> None:
    settle(page)
    goto(page, "Race")
    # Text that is not a range: the page says so above the Start button, which shows the text reached the DP
    # network's contenders (the grid is a canvas; its accessible table does not show edits). Typed first, on the
    # page as it opens: typed after picking an order, the double-click could land while the order list's dropdown
    # still covered the grid (the CI run under load typed nothing).
    _declare_first_row(page, "ten to 0")  # the DP network races by default: its editor is offered, age first
    said = page.get_by_test_id("stAlertContentWarning").filter(has_text="'ten' is not a number")
    expect(said).to_have_count(1)
    orders = page.get_by_test_id("stMultiSelect").filter(has_text="Orders every row must keep")
    _pick(page, "Orders every row must keep", ORDER)
    page.keyboard.press("Escape")
    settle(page)
    expect(orders).to_contain_text(ORDER)
    expect(said).to_have_count(1)
    chosen = page.get_by_test_id("stMultiSelect").filter(has_text="Synthesizers")
    chosen.get_by_role("button", name=f"Remove {DP}").click()
    settle(page)
    expect(page.locator(".st-key-race_public_domains")).to_have_count(0)
    expect(said).to_have_count(0)
    expect(orders).to_have_count(0)
    _pick(page, "Synthesizers", DP)
    settle(page)
    expect(said).to_have_count(1)
    expect(orders).to_contain_text(ORDER)
    page.get_by_text("Public ranges and labels (from a codebook, not from the data)").click()
    screenshot(page, "race_declared_kept")
    no_exception(page)
