"""Compare's "Values a person keeps across their rows": a patient with two names or birth dates among their visits
(:mod:`synth.evaluation.fidelity.person_values`)."""

from __future__ import annotations

import streamlit as st

from synth.evaluation.context import EvaluationContext
from synth.evaluation.fidelity.person_values import PersonValues
from ui import cached, state
from ui.compare.rule_tables import rule_table
from ui.text import md

#: A synthetic share of people changing a kept column above this is warned about (real people: at most 1%).
WARN_SHARE = 0.05
TITLE = "**Values a person keeps across their rows**"


def _checked(run_key: str, context: EvaluationContext) -> tuple[PersonValues | None, str | None]:
    """The check, or nothing and why when it failed (an unexpected table: the rest of the page must still work)."""
    try:
        return cached.person_values(run_key, context), None
    except Exception as exc:
        return None, str(exc)


def person_value_breaks(run_key: str, context: EvaluationContext) -> PersonValues | None:
    """The check for the headline, which goes on without it when the check failed (the section says why)."""
    return _checked(run_key, context)[0]


def person_value_checks(run_key: str, ds: state.Dataset, syn: state.SyntheticTable) -> None:
    """The columns every real person keeps across their rows and how often synthetic people change them."""
    found, error = _checked(run_key, state.evaluation_context(ds, syn))
    if error is not None:  # said, not raised: the page's other checks stand
        st.markdown(TITLE)
        st.warning(f"The values people keep across their rows could not be checked on this table: {md(error)}")
        return
    if found is None:  # no person column, or nothing its people keep
        return
    st.markdown(TITLE)
    person = md(found.person)
    worst = found.worst
    if found.repeats_lost and worst is not None:  # a peer's fresh ids on most rows: few people left to judge
        st.warning(
            f"{md(found.repeat_words())}: a count of rows per {person} reads differently on the synthetic table."
        )
    if worst is None:
        st.warning(
            f"No synthetic {person} has two or more rows (real: {found.real_rows_per_person:.1f} rows per "
            f"{person}), so no synthetic person can be judged: each row stands for a person of its own."
        )
    elif (worst.synthetic_share or 0.0) > WARN_SHARE:
        st.warning(
            f"{worst.synthetic_share:.0%} of the synthetic people with two or more rows hold more than one "
            f"{md(worst.column)} (real: {worst.real_share:.1%}). Such people are wrong on their face: a patient with "
            "two birth dates. Models without a privacy guarantee hold each person's values when the fit knows the "
            "person (the Data page's split by person)."
        )
    else:
        st.success(
            f"Every synthetic {person} keeps one value of each of the {len(found.columns)} columns the real people "
            "keep across their rows."
        )
    rows = [
        {
            "column": c.column,
            "real people changing it": c.real_share,
            "synthetic people changing it": c.synthetic_share,
        }
        for c in found.columns
    ]
    rule_table(rows, ("real people changing it", "synthetic people changing it"), "person_value_breaks")
    st.caption(
        f"People with two or more rows: {found.real_people:,} real ({found.real_rows_per_person:.1f} rows per "
        f"{person}), {found.synthetic_people:,} synthetic ({found.synthetic_rows_per_person:.1f}). A column is listed "
        "when at least 99% of the real people with two or more rows hold one value in it (missing counts as a value)."
    )
