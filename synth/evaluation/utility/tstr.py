"""ML efficacy: is a model trained on synthetic data as good as one trained on real data?

Train-synthetic-test-real (TSTR) against train-real-test-real (TRTR): the same models (HistGradientBoosting and a
linear model) are fitted once on real train and once on synthetic data of the same size, and both are scored on
the real holdout, which the synthesizer never saw. Classification: accuracy, F1 and ROC AUC; regression: R² and
MAE. Paired bootstrap intervals over the holdout rows show whether TSTR − TRTR is beyond noise. A trivial model
(majority class / mean) gives the floor.

Feature-importance rank agreement: permutation importance of every feature for the TRTR and the TSTR boosted
model on the holdout, and Spearman's rank correlation of the two importance vectors (1: the synthetic data
teaches the model the same things matter).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.evaluation.context import EvaluationContext
from synth.evaluation.features import FeatureEncoder, thread_limit
from synth.evaluation.results import Interval, bootstrap_weights, recentred_interval, to_jsonable
from synth.evaluation.spec import MetricSpec
from synth.evaluation.utility.rare_class import UNNAMED_CLASS, UNNAMED_PEOPLE_CLASS, RareClass
from synth.evaluation.utility.targets import (
    MIN_CLASS_ROWS,
    Task,
    UtilityError,
    _validate,
    candidate_targets,
    default_target,
    people_per_class,
    prepare_target,
    rarest_short_class,
    summed_note,
    task_of,
)

# Imported by name into this module: evaluate_utility looks them up here, so patching tstr._fit_models (the race's
# test counts the fits) still reaches every fit.
from synth.evaluation.utility.tstr_models import _fit_models, _metric_values, _permutation_importance, _predict, _ranks
from synth.progress import ProgressCallback, ensure
from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema
from synth.schema.shared_range import MIN_SHOWN_ROWS
from synth.synthesizers.person_rarity import person_codes

MAX_TRAIN_ROWS = 30_000
MAX_TEST_ROWS = 20_000
IMPORTANCE_ROWS = 4_000

#: How every note on subsampling the training rows starts: it describes the measurement, not the synthetic table
#: (the data card prints it beside the score, not among the limitations).
SAMPLING_NOTE = "both models train on "


MODELLED = frozenset(
    {ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}
)
METRICS: dict[str, MetricSpec] = {
    "accuracy": MetricSpec("accuracy", "Share of holdout rows predicted right", kinds=MODELLED),
    "f1": MetricSpec("f1", "F1 of the positive class (binary) or macro F1 (several classes)", kinds=MODELLED),
    "roc_auc": MetricSpec("roc_auc", "ROC AUC (one-vs-rest, macro, for several classes)", kinds=MODELLED),
    "r2": MetricSpec("r2", "R² on the holdout", low=float("-inf"), kinds=MODELLED),
    "mae": MetricSpec("mae", "Mean absolute error on the holdout", goal="minimize", high=float("inf"), kinds=MODELLED),
}
IMPORTANCE_AGREEMENT = MetricSpec(
    "ImportanceRankAgreement",
    "Spearman correlation of the permutation importances learned from real and from synthetic data",
    low=-1.0,
    kinds=MODELLED,
)


@dataclass(frozen=True)
class ModelScore:
    """One model and one metric: trained on real (TRTR) vs on synthetic (TSTR), both tested on the holdout.

    Attributes:
        model: ``HistGradientBoosting``, ``LogisticRegression`` or ``Ridge``.
        metric: ``accuracy``, ``f1``, ``roc_auc``, ``r2`` or ``mae``.
        goal: ``maximize`` or ``minimize``.
        trtr / tstr: the two scores.
        difference: tstr − trtr.
        trtr_interval / tstr_interval / difference_interval: paired bootstrap intervals over holdout rows.
        baseline: the trivial model's score (majority class / training mean).
        judged: whether the gap may be called beyond or within noise (False: a class has fewer than
            :data:`MIN_CLASS_ROWS` rows in the training sample or the holdout).
        rare_class: that class and its counts when not judged (None when judged).
    """

    model: str
    metric: str
    goal: str
    trtr: float
    tstr: float
    difference: float
    trtr_interval: Interval | None
    tstr_interval: Interval | None
    difference_interval: Interval | None
    baseline: float
    judged: bool = True
    rare_class: RareClass | None = None

    @property
    def gap_is_real(self) -> bool | None:
        """Whether TSTR − TRTR is beyond noise; None without an interval or with too few rows of a class."""
        if self.difference_interval is None or not self.judged:
            return None
        return self.difference_interval.excludes(0.0)

    @property
    def both_trivial(self) -> bool:
        """Whether neither TSTR nor TRTR beats the trivial model (0.5 for ROC AUC): each at or past its
        baseline, or its interval reaching it. A gap between two such scores says nothing about the data."""

        def trivial(value: float, interval: Interval | None) -> bool:
            edge = value if interval is None else (interval.low if self.goal == "maximize" else interval.high)
            return edge <= self.baseline if self.goal == "maximize" else edge >= self.baseline

        return trivial(self.tstr, self.tstr_interval) and trivial(self.trtr, self.trtr_interval)

    @property
    def ratio(self) -> float:
        """TSTR / TRTR (for a maximised metric; 1 = synthetic data teaches as well as real data)."""
        return self.tstr / self.trtr if self.trtr else float("nan")


@dataclass(frozen=True)
class FeatureImportance:
    """Permutation importance of one feature for the TRTR and the TSTR boosted model (rank 1 = most)."""

    feature: str
    trtr: float
    tstr: float
    rank_trtr: int
    rank_tstr: int


@dataclass(frozen=True)
class UtilityResult:
    """ML efficacy for one target.

    Attributes:
        target / task: what was predicted and how.
        classes: the target's classes (classification).
        positive_class: the class F1 and AUC refer to in a binary problem (the less frequent real class).
        scores: one :class:`ModelScore` per (model, metric).
        importances: per feature, most important (TRTR) first.
        importance_agreement: Spearman's ρ between the two importance vectors.
        top_overlap: share of the TRTR top-5 features that are also in the TSTR top 5.
        n_train / n_synthetic / n_test: rows used.
        notes: anything the user should know (a class missing from synthetic, subsampling).
        seed: seed of the samples, models and bootstrap.
        class_rows: the training rows of each of ``classes`` (classification), read by :meth:`to_dict`.
        class_people: the distinct people of all real training rows holding each of ``classes``, when the
            evaluation was told the person column (empty otherwise); :meth:`to_dict` then reads it instead.
    """

    target: str
    task: Task
    classes: tuple[str, ...]
    positive_class: str | None
    scores: tuple[ModelScore, ...]
    importances: tuple[FeatureImportance, ...]
    importance_agreement: float
    top_overlap: float
    n_train: int
    n_synthetic: int
    n_test: int
    notes: tuple[str, ...]
    seed: int
    class_rows: tuple[int, ...] = ()
    class_people: tuple[int, ...] = ()

    @property
    def primary_metric(self) -> str:
        """The headline metric: ROC AUC (binary), accuracy (several classes), R² (regression)."""
        if self.task == "regression":
            return "r2"
        return "roc_auc" if len(self.classes) == 2 else "accuracy"

    def score(self, model: str, metric: str) -> ModelScore:
        for s in self.scores:
            if s.model == model and s.metric == metric:
                return s
        raise KeyError((model, metric))

    @property
    def headline(self) -> ModelScore:
        """The boosted model's primary metric."""
        return self.score("HistGradientBoosting", self.primary_metric)

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON, but a class fewer than :data:`~synth.schema.shared_range.MIN_SHOWN_ROWS` training
        rows hold is written :data:`UNNAMED_CLASS` (in ``classes``, ``positive_class`` and each score's
        ``rare_class``): the JSON travels in the shared report, where a department one employee alone was in was
        named three times. With ``class_people`` the count is people (written :data:`UNNAMED_PEOPLE_CLASS`): one
        employee's 15 payslips in a grade no one else holds pass the row count. The result itself keeps the labels
        for the analyst's own Compare page."""
        out: dict[str, Any] = to_jsonable(self)
        out["classes"] = [self.shown_class(c) for c in out["classes"]]
        if out["positive_class"] is not None:
            out["positive_class"] = self.shown_class(out["positive_class"])
        for score in out["scores"]:
            if score["rare_class"] is not None:
                score["rare_class"]["label"] = self.shown_class(score["rare_class"]["label"])
        return out

    def shown_class(self, label: str) -> str:
        """``label`` as anything shown may write it: itself, or :data:`UNNAMED_CLASS` /
        :data:`UNNAMED_PEOPLE_CLASS` when fewer than :data:`~synth.schema.shared_range.MIN_SHOWN_ROWS` training
        rows (people, with ``class_people``) hold it. :meth:`to_dict` writes every class so; the Compare page's
        TSTR card wrote the rarest class's label ("only 0 real rows of 'Grade Q-17' in the holdout"), one
        employee's grade."""
        held, unnamed = (
            (self.class_people, UNNAMED_PEOPLE_CLASS) if self.class_people else (self.class_rows, UNNAMED_CLASS)
        )
        counts = dict(zip(self.classes, held, strict=True)) if held else {}
        return unnamed if counts.get(label, MIN_SHOWN_ROWS) < MIN_SHOWN_ROWS else label


def evaluate_utility(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    *,
    target: str,
    schema: Schema | None = None,
    seed: int = 0,
    max_train_rows: int = MAX_TRAIN_ROWS,
    max_test_rows: int = MAX_TEST_ROWS,
    n_bootstrap: int = 200,
    importance_repeats: int = 2,
    n_threads: int | None = None,
    progress: ProgressCallback | None = None,
    context: EvaluationContext | None = None,
    person_column: str | None = None,
) -> UtilityResult:
    """Train on synthetic, test on real (TSTR) against train on real, test on real (TRTR).

    Args:
        real: the real training table.
        synthetic: the synthetic table.
        holdout: real rows the synthesizer never saw: the test set of both.
        target: the column to predict; categorical, boolean or 0/1 in ``real`` → classification, any other
            number → regression (see :func:`~synth.evaluation.utility.targets.task_of`).
        schema: column kinds (inferred from ``real`` when omitted); every other modelled column is a feature.
        seed: seed of the samples, models, permutations and bootstrap.
        max_train_rows: both training sets are seeded samples of at most this many rows, and of equal size.
        max_test_rows: the holdout is sampled down to this many rows.
        n_bootstrap: paired bootstrap replicates over holdout rows for the intervals (0: none).
        importance_repeats: shuffles per feature for the permutation importance.
        n_threads: OpenMP threads for the boosted trees (default 1; see
            :func:`synth.evaluation.features.default_threads`).
        progress: called with (fraction, message).
        context: the evaluation context of these tables; the TRTR models and their feature importance depend
            on the real tables only and are kept there (shared by every run of a race through its reference).
        person_column: the column of ``real`` naming whose row each row is (the one the split took): a class is
            then named in the notes and :meth:`UtilityResult.to_dict` only when that many distinct people hold it,
            not rows. None: rows are counted.

    Returns:
        A :class:`UtilityResult`.

    Raises:
        UtilityError: the target is unusable (not a column, a single class, all missing, ...).
    """
    report = ensure(progress)
    schema = schema or infer_schema(real)
    if target not in real.columns or target not in schema:
        raise UtilityError(f"{target!r} is not a column of the real table")
    if target not in synthetic.columns or target not in holdout.columns:
        raise UtilityError(f"{target!r} is missing from the synthetic table or the holdout")
    task = task_of(schema, target, real[target])
    kind = schema[target].kind
    features = [
        c.name
        for c in schema
        if c.kind.is_modelled and c.name != target and c.name in real.columns and c.name in synthetic.columns
    ]
    if not features:
        raise UtilityError("no feature columns besides the target")
    used = schema.select([*features, target])
    frames = {
        "train": coerce_to_schema(real[[*features, target]], used),
        "synthetic": coerce_to_schema(synthetic[[*features, target]], used),
        "test": coerce_to_schema(holdout[[*features, target]], used),
    }
    people = None
    if person_column is not None and task == "classification":
        if person_column not in real.columns:
            raise UtilityError(f"the person column {person_column!r} is not a column of the real table")
        codes = person_codes(real, person_column)
        people = None if codes is None else people_per_class(frames["train"][target], codes)
    frames, y = prepare_target(frames, target, task, kind)
    notes = _validate(y, task, target, people)
    summed = summed_note(frames["train"], target, features) if task == "regression" else None
    if summed is not None:
        notes.append(summed)

    rng = np.random.default_rng(seed)
    n_fit = min(max_train_rows, len(y["train"]), len(y["synthetic"]))
    if n_fit < len(y["train"]) or n_fit < len(y["synthetic"]):
        notes.append(f"{SAMPLING_NOTE}{n_fit:,} rows (equal-size samples of real train and synthetic data)")
    picks = {}
    for name, limit in (("train", n_fit), ("synthetic", n_fit), ("test", max_test_rows)):
        n = len(y[name])
        picks[name] = np.arange(n) if limit >= n else np.sort(rng.choice(n, limit, replace=False))
    frames = {k: v.iloc[picks[k]].reset_index(drop=True) for k, v in frames.items()}
    y = {k: v[picks[k]] for k, v in y.items()}

    encoder = FeatureEncoder.fit(frames["train"], schema, features)
    x_tree = {k: encoder.tree_matrix(v) for k, v in frames.items()}
    x_lin = {k: encoder.linear_matrix(v) for k, v in frames.items()}
    mask = encoder.categorical_mask

    classes = np.unique(y["train"]) if task == "classification" else np.array([])
    rare_class: RareClass | None = None
    if task == "classification" and len(classes):
        short = rarest_short_class(y["train"], y["test"])
        if short is not None:
            rare_class = RareClass(*short)
            notes.append(
                f"The rarest class of {target} has {rare_class.train_rows:,} rows in the real training sample and "
                f"{rare_class.test_rows:,} in the holdout: too few to call a TSTR − TRTR gap beyond or within noise "
                f"(at least {MIN_CLASS_ROWS} of each class are needed; the intervals resample holdout rows only, and "
                "with so few rows refitting moves the scores more)."
            )
    judged = rare_class is None
    positive: str | None = None
    if task == "classification" and len(classes) == 2:
        counts = {c: int(np.sum(y["train"] == c)) for c in classes}
        positive = str(min(classes, key=lambda c: (counts[c], c)))

    with thread_limit(n_threads):
        report(0.05, "training on real data (TRTR)")
        # Everything the real side depends on (the sizes fix the seeded row picks).
        real_key = (
            f"{target}|{','.join(features)}|{n_fit}|{len(picks['train'])}|{len(y['test'])}|{len(frames['train'])}"
            f"|{len(y['synthetic'])}|{max_test_rows}|{seed}|{importance_repeats}"
        )

        def shared(name: str, build: Any) -> Any:
            return build() if context is None else context.real_once(f"{name}:{real_key}", build)

        real_models = shared(
            "trtr_models", lambda: _fit_models(x_tree["train"], x_lin["train"], y["train"], task, mask, seed)
        )
        report(0.3, "training on synthetic data (TSTR)")
        syn_models = _fit_models(x_tree["synthetic"], x_lin["synthetic"], y["synthetic"], task, mask, seed)
        report(0.55, "scoring on the real holdout")
        y_test = y["test"]
        weights = (
            bootstrap_weights(np.random.default_rng(seed + 1), len(y_test), n_bootstrap).T if n_bootstrap else None
        )
        if task == "classification":
            values, counts_ = np.unique(y["train"], return_counts=True)
            majority = values[np.argmax(counts_)]
            base_pred = np.full(len(y_test), majority)
            base_proba = np.tile((counts_ / counts_.sum())[None, :], (len(y_test), 1))
            baseline = _metric_values(task, y_test, base_pred, base_proba, classes, positive, None)
        else:
            base_pred = np.full(len(y_test), float(np.mean(y["train"])))
            baseline = _metric_values(task, y_test, base_pred, None, classes, positive, None)

        scores = []
        for model_name in real_models:
            matrix = x_tree["test"] if model_name == "HistGradientBoosting" else x_lin["test"]
            point, reps = {}, {}
            for label, model in (("trtr", real_models[model_name]), ("tstr", syn_models[model_name])):
                pred, proba = _predict(model, matrix, task, classes)
                point[label] = _metric_values(task, y_test, pred, proba, classes, positive, None)
                if weights is not None:
                    reps[label] = _metric_values(task, y_test, pred, proba, classes, positive, weights)
            for metric in point["trtr"]:
                spec = METRICS[metric]
                bounds = (spec.low, spec.high)
                trtr, tstr = float(point["trtr"][metric][0]), float(point["tstr"][metric][0])
                intervals: list[Interval | None] = [None, None, None]
                if reps:
                    dev_r = reps["trtr"][metric] - trtr
                    dev_s = reps["tstr"][metric] - tstr
                    intervals = [
                        recentred_interval(trtr, dev_r, bounds=bounds),
                        recentred_interval(tstr, dev_s, bounds=bounds),
                        recentred_interval(tstr - trtr, dev_s - dev_r, bounds=(-math.inf, math.inf)),
                    ]
                scores.append(
                    ModelScore(
                        model=model_name,
                        metric=metric,
                        goal=spec.goal,
                        trtr=trtr,
                        tstr=tstr,
                        difference=tstr - trtr,
                        trtr_interval=intervals[0],
                        tstr_interval=intervals[1],
                        difference_interval=intervals[2],
                        baseline=float(baseline[metric][0]),
                        judged=judged,
                        rare_class=rare_class,
                    )
                )

        report(0.7, "permutation importance of each feature")
        imp_rows = np.arange(len(y_test))
        if len(imp_rows) > IMPORTANCE_ROWS:
            imp_rows = np.sort(np.random.default_rng(seed + 2).choice(len(y_test), IMPORTANCE_ROWS, replace=False))

        def importance(models: dict[str, Any]) -> np.ndarray:
            return _permutation_importance(
                models["HistGradientBoosting"],
                x_tree["test"][imp_rows],
                y_test[imp_rows],
                task,
                classes,
                positive,
                np.random.default_rng(seed + 3),
                importance_repeats,
            )

        imp = {"trtr": shared("trtr_importance", lambda: importance(real_models)), "tstr": importance(syn_models)}
    rank_r, rank_s = _ranks(imp["trtr"]), _ranks(imp["tstr"])
    importances = tuple(
        sorted(
            (
                FeatureImportance(f, float(imp["trtr"][j]), float(imp["tstr"][j]), int(rank_r[j]), int(rank_s[j]))
                for j, f in enumerate(features)
            ),
            key=lambda fi: fi.rank_trtr,
        )
    )
    agreement = float("nan")
    if len(features) >= 2 and np.std(imp["trtr"]) > 0 and np.std(imp["tstr"]) > 0:
        from scipy.stats import spearmanr

        agreement = float(spearmanr(imp["trtr"], imp["tstr"]).statistic)
    k = min(5, len(features))
    top_r = {features[j] for j in np.argsort(-imp["trtr"], kind="stable")[:k]}
    top_s = {features[j] for j in np.argsort(-imp["tstr"], kind="stable")[:k]}
    report(1.0, "done")
    return UtilityResult(
        target=target,
        task=task,
        classes=tuple(str(c) for c in classes),
        class_rows=tuple(int(np.sum(y["train"] == c)) for c in classes),
        class_people=() if people is None else tuple(people.get(str(c), 0) for c in classes),
        positive_class=positive,
        scores=tuple(scores),
        importances=importances,
        importance_agreement=agreement,
        top_overlap=len(top_r & top_s) / k if k else float("nan"),
        n_train=len(y["train"]),
        n_synthetic=len(y["synthetic"]),
        n_test=len(y_test),
        notes=tuple(notes),
        seed=seed,
    )


__all__ = [
    "UtilityError",
    "UtilityResult",
    "candidate_targets",
    "default_target",
    "evaluate_utility",
    "prepare_target",
    "task_of",
]
