"""Default synthetic tables are independent draws from their model, so held-out checks read them right.

A discriminator fits on some synthetic rows and scores the others. When a table's rows depend on each other, as
balanced draws make them (a donor or code given to one row is less likely to go to another), the scored rows sit
where the fitted ones are not, and the check reads the table as harder to tell from real data than its rows are.
Until session 9 CART, Pruned CART and the DP network drew balanced tables by default; on 4,000 rows the
discriminator read Pruned CART's 0.487 where a same-size subsample of a ten times larger draw (rows distributed
exactly alike, almost none of them dependent) read 0.520.

Two checks: the consequence (whole table against a subsample of a larger draw, for the CART family) and the cause,
for every registered synthesizer: two tables of independent rows differ cell by cell as much as multinomial counts
do (Pearson's χ² of their category counts over its degrees of freedom is about 1), while balanced tables differ
less (about 0.5-0.65 here).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth
from synth.evaluation.fidelity.discriminator import evaluate_discriminator
from synth.synthesizers.registry import is_peer

ROWS = 4_000  # the most rows per class the discriminator takes: it sees a table of this size whole
SEEDS = range(6)
CATEGORIES = ["workclass", "education", "marital_status", "occupation", "relationship", "race", "sex", "income"]
LOCAL = [n for n in synth.available() if not is_peer(n)]


@pytest.fixture(scope="module")
def train(adult: pd.DataFrame) -> pd.DataFrame:
    return adult.sample(20_000, random_state=0).reset_index(drop=True)


def _whole_and_subsampled(model: synth.Synthesizer, train: pd.DataFrame) -> tuple[float, float]:
    """Mean discriminator AUC of tables seen whole, and of same-size subsamples of ten times larger draws."""
    whole, sub = [], []
    for s in SEEDS:
        table = model.sample(ROWS, seed=s)
        part = model.sample(10 * ROWS, seed=100 + s).sample(ROWS, random_state=s)
        whole.append(evaluate_discriminator(train, table, seed=s).auc)
        sub.append(evaluate_discriminator(train, part, seed=s).auc)
    return float(np.mean(whole)), float(np.mean(sub))


def _dispersion(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Pearson's χ² between two tables' counts of every category and pair of categories, over its degrees of
    freedom: about 1 when both are independent rows from one model, lower when counts are held to their
    expectation."""
    chi2, dof = 0.0, 0
    keys = [(c,) for c in CATEGORIES] + [(c, d) for i, c in enumerate(CATEGORIES) for d in CATEGORIES[i + 1 :]]
    for key in keys:
        ca, cb = (t[list(key)].astype(str).agg("|".join, axis=1).value_counts() for t in (a, b))
        cells = ca.index.union(cb.index)
        ca, cb = ca.reindex(cells, fill_value=0), cb.reindex(cells, fill_value=0)
        chi2 += float(((ca - cb) ** 2 / (ca + cb)).sum())
        dof += len(cells) - 1
    return chi2 / dof


@pytest.mark.parametrize("name", ["pruned_cart", "cart"])
def test_a_default_table_reads_like_its_rows(name: str, train: pd.DataFrame) -> None:
    model = synth.create(name, random_state=0).fit(train)
    whole, sub = _whole_and_subsampled(model, train)
    assert abs(whole - sub) < 0.02, (whole, sub)


def test_balanced_draws_read_easier_than_their_rows_which_is_why_they_are_not_the_default(
    train: pd.DataFrame,
) -> None:
    model = synth.create("pruned_cart", random_state=0, draws="balanced").fit(train)
    whole, sub = _whole_and_subsampled(model, train)
    assert whole < sub - 0.02, (whole, sub)  # 4,000 rows: 0.487 against 0.520 on the full Adult table


@pytest.mark.parametrize("name", LOCAL)
def test_every_synthesizer_draws_independent_rows_by_default(name: str, train: pd.DataFrame) -> None:
    model = synth.create(name, random_state=0).fit(train)
    ratios = [_dispersion(model.sample(ROWS, seed=2 * s), model.sample(ROWS, seed=2 * s + 1)) for s in range(3)]
    assert 0.85 < float(np.mean(ratios)) < 1.15, ratios


@pytest.mark.parametrize(
    ("name", "params"), [("pruned_cart", {"draws": "balanced"}), ("privbayes", {"draws": "balanced"})]
)
def test_the_dispersion_check_catches_balanced_draws(name: str, params: dict[str, object], train: pd.DataFrame) -> None:
    model = synth.create(name, random_state=0, **params).fit(train)
    ratios = [_dispersion(model.sample(ROWS, seed=2 * s), model.sample(ROWS, seed=2 * s + 1)) for s in range(3)]
    assert float(np.mean(ratios)) < 0.75, ratios
