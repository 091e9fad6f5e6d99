"""Widgets generated from a synthesizer's declared parameter space."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import streamlit as st

from synth.synthesizers.base import Param


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
