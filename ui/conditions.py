"""Editors for conditional sampling and rebalancing, typed by column kind so no value needs parsing.

Categories offered are those seen in training; numeric and date ranges are bounded by the training range, so
an impossible condition can only come from combining conditions, which the synthesizer reports clearly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from synth.evaluation.utility.targets import is_flag
from synth.plots.common import REAL_COLOR, SYNTH_COLOR, layout
from synth.schema import ColumnKind, Schema
from ui import charts

CATEGORY_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
MAX_REBALANCE_LEVELS = 12


def _levels(series: pd.Series) -> list[Any]:
    return list(series.dropna().value_counts().index)


def _flag(kind: ColumnKind, series: pd.Series) -> bool:
    """A whole-number column of 0 and 1 (fraud, churned): conditioned on and rebalanced as its two values, which
    the models take as they are (the written values stay 0 and 1)."""
    return kind is ColumnKind.DISCRETE and is_flag(series)


def conditions_editor(train: pd.DataFrame, schema: Schema, key: str) -> dict[str, Any]:
    """Widgets for "only rows where …"; returns the conditions in synth's format (value, list or range)."""
    columns = [c.name for c in schema if c.kind.is_modelled]
    chosen = st.multiselect(
        "Only rows where…",
        columns,
        key=f"{key}_columns",
        help="Pick columns to fix; every condition must hold. Values offered are those seen in training.",
    )
    conditions: dict[str, Any] = {}
    for name in chosen:
        kind = schema[name].kind
        series = train[name]
        if kind in CATEGORY_KINDS or _flag(kind, series):  # a 0/1 flag is picked as its two values, not a range
            levels = _levels(series)
            picked = st.multiselect(f"{name} is one of", levels, default=levels[:1], key=f"{key}_{name}_values")
            if picked:
                conditions[name] = picked[0] if len(picked) == 1 else picked
        elif kind is ColumnKind.DATETIME:
            dates = pd.to_datetime(series, errors="coerce").dropna()
            lo, hi = dates.min().date(), dates.max().date()
            picked_range = st.date_input(
                f"{name} between", value=(lo, hi), min_value=lo, max_value=hi, key=f"{key}_{name}_dates"
            )
            if isinstance(picked_range, tuple) and len(picked_range) == 2:
                start, stop = picked_range
                conditions[name] = (pd.Timestamp(start), pd.Timestamp(stop) + pd.Timedelta(days=1) - pd.Timedelta(1))
        else:
            values = pd.to_numeric(series, errors="coerce").dropna()
            lo_v, hi_v = float(values.min()), float(values.max())
            integer = kind is ColumnKind.DISCRETE
            low, high = st.slider(
                f"{name} between",
                min_value=int(lo_v) if integer else lo_v,
                max_value=int(hi_v) if integer else hi_v,
                value=(int(lo_v), int(hi_v)) if integer else (lo_v, hi_v),
                key=f"{key}_{name}_range",
            )
            conditions[name] = (low, high)
    return conditions


def rebalance_editor(train: pd.DataFrame, schema: Schema, key: str) -> dict[str, dict[Any, float]] | None:
    """Widgets for a target distribution of one categorical column; None when no rebalancing is asked for."""
    candidates = [
        c.name
        for c in schema
        if (c.kind in CATEGORY_KINDS and 1 < train[c.name].nunique() <= MAX_REBALANCE_LEVELS)
        or _flag(c.kind, train[c.name])  # 50/50 fraud vs not, as the help says, with fraud stored as 0/1
    ]
    if not candidates:
        st.caption(f"No categorical column with 2–{MAX_REBALANCE_LEVELS} values, nor a 0/1 flag, to rebalance.")
        return None
    column = st.selectbox(
        "Rebalance column",
        ["(keep the real mix)", *candidates],
        key=f"{key}_column",
        help="Set the share of each value in the synthetic table; the other columns follow each value's own "
        "real relationships (e.g. 50/50 fraud vs not).",
    )
    if column == "(keep the real mix)":
        return None
    real = train[column].dropna().value_counts(normalize=True)
    even = 1.0 / len(real)
    cols = st.columns(min(len(real), 4))
    target: dict[Any, float] = {}
    for i, (level, share) in enumerate(real.items()):
        with cols[i % len(cols)]:
            target[level] = st.number_input(
                f"{level} (real {share:.1%})",
                min_value=0.0,
                max_value=100.0,
                value=round(even * 100, 1),
                step=5.0,
                key=f"{key}_{column}_{i}",
                format="%.1f",
            )
    total = sum(target.values())
    if total <= 0:
        st.error("Give at least one value a share above 0%.")
        return None
    shares = {k: v / total for k, v in target.items()}
    charts.plotly_chart(_mix_figure(column, real, shares), key=f"{key}_preview", config={"displayModeBar": False})
    return {column: shares}


def _mix_figure(column: str, real: pd.Series, target: dict[Any, float]) -> go.Figure:
    labels = [str(v) for v in real.index]
    fig = go.Figure()
    fig.add_bar(x=labels, y=real.to_numpy(), name="real mix", marker_color=REAL_COLOR)
    fig.add_bar(x=labels, y=[target[v] for v in real.index], name="synthetic mix asked for", marker_color=SYNTH_COLOR)
    fig = layout(fig, f"Mix of {column}: real vs asked for", column, "share of rows")
    fig.update_layout(height=280)
    return fig


def describe(conditions: dict[str, Any], rebalance: dict[str, dict[Any, float]] | None) -> str:
    parts = []
    for name, cond in conditions.items():
        if isinstance(cond, tuple):
            lo, hi = cond
            fmt = (lambda v: v.date().isoformat()) if isinstance(lo, pd.Timestamp | dt.date) else (lambda v: f"{v:g}")
            parts.append(f"{fmt(lo)} ≤ {name} ≤ {fmt(hi)}")
        elif isinstance(cond, list):
            parts.append(f"{name} in {{{', '.join(map(str, cond))}}}")
        else:
            parts.append(f"{name} = {cond}")
    if rebalance:
        (column, shares), *_ = rebalance.items()
        # "fraud rebalanced to 1: 50%, 0: 50%": without the colon a 0/1 flag read "to 1 50%, 0 50%" (session 31).
        parts.append(f"{column} rebalanced to " + ", ".join(f"{k}: {v:.0%}" for k, v in shares.items()))
    return "; ".join(parts)


def file_suffix(note: str) -> str:
    """The sampling conditions (:func:`describe`) as a file-name part: a table drawn with 50% complaints is not
    downloaded under the same name as the plain one ("_complaint_filed_rebalanced_to_yes_50pct_no_50pct")."""
    if not note:
        return ""
    text = note.replace("%", "pct").replace("≤", " le ").replace("!=", " ne ").replace("=", " eq ")
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_.")
    if len(slug) > 80:  # long conditions: a readable start and a digest of the whole
        slug = slug[:70].rstrip("_") + "_" + hashlib.sha256(note.encode()).hexdigest()[:8]
    return "_" + slug
