"""The race leaderboard as the pages show it: one row per run, its columns grouped into views that fit a page.

The board has some two dozen columns (accuracy of three orders with intervals, detection, quality, utility, five
privacy measures, cost); drawn as one table at 1400 px the privacy and cost columns sat behind a horizontal
scroll. :data:`VIEWS` splits them into groups of at most eight, each led by the run, and every column is in a view.

Every cell is written here, once (:func:`cell_text`, :func:`leaderboard_text`): the page and the HTML report's race
table show the same text for the same run.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth.evaluation.results import interval_text, number, percent, with_interval

if TYPE_CHECKING:
    from synth.report.race import RaceResult

#: View name → the columns it shows after ``run`` (every column of :func:`leaderboard_table` is in one view).
VIEWS: dict[str, tuple[str, ...]] = {
    "Fidelity": (
        "status",
        "trivariate (95% CI)",
        "bivariate (95% CI)",
        "univariate (95% CI)",
        "detection AUC",
        "fidelity",
        "on front",
    ),
    "Quality and utility": (
        "quality",
        "95% interval",
        "pair trends",
        "detection AUC, 3-fold CV",
        "TSTR",
        "TRTR",
    ),
    "Privacy": (
        "privacy",
        "closeness",
        "membership TPR@low FPR",
        "singling out",
        "linkability",
        "inference",
        "rare values copied",
    ),
    "Cost and errors": ("fit s", "sample s", "peak MB", "error", "fit warnings"),
}


#: How each number column of :func:`leaderboard_table` is written: its decimals, or "%" for a share written as a
#: percentage with one decimal. Columns not named here are text (or the ``on front`` flag).
NUMBER_FORMATS: dict[str, int | str] = {
    **dict.fromkeys(
        ("detection AUC", "fidelity", "quality", "pair trends", "detection AUC, 3-fold CV", "TSTR", "TRTR"), 3
    ),
    "closeness": 3,
    **dict.fromkeys(("membership TPR@low FPR", "singling out", "linkability", "inference", "rare values copied"), "%"),
    "fit s": 2,
    "sample s": 2,
    "peak MB": 0,
}


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def cell_text(column: str, value: object) -> str:
    """One cell of :func:`leaderboard_table` as the page and the HTML report print it: numbers by
    :data:`NUMBER_FORMATS` (true minus signs, never "−0.000"), "—" when not measured, the front flag "yes"/"no"."""
    if _missing(value):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    digits = NUMBER_FORMATS.get(column)
    if digits is None or not isinstance(value, (int, float, np.number)):
        return str(value)
    return percent(float(value)) if digits == "%" else number(float(value), int(digits))


def leaderboard_table(result: RaceResult) -> pd.DataFrame:
    """The leaderboard for display: ``run`` (★ for the pick) and the columns of :data:`VIEWS`."""
    board = result.leaderboard()
    n = len(board)

    def col(name: str) -> pd.Series:
        return board[name] if name in board else pd.Series([None] * n, dtype=object)

    def accuracy_cells(order: str) -> list[str]:
        return [with_interval(v, iv) for v, iv in zip(col(f"{order}_accuracy"), col(f"{order}_interval"), strict=True)]

    quality_ci = [interval_text(iv) or "—" for iv in col("quality_interval")]
    detection_cv = col("detection_auc")
    return pd.DataFrame(
        {
            "run": board["label"] + board["recommended"].map({True: " ★", False: ""}),
            "status": board["status"],
            **{f"{o} (95% CI)": accuracy_cells(o) for o in ("trivariate", "bivariate", "univariate")},
            "detection AUC": col("discriminator_auc"),
            "fidelity": col("honest_fidelity"),
            "on front": board["pareto"],
            "quality": col("quality"),
            "95% interval": quality_ci,
            "pair trends": col("pair_trends"),
            **({"detection AUC, 3-fold CV": detection_cv} if detection_cv.notna().any() else {}),
            "TSTR": col("tstr"),
            "TRTR": col("trtr"),
            "privacy": col("privacy_level"),
            "closeness": col("closeness"),
            "membership TPR@low FPR": col("membership_tpr_low_fpr"),
            "singling out": col("singling_out_risk"),
            "linkability": col("linkability_risk"),
            "inference": col("inference_risk"),
            "rare values copied": col("rare_values_copied"),
            "fit s": col("fit_seconds"),
            "sample s": col("sample_seconds"),
            "peak MB": col("peak_mb"),
            "error": col("error"),
            "fit warnings": col("fit_warnings"),
        }
    )


def leaderboard_text(result: RaceResult) -> pd.DataFrame:
    """:func:`leaderboard_table` with every cell written by :func:`cell_text`: what the report prints and the page
    shows (the page keeps the numbers underneath, so its columns sort as numbers)."""
    table = leaderboard_table(result)
    return pd.DataFrame({c: [cell_text(c, v) for v in table[c]] for c in table.columns}, dtype=object)


def view_columns(table: pd.DataFrame, view: str) -> list[str]:
    """The columns one view shows: ``run`` first, then the view's columns this table has."""
    return ["run", *(c for c in VIEWS[view] if c in table.columns)]
