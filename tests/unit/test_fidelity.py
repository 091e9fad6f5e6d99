"""Fidelity metrics on known cases, property tests, bootstrap intervals, diagnosis, segments and binned views."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.fidelity.diagnosis import diagnose, diagnose_column, diagnose_pairs
from synth.evaluation.fidelity.scores import FIDELITY_METRICS, compare_tables, evaluate_fidelity
from synth.evaluation.fidelity.segments import Condition, segment_mask
from synth.schema import ColumnKind, ColumnSpec, Schema

SCHEMA = Schema(
    (
        ColumnSpec("a", ColumnKind.CONTINUOUS),
        ColumnSpec("b", ColumnKind.CONTINUOUS),
        ColumnSpec("c", ColumnKind.CATEGORICAL),
        ColumnSpec("d", ColumnKind.DISCRETE),
        ColumnSpec("e", ColumnKind.CATEGORICAL),
    )
)


def related_table(n: int, seed: int, noise: float = 0.1) -> pd.DataFrame:
    """b follows a, c is a's tercile, d and e are independent of everything."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    return pd.DataFrame(
        {
            "a": a,
            "b": a + noise * rng.normal(size=n),
            "c": np.where(a < -0.43, "low", np.where(a < 0.43, "mid", "high")),
            "d": rng.integers(0, 5, n),
            "e": rng.choice(["x", "y", "z"], n),
        }
    )


def quick(real: pd.DataFrame, other: pd.DataFrame, **kw: object) -> synth.FidelityResult:
    return evaluate_fidelity(real, other, schema=SCHEMA, run_sdmetrics=False, n_bootstrap=0, **kw)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- properties


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_real=st.integers(30, 300),
    n_other=st.integers(1, 300),
    seed=st.integers(0, 10_000),
    missing=st.floats(0.0, 0.5),
)
@example(n_real=30, n_other=1, seed=6, missing=0.0)  # a 1-row table once scored -2.2e-16 (float correlations)
def test_every_score_is_between_0_and_1(n_real: int, n_other: int, seed: int, missing: float) -> None:
    real = related_table(n_real, seed)
    other = related_table(n_other, seed + 1, noise=2.0)
    rng = np.random.default_rng(seed)
    other.loc[rng.random(n_other) < missing, "a"] = np.nan
    other.loc[rng.random(n_other) < missing, "c"] = None
    fid = evaluate_fidelity(
        real, other, holdout=real.iloc[: n_real // 2], schema=SCHEMA, run_sdmetrics=False, n_bootstrap=20, seed=seed
    )
    for scores in (fid.scores, fid.reference):
        assert scores is not None
        values = [scores.overall, scores.column_shapes, scores.column_pair_trends, scores.missing_values]
        values += [c.score for c in scores.columns] + [c.missing_score for c in scores.columns]
        values += [p.score for p in scores.pairs] + [p.spearman_score for p in scores.pairs if p.spearman_score]
        assert all(0.0 <= v <= 1.0 for v in values), values
        for iv in [scores.overall_interval, *(c.interval for c in scores.columns)]:
            assert iv is None or 0.0 <= iv.low <= iv.high <= 1.0
    assert all(-1.0 <= g.difference <= 1.0 for g in fid.gaps)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(20, 400), seed=st.integers(0, 10_000))
def test_identical_tables_score_exactly_one(n: int, seed: int) -> None:
    real = related_table(n, seed)
    fid = quick(real, real.sample(frac=1.0, random_state=seed).reset_index(drop=True))
    assert fid.overall == pytest.approx(1.0)
    assert all(c.score == pytest.approx(1.0) for c in fid.columns)
    assert all(p.score == pytest.approx(1.0) for p in fid.scores.pairs)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(200, 600), seed=st.integers(0, 10_000), column=st.sampled_from(["a", "b", "c"]))
def test_shuffling_one_column_loses_only_its_pairs(n: int, seed: int, column: str) -> None:
    real = related_table(n, seed)
    shuffled = real.copy()
    shuffled[column] = np.random.default_rng(seed).permutation(shuffled[column].to_numpy())
    fid = quick(real, shuffled)
    # The column's own distribution is untouched.
    assert all(c.score == pytest.approx(1.0) for c in fid.columns)
    for p in fid.scores.pairs:
        if column in (p.column_a, p.column_b):
            assert p.score <= 1.0
        else:
            assert p.score == pytest.approx(1.0), (p.column_a, p.column_b)
    # a, b and c depend on each other strongly: the pairs among them are lost.
    for partner in {"a", "b", "c"} - {column}:
        assert fid.scores.pair(column, partner).score < 0.9


# ----------------------------------------------------------------------------- known cases


def test_unrelated_noise_scores_badly() -> None:
    real = related_table(2000, 0)
    rng = np.random.default_rng(1)
    noise = pd.DataFrame(
        {
            "a": rng.uniform(50, 60, 2000),
            "b": rng.uniform(-60, -50, 2000),
            "c": rng.choice(["q", "r"], 2000),
            "d": rng.integers(100, 200, 2000),
            "e": rng.choice(["w"], 2000),
        }
    )
    fid = quick(real, noise)
    assert fid.column_shapes < 0.05
    assert fid.overall < 0.5


def test_spearman_ignores_monotone_transforms_and_pearson_does_not() -> None:
    real = related_table(3000, 2)
    other = real.copy()
    other["b"] = np.exp(3 * other["b"])  # monotone: ranks unchanged, linear correlation changed
    pearson = quick(real, other)
    spearman = quick(real, other, correlation="spearman")
    assert pearson.scores.pair("a", "b").metric == "CorrelationSimilarity"
    assert pearson.scores.pair("a", "b").score < 0.9
    assert spearman.scores.pair("a", "b").metric == "SpearmanSimilarity"
    assert spearman.scores.pair("a", "b").score == pytest.approx(1.0)
    assert pearson.scores.pair("a", "b").spearman_score == pytest.approx(1.0)
    assert spearman.association_real.method == "spearman"


def test_association_matrix_uses_r_eta_and_cramers_v() -> None:
    real = related_table(4000, 3, noise=0.0)
    fid = quick(real, real)
    m = fid.association_real.to_frame()
    assert m.loc["a", "b"] == pytest.approx(1.0)
    # c is a function of a's terciles: η of a by c is high but below 1; c and e are independent.
    groups = real.groupby("c")["a"]
    eta2 = float(
        (groups.count() * (groups.mean() - real["a"].mean()) ** 2).sum() / ((real["a"] - real["a"].mean()) ** 2).sum()
    )
    assert m.loc["a", "c"] == pytest.approx(np.sqrt(eta2))
    assert m.loc["c", "e"] < 0.05
    pair = fid.scores.pair("a", "c")
    assert (pair.metric, pair.association) == ("ContingencySimilarity", "CorrelationRatio")


def test_missing_values_are_compared() -> None:
    real = related_table(1000, 4)
    real.loc[:199, "c"] = None  # 20% missing
    other = real.copy()
    other["c"] = other["c"].fillna("mid")
    fid = quick(real, other)
    c = fid.scores.column("c")
    assert (c.missing_real, c.missing_synthetic) == (pytest.approx(0.2), 0.0)
    assert c.missing_score == pytest.approx(0.8)
    assert c.score == pytest.approx(0.8)  # missing is a category of its own: 20% of the mass moved
    assert fid.scores.missing_values == pytest.approx(1 - 0.2 / 5)


def test_compare_tables_matches_evaluate_fidelity() -> None:
    real, other = related_table(500, 5), related_table(400, 6)
    assert compare_tables(real, other, SCHEMA).overall == pytest.approx(quick(real, other).overall)


# ----------------------------------------------------------------------------- reference and intervals


def test_bootstrap_is_seeded_and_intervals_bracket_the_estimate() -> None:
    real, hold, syn = related_table(1500, 7), related_table(500, 8), related_table(1500, 9, noise=0.5)
    a = evaluate_fidelity(real, syn, holdout=hold, schema=SCHEMA, run_sdmetrics=False, n_bootstrap=60, seed=3)
    b = evaluate_fidelity(real, syn, holdout=hold, schema=SCHEMA, run_sdmetrics=False, n_bootstrap=60, seed=3)
    assert json.dumps(a.to_dict(), allow_nan=False) == json.dumps(b.to_dict(), allow_nan=False)
    iv = a.scores.overall_interval
    assert iv is not None and iv.low <= a.overall <= iv.high and iv.width < 0.1
    assert all(c.interval is not None and c.interval.low <= c.score <= c.interval.high for c in a.columns)
    assert a.n_bootstrap == 60


def test_fresh_real_data_gap_is_noise_and_a_broken_table_gap_is_real() -> None:
    df = related_table(6000, 10, noise=0.3)
    train, rest = df.iloc[:3000].reset_index(drop=True), df.iloc[3000:].reset_index(drop=True)
    holdout, fresh = rest.iloc[:1500].reset_index(drop=True), rest.iloc[1500:].reset_index(drop=True)
    fid = evaluate_fidelity(train, fresh, holdout=holdout, schema=SCHEMA, run_sdmetrics=False, seed=0)
    gap = fid.gap("overall")
    assert gap is not None and gap.is_real is False and "noise" in gap.verdict()
    broken = fresh.copy()
    broken["b"] = np.random.default_rng(0).permutation(broken["b"].to_numpy())
    fid = evaluate_fidelity(train, broken, holdout=holdout, schema=SCHEMA, run_sdmetrics=False, seed=0)
    gap = fid.gap("column_pair_trends")
    assert gap is not None and gap.is_real is True and gap.difference < 0


def test_large_tables_bootstrap_on_a_subsample() -> None:
    real, syn = related_table(3000, 11), related_table(3000, 12)
    full = evaluate_fidelity(real, syn, schema=SCHEMA, run_sdmetrics=False, n_bootstrap=80, seed=0)
    sub = evaluate_fidelity(real, syn, schema=SCHEMA, run_sdmetrics=False, n_bootstrap=80, seed=0, bootstrap_rows=1000)
    assert sub.overall == full.overall  # point estimates always use every row
    w_full, w_sub = full.scores.overall_interval, sub.scores.overall_interval
    assert w_full is not None and w_sub is not None
    assert 0.5 < w_sub.width / w_full.width < 2.0  # the rescaled spread matches the full bootstrap's


def test_result_is_strict_json_and_metrics_are_declared() -> None:
    real = related_table(300, 13)
    fid = evaluate_fidelity(real, real, holdout=real, schema=SCHEMA, run_sdmetrics=False, n_bootstrap=20)
    text = json.dumps(fid.to_dict(), allow_nan=False)
    assert '"column_shapes"' in text
    names = [m.name for m in FIDELITY_METRICS]
    assert len(names) == len(set(names))
    assert all(m.goal in ("maximize", "minimize") and m.low < m.high and m.kinds for m in FIDELITY_METRICS)


def test_sdmetrics_sees_a_sample_of_a_large_table_and_its_diagnostic(adult_small: pd.DataFrame) -> None:
    fid = synth.evaluate_fidelity(adult_small, adult_small, n_bootstrap=0, sdmetrics_max_rows=1000)
    assert fid.sdmetrics is not None, fid.sdmetrics_error
    assert fid.sdmetrics.n_synthetic_rows == 1000
    assert fid.sdmetrics.data_validity == pytest.approx(1.0)
    assert fid.sdmetrics.data_structure == pytest.approx(1.0)


def test_bad_input_is_a_clear_error() -> None:
    """The words the evaluation context uses (synth.ContextError, with what to do), here too."""
    real = related_table(100, 14)
    with pytest.raises(synth.ContextError, match="lacks columns of the real one: c; sample again from a model"):
        quick(real, real.drop(columns="c"))
    with pytest.raises(synth.ContextError, match="the holdout lacks columns of the real table: c; pass the holdout"):
        quick(real, real, holdout=real.drop(columns="c"))
    with pytest.raises(synth.ContextError, match="the synthetic one has none: sample rows from the model"):
        quick(real, real.iloc[:0])
    with pytest.raises(synth.ContextError, match="not 'kendall': pass one of them"):
        quick(real, real, correlation="kendall")


# ----------------------------------------------------------------------------- diagnosis


def test_diagnosis_names_the_lost_spike_the_share_shift_and_the_missing_rate() -> None:
    rng = np.random.default_rng(0)
    n = 5000
    real = pd.Series(np.where(rng.random(n) < 0.9, 0, rng.integers(1000, 50_000, n)), name="capital_gain")
    syn = pd.Series(rng.integers(0, 50_000, n), name="capital_gain")
    messages = [f.message for f in diagnose_column(real, syn, ColumnKind.DISCRETE)]
    assert any("synthetic lacks the spike at 0 that holds 90" in m for m in messages), messages
    # A negative value reads with a true minus sign (a hyphen read as a dash in the sentence).
    negative = [f.message for f in diagnose_column(real - 5, syn, ColumnKind.DISCRETE)]
    assert any("spike at −5 " in m for m in messages + negative) and not any("-5" in m for m in negative), negative

    real_c = pd.Series(np.where(rng.random(n) < 0.6, "Never-married", "Married"), name="marital")
    syn_c = pd.Series(np.where(rng.random(n) < 0.3, "Never-married", "Married"), name="marital")
    findings = diagnose_column(real_c, syn_c, ColumnKind.CATEGORICAL)
    pattern = re.compile(
        r"category 'Never-married' is (5[5-9]|6[0-5])\.\d% of real marital but (2[5-9]|3[0-5])\.\d% of synthetic"
    )
    share = [f for f in findings if f.check == "share" and pattern.search(f.message)]
    assert share and share[0].suggestion, [f.message for f in findings]

    real_m = pd.Series(np.where(rng.random(n) < 0.1, None, "x"), name="occupation")
    syn_m = pd.Series(["x"] * n, name="occupation")
    findings = diagnose_column(real_m, syn_m, ColumnKind.CATEGORICAL)
    assert any(f.check == "missing" and "vs 0.0% synthetic" in f.message for f in findings)


def test_diagnose_explains_the_worst_columns_first() -> None:
    real = related_table(2000, 15)
    syn = real.copy()
    syn["e"] = "x"  # categories lost
    fid = quick(real, syn)
    out = diagnose(real, syn, schema=SCHEMA, fidelity=fid, top=2)
    assert out[0].column == "e"
    assert any(f.check == "lost" for f in out[0].findings)
    assert diagnose_pairs(fid, top=1)[0].message


def test_a_column_turned_into_the_rare_category_bucket_is_explained_as_such() -> None:
    """Real postcodes mostly held by one row each; the synthesizer's "(other)" bucket in their place. "Use a
    synthesizer that keeps every category (CART)" was the advice, and CART buckets them too by default."""
    from synth.evaluation.fidelity.diagnosis import diagnose_column
    from synth.schema import ColumnKind

    rng = np.random.default_rng(0)
    real = pd.Series([f"{x:05d}" for x in rng.integers(0, 3_000, 2_000)])
    syn = real.where(real.map(real.value_counts()) >= 5, "(other)")
    findings = diagnose_column(real, syn, ColumnKind.CATEGORICAL)
    assert findings[0].check == "bucket" and "'(other)'" in findings[0].message
    assert findings[0].severity >= (syn == "(other)").mean()
    assert not any(f.check == "invented" for f in findings)
    lost = next(f for f in findings if f.check == "lost")
    assert "CART" not in lost.suggestion and "coarser version" in lost.suggestion
    # A real "(other)" category is a category like any other: nothing about a bucket.
    real_other = pd.Series(["(other)", "a", "b"] * 300)
    assert not any(
        f.check == "bucket" for f in diagnose_column(real_other, real_other.iloc[::-1], ColumnKind.CATEGORICAL)
    )


def test_a_wide_tables_pairs_are_those_among_a_seeded_sample_of_columns() -> None:
    """2,000 columns make 2 million pairs: scored with their bootstrap replicates they took 24 GB and the
    evaluation was killed; sdmetrics' report, which scores every pair, alone ran for minutes."""
    from synth.evaluation.fidelity.batch import PAIRED_COLUMNS, _pairs, pair_count

    assert _pairs(40) == [(i, j) for i in range(40) for j in range(i + 1, 40)]  # narrow tables: every pair
    rng = np.random.default_rng(0)
    k = 300
    real = pd.DataFrame(rng.integers(0, 5, (240, k)), columns=[f"c{i}" for i in range(k)])
    synthetic = pd.DataFrame(rng.integers(0, 5, (240, k)), columns=real.columns)
    result = synth.evaluate_fidelity(real.iloc[:160], synthetic, holdout=real.iloc[160:], n_bootstrap=5)
    assert len(result.scores.pairs) == pair_count(PAIRED_COLUMNS) < result.pairs_total == pair_count(k)
    assert len(result.association_real.columns) == PAIRED_COLUMNS
    assert np.isfinite(result.association_real.to_frame().to_numpy()).all()  # every pair shown was scored
    assert result.pairs_note is not None and f"{pair_count(k):,} column pairs" in result.pairs_note
    assert result.sdmetrics is None and "scores every one" in (result.sdmetrics_error or "")
    again = synth.evaluate_fidelity(real.iloc[:160], synthetic, holdout=real.iloc[160:], n_bootstrap=5)
    assert again.association_real.columns == result.association_real.columns  # the same sample every time
    narrow = synth.evaluate_fidelity(real.iloc[:160, :30], synthetic.iloc[:, :30], n_bootstrap=0, run_sdmetrics=False)
    assert narrow.pairs_note is None and len(narrow.scores.pairs) == pair_count(30)


def test_accuracy_draws_its_triples_of_a_wide_table_without_listing_them() -> None:
    from synth.evaluation.fidelity.accuracy import _combos

    combos, possible = _combos(2000, 3, 1000, np.random.default_rng(0))  # 1.3 billion triples
    assert possible == 1_331_334_000 and len(combos) == len(set(combos)) == 1000
    assert all(0 <= a < b < c < 2000 for a, b, c in combos)
    small, n = _combos(20, 3, 100, np.random.default_rng(0))
    assert n == 1140 and len(small) == 100  # below the listing limit: drawn from the list, as before


def test_a_bucketed_column_is_never_summed_up_as_differing_no_more_than_fresh_data() -> None:
    """The headline called job_title distinguishable (8.6% '(other)') while its diagnosis ended "yet fresh real
    data differs as much": the shape score reads the bucket as one more category, as fresh data's unseen tail."""
    rng = np.random.default_rng(0)
    codes = np.array([f"{x:05d}" for x in range(3_000)])
    train = pd.DataFrame({"postcode": rng.choice(codes, 2_000), "n": rng.integers(0, 9, 2_000)})
    holdout = pd.DataFrame({"postcode": rng.choice(codes, 1_000), "n": rng.integers(0, 9, 1_000)})
    syn = train.sample(frac=1.0, random_state=1).reset_index(drop=True)
    counts = train["postcode"].value_counts()
    syn["postcode"] = syn["postcode"].where(syn["postcode"].map(counts) >= 2, "(other)")
    schema = synth.infer_schema(train).with_column("postcode", kind=ColumnKind.CATEGORICAL)
    fidelity = evaluate_fidelity(train, syn, holdout=holdout, schema=schema, n_bootstrap=30, run_sdmetrics=False)
    gap = fidelity.gap("postcode")
    assert gap is not None and (gap.is_real is False or gap.difference >= 0)  # the score sees no more than noise
    (column,) = diagnose(train, syn, schema=schema, fidelity=fidelity, columns=["postcode"])
    assert column.findings[0].check == "bucket"
    assert "differs as much" not in column.summary and "placeholder" in column.summary
    assert column.as_fresh and column.suggestion == column.findings[0].suggestion  # fresh rows hold no bucket


def test_a_column_as_close_as_fresh_data_is_offered_nothing_to_try() -> None:
    """The survey walk's country read "yet fresh real data differs as much" above "Try: a synthesizer that samples
    categories from their real frequencies": a shift the holdout shows as well is noise, with nothing to fix. The
    same shift made large is beyond noise and keeps its suggestion."""
    rng = np.random.default_rng(27)
    shares = [0.3, 0.25, 0.2, 0.15, 0.1]
    countries = np.array(["UK", "US", "FR", "DE", "ES"])

    def table(n: int, p: list[float]) -> pd.DataFrame:
        return pd.DataFrame({"country": rng.choice(countries, n, p=p), "n": rng.integers(0, 9, n)})

    train, holdout = table(2_000, shares), table(500, shares)
    schema = synth.infer_schema(train)
    for p, as_fresh in ((shares, True), ([0.1, 0.25, 0.2, 0.15, 0.3], False)):
        syn = table(2_000, p)
        fidelity = evaluate_fidelity(train, syn, holdout=holdout, schema=schema, n_bootstrap=30, run_sdmetrics=False)
        (column,) = diagnose(train, syn, schema=schema, fidelity=fidelity, columns=["country"])
        assert column.as_fresh is as_fresh and column.findings
        assert (column.suggestion is None) is as_fresh
        assert ("differs as much" in column.summary) is as_fresh


def test_large_values_in_a_diagnosis_read_as_numbers_not_exponents() -> None:
    """Session 18 walk, an HR table's salaries (in cents): "99th percentile 1.042e+06 vs real 2.046e+05"."""
    from synth.evaluation.fidelity.diagnosis import diagnose_column
    from synth.schema import ColumnKind

    rng = np.random.default_rng(18)
    real = pd.Series(np.round(np.exp(rng.normal(11.0, 0.45, 3_000)), 2), name="salary")
    syn = real.copy()
    syn.iloc[:150] = np.round(rng.uniform(900_000.0, 1_500_000.0, 150), 2)  # a tail 5 times too long
    findings = diagnose_column(real, syn, ColumnKind.CONTINUOUS)
    tail = next(f for f in findings if "upper tail" in f.message)
    assert not re.search(r"\de[+-]\d", tail.message), tail.message
    assert re.search(r"99th percentile \d{1,3}(,\d{3})+ vs real \d{1,3}(,\d{3})+", tail.message), tail.message


def test_a_date_condition_reads_text_dates_in_their_recorded_format() -> None:
    """Session 18 walk: dates kept as text from a decimal-comma CSV ("23.12.2010"). A subgroup by date read each
    table by pandas' guess from its first value: a table starting "05.06.2016" was read month first, so its rows
    landed in the wrong segment or in none."""

    rng = np.random.default_rng(18)
    days = pd.Timestamp("2005-01-01") + pd.to_timedelta(rng.integers(0, 7_000, 1_000), unit="D")
    table = pd.DataFrame({"hire_date": days.strftime("%d.%m.%Y"), "team": rng.choice(["a", "b"], 1_000)})
    table.loc[0, "hire_date"] = "23.12.2010"
    schema = synth.infer_schema(table)
    assert schema["hire_date"].datetime_format == "%d.%m.%Y"
    ambiguous = table.copy()
    ambiguous.loc[0, "hire_date"] = "05.06.2016"  # read month first when guessed from it
    truth = pd.to_datetime(ambiguous["hire_date"], format="%d.%m.%Y") >= pd.Timestamp("2015-01-01")
    mask = segment_mask(ambiguous, [Condition("hire_date", ">=", "2015-01-01")], schema)
    assert (mask == truth.to_numpy()).all(), int((mask != truth.to_numpy()).sum())


def test_text_dates_score_as_the_same_dates_stored_as_dates() -> None:
    """Session 18 walk: the same HR table from its .xlsx (dates) and its decimal-comma CSV (text "23.12.2010")
    gave different pair trends for every pair with a date: the coding read text dates by pandas' mixed guess,
    month first where the day allowed it."""
    from synth.evaluation.fidelity.scores import evaluate_fidelity

    rng = np.random.default_rng(18)

    def table(n: int) -> pd.DataFrame:
        days = pd.Timestamp("2005-01-01") + pd.to_timedelta(rng.integers(0, 7_000, n), unit="D")
        amount = rng.gamma(2.0, 100.0, n).round(2) + (days.year.to_numpy() - 2000) * 10.0
        return pd.DataFrame({"hire_date": days, "amount": amount, "team": rng.choice(["a", "b", "c"], n)})

    real, synthetic = table(1_500), table(1_500)
    real.loc[0, "hire_date"] = pd.Timestamp("2010-12-23")
    synthetic.loc[0, "hire_date"] = pd.Timestamp("2016-06-05")
    as_text = [t.assign(hire_date=t["hire_date"].dt.strftime("%d.%m.%Y")) for t in (real, synthetic)]
    dated = evaluate_fidelity(real, synthetic, schema=synth.infer_schema(real), n_bootstrap=0)
    text_schema = synth.infer_schema(as_text[0])
    assert text_schema["hire_date"].datetime_format == "%d.%m.%Y"
    texted = evaluate_fidelity(as_text[0], as_text[1], schema=text_schema, n_bootstrap=0)
    pairs = {(p.column_a, p.column_b): p.score for p in dated.scores.pairs}
    assert {(p.column_a, p.column_b): p.score for p in texted.scores.pairs} == pytest.approx(pairs)
    assert texted.scores.overall == pytest.approx(dated.scores.overall)


def test_lost_relationships_are_those_fresh_real_data_keeps() -> None:
    """A pair of two mostly missing columns scores low for fresh real data too (a few rows in common): it was
    listed first as "lost" and opened the pair explorer (an HR table's termination date × commute, 40 rows in
    common). Pairs are ranked by how far they fall below the holdout's score for the same pair."""
    rng = np.random.default_rng(7)
    n = 3_000

    def table(rho: float, sparse_sign: float) -> pd.DataFrame:
        a = rng.normal(size=n)
        b = rho * a + np.sqrt(1 - rho**2) * rng.normal(size=n)
        c = np.full(n, np.nan)
        d = np.full(n, np.nan)
        few = rng.choice(n, 30, replace=False)
        c[few] = rng.normal(size=30)
        d[few] = sparse_sign * c[few] + 0.2 * rng.normal(size=30)
        return pd.DataFrame({"a": a, "b": b, "c": c, "d": d})

    train, holdout, synthetic = table(0.5, 1.0), table(0.5, -1.0), table(0.2, -1.0)
    result = evaluate_fidelity(train, synthetic, holdout=holdout, run_sdmetrics=False, n_bootstrap=0)
    by_score = sorted(result.scores.pairs, key=lambda p: p.score)
    assert {by_score[0].column_a, by_score[0].column_b} == {"c", "d"}, "the premise: the sparse pair scores lowest"
    worst = result.worst_pairs()[0]
    assert {worst.column_a, worst.column_b} == {"a", "b"}
    message = diagnose_pairs(result, top=1)[0].message
    assert message.startswith("a × b") and "fresh real data scores" in message


def test_a_score_above_the_holdouts_is_never_called_better_than_fresh_data() -> None:
    """A segment's 180 holdout rows against 747 synthetic ones read "better than fresh real data, beyond noise" on
    every walk table (session 25): above the holdout says closeness to train, not quality. Since session 26 both
    sides are scored at the same row count (test_same_size.py), so the words no longer blame the holdout's size."""
    from synth.evaluation.fidelity.results import ScoreGap
    from synth.evaluation.results import Interval

    above = ScoreGap("column_shapes", "summary", 0.9, 0.85, 0.05, Interval(0.02, 0.08)).verdict()
    assert "better" not in above and "closer to the training rows" in above and "by chance" not in above
    assert "of the same row count" in above and "copied from train" in above
    below = ScoreGap("column_shapes", "summary", 0.8, 0.85, -0.05, Interval(-0.08, -0.02)).verdict()
    assert below.endswith("worse than fresh real data, beyond noise")
    noise = ScoreGap("column_shapes", "summary", 0.86, 0.85, 0.01, Interval(-0.02, 0.04)).verdict()
    assert noise.endswith("within sampling noise")


def test_a_date_columns_spread_reads_as_a_duration_not_a_date() -> None:
    """The session-25 walk read "termination_date … interquartile range 1976-01-17 vs real 1974-06-11": the spread,
    nanoseconds since 1970, printed as a date."""
    rng = np.random.default_rng(4)
    start = pd.Timestamp("2015-01-01")
    real = pd.Series(start + pd.to_timedelta(rng.uniform(0, 12 * 365.25, 2_000), unit="D"), name="termination_date")
    syn = pd.Series(start + pd.to_timedelta(rng.uniform(0, 5 * 365.25, 2_000), unit="D"), name="termination_date")
    spread = next(f for f in diagnose_column(real, syn, ColumnKind.DATETIME) if f.check == "spread")
    quoted = re.search(r"interquartile range (.*) vs real (.*)$", spread.message)
    assert quoted is not None, spread.message
    syn_years, real_years = (float(re.fullmatch(r"([\d.]+) years", q).group(1)) for q in quoted.groups())  # type: ignore[union-attr]
    assert abs(real_years - 6.0) < 0.4 and abs(syn_years - 2.5) < 0.2, spread.message
    # Shorter spreads in shorter units, never as dates.
    hours = pd.Series(start + pd.to_timedelta(rng.uniform(0, 40, 2_000), unit="h"), name="t")
    narrow = pd.Series(start + pd.to_timedelta(rng.uniform(0, 4, 2_000), unit="h"), name="t")
    message = next(f for f in diagnose_column(hours, narrow, ColumnKind.DATETIME) if f.check == "spread").message
    assert re.search(r"range [\d.]+ hours vs real [\d.]+ hours$", message), message


@pytest.mark.parametrize("lost", [1, 3])
def test_lost_categories_read_for_any_column_name(lost: int) -> None:
    """A column named "category" read "3 real category categories never appear"."""
    real = pd.Series(["a", "b", "c", "d", "e"] * 200, name="category")
    syn = real.replace({x: "a" for x in "bcde"[:lost]})
    message = next(f for f in diagnose_column(real, syn, ColumnKind.CATEGORICAL) if f.check == "lost").message
    words = "1 real category of category never appears" if lost == 1 else "3 real categories of category never appear"
    assert message.startswith(words + " in synthetic"), message


def test_lost_categories_held_by_few_real_rows_are_counted_not_named() -> None:
    """The session-31 customers walk: Compare's "Why do the worst columns differ?" read "10 real categories of store
    never appear in synthetic ('Tokelau Stand', 'Tuvalu Shop', 'Palau Corner'; ...)", stores held by 2 and 3 rows."""
    rng = np.random.default_rng(31)
    rare = {"Tokelau Stand": 3, "Tuvalu Shop": 2, "Palau Corner": 1}
    common = list(rng.choice(["Region A", "Region B", "Region C"], 1_000))
    real = pd.Series(common + ["Region D"] * 12 + [c for c, n in rare.items() for _ in range(n)], name="store")
    syn = pd.Series(rng.choice(["Region A", "Region B", "Region C", "(other)"], 1_000), name="store")
    message = next(f for f in diagnose_column(real, syn, ColumnKind.CATEGORICAL) if f.check == "lost").message
    assert not any(c in message for c in rare), message
    # a category 12 rows hold is still named, and the count stays whole
    assert message.startswith(
        "4 real categories of store never appear in synthetic ('Region D', 3 held by fewer "
        "than 10 real rows each, not named;"
    ), message
    only_rare = real[~real.isin(["Region D"])]
    message = next(f for f in diagnose_column(only_rare, syn, ColumnKind.CATEGORICAL) if f.check == "lost").message
    assert message.startswith("3 real categories of store never appear in synthetic (each held by fewer than 10 "), (
        message
    )
