"""The Report page's PDF: printed on request (a headless Chromium takes seconds), cached per report."""

from __future__ import annotations

import hashlib

import streamlit as st

from synth.report.pdf import ReportPdfError, report_pdf
from ui.cached import CACHE_TTL

_ASKED = "report_pdf_asked"


@st.cache_data(show_spinner=False, max_entries=2, ttl=CACHE_TTL)
def _printed(digest: str, _html: bytes) -> bytes:
    """The PDF of one report (``digest`` identifies the HTML: hashing megabytes on every rerun is wasted)."""
    return report_pdf(_html.decode("utf-8"))


def render(html: bytes, stem: str) -> None:
    """A button that prints the HTML report to PDF, then the PDF's download; a missing printer says what to
    install and the HTML, JSON, card and manifest downloads above stay as they are."""
    digest = hashlib.sha256(html).hexdigest()
    slot = st.empty()  # the button, replaced by the PDF's download once it is printed
    if st.session_state.get(_ASKED) != digest:
        if slot.button("Make a PDF of the report", key="report_make_pdf", help="Prints the HTML report (seconds)."):
            st.session_state[_ASKED] = digest
        else:
            return
    try:
        with st.spinner("Printing the report to PDF (a headless Chromium draws every chart first)…", show_time=True):
            pdf = _printed(digest, html)
    except ReportPdfError as exc:
        st.session_state.pop(_ASKED, None)
        st.info(f"No PDF here: {exc}")
        return
    slot.download_button(
        "Report (PDF)", pdf, file_name=f"{stem}_report.pdf", mime="application/pdf", key="download_report_pdf"
    )
