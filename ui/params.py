"""Widgets generated from a synthesizer's declared parameter space."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from synth.schema import KIND_LABELS, Schema
from synth.synthesizers.base import Param
from synth.synthesizers.declared_orders import declarable_orders, order_breaches
from synth.synthesizers.dp.declared_text import MISSING_LABEL, declarable_columns
from ui.text import md


def param_widget(param: Param, key: str, columns: Sequence[str] = ()) -> Any:
    """Draw the widget for one parameter and return its value; ``columns`` are offered where it may name one."""
    label = param.label or param.name.replace("_", " ")
    if param.kind == "bool":
        return st.checkbox(label, value=bool(param.default), help=param.help, key=key)
    if param.kind == "choice":
        options = list(param.choices) + (list(columns) if param.names_columns else [])
        return st.selectbox(label, options, index=options.index(param.default), help=param.help, key=key)
    if param.kind == "int":
        return int(
            st.number_input(
                label,
                min_value=int(param.low) if param.low is not None else None,
                max_value=int(param.high) if param.high is not None else None,
                value=int(param.default),
                step=1,
                help=param.help,
                key=key,
            )
        )
    default = float(param.default)
    # A small default (a pruning threshold of 2e-4) would read 0.000 with three decimals and step by 0.01:
    # show it in scientific notation and step by its own order of magnitude.
    small = 0 < abs(default) < 0.01
    return float(
        st.number_input(
            label,
            min_value=float(param.low) if param.low is not None else None,
            max_value=float(param.high) if param.high is not None else None,
            value=default,
            step=10.0 ** math.floor(math.log10(abs(default))) if small else None,
            help=param.help,
            key=key,
            format="%.1e" if small else "%.3f",
        )
    )


def declared_orders_widget(
    schema: Schema,
    key: str,
    initial: Sequence[Sequence[str]] = (),
    note: str = "",
    train: pd.DataFrame | None = None,
) -> list[tuple[str, str]]:
    """The orders a user declares for a model that does not read them from the data (the DP network): every pair
    of two dates or two numbers, from the schema only, as "lower ≤ higher". ``initial``: the pairs chosen when
    the widget is first drawn (those the schema still offers); ``note`` ends the help; ``train``: the training
    rows, checked against the chosen orders for the page's own eyes (:func:`order_breaches`: a pair declared the
    wrong way round drew every row with the two dates equal)."""
    pairs = declarable_orders(schema)
    if not pairs:
        return []
    labels = {f"{low} ≤ {high}": (low, high) for low, high in pairs}
    wanted = {tuple(pair) for pair in initial}
    chosen = st.multiselect(
        "Orders every row must keep (declared, public)",
        list(labels),
        default=[label for label, pair in labels.items() if pair in wanted],
        key=key,
        placeholder="e.g. signup ≤ last_order",
        help="Facts you know without the data, such as 'an order is never before its signup'. The DP network does "
        "not learn orders from the rows (that would spend privacy budget): orders you declare are public, the model "
        "never checks them against the data, and every synthetic row keeps them. This page does check them against "
        "the training rows, for your eyes only (the count is in no model): an order the rows break is named, with "
        "the one they keep. The later column is learned as its gap "
        "from the earlier one, which ties dates together well (a customer table at ε = 3: 2-way accuracy 0.75 → "
        "0.93); for numbers the effect is mixed (Bike Sharing at ε = 3: 1-way accuracy 0.95 → 0.92). A column "
        "is learned as its gap from the first order declared on it: pick its tightest bound first."
        + (f" {note}" if note else ""),
    )
    orders = [labels[c] for c in chosen]
    if train is not None:
        for breach in order_breaches(train, orders, schema):
            st.warning(md(breach))
    return orders


def public_domains_widget(
    schema: Schema, key: str, note: str = "", initial: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The public domains a user declares per column for the DP network, as text (parsed by
    :func:`synth.synthesizers.dp.declared_text.parse_public_domains` when the fit starts). Empty by default and
    never filled from the data: a range read off the rows is not public knowledge. ``note`` ends the caption
    (where the declarations go on a page that fits several models); ``initial``: texts typed before (a column
    the schema no longer declares is left out)."""
    names = declarable_columns(schema)
    if not names:
        return {}
    with st.expander("Public ranges and labels (from a codebook, not from the data)"):
        st.caption(
            "A range or label list you know without the data (a 0–10 answer scale, a percentage, the codes of a "
            "codebook) costs no privacy budget, and the noise cannot hide it: on a 2,000-row survey at ε = 1, 12 of 17 "
            "columns came out missing or as one value with every domain private (mean of 40 fits), 3 with its "
            "scales and labels declared. Leave a row empty to have its domain learned privately. Training values "
            "outside a declared range stop the fit with a message." + (f" {note}" if note else "")
        )
        edited = st.data_editor(
            pd.DataFrame(
                {
                    "column": names,
                    "kind": [KIND_LABELS[schema[n].kind] for n in names],
                    # A keyed editor with fixed rows keeps its edits when only these texts change (its identity
                    # is the table's shape), so feeding back what it returned leaves the user's edits as they are.
                    "public domain": [str((initial or {}).get(n, "")) for n in names],
                }
            ),
            key=key,
            hide_index=True,
            disabled=["column", "kind"],
            width="stretch",
            column_config={
                "public domain": st.column_config.TextColumn(
                    help=f"A number: low–high (0–120). A date: 2020-01-01 to 2024-12-31. Categories: their labels "
                    f"separated by commas, {MISSING_LABEL} for missing (F, M, {MISSING_LABEL}).",
                )
            },
        )
    # Only text declares: a cleared cell may come back as None, which str() would turn into the domain "None".
    texts = zip(edited["column"], edited["public domain"], strict=True)
    return {c: t for c, t in texts if isinstance(t, str) and t.strip()}
