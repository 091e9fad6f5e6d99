"""Compare's "Numbers the real table keeps inside a category's range" table, right below the orders: an office's
latitude inside that office's range, an age inside its band (:mod:`synth.evaluation.fidelity.ranges`)."""

from __future__ import annotations

import streamlit as st

from ui import cached, state
from ui.compare.rule_tables import BREAKING, kept_everywhere, rule_table
from ui.text import md

#: Who keeps a range the synthetic rows break, for the warning of a broken one.
RANGE_REMEDY = (
    "CART, Pruned CART and the Gaussian copula keep such ranges themselves: a row whose number lies outside its "
    "category's range is drawn again."
)


def range_checks(run_key: str, ds: state.Dataset, syn: state.SyntheticTable) -> None:
    """Numbers whose ranges never overlap between a category's levels on the real rows, and how often synthetic
    rows put one in another level's range: a Madrid latitude beside a Berlin office is seen at once."""
    found = cached.ranges(run_key, ds.train, syn.df, ds.schema)
    if not found:  # nothing to say: most tables have no such number, and the orders' section already speaks
        return
    st.markdown("**Numbers the real table keeps inside a category's range**")
    broken = [b for b in found if b.broken > 0]
    if broken:
        worst = broken[0]
        st.warning(
            f"{len(broken)} of {len(found)} ranges are broken by synthetic rows: {worst.broken:.1%} of synthetic "
            f"rows have {md(worst.rule.number)} outside their {md(worst.rule.category)}'s range, which no real row "
            "does. " + RANGE_REMEDY
        )
    else:
        st.success(f"Every synthetic row keeps {kept_everywhere(len(found), 'range')}.")
    rows = [
        {
            "range": f"{b.rule.number} within each {b.rule.category}'s range ({len(b.rule.levels)} levels)",
            **dict(zip(BREAKING, (0.0, b.broken, b.random_breaks), strict=True)),
        }
        for b in found
    ]
    rule_table(rows, BREAKING, "range_breaks")
    st.caption(
        "A range counts when every level of the category holds at least 20 real rows with the number, no two "
        "levels' ranges overlap and values paired at random would break it on at least 1% of pairs. Rows with "
        "either value missing are left out."
    )
