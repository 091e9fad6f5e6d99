"""The Privacy page's membership figures over people, drawn beside the row-level ones when a column names whose
row each real row is (:mod:`synth.evaluation.privacy.people_membership`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from synth.evaluation.privacy.people_membership import PEOPLE_COLUMNS, PersonMembership, people_rows
from synth.evaluation.results import number
from ui.privacy_panels import COUNT_COLUMNS
from ui.text import md

ROWS_WORDS = (
    "**Row level** (above): a member is one training row; a person with many rows counts many times, and one copied "
    "row among their visits hardly moves the figure."
)


def people_words(people: PersonMembership) -> str:
    """What the person-level figures answer, in plain words (markdown; the column name escaped)."""
    return (
        f"**Person level** (here): a member is a person — a {md(people.column)} with any row in training — scored "
        "by all their rows together. This is the question data-protection law asks: could an attacker tell that this "
        "person was in the training data?"
    )


def membership_people(people: PersonMembership) -> None:
    """The person-level headline (highest AUC, named), its advantage, and a table of the four aggregations."""
    head = people.headline
    if head is None:
        return
    st.markdown(ROWS_WORDS + "\n\n" + people_words(people))
    c = st.columns(2)
    # The descriptions sit in captions that wrap, as on the row-level cards (a metric's delta is cut to one line).
    c[0].metric(
        "Membership AUC over people",
        f"{head.auc.value:.3f}",
        help="The strongest of the person-level attacks below (highest AUC), over training people and holdout people "
        "the synthesizer never saw.",
    )
    c[0].caption(
        f"{md(head.label)}; 95% CI {head.auc_boot_low:.3f}–{head.auc_boot_high:.3f} (people resampled); 0.5 = no signal"
    )
    c[1].metric(
        "Membership advantage over people",
        number(head.advantage),
        help="How much better than a coin the strongest person-level attack tells members from non-members.",
    )
    c[1].caption(f"2·(AUC − 0.5); 95% CI {number(head.advantage_low)}–{number(head.advantage_high)}; 0 = no signal")
    st.dataframe(
        pd.DataFrame(people_rows(people), columns=list(PEOPLE_COLUMNS)),
        hide_index=True,
        key="membership_people_table",
        column_config=COUNT_COLUMNS,
    )
    st.caption(md(people.describe()) + ".")
