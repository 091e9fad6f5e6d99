"""The HTML report as a PDF: the same self-contained page, printed by a headless Chromium.

Optional (``pip install -e ".[pdf]"``): Playwright drives a Chromium, either Playwright's own (``playwright install
chromium``) or a system one (``SYNTH_CHROMIUM=/usr/bin/chromium``, or ``chromium`` on the PATH). The page is
loaded with every network request refused, as the HTML promises to draw from itself alone, and printed once
every chart has drawn, with the section titles as PDF bookmarks.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
from pathlib import Path

CHROMIUM_ENV = "SYNTH_CHROMIUM"
CHART_TIMEOUT_MS = 180_000
_LOCAL = ("about:", "data:", "blob:")
# Every chart has drawn its SVG (a plotly plot has two .main-svg layers, so count charts, not SVGs).
_CHARTS_DRAWN = "() => [...document.querySelectorAll('.chart')].every(c => c.querySelector('.main-svg') !== null)"


class ReportPdfError(RuntimeError):
    """The PDF cannot be written here (Playwright or a Chromium missing); the message says what to install."""


def _chromium() -> str | None:
    """A system Chromium to drive, when one is named or on the PATH (else Playwright's own)."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        if not Path(named).exists():
            raise ReportPdfError(f"{CHROMIUM_ENV}={named} does not exist: point it at a Chromium binary")
        return named
    return shutil.which("chromium") or shutil.which("chromium-browser")


def report_pdf(html: str) -> bytes:
    """Print a report's HTML (:attr:`synth.report.html.Report.html`) to PDF bytes (A4, backgrounds, bookmarks).

    Raises:
        ReportPdfError: Playwright is not installed, no Chromium can be launched, or the charts never drew.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise ReportPdfError(
            'a PDF needs Playwright: pip install -e ".[pdf]", then either `playwright install chromium` or set '
            f"{CHROMIUM_ENV} to a Chromium binary; the HTML report works without it"
        ) from exc
    executable = _chromium()

    def render() -> bytes:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                page.route(
                    "**/*",
                    lambda route: route.continue_() if route.request.url.startswith(_LOCAL) else route.abort(),
                )
                page.set_content(html, wait_until="load")
                page.wait_for_function(_CHARTS_DRAWN, timeout=CHART_TIMEOUT_MS)
                page.emulate_media(media="print")
                pdf: bytes = page.pdf(format="A4", print_background=True, outline=True, tagged=True)
            finally:
                browser.close()
        return pdf

    try:
        # Playwright's sync API refuses to run in a thread whose asyncio loop is running (a notebook, a server,
        # another sync Playwright session): a thread of its own always has none.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth-pdf") as pool:
            return pool.submit(render).result()
    except PlaywrightError as exc:
        where = executable or "Playwright's own Chromium (`playwright install chromium`)"
        raise ReportPdfError(f"could not print the report with {where}: {str(exc).splitlines()[0]}") from exc
