"""PrivBayes: the mechanism's parts (sensitivity, exponential mechanism, noisy tables, bins) and its honesty."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import synth
from synth.schema import ColumnKind
from synth.synthesizers.dp import domains as dpd
from synth.synthesizers.dp import mechanisms
from synth.synthesizers.privbayes import (
    NoisyTable,
    PrivBayes,
    candidate_parents,
    conditional_cdf,
    count_table,
    learn_network,
    mutual_information,
)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 5000
    a = rng.choice(["x", "y", "z"], n, p=[0.6, 0.3, 0.1])
    b = np.where(rng.random(n) < 0.9, a, rng.choice(["x", "y", "z"], n))  # b copies a 90% of the time
    amount = np.where(rng.random(n) < 0.7, 0, rng.integers(100, 5000, n))
    return pd.DataFrame(
        {"a": a, "b": b, "noise": rng.choice(["p", "q"], n), "amount": amount, "score": rng.normal(size=n)}
    )


def _quiet(fraction: float, message: str, /) -> None:
    return None


def test_epsilon_and_degree_are_validated(table: pd.DataFrame) -> None:
    for bad in (0, -1.0, 0.001, 1000, "one", None, float("inf")):
        with pytest.raises(synth.SynthesizerError, match="epsilon"):
            synth.create("privbayes", epsilon=bad)
    for bad in (-1, 6, 1.5):
        with pytest.raises(synth.SynthesizerError, match="degree"):
            synth.create("privbayes", degree=bad)
    with pytest.raises(synth.SynthesizerError, match="epsilon"):
        PrivBayes(epsilon=0.0).fit(table)


def test_the_guarantee_says_what_is_not_covered() -> None:
    text = PrivBayes.guarantee
    assert text is not None
    assert "(ε, δ)-differential privacy for the whole learned model" in text and "structure" in text
    assert "never from the seed" in text and "Not covered" in text and "declare public" in text
    assert "a person with r rows is covered as a group of r rows: at r·ε" in text  # (group privacy)


def test_the_structure_score_sensitivity_bound_holds_for_every_added_row() -> None:
    # Attack the bound |Δ(n·I)| ≤ ln(n + 1) + 1: add every possible row to many small random tables.
    rng = np.random.default_rng(5)
    bound_at = lambda n: math.log(n + 1) + 1  # noqa: E731
    worst = 0.0
    for _ in range(300):
        n, kx, ky = int(rng.integers(2, 60)), int(rng.integers(2, 5)), int(rng.integers(2, 5))
        x, y = rng.integers(0, kx, n), rng.integers(0, ky, n)
        if rng.random() < 0.5:  # skewed tables are where the score moves most
            x[: n // 2], y[: n // 2] = 0, 0
        before = n * mutual_information(x, y, kx, ky)
        for a in range(kx):
            for b in range(ky):
                after = (n + 1) * mutual_information(np.append(x, a), np.append(y, b), kx, ky)
                worst = max(worst, abs(after - before) / bound_at(n))
    assert 0.3 < worst <= 1.0
    assert mechanisms.mi_count_sensitivity() == pytest.approx(math.log(1e9 + 1) + 1)


def test_mutual_information_known_cases() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(0, 4, 100_000)
    assert mutual_information(x, x, 4, 4) == pytest.approx(math.log(4), abs=0.01)
    assert mutual_information(x, rng.integers(0, 3, 100_000), 4, 3) == pytest.approx(0.0, abs=0.001)


def test_exponential_mechanism_picks_the_strong_link_with_a_large_budget() -> None:
    rng = np.random.default_rng(2)
    n = 5000
    a = rng.integers(0, 3, n)
    codes = np.column_stack([a, a, rng.integers(0, 3, n), rng.integers(0, 3, n)])
    for seed in range(5):
        network = learn_network(codes, (3, 3, 3, 3), 1, 1000.0, 1e9, np.random.default_rng(seed), _quiet)
        parents = dict(network)
        assert (1 in parents.get(0, ())) or (0 in parents.get(1, ())), "columns 0 and 1 are linked"
    # With almost no budget the choice is close to uniform: the strong link is often missed.
    linked = 0
    for seed in range(40):
        parents = dict(learn_network(codes, (3, 3, 3, 3), 1, 1e-6, 1e9, np.random.default_rng(seed), _quiet))
        linked += (1 in parents.get(0, ())) or (0 in parents.get(1, ()))
    assert linked < 35


def test_candidate_parents_respect_degree_cells_and_maximality() -> None:
    sizes = (2, 10, 10, 3)
    got = candidate_parents(child_size=2, chosen=[1, 2, 3], sizes=sizes, degree=2, max_cells=60)
    # (1, 2) needs 200 cells: too many. (1, 3) and (2, 3) fit (60); (1,) and (2,) could still take 3.
    assert sorted(got) == [(1, 3), (2, 3)]
    assert candidate_parents(2, [1, 2, 3], sizes, degree=0, max_cells=60) == [()]
    assert candidate_parents(100, [1, 2, 3], sizes, degree=2, max_cells=60) == [()]


def model_codes(model: PrivBayes, table: pd.DataFrame, schema: synth.Schema) -> np.ndarray:
    """The training codes of ``table`` under ``model``'s released domains."""
    out = []
    for col in model.columns_:
        if col.categorical:
            out.append(dpd.category_codes(table[col.name].astype(object), col.categories))
        else:
            dom = dpd.NumericDomain(float(col.low.min()), float(col.high.max()), col.low, col.high)
            out.append(dpd.numeric_codes(dpd.model_units(table[col.name], col.kind), dom, col.has_missing))
    return np.column_stack(out)


def test_tables_get_noise_that_shrinks_with_epsilon(table: pd.DataFrame) -> None:
    schema = synth.infer_schema(table)

    def mean_error(epsilon: float) -> float:
        model = PrivBayes(epsilon=epsilon, public_domain="categories and ranges").fit(table, schema)
        codes = model_codes(model, table, schema)
        sizes = tuple(c.size for c in model.columns_)
        errors = []
        for t in model.tables_:
            exact = count_table(codes, t.child, t.parents, sizes)
            rows = exact.sum(axis=1) > 0
            released = np.diff(t.cumulative, axis=1, prepend=0.0)[rows]
            truth = exact[rows] / exact[rows].sum(axis=1, keepdims=True)
            errors.append(np.abs(released - truth).sum(axis=1).mean())
        return float(np.mean(errors))

    model = PrivBayes(epsilon=0.5).fit(table)
    tables_epsilon = dict((what, e) for what, e, _ in model.ledger_)["tables"]
    assert model.noise_scale_ == pytest.approx(5 / tables_epsilon)
    assert sum(e for _, e, _ in model.ledger_) == pytest.approx(0.5)
    assert mean_error(0.05) > 3 * mean_error(50.0)


def test_degree_zero_is_independent_columns(table: pd.DataFrame) -> None:
    model = PrivBayes(degree=0).fit(table)
    assert all(parents == [] for _, parents in model.network())
    assert sorted(c for c, _ in model.network()) == sorted(table.columns)


def test_a_large_budget_keeps_the_strong_link(table: pd.DataFrame) -> None:
    model = PrivBayes(epsilon=100.0).fit(table)
    links = {(c, p) for c, parents in model.network() for p in parents}
    assert ("a", "b") in links or ("b", "a") in links
    syn = model.sample(20_000, seed=0)
    assert (syn["a"] == syn["b"]).mean() == pytest.approx((table["a"] == table["b"]).mean(), abs=0.03)


def test_bins_keep_spikes_and_cover_every_value() -> None:
    rng = np.random.default_rng(3)
    x = np.where(rng.random(10_000) < 0.9, 0.0, rng.integers(1, 100_000, 10_000)).astype(float)
    dom = dpd.make_bins(0.0, 99_999.0, np.asarray([0.0]), 10, integer=True)
    codes = dpd.numeric_codes(x, dom)
    assert len(dom.bins_low) <= 10
    zero = int(np.flatnonzero((dom.bins_low == 0) & (dom.bins_high == 0))[0])
    assert (codes[x == 0] == zero).all(), "the spike at 0 is a bin of its own"
    assert (dom.bins_low[codes] <= x).all() and (x <= dom.bins_high[codes]).all()
    unit = dpd.make_bins(1.0, 3.0, np.zeros(0), 10, integer=True)
    assert unit.bins_low.tolist() == unit.bins_high.tolist() == [1.0, 2.0, 3.0]
    assert dpd.numeric_codes(np.array([3.0, 1.0, np.nan, 7.0]), unit).tolist() == [2, 0, 3, 2]  # 7 is clipped


def test_numeric_output_keeps_spikes_and_grain(table: pd.DataFrame) -> None:
    model = PrivBayes(epsilon=5.0, public_domain="categories and ranges").fit(table)  # private spikes
    syn = model.sample(20_000, seed=1)
    assert (syn["amount"] == 0).mean() == pytest.approx(0.7, abs=0.05)
    assert syn["amount"].dtype == np.int64
    amount = next(d for d in model.domain_ if d.name == "amount")
    assert syn["amount"].between(amount.low, amount.high).all()


def test_conditional_cdf_clips_and_falls_back_to_the_marginal() -> None:
    noisy = np.array([[4.0, -2.0, 4.0], [-1.0, -3.0, -0.5], [0.0, 6.0, 0.0]])
    cdf = conditional_cdf(noisy)
    np.testing.assert_allclose(cdf[0], [0.5, 0.5, 1.0])
    np.testing.assert_allclose(cdf[1], np.cumsum([4 / 14, 6 / 14, 4 / 14]))  # empty row → marginal
    np.testing.assert_allclose(cdf[2], [0.0, 1.0, 1.0])


def test_table_draws_follow_the_conditional_probabilities() -> None:
    probs = np.array([[0.2, 0.3, 0.5], [0.0, 1.0, 0.0], [0.7, 0.0, 0.3]])
    table = NoisyTable(child=1, parents=(0,), cumulative=np.cumsum(probs, axis=1))
    rng = np.random.default_rng(4)
    parent = rng.integers(0, 3, 60_000)
    codes = np.column_stack([parent, np.zeros_like(parent)])
    drawn = table.draw(codes, (3, 3), rng)
    for p in range(3):
        freq = np.bincount(drawn[parent == p], minlength=3) / (parent == p).sum()
        np.testing.assert_allclose(freq, probs[p], atol=0.015)
    # A wide child takes the search path: the same rule.
    wide = rng.dirichlet(np.ones(40), size=3)
    wide[1, 5:] = 0.0
    wide[1] /= wide[1].sum()
    big = NoisyTable(child=1, parents=(0,), cumulative=np.cumsum(wide, axis=1))
    drawn = big.draw(codes, (3, 40), rng)
    for p in range(3):
        freq = np.bincount(drawn[parent == p], minlength=40) / (parent == p).sum()
        np.testing.assert_allclose(freq, wide[p], atol=0.015)
    assert drawn[parent == 1].max() < 5, "codes of probability 0 are never drawn"


def test_a_categorical_root_is_conditioned_exactly(table: pd.DataFrame) -> None:
    for _ in range(30):  # the root is drawn among the fewest-code columns: fit until a categorical one comes first
        model = PrivBayes(epsilon=5.0).fit(table)
        root = model.columns_[model.tables_[0].child]
        if root.kind is ColumnKind.CATEGORICAL:
            break
    assert root.kind is ColumnKind.CATEGORICAL
    label = root.categories[0]
    body = model._sample_given(500, np.random.default_rng(0), _quiet, {root.name: label})
    assert (body[root.name] == label).all()
    later = model.columns_[model.tables_[-1].child]
    other = model._sample_given(500, np.random.default_rng(0), _quiet, {later.name: body[later.name].iloc[0]})
    assert not (other[later.name] == body[later.name].iloc[0]).all(), "later columns are left to rejection"


def test_fit_reports_progress_for_every_column(table: pd.DataFrame) -> None:
    messages: list[str] = []
    PrivBayes().fit(table, progress=lambda fraction, message: messages.append(message))
    assert sum("network" in m for m in messages) >= table.shape[1] - 1
    assert sum("noisy table" in m for m in messages) == table.shape[1]


def test_a_lone_surviving_cell_is_no_longer_certain_and_full_configurations_barely_move() -> None:
    # Row 0: the noise left one cell of a configuration (a rare class) and clipped the rest; row 1: many rows.
    noisy = np.asarray([[0.0, 0.0, 3.0], [500.0, 300.0, 5.0]])
    plain = np.diff(conditional_cdf(noisy), prepend=0.0, axis=1)
    shrunk = np.diff(conditional_cdf(noisy, prior_rows=4.0), prepend=0.0, axis=1)
    assert plain[0, 2] == 1.0 and shrunk[0, 2] < 0.6, "the lone cell is no longer certain"
    assert np.all(shrunk[0, :2] > 0), "the other classes come back in the child's overall proportions"
    assert np.abs(shrunk[1] - plain[1]).max() < 0.01, "a well-populated configuration barely moves"
    assert np.allclose(shrunk.sum(axis=1), 1.0)
