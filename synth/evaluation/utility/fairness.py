"""Bias you can see: groups and outcomes in real and synthetic data, and what a model trained on each does.

For a sensitive column (sex, race; a numeric one such as age is cut into bands at the real quartiles, a 0/1 flag
is its two groups) and a binary outcome (one value against the rest):

* **Tables**: each group's share of the rows and its outcome rate, in the real training table and in every
  synthetic table, with bootstrap intervals; the *outcome gap* (highest minus lowest group rate) of each.
* **Models**: the same classifier trained on real train and on each synthetic table, scored on the real
  holdout: accuracy, demographic parity difference (largest gap in the share predicted positive between
  groups) and equalized odds difference (the larger of the gaps in true and false positive rates), the last two
  as fairlearn defines them (estimates and paired bootstrap replicates from a vectorised version that the tests
  check against fairlearn; a group without a rate, no adverse holdout row for a false positive rate, is left out
  where fairlearn counts it as 0).
* **Warnings** when a synthetic table amplifies a gap beyond noise: a larger outcome gap than the real table, or
  a model trained on it less fair on real data than the model trained on real data; **improvements**, the same
  tests the other way round, when a table (a balanced one) narrows a gap, with the model's accuracy beside it.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.evaluation.features import FeatureEncoder, fittable, labels, thread_limit
from synth.evaluation.results import (
    Interval,
    bootstrap_weights,
    number,
    recentred_interval,
    to_jsonable,
    value_words,
)
from synth.evaluation.utility.augmentation import FEATURE_KINDS
from synth.evaluation.utility.group_columns import GROUP_LEVELS as GROUP_LEVELS  # re-exported: it lived here
from synth.evaluation.utility.group_columns import group_column_order as group_column_order
from synth.evaluation.utility.targets import is_flag
from synth.progress import ProgressCallback, ensure
from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema, numeric_values

NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME)
MAX_GROUPS = 12
BANDS = 4
OTHER = "(other)"


class FairnessError(ValueError):
    """The fairness comparison cannot run as asked; the message says why and what to pick instead."""


@dataclass(frozen=True)
class GroupRow:
    """One group in one table: its share of the rows and its outcome rate, with intervals."""

    table: str
    group: str
    n: int
    share: float
    share_interval: Interval
    outcome_rate: float
    outcome_interval: Interval


@dataclass(frozen=True)
class ModelFairness:
    """A model trained on one table, judged on the real holdout."""

    trained_on: str
    accuracy: float
    accuracy_interval: Interval
    demographic_parity_difference: float
    dpd_interval: Interval
    equalized_odds_difference: float
    eod_interval: Interval
    predicted_share: float = float("nan")  # holdout rows predicted favourable: 0 or 1 makes both differences 0

    @property
    def one_prediction(self) -> bool:
        """The model predicts the same outcome for every holdout row: its parity differences are 0 by construction."""
        return self.predicted_share in (0.0, 1.0)


@dataclass(frozen=True)
class FairnessResult:
    """Groups, outcome gaps, model fairness and warnings (see the module docstring).

    Attributes:
        outcome_gaps: per table (``real`` first), the highest minus the lowest group outcome rate, and its
            interval.
        amplified: tables that amplify a gap beyond noise (outcome gap, or the model's DPD / EOD).
        warnings: the amplifications in words.
        notes: caveats in words, e.g. a model that predicts one outcome for everyone (its differences of 0 say
            nothing about fairness).
        fairer: tables that narrow a gap beyond noise (outcome gap, or the model's DPD / EOD);
            ``improvements``: (table, words) for each, a model's with its accuracy beside the real model's (what
            the fairness cost). A model that predicts one outcome for everyone is never called fairer. Whether a
            narrower gap is good news is the reader's: a balanced table was asked for it, a plain sample that
            narrows a real gap understates it.
    """

    sensitive: str
    outcome: str
    positive: Any
    groups: tuple[str, ...]
    rows: tuple[GroupRow, ...]
    outcome_gaps: tuple[tuple[str, float, Interval], ...]
    models: tuple[ModelFairness, ...]
    amplified: tuple[str, ...]
    warnings: tuple[str, ...]
    n_bootstrap: int
    seed: int
    notes: tuple[str, ...] = ()
    fairer: tuple[str, ...] = ()
    improvements: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return dict(to_jsonable(self))

    @property
    def summary(self) -> str | None:
        """The sentence for a comparison that found no amplification, saying what it rests on; None when it found
        one (``warnings`` say which). Session 18 walk: a 1% complaint flag, both models predicting "no complaint"
        for every holdout row, and the page said in green "No synthetic table amplifies a gap between groups beyond
        noise", though only the outcome rates of 26 training rows had been compared."""
        if self.warnings:
            return None
        text = "No synthetic table amplifies a gap between groups beyond noise"
        if self.models and all(m.one_prediction for m in self.models):
            real = next(((gap, iv) for name, gap, iv in self.outcome_gaps if name == "real"), None)
            favourable = sum(r.n * r.outcome_rate for r in self.rows if r.table == "real")
            gap = "" if real is None else f" (real gap {real[0]:.1%}, 95% {real[1].low:.1%}–{real[1].high:.1%})"
            return (
                f"{text} in the outcome rates alone{gap}: the models say nothing here (each predicts one outcome for "
                f"every holdout row), and {round(favourable):,} training rows have {self.outcome} = "
                f"{value_words(self.positive)}."
            )
        return f"{text}."

    def table(self) -> pd.DataFrame:
        """Group rows as a frame: one row per (table, group)."""
        return pd.DataFrame([to_jsonable(r) for r in self.rows])


# ----------------------------------------------------------------------------- groups
@dataclass(frozen=True)
class Grouping:
    """How values of the sensitive column become groups: kept labels, or numeric bands at real quartiles."""

    column: str
    kind: ColumnKind
    labels: tuple[str, ...]
    edges: tuple[float, ...]

    @classmethod
    def fit(cls, series: pd.Series, kind: ColumnKind) -> Grouping:
        name = str(series.name)
        if kind in NUMERIC and is_flag(series):  # a 0/1 flag (is_female, has_disability) is two groups, not bands:
            kind = ColumnKind.CATEGORICAL  # at its quartiles, a 5% flag made one band "≥ 0" and "has one group"
        if kind in NUMERIC:
            x = numeric_values(series, kind)
            x = x[np.isfinite(x)]
            edges = tuple(np.unique(np.quantile(x, np.linspace(0, 1, BANDS + 1)[1:-1]))) if len(x) else ()
            return cls(name, kind, tuple(band_names(edges)), edges)
        counts = labels(series).dropna().value_counts()
        return cls(name, kind, tuple(str(v) for v in counts.index[:MAX_GROUPS]), ())

    def assign(self, series: pd.Series) -> np.ndarray:
        """Each row's group label (object array; None for missing)."""
        if self.kind in NUMERIC:
            x = numeric_values(series, self.kind)
            band = np.searchsorted(np.asarray(self.edges), x, side="right")
            out = np.asarray(self.labels, dtype=object)[np.minimum(band, len(self.labels) - 1)]
            out[~np.isfinite(x)] = None
            return out
        text = labels(series).to_numpy(dtype=object)
        kept = set(self.labels)
        return np.array([v if v is None or v in kept else OTHER for v in text], dtype=object)

    @property
    def all_labels(self) -> tuple[str, ...]:
        return self.labels if self.kind in NUMERIC else (*self.labels, OTHER)


def band_names(edges: tuple[float, ...]) -> list[str]:
    """Names of the bands cut at ``edges``: "< a", "a–b", …, "≥ z"."""
    if not edges:
        return ["all"]
    middle = [f"{a:g}–{b:g}" for a, b in itertools.pairwise(edges)]
    return [f"< {edges[0]:g}", *middle, f"≥ {edges[-1]:g}"]


# ----------------------------------------------------------------------------- metrics
def group_rates(
    groups: np.ndarray, values: np.ndarray, weights: np.ndarray, names: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Per group (rows of the output) and replicate (columns): weighted count and weighted mean of ``values``."""
    counts = np.stack([(weights * (groups == g)[:, None]).sum(axis=0) for g in names])
    sums = np.stack([(weights * ((groups == g) & values)[:, None]).sum(axis=0) for g in names])
    with np.errstate(divide="ignore", invalid="ignore"):
        return counts, np.where(counts > 0, sums / counts, np.nan)


def _spread(rates: np.ndarray) -> np.ndarray:
    """Highest minus lowest rate over the groups present (NaN rates left out), per replicate."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        # a replicate without a rate in any group (no adverse row resampled) is NaN: _interval leaves it out
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmax(rates, axis=0) - np.nanmin(rates, axis=0)


def parity_differences(
    y: np.ndarray, pred: np.ndarray, groups: np.ndarray, weights: np.ndarray, names: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Demographic parity and equalized odds differences (fairlearn's between-groups, worst-case) per replicate."""
    _, selection = group_rates(groups, pred, weights, names)
    _, tpr = group_rates(groups[y], pred[y], weights[y], names)
    _, fpr = group_rates(groups[~y], pred[~y], weights[~y], names)
    return _spread(selection), np.fmax(_spread(tpr), _spread(fpr))


def _interval(values: np.ndarray, level: float = 0.95) -> Interval:
    """Bootstrap interval of ``values[0]`` from the replicates ``values[1:]``, re-centred on the estimate.

    Re-centring removes the bootstrap's own bias, which matters for spreads (max − min is biased upwards).
    """
    estimate = float(values[0])
    reps = values[1:][np.isfinite(values[1:])]
    if not np.isfinite(estimate) or not len(reps):
        return Interval(float("nan"), float("nan"), level)
    out = recentred_interval(estimate, reps - estimate, level=level, bounds=(0.0, 1.0))
    return out if out is not None else Interval(estimate, estimate, level)


def _gap_excludes_zero(diff: np.ndarray, level: float = 0.95) -> bool:
    """Whether a paired difference (estimate, then replicates) is above zero beyond noise."""
    reps = diff[1:][np.isfinite(diff[1:])]
    if not len(reps):
        return False
    out = recentred_interval(float(diff[0]), reps - float(diff[0]), level=level, bounds=(-1.0, 1.0))
    return out is not None and out.low > 0


# ----------------------------------------------------------------------------- the comparison
def evaluate_fairness(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame | Mapping[str, pd.DataFrame],
    *,
    sensitive: str,
    outcome: str,
    positive: Any,
    schema: Schema | None = None,
    models: bool = True,
    n_bootstrap: int = 200,
    seed: int = 0,
    n_threads: int | None = None,
    progress: ProgressCallback | None = None,
) -> FairnessResult:
    """Groups and outcomes in real vs synthetic tables, and the fairness of models trained on each.

    Args:
        train / holdout: the real split.
        synthetic: one synthetic table, or several by name (e.g. ``{"synthetic": plain, "balanced": fair}``).
        sensitive: the group column (categorical, boolean, or numeric cut into bands).
        outcome / positive: the outcome column and its favourable value (the rest is "not").
        models: also train a classifier on each table and judge it on the holdout.

    Raises:
        FairnessError: a column is missing or unusable, the sensitive column has one group, or the outcome
            value never occurs.
    """
    report = ensure(progress)
    tables = {"synthetic": synthetic} if isinstance(synthetic, pd.DataFrame) else dict(synthetic)
    if not tables:
        raise FairnessError("give at least one synthetic table to compare")
    schema = schema if schema is not None else infer_schema(train)
    for column in (sensitive, outcome):
        if column not in schema:
            raise FairnessError(f"the table has no column {column!r}")
    if sensitive == outcome:
        raise FairnessError("the sensitive column and the outcome must be different columns")
    s_kind, o_kind = schema[sensitive].kind, schema[outcome].kind
    if s_kind is ColumnKind.CONSTANT:
        values = train[sensitive].dropna().unique()
        raise FairnessError(
            f"{sensitive!r} has one group in the training data ({value_words(values[0]) if len(values) else 'none'}): "
            "fairness compares groups, so pick a column with at least two"
        )
    if s_kind not in FEATURE_KINDS or o_kind not in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.DISCRETE):
        raise FairnessError(
            f"{sensitive!r} must be a categorical, boolean or numeric column and {outcome!r} a categorical, boolean "
            "or whole-number column"
        )
    real = coerce_to_schema(train[schema.names], schema)
    hold = coerce_to_schema(holdout[schema.names], schema)
    syn = {name: coerce_to_schema(t[schema.names], schema) for name, t in tables.items()}
    grouping = Grouping.fit(real[sensitive], s_kind)
    present = [g for g in grouping.all_labels if (grouping.assign(real[sensitive]) == g).any()]
    if len(present) < 2:
        raise FairnessError(
            f"{sensitive!r} has one group in the training data "
            f"({value_words(present[0]) if present else 'none'}): fairness "
            "compares groups, so pick a column with at least two"
        )
    names = tuple(present)
    key = str(labels(pd.Series([positive]))[0])
    if not (labels(real[outcome]).to_numpy(dtype=object) == key).any():
        raise FairnessError(
            f"{outcome} = {value_words(positive)} never occurs in the training data: pick a value it holds"
        )
    rng = np.random.default_rng(seed)
    all_tables = {"real": real, **syn}
    rows: list[GroupRow] = []
    gaps: list[tuple[str, float, Interval]] = []
    gap_reps: dict[str, np.ndarray] = {}
    for t, (name, frame) in enumerate(all_tables.items()):
        report(0.3 * t / len(all_tables), f"group shares and outcome rates in {name}")
        groups = grouping.assign(frame[sensitive])
        y = labels(frame[outcome]).to_numpy(dtype=object) == key
        w = np.ones((len(frame), 1 + n_bootstrap), dtype=np.float32)
        w[:, 1:] = bootstrap_weights(rng, len(frame), n_bootstrap)
        counts, rates = group_rates(groups, y, w, names)
        shares = counts / np.maximum(counts.sum(axis=0), 1)
        for i, g in enumerate(names):
            rows.append(
                GroupRow(
                    name, g, int(counts[i, 0]), float(shares[i, 0]), _interval(shares[i]), float(rates[i, 0]),
                    _interval(rates[i]),
                )
            )  # fmt: skip
        spread = _spread(rates)
        gaps.append((name, float(spread[0]), _interval(spread)))
        gap_reps[name] = spread
    warnings: list[str] = []
    amplified: list[str] = []
    # What balancing is for, said as plainly as an amplification: the Adult walk's table balanced on sex × income
    # brought the outcome gap from 19.8% to 0.0% and the model's parity difference from 0.172 to 0.099, and the
    # panel said only that the plain synthetic table's model was less fair.
    fairer: list[str] = []
    improvements: list[tuple[str, str]] = []
    real_gap = gap_reps["real"]
    for name in syn:
        diff = gap_reps[name] - real_gap
        between = f"the gap in {outcome} = {value_words(positive)} between {sensitive} groups"
        said = f"{gap_reps[name][0]:.1%} against {real_gap[0]:.1%} in the real data."
        if _gap_excludes_zero(diff):
            amplified.append(name)
            warnings.append(f"{name} amplifies {between}: {said}")
        elif _gap_excludes_zero(-diff):
            fairer.append(name)
            improvements.append((name, f"The {name} table narrows {between}: {said}"))
    fitted: list[ModelFairness] = []
    if models:
        fitted, reps = _model_fairness(
            all_tables, hold, schema, grouping, names, outcome, key, rng, n_bootstrap, seed, n_threads, report
        )
        for m in fitted[1:]:
            # Paired: both models judged on the same bootstrap resamples of the holdout.
            for label, j in (("demographic parity", 0), ("equalized odds", 1)):
                diff = reps[m.trained_on][j] - reps["real"][j]
                if _gap_excludes_zero(diff):
                    if m.trained_on not in amplified:
                        amplified.append(m.trained_on)
                    warnings.append(
                        f"A model trained on {m.trained_on} is less fair on real data than one trained on real data: "
                        f"its {label} difference is {reps[m.trained_on][j][0]:.3f} against {reps['real'][j][0]:.3f} "
                        f"({number(diff[0], signed=True)}, beyond noise)."
                    )
            improved = _fairer_model(m, fitted[0], reps)
            if improved:
                if m.trained_on not in fairer:
                    fairer.append(m.trained_on)
                improvements.append((m.trained_on, improved))
    notes = []
    for favourable in (False, True):  # one note per direction, naming every model that predicts it for all
        same = [m.trained_on for m in fitted if m.one_prediction and bool(m.predicted_share) is favourable]
        if same:
            who = (
                f"The model trained on {same[0]} predicts"
                if len(same) == 1
                else (f"The models trained on {', '.join(same[:-1])} and {same[-1]} each predict")
            )
            notes.append(
                f"{who} {outcome} {'=' if favourable else '≠'} {value_words(positive)} for every holdout row, "
                "so the demographic "
                "parity and equalized odds differences are 0 by construction: they say nothing about fairness here "
                "(no holdout row's predicted chance is on the other side of 50%)."
            )
    report(1.0, "fairness compared")
    return FairnessResult(
        sensitive, outcome, positive, names, tuple(rows), tuple(gaps), tuple(fitted), tuple(amplified),
        tuple(warnings), n_bootstrap, seed, tuple(notes), tuple(fairer), tuple(improvements),
    )  # fmt: skip


def _fairer_model(
    model: ModelFairness, real: ModelFairness, reps: dict[str, tuple[np.ndarray, np.ndarray]]
) -> str | None:
    """The sentence for a model fairer on the real holdout than the real model beyond noise (paired replicates),
    with both accuracies; None when it is not, or when it predicts one outcome for everyone (its 0 is no gain)."""
    if model.one_prediction:
        return None
    own, base = reps[model.trained_on], reps["real"]
    narrowed = [  # the figures of the panel's table (fairlearn's), the test on the paired replicates
        f"its {label} difference is {a:.3f} against {b:.3f} ({number(a - b, signed=True)})"
        for label, j, a, b in (
            ("demographic parity", 0, model.demographic_parity_difference, real.demographic_parity_difference),
            ("equalized odds", 1, model.equalized_odds_difference, real.equalized_odds_difference),
        )
        if _gap_excludes_zero(base[j] - own[j])
    ]
    if not narrowed:
        return None
    return (
        f"A model trained on {model.trained_on} is fairer on real data than one trained on real data: "
        f"{' and '.join(narrowed)}, beyond noise; its accuracy is {model.accuracy:.3f} against {real.accuracy:.3f}."
    )


def _model_fairness(
    tables: dict[str, pd.DataFrame],
    hold: pd.DataFrame,
    schema: Schema,
    grouping: Grouping,
    names: tuple[str, ...],
    outcome: str,
    key: str,
    rng: np.random.Generator,
    n_bootstrap: int,
    seed: int,
    n_threads: int | None,
    report: ProgressCallback,
) -> tuple[list[ModelFairness], dict[str, tuple[np.ndarray, np.ndarray]]]:
    from sklearn.ensemble import HistGradientBoostingClassifier

    features = [s.name for s in schema if s.kind in FEATURE_KINDS and s.name != outcome]
    encoder = FeatureEncoder.fit(tables["real"], schema, features)
    mask = encoder.categorical_mask
    x_hold = encoder.tree_matrix(hold)
    y_hold = labels(hold[outcome]).to_numpy(dtype=object) == key
    g_hold = grouping.assign(hold[grouping.column])
    keep = np.array([g is not None for g in g_hold])
    w = np.ones((len(hold), 1 + n_bootstrap), dtype=np.float32)
    w[:, 1:] = bootstrap_weights(rng, len(hold), n_bootstrap)
    out = []
    reps: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for t, (name, frame) in enumerate(tables.items()):
        report(0.3 + 0.7 * t / len(tables), f"training on {name}, judging on the real holdout")
        y = labels(frame[outcome]).to_numpy(dtype=object) == key
        if y.all() or not y.any():
            pred = np.full(len(hold), bool(y.any()))
        else:
            cats = mask if mask.any() else None
            model = HistGradientBoostingClassifier(
                max_iter=200, early_stopping=len(y) >= 2000, random_state=seed, categorical_features=cats
            )
            with thread_limit(n_threads):
                model.fit(fittable(encoder.tree_matrix(frame)), y)
                pred = np.asarray(model.predict_proba(x_hold)[:, 1] >= 0.5)
        correct = (pred == y_hold)[:, None]
        accuracy = (w * correct).sum(axis=0) / w.sum(axis=0)
        dpd, eod = parity_differences(y_hold[keep], pred[keep], g_hold[keep], w[keep], names)
        reps[name] = (dpd, eod)
        # The estimates are the unweighted replicate (fairlearn's figures whenever every group holds both
        # outcomes, which the tests check). fairlearn scores a group with no adverse holdout row at a false positive
        # rate of 0: the customers walk's model that predicted "no fraud" for everyone read 1.000 (0.000–0.000).
        out.append(
            ModelFairness(
                name,
                float(accuracy[0]),
                _interval(accuracy),
                float(dpd[0]),
                _interval(dpd),
                float(eod[0]),
                _interval(eod),
                float(pred[keep].mean()) if keep.any() else float("nan"),
            )
        )
    return out, reps
