"""Compare's "Columns the real table leaves missing together" table, right below the category ranges: a latitude
without its longitude is seen at once (:mod:`synth.evaluation.fidelity.missing_groups`)."""

from __future__ import annotations

import streamlit as st

from ui import cached, state
from ui.compare.rule_tables import kept_everywhere, rule_table
from ui.text import listed, md

#: Who keeps such groups, for the warning of a broken one.
GROUP_REMEDY = (
    "CART, Pruned CART and the Gaussian copula keep such groups themselves: a row with part of a group missing is "
    "drawn again."
)


def missing_group_checks(run_key: str, ds: state.Dataset, syn: state.SyntheticTable) -> None:
    """Columns missing on exactly the same real rows, and how many synthetic rows have some of them missing and
    the others present."""
    found = cached.missing_groups(run_key, ds.train, syn.df, ds.schema)
    if not found:  # nothing to say: most tables have no such columns
        return
    st.markdown("**Columns the real table leaves missing together**")
    broken = [b for b in found if b.mixed > 0]
    if broken:
        worst = broken[0]
        st.warning(
            f"{len(broken)} of {len(found)} groups are broken by synthetic rows: {worst.mixed:,} synthetic rows "
            f"({worst.broken:.1%}) have part of {md(listed(worst.group.columns))} missing, which no real row has. "
            + GROUP_REMEDY
        )
    else:
        st.success(f"Every synthetic row keeps {kept_everywhere(len(found), 'group')} missing together.")
    rows = [
        {
            "missing together": listed(b.group.columns),
            "real rows missing": b.real_missing,
            "synthetic rows missing": b.synthetic_missing,
            "real rows mixed": 0,
            "synthetic rows mixed": b.mixed,
        }
        for b in found
    ]
    rule_table(rows, ("real rows missing", "synthetic rows missing"), "missing_group_breaks")
    st.caption(
        "A group counts when its columns are missing on exactly the same real rows, each missing on at least 20 "
        "and present on at least 20. A mixed row has some of the group's columns missing and others present."
    )
