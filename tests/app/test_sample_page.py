"""AppTest: conditional sampling, rebalancing and impossible conditions on the Sample page."""

from __future__ import annotations

import pytest
import streamlit as st

from tests.app.helpers import fit, goto, start


def _sample_page(synthesizer: str = "cart"):  # type: ignore[no-untyped-def]
    at = fit(start(), synthesizer)
    return goto(at, "sample")


def test_fixed_value_and_range_conditions() -> None:
    at = _sample_page()
    at.multiselect(key="cond_columns").set_value(["sex", "age"]).run()
    at.multiselect(key="cond_sex_values").set_value(["Female"]).run()
    at.slider(key="cond_age_range").set_value((30, 40)).run()
    assert any("Sampling with:" in i.value and "sex = Female" in i.value for i in at.info)
    at.number_input[0].set_value(2000).run()
    at.button(key="sample_button").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    df = at.session_state["synthetic"].df
    assert len(df) == 2000
    assert (df["sex"] == "Female").all()
    assert df["age"].between(30, 40).all()


def test_rebalancing_reaches_the_asked_mix() -> None:
    at = _sample_page()
    at.selectbox(key="rebal_column").set_value("income").run()
    assert not at.exception
    assert at.get("plotly_chart"), "a preview of the asked-for mix is drawn"
    at.button(key="sample_button").click().run()
    df = at.session_state["synthetic"].df
    share = (df["income"] == ">50K").mean()
    assert abs(share - 0.5) < 0.01
    assert "income rebalanced" in at.session_state["synthetic"].note


def test_impossible_combination_says_so_and_keeps_the_previous_table() -> None:
    at = _sample_page()
    at.button(key="sample_button").click().run()
    before = at.session_state["synthetic"]
    at.multiselect(key="cond_columns").set_value(["education", "education_num"]).run()
    at.multiselect(key="cond_education_values").set_value(["Preschool"]).run()
    at.slider(key="cond_education_num_range").set_value((16, 16)).run()
    at.button(key="sample_button").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("Sampling failed" in e and "draws matched" in e for e in errors), errors
    assert at.session_state["synthetic"] is before


def test_conditioning_the_no_dependence_baseline_says_what_the_segment_keeps() -> None:
    at = _sample_page("independent")
    at.multiselect(key="cond_columns").set_value(["sex"]).run()
    at.multiselect(key="cond_sex_values").set_value(["Female"]).run()
    assert not at.exception
    notes = [c.value for c in at.caption if "Inside the segment" in c.value]
    assert len(notes) == 1 and "whole-table distribution" in notes[0] and "by design" in notes[0], notes


def test_a_model_that_learns_dependence_gets_no_such_note() -> None:
    at = _sample_page("cart")
    at.multiselect(key="cond_columns").set_value(["sex"]).run()
    at.multiselect(key="cond_sex_values").set_value(["Female"]).run()
    assert not at.exception
    assert not [c.value for c in at.caption if "Inside the segment" in c.value]


def test_a_rebalanced_table_downloads_under_its_own_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The HR walk: a table drawn with 50% complaints got the same file name as the plain one."""
    names: list[str] = []
    real_button = st.download_button

    def recording(*args: object, **kwargs: object) -> bool:
        names.append(str(kwargs.get("file_name", "")))
        return real_button(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(st, "download_button", recording)
    at = _sample_page("independent")
    at.button(key="sample_button").click().run()
    plain = [n for n in names if n.startswith("synthetic_")][-1]
    at.selectbox(key="rebal_column").set_value("income").run()
    at.button(key="sample_button").click().run()
    rebalanced = [n for n in names if n.startswith("synthetic_")][-1]
    assert plain == "synthetic_independent_seed1.csv", plain
    assert rebalanced.startswith("synthetic_independent_seed1_income_rebalanced_to_"), rebalanced
    assert rebalanced.endswith("50pct.csv")


def test_a_column_written_with_more_decimals_than_recorded_says_why() -> None:
    """Session 18 walk: an HR table's bonus_pct is recorded in hundredths; Pruned CART's sample held
    8.825768935862698 (its draws stay unrounded where rounding could give back real rare values) and the page
    said nothing about it. Session 26: the note reads the sample itself, naming exactly the columns whose synthetic
    values have more decimals than any real one, with their share (it named salaries "to the nearest 100" that
    were all multiples of 100)."""
    from decimal import Decimal

    import numpy as np
    import pandas as pd

    from tests.app.helpers import sample, upload

    rng = np.random.default_rng(18)
    n = 1_500
    table = pd.DataFrame(
        {
            "bonus_pct": np.round(rng.gamma(2.0, 3.0, n), 2),
            "department": rng.choice(["Sales", "R&D", "HR", "IT"], n),
            "rating": np.round(rng.normal(3.4, 0.8, n), 1),
            # Estate values over a wide range: every band holds many hundreds, so they keep their grain.
            "estate": (rng.lognormal(18, 2.5, n) / 100).round() * 100,
        }
    )
    at = start()
    upload(at, "bonus.csv", table.to_csv(index=False).encode())
    fit(at, "pruned_cart")
    sample(at)
    df = at.session_state["synthetic"].df

    def places(x: float) -> int:  # decimals as the value's shortest text shows them (72100.0: -2)
        exponent = Decimal(repr(float(x))).normalize().as_tuple().exponent
        return -int(exponent)

    finer = {}
    for column in ("bonus_pct", "rating", "estate"):
        most = max(places(v) for v in table[column])
        share = float(np.mean([places(v) > most for v in df[column].dropna()]))
        if share > 0:
            finer[column] = share
    assert "bonus_pct" in finer and "estate" not in finer, finer
    notes = [c.value for c in at.caption if "Finer than the real columns" in c.value]
    assert len(notes) == 1, [c.value for c in at.caption]
    for column in ("bonus_pct", "rating", "estate", "department"):
        named = f"{column} (" in notes[0]
        assert named == (column in finer), (column, notes[0])
    assert f"bonus_pct ({finer['bonus_pct']:.0%} of values; real values have 2 decimals)" in notes[0], notes[0]
    assert "keeps extra digits where rounding could recreate a rare real value" in notes[0]


def test_rare_categories_pooled_into_other_are_named_with_their_share_before_compare() -> None:
    """Session 26 walk: 7.8% of the clinic's diagnoses came out as "(other)" (rare codes pooled for privacy) and
    nothing said so before Compare drew the bar. The Synthesize and Sample pages now name the column, the share of
    training rows pooled (the fit's own figure) and why; a column with no rare category is not named."""
    import numpy as np
    import pandas as pd

    from tests.app.helpers import sample, upload

    rng = np.random.default_rng(26)
    common = [f"D{i:02d}" for i in range(8)]
    rare = [f"R{i:03d}" for i in range(60)]  # 60 codes of 2 rows each: 120 of 1,500 rows before the split
    diagnosis = np.concatenate([rng.choice(common, 1_500 - 120), np.repeat(rare, 2)])
    table = pd.DataFrame(
        {
            "diagnosis": rng.permutation(diagnosis),
            "department": rng.choice(["Surgery", "Cardiology", "Maternity"], 1_500),
            "length_of_stay": rng.integers(1, 15, 1_500),
        }
    )
    at = start()
    upload(at, "clinic.csv", table.to_csv(index=False).encode())
    fit(at, "cart")
    train = at.session_state["dataset"].train
    counts = train["diagnosis"].value_counts()
    share = counts[counts < 5].sum() / counts.sum()
    assert 0.05 < share < 0.2  # pooled, yet below the fit warning's 20%: only this note tells
    notes = [c.value for c in at.caption if "Rare categories pooled" in c.value]
    assert len(notes) == 1 and f"diagnosis ({share:.1%} of training rows)" in notes[0], notes
    assert "department" not in notes[0] and "fewer than 5 training rows" in notes[0] and "single out" in notes[0]
    sample(at)
    shown = [c.value for c in at.caption if "Rare categories pooled" in c.value]
    assert shown == notes
    assert (at.session_state["synthetic"].df["diagnosis"] == "(other)").mean() > share / 2


def test_the_download_writes_whole_numbers_as_the_real_file_did(monkeypatch: pytest.MonkeyPatch) -> None:
    """Session 28 walk: a shop's quantities ("1", "3", "n/a") downloaded as "1.0", "3.0"."""
    import io

    import numpy as np
    import pandas as pd

    from tests.app.helpers import sample, upload

    downloads: list[bytes] = []
    real_button = st.download_button

    def recording(*args: object, **kwargs: object) -> bool:
        if str(kwargs.get("file_name", "")).startswith("synthetic_"):
            downloads.append(kwargs["data"])  # type: ignore[arg-type]
        return real_button(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(st, "download_button", recording)
    rng = np.random.default_rng(28)
    table = pd.DataFrame(
        {"quantity": rng.choice(["1", "2", "3", "n/a"], 600), "shop": rng.choice(["north", "south"], 600)}
    )
    at = start()
    upload(at, "shop.csv", table.to_csv(index=False).encode())
    fit(at, "independent")
    sample(at)
    assert not at.exception
    written = pd.read_csv(io.BytesIO(downloads[-1]), dtype=str, keep_default_na=False)["quantity"]
    assert set(written) <= {"1", "2", "3", ""} and {"1", "2", "3"} <= set(written), set(written)
