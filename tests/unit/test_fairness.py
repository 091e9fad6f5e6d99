"""Bias you can see (group rates, model fairness against fairlearn) and fix (balance-groups sampling)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

import synth
from synth.evaluation.utility.fairness import FairnessError, evaluate_fairness, parity_differences
from synth.synthesizers.balance import balance_groups, balance_mix


@pytest.fixture(scope="module")
def split(adult: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return synth.split(adult.sample(8000, random_state=0), holdout=0.3, seed=0)


@pytest.fixture(scope="module")
def cart(split: tuple[pd.DataFrame, pd.DataFrame]) -> synth.Synthesizer:
    return synth.create("cart").fit(split[0])


@pytest.mark.parametrize("seed", range(5))
def test_vectorised_parity_differences_equal_fairlearn_with_weights(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    groups = rng.choice(np.array(["a", "b", "c"], dtype=object), n)
    y = rng.random(n) < np.where(groups == "a", 0.3, 0.6)
    pred = rng.random(n) < np.where(y, 0.7, 0.2) + np.where(groups == "c", 0.1, 0.0)
    weights = rng.integers(0, 4, n).astype(np.float32)
    dpd, eod = parity_differences(y, pred, groups, weights[:, None], ("a", "b", "c"))
    sf = groups.astype(str)
    assert dpd[0] == pytest.approx(demographic_parity_difference(y, pred, sensitive_features=sf, sample_weight=weights))
    assert eod[0] == pytest.approx(equalized_odds_difference(y, pred, sensitive_features=sf, sample_weight=weights))


def test_a_faithful_table_raises_no_warning_and_an_amplifying_one_does(split: tuple) -> None:
    train, holdout = split
    faithful = train.sample(len(train), replace=True, random_state=1)
    # The attack: the same rows with most women's high incomes turned low, a wider gap than the real one.
    skewed = train.copy()
    flip = (skewed["sex"] == "Female") & (skewed["income"] == ">50K")
    skewed.loc[flip & (np.random.default_rng(0).random(len(skewed)) < 0.8), "income"] = "<=50K"
    result = evaluate_fairness(
        train, holdout, {"faithful": faithful, "skewed": skewed}, sensitive="sex", outcome="income", positive=">50K"
    )
    assert result.groups == ("Male", "Female")
    gaps = {name: gap for name, gap, _ in result.outcome_gaps}
    assert gaps["skewed"] > gaps["real"] + 0.05
    assert "skewed" in result.amplified and "faithful" not in result.amplified
    assert any("skewed amplifies the gap" in w for w in result.warnings)
    assert [m.trained_on for m in result.models] == ["real", "faithful", "skewed"]
    skew_model = result.models[2]
    assert skew_model.demographic_parity_difference > result.models[0].demographic_parity_difference
    real_rows = result.table().query("table == 'real'")
    assert real_rows["share"].sum() == pytest.approx(1.0)
    female = real_rows.set_index("group").loc["Female"]
    assert female["outcome_rate"] == pytest.approx((train.loc[train["sex"] == "Female", "income"] == ">50K").mean())
    assert result.to_dict()["sensitive"] == "sex"


def test_a_balanced_table_that_narrows_the_gap_is_said_so_with_the_accuracy_it_costs(
    split: tuple, cart: synth.Synthesizer
) -> None:
    """Session 31 walk (Adult, sex × income): the table balanced to equal outcome rates brought the outcome gap from
    19.8% to 0.0% and its model's demographic parity difference from 0.172 to 0.099, and the panel named only the
    plain synthetic table's wider model gap."""
    train, holdout = split
    faithful = train.sample(len(train), replace=True, random_state=1)
    balanced = balance_groups(
        cart, len(train), group="sex", outcome="income", mode="equal_outcome_rates", reference=train, seed=2
    )
    nobody_rich = train.assign(income="<=50K")  # a gap of 0, and a model that predicts one outcome for everyone
    tables = {"faithful": faithful, "balanced": balanced, "nobody rich": nobody_rich}
    result = evaluate_fairness(train, holdout, tables, sensitive="sex", outcome="income", positive=">50K")
    gaps = {name: gap for name, gap, _ in result.outcome_gaps}
    assert gaps["balanced"] < 0.02 < 0.1 < gaps["real"], "premise: balancing closed the gap"
    assert "balanced" in result.fairer and "faithful" not in result.fairer and "balanced" not in result.amplified
    assert (
        f"The balanced table narrows the gap in income = '>50K' between sex groups: {gaps['balanced']:.1%} against "
        in (" ".join(words for _, words in result.improvements))
    )
    real, fair = result.models[0], next(m for m in result.models if m.trained_on == "balanced")
    assert fair.demographic_parity_difference < real.demographic_parity_difference - 0.03, "premise"
    (said,) = [x for t, x in result.improvements if t == "balanced" and x.startswith("A model trained on balanced")]
    assert (
        f"its demographic parity difference is {fair.demographic_parity_difference:.3f} against "
        f"{real.demographic_parity_difference:.3f}" in said
    )
    assert said.endswith(f"its accuracy is {fair.accuracy:.3f} against {real.accuracy:.3f}.")
    # A model that predicts "<=50K" for everyone has differences of 0 by construction: no gain to report.
    assert not any(x.startswith("A model trained on nobody rich") for _, x in result.improvements)
    assert not any(t == "faithful" or "faithful" in x for t, x in result.improvements)


def test_a_numeric_sensitive_column_is_cut_into_bands(split: tuple) -> None:
    train, holdout = split
    result = evaluate_fairness(train, holdout, train, sensitive="age", outcome="income", positive=">50K", models=False)
    assert len(result.groups) == 4 and result.groups[0].startswith("< ")
    assert result.table().groupby("table")["n"].sum()["real"] == train["age"].notna().sum()


def test_bad_fairness_requests_get_clear_messages(split: tuple) -> None:
    train, holdout = split
    one_group = train.assign(country="US")
    with pytest.raises(FairnessError, match="'country' has one group in the training data \\(US\\)"):
        evaluate_fairness(one_group, holdout.assign(country="US"), one_group, sensitive="country", outcome="income",
                          positive=">50K")  # fmt: skip
    with pytest.raises(FairnessError, match="never occurs"):
        evaluate_fairness(train, holdout, train, sensitive="sex", outcome="income", positive="rich")
    with pytest.raises(FairnessError, match="different columns"):
        evaluate_fairness(train, holdout, train, sensitive="sex", outcome="sex", positive="Male")
    with pytest.raises(FairnessError, match="no column"):
        evaluate_fairness(train, holdout, train, sensitive="gender", outcome="income", positive=">50K")


# ----------------------------------------------------------------------------- balance groups
def test_equal_groups_and_equal_outcome_rates(split: tuple, cart: synth.Synthesizer) -> None:
    train, _ = split
    equal = balance_groups(cart, 2000, group="sex", mode="equal_groups", reference=train, seed=1)
    assert equal["sex"].value_counts().to_dict() == {"Male": 1000, "Female": 1000}
    parity = balance_groups(
        cart, 4000, group="sex", outcome="income", mode="equal_outcome_rates", reference=train, seed=2
    )
    rates = parity.groupby("sex")["income"].apply(lambda s: (s == ">50K").mean())
    assert rates["Male"] == pytest.approx(rates["Female"], abs=0.002)
    assert rates.mean() == pytest.approx((train["income"] == ">50K").mean(), abs=0.005)
    shares = parity["sex"].value_counts(normalize=True)
    assert shares["Female"] == pytest.approx((train["sex"] == "Female").mean(), abs=0.005)


def test_a_joint_mix_is_honoured_and_checked(cart: synth.Synthesizer) -> None:
    mix = {("Female", ">50K"): 0.25, ("Female", "<=50K"): 0.25, ("Male", ">50K"): 0.25, ("Male", "<=50K"): 0.25}
    out = balance_groups(cart, 1000, group="sex", outcome="income", mode="joint", mix=mix, seed=3)
    assert out.groupby(["sex", "income"]).size().tolist() == [250, 250, 250, 250]
    with pytest.raises(synth.SynthesizerError, match=r"sum to 0\.75, not 1"):
        balance_groups(cart, 100, group="sex", outcome="income", mode="joint", mix={**mix, ("Male", "<=50K"): 0.0})
    with pytest.raises(synth.SynthesizerError, match="balance mode must be one of"):
        balance_mix(cart, "sex", "income", "fair")  # type: ignore[arg-type]
    with pytest.raises(synth.SynthesizerError, match="one group"):
        balance_mix(cart, "sex", reference=pd.DataFrame({"sex": ["Male"] * 5}))


def test_group_columns_named_like_protected_attributes_come_first_categorical_before_numeric() -> None:
    from synth.evaluation.utility.fairness import group_column_order

    columns = ["age", "workclass", "education", "marital_status", "race", "sex", "hours_per_week", "income"]
    order = group_column_order(columns, numeric={"age", "hours_per_week"})
    # A sensitive attribute is a group: the protected categories lead, a protected number (age, in bands) after
    # every category, an unprotected number last.
    assert order[:3] == ["sex", "race", "marital_status"]
    assert order[-2:] == ["age", "hours_per_week"]
    assert sorted(order) == sorted(columns)
    # Names that merely contain a protected word are not protected ("page_views", "stage", "racecar").
    assert group_column_order(["page_views", "stage", "racecar", "gender"])[0] == "gender"
    assert group_column_order(["page_views", "stage", "racecar"]) == ["page_views", "stage", "racecar"]


def test_bank_marketings_default_group_is_marital_not_age() -> None:
    """Session 30 walk: Bank Marketing's bias panel defaulted to ``age``, a number, ahead of ``marital``."""
    from synth.evaluation.utility.fairness import group_column_order

    columns = ["age", "job", "marital", "education", "default", "balance", "housing", "loan", "contact", "y"]
    levels = {"job": 12, "marital": 3, "education": 4, "default": 2, "housing": 2, "loan": 2, "contact": 3, "y": 2}
    order = group_column_order(columns, numeric={"age", "balance"}, levels=levels)
    assert order[0] == "marital"
    # With no protected category, the first category of 2–10 groups in table order; a 12-level job comes after
    # every such category and after the banded age, before the unprotected number.
    rest = group_column_order([c for c in columns if c != "marital"], numeric={"age", "balance"}, levels=levels)
    assert rest == ["education", "default", "housing", "loan", "contact", "y", "age", "job", "balance"]
    # A protected category of one value leads nothing: it is no group.
    assert group_column_order(["sex", "education"], levels={"sex": 1, "education": 4})[0] == "education"


@pytest.mark.parametrize("share", [0.05, 0.4])
def test_a_0_1_flag_as_the_sensitive_column_is_its_two_groups(share: float) -> None:
    """Cut at its quartiles a 5% flag was one band ("≥ 0": "has one group") and a 40% flag read "0–1" and "≥ 1"."""
    rng = np.random.default_rng(1)
    n = 3000
    disabled = (rng.random(n) < share).astype(int)
    table = pd.DataFrame(
        {
            "has_disability": disabled,
            "age": rng.integers(18, 80, n),
            "hired": (rng.random(n) < np.where(disabled == 1, 0.1, 0.3)).astype(int),
        }
    )
    schema = synth.infer_schema(table)
    assert schema["has_disability"].kind is synth.ColumnKind.DISCRETE
    train, holdout = synth.split(table, holdout=0.3, seed=0)
    result = evaluate_fairness(
        train, holdout, holdout, sensitive="has_disability", outcome="hired", positive=1, schema=schema, models=False
    )
    assert set(result.groups) == {"0", "1"}
    rows = {r.group: r for r in result.rows if r.table == "real"}
    assert rows["1"].n == int(train["has_disability"].sum())
    assert rows["1"].outcome_rate == pytest.approx(train.loc[train["has_disability"] == 1, "hired"].mean())


def test_a_0_1_whole_number_outcome_is_compared_and_balanced_as_it_stands() -> None:
    """The bias panel offers 0/1 columns (a fraud or churn flag stored as a number) without a change of kind."""
    rng = np.random.default_rng(0)
    n = 3000
    sex = rng.choice(["F", "M"], n)
    table = pd.DataFrame(
        {
            "sex": sex,
            "age": rng.integers(18, 80, n),
            "fraud": (rng.random(n) < np.where(sex == "F", 0.05, 0.15)).astype(int),
        }
    )
    schema = synth.infer_schema(table)
    assert schema["fraud"].kind is synth.ColumnKind.DISCRETE
    train, holdout = synth.split(table, holdout=0.3, seed=0)
    model = synth.create("cart").fit(train, schema)
    balanced = balance_groups(
        model, len(train), group="sex", outcome="fraud", mode="equal_outcome_rates", reference=train, seed=2
    )
    rates = balanced.groupby("sex")["fraud"].mean()
    assert rates["F"] == pytest.approx(rates["M"], abs=0.01)
    result = evaluate_fairness(
        train, holdout, {"balanced": balanced}, sensitive="sex", outcome="fraud", positive=1, schema=schema
    )
    gaps = {name: gap for name, gap, _ in result.outcome_gaps}
    assert gaps["real"] > 0.05 and gaps["balanced"] < 0.02


def test_the_outcome_rate_chart_labels_low_rates_with_decimals() -> None:
    # Outcome rates near 1% were drawn on an axis whose ticks read "0%, 1%, 1%".
    from synth.plots.rare_events import group_rates_figure

    rng = np.random.default_rng(0)

    def table(n: int) -> pd.DataFrame:
        return pd.DataFrame({"group": rng.choice(["a", "b"], n), "flag": (rng.random(n) < 0.01).astype(int)})

    train, holdout = table(3_000), table(1_000)
    syn = table(3_000)
    result = evaluate_fairness(train, holdout, syn, sensitive="group", outcome="flag", positive=1, models=False)
    fig = group_rates_figure(result)
    assert max(r.outcome_interval.high for r in result.rows) < 0.05
    assert fig.layout.yaxis.tickformat in (".1%", ".2%")


def test_a_near_universal_favourable_outcome_is_charted_as_its_rare_rest() -> None:
    """Session 32 walk: with fraud = 0 favourable (99.5% of rows) every bar of "Share with fraud = 0" stood near
    100%, and the groups' differences in fraud could not be seen. The chart shows the share with fraud ≠ 0."""
    from synth.plots.rare_events import group_rates_figure

    rng = np.random.default_rng(32)

    def table(n: int) -> pd.DataFrame:
        group = rng.choice(["a", "b"], n)
        return pd.DataFrame(
            {"group": group, "fraud": (rng.random(n) < np.where(group == "a", 0.005, 0.03)).astype(int)}
        )

    train, holdout, syn = table(6_000), table(2_000), table(6_000)
    result = evaluate_fairness(train, holdout, syn, sensitive="group", outcome="fraud", positive=0, models=False)
    fig = group_rates_figure(result)
    assert fig.layout.title.text.startswith("Share with fraud ≠ 0 in each group group")
    for trace in fig.data:
        rows = [r for r in result.rows if r.table == trace.name]
        for bar, row, up, down in zip(trace.y, rows, trace.error_y.array, trace.error_y.arrayminus, strict=True):
            assert bar == pytest.approx(1 - row.outcome_rate) and bar < 0.06
            assert bar + up == pytest.approx(1 - row.outcome_interval.low)
            assert bar - down == pytest.approx(1 - row.outcome_interval.high)
        assert trace.y[1] > trace.y[0] + 0.01, "group b's fraud shows above a's"
    # A favourable value held by most but not nearly all rows is charted as it stands.
    result = evaluate_fairness(train, holdout, syn, sensitive="group", outcome="fraud", positive=1, models=False)
    assert group_rates_figure(result).layout.title.text.startswith("Share with fraud = 1")


def test_no_amplification_on_outcome_rates_alone_says_what_it_rests_on() -> None:
    """Session 18 walk: a 1% complaint flag; both models predicted "no complaint" for every holdout row, and the
    page said in green "No synthetic table amplifies a gap between groups beyond noise"."""
    rng = np.random.default_rng(18)

    def table(n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "department": rng.choice(["Sales", "R&D", "IT"], n),
                "complaint": (rng.random(n) < 0.01).astype(int),
                "rating": rng.normal(3.4, 0.8, n).round(1),
            }
        )

    train, holdout, syn = table(2_400), table(600), table(2_400)
    result = evaluate_fairness(train, holdout, syn, sensitive="department", outcome="complaint", positive=1)
    assert not result.warnings and result.notes
    assert result.summary is not None
    assert "outcome rates alone" in result.summary and "the models say nothing here" in result.summary
    assert f"{int(train['complaint'].sum()):,} training rows have complaint = 1" in result.summary


def test_a_group_without_adverse_holdout_rows_does_not_read_as_an_odds_gap() -> None:
    """Session 32 walk (customers, country × fraud, 0.5% fraud): both models predicted "no fraud" for every holdout
    row, yet the table read equalized odds difference "1.000 (0.000–0.000)" beside the note that it is 0 by
    construction. fairlearn scores a group with no fraud in the holdout at a false positive rate of 0 (the others
    at 1); that group has no such rate, and the estimate is now the same computation as its interval."""
    rng = np.random.default_rng(32)
    n = 3_000
    table = pd.DataFrame(
        {
            "country": rng.choice(["DE", "FR", "IT"], n, p=[0.5, 0.3, 0.2]),
            "balance": rng.normal(100.0, 20.0, n).round(2),
            "fraud": np.zeros(n, dtype=int),
        }
    )
    train, holdout = table.iloc[:2_400].copy(), table.iloc[2_400:].copy()
    train.loc[train.sample(12, random_state=1).index, "fraud"] = 1
    de = holdout.index[holdout["country"] == "DE"]
    holdout.loc[de[:3], "fraud"] = 1  # IT and FR hold no fraud in the holdout: no false positive rate there
    result = evaluate_fairness(train, holdout, train, sensitive="country", outcome="fraud", positive=0, seed=0)
    sf = holdout["country"].astype(str).to_numpy()
    everyone = np.ones(len(holdout), dtype=bool)
    assert equalized_odds_difference(holdout["fraud"].eq(0), everyone, sensitive_features=sf) == 1.0, "premise"
    for model in result.models:
        assert model.one_prediction and model.predicted_share == 1.0, "premise: 'no fraud' for everyone"
        assert model.equalized_odds_difference == 0.0
        assert model.demographic_parity_difference == 0.0
        assert model.eod_interval.low <= model.equalized_odds_difference <= model.eod_interval.high
