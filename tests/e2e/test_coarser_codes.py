"""Browser: a postcode a synthesizer would learn as "(other)" is named by Compare, then cut to its prefix on Data."""

from __future__ import annotations

import numpy as np
import pandas as pd
from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import goto, no_exception, screenshot, settle

#: The axis titles drawn past their chart's edges (the browser's boxes: only a real browser lays text out).
TITLES_OUTSIDE = """plots => plots.flatMap(p => { const box = p.getBoundingClientRect();
  return [...p.querySelectorAll('.g-xtitle text, .g-ytitle text')].filter(t => { const r = t.getBoundingClientRect();
    return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1 || r.bottom > box.bottom + 1); })
  .map(t => t.textContent); })"""


def test_a_bucketed_postcode_is_named_then_cut_to_its_prefix(page: Page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    n = 3_000
    table = pd.DataFrame(
        {
            "postcode": [f"{x:05d}" for x in rng.integers(0, 3_000, n)],
            "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.6, 0.3, 0.1]),
            "amount": np.round(rng.lognormal(5.0, 1.0, n), 2),
        }
    )
    table.loc[rng.random(n) < 0.1, "amount"] = np.nan  # its chart's axis title carries two notes
    path = tmp_path / "claims.csv"
    table.to_csv(path, index=False)
    settle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(path))
    settle(page)

    goto(page, "Synthesize")
    page.get_by_role("button", name="Fit", exact=True).click()
    settle(page)
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="postcode: ")).to_contain_text("'(other)'")
    goto(page, "Sample")
    page.get_by_role("button", name="Sample", exact=True).click()
    settle(page)
    goto(page, "Compare")
    verdict = page.get_by_test_id("stAlertContentWarning").filter(has_text="Distinguishable from real data")
    expect(verdict).to_contain_text("postcode: ")
    no_exception(page)
    screenshot(page, "compare_bucketed_postcode")
    # Session 32 walk: "missing: real 10.1%, synthetic 9.7% · end bars hold every value beyond" ran past a
    # half-width chart's edge. Every axis title of a column chart stays inside its chart.
    page.get_by_placeholder("type part of a column name").fill("amount")
    page.keyboard.press("Enter")
    settle(page)
    expect(page.locator("[class*='st-key-dist_'] .g-xtitle").first).to_contain_text("end bars hold")
    assert page.eval_on_selector_all("[class*='st-key-dist_'] .js-plotly-plot", TITLES_OUTSIDE) == []

    goto(page, "Data")
    page.get_by_role("button", name="Keep the first 4 characters of postcode").click()
    settle(page)
    expect(
        page.get_by_test_id("stAlertContentSuccess").filter(has_text="now holds its first 4 characters")
    ).to_contain_text("discarded")
    goto(page, "Synthesize")
    page.get_by_role("button", name="Fit", exact=True).click()
    settle(page)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="fitted in")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="postcode: ")).to_have_count(0)
    no_exception(page)
