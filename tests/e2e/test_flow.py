"""The whole walk in a real browser on the demo data: Data → fit → sample → Compare → Privacy."""

from __future__ import annotations

import gzip
import re

import pandas as pd
from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import OUTPUT, chart, goto, no_exception, screenshot, settle


def test_walk_the_whole_flow_on_the_demo(page: Page) -> None:
    settle(page)
    expect(page.locator("h1").filter(has_text="Data")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="UCI Adult")).to_be_visible()
    grid = page.locator("[data-testid=stDataFrame] table[role=grid]").first
    expect(grid).to_be_attached()
    no_exception(page)
    screenshot(page, "1_data")

    goto(page, "Synthesize")
    expect(page.get_by_test_id("stMultiSelect").first).to_contain_text("Pruned CART")
    page.get_by_role("button", name="Fit", exact=True).click()
    settle(page)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="fitted in")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Model: Pruned CART")
    no_exception(page)
    screenshot(page, "2_synthesize")

    goto(page, "Sample")
    page.get_by_role("button", name="Sample").click()
    settle(page)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="synthetic rows")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Synthetic: 26,049 rows (seed 1)")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the synthetic table (CSV)").click()
    path = download_info.value.path()
    downloaded = pd.read_csv(path)
    assert len(downloaded) == 26049
    assert list(downloaded.columns)[:3] == ["age", "workclass", "fnlwgt"]
    no_exception(page)
    screenshot(page, "3_sample")

    goto(page, "Compare")
    expect(page.get_by_test_id("stMetricLabel").filter(has_text="Trivariate accuracy")).to_be_visible()
    overall = page.get_by_test_id("stMetric").filter(has_text="Trivariate accuracy").get_by_test_id("stMetricValue")
    assert re.fullmatch(r"0\.\d{3}|1\.000", overall.first.inner_text().strip())
    auc = page.get_by_test_id("stMetric").filter(has_text="Discriminator AUC").get_by_test_id("stMetricValue")
    assert re.fullmatch(r"0\.\d{2}|1\.00", auc.first.inner_text().strip())
    expect(chart(page, "score_bars").first).to_be_visible()
    expect(page.locator("[class*='st-key-dist_'] [data-testid=stPlotlyChart]").first).to_be_visible()
    no_exception(page)
    screenshot(page, "4_compare")
    # One section at a time: the association heatmaps are one click away, the headline stays on top.
    expect(chart(page, "association_heatmaps")).to_have_count(0)
    page.locator(".st-key-compare_section").get_by_role("radio", name="Associations", exact=True).click()
    settle(page)
    expect(chart(page, "association_heatmaps").first).to_be_visible()
    expect(page.get_by_test_id("stMetricLabel").filter(has_text="Trivariate accuracy")).to_be_visible()
    expect(page.locator("[class*='st-key-dist_'] [data-testid=stPlotlyChart]")).to_have_count(0)
    no_exception(page)
    screenshot(page, "4_compare_associations")

    goto(page, "Privacy")
    # The checks run in the background and each section fills in as its check ends (minutes on a loaded machine).
    expect(page.get_by_test_id("stMetricLabel").filter(has_text="Exact copies of training rows")).to_be_visible(
        timeout=120_000
    )
    expect(chart(page, "dcr_chart").first).to_be_visible(timeout=300_000)
    expect(page.get_by_test_id("stMetricLabel").filter(has_text="Closer to train than to holdout")).to_be_visible()
    no_exception(page)
    screenshot(page, "5_privacy")
    assert all((OUTPUT / f"{n}.png").stat().st_size > 10_000 for n in ("1_data", "4_compare", "5_privacy"))

    # A page that stops early (no race yet) still shows the walk so far in the sidebar.
    goto(page, "Report")
    expect(page.get_by_text("Nothing to report yet")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Model: Pruned CART")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Synthetic: 26,049 rows (seed 1)")


def test_bad_upload_then_good_upload(page: Page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settle(page)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(empty))
    settle(page)
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text("empty.csv is empty")
    expect(error).to_contain_text("still in use")
    no_exception(page)
    screenshot(page, "data_bad_upload")

    good = tmp_path / "people.csv"
    pd.DataFrame({"age": range(20, 120), "city": ["Oslo", "Lima"] * 50, "score": [i * 0.5 for i in range(100)]}).to_csv(
        good, index=False
    )
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(good))
    settle(page)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="people.csv")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    no_exception(page)

    # A gzipped table (the shared Adult split is adult_trn.csv.gz): the widget refused it before it reached the reader.
    zipped = tmp_path / "towns.csv.gz"
    with gzip.open(zipped, "wt") as handle:
        pd.DataFrame({"town": ["Oslo", "Lima", "Pune"] * 40, "people": range(120)}).to_csv(handle, index=False)
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(zipped))
    settle(page)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="towns.csv.gz")).to_contain_text("120 rows")
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    no_exception(page)
