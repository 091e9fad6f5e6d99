"""Discriminator refinement: a sequential model's rows that a classifier can tell from real rows are drawn less often.

A chain of trees drawing one column at a time leaves traces no single tree sees: on California Housing a
discriminator told Pruned CART's rows from real ones with AUC 0.61, on Adult 0.52. Refinement fits a classifier
telling the training rows from the model's own rows, reads its odds as an estimate of how much more often real
data holds a row like this than the model draws it (the density ratio, Sugiyama et al. 2012), and keeps each
drawn row with a probability that grows with those odds (rejection sampling; discriminator rejection sampling,
Azadi et al. 2019). Every kept row is still an independent draw: a row is accepted or drawn again on its own,
never weighed against the other rows of the table.

What keeps the correction from chasing noise:

* the classifier is gradient-boosted trees of at most :data:`LEAVES` leaves, each leaf holding at least
  :data:`MIN_LEAF_ROWS` rows, stopped early on a fifth of the rows held out, with L2 shrinkage;
* it sees :data:`CALIBRATION_ROWS` synthetic rows per training row (the classes weighted equally), so the
  model's side is known well and what the classifier learns is where real rows differ;
* the odds are tempered (raised to :data:`TEMPER`) and a row's acceptance is its tempered odds over
  a cap (at most 1), the cap being the 99th percentile (:data:`CAP_QUANTILE`) of the tempered odds over the model's
  own rows: a correction towards real data, not a copy of it. Untempered, in a scratch run on Adult,
  the classifier moved the age and education marginals further from the real ones than a fresh sample is
  (univariate accuracy 0.994 → 0.991).

It reads the training rows as the trees were fitted on them (category codes; numbers with rare values already
replaced by a draw from their band, :func:`synth.synthesizers.rare_bands.smoothed_draw`). The model file holds each
boosted tree's splits and leaf values, and the baseline; a leaf value is a gradient step over at least
:data:`MIN_LEAF_ROWS` rows. ``tests/unit/test_model_files.py`` scans a refined model's file for planted records.

Measured (docs/benchmarks/fidelity.md, "CART's predictors and refinement"): the discriminator AUC falls on
Adult, California Housing (0.61 → 0.56) and Bike
Sharing, not on Bank Marketing; accuracy moves by −0.0001 to +0.007, and sampling draws one to three rows per row kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from synth.progress import ProgressCallback, ensure
from synth.synthesizers.base import register_state
from synth.synthesizers.cart_steps import FlatTree
from synth.synthesizers.refiner_binning import batched_percentiles

#: Synthetic rows the classifier sees per training row.
CALIBRATION_ROWS = 3
#: Most training rows the classifier sees (a random subset of larger tables): its fit and memory stay bounded.
MAX_TRAINING_ROWS = 100_000
#: Most leaves of each boosted tree.
LEAVES = 15
#: Fewest rows (training and synthetic together) in a leaf of the classifier.
MIN_LEAF_ROWS = 400
#: Boosting's learning rate and most trees (each tree costs sampling time: every drawn row passes through all).
LEARNING_RATE = 0.3
MAX_TREES = 150
#: The power the odds are raised to before they set a row's chance of being kept.
TEMPER = 0.5
#: A row is kept with probability min(odds ** TEMPER / cap, 1), the cap being this quantile of the tempered odds over
#: the model's own rows: the rows above it (1%) are kept for sure, every other row in proportion to its odds.
CAP_QUANTILE = 0.99
#: Rounds of redrawing rejected rows; the rows still rejected after the last are kept as drawn.
MAX_ROUNDS = 60


class RefinerUnavailable(RuntimeError):
    """The fitted classifier could not be read into a :class:`Refiner` (it reads scikit-learn's private
    ``_predictors`` / ``_baseline_prediction``, whose layout a new release may change)."""


@dataclass(frozen=True)
class Refiner:
    """A boosted classifier's trees (real = 1) and how its odds set a drawn row's chance of being kept.

    Attributes:
        trees: the boosted trees, routing rows as :class:`FlatTree` does (``x <= threshold`` left).
        values: per tree, the value of every node (only leaves' are read): the tree's step on the log-odds.
        baseline: the log-odds before the first tree.
        temper: the power the odds are raised to.
        cap: tempered odds at or above it keep a row for sure.
    """

    trees: tuple[FlatTree, ...]
    values: tuple[np.ndarray, ...]
    baseline: float
    temper: float
    cap: float

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        """The classifier's log-odds that each row of ``x`` (float32, the trees' predictor slots) is real."""
        out = np.full(len(x), self.baseline, dtype=np.float64)
        # Rows are drawn column by column (Fortran order); every tree reads along rows, so one copy to C order
        # first: on Bike Sharing's 16 slots, 115 trees over 100,000 rows took 0.20 s instead of 0.23.
        x = np.ascontiguousarray(x, dtype=np.float32)
        for tree, value in zip(self.trees, self.values, strict=True):
            out += value[tree.apply(x)]
        return out

    def tempered_odds(self, x: np.ndarray) -> np.ndarray:
        """The odds that each row is real, raised to ``temper`` (bounded: e^50 at most)."""
        return np.exp(np.minimum(self.temper * self.log_odds(x), 50.0))

    def acceptance(self, x: np.ndarray) -> np.ndarray:
        """Each drawn row's chance of being kept: min(odds ** temper / cap, 1). The exact conditional sampler
        multiplies its candidates' weights by it, so conditioned rows are refined as unconditioned ones are."""
        return np.minimum(self.tempered_odds(x) / self.cap, 1.0)

    def keep(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Which drawn rows to keep: each independently, with probability :meth:`acceptance`."""
        return rng.random(len(x)) < self.acceptance(x)


register_state(Refiner)


def _ticking_classifier(tick: Callable[[int], None]) -> Any:
    """scikit-learn's ``HistGradientBoostingClassifier`` calling ``tick(trees so far)`` once per boosting round.

    Its fit has no callback, and on a large table it is most of a Pruned CART fit (100,000 training and 300,000
    drawn rows: tens of seconds) under one unmoving progress message. Early stopping on the loss checks the held-out
    rows once per round through ``_check_early_stopping_loss``, which this subclass wraps: the count moves the bar,
    and a progress callback that raises :class:`~synth.progress.Cancelled` there stops the fit between two trees.
    The hook is private to scikit-learn; should a release rename it, the fit is unchanged and only the ticks stop
    (``tests/unit/test_refiner_progress.py`` says so on this one).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    class TickingBoosting(HistGradientBoostingClassifier):
        def _check_early_stopping_loss(self, *args: Any, **kwargs: Any) -> Any:
            tick(len(self._predictors))
            return super()._check_early_stopping_loss(*args, **kwargs)

    return TickingBoosting


def fit_refiner(
    real: np.ndarray, synthetic: np.ndarray, seed: int, progress: ProgressCallback | None = None
) -> Refiner:
    """The refiner for a model whose own rows are ``synthetic``, fitted against the training rows ``real`` (both
    float32 rows × predictor slots, NaN where missing). ``progress`` hears each boosting round as a share of
    :data:`MAX_TREES` (early stopping usually ends sooner: the bar then jumps to its end) and may raise
    :class:`~synth.progress.Cancelled` between two rounds."""
    report = ensure(progress)

    def tick(trees: int) -> None:
        report(
            min(trees / MAX_TREES, 1.0),
            f"fitting a classifier that tells the model's rows from real ones "
            f"(tree {trees:,} of at most {MAX_TREES}; it stops once it no longer improves)",
        )

    x = np.vstack([real, synthetic]).astype(np.float32, copy=False)
    # A slot missing on every row (a column a person table learns as missing: person_rarity.few_people_columns)
    # tells nothing apart, and scikit-learn's binning fails on it: it is fitted as zeros, never split on.
    x[:, np.isnan(x).all(axis=0)] = 0.0
    y = np.r_[np.ones(len(real)), np.zeros(len(synthetic))]
    weight = np.r_[np.ones(len(real)), np.full(len(synthetic), len(real) / max(len(synthetic), 1))]
    model = _ticking_classifier(tick)(
        learning_rate=LEARNING_RATE,
        max_iter=MAX_TREES,
        max_leaf_nodes=LEAVES,
        min_samples_leaf=MIN_LEAF_ROWS,
        l2_regularization=1.0,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=20,
        random_state=seed,
    )
    # OpenMP threads as every other boosted model here (synth.evaluation.features.default_threads: one unless
    # SYNTH_ML_THREADS says otherwise): on a busy machine, a thread per core waits on the others.
    from synth.evaluation.features import thread_limit

    with thread_limit(None), batched_percentiles():  # the same bins, found in one call per column
        model.fit(x, y, sample_weight=weight)
    try:
        read = refiner_from(model, x.shape[1])
    except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
        # scikit-learn's private layout of a boosted tree changed: fit without refinement rather than fail.
        raise RefinerUnavailable(f"this scikit-learn's boosted trees could not be read ({exc})") from exc
    refiner = replace(read, temper=TEMPER)
    tempered = refiner.tempered_odds(synthetic.astype(np.float32, copy=False))
    return replace(refiner, cap=max(1.0, float(np.quantile(tempered, CAP_QUANTILE))))


def refiner_from(model: Any, n_features: int) -> Refiner:
    """A fitted two-class ``HistGradientBoostingClassifier``'s trees as a :class:`Refiner` (the file format keeps
    arrays, never the estimator): its log-odds are the model's ``decision_function``."""
    trees, values = [], []
    for (predictor,) in model._predictors:  # one tree per iteration for two classes
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        trees.append(
            FlatTree(
                np.where(leaf, -1, nodes["left"].astype(np.int64)),
                np.where(leaf, -1, nodes["right"].astype(np.int64)),
                np.where(leaf, -2, nodes["feature_idx"].astype(np.int64)),
                np.where(leaf, -2.0, nodes["num_threshold"]).astype(np.float64),
                nodes["missing_go_to_left"].astype(np.uint8),
                int(n_features),
                int(nodes["depth"].max()),
            )
        )
        values.append(nodes["value"].astype(np.float64))
    baseline = float(np.ravel(model._baseline_prediction)[0])
    return Refiner(tuple(trees), tuple(values), baseline, 1.0, 1.0)


def refined_rows(
    draw: Callable[[np.ndarray], tuple[list[np.ndarray], np.ndarray]],
    n: int,
    refiner: Refiner,
    rng: np.random.Generator,
    progress: ProgressCallback,
) -> list[np.ndarray]:
    """Every column's values for ``n`` rows, each row drawn until the refiner keeps it (at most :data:`MAX_ROUNDS`
    rounds). ``draw(rows)`` draws fresh values for the output rows ``rows`` (their conditions, if any, are the
    caller's) and returns them per column with the predictor matrix the refiner reads."""
    pending = np.arange(n)
    out: list[np.ndarray] | None = None
    for round_ in range(MAX_ROUNDS):
        values, x = draw(pending)
        kept = refiner.keep(x, rng) if round_ < MAX_ROUNDS - 1 else np.ones(len(pending), dtype=bool)
        if out is None:  # a column no step draws (learned as missing: no values) stays empty, as unrefined
            out = [np.empty(n if len(v) else 0, dtype=v.dtype) for v in values]
        for column, v in zip(out, values, strict=True):
            if len(column):
                column[pending[kept]] = v[kept]
        pending = pending[~kept]
        progress(
            1.0 - len(pending) / max(n, 1),
            f"drawing rows a classifier cannot tell from real ones ({n - len(pending):,} of {n:,} kept)",
        )
        if not len(pending):
            break
    return out if out is not None else []
