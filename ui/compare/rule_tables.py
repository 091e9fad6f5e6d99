"""The tables under Compare's row rules (orders, category ranges, columns missing together): one row per rule the
real table keeps, shares shown as percentages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

#: The columns of an order's or a range's row: how often real rows, synthetic rows and random pairs break it.
BREAKING = ("real rows breaking it", "synthetic rows breaking it", "random pairs breaking it")


def rule_table(rows: Sequence[dict[str, Any]], percent: Sequence[str], key: str, counts: Sequence[str] = ()) -> None:
    """``rows`` as a table without an index, the ``percent`` columns written as percentages and the ``counts``
    with thousands separators (3,200 not 3200)."""
    config = {name: st.column_config.NumberColumn(format="percent") for name in percent}
    config.update({name: st.column_config.NumberColumn(format="localized") for name in counts})
    st.dataframe(
        list(rows),
        column_config=config,
        hide_index=True,
        key=key,
    )


def kept_everywhere(count: int, noun: str) -> str:
    """ "the real table's one order" or "all 3 orders of the real table"."""
    return f"the real table's one {noun}" if count == 1 else f"all {count} {noun}s of the real table"
