"""The Privacy page's Attacks section: the WP216 attacks' charts and table, and sdmetrics beside ours on request;
the note under Membership and Attacks when the synthetic table is too small for the verdict to judge them."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

import synth
from synth.evaluation.people import a_person
from synth.evaluation.privacy.attacks import AttackResult
from synth.evaluation.privacy.verdict import too_few_note
from ui import privacy_checks, privacy_panels
from ui.privacy_checks import Raw, shown
from ui.privacy_job import PrivacyJob
from ui.text import md


def attacks_intro(person: str | None = None) -> None:
    """The section's words; ``person``: the person column the attacks count people by, None when they count rows."""
    st.subheader("Attacks, with their control and baseline")
    unit = "rows" if person is None else "people"
    people = (
        ""
        if person is None
        else f"A person is {md(a_person(person))}: singling out counts the people a predicate matches on any of "
        "their rows, linkability and inference attack each person once, through one of their rows drawn at random. "
    )
    st.caption(
        f"Each attack uses only the synthetic table and runs three ways: against training {unit} (**main**), against "
        f"holdout {unit} the model never saw (**control**) and at random (**baseline**). {people}"
        "The **risk** is what the main "
        "attack gains over the control, (main − control) / (1 − control), with a 95% interval — the framework of "
        "Giomi et al. (PoPETs 2023), as in anonymeter. For inference the control is the holdout's success per "
        'secret value, weighted as the training people\'s secrets are, so a rare secret value (a 99%-"no" flag) '
        "held by more holdout than training targets does not read as a risk. Singling out uses every learned "
        "column; linkability and inference follow the attacker model above."
    )


def unjudged(n_synthetic: int) -> None:
    """Under Membership and Attacks: that the verdict leaves the figures below grey when the synthetic table is too
    small to judge them (nothing from :data:`~synth.evaluation.privacy.verdict.MIN_SYNTHETIC_ROWS` rows up)."""
    note = too_few_note(n_synthetic)
    if note:
        st.info(note, icon=":material/info:")


def attacks(job: PrivacyJob, collected: Sequence[str], results: list[AttackResult]) -> None:
    """The attacks' charts (built once per set of tasks ``collected`` into ``results``) and table."""
    if not results:
        return
    figures_key = ("attack_figures", *collected)
    privacy_panels.attacks(results, job.memo(figures_key, lambda: privacy_panels.attack_figures(results)))


def sdmetrics(
    job: PrivacyJob, raw: Raw, schema: synth.Schema, known: list[str], secret: str, attacker_error: str | None
) -> None:
    """sdmetrics' own privacy metrics, run only when the user turns them on."""
    st.subheader("sdmetrics beside ours")
    st.session_state.setdefault("privacy_sdmetrics", False)  # a widget's default, kept across reruns
    if st.toggle(
        "Compare with sdmetrics",
        key="privacy_sdmetrics",
        help="sdmetrics' own privacy metrics on small subsamples (a few seconds; off until asked for).",
    ):
        ok = attacker_error is None
        task = privacy_checks.submit_sdmetrics(job, raw, schema, tuple(known) if ok else (), secret if ok else "")
        sd = shown(task)
        if sd is not None:
            privacy_panels.sdmetrics(sd)
