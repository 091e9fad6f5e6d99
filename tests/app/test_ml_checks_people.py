"""AppTest: Compare's ML checks on a person table name no value one person holds.

One employee's 15 payslips in a grade no one else holds (``tests.unit.test_report_people._payslips``), split by
employee. Predicting salary, the "same conclusions?" regression had a term "grade = Grade Q-17" in its chart and
table; predicting the grade, the TSTR card said why its gap is not judged with "only 0 real rows of 'Grade Q-17'".
The page passes the split's person to both checks.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.unit.test_report_people import GRADE


def _payslips_ml_checks_page() -> None:
    from types import SimpleNamespace

    import synth
    from tests.unit.test_report_people import _payslips
    from ui.compare import ml

    table = _payslips()
    schema = synth.infer_schema(table)
    train, holdout = synth.split(table, holdout=0.25, seed=0, by="employee_id")
    ds = SimpleNamespace(key="payslips", schema=schema, train=train, holdout=holdout, split_by="employee_id")
    result = SimpleNamespace(columns=[SimpleNamespace(column=c) for c in ("grade", "month", "salary")])
    ml.render("run", ds, SimpleNamespace(df=train, id="run"), result)  # type: ignore[arg-type]


def _everything_shown(at: AppTest) -> str:
    """Every caption, metric, table cell and chart spec of the page, as one text."""
    parts = [c.value for c in at.caption] + [i.value for i in at.info] + [m.value for m in at.metric]
    parts += [m.proto.help for m in at.metric]
    parts += [m.proto.body for m in at.get("metric")]  # the delta captions
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [c.proto.spec for c in at.get("plotly_chart")]
    return "\n".join(str(p) for p in parts)


def test_the_ml_checks_name_no_grade_one_employee_holds() -> None:
    at = AppTest.from_function(_payslips_ml_checks_page, default_timeout=300).run()
    assert not at.exception, at.exception
    at.selectbox(key="ml_target").set_value("salary").run()
    at.toggle(key="ml_checks").set_value(True).run()
    assert not at.exception, at.exception
    shown = _everything_shown(at)
    assert "grade = (other)" in shown and "grade = Grade A" in shown  # the regression's terms are drawn
    assert GRADE not in shown
    at.selectbox(key="ml_target").set_value("grade").run()
    assert not at.exception, at.exception
    shown = _everything_shown(at)
    assert "only 0 real rows of grade (a class under 10 people) in the holdout (15 in training)" in shown, shown
    assert GRADE not in shown
