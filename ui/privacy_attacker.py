"""The Privacy page's attacker model: its widgets when the Attacks section is open, the same choice when it is not.

The verdict needs the attacks whichever section is shown, so the page asks for them on every run. The choice is
kept per table (a plain session key, not a widget's state, which Streamlit drops while the widget is hidden) and
handed back to the widgets as their defaults when the section opens again.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from synth.evaluation.privacy.attacks import AttackerModel, AttackerModelError, default_attacker_model
from synth.evaluation.privacy.wp216 import DEFAULT_N_ATTACKS  # the Race's too: one table, one risk on both pages
from ui import state
from ui.text import md

N_ATTACK_CHOICES = (500, 1000, 2000, 5000)


@dataclass(frozen=True)
class AttackerChoice:
    """What the user chose (or the defaults), and why it cannot be used when it cannot."""

    known: tuple[str, ...]
    secret: str
    link_b: tuple[str, ...]
    n_attacks: int
    is_default: bool = True  # the schema flags no quasi-identifiers or secret: the page says the model is a guess
    note: str = ""

    @property
    def attacker(self) -> AttackerModel:
        return AttackerModel(self.known, self.secret, link_a=self.known, link_b=self.link_b)


def _stored_key(ds: state.Dataset) -> str:
    return f"attacker_choice|{ds.key}"


def _defaults(ds: state.Dataset, learned: list[str]) -> AttackerChoice:
    default = default_attacker_model(ds.schema, ds.train)
    secret = default.secret if default.secret in learned else (learned[0] if learned else "")
    return AttackerChoice(
        tuple(c for c in default.known if c in learned), secret, (), DEFAULT_N_ATTACKS, default.is_default, default.note
    )


def choice(ds: state.Dataset, learned: list[str], show: bool) -> tuple[AttackerChoice, str | None]:
    """The attacker model (drawn as widgets when ``show``) and the message of its validation error, if any."""
    kept: AttackerChoice = st.session_state.get(_stored_key(ds)) or _defaults(ds, learned)
    if show:
        kept = widgets(ds, learned, kept)
        st.session_state[_stored_key(ds)] = kept
    try:
        kept.attacker.validate(ds.schema, ds.train)
    except AttackerModelError as exc:
        if show:
            st.error(md(exc))
        return kept, str(exc)
    return kept, None


def widgets(ds: state.Dataset, learned: list[str], kept: AttackerChoice) -> AttackerChoice:
    st.subheader("Attacker model")
    left, right = st.columns([3, 1])
    known = left.multiselect(
        "Columns the attacker knows (quasi-identifiers)",
        learned,
        default=[c for c in kept.known if c in learned],
        key=f"attacker_known|{ds.key}",
        help="What an attacker already knows about the person they target: age, sex, postcode, ...",
    )
    secret = right.selectbox(
        "The secret they want to learn",
        learned,
        index=learned.index(kept.secret) if kept.secret in learned else 0,
        key=f"attacker_secret|{ds.key}",
    )
    if kept.is_default:
        st.info(
            f"Defaults — {kept.note}. Flag quasi-identifiers and a sensitive column in the schema on the **Data** "
            "page to make them the defaults here."
        )
    chosen_b = st.multiselect(
        "Linkability: the second dataset's columns (the first holds the known columns)",
        learned,
        default=[c for c in kept.link_b if c in learned],
        key=f"link_b|{ds.key}",
        placeholder="every learned column the attacker does not know, except the secret",
        help="The linkability attack tries to join a table of the known columns with a table of these columns "
        "through the synthetic rows.",
    )
    link_b = tuple(c for c in chosen_b if c not in known)
    if len(link_b) < len(chosen_b):
        st.caption("Known columns are in the first dataset, so they are left out of the second.")
    n_attacks = st.select_slider(
        "Attacks per run",
        N_ATTACK_CHOICES,
        value=kept.n_attacks,
        key="privacy_n_attacks",
        help="More attacks, narrower intervals.",
    )
    return AttackerChoice(tuple(known), secret, link_b, int(n_attacks), kept.is_default, kept.note)
