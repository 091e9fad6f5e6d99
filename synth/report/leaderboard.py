"""The race leaderboard as the pages show it: one row per run, its columns grouped into views that fit a page.

The board has some two dozen columns (accuracy of three orders with intervals, detection, quality, utility, five
privacy measures, cost); drawn as one table at 1400 px the privacy and cost columns sat behind a horizontal
scroll. :data:`VIEWS` splits them into groups of at most eight, each led by the run, and every column is in a view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

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
    "Cost and errors": ("fit s", "sample s", "peak MB", "error"),
}


def _span(interval: object) -> str | None:
    """'0.949–0.978', or None when there is no interval."""
    if isinstance(interval, (list, tuple)) and len(interval) == 2:
        return f"{interval[0]:.3f}–{interval[1]:.3f}"
    return None


def _interval(value: object, interval: object) -> str:
    """'0.963 (0.949–0.978)': the score with its interval in one cell ("—" when not measured)."""
    if not isinstance(value, (int, float)) or pd.isna(value):
        return "—"
    span = _span(interval)
    return f"{value:.3f} ({span})" if span else f"{value:.3f}"


def leaderboard_table(result: RaceResult) -> pd.DataFrame:
    """The leaderboard for display: ``run`` (★ for the pick) and the columns of :data:`VIEWS`."""
    board = result.leaderboard()
    n = len(board)

    def col(name: str) -> pd.Series:
        return board[name] if name in board else pd.Series([None] * n, dtype=object)

    def with_interval(order: str) -> list[str]:
        return [_interval(v, iv) for v, iv in zip(col(f"{order}_accuracy"), col(f"{order}_interval"), strict=True)]

    quality_ci = [_span(iv) or "—" for iv in col("quality_interval")]
    detection_cv = col("detection_auc")
    return pd.DataFrame(
        {
            "run": board["label"] + board["recommended"].map({True: " ★", False: ""}),
            "status": board["status"],
            **{f"{o} (95% CI)": with_interval(o) for o in ("trivariate", "bivariate", "univariate")},
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
        }
    )


def view_columns(table: pd.DataFrame, view: str) -> list[str]:
    """The columns one view shows: ``run`` first, then the view's columns this table has."""
    return ["run", *(c for c in VIEWS[view] if c in table.columns)]
