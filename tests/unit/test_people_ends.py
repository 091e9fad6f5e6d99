"""People, not rows, behind every shown range end and every leaf's time band.

A range a reason or a chart states ends at the ``TAIL_ROWS``-th extreme row (``synth/schema/shared_range.py``), and
CART's leaves pool a time of day between two of their own values (``synth/synthesizers/rare_bands.py``). One person
with many rows is many rows: an employee's 15 payslips at the one top salary set the axis's end, a patient's 12
visits at 09:37 ended a leaf's band. Each attack plants the person and is run twice: counted in rows the value is
stated, counted in people it is not. The report's highest privacy risk reads membership over people too.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.fidelity.distributions import column_distributions
from synth.evaluation.fidelity.pair_views import pair_view
from synth.schema.inference import infer_schema
from synth.schema.number_kinds import with_people_ranges
from synth.schema.shared_range import TAIL_ROWS, shared_ends
from tests.unit.test_person_leaves import PLANTED, _habitual

TOP = 9_876_543  # the planted employee's salary, on each of their 15 payslips: no one else's comes near


def _payslips(seed: int = 0, n_people: int = 600) -> pd.DataFrame:
    """Employees with 1 to 6 monthly payslips at their own salary (about 20,000 to 200,000); employee 7 has 15 at
    :data:`TOP`, the 15 largest rows of the table."""
    rng = np.random.default_rng(seed)
    slips = rng.integers(1, 7, n_people)
    slips[PLANTED] = 15
    person = np.repeat(np.arange(n_people), slips)
    salary = np.round(rng.lognormal(np.log(55_000), 0.5, n_people)).clip(20_000, 200_000)
    salary[PLANTED] = TOP
    return pd.DataFrame(
        {
            "employee_id": [f"E{i:05d}" for i in person],
            "month": rng.integers(1, 13, len(person)),
            "salary": salary[person].astype(np.int64),
        }
    )


def _top_edge(table: pd.DataFrame, person: str | None) -> float:
    synthetic = table.sample(frac=1.0, random_state=1).reset_index(drop=True)
    schema = infer_schema(table)
    (dist,) = column_distributions(table, synthetic, schema=schema, columns=["salary"], person_column=person)
    return dist.centers[-1] + dist.width / 2


def test_one_employees_payslips_set_no_end_of_the_reason_or_the_axis() -> None:
    table = _payslips()
    rows = infer_schema(table)
    assert "9,900,000" in rows["salary"].reason, "the attack: counted in rows, the reason states the top salary"
    people = infer_schema(table, person_column="employee_id")
    assert "9,900,000" not in people["salary"].reason and "mostly" in people["salary"].reason
    hi = shared_ends(table["salary"].to_numpy(), people=table["employee_id"].to_numpy())[1]
    top_people = table.groupby("employee_id")["salary"].max()
    assert hi < TOP and (top_people >= hi).sum() >= TAIL_ROWS
    # The chart's axis: counted in rows it ran past the top salary; in people its last bin ends far below it.
    assert _top_edge(table, None) >= TOP
    assert _top_edge(table, "employee_id") <= 300_000
    # The pair explorer's density axes too.
    for person, stated in ((None, True), ("employee_id", False)):
        view = pair_view(table, table, "month", "salary", schema=rows, person_column=person)
        shown = [int(n.replace(",", "")) for label in view.y_labels for n in re.findall(r"\d[\d,]*", label)]
        assert (max(shown) >= 9_000_000) is stated, view.y_labels


def test_a_fit_without_a_schema_keeps_the_reason_read_over_its_people() -> None:
    table = _payslips()
    model = synth.create("independent", random_state=0).fit(table, person_column="employee_id")
    assert "9,900,000" not in model.schema_["salary"].reason  # type: ignore[attr-defined]
    told_none = synth.create("independent", random_state=0).fit(table, person_column=None)
    assert "9,900,000" in told_none.schema_["salary"].reason  # type: ignore[attr-defined]


def test_the_reasons_follow_the_person_and_back() -> None:
    table = _payslips(seed=3)
    rows = infer_schema(table)
    assert with_people_ranges(table, rows, None) == rows, "read over rows again, the reasons are unchanged"
    people = with_people_ranges(table, rows, "employee_id")
    assert people == infer_schema(table, person_column="employee_id")
    assert with_people_ranges(table, people, None) == rows
    # Only the range moves: the rest of the reason, and every other column's, is as inferred.
    changed = [s.name for s, t in zip(rows, people, strict=True) if s != t]
    assert changed == ["salary"]
    assert people["salary"].reason.split("(")[0] == rows["salary"].reason.split("(")[0]
    # A reason the user wrote is theirs.
    edited = synth.Schema(tuple(dataclasses.replace(s, reason="set by me") if s.name == "salary" else s for s in rows))
    assert with_people_ranges(table, edited, "employee_id")["salary"].reason == "set by me"


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_rows=st.integers(1, 1_500),
    n_people=st.integers(1, 600),
    tail=st.integers(1, 12),
)
def test_an_end_is_reached_by_enough_people_and_never_past_the_rows_end(
    seed: int, n_rows: int, n_people: int, tail: int
) -> None:
    rng = np.random.default_rng(seed)
    person = rng.integers(0, n_people, n_rows)
    values = rng.normal(0, 1, n_people)[person] + rng.normal(0, 0.1, n_rows) * rng.integers(0, 2)
    values[rng.random(n_rows) < 0.05] = np.nan
    lo, hi = shared_ends(values, tail, person)
    row_lo, row_hi = shared_ends(values, tail)
    assert row_lo <= lo <= hi <= row_hi
    finite = np.isfinite(values)
    if not finite.any():
        return
    frame = pd.DataFrame({"v": values[finite], "p": person[finite]})
    k = min(tail, max(1, frame["p"].nunique() // 40))
    assert (frame.groupby("p")["v"].max() >= hi).sum() >= k
    assert (frame.groupby("p")["v"].min() <= lo).sum() >= k
    # Every row its own person: the rows' rule.
    assert shared_ends(values, tail, np.arange(n_rows)) == (row_lo, row_hi)


def _band_ends(model: synth.Synthesizer, path: Path) -> tuple[set[float], bytes]:
    """Every point and band end of the model's donors as loaded from its file, and the file's bytes unpacked."""
    model.save(path)
    with zipfile.ZipFile(path) as z, np.load(io.BytesIO(z.read("arrays.npz")), allow_pickle=False) as npz:
        raw = b"".join([z.read(name) for name in z.namelist()] + [npz[key].tobytes() for key in npz.files])
    loaded = synth.load_model(path)
    ends: set[float] = set()
    for step in loaded.steps_:  # type: ignore[attr-defined]
        if step.widths is not None:
            ends |= set(step.donors.tolist()) | set((step.donors + step.widths).tolist())
    return ends, raw


@pytest.mark.parametrize("name", ["cart", "pruned_cart"])
def test_one_patients_time_of_day_ends_no_band_of_a_leaf(name: str, tmp_path: Path) -> None:
    frame = _habitual()
    at = 9 * 3600 + 37 * 60  # 09:37, the planted patient's minute on all 12 visits, as the donors hold it
    model = synth.create(name, random_state=0).fit(frame, person_column="patient_id")
    ends, raw = _band_ends(model, tmp_path / "model.synth")
    assert float(at) not in ends, "no point, and no band's end, is that patient's minute"
    assert np.float64(at).tobytes() not in raw
    minutes = model.sample(20_000, seed=1)["start"].str[-5:].value_counts()
    assert minutes.get("09:37", 0) <= minutes.quantile(0.99), "09:37 is drawn no more than its band's other minutes"


def test_the_highest_risk_reads_membership_over_people() -> None:
    """One visit copied of every fifth patient: each copied row is one member in 40 rows, within the noise of every
    row attack, while the attack over people tells those patients apart. The report's highest risk read rows alone
    (:func:`synth.report.privacy_risk._risk_parts`), a smaller figure than the verdict judged."""
    from synth.evaluation.privacy.distances import evaluate_privacy
    from synth.evaluation.privacy.inputs import PrivacyInputs
    from synth.evaluation.privacy.verdict import privacy_verdict
    from synth.report.evaluation import EvaluationSettings, TableEvaluation
    from synth.report.privacy_risk import RISK_PARTS
    from tests.unit.test_people_membership import SCHEMA, _fill, visits

    train, holdout = synth.split(visits(1500, 8, seed=1), 0.3, seed=0, by="patient_id")
    fresh = visits(1500, 8, seed=2, first=10**5)
    ids = train["patient_id"].unique()
    some = np.random.default_rng(1).choice(ids, len(ids) // 5, replace=False)
    synthetic = _fill(train, train[train["patient_id"].isin(some)].groupby("patient_id").head(1), fresh)
    privacy = evaluate_privacy(
        train, synthetic, holdout=holdout, inputs=PrivacyInputs(train, holdout, synthetic, SCHEMA)
    )
    mia = privacy.membership
    head = None if mia is None or mia.people is None else mia.people.headline
    assert mia is not None and head is not None
    rows = 2 * (mia.auc.value - 0.5)
    assert head.advantage > rows + 0.1 and head.advantage > privacy.dcr_share_full_excess + 0.1, (head, rows)
    ev = TableEvaluation(
        None, None, None, privacy, None, privacy_verdict(privacy), tuple(SCHEMA.names), EvaluationSettings()
    )
    assert ev.privacy_risk == pytest.approx(head.advantage)
    assert ev.privacy_risk_interval is not None and ev.privacy_risk_interval[1] >= head.advantage_high
    assert ev.privacy_risk_note.startswith(f"from {RISK_PARTS['membership_people']}, which the verdict reads ")
    # Without a person column the rows' figure stands, as before.
    by_rows = evaluate_privacy(
        train, synthetic, holdout=holdout, inputs=PrivacyInputs(train, holdout, synthetic, SCHEMA, person_column=None)
    )
    alone = TableEvaluation(None, None, None, by_rows, None, None, tuple(SCHEMA.names), EvaluationSettings())
    assert by_rows.membership is not None and by_rows.membership.people is None
    assert alone.privacy_risk is not None and alone.privacy_risk < head.advantage - 0.1
