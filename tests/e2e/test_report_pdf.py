"""The report as a PDF: Chromium prints the self-contained HTML; the PDF opens and holds every section."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import synth
from synth.report import Contender, EvaluationSettings, race
from synth.report.html import build_report
from synth.report.pdf import CHROMIUM_ENV, ReportPdfError, report_pdf
from tests.e2e.conftest import _chromium

LIGHT = EvaluationSettings(n_bootstrap=10, utility=False, attacks=False, membership_targets=200)
TITLES = ("Dataset", "Schema", "Race", "Fidelity", "Privacy", "Verdict", "Methods and references")


def test_the_pdf_opens_and_holds_every_section(adult_small: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PdfReader

    chromium = _chromium()
    assert chromium is not None
    monkeypatch.setenv(CHROMIUM_ENV, chromium)
    df = adult_small.head(1500)
    schema = synth.infer_schema(df)
    train, holdout = synth.split(df, holdout=0.2, seed=0)
    result = race(train, holdout, [Contender("independent")], schema=schema, settings=LIGHT)
    report = build_report(name="adult", data=df, schema=schema, train=train, holdout=holdout, result=result)

    pdf = report_pdf(report.html)

    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    for title in TITLES:
        assert title in text, title
    assert "Trivariate" in text or "trivariate" in text  # the honest headline made it to paper
    assert {"Race", "Fidelity", "Verdict"} <= _titles(reader.outline)  # the sections are bookmarks


def test_a_missing_chromium_is_named_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CHROMIUM_ENV, "/nonexistent/chromium")
    with pytest.raises(ReportPdfError, match="does not exist"):
        report_pdf("<html><body>x</body></html>")


def _titles(outline: list) -> set[str]:
    """Every bookmark title, nested ones included (pypdf lists a bookmark's children right after it)."""
    out: set[str] = set()
    for item in outline:
        out |= _titles(item) if isinstance(item, list) else {item.title}
    return out
