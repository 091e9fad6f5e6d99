"""Does adding synthetic rows of a rare class help a model? Measured on real data, against simple oversampling.

The same classifier (HistGradientBoosting, seeded) is trained on the real training table alone, and on the
real training table plus ``k`` extra rows of the chosen class from each source:

* ``synthetic``: rows the synthesizer draws conditioned on the class (its own conditional distribution);
* ``duplicates``: real rows of the class copied at random (random oversampling);
* ``SMOTE``: rows interpolated between real neighbours of the class (imbalanced-learn's SMOTE / SMOTENC).

Every model is scored on the real holdout, which no source saw: PR-AUC (average precision) of the rare class,
recall at a fixed precision, and F1 at the classifier's own 0.5 threshold (which adding rows of a class
moves; the first two do not depend on a threshold). Paired bootstrap intervals over the holdout rows give
each score and each gain over "real only" its noise band, so "it helps" is only said when the gain's interval
lies above zero, and "the synthesizer adds something beyond oversampling" only when its gain over the best
of duplicates and SMOTE does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.evaluation.features import FeatureEncoder, labels, thread_limit
from synth.evaluation.results import Interval, bootstrap_weights, number, to_jsonable, value_words
from synth.evaluation.utility.tstr import MIN_CLASS_ROWS
from synth.progress import ProgressCallback, ensure
from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema

FEATURE_KINDS = frozenset(
    {ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}
)
TARGET_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.DISCRETE)
DEFAULT_SHARES = (0.1, 0.25, 0.5)
MIN_HOLDOUT_POSITIVES = 5
SOURCES = ("synthetic", "duplicates", "SMOTE")


def _rows(n: int) -> str:
    """ "1 row", "12 rows": "the holdout has 1 rows" read as a slip."""
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


def holdout_shortfall(n_holdout_rows: int, target: str, positive: Any) -> str | None:
    """Why the check cannot judge a class the holdout holds ``n_holdout_rows`` rows of (fewer than
    :data:`MIN_HOLDOUT_POSITIVES`), in words; None when it can. The page says it before the run: the ledger walk
    clicked "Run the augmentation check" on fraud = 1 and learnt only then that the holdout had 4 such rows."""
    if n_holdout_rows >= MIN_HOLDOUT_POSITIVES:
        return None
    return (
        f"the holdout has {_rows(n_holdout_rows)} with {target} = {value_words(positive)}; at least "
        f"{MIN_HOLDOUT_POSITIVES} are needed to judge a model on the class. Use a larger holdout share or a larger "
        "table."
    )


class AugmentationError(ValueError):
    """The augmentation experiment cannot run as asked; the message says why and what to change."""


@dataclass(frozen=True)
class ArmScore:
    """One trained model's scores on the real holdout.

    Attributes:
        source: ``real only``, ``synthetic``, ``duplicates`` or ``SMOTE``.
        k: rows of the class added to the real training table.
        positive_share: the class's share of the training rows the model saw.
        pr_auc / recall_at_precision / f1: scores on the holdout, with bootstrap intervals.
        pr_auc_gain: PR-AUC minus the real-only model's, with a paired interval (None for real only).
    """

    source: str
    k: int
    positive_share: float
    pr_auc: float
    pr_auc_interval: Interval
    recall_at_precision: float
    recall_interval: Interval
    f1: float
    f1_interval: Interval
    pr_auc_gain: float | None
    pr_auc_gain_interval: Interval | None


@dataclass(frozen=True)
class AugmentationResult:
    """The experiment and its verdict.

    Attributes:
        target / positive: the class augmented.
        precision: the fixed precision at which recall is read.
        n_train / n_train_positive / n_holdout / n_holdout_positive: the real tables' sizes.
        arms: every trained model (real only first, then by k and source).
        helps: True when some synthetic arm's PR-AUC gain interval lies above 0, False when one lies below and
            none above, None when every gain is within noise or the class has fewer than
            :data:`~synth.evaluation.utility.tstr.MIN_CLASS_ROWS` rows in training or the holdout.
        beyond_oversampling: True when the best synthetic arm beats the best oversampling arm of the same k
            beyond noise, False when it is beaten beyond noise, None otherwise (or without baselines, or with too
            few rows of the class).
        verdict: the answer in plain words.
        notes: what was skipped and why (e.g. SMOTE with too few rows of the class).
    """

    target: str
    positive: Any
    precision: float
    n_train: int
    n_train_positive: int
    n_holdout: int
    n_holdout_positive: int
    arms: tuple[ArmScore, ...]
    helps: bool | None
    beyond_oversampling: bool | None
    verdict: str
    notes: tuple[str, ...]
    n_bootstrap: int
    seed: int

    def arm(self, source: str, k: int | None = None) -> ArmScore:
        for a in self.arms:
            if a.source == source and (k is None or a.k == k):
                return a
        raise KeyError((source, k))

    def to_dict(self) -> dict[str, Any]:
        return dict(to_jsonable(self))


# ----------------------------------------------------------------------------- scoring
def curve_scores(
    y: np.ndarray, scores: np.ndarray, weights: np.ndarray, precision: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PR-AUC, recall at ``precision`` and F1 at 0.5 for every column of ``weights`` (bootstrap row counts).

    Average precision as scikit-learn defines it (Σ ΔRecall × Precision over distinct thresholds), on
    weighted rows, vectorised over the replicates.
    """
    order = np.argsort(-scores, kind="stable")
    s, yy, w = scores[order], y[order].astype(float), weights[order].astype(float)
    tp = np.cumsum(w * yy[:, None], axis=0)
    fp = np.cumsum(w * (1.0 - yy[:, None]), axis=0)
    last = np.r_[s[1:] != s[:-1], True]  # the last row of each run of tied scores is a threshold
    tp, fp = tp[last], fp[last]
    positives = tp[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        prec = np.where(tp + fp > 0, tp / (tp + fp), 1.0)
        rec = np.where(positives > 0, tp / positives, 0.0)
    delta = np.diff(np.vstack([np.zeros((1, rec.shape[1])), rec]), axis=0)
    ap = (delta * prec).sum(axis=0)
    recall_at = np.where(prec >= precision, rec, 0.0).max(axis=0)
    predicted = scores >= 0.5
    tp5 = (weights * (y & predicted)[:, None]).sum(axis=0)
    fp5 = (weights * (~y & predicted)[:, None]).sum(axis=0)
    fn5 = (weights * (y & ~predicted)[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(2 * tp5 + fp5 + fn5 > 0, 2 * tp5 / (2 * tp5 + fp5 + fn5), 0.0)
    nan = positives <= 0
    return np.where(nan, np.nan, ap), np.where(nan, np.nan, recall_at), f1


def _interval(values: np.ndarray, level: float = 0.95) -> Interval:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return Interval(float("nan"), float("nan"), level)
    alpha = (1.0 - level) / 2.0
    return Interval(float(np.quantile(finite, alpha)), float(np.quantile(finite, 1.0 - alpha)), level)


# ----------------------------------------------------------------------------- the experiment
def shares_to_k(n_train: int, n_positive: int, shares: Sequence[float]) -> list[int]:
    """Rows of the class to add so that it makes up each share of the augmented training table."""
    out = []
    for share in shares:
        if not 0.0 < share < 1.0:
            raise AugmentationError(f"a target share of the class must lie strictly between 0 and 1, got {share!r}")
        k = math.ceil((share * n_train - n_positive) / (1.0 - share))
        if k > 0 and k not in out:
            out.append(k)
    return out


def _fit_predict(x: np.ndarray, y: np.ndarray, x_test: np.ndarray, mask: np.ndarray, seed: int) -> np.ndarray:
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(
        max_iter=200,
        early_stopping=len(y) >= 2000,
        n_iter_no_change=10,
        random_state=seed,
        categorical_features=mask if mask.any() else None,
    )
    model.fit(x, y)
    return np.asarray(model.predict_proba(x_test)[:, 1])


def _smote_rows(
    x: np.ndarray, y: np.ndarray, k: int, mask: np.ndarray, seed: int
) -> tuple[np.ndarray | None, str | None]:
    """``k`` SMOTE rows of the positive class (features only), or None and why not."""
    n_pos = int(y.sum())
    if n_pos < 2:
        return None, "SMOTE needs at least 2 rows of the class in training"
    try:
        from imblearn.over_sampling import SMOTE, SMOTENC
    except ImportError:  # pragma: no cover - a core dependency
        return None, "SMOTE needs imbalanced-learn (pip install imbalanced-learn)"
    filled = x.copy()
    for j in np.flatnonzero(~mask):  # SMOTE cannot interpolate missing numbers: the column median stands in
        col = filled[:, j]
        bad = ~np.isfinite(col)
        if bad.any():
            col[bad] = np.nanmedian(col[~bad]) if (~bad).any() else 0.0
    neighbours = min(5, n_pos - 1)
    strategy = {1: n_pos + k}
    sampler: Any
    if mask.any() and not mask.all():
        sampler = SMOTENC(
            categorical_features=np.flatnonzero(mask).tolist(),
            sampling_strategy=strategy,
            k_neighbors=neighbours,
            random_state=seed,
        )
    else:
        sampler = SMOTE(sampling_strategy=strategy, k_neighbors=neighbours, random_state=seed)
    resampled, _ = sampler.fit_resample(filled, y.astype(int))
    return np.asarray(resampled[len(x) :], dtype=float), None


def _synthetic_rows(
    source: Any, k: int, target: str, positive: Any, schema: Schema, seed: int, progress: ProgressCallback
) -> pd.DataFrame:
    from synth.synthesizers.base import Synthesizer

    if isinstance(source, Synthesizer):
        return source.sample(k, seed=seed, conditions={target: positive}, progress=progress)
    if not isinstance(source, pd.DataFrame):
        raise AugmentationError(f"synthetic must be a fitted synthesizer or a DataFrame, got {type(source).__name__}")
    rows = source[labels(source[target]).to_numpy(dtype=object) == str(labels(pd.Series([positive]))[0])]
    if len(rows) < k:
        raise AugmentationError(
            f"the synthetic table holds {_rows(len(rows))} with {target} = {value_words(positive)}; {k:,} are "
            "needed. Sample "
            "more rows of the class (condition the sample on it) or ask for a smaller share."
        )
    return rows.iloc[:k]


def evaluate_augmentation(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: Any,
    *,
    target: str,
    positive: Any,
    schema: Schema | None = None,
    shares: Sequence[float] = DEFAULT_SHARES,
    k: Sequence[int] | None = None,
    precision: float = 0.5,
    baselines: bool = True,
    n_bootstrap: int = 200,
    seed: int = 0,
    n_threads: int | None = None,
    progress: ProgressCallback | None = None,
) -> AugmentationResult:
    """Train on real train, and on real train + ``k`` rows of the class from each source; score on the holdout.

    Args:
        train / holdout: the real split (the synthesizer saw only ``train``).
        synthetic: a fitted synthesizer (rows of the class are sampled from it, conditioned) or a synthetic
            DataFrame holding enough rows of the class.
        target / positive: the class to augment, e.g. ``target="fraud", positive=True``.
        schema: column kinds (inferred from ``train`` when omitted); identifiers, PII and text are not features.
        shares: the class's share of the augmented training table to reach (one k per share); ignored when
            ``k`` is given.
        k: explicit numbers of rows to add.
        precision: recall is read at this precision.
        baselines: also train with random duplicates and SMOTE rows.
        n_bootstrap / seed: paired bootstrap replicates over the holdout rows, and the seed of everything.

    Raises:
        AugmentationError: the target is not a class column, the class is absent, the holdout has too few rows
            of it to judge, or a share / k is out of range.
    """
    report = ensure(progress)
    schema = schema if schema is not None else infer_schema(train)
    if target not in schema or schema[target].kind not in TARGET_KINDS:
        raise AugmentationError(f"{target!r} is not a categorical, boolean or whole-number column to augment")
    if not 0.0 < precision < 1.0:
        raise AugmentationError(f"the fixed precision must lie strictly between 0 and 1, got {precision!r}")
    train_c = coerce_to_schema(train[schema.names], schema)
    holdout_c = coerce_to_schema(holdout[schema.names], schema)
    key = str(labels(pd.Series([positive]))[0])
    y_train = labels(train_c[target]).to_numpy(dtype=object) == key
    y_hold = labels(holdout_c[target]).to_numpy(dtype=object) == key
    n_pos, n_hold_pos = int(y_train.sum()), int(y_hold.sum())
    if n_pos == 0:
        raise AugmentationError(f"no training row has {target} = {value_words(positive)}: there is nothing to augment")
    short = holdout_shortfall(n_hold_pos, target, positive)
    if short is not None:
        raise AugmentationError(short)
    ks = sorted({int(v) for v in k}) if k is not None else shares_to_k(len(train_c), n_pos, shares)
    if not ks or any(v < 1 for v in ks):
        raise AugmentationError(
            f"nothing to add: {target} = {value_words(positive)} already makes up {n_pos / len(train_c):.1%} "
            "of training; ask "
            "for a larger share or give k"
        )
    features = [s.name for s in schema if s.kind in FEATURE_KINDS and s.name != target]
    encoder = FeatureEncoder.fit(train_c, schema, features)
    mask = encoder.categorical_mask
    x_train, x_hold = encoder.tree_matrix(train_c), encoder.tree_matrix(holdout_c)
    rng = np.random.default_rng(seed)
    weights = np.ones((len(y_hold), 1 + n_bootstrap), dtype=np.float32)
    weights[:, 1:] = bootstrap_weights(rng, len(y_hold), n_bootstrap)
    notes: list[str] = []
    runs: list[tuple[str, int, float, np.ndarray]] = []  # source, k, positive share, [ap, recall, f1] × replicates
    steps = 1 + len(ks) * (3 if baselines else 1)
    done = 0

    def train_and_score(source: str, added: np.ndarray | None, kk: int) -> None:
        nonlocal done
        kind = {"duplicates": "duplicated"}.get(source, source)  # "13,477 duplicates rows" read wrong (session 31)
        report(
            done / steps,
            f"training on real + {kk:,} {kind} {'row' if kk == 1 else 'rows'}" if kk else "training on real rows only",
        )
        x = x_train if added is None else np.vstack([x_train, added])
        y = y_train if added is None else np.r_[y_train, np.ones(len(added), dtype=bool)]
        with thread_limit(n_threads):
            p = _fit_predict(x, y, x_hold, mask, seed)
        runs.append((source, kk, float(y.mean()), np.stack(curve_scores(y_hold, p, weights, precision))))
        done += 1

    train_and_score("real only", None, 0)
    pool = _synthetic_rows(synthetic, max(ks), target, positive, schema, seed, lambda f, m: None)
    x_pool = encoder.tree_matrix(coerce_to_schema(pool[schema.names], schema))
    positives = np.flatnonzero(y_train)
    for kk in ks:
        train_and_score("synthetic", x_pool[:kk], kk)
        if not baselines:
            continue
        train_and_score("duplicates", x_train[rng.choice(positives, kk, replace=True)], kk)
        smote, why = _smote_rows(x_train, y_train, kk, mask, seed)
        if smote is None:
            notes.append(f"SMOTE skipped: {why}")
            done += 1
        else:
            train_and_score("SMOTE", smote, kk)
    report(1.0, "scored on the real holdout")
    base = runs[0][3]
    arms = [_arm(source, kk, share, values, base) for source, kk, share, values in runs]
    helps, beyond, verdict = _verdict(arms, runs, target, positive, precision)
    fewest = min(n_pos, n_hold_pos)
    if fewest < MIN_CLASS_ROWS:
        # The intervals resample holdout rows with each model fixed; with this few rows of the class, refitting
        # moves PR-AUC more than they say, so no arm is called better or worse (the claims table of
        # synth.evaluation.utility.tstr.MIN_CLASS_ROWS: "falls behind SMOTE" on 4 holdout rows of fraud).
        helps, beyond = None, None
        verdict = (
            f"Too few rows of {target} = {value_words(positive)} to judge ({_rows(n_pos)} in training, "
            f"{_rows(n_hold_pos)} "
            f"in the holdout; at least {MIN_CLASS_ROWS} of each are needed): the table shows what each model scored, "
            "but no difference in it can be told from noise. Use a larger holdout share or a larger table."
        )
    notes += _zero_score_notes(arms, target, positive, precision)
    return AugmentationResult(
        target=target,
        positive=positive,
        precision=precision,
        n_train=len(train_c),
        n_train_positive=n_pos,
        n_holdout=len(holdout_c),
        n_holdout_positive=n_hold_pos,
        arms=tuple(arms),
        helps=helps,
        beyond_oversampling=beyond,
        verdict=verdict,
        notes=tuple(notes),
        n_bootstrap=n_bootstrap,
        seed=seed,
    )


def _arm(source: str, k: int, share: float, values: np.ndarray, base: np.ndarray) -> ArmScore:
    ap, rec, f1 = values
    gain = None if source == "real only" else float(ap[0] - base[0, 0])
    gain_iv = None if source == "real only" else _interval(ap[1:] - base[0, 1:])
    return ArmScore(
        source, k, share, float(ap[0]), _interval(ap[1:]), float(rec[0]), _interval(rec[1:]), float(f1[0]),
        _interval(f1[1:]), gain, gain_iv,
    )  # fmt: skip


def _verdict(
    arms: list[ArmScore], runs: list[tuple[str, int, float, np.ndarray]], target: str, positive: Any, precision: float
) -> tuple[bool | None, bool | None, str]:
    base = arms[0]
    synthetic = [a for a in arms if a.source == "synthetic"]
    best = max(synthetic, key=lambda a: a.pr_auc)
    above = [a for a in synthetic if a.pr_auc_gain_interval is not None and a.pr_auc_gain_interval.low > 0]
    below = [a for a in synthetic if a.pr_auc_gain_interval is not None and a.pr_auc_gain_interval.high < 0]
    helps = True if above else (False if below else None)
    what = f"rows with {target} = {value_words(positive)}"
    iv = best.pr_auc_gain_interval
    assert iv is not None and best.pr_auc_gain is not None
    change = (
        f"PR-AUC {base.pr_auc:.3f} → {best.pr_auc:.3f} ({number(best.pr_auc_gain, signed=True)}, 95% interval "
        f"{iv.format(signed=True)})"
    )
    if helps:
        text = (
            f"Adding {_rows(best.k).replace(' row', ' synthetic row')} with {target} = "
            f"{value_words(positive)} helps the model "
            f"on real data: {change}."
        )
    elif helps is False:
        worst = min(below, key=lambda a: a.pr_auc)
        text = (
            f"Adding synthetic {what} hurts the model on real data: with {_rows(worst.k)} PR-AUC falls from "
            f"{base.pr_auc:.3f} to {worst.pr_auc:.3f}. Do not train on them."
        )
    else:
        text = f"Adding synthetic {what} does not measurably help: the best change, {change}, is within noise."
    # Beyond oversampling: the best synthetic arm against the best baseline of the same k, paired.
    beyond = None
    by_key = {(s, kk): v for s, kk, _, v in runs}
    baselines = [(s, best.k) for s in ("duplicates", "SMOTE") if (s, best.k) in by_key]
    if baselines:
        rival = max(baselines, key=lambda key: by_key[key][0, 0])
        diff = by_key[("synthetic", best.k)][0] - by_key[rival][0]
        div = _interval(diff[1:])
        beyond = True if div.low > 0 else (False if div.high < 0 else None)
        words = {True: "beats", False: "falls behind", None: "does no better than"}[beyond]
        text += (
            f" Against simple oversampling with the same {_rows(best.k)}, the synthesizer {words} {rival[0]} "
            f"(PR-AUC {by_key[rival][0, 0]:.3f}; difference {number(diff[0], signed=True)}, interval "
            f"{div.format(signed=True)})."
        )
    text += f" Recall is read at precision {precision:.0%}; F1 at the 0.5 threshold, which added rows move."
    return helps, beyond, text


def _zero_score_notes(arms: list[ArmScore], target: str, positive: Any, precision: float) -> list[str]:
    """Why a whole column of the table reads 0.000 [0.000, 0.000]: a rare class no classifier reaches the precision
    for, or predicts at the 0.5 threshold, scores 0 there in every arm (the Rare events page showed the zeros with
    no word on them)."""
    out = []
    if all(a.recall_at_precision == 0 and a.recall_interval.high == 0 for a in arms):
        out.append(
            f"No classifier reaches {precision:.0%} precision on {target} = {positive}, so recall at that precision "
            "is 0 in every row of the table: lower 'Read recall at precision', or compare PR-AUC."
        )
    if all(a.f1 == 0 and a.f1_interval.high == 0 for a in arms):
        out.append(
            f"At the 0.5 threshold no classifier predicts {target} = {positive} for any holdout row, so F1 is 0 in "
            "every row of the table; PR-AUC compares the rankings."
        )
    return out
