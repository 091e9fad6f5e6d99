"""In a real browser: the chart module loads while the browser is idle after a fit, and Compare's charts use that
very module (fetched once per tab), so the first chart page does not pay for loading it (ui/preload.py)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import chart, goto, no_exception, settle

CHART_MODULE_FETCHES = (
    "() => performance.getEntriesByType('resource').filter(e => /\\/PlotlyChart\\.[^/]*\\.js$/.test(e.name)).length"
)


def test_the_chart_module_is_loaded_after_a_fit_and_shared_with_compare(page: Page) -> None:
    settle(page)
    goto(page, "Synthesize")
    assert page.evaluate(CHART_MODULE_FETCHES) == 0, "no model yet: the chart module is not asked for"
    page.get_by_role("button", name="Fit", exact=True).click()
    settle(page)
    goto(page, "Sample")
    page.wait_for_function("() => typeof window.__synthChartsLoaded === 'string'", timeout=60_000)
    assert page.evaluate(CHART_MODULE_FETCHES) == 1
    page.get_by_role("button", name="Sample", exact=True).click()
    settle(page)
    goto(page, "Compare")
    expect(chart(page, "score_bars").first).to_be_visible()
    expect(page.locator("[class*='st-key-dist_'] [data-testid=stPlotlyChart]").first).to_be_visible()
    no_exception(page)
    assert page.evaluate(CHART_MODULE_FETCHES) == 1, "Compare's charts imported the module the idle load brought in"
