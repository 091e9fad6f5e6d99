"""The Privacy page's sections: each draws one result (computed by a cached synth call) and nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from synth import plots
from synth.evaluation.privacy.attacks import AttackResult
from synth.evaluation.privacy.distances import ClosenessShare, CopyCounts, PrivacyResult
from synth.evaluation.privacy.inspector import MASK
from synth.evaluation.privacy.membership import MembershipAttack, MembershipResult, min_non_members
from synth.evaluation.privacy.peer_sdmetrics import SdmetricsPrivacy
from synth.evaluation.privacy.rare_values import MIN_VALUES, RareValueResult, excess_display, excess_table
from synth.evaluation.privacy.verdict import Verdict
from synth.evaluation.privacy.verdict_criteria import LEVEL_WORDS, CriterionVerdict, closeness_level
from synth.evaluation.results import percent as pct
from ui import charts
from ui.text import md, metric_delta

#: Each light's badge colour; its words are synth's (``LEVEL_WORDS``, a criterion's ``words``).
COLOURS: dict[str, Literal["green", "orange", "red", "gray"]] = {
    "green": "green",
    "amber": "orange",
    "red": "red",
    "grey": "gray",
}


def badge_colour(c: CriterionVerdict) -> Literal["green", "orange", "red", "gray", "blue"]:
    """A criterion's badge colour: its light's, but blue for an unclear green one (past the amber line within
    noise), whose words say it is neither low nor flagged: a green "unclear" badge would still read as safe."""
    return "blue" if c.unsettled else COLOURS[c.level]


def copies(result: CopyCounts) -> None:
    """Exact copies of training rows (the first numbers on the page: counted in well under a second)."""
    c = st.columns(2)
    c[0].metric(
        "Exact copies of training rows",
        f"{result.exact_copies:,}",
        delta=f"{pct(result.exact_copy_rate, 2)} of synthetic vs {pct(result.holdout_exact_copy_rate, 2)} of holdout",
        delta_color="off",
        delta_arrow="off",  # a description beside the number, not a change
        help="Synthetic rows equal to a training row on every learned column. The holdout rate is what "
        "coincidence alone gives for real people.",
    )
    c[1].metric(
        "Copies of people unique in training",
        f"{result.unique_copies:,}",
        delta=f"holdout: {result.holdout_unique_copies:,} ({pct(result.holdout_unique_copy_rate, 2)})",
        delta_color="off",
        delta_arrow="off",  # a description beside the number, not a change
        help=f"Synthetic rows equal to one of the {result.n_train_unique:,} training rows whose combination of "
        "values no other training row has: a copied rare person.",
    )


def closeness(share: ClosenessShare | None, result: PrivacyResult | None) -> None:
    """The two closeness cards: the full-train share (a copy reads 100%) and the holdout-sized one.

    The holdout-sized share takes about a quarter of the distance work, so it is shown first; a card whose number
    is still being computed says so.
    """
    c = st.columns(2)
    # Both cards take the colour of the verdict's closeness light (green within noise or below the amber line),
    # not red for any share above the ideal; grey until the full-train share, which the light reads, is in.
    color = COLOURS[closeness_level(result)] if result is not None else "off"
    if result is not None:
        c[0].metric(
            "Closer to the full train than to holdout",
            pct(result.dcr_share_full),
            # A hyphen-minus, not pct's true minus: Streamlit reads the delta's sign from it to point the arrow.
            **metric_delta(
                result.dcr_share_full_excess,
                1,
                f"% of the gap from the ideal {pct(result.dcr_share_full_expected)} to a copy's 100%",
                scale=100,
            ),
            delta_color=color,
            help="Share of synthetic rows whose closest real row is a training row rather than a holdout row. A "
            "model that memorises nothing sits at train's share of the real rows, n_train / (n_train + n_holdout); "
            "a verbatim copy of train scores 100%.",
        )
    else:
        c[0].info("Closer to the full train than to holdout: searching every training row…")
    if share is not None:
        c[1].metric(
            "Closer to train than to holdout",
            pct(share.dcr_share),
            **metric_delta(share.dcr_share - 0.5, 1, " points vs ideal 50%", scale=100),
            delta_color=color,
            help=f"Against a seeded sample of {share.n_train_sample:,} training rows, as many as the holdout. A "
            "model that memorises nothing lands near 50%; only rows that happen to be in the sample count, so even "
            "a copy of train stays well below 100% — read the first card first.",
        )
    else:
        c[1].info("Closer to train than to holdout: measuring…")


def distance_figures(result: PrivacyResult) -> tuple[go.Figure, go.Figure]:
    """The DCR and NNDR histograms (built and escaped once per run: the page keeps them with its results)."""
    return (
        charts.escaped(plots.dcr_histogram(result.dcr_synthetic, result.dcr_holdout)),
        charts.escaped(plots.nndr_histogram(result.nndr_synthetic, result.nndr_holdout)),
    )


def distances(result: PrivacyResult, figures: tuple[go.Figure, go.Figure] | None = None) -> None:
    """DCR and NNDR cards, their histograms and what was compared."""
    figures = figures or distance_figures(result)
    d = st.columns(3)
    d[0].metric(
        "Median distance to closest training row",
        f"{result.median_dcr_synthetic:.3f}",
        delta=f"holdout: {result.median_dcr_holdout:.3f}",
        delta_color="off",
        delta_arrow="off",  # a description beside the number, not a change
        help="Mixed-type distance: numbers scaled by their range, a category mismatch counts 1 (every category "
        "has its own code).",
    )
    d[1].metric(
        "Median nearest-neighbour ratio",
        f"{result.median_nndr_synthetic:.3f}",
        delta=f"holdout: {result.median_nndr_holdout:.3f}",
        delta_color="off",
        delta_arrow="off",  # a description beside the number, not a change
        help="Distance to the closest training row over the distance to the second closest. Near 0 the row sits "
        "on one particular person rather than among several.",
    )
    d[2].metric(
        "Synthetic rows at distance 0",
        pct(result.zero_dcr_share, 2),
        help="Share of the synthetic rows identical to some training row.",
    )
    left, right = st.columns(2)
    with left:
        charts.plotly_chart(figures[0], key="dcr_chart")
    with right:
        charts.plotly_chart(figures[1], key="nndr_chart")
    st.caption(
        f"Distances of all {result.n_compared:,} synthetic rows and all {len(result.dcr_holdout):,} holdout rows to "
        f"their closest of the {result.n_train:,} training rows, over {len(result.columns)} learned columns (no "
        "subsample). A synthetic curve piled up at 0, left of the holdout's, would mean copied people."
    )


def membership(mia: MembershipResult) -> None:
    """The membership attacks: the headline (highest AUC, named) and a table of AUC and TPR at low FPR."""
    head = mia.headline
    if head is None:
        return
    if mia.people is not None:  # both are shown: say which figures count rows
        st.markdown("#### Over rows")
    # What each number is, under it in a caption that wraps: as the metric's delta (one line, cut with an
    # ellipsis) "Distance to closest record; 95% CI 0.49…" lost its interval and yardstick in a third of the page.
    c = st.columns(3)
    c[0].metric(
        "Membership inference AUC",
        f"{head.auc.value:.3f}",
        help="The strongest of the membership attacks below (highest AUC), over training members and holdout "
        "non-members.",
    )
    c[0].caption(f"{md(head.label)}; 95% CI {head.auc.low:.3f}–{head.auc.high:.3f}; 0.5 = no signal")
    for col, fpr in zip(c[1:], (0.01, 0.1), strict=True):
        t = head.tpr(fpr)
        col.metric(
            f"Members caught at {pct(fpr, 0)} false alarms",
            "n/a" if t is None else pct(t.tpr),
            help="True-positive rate of the strongest attack when its threshold wrongly accuses this share of "
            "non-members. An attack that finds a few members with confidence matters even when its AUC is modest.",
        )
        col.caption(
            f"{md(head.label)}: {md(head.tpr_unavailable(fpr))}"
            if t is None
            else f"95% CI {pct(t.low)}–{pct(t.high)}; no signal: {pct(fpr, 0)}"
        )

    def tpr(a: MembershipAttack, fpr: float) -> str:
        t = a.tpr(fpr)
        return (
            f"n/a (needs ≥ {min_non_members(fpr):,} non-members)"
            if t is None
            else f"{pct(t.tpr)} ({pct(t.low)}–{pct(t.high)})"
        )

    st.dataframe(
        pd.DataFrame(
            {
                "attack": [a.label for a in mia.attacks],
                "AUC": [f"{a.auc.value:.3f}" for a in mia.attacks],
                "95% CI": [f"{a.auc.low:.3f}–{a.auc.high:.3f}" for a in mia.attacks],
                "TPR at 1% FPR": [tpr(a, 0.01) for a in mia.attacks],
                "TPR at 10% FPR": [tpr(a, 0.1) for a in mia.attacks],
                "members": [a.n_members for a in mia.attacks],
                "non-members": [a.n_non_members for a in mia.attacks],
            }
        ),
        hide_index=True,
        key="membership_table",
        column_config=COUNT_COLUMNS,
    )
    st.caption(
        f"Members: a seeded sample of {mia.n_members:,} training rows; non-members: {mia.n_non_members:,} holdout "
        f"rows; the attacker holds the other {mia.n_reference:,} holdout rows as reference data; all "
        f"{mia.n_synthetic:,} synthetic rows are searched."
    )
    for a in mia.attacks:
        for fpr in (0.01, 0.1):
            why = a.tpr_unavailable(fpr)
            if why is not None:
                st.caption(f"{a.label}, TPR at {pct(fpr, 0)} FPR: {why}.")
    for a in mia.attacks:
        with st.expander(f"{a.label}: how it was measured"):
            st.markdown(a.detail)
    if mia.people is not None:
        from ui.privacy_people import membership_people

        st.markdown("#### Over people")
        membership_people(mia.people)
    for note in mia.not_run:
        st.info(md(note))


#: Counts in the membership tables, written with thousands separators and kept numbers (the session-32 walk read
#: "2399" there beside "2,399 training rows" in the caption under it).
COUNT_COLUMNS = {
    name: st.column_config.NumberColumn(format="localized")
    for name in ("members", "non-members", "people (members)", "people (non-members)")
}
ATTACK_COUNTS = {"attacks": st.column_config.NumberColumn(format="localized")}


def attack_figures(results: Sequence[AttackResult]) -> tuple[go.Figure, go.Figure]:
    """The attacks' risk and rate charts (built and escaped once per set of results)."""
    return charts.escaped(plots.attack_risks(results)), charts.escaped(plots.attack_rates(results))


def risk_interval_words(r: AttackResult) -> str:
    """An attack's 95% interval for the table. A risk held at 0 because the holdout was guessed more often than
    train read "0.0%–0.0%" (the session-31 walk: inference 7.2% on train, 18.4% on the holdout), which looks like a
    measured certainty: it says what happened instead."""
    if r.risk.high <= 0 and r.risk.excess < 0:
        return f"none: holdout guessed more often ({pct(r.control.observed)} vs {pct(r.main.observed)})"
    interval = f"{pct(r.risk.low)}–{pct(r.risk.high)}"
    if r.risk.excess < 0 and r.control.observed > r.main.observed:
        # The session-32 walk read risk "0.0%" beside "0.0%–1.8%" with the holdout guessed 26.0% of the time and
        # train 6.9%: the 0 is the holdout doing better, and the interval what noise still allows (both rates sit
        # in the row's next columns).
        return f"{interval} (holdout guessed more often)"
    return interval


def attacks(results: Sequence[AttackResult], figures: tuple[go.Figure, go.Figure] | None = None) -> None:
    risks, rates = figures or attack_figures(results)
    # One under the other, full width: side by side, the attacks' long labels left each plot a sliver and the
    # legend sat on the title.
    charts.plotly_chart(risks, key="attack_risks_chart")
    charts.plotly_chart(rates, key="attack_rates_chart")

    def shown(r: AttackResult, text: str) -> str:
        # An attack with no targets has rates and a risk of 0 that measure nothing: "0.0% (CI 0.0–0.0%)" read as
        # a measured absence of risk.
        return text if r.measured else "—"

    st.dataframe(
        pd.DataFrame(
            {
                "attack": [r.label for r in results],
                "risk": [pct(r.risk.value) if r.measured else "not run" for r in results],
                "95% CI": [shown(r, risk_interval_words(r)) for r in results],
                # Observed shares, as the risk's sign follows them: Wilson centres pull the smaller holdout set
                # further towards 50% ("1.6% on training people, 3.0% on holdout" beside a risk of 0.8%).
                "main (train)": [shown(r, pct(r.main.observed)) for r in results],
                "control (holdout)": [shown(r, pct(r.control.observed)) for r in results],
                "baseline (random)": [shown(r, pct(r.baseline.observed)) for r in results],
                "attacks": [r.n_attacks for r in results],
            }
        ),
        hide_index=True,
        key="attack_table",
        # Seven columns run past the page: the attack's name stays in view while the rest scrolls.
        column_config={"attack": st.column_config.TextColumn(pinned=True), **ATTACK_COUNTS},
    )
    for r in results:
        if not r.measured:
            st.info(f"**{md(r.label)}** was not run: {md(r.not_run_reason)}")
    for r in results:
        if not r.measured:
            continue  # its reason is said above; there is no measurement to explain
        with st.expander(f"{r.label}: how it was measured"):
            st.markdown(r.detail)
            for w in r.warnings:
                st.warning(md(w))


def masked(df: pd.DataFrame, unmask: bool) -> pd.DataFrame:
    """``df`` with every value replaced by the mask unless ``unmask``."""
    return df if unmask else pd.DataFrame(MASK, index=df.index, columns=df.columns)


def verdict(v: Verdict) -> None:
    words = LEVEL_WORDS[v.level]
    st.subheader("Verdict")
    show = {"red": st.error, "amber": st.warning, "green": st.success, "grey": st.info}[v.level]
    # The headline names its level itself ("Low risk: …"): bold that lead instead of writing the level twice.
    lead, sep, rest = v.headline.partition(": ")
    show(f"**{lead}:** {rest}" if sep and lead.lower() == words else f"**{words.capitalize()}.** {v.headline}")
    for c in v.criteria:  # a grey badge says why it is grey ("too few rows"), as its text does
        st.markdown(f":{badge_colour(c)}-badge[{c.words}] **{c.label}** — {md(c.value)}")
        st.caption(f"Thresholds: {c.threshold}")
    st.markdown("**What to do**\n" + "\n".join(f"- {md(a)}" for a in v.advice))


def rare_values(rare: RareValueResult, generated: Sequence[str] = ()) -> None:
    """The value-level membership test: train-only vs holdout-only values reproduced, per learned column; the
    judged columns worst first, the ones with nothing to judge counted below them, ``generated`` (not learned)
    named as left out."""
    st.caption(
        "Values that one real person alone had: seen once in train and never in the holdout (train-only), or once "
        "in the holdout and never in train (holdout-only). A model that learned patterns, not people, reproduces "
        "both shares alike; an excess whose 95% interval lies above 0 (widened for the number of columns) is "
        "flagged when an exact test of which side the reproduced values fell on agrees. Synthetic table: "
        f"{rare.n_synthetic:,} rows for {rare.n_train:,} training rows (compare tables "
        f"of about the same size). All columns pooled: excess {pct(rare.pooled_excess)} (95% CI "
        f"{pct(rare.pooled_low)} to {pct(rare.pooled_high)}); {rare.train_values_copied:,} train-only values "
        "appear in the synthetic table."
    )
    judged = excess_display(rare)
    if len(judged):  # widths add up to the page's content width at 1400 px (about 940 px): nothing scrolls
        st.dataframe(
            judged,
            hide_index=True,
            width="stretch",
            key="rare_values_table",
            column_config={
                "column": st.column_config.TextColumn(width=160, pinned=True),
                "verdict": st.column_config.TextColumn(
                    width=180,
                    help="Flagged when the excess's interval, widened for the number of columns judged "
                    "(Bonferroni), lies above 0 and the exact test agrees: the model reproduces values only "
                    "training people had.",
                ),
                "excess (interval judged)": st.column_config.TextColumn(
                    width=190,
                    help="Share of train-only values reproduced minus share of holdout-only ones, with the 95% "
                    "interval widened for the number of columns judged (the interval the verdict reads).",
                ),
                "train-only values reproduced": st.column_config.TextColumn(
                    width=195, help="Values seen once in train and never in the holdout."
                ),
                "holdout-only values reproduced": st.column_config.TextColumn(
                    width=195, help="Values seen once in the holdout and never in train."
                ),
            },
        )
    else:
        st.info(f"No column has {MIN_VALUES} or more values seen once in train and in the holdout: nothing to judge.")
    unjudged = excess_table(rare, judged=False)
    if len(unjudged):
        # Hidden behind a count: a column with no value on one side has an interval of -100% to 100%, which says
        # nothing, and listed among the judged ones it buried them.
        with st.expander(f"{len(unjudged)} column{'s' if len(unjudged) != 1 else ''} with nothing to judge"):
            st.dataframe(unjudged, hide_index=True, key="rare_values_unjudged")
    if generated:
        names = md(", ".join(generated))
        st.caption(
            f"Left out, generated rather than learned (identifiers, personal data, free text, constants): {names}."
        )


def sdmetrics(sd: SdmetricsPrivacy) -> None:
    """sdmetrics' own privacy scores beside ours, with the subsamples they ran on."""

    def score(x: float | None) -> str:
        return "—" if x is None else f"{x:.3f}"

    c = st.columns(3)
    c[0].metric(
        "DCRBaselineProtection (sdmetrics)",
        score(sd.dcr_baseline_protection),
        help="Median DCR of synthetic rows over that of uniformly random rows; 1 = as far from real rows as noise.",
    )
    c[1].metric(
        "DCROverfittingProtection (sdmetrics)",
        score(sd.dcr_overfitting_protection),
        help="2 × (1 − share of synthetic rows closer to train than to the holdout), capped at 1.",
    )
    c[2].metric(
        "DisclosureProtection (sdmetrics)",
        score(sd.disclosure_protection),
        help="CAP attack protection over random guessing of the secret from the known columns (estimated on "
        f"{sd.disclosure_iterations} × {sd.disclosure_rows_subsample:,}-row subsamples).",
    )
    st.caption(
        f"sdmetrics {sd.version}, 1 = best protection. Its DCR metrics ran on {sd.num_iterations} subsamples of "
        f"{sd.num_rows_subsample:,} rows (its num_rows_subsample / num_iterations): on the full tables each takes "
        "minutes. On such subsamples a verbatim copy of train still scores about 0.91 on DCROverfittingProtection, "
        "inside the range of real generators — read these beside the measures above, not instead of them."
    )
    for err in sd.errors:
        st.warning(f"sdmetrics could not compute {md(err)}")
