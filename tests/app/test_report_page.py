"""AppTest: the Report page's options say what the report counts. With a person column the report suppresses
bars and categories under k people (``synth.report.suppression``), and the session 31 walk on the bank ledger read
"Suppress real-data cells under k rows" and "categories under 10 rows are suppressed" above a report that counted
holders."""

from __future__ import annotations

from tests.app.helpers import fit, goto, sample, start, upload
from tests.unit.test_people_membership import visits
from ui.text import md


def _report_options(table_csv: bytes) -> tuple[str, str, str | None]:
    """The suppression input's label, the caption under the options and the split's person column, once the
    current run is added to the report."""
    at = start()
    upload(at, "visits.csv", table_csv)
    fit(at, "independent")
    sample(at)
    goto(at, "report")
    at.button(key="report_current_run").click().run()
    assert not at.exception, at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("Privacy-safe by default"))
    return at.number_input(key="report_k").label, caption, at.session_state["dataset"].split_by


def test_the_suppression_option_counts_people_when_the_report_does() -> None:
    label, caption, person = _report_options(visits(120, 5, seed=1).to_csv(index=False).encode("utf-8"))
    assert person == "patient_id", "premise: the split keeps each patient's visits together"
    assert label == f"Suppress real-data cells under k {md('people (by patient_id)')}"
    assert f"categories under 10 {md('people (by patient_id)')} are suppressed" in caption


def test_the_suppression_option_counts_rows_without_a_person() -> None:
    one_visit_each = visits(600, 1, seed=1).drop(columns="patient_id")
    label, caption, person = _report_options(one_visit_each.to_csv(index=False).encode("utf-8"))
    assert person is None
    assert label == "Suppress real-data cells under k rows"
    assert "categories under 10 rows are suppressed" in caption
