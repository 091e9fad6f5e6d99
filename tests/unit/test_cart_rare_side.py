"""Plain CART's rare side (session 23): a value of the two-valued first column with at least smooth_below rows and
fewer than min_samples_leaf gets one leaf of all its rows in every later tree, as Pruned CART's split_first gives it
(synth.synthesizers.cart_growing). Without it the columns that depend on a rare outcome lost their tie to it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers.cart import SequentialCART


def _leavers(n: int = 2_400, seed: int = 22) -> pd.DataFrame:
    """Session 22's HR shape: about 25 leavers in 2,400 rows, a termination date exactly for them."""
    rng = np.random.default_rng(seed)
    left = rng.random(n) < 25 / n
    hired = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3_000, n), unit="D")
    ended = pd.Series(pd.NaT, index=range(n))
    ended[left] = hired[left] + pd.to_timedelta(rng.integers(60, 900, int(left.sum())), unit="D")
    return pd.DataFrame(
        {
            "hired": hired,
            "ended": ended,
            "salary": rng.lognormal(10.8, 0.3, n).round(),
            "team": rng.choice(["a", "b", "c", "d"], n),
            "left": left.astype(int),
        }
    )


def _speeders(n: int = 2_500, seed: int = 23) -> pd.DataFrame:
    """The session-23 survey's shape: about 0.6% of respondents flagged as speeders, who alone took under 60 s."""
    rng = np.random.default_rng(seed)
    flag = rng.random(n) < 0.006
    duration = np.where(flag, rng.integers(20, 60, n), np.round(np.exp(rng.normal(6.2, 0.4, n))) + 60)
    return pd.DataFrame(
        {
            "duration_s": duration.astype(int),
            "satisfied": rng.choice(["yes", "no", "neutral"], n),
            "weight": rng.lognormal(0, 0.3, n).round(4),
            "speeder_flag": flag.astype(int),
        }
    )


def _ties(name: str, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(rows of the rare class, rows whose dependent column marks that class) in ``frame``."""
    if name == "leavers":
        return frame["left"].eq(1), frame["ended"].notna()
    return frame["speeder_flag"].eq(1), frame["duration_s"] < 60


TABLES = {"leavers": _leavers, "speeders": _speeders}


@pytest.mark.parametrize("name", list(TABLES))
def test_a_rare_outcome_keeps_the_columns_that_depend_on_it(name: str) -> None:
    """Before session 23, plain CART drew HR's leavers' termination dates on people who stayed (0 of 22 leavers had
    one, 32 stayers did; the survey: 1 of 13 speeders was fast). Both ties hold now."""
    real = TABLES[name]()
    rare, _ = _ties(name, real)
    assert 5 <= rare.sum() < 40, "the premise: a rare class under min_samples_leaf, at least smooth_below"
    model = synth.create("cart", random_state=0).fit(real)
    out = model.sample(2 * len(real), seed=1)
    rare, marked = _ties(name, out)
    assert rare.sum() > 0
    assert (marked == rare).mean() >= 0.99, pd.crosstab(marked, rare)
    assert marked[rare].mean() >= 0.9, pd.crosstab(marked, rare)


DEPENDENT = {"leavers": "ended", "speeders": "duration_s"}


def _rare_side_attack(name: str, smooth_below: int) -> tuple[pd.DataFrame, pd.DataFrame, synth.RareValueResult]:
    """Fit on one half of the table, sample ten times as many rows, and run the rare-value membership test on the
    rare class's rows alone (its dependent column, the values its own leaf pools; the other half's class rows are
    the fresh ones). Returns (real table, synthetic table, result)."""
    real = TABLES[name]()
    shuffled = real.sample(frac=1.0, random_state=1)
    half = len(real) // 2
    train, holdout = shuffled.iloc[:half], shuffled.iloc[half:]
    model = synth.create("cart", random_state=0, smooth_below=smooth_below).fit(train)
    out = model.sample(10 * len(train), seed=2)
    rare = [_ties(name, frame)[0] for frame in (train, out, holdout)]
    result = synth.evaluate_rare_values(
        train[rare[0]], out[rare[1]], holdout[rare[2]], schema=model.schema_, columns=[DEPENDENT[name]]
    )
    return train, out, result


@pytest.mark.parametrize("name", list(TABLES))
def test_the_rare_sides_own_leaf_copies_no_real_row(name: str) -> None:
    """The attack on that leaf (the pattern of Pruned CART's, session 22). It pools all of the class's rows and its
    rare numbers and dates are drawn from shared bands (smooth_below), so no synthetic row of the class copies a
    real one, and the class's training values come back no more often than fresh ones. The control: with
    smooth_below = 0 the same leaf copies its donors' values, and the test sees it."""
    train, out, result = _rare_side_attack(name, 5)
    rare, drawn = _ties(name, train)[0], _ties(name, out)[0]
    assert drawn.sum() >= 50, "the premise: the class is drawn"
    copies = out[drawn].merge(train[rare], how="inner", on=list(train.columns))
    assert copies.empty, copies
    assert result.pooled_low <= 0.0 and not result.flagged, (result.pooled_excess, result.flagged)
    _, _, copied = _rare_side_attack(name, 0)
    assert copied.pooled_low > 0.0, (copied.pooled_excess, copied.pooled_low)


def _leaf_sizes(model: SequentialCART) -> list[tuple[np.ndarray, np.ndarray]]:
    """For every tree: (each leaf's donor count, whether that leaf sits directly under a root split on slot 0)."""
    out = []
    for step in model.steps_:
        tree = step.tree
        if tree is None:
            continue
        leaves = np.flatnonzero(tree.children_left < 0)
        sizes = np.diff(step.offsets)[leaves]
        root_split_first = tree.feature[0] == 0
        under_root = np.isin(leaves, [tree.children_left[0], tree.children_right[0]]) & root_split_first
        out.append((sizes, under_root))
    return out


@pytest.mark.parametrize("name", ["cart", "pruned_cart"])
@settings(max_examples=12, deadline=None)
@given(rare=st.integers(1, 60), smooth=st.sampled_from([0, 5, 10]), seed=st.integers(0, 2**16))
def test_only_a_rare_value_from_smooth_below_to_min_samples_leaf_gets_a_smaller_leaf(
    name: str, rare: int, smooth: int, seed: int
) -> None:
    """The rule for any rare count, as both models' 'Minimum rows per leaf' states it: every leaf holds at least
    min_samples_leaf (40) donors, but for the rare value's own leaf, which exists exactly when smooth_below (at
    least 2) <= its rows < 40, and then holds all of them."""
    rng = np.random.default_rng(seed)
    n = 600
    flag = np.zeros(n, dtype=int)
    flag[rng.choice(n, rare, replace=False)] = 1
    x = rng.normal(0.0, 1.0, n) + 3.0 * flag
    table = pd.DataFrame({"x": x, "team": rng.choice(["a", "b", "c"], n), "flag": flag})
    params = {"refine": False} if name == "pruned_cart" else {}  # the trees are the subject; refining is slow
    model = synth.create(name, random_state=0, smooth_below=smooth, **params).fit(table)
    assert isinstance(model, SequentialCART) and model.columns_[0].name == "flag"
    own_leaf = max(smooth, 2) <= rare < 40
    trees = _leaf_sizes(model)
    assert trees, "the later columns are modelled by trees"
    for sizes, under_root in trees:
        small = sizes < 40
        if own_leaf:
            assert small.sum() == 1 and (under_root & small).any() and sizes[small][0] == rare, (sizes, rare)
        else:
            assert not small.any(), (sizes, rare)
