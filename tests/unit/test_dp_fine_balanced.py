"""PrivBayes' post-processing: balanced draws and fine cells, and an attack showing the model file (fine cells
included) holds nothing about the rows beyond what the DP mechanisms released."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from synth.schema import ColumnKind
from synth.synthesizers.base import load_model
from synth.synthesizers.dp import domains as dpd
from synth.synthesizers.dp import mechanisms
from synth.synthesizers.dp.encoding import BinnedColumn
from synth.synthesizers.dp.network import NoisyTable, conditional_cdf
from synth.synthesizers.privbayes import PrivBayes


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 4000
    age = np.clip(np.round(rng.normal(40, 12, n)), 17, 90).astype(int)
    return pd.DataFrame(
        {
            "age": age,
            "hours": np.where(rng.random(n) < 0.5, 40, rng.integers(1, 99, n)),
            "group": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
            "flag": np.where(age > 45, "old", rng.choice(["old", "young"], n)),
        }
    )


# ----------------------------------------------------------------------------- balanced draws
def test_balanced_draws_match_every_configurations_expected_counts() -> None:
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(7), size=4)  # 4 parent configurations, 7 child codes
    table = NoisyTable(1, (0,), conditional_cdf(probs * 1000))
    parents = rng.choice(4, 10_001, p=[0.1, 0.2, 0.3, 0.4])
    codes = np.column_stack([parents, np.zeros_like(parents)])
    drawn = table.draw_balanced(codes, (4, 7), rng)
    for config in range(4):
        rows = parents == config
        counts = np.bincount(drawn[rows], minlength=7)
        assert counts.sum() == rows.sum()
        assert np.all(np.abs(counts - rows.sum() * probs[config]) < 1.0 + 1e-9)  # within one row of expectation
    independent = table.draw(codes, (4, 7), rng)  # the multinomial draw is much further off
    off = sum(
        np.abs(np.bincount(independent[parents == c], minlength=7) - (parents == c).sum() * probs[c]).sum()
        for c in range(4)
    )
    assert off > 28


def test_balanced_draws_are_unbiased_and_random_within_a_configuration() -> None:
    table = NoisyTable(0, (), conditional_cdf(np.asarray([[1.0, 2.0, 7.0]])))
    codes = np.zeros((3, 1), dtype=np.int64)
    rng = np.random.default_rng(1)
    draws = np.asarray([table.draw_balanced(codes, (3,), rng) for _ in range(6000)])
    assert np.bincount(draws.ravel(), minlength=3) / draws.size == pytest.approx([0.1, 0.2, 0.7], abs=0.01)
    for position in range(3):  # each row gets each code at its probability: no row is favoured
        assert np.mean(draws[:, position] == 2) == pytest.approx(0.7, abs=0.03)


def test_the_default_samples_independent_rows_and_balanced_draws_stay_available(table: pd.DataFrame) -> None:
    """Independent by default since session 9: balanced rows depend on each other, which held-out checks misread
    (tests/unit/test_draws_independence.py)."""
    model = PrivBayes(epsilon=5.0).fit(table)
    assert model.draws == "independent"
    assert model.structure_score == "L1 dependence"
    a, b = model.sample(500, seed=4), model.sample(500, seed=4)
    pd.testing.assert_frame_equal(a, b)
    model.draws = "balanced"
    c = model.sample(500, seed=4)
    assert not c.equals(a)


# ----------------------------------------------------------------------------- fine cells
def test_fine_cells_follow_the_noisy_counts_where_they_beat_the_noise() -> None:
    dom = dpd.NumericDomain(0.0, 9.0, np.asarray([0.0, 4.0, 5.0]), np.asarray([3.0, 4.0, 9.0]))
    candidates = np.arange(10.0)
    noisy = np.asarray([100.0, 300.0, -20.0, 100.0, 900.0, 3.0, 1.0, -5.0, 2.0, 4.0])
    weights = dpd.fine_cells(dom, candidates, noisy, scale=10.0)
    assert weights is not None and len(weights) == 10
    prior = dpd.FINE_PRIOR_SCALES * 10.0
    expected = np.asarray([100.0, 300.0, 0.0, 100.0]) + prior
    assert weights[:4] == pytest.approx(expected / expected.sum())  # 500 rows over 4 values ≥ one scale
    assert weights[4] == 0.0  # the spike 4 is its own bin: no weight inside another
    assert weights[5:] == pytest.approx(np.full(5, 0.2))  # about 2 rows per value: under the noise, uniform
    assert dpd.fine_cells(dom, candidates[:5], noisy[:5], 10.0) is None  # candidates not the whole range
    unit = dpd.NumericDomain(0.0, 2.0, np.arange(3.0), np.arange(3.0))
    assert dpd.fine_cells(unit, np.arange(3.0), np.ones(3), 1.0) is None  # nothing spans several values


def test_values_are_drawn_by_the_fine_weights() -> None:
    weights = np.asarray([0.5, 0.0, 0.5, 0.0, 0.1, 0.2, 0.3, 0.4, 1.0])
    column = BinnedColumn(
        "x",
        ColumnKind.DISCRETE,
        (),
        np.asarray([10.0, 14.0, 18.0]),
        np.asarray([13.0, 17.0, 18.0]),
        True,
        True,
        0,
        1,
        None,
        weights,
    )
    codes = np.repeat(np.asarray([0, 1, 2, 3]), 20_000)
    values = column.decode(codes, np.random.default_rng(0)).to_numpy()
    first = values[:20_000]
    assert set(first) == {10.0, 12.0} and np.mean(first == 10.0) == pytest.approx(0.5, abs=0.02)
    second = values[20_000:40_000]
    shares = [np.mean(second == v) for v in (14.0, 15.0, 16.0, 17.0)]
    assert shares == pytest.approx([0.1, 0.2, 0.3, 0.4], abs=0.015)
    assert set(values[40_000:60_000]) == {18.0} and np.isnan(values[60_000:]).all()


def test_a_fitted_model_refines_a_well_populated_whole_number_column(table: pd.DataFrame, tmp_path: Path) -> None:
    model = PrivBayes(epsilon=50.0).fit(table)
    age = next(c for c in model.columns_ if c.name == "age")
    assert age.fine is not None and len(age.fine) == age.high.max() - age.low.min() + 1
    path = tmp_path / "pb.synth"
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(next(c for c in loaded.columns_ if c.name == "age").fine, age.fine)
    pd.testing.assert_frame_equal(loaded.sample(300, seed=2), model.sample(300, seed=2))


def test_a_column_without_fine_cells_still_samples_uniformly_in_its_bins() -> None:
    column = BinnedColumn("x", ColumnKind.DISCRETE, (), np.asarray([0.0]), np.asarray([3.0]), False, True, 0, 1, None)
    values = column.decode(np.zeros(20_000, dtype=np.int64), np.random.default_rng(0)).to_numpy()
    assert [np.mean(values == v) for v in range(4)] == pytest.approx([0.25] * 4, abs=0.02)


# ----------------------------------------------------------------------------- the whole file, attacked
class _Replay:
    """Records every DP mechanism's output in one fit and hands the same outputs back, in order, in the next."""

    def __init__(self) -> None:
        self.laplace: list[np.ndarray] = []
        self.picks: list[int] = []
        self.replaying = False
        self._real_laplace = mechanisms.laplace
        self._real_exponential = mechanisms.exponential

    def laplace_(self, values: Any, scale: float, rng: np.random.Generator) -> np.ndarray:
        if not self.replaying:
            out = self._real_laplace(values, scale, rng)
            self.laplace.append(out)
            return out
        out = self.laplace.pop(0)
        assert out.shape == np.asarray(values).shape, "the mechanisms ran on differently shaped (public) inputs"
        return out

    def exponential_(self, scores: Any, epsilon: float, sensitivity: float, rng: np.random.Generator) -> int:
        if not self.replaying:
            pick = self._real_exponential(scores, epsilon, sensitivity, rng)
            self.picks.append(pick)
            return pick
        return self.picks.pop(0)


def _state(model: PrivBayes) -> list[Any]:
    out: list[Any] = [model.noisy_rows_, model.n_train_rows_, model.ledger_]
    for c in model.columns_:
        out += [c.name, c.categories, c.low.tolist(), c.high.tolist(), c.has_missing]
        out.append(None if c.fine is None else c.fine.tolist())
    for t in model.tables_:
        out += [t.child, t.parents, t.cumulative.tolist()]
    out += [(d.name, d.values, d.low, d.high, d.has_missing) for d in model.domain_]
    return out


def test_the_model_file_changes_with_a_row_only_through_the_mechanisms_outputs(
    table: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Fit on a table, then on a neighbour (one row's age, hours and group changed) with every Laplace and
    exponential-mechanism output replayed from the first fit: if everything in the model (fine cells included)
    is computed from the mechanisms' outputs and public inputs only, the two models are identical. A value read
    from the rows without noise (say, exact per-value counts for the fine cells) makes them differ."""
    replay = _Replay()
    monkeypatch.setattr(mechanisms, "laplace", replay.laplace_)
    monkeypatch.setattr(mechanisms, "exponential", replay.exponential_)
    monkeypatch.setattr(mechanisms, "private_rng", lambda: np.random.default_rng(11))
    first = PrivBayes(epsilon=50.0).fit(table)
    assert next(c for c in first.columns_ if c.name == "age").fine is not None, "the attack covers fine cells"
    neighbour = table.copy()
    row = int(np.flatnonzero((table["age"] == 40) & (table["hours"] == 40) & (table["group"] == "a"))[0])
    neighbour.loc[row, ["age", "hours", "group"]] = [41, 39, "c"]
    replay.replaying = True
    second = PrivBayes(epsilon=50.0).fit(neighbour)
    assert not replay.laplace and not replay.picks, "both fits ran the same mechanisms"
    assert _state(second) == _state(first)
    first.save(tmp_path / "a.synth")
    second.save(tmp_path / "b.synth")
    assert _state(load_model(tmp_path / "b.synth")) == _state(load_model(tmp_path / "a.synth"))


def test_the_replay_attack_catches_a_leak(table: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    """The attack above is not blind: fine cells made from exact counts (no noise) are told apart."""
    exact: dict[str, np.ndarray] = {}

    def leaky_value_counts(x: np.ndarray, low: float, high: float, epsilon: float, rng: np.random.Generator):  # type: ignore[no-untyped-def]
        candidates, noisy = real_value_counts(x, low, high, epsilon, rng)
        pos = np.clip(np.searchsorted(candidates, x), 0, max(len(candidates) - 1, 0))
        exact["candidates"] = candidates
        exact["counts"] = np.bincount(pos, minlength=len(candidates)).astype(float)
        return candidates, noisy

    def leaky_fine(dom, c, noisy, scale):  # type: ignore[no-untyped-def]
        # The exact counts of the candidates fine_cells is given (a small range's window is cut to its range).
        counts = exact["counts"][np.searchsorted(exact["candidates"], c)] if len(c) else np.zeros(0)
        return real_fine(dom, c, counts, scale)

    real_value_counts = dpd.value_counts
    real_fine = dpd.fine_cells
    monkeypatch.setattr(dpd, "value_counts", leaky_value_counts)
    monkeypatch.setattr(dpd, "fine_cells", leaky_fine)
    replay = _Replay()
    monkeypatch.setattr(mechanisms, "laplace", replay.laplace_)
    monkeypatch.setattr(mechanisms, "exponential", replay.exponential_)
    monkeypatch.setattr(mechanisms, "private_rng", lambda: np.random.default_rng(11))
    first = PrivBayes(epsilon=50.0).fit(table)
    neighbour = table.copy()
    row = int(np.flatnonzero((table["age"] == 40) & (table["hours"] == 40) & (table["group"] == "a"))[0])
    neighbour.loc[row, ["age", "hours", "group"]] = [41, 39, "c"]
    replay.replaying = True
    second = PrivBayes(epsilon=50.0).fit(neighbour)
    assert _state(second) != _state(first)


def test_a_file_saved_before_fine_cells_and_the_new_parameters_still_loads(table: pd.DataFrame, tmp_path: Path) -> None:
    import json
    import zipfile

    path, old = tmp_path / "new.synth", tmp_path / "old.synth"
    PrivBayes(epsilon=50.0).fit(table).save(path)
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        arrays = zf.read("arrays.npz")
    dropped = []

    def strip(value: Any) -> Any:  # the file as written before: no fine weights, no draws / structure_score
        if isinstance(value, dict):
            if value.get("$") == "dc" and value.get("type", "").endswith("BinnedColumn"):
                dropped.append(value["v"].pop("fine"))
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value if not (isinstance(v, list) and v[:1] in (["draws"], ["structure_score"]))]
        return value

    manifest = strip(manifest)
    assert any(d is not None for d in dropped), "the new file had fine weights to drop"
    with zipfile.ZipFile(old, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("arrays.npz", arrays)
    loaded = load_model(old)
    assert all(c.fine is None for c in loaded.columns_)
    assert loaded.draws == "independent"  # what files from before the parameter drew
    syn = loaded.sample(1000, seed=0)
    assert len(syn) == 1000 and syn["age"].between(loaded.columns_[0].low.min(), loaded.columns_[0].high.max()).all()
