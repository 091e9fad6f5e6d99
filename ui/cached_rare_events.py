"""Cached wrappers of the rare-events panels: conditions' coverage, augmentation and fairness (how long results
live: :mod:`ui.cache_policy`; Forget my data clears them: :mod:`ui.cached`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import synth
from synth.progress import ProgressCallback, scaled
from ui.cache_policy import USER_DATA_TTL
from ui.progress import with_progress


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=64)
def coverage(key: str, _train: pd.DataFrame, conditions: dict, schema: synth.Schema) -> synth.Coverage:
    """How many training rows the conditions cover (``key`` identifies the dataset)."""
    return synth.condition_coverage(_train, conditions, schema)


# Both panels draw a bar of their steps, not a spinner: on Adult (26,049 training rows) the augmentation check took
# 32 s and the balanced fairness comparison 9 s under "Training the same classifier…" and a clock (session 31 walk).
@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=16)
def augmentation(
    key: str,
    _train: pd.DataFrame,
    _holdout: pd.DataFrame,
    _model: synth.Synthesizer,
    schema: synth.Schema,
    target: str,
    positive: object,
    shares: tuple[float, ...],
    precision: float,
) -> synth.AugmentationResult:
    """Real vs real + synthetic rows of one class, against duplicates and SMOTE (``key``: dataset and model)."""
    return with_progress(
        "Training the same classifier with and without added rows",
        lambda progress: synth.evaluate_augmentation(
            _train,
            _holdout,
            _model,
            target=target,
            positive=positive,
            schema=schema,
            shares=shares,
            precision=precision,
            progress=progress,
        ),
    )


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False)
def fairness(
    key: str,
    _train: pd.DataFrame,
    _holdout: pd.DataFrame,
    _model: synth.Synthesizer,
    schema: synth.Schema,
    sensitive: str,
    outcome: str,
    positive: object,
    mode: str,
) -> tuple[synth.FairnessResult, pd.DataFrame | None]:
    """Fairness of the model's plain sample and (unless ``mode`` is "none") of a balanced one, side by side."""

    def run(progress: ProgressCallback) -> tuple[synth.FairnessResult, pd.DataFrame | None]:
        n = len(_train)
        sampled = 0.2 if mode == "none" else 0.4  # sampling's share of the bar: one table, or two
        tables = {"synthetic": _model.sample(n, seed=1, progress=scaled(progress, 0.0, 0.2))}
        balanced = None
        if mode != "none":
            balanced = synth.balance_groups(
                _model,
                n,
                group=sensitive,
                outcome=outcome,
                mode=mode,  # type: ignore[arg-type]
                reference=_train,
                seed=2,
                progress=scaled(progress, 0.2, sampled),
            )
            tables["balanced"] = balanced
        result = synth.evaluate_fairness(
            _train,
            _holdout,
            tables,
            sensitive=sensitive,
            outcome=outcome,
            positive=positive,
            schema=schema,
            progress=scaled(progress, sampled, 1.0),
        )
        return result, balanced

    return with_progress("Sampling, training on each table and judging on the real holdout", run)
