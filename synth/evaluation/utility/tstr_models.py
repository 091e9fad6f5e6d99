"""The models TSTR and TRTR train, and how they are scored on the holdout: a boosted model and a linear one (a
constant when the training target has one value), their predictions and probabilities over the real classes, the
metrics with optional bootstrap weights, and the permutation importance of each feature."""

from __future__ import annotations

from typing import Any

import numpy as np

from synth.evaluation import scoring as _scoring
from synth.evaluation.features import fittable
from synth.evaluation.utility.targets import Task, UtilityError


class _Constant:
    """A model that always predicts one class or value (when the training target has a single value)."""

    def __init__(self, value: Any, classes: np.ndarray | None = None) -> None:
        self.value = value
        self.classes_ = classes if classes is not None else np.array([value])

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.full(len(x), self.value)


def _fit_models(
    x_tree: np.ndarray,
    x_lin: np.ndarray,
    y: np.ndarray,
    task: Task,
    mask: np.ndarray,
    seed: int,
) -> dict[str, Any]:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression, Ridge

    if len(y) == 0:
        raise UtilityError("no training rows with a target value")
    early = len(y) >= 2000
    cats = mask if mask.any() else None
    if task == "classification":
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            return {"HistGradientBoosting": _Constant(y[0]), "LogisticRegression": _Constant(y[0])}
        # Early stopping holds out a stratified tenth, which needs two rows of every class: a synthetic table
        # with one row of a rare class (California's ISLAND) made the whole check fail. The L2 penalty keeps such
        # a class's leaves finite: without it a leaf's value is about rows ÷ leaf size for a one-row class, which
        # then took over whole regions (accuracy 0.72 or 0.56 instead of 0.93-0.98; it moves Adult's TRTR AUC
        # from 0.9252 to 0.9255).
        hgb = HistGradientBoostingClassifier(
            max_iter=200,
            early_stopping=early and bool(counts.min() >= 2),
            l2_regularization=1.0,
            n_iter_no_change=10,
            random_state=seed,
            categorical_features=cats,
        )
        lin = LogisticRegression(max_iter=500, C=1.0)
        return {"HistGradientBoosting": hgb.fit(fittable(x_tree), y), "LogisticRegression": lin.fit(x_lin, y)}
    hgb_r = HistGradientBoostingRegressor(
        max_iter=200, early_stopping=early, n_iter_no_change=10, random_state=seed, categorical_features=cats
    )
    return {"HistGradientBoosting": hgb_r.fit(fittable(x_tree), y), "Ridge": Ridge(alpha=1.0).fit(x_lin, y)}


def _predict(model: Any, x: np.ndarray, task: Task, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Predictions and, for classification, probabilities over ``classes`` (zero for classes the model never
    saw), from one pass through the model."""
    if task == "regression":
        return model.predict(x), None
    out = np.zeros((len(x), len(classes)))
    if isinstance(model, _Constant):
        out[:, np.flatnonzero(classes == model.value)] = 1.0
        return np.full(len(x), model.value), out
    p = model.predict_proba(x)
    pred = np.asarray(model.classes_)[np.argmax(p, axis=1)]
    lookup = {c: i for i, c in enumerate(classes)}
    for k, c in enumerate(model.classes_):
        if c in lookup:
            out[:, lookup[c]] = p[:, k]
    return pred, out


def _metric_values(
    task: Task,
    y: np.ndarray,
    pred: np.ndarray,
    proba: np.ndarray | None,
    classes: np.ndarray,
    positive: str | None,
    weights: np.ndarray | None,
) -> dict[str, np.ndarray]:
    if task == "regression":
        return {"r2": _scoring.r2(y, pred, weights), "mae": _scoring.mae(y, pred, weights)}
    out = {"accuracy": _scoring.accuracy(y, pred, weights)}
    if len(classes) == 2 and positive is not None:
        out["f1"] = _scoring.f1(y, pred, positive, weights)
        assert proba is not None
        out["roc_auc"] = _scoring.auc(y == positive, proba[:, list(classes).index(positive)], weights)
    else:
        out["f1"] = _scoring.macro_f1(y, pred, classes, weights)
        assert proba is not None
        out["roc_auc"] = _scoring.macro_auc(y, proba, classes, weights)
    return out


def _primary(task: Task, n_classes: int) -> str:
    return "r2" if task == "regression" else "roc_auc" if n_classes == 2 else "accuracy"


def _permutation_importance(
    model: Any,
    x: np.ndarray,
    y: np.ndarray,
    task: Task,
    classes: np.ndarray,
    positive: str | None,
    rng: np.random.Generator,
    repeats: int,
) -> np.ndarray:
    metric = _primary(task, len(classes))

    def score(matrix: np.ndarray) -> float:
        pred, proba = _predict(model, matrix, task, classes)
        return float(_metric_values(task, y, pred, proba, classes, positive, None)[metric][0])

    base = score(x)
    out = np.zeros(x.shape[1])
    for j in range(x.shape[1]):
        drops = []
        for _ in range(repeats):
            shuffled = x.copy()
            shuffled[:, j] = rng.permutation(shuffled[:, j])
            drops.append(base - score(shuffled))
        out[j] = float(np.mean(drops))
    return out


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values), dtype=int)
    ranks[order] = np.arange(1, len(values) + 1)
    return ranks
