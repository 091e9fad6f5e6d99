"""Sequential CART: leaf sizes, donors, smoothing of rare values, missing values, tree routing, visit order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.tree import DecisionTreeRegressor

import synth
from synth.synthesizers.cart import FlatTree, SequentialCART, smoothing_ranges


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """Strong structure: y depends on colour and x; z is missing exactly when colour is blue."""
    rng = np.random.default_rng(0)
    n = 3000
    colour = rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2])
    x = rng.normal(0.0, 1.0, n)
    y = np.where(colour == "red", 10.0, -10.0) + 3.0 * x + rng.normal(0.0, 0.5, n)
    z = np.where(colour == "blue", np.nan, rng.integers(0, 100, n).astype(float))
    return pd.DataFrame(
        {"colour": colour, "x": x, "y": y, "z": z, "outcome": rng.random(n) < np.where(x > 0, 0.8, 0.1)}
    )


def _fit(table: pd.DataFrame, **params: object) -> SequentialCART:
    model = synth.create("cart", **params).fit(table)
    assert isinstance(model, SequentialCART)
    return model


def test_every_leaf_holds_at_least_min_samples_leaf_donors(table: pd.DataFrame) -> None:
    for leaf_size in (5, 40, 200):
        model = _fit(table, min_samples_leaf=leaf_size)
        trees = [s for s in model.steps_ if s.tree is not None]
        assert trees, "the later columns are modelled by trees"
        for step in trees:
            assert step.tree is not None
            leaves = np.flatnonzero(step.tree.children_left < 0)
            sizes = np.diff(step.offsets)[leaves]
            assert sizes.min() >= leaf_size
            assert sizes.sum() == len(step.donors)


def test_larger_leaves_give_fewer_leaves(table: pd.DataFrame) -> None:
    def n_leaves(model: SequentialCART) -> int:
        return sum(int((s.tree.children_left < 0).sum()) for s in model.steps_ if s.tree is not None)

    assert n_leaves(_fit(table, min_samples_leaf=5)) > n_leaves(_fit(table, min_samples_leaf=100))


def test_relationships_survive(table: pd.DataFrame) -> None:
    syn = _fit(table).sample(20_000, seed=1)
    red = syn["colour"] == "red"
    assert syn.loc[red, "y"].mean() == pytest.approx(table.loc[table["colour"] == "red", "y"].mean(), abs=0.6)
    assert syn.loc[~red, "y"].mean() == pytest.approx(table.loc[table["colour"] != "red", "y"].mean(), abs=0.6)
    assert np.corrcoef(syn.loc[red, "x"], syn.loc[red, "y"])[0, 1] > 0.9
    share_real = table.groupby(table["x"] > 0)["outcome"].mean()
    share_syn = syn.groupby(syn["x"] > 0)["outcome"].mean()
    np.testing.assert_allclose(share_syn.to_numpy(), share_real.to_numpy(), atol=0.05)


def test_missing_values_follow_their_pattern(table: pd.DataFrame) -> None:
    syn = _fit(table).sample(20_000, seed=2)
    blue = syn["colour"] == "blue"
    assert syn.loc[blue, "z"].isna().mean() > 0.97
    assert syn.loc[~blue, "z"].notna().mean() > 0.97
    assert syn["z"].isna().mean() == pytest.approx(table["z"].isna().mean(), abs=0.02)


def test_rare_numeric_values_are_never_copied_verbatim() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    common = rng.choice([0.0, 100.0, 250.0], n, p=[0.8, 0.15, 0.05])
    outliers = rng.random(n) < 0.02
    amount = np.where(outliers, rng.uniform(1_000, 50_000, n).round(2), common)
    frame = pd.DataFrame({"group": rng.choice(["a", "b"], n), "amount": amount})
    counts = frame["amount"].value_counts()
    rare = set(counts[counts < 5].index)
    assert len(rare) > 20

    smoothed = synth.create("cart", smooth_below=5, min_samples_leaf=5).fit(frame).sample(20_000, seed=0)
    assert not rare & set(smoothed["amount"]), "a rare real value was copied"
    assert set(smoothed["amount"]) >= {0.0, 100.0, 250.0}, "common values are still drawn as they are"
    assert (smoothed["amount"] == 0.0).mean() == pytest.approx(0.8, abs=0.02)

    copied = synth.create("cart", smooth_below=0, min_samples_leaf=5).fit(frame).sample(20_000, seed=0)
    assert rare & set(copied["amount"]), "without smoothing, donors are copied (the check above can fail)"


def test_smoothing_pools_rare_values_into_shared_bands() -> None:
    values = np.array([1.0, 1.0, 1.0, 2.0, 4.0, 10.0, 10.0, 10.0, 20.0])
    low, width = smoothing_ranges(values, smooth_below=3)
    ranges = {v: (lo, lo + w) for v, lo, w in zip(values, low, width, strict=True)}
    assert ranges[1.0] == (1.0, 1.0) and ranges[10.0] == (10.0, 10.0)  # common: exact
    assert ranges[2.0] == ranges[4.0] == (1.0, 10.0), "rare values between common ones share one band"
    assert ranges[20.0] == (10.0, 10.0), "a lone rare maximum is not kept: it falls back to its neighbour"
    low0, width0 = smoothing_ranges(values, smooth_below=0)
    assert np.array_equal(low0, values) and not width0.any()


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(-50, 200), min_size=2, max_size=120),
    smooth_below=st.integers(2, 8),
)
def test_no_rare_value_can_be_read_or_solved_from_the_bands(values: list[int], smooth_below: int) -> None:
    x = np.array(values, dtype=float)
    uniq, counts = np.unique(x, return_counts=True)
    rare = set(uniq[counts < smooth_below].tolist())
    low, width = smoothing_ranges(x, smooth_below)
    ends = {e for e in set(low.tolist()) | set((low + width).tolist()) if e == e}  # NaN: nothing kept
    assert not ends & rare, "a band end is a rare value"
    points = set(uniq[counts >= smooth_below].tolist())
    # The attack on midpoints: an end halfway between a kept point and a rare value gives the rare value away.
    midpoints = ends - points
    assert not {2 * e - p for e in midpoints for p in points if abs(2 * e - p - p) > 0} & rare


def test_flat_tree_routes_like_scikit_learn_with_missing_values(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2000, 3)).astype(np.float32)
    x[rng.random(2000) < 0.2, 1] = np.nan
    y = x[:, 0] + np.nan_to_num(x[:, 1], nan=5.0)
    fitted = DecisionTreeRegressor(min_samples_leaf=10, random_state=0).fit(x, y)
    flat = FlatTree.from_sklearn(fitted.tree_)
    expected = fitted.apply(x)
    assert np.array_equal(flat.route(x), expected)
    rebuilt = FlatTree(
        flat.children_left,
        flat.children_right,
        flat.feature,
        flat.threshold,
        flat.missing_go_to_left,
        flat.n_features,
        flat.max_depth,
    )
    assert np.array_equal(rebuilt.apply(x), expected), "the compiled tree rebuilt from arrays routes the same"


def test_visit_orders(table: pd.DataFrame) -> None:
    def order(visit_order: str) -> list[str]:
        return [c.name for c in _fit(table, visit_order=visit_order).columns_]

    assert order("table") == list(table.columns)
    assert order("binary_first") == ["outcome", "colour", "x", "y", "z"]
    fewest = order("fewest_values")
    assert fewest[:2] == ["outcome", "colour"] and set(fewest[2:]) == {"x", "y", "z"}
    assert order("most_values")[-1] == "outcome"
    # z (100 values and missing) before x and y (near-unique); colour (3) first of the rest
    assert order("binary_then_fewest") == ["outcome", "colour", "z", "x", "y"]


def test_a_condition_on_the_first_column_is_met_exactly(table: pd.DataFrame) -> None:
    model = _fit(table)
    assert model.columns_[0].name == "outcome"
    rng = np.random.default_rng(0)
    quiet = lambda fraction, message: None  # noqa: E731
    exact = model._sample_given(2000, rng, quiet, {"outcome": True})
    assert exact["outcome"].all(), "the first column is drawn only from matching values"
    other = model._sample_given(2000, rng, quiet, {"colour": "red"})
    assert not (other["colour"] == "red").all(), "later columns are left to the base's rejection"
    syn = model.sample(3000, seed=1, conditions={"outcome": True})
    expected = table.loc[table["outcome"], "x"].mean()
    assert syn["x"].mean() == pytest.approx(expected, abs=0.1), "conditioning keeps the dependence"


def test_fit_reports_progress_for_every_column(table: pd.DataFrame) -> None:
    messages: list[str] = []
    synth.create("cart").fit(table, progress=lambda fraction, message: messages.append(message))
    for column in table.columns:
        assert any(column in m for m in messages), column


def test_datetimes_and_integers_keep_their_grain() -> None:
    rng = np.random.default_rng(5)
    n = 1500
    frame = pd.DataFrame(
        {
            "when": pd.Timestamp("2024-01-01 08:00") + pd.to_timedelta(rng.integers(0, 5000, n) * 15, unit="min"),
            "age": rng.integers(18, 80, n),
        }
    )
    syn = synth.create("cart", min_samples_leaf=5).fit(frame).sample(5000, seed=0)
    offsets = (syn["when"] - pd.Timestamp("2024-01-01 08:00")).dt.total_seconds()
    assert (offsets % 900 == 0).all(), "15-minute steps stay 15-minute steps"
    assert syn["age"].dtype == np.int64 and syn["age"].between(18, 79).all()


# ----------------------------------------------------------------------------- balanced donor draws
@settings(max_examples=60, deadline=None)
@given(
    groups=st.lists(st.integers(0, 4), min_size=1, max_size=300),
    donors=st.lists(st.integers(1, 30), min_size=5, max_size=5),
    seed=st.integers(0, 2**32 - 1),
)
def test_balanced_draws_share_each_leafs_donors_within_one(groups: list[int], donors: list[int], seed: int) -> None:
    """Every group of m rows drawing from k donors uses each donor floor(m / k) or ceil(m / k) times."""
    from synth.synthesizers.cart_steps import balanced_uniforms

    g = np.array(groups)
    u = balanced_uniforms(g, np.random.default_rng(seed))
    assert ((u >= 0) & (u < 1)).all()
    for leaf in np.unique(g):
        k = donors[leaf]
        m = int((g == leaf).sum())
        used = np.bincount(np.minimum(u[g == leaf] * k, k - 1).astype(int), minlength=k)
        assert used.min() >= m // k and used.max() <= -(-m // k), (m, k, used)


def test_balanced_draws_leave_each_row_uniform() -> None:
    """Stratified per group, yet each row's own draw is uniform: over many seeds the first row of a group of 3
    lands in each third a third of the time (a fixed dealing of strata would put it in the same one)."""
    from synth.synthesizers.cart_steps import balanced_uniforms

    firsts = [balanced_uniforms(np.zeros(3, int), np.random.default_rng(s))[0] for s in range(3000)]
    thirds = np.bincount((np.array(firsts) * 3).astype(int), minlength=3) / 3000
    assert np.abs(thirds - 1 / 3).max() < 0.04, thirds


def test_balanced_cart_tables_follow_the_training_marginals_closer_than_random_draws(adult_small) -> None:
    """The point of balanced draws: a train-sized sample's column shares sit closer to the training table's than
    independent draws' do (less sampling noise), the model being the same."""
    train = adult_small
    model = synth.create("cart").fit(train)

    def gap(syn: pd.DataFrame) -> float:
        return sum(
            float((train[c].value_counts(normalize=True) - syn[c].value_counts(normalize=True)).abs().sum())
            for c in ("sex", "relationship", "education", "race")
        )

    gaps = {}
    for draws in ("balanced", "random"):
        model.draws = draws
        gaps[draws] = np.mean([gap(model.sample(len(train), seed=s)) for s in range(5)])
    assert gaps["balanced"] < 0.7 * gaps["random"], gaps


def _weekdays(n: int, seed: int) -> pd.DataFrame:
    """A day, its weekday and whether it is a working day: weekends are days 0 and 6, so the weekday's mean (3) is
    the same on both sides and only its distribution tells them apart; the day number offers a regression tree
    splits that look better than the working day's."""
    rng = np.random.default_rng(seed)
    day = rng.integers(0, 700, n)
    weekday = day % 7
    working = np.where((weekday == 0) | (weekday == 6), "no", "yes")
    return pd.DataFrame({"working": working, "day": day, "weekday": weekday})


@pytest.mark.parametrize("name", ["cart", "pruned_cart"])
def test_a_number_with_few_values_keeps_its_distribution_given_earlier_columns(name: str) -> None:
    """A regression tree sees only the conditional mean, equal here, and drew weekdays as if working days were
    independent of them, splitting on day numbers instead (8–23% of rows a weekend on a working day or the
    reverse); a classification tree per value keeps it (none)."""
    table = _weekdays(4000, 0)
    weekend = {0, 6}
    wrong = {}
    for up_to in (32, 0):
        # split_first would root the weekday's tree in the working day itself (a fix of its own): off here. So are
        # exact rules: weekday = day mod 7 is not one of them, but working = f(weekday) is, and computing it would
        # hide what the weekday's tree does (the subject here). Refinement (Pruned CART) is off for the same reason:
        # it corrects some of the rows the tree gets wrong.
        # The pairs no real row holds (zero_pairs: a weekend on a working day) are taken out too: redrawing those
        # rows would hide the tree's failure the same way.
        model = synth.create(name, classify_up_to=up_to, split_first=False, exact_rules=False, refine=False)
        model.fit(table).zero_pairs_ = ()
        syn = model.sample(20_000, seed=1)
        wrong[up_to] = float((syn["weekday"].isin(weekend) == (syn["working"] == "yes")).mean())
    assert wrong[32] < 0.005
    assert wrong[0] > 0.05  # the failure this setting fixes, pinned so the test can fail


@settings(max_examples=25, deadline=None)
@given(values=st.integers(2, 12), seed=st.integers(0, 2**16))
def test_a_classified_number_draws_only_values_its_leaf_holds(values: int, seed: int) -> None:
    """For any number with few values, every synthetic value is one the training column holds (and was common
    enough to be kept), and each comes from a leaf that holds it given the earlier column."""
    rng = np.random.default_rng(seed)
    n = 600
    group = rng.choice(["a", "b"], n)
    number = np.where(group == "a", rng.integers(0, values, n) * 2, rng.integers(0, values, n) * 2 + 1)
    table = pd.DataFrame({"group": group, "number": number})
    syn = _fit(table, classify_up_to=32, min_samples_leaf=20, smooth_below=0).sample(2000, seed=seed)
    assert set(syn["number"]) <= set(table["number"])
    parity = syn["number"] % 2
    assert (parity[syn["group"] == "a"] == 0).all()
    assert (parity[syn["group"] == "b"] == 1).all()


def _called(n: int, seed: int) -> pd.DataFrame:
    """Like Bank Marketing's month: the region follows the zone (12 regions of 100 zones), but half the rows with
    the outcome were called in the last three regions whatever their zone. Greedy splits on the zone win every
    node, and a leaf of 40 rows holds too few outcome rows to split on it below."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.12
    zone = rng.integers(0, 1200, n)
    region = np.array(list("abcdefghijkl"))[zone // 100]
    region = np.where(y & (rng.random(n) < 0.5), rng.choice(["j", "k", "l"], n), region)
    return pd.DataFrame({"zone": zone, "region": region, "y": y})


@pytest.mark.parametrize("name", ["cart", "pruned_cart"])
def test_split_first_keeps_each_column_given_the_outcome(name: str) -> None:
    table = _called(2000, 0)
    late = ["j", "k", "l"]
    real = table.groupby(table["region"].isin(late))["y"].mean()
    for split, holds in ((True, True), (False, False)):
        # Refinement (Pruned CART) off: it corrects part of what split_first fixes, and the trees are the subject.
        syn = synth.create(name, split_first=split, refine=False).fit(table).sample(20_000, seed=1)
        share = syn.groupby(syn["region"].isin(late))["y"].mean()
        gap = float(np.abs(share.to_numpy() - real.to_numpy()).max())
        # Measured: 0.004 with the split; without it the outcome's share is the same in every region (gap 0.15),
        # the loss this setting fixes, pinned so the test can fail.
        assert (gap < 0.02) if holds else (gap > 0.1), (split, share.to_dict(), real.to_dict())


def test_the_last_two_valued_column_is_visited_first(table: pd.DataFrame) -> None:
    wide = table.assign(flag=table["x"] > 1.0)  # a second two-valued column, after the outcome in table order
    model = _fit(wide[["flag", "colour", "x", "outcome"]])
    assert [c.name for c in model.columns_][:2] == ["outcome", "flag"]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), left_leaf=st.booleans(), right_leaf=st.booleans())
def test_joined_trees_route_each_side_to_its_own_subtree(seed: int, left_leaf: bool, right_leaf: bool) -> None:
    """For any two subtrees, the joined tree sends rows with x[0] <= t to the left one's leaves and the rest to the
    right one's, compiled and numpy routing alike."""
    from synth.synthesizers.cart_steps import join_trees

    rng = np.random.default_rng(seed)
    x = rng.random((400, 3)).astype(np.float32)
    x[:, 0] = rng.integers(0, 2, 400)
    x[rng.random(400) < 0.1, 2] = np.nan

    def subtree(leaf: bool) -> FlatTree | None:
        if leaf:
            return None
        y = x[:, 1] * 3 + rng.normal(0.0, 0.1, 400)
        return FlatTree.from_sklearn(DecisionTreeRegressor(min_samples_leaf=20, random_state=0).fit(x, y).tree_)

    left, right = subtree(left_leaf), subtree(right_leaf)
    joined = join_trees(0, 0.5, left, right, 3)
    got = joined.apply(x)
    np.testing.assert_array_equal(got, joined.route(x))
    low = x[:, 0] <= 0.5
    offset_right = 1 + (1 if left is None else left.node_count)
    expect_left = 1 + (np.zeros(400, dtype=np.int64) if left is None else left.apply(x))
    expect_right = offset_right + (np.zeros(400, dtype=np.int64) if right is None else right.apply(x))
    np.testing.assert_array_equal(got, np.where(low, expect_left, expect_right))
