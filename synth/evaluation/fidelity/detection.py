"""Detection: can a classifier tell synthetic rows from real ones?

A gradient-boosted classifier (and a logistic regression) learns "real or synthetic" from balanced, seeded
samples of both tables; its cross-validated ROC AUC is the score. 0.5 means the two are indistinguishable, 1.0
that every synthetic row gives itself away. The same procedure on the real holdout against train gives the
reference: what two samples of real data look like (about 0.5). The columns the classifier relies on most
(permutation importance) say where the synthetic table gives itself away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.evaluation import scoring as _scoring
from synth.evaluation.context import (
    NO_COLUMN_TO_COMPARE,
    ContextError,
    EvaluationContext,
    check_columns,
    too_few_rows,
)
from synth.evaluation.date_parts import patterned_parts
from synth.evaluation.features import FeatureEncoder, stratified_sample, thread_limit
from synth.evaluation.fidelity.discriminator import above_reference, faces_holdout
from synth.evaluation.people import people_column, person_labels, synthetic_person_labels
from synth.evaluation.results import Interval, to_jsonable
from synth.evaluation.spec import MetricSpec
from synth.progress import ProgressCallback, ensure
from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema

MODELLED = frozenset(
    {ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}
)
DETECTION_AUC = MetricSpec(
    "DetectionAUC",
    "Cross-validated ROC AUC of a classifier telling synthetic rows from real ones (0.5: indistinguishable)",
    goal="minimize",
    low=0.0,
    high=1.0,
    kinds=MODELLED,
)
DETECTION_SCORE = MetricSpec(
    "DetectionScore",
    "1 − (2·max(AUC, 0.5) − 1), as sdmetrics' detection metrics: 1 when the classifier cannot tell",
    goal="maximize",
    kinds=MODELLED,
)
MAX_ROWS = 5_000


@dataclass(frozen=True)
class FeatureWeight:
    """How much a model relies on one column (drop in score when the column is shuffled)."""

    feature: str
    importance: float


@dataclass(frozen=True)
class DetectionResult:
    """Real-vs-synthetic classification.

    Attributes:
        auc: cross-validated ROC AUC of HistGradientBoosting (0.5 best).
        auc_interval: 95% interval (Hanley–McNeil).
        auc_linear: the same for a logistic regression on one-hot features.
        score: sdmetrics-style detection score 1 − (2·max(auc, 0.5) − 1), 1 best.
        reference_auc / reference_interval: the same classifier on the real holdout vs train.
        top_features: columns the classifier relies on most, most first.
        n_per_class / folds / seed: how it was run.
        real_rows: whose rows the synthetic ones were told from: ``"holdout"`` (at least
            :data:`~synth.evaluation.fidelity.discriminator.MIN_FRESH_ROWS` rows) or ``"train"``.
    """

    auc: float
    auc_interval: Interval | None
    auc_linear: float
    score: float
    reference_auc: float | None
    reference_interval: Interval | None
    top_features: tuple[FeatureWeight, ...]
    n_per_class: int
    folds: int
    seed: int
    real_rows: str = "train"

    @property
    def beyond_reference(self) -> bool | None:
        """True when the AUC is above the real holdout's beyond noise (as the discriminator's test); None without
        a reference."""
        if self.auc_interval is None or self.reference_auc is None or self.reference_interval is None:
            return None
        return above_reference(self.auc, self.auc_interval, self.reference_auc, self.reference_interval)

    def verdict(self) -> str:
        """The AUC in words."""
        if self.auc < 0.55:
            words = "the classifier can barely tell synthetic from real rows"
        elif self.auc < 0.7:
            words = "the classifier tells synthetic from real rows somewhat better than chance"
        elif self.auc < 0.9:
            words = "the classifier tells synthetic from real rows well"
        else:
            words = "the classifier tells synthetic from real rows almost always"
        if self.top_features:
            words += f", mostly by {', '.join(f.feature for f in self.top_features[:3])}"
        return words

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        return out


def _hgb(seed: int, mask: np.ndarray, n: int) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=150,
        learning_rate=0.1,
        early_stopping=n >= 1000,
        n_iter_no_change=10,
        random_state=seed,
        categorical_features=mask if mask.any() else None,
    )


def _cross_validated(
    x_tree: np.ndarray,
    x_lin: np.ndarray | None,
    y: np.ndarray,
    mask: np.ndarray,
    folds: int,
    seed: int,
    features: Sequence[str],
    importance: bool,
    groups: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None, tuple[FeatureWeight, ...]]:
    """Out-of-fold probabilities of ``y``; ``groups``: each row's person, whose rows then share a fold
    (:mod:`synth.evaluation.people`), None: folds of rows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    oof = np.zeros(len(y))
    oof_lin = np.zeros(len(y)) if x_lin is not None else None
    weights: tuple[FeatureWeight, ...] = ()
    if groups is None:
        splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(x_tree, y)
    else:
        splits = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(x_tree, y, groups)
    for k, (fit_rows, test_rows) in enumerate(splits):
        model = _hgb(seed, mask, len(fit_rows)).fit(x_tree[fit_rows], y[fit_rows])
        oof[test_rows] = model.predict_proba(x_tree[test_rows])[:, 1]
        if x_lin is not None and oof_lin is not None:
            lin = LogisticRegression(max_iter=300, C=1.0).fit(x_lin[fit_rows], y[fit_rows])
            oof_lin[test_rows] = lin.predict_proba(x_lin[test_rows])[:, 1]
        if importance and k == 0:
            rng = np.random.default_rng(seed)
            x_test, y_test = x_tree[test_rows], y[test_rows]
            base = float(_scoring.auc(y_test, oof[test_rows])[0])
            drops = []
            for j, name in enumerate(features):
                shuffled = x_test.copy()
                shuffled[:, j] = rng.permutation(shuffled[:, j])
                drops.append((name, base - float(_scoring.auc(y_test, model.predict_proba(shuffled)[:, 1])[0])))
            weights = tuple(FeatureWeight(n, d) for n, d in sorted(drops, key=lambda t: -t[1]))
    return oof, oof_lin, weights


def evaluate_detection(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame | None = None,
    schema: Schema | None = None,
    max_rows: int = MAX_ROWS,
    folds: int = 3,
    seed: int = 0,
    n_threads: int | None = None,
    progress: ProgressCallback | None = None,
    context: EvaluationContext | None = None,
) -> DetectionResult:
    """Train classifiers to tell synthetic rows from real ones.

    Args:
        real: the real training table.
        synthetic: the synthetic table.
        holdout: the real holdout: the rows the synthetic ones are told from (when it has at least
            ``MIN_FRESH_ROWS``), and the real-vs-real reference against ``real``.
        schema: column kinds (inferred from ``real`` when omitted); only modelled columns are used.
        max_rows: rows per class (a seeded sample of each table).
        folds: cross-validation folds.
        seed: seed of the samples, folds and models.
        n_threads: OpenMP threads for the boosted trees (default 1, see
            :func:`synth.evaluation.features.default_threads`).
        progress: called with (fraction, message).
        context: the evaluation context of these tables; the real-vs-real reference depends on the real tables
            only and is kept there (shared by every run of a race through its reference).

    Returns:
        A :class:`DetectionResult`.

    Raises:
        ContextError: no column to compare, or a table has fewer than ``2 * folds`` rows (the message says what to
            do).
    """
    report = ensure(progress)
    schema = schema or infer_schema(real)
    # A synthetic table (or holdout) short of a real column was scored on the shared columns without a word: a
    # detector that never sees the column it lacks reads it as good as fresh data.
    check_columns(real, synthetic, holdout, [c.name for c in schema if c.kind.is_modelled])
    features = [c.name for c in schema if c.kind.is_modelled and c.name in real.columns and c.name in synthetic]
    if not features:
        raise ContextError(NO_COLUMN_TO_COMPARE)
    sub = schema.select(features)
    rng = np.random.default_rng(seed)
    fresh = faces_holdout(holdout, features)
    told_from = holdout if fresh and holdout is not None else real
    m = min(max_rows, len(told_from), len(synthetic))
    if m < 2 * folds:
        real_rows = "holdout" if fresh and holdout is not None else "real table"
        raise too_few_rows("detection", 2 * folds, (real_rows, len(told_from)), len(synthetic))
    r_rows = stratified_sample(rng, len(told_from), m)
    s_rows = stratified_sample(rng, len(synthetic), m)
    r = coerce_to_schema(told_from[features], sub).iloc[r_rows]
    s = coerce_to_schema(synthetic[features], sub).iloc[s_rows]
    # A person's rows (a patient's visits) share a fold: split apart, the trees would recognise the person.
    person = context.people if context is not None else people_column(real, holdout, schema)
    # Times of day and weekdays with a pattern in the real rows are features of their own (a timestamp's single
    # number hides them); the training rows decide which, as for the accuracy scores.
    parts = (
        context.date_parts
        if context is not None
        else patterned_parts(
            coerce_to_schema(real[features], sub),
            sub,
            features,
            real[person] if person is not None and person in real.columns else None,
        )
    )
    encoder = FeatureEncoder.fit(r, schema, features, parts=parts)
    names = encoder.feature_names
    both = pd.concat([r, s], ignore_index=True)
    y = np.r_[np.zeros(len(r), dtype=bool), np.ones(len(s), dtype=bool)]
    report(0.05, "real vs synthetic: boosted trees and logistic regression")
    with thread_limit(n_threads):
        groups = None
        if person is not None:
            # A synthetic person's rows share a fold too, as a real person's do (synthetic_person_labels).
            own = np.array([f"synthetic:{i}" for i in range(len(s))], dtype=object)
            grouped = synthetic_person_labels(synthetic, s_rows, person)
            groups = np.r_[person_labels(told_from, r_rows, person, "real"), own if grouped is None else grouped]
        oof, oof_lin, weights = _cross_validated(
            encoder.tree_matrix(both),
            encoder.linear_matrix(both),
            y,
            encoder.categorical_mask,
            folds,
            seed,
            names,
            importance=True,
            groups=groups,
        )
        area = float(_scoring.auc(y, oof)[0])
        area_lin = float(_scoring.auc(y, oof_lin)[0]) if oof_lin is not None else float("nan")
        ref_area: float | None = None
        ref_interval: Interval | None = None
        if holdout is not None and len(holdout) >= 2 * folds:
            report(0.6, "real holdout vs train: the reference")
            m_ref = min(max_rows, len(real), len(holdout))
            ref_holdout = holdout

            def reference() -> tuple[float, Interval]:
                rows_r = stratified_sample(rng, len(real), m_ref)
                rows_h = stratified_sample(rng, len(ref_holdout), m_ref)
                r2_ = coerce_to_schema(real[features], sub).iloc[rows_r]
                h = coerce_to_schema(ref_holdout[features], sub).iloc[rows_h]
                both_ref = pd.concat([r2_, h], ignore_index=True)
                y_ref = np.r_[np.zeros(len(r2_), dtype=bool), np.ones(len(h), dtype=bool)]
                groups_ref = (
                    None
                    if person is None
                    else np.r_[
                        person_labels(real, rows_r, person, "train"),
                        person_labels(ref_holdout, rows_h, person, "holdout"),
                    ]
                )
                oof_ref, _, _ = _cross_validated(
                    encoder.tree_matrix(both_ref),
                    None,
                    y_ref,
                    encoder.categorical_mask,
                    folds,
                    seed,
                    names,
                    False,
                    groups=groups_ref,
                )
                area_ref = float(_scoring.auc(y_ref, oof_ref)[0])
                return area_ref, Interval(*_scoring.hanley_mcneil(area_ref, len(h), len(r2_)))

            if context is None:
                ref_area, ref_interval = reference()
            else:
                # Real rows only (their sample follows the synthetic one's draws, hence its size in the key).
                key = f"detection_reference:{','.join(features)}:{m}:{m_ref}:{len(synthetic)}:{folds}:{seed}"
                ref_area, ref_interval = context.real_once(key, reference)
    report(1.0, "done")
    low, high = _scoring.hanley_mcneil(area, len(s), len(r))
    return DetectionResult(
        auc=area,
        auc_interval=Interval(low, high),
        auc_linear=area_lin,
        score=1.0 - (2.0 * max(area, 0.5) - 1.0),
        reference_auc=ref_area,
        reference_interval=ref_interval,
        top_features=tuple(w for w in weights if w.importance > 0)[:5],
        n_per_class=m,
        folds=folds,
        seed=seed,
        real_rows="holdout" if fresh else "train",
    )
