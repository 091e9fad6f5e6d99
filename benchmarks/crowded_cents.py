"""Crowded cents: the seeded price tables and the training-only-price attack that the rounding and spreading of
crowded draws are measured and tested on (``tests/unit/test_layout_excess.py``, ``tests/unit/test_knot_spread.py``,
``benchmarks/bench_layout_excess.py``, ``benchmarks/bench_copula_spread.py``).

Lognormal(3, 0.5) spends rounded to cents sit around €20, where about 3 cent values fall per real price: a model whose
density there is read off a few rows lands on its own training rows' prices more often than on a fresh row's nearby.
The attack counts it: of the prices held once in train and never in the holdout, the share a sample holds, minus the
same share of the holdout-only ones (each table's first 1,000 rows are train, the next 1,000 the holdout).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def prices(n: int, seed: int, euro: bool = True, shops: tuple[float, ...] | None = None) -> pd.DataFrame:
    """``n`` crowded cents beside a shop (``shops``: the shares of its three levels, even by default): lognormal(3, 0.5)
    spends in cents, written "€1,234.50" when ``euro``, else a plain float column."""
    rng = np.random.default_rng(seed)
    spend = np.round(rng.lognormal(3, 0.5, n), 2)
    shop = rng.choice(list("abc"), n, p=shops)
    return pd.DataFrame({"shop": shop, "spend": [f"€{x:,.2f}" for x in spend] if euro else spend})


def tables(seed: int, euro: bool = True, shops: tuple[float, ...] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training rows and the holdout (1,000 rows apiece) of one seeded table of :func:`prices`."""
    real = prices(2_000, seed, euro, shops)
    return real.iloc[:1_000], real.iloc[1_000:]


def once_only(train: pd.Series, holdout: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The values held once in train and never in the holdout, and the other way round."""
    t, h = train.value_counts(), holdout.value_counts()
    return np.setdiff1d(t[t == 1].index, h.index), np.setdiff1d(h[h == 1].index, t.index)


def excess(train: pd.Series, holdout: pd.Series, drawn: Any) -> float:
    """Training-only values (held once, never in the holdout) the sample ``drawn`` holds minus holdout-only ones."""
    train_only, holdout_only = once_only(train, holdout)
    values = np.asarray(drawn)
    return float(np.isin(train_only, values).mean() - np.isin(holdout_only, values).mean())


def hit_ratio(train: pd.Series, holdout: pd.Series, drawn: pd.Series) -> float:
    """How much more often a training-only value is drawn than a holdout-only one, per value, minus 1: a finer
    reading of the same attack where every price is drawn several times."""
    train_only, holdout_only = once_only(train, holdout)
    counts = drawn.value_counts()
    return float(
        counts.reindex(train_only, fill_value=0).mean() / counts.reindex(holdout_only, fill_value=0).mean() - 1
    )


def model_excess(
    name: str,
    seed: int,
    params: dict[str, Any] | None = None,
    shops: tuple[float, ...] | None = None,
    euro: bool = True,
) -> float:
    """:func:`excess` of a 1,000-row sample (seed ``seed``) of the synthesizer ``name`` fitted with ``params`` on
    the training rows of the table seeded ``seed``."""
    import synth

    train, holdout = tables(seed, euro, shops)
    model = synth.create(name, random_state=seed, **(params or {})).fit(train, synth.infer_schema(train))
    return excess(train["spend"], holdout["spend"], model.sample(1_000, seed=seed)["spend"].to_numpy())
