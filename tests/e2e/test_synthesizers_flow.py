"""Browser: fit CART and the DP Bayesian network on the demo, sample with a condition, download and check it."""

from __future__ import annotations

import pandas as pd
from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import goto, no_exception, screenshot, settle, type_in_first_row


def _pick(page: Page, widget_label: str, option: str) -> None:
    box = page.get_by_test_id("stMultiSelect").filter(has_text=widget_label)
    for _attempt in range(3):
        box.locator("input").click()
        # Long option lists are virtualised: type to filter until only the wanted option is left, highlight it
        # with the arrow key (typing alone highlights nothing when the machine is slow), then take it. A rerun
        # still finishing from the previous pick can close the list or eat keystrokes (the list then shows no
        # option at all), so an attempt that does not narrow to the one option closes the list and starts again.
        try:
            expect(page.get_by_role("option").first).to_be_attached(timeout=10_000)
            box.locator("input").fill("")  # what an earlier attempt typed, if the list kept it
            page.keyboard.type(option)
            expect(page.get_by_role("option")).to_have_count(1, timeout=10_000)
            expect(page.get_by_role("option", name=option, exact=True)).to_be_attached(timeout=5_000)
        except AssertionError:
            page.keyboard.press("Escape")
            settle(page)
            continue
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        settle(page)
        if box.get_by_text(option, exact=True).count():
            return
    expect(box).to_contain_text(option)


def test_cart_and_privbayes_with_a_condition(page: Page) -> None:
    settle(page)
    goto(page, "Synthesize")
    _pick(page, "Synthesizers to fit", "Sequential CART")
    _pick(page, "Synthesizers to fit", "DP Bayesian network")
    expect(page.get_by_role("tab", name="DP Bayesian network")).to_be_visible()
    page.get_by_role("tab", name="DP Bayesian network").click()
    expect(page.get_by_test_id("stAlertContentInfo").filter(has_text="differential privacy")).to_be_visible()
    page.get_by_role("button", name="Fit all 3").click()
    settle(page)
    table = page.get_by_test_id("stDataFrame").filter(has_text="fit time").first
    expect(table).to_be_attached()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    no_exception(page)
    screenshot(page, "synthesizers_fitted")

    goto(page, "Sample")
    page.get_by_test_id("stSelectbox").filter(has_text="Model to sample from").click()
    page.get_by_role("option", name="Sequential CART", exact=True).click()
    settle(page)
    page.get_by_text("Conditions and rebalancing").click()
    _pick(page, "Only rows where", "sex")
    expect(page.get_by_test_id("stAlertContentInfo").filter(has_text="sex = Male")).to_be_visible()
    page.get_by_role("button", name="Sample", exact=True).click()
    settle(page)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="Sequential CART")).to_be_visible()
    no_exception(page)
    screenshot(page, "sample_conditioned")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the synthetic table (CSV)").click()
    downloaded = pd.read_csv(info.value.path())
    assert len(downloaded) == 26049
    assert set(downloaded["sex"]) == {"Male"}
    assert downloaded["age"].between(17, 90).all()
    assert set(downloaded["income"].dropna()) <= {"<=50K", ">50K"}


def test_cancel_stops_a_running_fit_and_keeps_the_model_fitted_before(page: Page) -> None:
    """The Cancel fitting button had no test: it is enabled only while a fit runs, stops that fit, and the model fitted
    before (seed 0) stays current instead of the cancelled one (seed 1)."""
    settle(page)
    goto(page, "Synthesize")
    cancel = page.get_by_role("button", name="Cancel fitting")
    expect(cancel).to_be_disabled()  # nothing is fitting
    page.get_by_role("button", name="Fit", exact=True).click()
    settle(page)
    fitted = page.get_by_test_id("stDataFrame").filter(has_text="fit time").first
    expect(fitted).to_contain_text("seed 0;")
    expect(cancel).to_be_disabled()

    seed = page.get_by_test_id("stNumberInput").filter(has_text="Random seed").locator("input")
    seed.fill("1")
    seed.press("Tab")
    page.get_by_role("button", name="Fit", exact=True).click()
    expect(page.get_by_text("Fitting Pruned CART")).to_be_visible()  # the fit is under way
    expect(cancel).to_be_enabled()
    cancel.click()
    settle(page)
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="Fitting was cancelled")).to_be_visible()
    expect(fitted).to_contain_text("seed 0;")
    expect(fitted).not_to_contain_text("seed 1;")
    expect(page.get_by_role("button", name="Cancel fitting")).to_be_disabled()  # nothing is fitting again
    no_exception(page)
    screenshot(page, "fit_cancelled")


def test_a_public_range_typed_for_the_dp_network_is_declared(page: Page) -> None:
    """The DP network's *Public ranges and labels*: a range typed in the grid reaches the fit, the model says it
    treated that column as public, and the fitted models' list shows the declaration."""
    settle(page)
    goto(page, "Synthesize")
    _pick(page, "Synthesizers to fit", "DP Bayesian network")
    page.get_by_role("tab", name="DP Bayesian network").click()
    page.get_by_text("Public ranges and labels (from a codebook, not from the data)").click()
    grid = page.locator(".st-key-public_privbayes [data-testid=stDataFrame]").first
    expect(grid).to_be_visible()
    expect(page.locator(".st-key-public_privbayes table[role=grid]").first).to_contain_text("age")
    type_in_first_row(page, grid, "17–90")  # the "public domain" cell of the first row: age
    page.get_by_role("button", name="Fit all 2").click()
    settle(page)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    expect(
        page.get_by_text("Treated as public (not protected by ε): the declared or seen labels and ranges of age")
    ).to_be_visible()
    fitted = page.get_by_test_id("stDataFrame").filter(has_text="fit time").first
    expect(fitted.locator("table[role=grid]")).to_contain_text("public_domains = age 17–90")
    no_exception(page)
    screenshot(page, "dp_public_range")
