"""Compare's headline: the verdict, 1-/2-/3-way accuracy against the holdout ceiling, the discriminator, and
sdmetrics-style quality scores (with sdmetrics' own report on request)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import streamlit as st

from synth.evaluation.context import EvaluationContext
from synth.evaluation.fidelity.accuracy import AccuracyResult
from synth.evaluation.fidelity.discriminator import DiscriminatorResult
from synth.evaluation.fidelity.exact_rules import RuleBreaks
from synth.evaluation.fidelity.headline import fidelity_headline
from synth.evaluation.fidelity.person_values import PersonValues
from synth.evaluation.fidelity.scores import FidelityResult
from synth.evaluation.results import number
from ui import cached
from ui.text import md, metric_delta


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None or not math.isfinite(value) else number(value, digits)


def noise_color(beyond_noise: bool | None, lower_is_better: bool = False) -> Literal["normal", "inverse", "off"]:
    """A card's delta colour: red or green only for a difference beyond sampling noise. A within-noise gap drawn
    red ("↓ -0.003 vs holdout" above "within noise of fresh real data") read as a defect the caption denies."""
    if not beyond_noise:
        return "off"
    return "inverse" if lower_is_better else "normal"


def verdict(
    accuracy: AccuracyResult,
    discriminator: DiscriminatorResult | None,
    rules: Sequence[RuleBreaks] = (),
    people: PersonValues | None = None,
) -> None:
    head = fidelity_headline(accuracy, discriminator, rules, people)
    show = {"as_good_as_real": st.success, "close": st.info, "distinguishable": st.warning, "unknown": st.info}
    show[head.level](f"**{head.sentence}**")


def accuracy_cards(accuracy: AccuracyResult, discriminator: DiscriminatorResult | None, error: str | None) -> None:
    cols = st.columns(5)
    overall_ref = accuracy.overall_reference
    cols[0].metric(
        "Accuracy",
        fmt(accuracy.overall),
        **metric_delta(None if overall_ref is None else accuracy.overall - overall_ref, 3, " vs holdout"),
        # The overall gap has no interval of its own: it is beyond noise when an order's is (the verdict's rule).
        delta_color=noise_color(accuracy.as_good_as_holdout is False),
        help="Mean of univariate, bivariate and trivariate accuracy (1 − total variation distance of binned "
        "marginals, as MOSTLY AI's evaluator). The real holdout scored the same way is the ceiling.",
    )
    if accuracy.overall_interval:
        ceiling = f" · fresh real data {overall_ref:.3f}" if overall_ref is not None else ""
        cols[0].caption(f"95%: {accuracy.overall_interval.format()}{ceiling}")
    names = {1: "Univariate", 2: "Bivariate", 3: "Trivariate"}
    helps = {
        1: "Each column's binned distribution (10 deciles or the 10 most common categories).",
        2: "Each pair of columns' joint binned distribution.",
        3: "Each triple of columns' joint binned distribution: relationships beyond pairs.",
    }
    for col, score in zip(cols[1:4], accuracy.orders, strict=False):
        col.metric(
            f"{names[score.order]} accuracy",
            fmt(score.value),
            **metric_delta(score.gap, 3, " vs holdout"),
            delta_color=noise_color(score.below_ceiling),
            help=helps[score.order],
        )
        where = "below fresh real data, beyond noise" if score.below_ceiling else "within noise of fresh real data"
        note = f"{where} ({score.reference:.3f})" if score.reference is not None else where
        sampled = (
            f" · {score.n_marginals:,} of {score.n_possible:,} sampled" if score.n_marginals < score.n_possible else ""
        )
        col.caption(f"{note}{sampled}" if score.reference is not None else f"no holdout{sampled}")
    if discriminator is not None:
        ref_auc = discriminator.reference_auc
        disc_gap = None if ref_auc is None else discriminator.auc - ref_auc
        cols[4].metric(
            "Discriminator AUC",
            fmt(discriminator.auc, 2),
            **metric_delta(disc_gap, 2, " vs holdout"),
            delta_color=noise_color(discriminator.distinguishable, lower_is_better=True),
            help="ROC AUC of boosted trees telling synthetic rows from real holdout rows (people the model never "
            "saw) on rows they were not fitted on: 0.5 means indistinguishable. The same classifier on train against "
            "those holdout rows is the reference. Told from its own training rows, a table that copies their "
            "sampling noise would score under 0.5 and look better than fresh data.",
        )
        ref = f" · fresh real data {discriminator.reference_auc:.2f}" if discriminator.reference_auc is not None else ""
        # The count on both sides ("4,000 synthetic and holdout rows" read as 4,000 in all, and as the whole holdout
        # of 4,128, to the session-32 walk): each side is a seeded sample of this many rows.
        n = f"{discriminator.n_per_class:,}"
        against = (
            f"{n} holdout rows" if discriminator.real_rows == "holdout" else f"{n} training rows (holdout too small)"
        )
        cols[4].caption(f"95%: {discriminator.interval.format(2)}{ref} · {n} synthetic and {against}")
    else:
        cols[4].metric("Discriminator AUC", "—")
        cols[4].caption(f"Not run: {md(error)}")


def quality_cards(result: FidelityResult) -> None:
    st.caption(
        "Column shapes and pair trends as sdmetrics defines them (KS / TV complements, correlation and contingency "
        "similarity). They average every column and pair, so weak pairs dilute a lost relationship: read them with "
        "the accuracy and discriminator above." + (f" {result.same_size_note}" if result.same_size_note else "")
    )
    cols = st.columns(4)
    for col, label, name in (
        (cols[0], "Overall quality", "overall"),
        (cols[1], "Column shapes", "column_shapes"),
        (cols[2], "Column pair trends", "column_pair_trends"),
        (cols[3], "Missing values", "missing_values"),
    ):
        value = float(getattr(result.scores, name))
        interval = getattr(result.scores, f"{name}_interval")
        gap = result.gap(name)
        col.metric(
            label,
            fmt(value),
            **(metric_delta(gap.difference, 3, f" vs real holdout ({gap.reference:.3f})") if gap else {}),
            delta_color=noise_color(gap.is_real if gap else None),
        )
        col.caption(f"95%: {interval.format()}" if interval else "")


@st.fragment
def sdmetrics_section(run_key: str, context: EvaluationContext, n_rows: int) -> None:
    """sdmetrics' own QualityReport, for comparison with published numbers: a few seconds, so on request."""
    if not st.toggle(
        "Show sdmetrics' QualityReport and DiagnosticReport",
        key=f"sdmetrics_{run_key}",
        help="sdmetrics' own scores, for comparison with published numbers (a few seconds on a large table).",
    ):
        return
    try:
        sd = cached.sdmetrics_quality(run_key, context)
    except Exception as exc:  # a third-party report must not take the page down
        st.warning(f"sdmetrics' QualityReport could not run on this table: {type(exc).__name__}: {md(exc)}")
        return
    c = st.columns(5)
    c[0].metric("Overall (sdmetrics)", fmt(sd.overall))
    c[1].metric("Column Shapes (sdmetrics)", fmt(sd.column_shapes))
    c[2].metric("Column Pair Trends (sdmetrics)", fmt(sd.column_pair_trends))
    c[3].metric("Data Validity (sdmetrics)", fmt(sd.data_validity))
    c[4].metric("Data Structure (sdmetrics)", fmt(sd.data_structure))
    subsample = (
        f" sdmetrics saw a seeded sample of {sd.n_synthetic_rows:,} synthetic rows."
        if sd.n_synthetic_rows and sd.n_synthetic_rows < n_rows
        else ""
    )
    st.caption(
        f"sdmetrics {sd.version} averages pair trends only over pairs whose real association is strong: |Pearson r| > "
        f"{sd.correlation_threshold:g} for numeric pairs, Cramér's V > {sd.association_threshold:g} otherwise. "
        f"Our pair-trend score averages every pair.{subsample}"
    )
