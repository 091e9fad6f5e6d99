"""AppTest: the Rare events page (augmentation, bias) and the Sample page's feasibility preview and preset."""

from __future__ import annotations

import re

import pytest

from tests.app.helpers import fit, goto, start


def test_the_page_says_what_to_do_first() -> None:
    at = goto(start(), "rare_events")
    assert at.info and any("Synthesize" in i.value for i in at.info)


def test_augmentation_and_bias_panels_answer_on_the_demo() -> None:
    at = goto(fit(start(), "cart"), "rare_events")
    at.selectbox(key="aug_target").set_value("income").run()
    at.selectbox(key="aug_positive").set_value(">50K").run()
    at.multiselect(key="aug_shares").set_value([0.5]).run()
    at.button(key="aug_button").click().run()
    assert not at.exception, at.exception
    verdicts = [m.value for m in (*at.success, *at.info, *at.error) if "PR-AUC" in m.value]
    assert verdicts and "oversampling" in verdicts[0]
    table = next(d for d in at.dataframe if "added from" in d.value.columns)
    assert list(table.value["added from"]) == ["real only", "synthetic", "duplicates", "SMOTE"]
    # the California walk's table printed "12862" beside the chart's "+12,862"
    added = list(table.value["rows added"])
    assert added[0] == "0" and all(re.fullmatch(r"\d{1,3}(,\d{3})+", a) for a in added[1:]), added

    at.selectbox(key="fair_sensitive").set_value("sex").run()
    at.selectbox(key="fair_outcome").set_value("income").run()
    at.selectbox(key="fair_positive").set_value(">50K").run()
    at.radio(key="fair_mode").set_value("equal_outcome_rates").run()
    at.button(key="fair_button").click().run()
    assert not at.exception, at.exception
    models = next(d for d in at.dataframe if "trained on" in d.value.columns)
    assert list(models.value["trained on"]) == ["real", "synthetic", "balanced"]
    # Session 31 walk: balancing closed the gap and the panel said only what the plain synthetic table did.
    assert any(m.value.startswith("The balanced table narrows the gap") for m in at.success), [
        m.value for m in at.success
    ]
    assert table.value is not None, "the augmentation result stays on the page"
    assert any("PR-AUC" in m.value for m in (*at.success, *at.info, *at.error))

    at.button(key="fair_keep").click().run()
    assert not at.exception, at.exception
    syn = at.session_state["synthetic"]
    assert "balanced" in syn.note
    female = syn.df[syn.df["sex"] == "Female"]["income"].eq(">50K").mean()
    male = syn.df[syn.df["sex"] == "Male"]["income"].eq(">50K").mean()
    assert abs(female - male) < 0.01


def test_the_bias_and_augmentation_checks_draw_a_bar_of_their_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Session 31 walk: on Adult the augmentation check ran 32 s and the balanced comparison 9 s under a spinner and
    a clock; each now moves a bar through its steps (sampling each table, training on each, judging)."""
    from ui.progress import StreamlitProgress

    steps: list[tuple[str, float, str]] = []
    draw = StreamlitProgress.__call__

    def recorded(self: StreamlitProgress, fraction: float, message: str, /) -> None:
        steps.append((self.label, fraction, message))
        draw(self, fraction, message)

    monkeypatch.setattr(StreamlitProgress, "__call__", recorded)
    at = goto(fit(start(), "independent"), "rare_events")
    at.selectbox(key="fair_sensitive").set_value("sex").run()
    at.selectbox(key="fair_outcome").set_value("income").run()
    at.radio(key="fair_mode").set_value("equal_groups").run()
    at.button(key="fair_button").click().run()
    assert not at.exception, at.exception
    fairness = [(f, m) for label, f, m in steps if label.startswith("Sampling, training on each table")]
    assert [f for f, _ in fairness] == sorted(f for f, _ in fairness) and fairness[-1][0] == 1.0
    assert any("training on balanced" in m for _, m in fairness), fairness
    at.selectbox(key="aug_target").set_value("income").run()
    at.selectbox(key="aug_positive").set_value(">50K").run()
    at.multiselect(key="aug_shares").set_value([0.5]).run()
    at.button(key="aug_button").click().run()
    assert not at.exception, at.exception
    augmentation = [f for label, f, _ in steps if label.startswith("Training the same classifier")]
    assert len(augmentation) > 3 and augmentation == sorted(augmentation), augmentation


def test_a_class_the_holdout_holds_too_few_rows_of_is_said_before_a_run() -> None:
    """Session 31 ledger walk: "Run the augmentation check" on fraud = 1 answered only after the click that the
    holdout had 4 such rows; the panel says it in place of the button."""
    import numpy as np
    import pandas as pd

    from tests.app.helpers import upload

    rng = np.random.default_rng(31)
    n = 1_000
    table = pd.DataFrame(
        {"amount": rng.gamma(2.0, 100.0, n).round(2), "channel": rng.choice(["card", "transfer"], n)}
    ).assign(fraud=0)
    table.loc[rng.choice(n, 12, replace=False), "fraud"] = 1  # about 2 in a 20% holdout
    at = goto(fit(upload(start(), "claims.csv", table.to_csv(index=False).encode()), "independent"), "rare_events")
    ds = at.session_state["dataset"]
    in_holdout = int((ds.holdout["fraud"] == 1).sum())
    assert 0 < in_holdout < 5, "premise: a few fraud rows in the holdout"
    at.selectbox(key="aug_target").set_value("fraud").run()
    said = [i.value for i in at.info if "cannot judge this class" in i.value]
    assert said and f"the holdout has {in_holdout} row" in said[0] and "fraud = 1" in said[0], said
    assert not [b for b in at.button if b.key == "aug_button"], "no button for a check that cannot run"


def test_sample_page_previews_coverage_and_offers_the_rare_events_preset() -> None:
    at = goto(fit(start(), "cart"), "sample")
    at.multiselect(key="cond_columns").set_value(["race", "sex"]).run()
    at.multiselect(key="cond_race_values").set_value(["Amer-Indian-Eskimo"]).run()
    at.multiselect(key="cond_sex_values").set_value(["Female"]).run()
    previews = [c.value for c in (*at.caption, *at.info, *at.warning) if "Feasibility" in c.value]
    assert previews and "training rows" in previews[0]
    at.multiselect(key="cond_columns").set_value([]).run()
    at.toggle(key="rare_preset").set_value(True).run()
    at.number_input[0].set_value(2000).run()
    at.button(key="sample_button").click().run()
    assert not at.exception, at.exception
    df = at.session_state["synthetic"].df
    assert len(df) == 2000 and (df["race"] == "Other").sum() == 1000


def _flag_table() -> bytes:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 3_000
    amount = rng.gamma(2.0, 100.0, n).round(2)
    channel = rng.choice(["retail", "online", "partner"], n, p=[0.5, 0.4, 0.1])
    # A 0/1 flag, as fraud and churn columns come: rarer than every channel, and tied to the amount.
    fraud = (rng.random(n) < np.where(amount > 400, 0.3, 0.03)).astype(int)
    return pd.DataFrame({"amount": amount, "channel": channel, "fraud": fraud}).to_csv(index=False).encode()


def test_a_0_1_flag_is_a_class_to_augment_and_the_rare_events_preset_without_a_change_of_kind() -> None:
    # The panel and the preset offered categorical and boolean columns only: a fraud flag stored as 0/1 (the way
    # such columns usually come) had to be re-kinded on Data first.
    from tests.app.helpers import upload

    at = fit(upload(start(), "flags.csv", _flag_table()), "cart")
    assert at.session_state["dataset"].schema["fraud"].kind.value == "discrete"
    goto(at, "rare_events")
    assert "fraud" in at.selectbox(key="aug_target").options
    at.selectbox(key="aug_target").set_value("fraud").run()
    assert at.selectbox(key="aug_positive").value == 1  # the rarer value, as stored
    at.multiselect(key="aug_shares").set_value([0.25]).run()
    at.button(key="aug_button").click().run()
    assert not at.exception, at.exception
    table = next(d for d in at.dataframe if "added from" in d.value.columns).value
    assert list(table["added from"]) == ["real only", "synthetic", "duplicates", "SMOTE"]
    assert not any("distinct whole numbers" in c.value for c in at.caption)  # no re-kind hint for it

    goto(at, "sample")
    at.toggle(key="rare_preset").set_value(True).run()
    at.number_input[0].set_value(2000).run()
    at.button(key="sample_button").click().run()
    assert not at.exception, at.exception
    assert (at.session_state["synthetic"].df["fraud"] == 1).sum() == 1000


def _bank_table() -> bytes:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(30)
    n = 2_000
    married = rng.choice(["married", "single", "divorced"], n, p=[0.6, 0.3, 0.1])
    member = (rng.random(n) < 0.2).astype(int)
    table = pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "job": rng.choice(["admin.", "technician", "services", "retired"], n),
            "marital": married,
            "is_member": member,
            "y": np.where(rng.random(n) < np.where(member == 1, 0.3, 0.1), "yes", "no"),
        }
    )
    return table.to_csv(index=False).encode()


def test_the_bias_panel_defaults_to_a_protected_category_bands_a_number_and_groups_a_flag() -> None:
    """Session 30 walk: on Bank Marketing the sensitive column defaulted to ``age``, a number; a 0/1 flag as the
    group was cut at its quartiles into bands that read "0–1" and "≥ 1"."""
    from tests.app.helpers import upload

    at = goto(fit(upload(start(), "bank.csv", _bank_table()), "independent"), "rare_events")
    assert not at.exception, at.exception
    sensitive = at.selectbox(key="fair_sensitive")
    assert sensitive.value == "marital"
    assert not any("is a number" in c.value for c in at.caption)
    sensitive.set_value("age").run()
    (said,) = [c.value for c in at.caption if "is a number" in c.value]
    assert "bands at the real quartiles" in said and "< " in said and "≥ " in said
    assert at.radio(key="fair_mode").options == ["no balancing (just compare)"]

    at.selectbox(key="fair_sensitive").set_value("is_member").run()
    assert not any("is a number" in c.value for c in at.caption)
    at.selectbox(key="fair_outcome").set_value("y").run()
    at.selectbox(key="fair_positive").set_value("yes").run()
    at.radio(key="fair_mode").set_value("equal_groups").run()
    at.button(key="fair_button").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    models = next(d for d in at.dataframe if "trained on" in d.value.columns)
    assert list(models.value["trained on"]) == ["real", "synthetic", "balanced"]
    groups = next(d for d in at.dataframe if "outcome_rate" in d.value.columns).value
    assert set(groups["group"]) == {"0", "1"}
    balanced = groups[groups["table"] == "balanced"].set_index("group")["share"]
    assert all(abs(float(s.rstrip("%")) - 50) < 3 for s in balanced), balanced


def test_a_0_1_flag_is_conditioned_on_and_rebalanced_as_its_two_values_on_the_sample_page() -> None:
    """The Sample page's own rebalancing ("e.g. 50/50 fraud vs not") offered categories only, and a condition on a
    0/1 flag was a range slider; the written values stay 0 and 1."""
    from tests.app.helpers import upload

    at = goto(fit(upload(start(), "flags.csv", _flag_table()), "cart"), "sample")
    assert "fraud" in at.selectbox(key="rebal_column").options
    at.selectbox(key="rebal_column").set_value("fraud").run()
    assert not at.exception, at.exception
    at.button(key="sample_button").click().run()
    assert not at.exception, at.exception
    df = at.session_state["synthetic"].df
    assert set(df["fraud"].unique()) == {0, 1} and abs((df["fraud"] == 1).mean() - 0.5) < 0.01

    at.selectbox(key="rebal_column").set_value("(keep the real mix)").run()
    at.multiselect(key="cond_columns").set_value(["fraud"]).run()
    assert not at.slider, "a flag is no range"
    at.multiselect(key="cond_fraud_values").set_value([1]).run()
    at.button(key="sample_button").click().run()
    assert not at.exception, at.exception
    df = at.session_state["synthetic"].df
    assert (df["fraud"] == 1).all()
    assert df["fraud"].astype(str).isin(["1"]).all()


def test_the_only_outcome_column_is_not_also_the_default_group() -> None:
    """Session 31 walk on California Housing: the one category, ocean_proximity, was both the sensitive column and
    the outcome, with its rarest level (ISLAND, 5 rows) as the favourable one."""
    import numpy as np
    import pandas as pd

    from tests.app.helpers import upload

    rng = np.random.default_rng(0)
    n = 600
    table = pd.DataFrame(
        {
            "median_income": rng.gamma(3.0, 1.3, n).round(3),
            "house_age": rng.integers(1, 52, n),
            "ocean_proximity": rng.choice(["INLAND", "NEAR BAY", "<1H OCEAN"], n),
        }
    )
    table.loc[:3, "ocean_proximity"] = "ISLAND"  # the rarest level, on a handful of rows
    at = goto(fit(upload(start(), "housing.csv", table.to_csv(index=False).encode()), "independent"), "rare_events")
    assert not at.exception, at.exception
    assert at.selectbox(key="fair_sensitive").value != "ocean_proximity"
    assert at.selectbox(key="fair_outcome").value == "ocean_proximity"
    # Session 32: still offered ISLAND first; a level a handful of rows hold goes last, the next rarest leads.
    counts = at.session_state["dataset"].train["ocean_proximity"].value_counts()
    assert at.selectbox(key="fair_positive").value == counts.drop("ISLAND").idxmin()
    assert at.selectbox(key="fair_positive").options[-1] == "ISLAND"
    at.selectbox(key="fair_sensitive").set_value("ocean_proximity").run()
    assert not at.exception, at.exception
    assert any("only categorical, boolean or 0/1 column" in i.value for i in at.info)
    assert not [s for s in at.selectbox if s.key == "fair_outcome"]
