"""Browser: race three synthesizers on the demo, download the report and open it offline with its charts drawn;
bring a synthetic table from another tool and see its scores."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import SHARED_DATASETS
from tests.e2e.streamlit_page import OUTPUT, goto, no_exception, screenshot, settle, type_in_first_row

RACE_TIMEOUT = 1_500_000  # a loaded 2-core machine shared by several jobs: many minutes


def _set_number(page: Page, label: str, value: int) -> None:
    box = page.get_by_test_id("stNumberInput").filter(has_text=label).locator("input")
    box.fill(str(value))
    box.press("Enter")
    settle(page)


def _declare_first_row(page: Page, text: str) -> None:
    """Type ``text`` as the public domain of the first row of the Race page's *Public ranges and labels* grid."""
    page.get_by_text("Public ranges and labels (from a codebook, not from the data)").click()
    type_in_first_row(page, page.locator(".st-key-race_public_domains [data-testid=stDataFrame]").first, text)


def test_race_three_download_the_report_and_open_it_offline(page: Page, browser: object) -> None:
    settle(page)
    goto(page, "Race")
    chosen = page.get_by_test_id("stMultiSelect").filter(has_text="Synthesizers")
    for label in ("Gaussian copula", "Sequential CART", "DP Bayesian network", "Pruned CART"):
        expect(chosen).to_contain_text(label)
    expect(chosen).not_to_contain_text("Independent marginals")
    _set_number(page, "Synthetic rows per run", 1000)
    _declare_first_row(page, "17–90")  # the DP network races by default: its editor is offered, age first
    page.get_by_role("button", name="Start race").click()
    # per-run progress bars while it runs
    expect(page.get_by_test_id("stProgress").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Racing 4 runs")).to_be_visible()
    screenshot(page, "race_running")
    pick = page.get_by_test_id("stAlertContentSuccess").filter(has_text="is recommended")
    expect(pick).to_be_visible(timeout=RACE_TIMEOUT)
    settle(page)
    no_exception(page)
    expect(page.locator(".st-key-race_pareto [data-testid=stPlotlyChart] .main-svg").first).to_be_visible()
    board = page.get_by_test_id("stDataFrame").filter(has_text="trivariate").first.locator("table[role=grid]")
    expect(board).to_contain_text("DP Bayesian network (public domains of age)")
    screenshot(page, "race_leaderboard")

    goto(page, "Report")
    with page.expect_download(timeout=300_000) as info:
        page.get_by_role("button", name="Report (HTML)").click()
    path = OUTPUT / "race_report.html"
    info.value.save_as(str(path))
    html = path.read_text(encoding="utf-8")
    assert '<section id="race">' in html and "<script src=" not in html
    assert "public_domains = age 17–90" in html, "the settings table states the DP run's declared range"

    # Open the downloaded file with every network request refused: it must draw from itself alone.
    context = browser.new_context(viewport={"width": 1300, "height": 2000}, offline=True)  # type: ignore[attr-defined]
    requests: list[str] = []
    local = ("file:", "data:", "blob:")

    def only_local(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(local):
            route.continue_()  # type: ignore[attr-defined]
        else:
            requests.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", only_local)
    errors: list[str] = []
    report = context.new_page()
    report.on("pageerror", lambda exc: errors.append(str(exc)))
    report.goto(Path(path).as_uri())
    charts = report.locator(".js-plotly-plot .main-svg")
    expect(charts.first).to_be_visible(timeout=60_000)
    n_divs = report.locator(".chart").count()
    assert n_divs >= 6
    expect(report.locator(".js-plotly-plot")).to_have_count(n_divs)
    # each chart drew marks (bars, points, lines or heatmap cells), not an empty frame
    marks = ".bars path, .points path, .point path, .heatmaplayer image, .scatterlayer path"
    report.wait_for_function(
        f"() => [...document.querySelectorAll('.js-plotly-plot')].every(d => d.querySelectorAll('{marks}').length)",
        timeout=60_000,
    )
    expect(report.locator("#race .legendtext").filter(has_text="Pareto front")).to_be_visible()
    assert not errors, errors
    assert not requests, requests
    report.screenshot(path=str(OUTPUT / "race_report_offline.png"))
    context.close()


@pytest.mark.skipif(not (SHARED_DATASETS / "adult-peers").exists(), reason="shared peer outputs not present")
def test_bring_your_own_synthetic_table(page: Page) -> None:
    peer = pd.read_csv(SHARED_DATASETS / "adult-peers" / "adult_synthpop.csv.gz").head(4000)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / "synthpop_adult.csv"
    peer.to_csv(path, index=False)
    settle(page)
    goto(page, "Race")
    section = page.get_by_test_id("stFileUploader").filter(has_text="Synthetic table")
    section.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(path))
    settle(page)
    expect(page.get_by_text("Matched by name ignoring case and punctuation").first).to_be_visible(timeout=600_000)
    settle(page)
    no_exception(page)
    quality = page.get_by_test_id("stMetric").filter(has_text="Quality").get_by_test_id("stMetricValue")
    expect(quality).to_have_text(re.compile(r"0\.9\d\d"))
    expect(page.get_by_test_id("stMetric").filter(has_text="Detection AUC")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").filter(has_text="synthpop_adult.csv").first).to_be_attached()
    screenshot(page, "race_external")
