"""Pruned CART: pruned trees on coarse predictors, rare numeric values redrawn inside their leaf."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.tree import DecisionTreeRegressor

import synth
from synth.synthesizers.cart import FlatTree, SequentialCART
from synth.synthesizers.pruned_cart import PrunedCART, compact, locally_pruned


def people(n: int, seed: int) -> pd.DataFrame:
    """Adult-like: categories that shape an income flag, a near-unique weight, an amount that is mostly zero."""
    rng = np.random.default_rng(seed)
    job = rng.choice(["clerk", "manager", "farmer", "nurse"], n, p=[0.4, 0.2, 0.1, 0.3])
    age = rng.integers(18, 80, n)
    hours = np.where(job == "farmer", 55, 40) + rng.integers(-5, 6, n)
    rich = rng.random(n) < np.where(job == "manager", 0.5, 0.1) + 0.003 * (age - 18)
    weight = np.round(rng.lognormal(12.0, 0.5, n))  # near-unique, like Adult's fnlwgt
    gain = np.where(rng.random(n) < np.where(rich, 0.3, 0.03), np.round(rng.lognormal(8.5, 1.0, n)), 0.0)
    return pd.DataFrame({"rich": rich, "job": job, "age": age, "weight": weight, "hours": hours, "gain": gain})


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return people(4000, seed=0)


def test_no_rare_training_value_reappears(train: pd.DataFrame) -> None:
    """The promise in the docstring, attacked: look for every rare training weight and gain in a large sample."""
    model = synth.create("pruned_cart").fit(train)
    syn = model.sample(50_000, seed=1)
    for column in ("weight", "gain"):
        counts = train[column].value_counts()
        rare = set(counts.index[counts < model.smooth_below])
        assert rare, f"the fixture must hold rare {column} values"
        drawn = syn[column].to_numpy()
        # Integers are rounded after the draw, so the test looks at the continuous draw's effect: an exact rare
        # training value can reappear only by rounding, as often as its neighbours do, never by copying.
        copied = np.isin(drawn, list(rare)).mean()
        neighbours = np.isin(drawn, list({v + 1 for v in rare} - set(counts.index))).mean()
        assert copied <= 3 * neighbours + 1e-3, (
            f"{column}: rare training values reappear {copied:.4f} vs {neighbours:.4f}"
        )


def test_plain_cart_does_copy_rare_values(train: pd.DataFrame) -> None:
    """The attack above can fail: CART with its own smoothing off copies rare weights one for one."""
    syn = synth.create("cart", smooth_below=0).fit(train).sample(50_000, seed=1)
    counts = train["weight"].value_counts()
    rare = counts.index[counts < 20]
    assert np.isin(syn["weight"].to_numpy(), rare).mean() > 0.5


def test_synthetic_rows_are_no_closer_to_training_than_fresh_rows(train: pd.DataFrame) -> None:
    """Pruning is what moves synthetic rows away from training rows: attacked with the DCR share (0.5 is ideal)."""
    holdout = people(4000, seed=1)

    def share(name: str, **params: object) -> float:
        syn = synth.create(name, **params).fit(train).sample(len(train), seed=2)
        return synth.evaluate_privacy(train, syn, holdout=holdout).dcr_share

    cart = share("cart")
    # The default: numbers pruned against each node's own variance (prune_numbers_locally = 7), rows refined.
    default = share("pruned_cart")
    # The pruning variants are compared without refinement (which moves each by a few thousandths): pruning is
    # the subject here.
    column_wide = share("pruned_cart", prune_numbers_locally=0.0, refine=False)  # every tree at prune_per_row 3.5
    # 8 rows' worth on 4,000, every tree against its column's impurity
    strong = share("pruned_cart", prune_per_row=0.0, prune=2e-3, prune_numbers_locally=0.0, refine=False)
    assert default < 0.53 and strong < 0.53, (default, strong)
    assert strong < column_wide < cart and default < cart - 0.03, (strong, column_wide, default, cart)
    undone = share(
        "pruned_cart",
        prune_per_row=0.0,
        prune=0.0,
        prune_numbers_locally=0.0,
        smooth_below=0,
        min_samples_leaf=5,
        refine=False,
    )
    assert undone > cart, "the knobs can be undone"


def test_fidelity_is_kept(train: pd.DataFrame) -> None:
    syn = synth.create("pruned_cart").fit(train).sample(20_000, seed=3)
    by_job_real = train.groupby("job")["rich"].mean()
    by_job_syn = syn.groupby("job")["rich"].mean()
    np.testing.assert_allclose(by_job_syn[by_job_real.index], by_job_real, atol=0.04)
    assert syn["weight"].median() == pytest.approx(train["weight"].median(), rel=0.05)
    assert (syn["gain"] == 0).mean() == pytest.approx((train["gain"] == 0).mean(), abs=0.02)
    assert syn["age"].between(train["age"].min(), train["age"].max()).all()


def test_is_a_cart_and_round_trips(tmp_path, train: pd.DataFrame) -> None:
    model = synth.create("pruned_cart", min_samples_leaf=30).fit(train)
    assert isinstance(model, PrunedCART)
    path = tmp_path / "m.synth"
    model.save(path)
    loaded = synth.load_model(path)
    pd.testing.assert_frame_equal(model.sample(500, seed=4), loaded.sample(500, seed=4))


def test_thresholds_on_bins_route_raw_values_like_the_binned_tree() -> None:
    from sklearn.tree import DecisionTreeRegressor

    from synth.synthesizers.cart_steps import FlatTree, missing_as_lowest, missing_kept_low
    from synth.synthesizers.pruned_cart import raw_thresholds

    rng = np.random.default_rng(5)
    x = np.column_stack([rng.lognormal(3, 1, 3000), rng.integers(0, 5, 3000)]).astype(np.float32)
    x[rng.random(3000) < 0.05, 0] = np.nan
    y = np.nan_to_num(x[:, 0], nan=7.0) * (1 + x[:, 1]) + rng.normal(0, 1, 3000)
    model = synth.create("pruned_cart", predictor_bins=8)
    assert isinstance(model, PrunedCART)
    edges = [model._predictor_edges(x[:, 0]), model._predictor_edges(x[:, 1])]
    assert edges[0] is not None and len(edges[0]) == 7
    assert edges[1] is None, "five distinct values need no bins"
    binned = x.copy()
    binned[:, 0] = np.searchsorted(edges[0], x[:, 0], side="left")
    binned[np.isnan(x[:, 0]), 0] = np.nan
    filled, lows = missing_as_lowest(binned)
    tree = DecisionTreeRegressor(min_samples_leaf=20, random_state=0).fit(filled, y).tree_
    fresh = np.column_stack([rng.lognormal(3, 1, 5000), rng.integers(0, 5, 5000)]).astype(np.float32)
    fresh[:100, 0] = np.nan
    fresh[100:200, 0] = edges[0][rng.integers(0, len(edges[0]), 100)]  # values exactly on an edge
    fresh_binned = fresh.copy()
    fresh_binned[:, 0] = np.searchsorted(edges[0], fresh[:, 0], side="left")
    fresh_binned[:100, 0] = lows[0] - 1  # below every bin, as the missing values the tree was fitted on
    flat = raw_thresholds(missing_kept_low(FlatTree.from_sklearn(tree), lows), edges)
    np.testing.assert_array_equal(flat.apply(fresh), tree.apply(fresh_binned))
    np.testing.assert_array_equal(flat.route(fresh), tree.apply(fresh_binned))


def test_pruning_and_bins_make_fewer_broader_leaves(train: pd.DataFrame) -> None:
    def leaves(model: SequentialCART) -> int:
        return sum(int((s.tree.children_left < 0).sum()) for s in model.steps_ if s.tree is not None)

    # Regression trees for every number (as when this was written): pruning halves the leaves. Numbers with few
    # values now get classification trees (classify_up_to), whose Gini gains the fixed threshold prunes less of.
    for up_to, share in ((0, 0.5), (32, 0.6)):
        kept = {"classify_up_to": up_to, "min_samples_leaf": 10, "prune_per_row": 0.0, "prune_numbers_locally": 0.0}
        kept["split_first"] = False  # one tree per column, as when this was written
        plain = synth.create("pruned_cart", prune=0.0, predictor_bins=0, **kept).fit(train)
        pruned = synth.create("pruned_cart", predictor_bins=16, **kept).fit(train)
        assert isinstance(plain, SequentialCART) and isinstance(pruned, SequentialCART)
        assert leaves(pruned) < leaves(plain) * share
    bins = int(pruned.predictor_bins)
    for step in pruned.steps_:
        if step.tree is None:
            continue
        inner = step.tree.children_left >= 0
        for feature in np.unique(step.tree.feature[inner]):
            cuts = np.unique(step.tree.threshold[inner & (step.tree.feature == feature)])
            assert len(cuts) <= bins - 1, "a tree on binned predictors cuts only at bin edges"


def test_prune_per_row_is_prune_over_the_rows_a_tree_sees(train: pd.DataFrame) -> None:
    """``prune_per_row = k`` is ``prune = k / rows``, on every table size: the same trees, the same rows. (With
    ``split_first`` each subtree is pruned by the rows it sees, k / rows of its side: one tree per column here.)"""
    for rows in (len(train), len(train) // 2):
        part = train.iloc[:rows]
        one = {"split_first": False}
        per_row = synth.create("pruned_cart", prune_per_row=2.5, **one).fit(part).sample(500, seed=4)
        fixed = synth.create("pruned_cart", prune_per_row=0.0, prune=2.5 / rows, **one).fit(part).sample(500, seed=4)
        pd.testing.assert_frame_equal(per_row, fixed)
    fixed = synth.create("pruned_cart", prune_per_row=0.0).fit(train).sample(500, seed=4)  # prune = 2e-4
    assert not fixed.equals(synth.create("pruned_cart", prune_per_row=2.5).fit(train).sample(500, seed=4))


def test_prune_per_row_keeps_rows_farther_from_training_than_cart(train: pd.DataFrame) -> None:
    """The size-adapted pruning, attacked with the DCR share on a 4,000-row table (where 2e-4 is weak)."""
    holdout = people(4000, seed=1)

    def share(name: str, **params: object) -> float:
        syn = synth.create(name, **params).fit(train).sample(len(train), seed=2)
        return synth.evaluate_privacy(train, syn, holdout=holdout).dcr_share

    cart = share("cart")
    adapted = share("pruned_cart", prune_per_row=2.5)
    assert adapted < cart - 0.02, (adapted, cart)


def test_prune_per_row_neither_stores_nor_copies_a_planted_canary(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The canary attacks of test_model_files, on the size-adapted setting (strong pruning on a 700-row table).

    The file holds no canary and no text canary is emitted. A planted age lies inside the top band of pooled rare
    ages: at this setting a draw from that band rounds to 117 about once in 20,000 rows, as often as to 116 or 118
    (measured: 1, 3, 2), so the number canaries are held to the documented promise: never copied, no more often
    than their neighbours. The default setting emits none in the same test by chance (0 at 117, 2 at 118).
    """
    from tests.unit.test_model_files import CANARIES, NUMBER_CANARIES, TEXT_CANARIES, _archive, _numbers, _strings
    from tests.unit.test_model_files import _table as canary_table

    table = canary_table()
    model = synth.create("pruned_cart", prune_per_row=2.5).fit(table)
    text, manifest, arrays = _archive(model, tmp_path / "m.synth")
    strings, numbers = _strings(text, manifest, arrays), _numbers(manifest, arrays)
    syn = model.sample(20_000, seed=1)
    for canary in CANARIES:
        for column in TEXT_CANARIES:
            assert canary[column] not in strings, (column, canary[column])
        for column in NUMBER_CANARIES:
            assert not np.isclose(numbers, canary[column], rtol=0, atol=1e-9).any(), (column, canary[column])
        for column in (*TEXT_CANARIES, "day"):
            assert not (syn[column] == canary[column]).any(), (column, canary[column])
    ages = syn["age"].value_counts()
    for canary in CANARIES:
        age = int(canary["age"])
        neighbours = max(int(ages.get(age - 1, 0)), int(ages.get(age + 1, 0)))
        assert int(ages.get(age, 0)) <= 3 * neighbours + 2, (age, ages.get(age, 0), neighbours)
    assert not np.isclose(syn["amount"].to_numpy(), [[c["amount"]] for c in CANARIES], rtol=0, atol=1e-6).any()


def test_the_default_sits_near_fresh_data_in_accuracy_and_no_closer_to_training_on_adult() -> None:
    """The Synthesize page's claim for its default, attacked on MOSTLY AI's Adult split (24,421 + 24,421 rows) with
    our own scores: accuracy near the holdout's and not above it (0.978-0.979 by mostlyai-qa against 0.982; until
    session 9 balanced draws read as good as fresh data, see synth.synthesizers.cart "Donor draws"), and a DCR share
    near 0.5 (within 0.02), where plain CART is clearly closer to its training rows."""
    from synth.evaluation.fidelity.accuracy import evaluate_accuracy
    from tests.conftest import SHARED_DATASETS

    peers = SHARED_DATASETS / "adult-peers"
    if not peers.is_dir():
        pytest.skip("shared datasets not present")
    train, holdout = (pd.read_csv(peers / f"adult_{part}.csv.gz") for part in ("trn", "val"))
    schema = synth.infer_schema(train)

    def sample(name: str, **params: object) -> pd.DataFrame:
        return synth.create(name, **params).fit(train, schema).sample(len(train), seed=1)

    default, cart = sample("pruned_cart"), sample("cart")
    assert synth.create("pruned_cart").draws == "random"  # independent rows: held-out checks read them right
    accuracy = evaluate_accuracy(train, default, holdout=holdout, schema=schema)
    assert accuracy.overall_reference is not None
    # Ours reads 0.9792 against the holdout's 0.9790 here (0.9785 before refinement, session 11): within 0.006 of
    # fresh data, and not above it by more than the spread of a draw (0.002; its 95% interval is ±0.0023).
    assert accuracy.overall_reference - 0.006 <= accuracy.overall <= accuracy.overall_reference + 0.002, (
        accuracy.to_dict()
    )
    share = synth.evaluate_privacy(train, default, holdout=holdout, schema=schema).dcr_share
    cart_share = synth.evaluate_privacy(train, cart, holdout=holdout, schema=schema).dcr_share
    # Our DCR share (full train against a holdout-sized train sample) reads 0.509-0.518 over three draws here,
    # mostlyai-qa's 0.511 (random draws, seeds 0 and 2); plain CART 0.546.
    assert share < 0.52 and share < cart_share - 0.02, (share, cart_share)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), strength=st.floats(0.0, 50.0), signal=st.floats(0.0, 5.0))
def test_local_pruning_only_merges_leaves(seed: int, strength: float, signal: float) -> None:
    """For any tree and strength, the pruned tree is the fitted one with whole subtrees made leaves: rows that shared
    a leaf still do, compiled and numpy routing agree, and a stronger setting never keeps more leaves."""
    rng = np.random.default_rng(seed)
    x = rng.random((800, 3)).astype(np.float32)
    y = signal * x[:, 0] + rng.normal(0.0, 1.0, 800)
    fitted = DecisionTreeRegressor(min_samples_leaf=10, random_state=0).fit(x, y).tree_
    flat = FlatTree.from_sklearn(fitted)
    pruned = compact(flat, locally_pruned(fitted, strength))
    before, after = flat.apply(x), pruned.apply(x)
    np.testing.assert_array_equal(after, pruned.route(x))
    pairs = pd.DataFrame({"before": before, "after": after}).drop_duplicates()
    assert pairs["before"].is_unique  # each fitted leaf lands in one pruned leaf
    stronger = compact(flat, locally_pruned(fitted, strength + 5.0))
    assert (stronger.children_left < 0).sum() <= (pruned.children_left < 0).sum()


def test_local_pruning_keeps_a_total_and_drops_noise() -> None:
    """A total of two parts is nearly determined by them: pruned against each node's own spread, its tree keeps the
    fine splits that pruning against the whole column's variance drops (the synthetic total sits closer to the sum
    of its synthetic parts), while a number unrelated to the columns before it keeps fewer of its noise splits."""
    rng = np.random.default_rng(0)
    n = 4000
    a, b = rng.integers(0, 300, n), rng.integers(0, 300, n)
    table = pd.DataFrame({"a": a, "b": b, "noise": rng.normal(0.0, 1.0, n), "total": a + b})

    def fitted(local: float) -> tuple[float, dict[str, int]]:
        # exact_rules off: with it the total is computed as a + b (error 0 both ways); the subject is the tree.
        model = synth.create("pruned_cart", prune_numbers_locally=local, exact_rules=False).fit(table)
        assert isinstance(model, SequentialCART)
        syn = model.sample(n, seed=1)
        error = float(np.abs(syn["total"] - syn["a"] - syn["b"]).mean())
        leaves = {
            model.columns_[s.column].name: 1 if s.tree is None else int((s.tree.children_left < 0).sum())
            for s in model.steps_
        }
        return error, leaves

    local_error, local_leaves = fitted(7.0)
    wide_error, wide_leaves = fitted(0.0)
    # Measured: error 16.6 against 24.7 (a leaf of 40 rows bounds both), 75 leaves against 36 for the total,
    # 8 against 32 for the noise.
    assert local_error < 0.75 * wide_error, (local_error, wide_error)
    assert local_leaves["total"] > 1.5 * wide_leaves["total"], (local_leaves, wide_leaves)
    assert local_leaves["noise"] < wide_leaves["noise"] / 2, (local_leaves, wide_leaves)


def test_a_rare_outcome_keeps_the_columns_that_depend_on_it() -> None:
    """Session 22's HR walk: 25 leavers in 2,400 training rows, a termination date exactly for them. The outcome
    side was under min_samples_leaf (40), so split_first skipped it and no tree could isolate it: 24 of 25
    synthetic termination dates went to people who had not left. A rare side of at least smooth_below rows now
    gets its own leaf."""
    rng = np.random.default_rng(22)
    n = 2_400
    left = rng.random(n) < 25 / n
    hired = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3_000, n), unit="D")
    ended = pd.Series(pd.NaT, index=range(n))
    ended[left] = hired[left] + pd.to_timedelta(rng.integers(60, 900, int(left.sum())), unit="D")
    real = pd.DataFrame(
        {
            "hired": hired,
            "ended": ended,
            "salary": rng.lognormal(10.8, 0.3, n).round(),
            "team": rng.choice(["a", "b", "c", "d"], n),
            "left": left.astype(int),
        }
    )
    assert 10 <= left.sum() < 40, "the premise: a rare side under min_samples_leaf"
    model = synth.create("pruned_cart", random_state=0).fit(real)
    out = model.sample(4_800, seed=1)
    has_end = out["ended"].notna()
    assert out["left"].eq(1).sum() > 0
    assert (has_end == out["left"].eq(1)).mean() >= 0.99, pd.crosstab(has_end, out["left"])
    # The rare side's own leaf pools its 25 rows: no synthetic leaver is a copy of a real one, and the rare-value
    # membership test finds no excess of training values over fresh ones.
    leavers = real[real["left"].eq(1)]
    copies = out[out["left"].eq(1)].merge(leavers, how="inner", on=list(real.columns))
    assert copies.empty
    fresh = real.sample(frac=1.0, random_state=1)  # fit on one half, the other half is the fresh rows
    train, holdout = fresh.iloc[: n // 2], fresh.iloc[n // 2 :]
    half = synth.create("pruned_cart", random_state=0).fit(train)
    rare = synth.evaluate_rare_values(train, half.sample(len(train), seed=2), holdout, schema=half.schema_)
    assert rare.pooled_low <= 0.0 and not rare.flagged, (rare.pooled_excess, rare.flagged)
