"""Which column ML efficacy predicts, as what task, and the rows it can use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from synth.evaluation.features import NUMERIC_KINDS, labels, numeric_values
from synth.schema import ColumnKind, Schema

MIN_TEST_ROWS = 20
Task = Literal["classification", "regression"]


class UtilityError(ValueError):
    """The target cannot be used for ML efficacy; the message says why and what to pick instead."""


def candidate_targets(schema: Schema, columns: Sequence[str] | None = None) -> list[str]:
    """Columns ML efficacy can predict: categorical and boolean (classification), numeric (regression)."""
    kinds = {ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.CONTINUOUS, ColumnKind.DISCRETE}
    return [c.name for c in schema if c.kind in kinds and (columns is None or c.name in columns)]


def default_target(schema: Schema, columns: Sequence[str] | None = None) -> str | None:
    """The last categorical (or boolean) column, e.g. Adult's income; else the last numeric column."""
    names = [c for c in schema if c.kind.is_modelled and (columns is None or c.name in columns)]
    for kinds in ((ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN), tuple(NUMERIC_KINDS - {ColumnKind.DATETIME})):
        found = [c.name for c in names if c.kind in kinds]
        if found:
            return found[-1]
    return None


def coded_target_note(schema: Schema, train: pd.DataFrame, target: str, max_levels: int = 12) -> str | None:
    """A sentence for a whole-number target with 2–``max_levels`` values (a 0/1 flag, codes such as season 1–4):
    it is modelled as a number, so ML efficacy and "same conclusions?" fit regressions (R², a linear model of
    the 0/1 value) where the user most likely meant to classify it. None for any other target."""
    if target not in schema or schema[target].kind is not ColumnKind.DISCRETE or target not in train.columns:
        return None
    n = int(train[target].nunique())
    if not 1 < n <= max_levels:
        return None
    what = "0/1 flag" if set(pd.unique(train[target].dropna())) <= {0, 1} else f"code with {n} values"
    return (
        f"{target} is a {what} modelled as a number, so it is predicted by regression (R², a linear model): set its "
        "kind to boolean or categorical on Data to classify it (ROC AUC, a logistic model)."
    )


def task_of(schema: Schema, target: str) -> Task:
    kind = schema[target].kind
    if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        return "classification"
    if kind in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE):
        return "regression"
    raise UtilityError(f"{target} is a {kind.value} column: pick a categorical, boolean or numeric target")


def prepare_target(
    frames: dict[str, pd.DataFrame], target: str, task: Task, kind: ColumnKind
) -> tuple[dict[str, pd.DataFrame], dict[str, np.ndarray]]:
    """Drop rows without a target; return the frames and the target as text labels or floats."""
    out_frames, out_y = {}, {}
    for name, df in frames.items():
        if task == "classification":
            y = labels(df[target])
            keep = y.notna().to_numpy()
            out_y[name] = y[keep].to_numpy(dtype=str)
        else:
            x = numeric_values(df[target], kind)
            keep = np.isfinite(x)
            out_y[name] = x[keep]
        out_frames[name] = df[keep].reset_index(drop=True)
    return out_frames, out_y


def _validate(y: dict[str, np.ndarray], task: Task, target: str) -> list[str]:
    notes = []
    if len(y["train"]) == 0:
        raise UtilityError(f"every value of {target} is missing in the real table: pick another target")
    if len(y["test"]) < MIN_TEST_ROWS:
        raise UtilityError(
            f"only {len(y['test'])} holdout rows have a value for {target}; at least {MIN_TEST_ROWS} are needed"
        )
    if task == "classification":
        classes = np.unique(y["train"])
        if len(classes) < 2:
            raise UtilityError(f"{target} has a single class ({classes[0]!r}) in the real table: nothing to predict")
        syn_classes = np.unique(y["synthetic"]) if len(y["synthetic"]) else np.array([], dtype=str)
        if len(syn_classes) < 2:
            notes.append(
                f"the synthetic {target} has {'no values' if len(syn_classes) == 0 else 'a single class'}: models "
                "trained on it can only predict one class"
            )
        lost = sorted(set(classes) - set(syn_classes))
        if lost and len(syn_classes) >= 2:
            notes.append(f"classes missing from the synthetic {target}: {', '.join(lost[:5])}")
    else:
        if np.nanstd(y["train"]) == 0:
            raise UtilityError(f"{target} is constant in the real table: nothing to predict")
        if len(y["synthetic"]) == 0:
            raise UtilityError(f"every value of {target} is missing in the synthetic table")
    return notes
