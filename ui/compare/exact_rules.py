"""Compare's "Columns the real table computes from others" table, right below the orders: a weekday that is not its
date's, a total that is not its parts' sum, a stay's days that disagree with its own dates
(:mod:`synth.evaluation.fidelity.exact_rules`)."""

from __future__ import annotations

import streamlit as st

from synth.evaluation.context import EvaluationContext
from synth.evaluation.fidelity.exact_rules import RuleBreaks
from ui import cached, state
from ui.compare.rule_tables import kept_everywhere, rule_table
from ui.text import md

#: Who keeps such rules, for the warning of a broken one.
RULE_REMEDY = (
    "CART, Pruned CART and the Gaussian copula compute such columns from their inputs (Advanced settings: exact "
    "derived columns), so every row they draw keeps them; the DP network and the independent marginals do not."
)
SHARE = "synthetic rows breaking it"


def _checked(run_key: str, context: EvaluationContext) -> tuple[tuple[RuleBreaks, ...], str | None]:
    """The rules and their breaks, or none and why when the check failed (an unexpected table: the rest of the
    page must still work)."""
    try:
        return cached.exact_rules(run_key, context), None
    except Exception as exc:
        return (), str(exc)


def exact_rule_breaks(run_key: str, context: EvaluationContext) -> tuple[RuleBreaks, ...]:
    """The rules and their breaks for the headline, which goes on without them when the check failed (the section
    says why)."""
    return _checked(run_key, context)[0]


def exact_rule_checks(run_key: str, ds: state.Dataset, syn: state.SyntheticTable) -> None:
    """The rules every real row holds (a date's parts, a code's label, a total of its parts, an end a start plus a
    duration, shares of one total) and how many synthetic rows break each."""
    found, error = _checked(run_key, state.evaluation_context(ds, syn))
    if error is not None:  # said, not raised: the page's other checks stand
        st.markdown("**Columns the real table computes from others**")
        st.warning(f"The rules every real row holds could not be checked on this table: {md(error)}")
        return
    if not found:  # nothing to say: most tables compute no column from others
        return
    st.markdown("**Columns the real table computes from others**")
    broken = [b for b in found if b.broken > 0]
    if broken:
        worst = broken[0]
        st.warning(
            f"{len(broken)} of {len(found)} rules that every real row holds are broken by synthetic rows: "
            f"{worst.broken:,} of {worst.checked:,} ({worst.share:.1%}) break {md(worst.rule)}. Such rows are wrong "
            "on their face. " + RULE_REMEDY
        )
    else:
        st.success(f"Every synthetic row keeps {kept_everywhere(len(found), 'rule')}.")
    rows = [
        {"rule": b.rule, "real rows breaking it": 0.0, SHARE: b.share, "synthetic rows checked": b.checked}
        for b in found
    ]
    rule_table(rows, ("real rows breaking it", SHARE), "exact_rule_breaks", counts=("synthetic rows checked",))
    st.caption(
        "A rule counts when it holds on every real training row and chance cannot explain it (the search the "
        "models run at fit). A synthetic row is checked when every column of the rule is present and, for a lookup, "
        "when its value is one at least 5 real rows hold."
    )
