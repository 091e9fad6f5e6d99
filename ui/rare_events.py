"""Rare events in the UI: the Sample page's feasibility preview and preset, and the two panels of the Rare events
page (augmentation, bias). Widgets and rendering only; the work is in ``synth`` behind ``ui.cached``."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

import synth
from synth.evaluation.results import number, option_words, percent, value_words, with_interval
from synth.evaluation.utility.augmentation import MIN_HOLDOUT_POSITIVES, AugmentationError, holdout_shortfall
from synth.evaluation.utility.fairness import FairnessError, Grouping, group_column_order
from synth.evaluation.utility.targets import favourable_first, is_flag
from synth.plots.rare_events import augmentation_figure, group_rates_figure
from synth.schema import ColumnKind
from synth.synthesizers.balance import rare_event_preset
from ui import cached, charts, state
from ui.text import listed, md

CLASS_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
MAX_LEVELS = 12


def _class_columns(ds: state.Dataset) -> list[str]:
    return [c.name for c in ds.schema if c.kind in CLASS_KINDS and 1 < ds.train[c.name].nunique() <= MAX_LEVELS]


def _outcome_columns(ds: state.Dataset) -> list[str]:
    """The class columns and the 0/1 whole-number columns: the bias panel's outcomes, the augmentation panel's
    classes and the Sample page's rare-events preset (a yes/no flag stored as a number is a class as it stands:
    the checks read its values as the labels "0" and "1", and a model conditions on ``flag = 1`` as on a label)."""
    classes = set(_class_columns(ds))
    return [
        c.name for c in ds.schema if c.name in classes or (c.kind is ColumnKind.DISCRETE and is_flag(ds.train[c.name]))
    ]


def _coded_hint(ds: state.Dataset, *, flags: bool = True) -> str:
    """A sentence naming the whole-number columns with 2–12 values (0/1 flags unless ``flags`` is False, codes
    such as season 1–4): they are modelled as numbers, so the panel cannot offer them until their kind is
    changed on Data (the bias panel offers the 0/1 flags as they are)."""
    coded = [
        c.name
        for c in ds.schema
        if c.kind is ColumnKind.DISCRETE
        and 1 < ds.train[c.name].nunique() <= MAX_LEVELS
        and (flags or not is_flag(ds.train[c.name]))
    ]
    if not coded:
        return ""
    one = len(coded) == 1
    # Each column's own count ("performance_rating holds 5"), not the range the rule allows ("2–12").
    counts = [str(ds.train[c].nunique()) for c in coded]
    return (
        f" {listed([md(c) for c in coded])} hold{'s' if one else ''} {listed(counts)} distinct whole numbers "
        f"({'codes or 0/1 flags' if flags else 'codes'}) "
        f"and {'is' if one else 'are'} modelled as numbers: set the kind to categorical or boolean on **Data** to "
        f"choose {'it' if one else 'them'} here."
    )


def _share(x: float) -> str:
    """A class's share of rows: a rare class reads 0.04%, not 0.0%."""
    if x == 0 or x >= 0.01:
        return f"{x:.1%}"
    return f"{x:.2%}" if x >= 0.0001 else "< 0.01%"


# ----------------------------------------------------------------------------- Sample page
def preset_toggle(ds: state.Dataset) -> dict[str, dict[Any, float]] | None:
    """The "rare events" preset: the rarest class (≤ 10% of rows) rebalanced to half the rows; None when off."""
    found = rare_event_preset(ds.train, _outcome_columns(ds))
    if found is None:
        return None
    column, value, shares = found
    real = float((ds.train[column] == value).mean())
    on = st.toggle(
        f"Rare events preset: {column} = {value_words(value)} in half the rows (real: {real:.2%})",
        key="rare_preset",
        help="Rebalances the rarest class to 50% of the synthetic rows, every other column drawn from the model's "
        "conditional distribution given it: more examples of the rare event, e.g. to train a detector.",
    )
    if not on:
        return None
    st.caption("The preset sets the mix; turn it off to choose your own rebalancing below.")
    return {column: shares}


def coverage_preview(ds: state.Dataset, wanted: dict[str, Any]) -> None:
    """How many training rows the conditions cover, and what that means for sampling."""
    if not wanted:
        return
    try:
        cov = cached.coverage(ds.key, ds.train, wanted, ds.schema)
    except (synth.SynthesizerError, ValueError) as exc:
        st.warning(f"Cannot preview these conditions: {md(exc)}")
        return
    per = ", ".join(f"{c}: {n:,}" for c, n in cov.per_column)
    text = f"**Feasibility:** {cov.message} (Each condition alone — {per}.)"
    if cov.n_matching == 0:
        st.warning(text)
    elif cov.share < synth.synthesizers.conditions.FAST_SHARE:
        st.info(text)
    else:
        st.caption(text)


# ----------------------------------------------------------------------------- augmentation panel
def augmentation_panel(ds: state.Dataset, fit: state.FittedModel) -> None:
    st.subheader("Does adding synthetic rows of a rare class help a model?")
    st.caption(
        "The same classifier is trained on the real training rows, and on them plus synthetic rows of the class "
        "(drawn from the model conditioned on it), random duplicates, or SMOTE rows; all are judged on the real "
        "holdout, which none of them saw. Intervals are 95% bootstrap intervals over the holdout rows."
    )
    columns = _outcome_columns(ds)  # a 0/1 flag (fraud, churn) is the rare class users bring most often
    hint = _coded_hint(ds, flags=False)
    if not columns:
        st.info("The table has no categorical or boolean column with 2–12 values, nor a 0/1 flag, to augment." + hint)
        return
    if hint:
        st.caption(hint.strip())
    preset = rare_event_preset(ds.train, columns, max_share=0.5)
    left, mid, right = st.columns(3)
    target = left.selectbox("Class column", columns, index=columns.index(preset[0]) if preset else 0, key="aug_target")
    levels = list(ds.train[target].dropna().value_counts().index[::-1])
    # Offer first the rarest class the check can judge (enough of it in the holdout), not a class of two rows that
    # can only end in "the holdout has 1 rows"; the most common class is no class to add.
    in_holdout = ds.holdout[target].value_counts()
    judged = [i for i, v in enumerate(levels[:-1]) if in_holdout.get(v, 0) >= MIN_HOLDOUT_POSITIVES]
    positive = mid.selectbox(
        "Class to add", levels, index=judged[0] if judged else 0, key="aug_positive", format_func=option_words
    )
    real_share = float((ds.train[target] == positive).mean())
    options = [s for s in (0.05, 0.1, 0.25, 0.5) if s > real_share]
    shares = right.multiselect(
        f"Reach a share of (real {_share(real_share)})",
        options,
        default=options[1:2] or options[:1],
        format_func=lambda s: f"{s:.0%}",
        key="aug_shares",
    )
    precision = st.slider("Read recall at precision", 0.1, 0.95, 0.5, 0.05, key="aug_precision")
    short = holdout_shortfall(int(in_holdout.get(positive, 0)), target, positive)
    if short is not None:  # said before a run, not after a click (the ledger's fraud = 1: 4 holdout rows)
        st.info(f"**The augmentation check cannot judge this class:** {md(short)}")
        return
    if not shares:
        st.info("Pick at least one share above the class's real share.")
        return
    request = (f"{ds.key}|{fit.id}", target, positive, tuple(sorted(shares)), float(precision))
    if st.button("Run the augmentation check", key="aug_button", type="primary"):
        st.session_state["augmentation_request"] = request
    if st.session_state.get("augmentation_request") != request:  # results stay while nothing changes
        return
    try:
        result = cached.augmentation(
            request[0], ds.train, ds.holdout, fit.model, ds.schema, target, positive, request[3], request[4]
        )
    except (AugmentationError, synth.SynthesizerError) as exc:
        st.error(f"**The augmentation check cannot run:** {md(exc)}")
        return
    show = {True: st.success, False: st.error, None: st.info}[result.helps]
    show(result.verdict)
    charts.plotly_chart(augmentation_figure(result), key="aug_chart")
    st.dataframe(
        pd.DataFrame(
            {
                "added from": a.source,
                "rows added": f"{a.k:,}",  # "12,862" as the chart's axis writes it (an int column printed 12862)
                "class share": f"{a.positive_share:.1%}",
                "PR-AUC": with_interval(a.pr_auc, a.pr_auc_interval),
                f"recall @ {result.precision:.0%} precision": with_interval(a.recall_at_precision, a.recall_interval),
                "F1 (0.5 threshold)": with_interval(a.f1, a.f1_interval),
                "PR-AUC gain": "—" if a.pr_auc_gain is None else number(a.pr_auc_gain, signed=True),
            }
            for a in result.arms
        ),
        hide_index=True,
        key="aug_table",
    )
    for note in result.notes:
        st.caption(note)


# ----------------------------------------------------------------------------- bias panel
MODES = {
    "none": "no balancing (just compare)",
    "equal_groups": "equal group shares",
    "equal_outcome_rates": "equal outcome rates across groups",
}


def fairness_panel(ds: state.Dataset, fit: state.FittedModel) -> None:
    st.subheader("Bias: groups and outcomes, real vs synthetic — and balanced")
    st.caption(
        "Group shares and outcome rates in the real training table and the synthetic tables; then the same "
        "classifier trained on each, judged on the real holdout: accuracy, demographic parity difference and "
        "equalized odds difference (0 is perfectly even; fairlearn's definitions)."
    )
    numeric_kinds = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE)
    flags = {c.name for c in ds.schema if c.kind is ColumnKind.DISCRETE and is_flag(ds.train[c.name])}
    candidates = [
        c.name
        for c in ds.schema
        if (c.kind in CLASS_KINDS and ds.train[c.name].nunique() <= 30) or c.kind in numeric_kinds
    ]
    # A group is a category (a 0/1 flag is two groups): one leads, a number is offered after them, in bands.
    sensitive_options = group_column_order(
        candidates,
        numeric={c.name for c in ds.schema if c.kind in numeric_kinds} - flags,
        levels={c: int(ds.train[c].nunique()) for c in candidates},
    )
    outcomes = _outcome_columns(ds)
    if not sensitive_options or not outcomes:
        st.info(
            "The table needs a group column and a categorical, boolean or 0/1 outcome column for this panel."
            + _coded_hint(ds, flags=False)
        )
        return
    if len(outcomes) == 1:  # the only outcome is no default group (California's ocean_proximity was both)
        sensitive_options = [c for c in sensitive_options if c != outcomes[0]] + [
            c for c in sensitive_options if c == outcomes[0]
        ]
    left, mid, right = st.columns(3)
    sensitive = left.selectbox("Sensitive column", sensitive_options, key="fair_sensitive")
    outcome_choices = [c for c in outcomes if c != sensitive]
    if not outcome_choices:
        st.info(
            f"{md(sensitive)} is the table's only categorical, boolean or 0/1 column that can be an outcome: pick "
            "another sensitive column, or add an outcome column to the table."
        )
        return
    # The rule that picks ML efficacy's target: a class named like an outcome (income, fraud, churn) comes first.
    default = cached.default_target(ds.key, ds.schema, tuple(outcome_choices), ds.train)
    index = outcome_choices.index(default) if default in outcome_choices else len(outcome_choices) - 1
    outcome = mid.selectbox("Outcome", outcome_choices, index=index, key="fair_outcome")
    counts = ds.train[outcome].dropna().value_counts()
    levels = favourable_first(list(counts.index[::-1]), outcome, counts=counts.to_dict())
    positive = right.selectbox("Favourable outcome", levels, key="fair_positive", format_func=option_words)
    numeric = ds.schema[sensitive].kind not in CLASS_KINDS and sensitive not in flags
    if numeric:  # said before the run: the groups are bands of the number, not its values
        bands = Grouping.fit(ds.train[sensitive], ds.schema[sensitive].kind).labels
        st.caption(
            f"{md(sensitive)} is a number: its groups are its bands at the real quartiles ({md(', '.join(bands))}). "
            "A category (or a banded copy of the column made before upload) can also be balanced."
        )
    mode_options = ["none"] if numeric else list(MODES)
    mode = st.radio(
        "Balance groups", mode_options, format_func=MODES.__getitem__, horizontal=True, key="fair_mode",
        help="Sample a second synthetic table with the chosen mix and compare it side by side."
        + (" Numeric columns are compared in quartile bands and cannot be balanced." if numeric else ""),
    )  # fmt: skip
    request = (f"{ds.key}|{fit.id}", sensitive, outcome, positive, mode)
    if st.button("Compare fairness", key="fair_button", type="primary"):
        st.session_state["fairness_request"] = request
    if st.session_state.get("fairness_request") != request:  # results stay while nothing changes
        return
    try:
        result, balanced = cached.fairness(
            request[0], ds.train, ds.holdout, fit.model, ds.schema, sensitive, outcome, positive, mode
        )
    except (FairnessError, synth.SynthesizerError) as exc:
        st.error(f"**The fairness comparison cannot run:** {md(exc)}")
        return
    for warning in result.warnings:
        st.warning(md(warning))
    for name, words in result.improvements:
        # A balanced table that narrows a gap did what it was asked (green); the plain sample narrowing a real gap
        # understates it, a fact to weigh (blue).
        (st.info if name == "synthetic" else st.success)(md(words))
    if result.summary:
        # Green only when the models could have shown a gap too: on outcome rates alone it is a note.
        (st.success if not result.notes else st.info)(md(result.summary))
    charts.plotly_chart(group_rates_figure(result), key="fair_chart")
    gaps = ", ".join(
        f"{name} {percent(gap)} ({percent(iv.low)}–{percent(iv.high)})" for name, gap, iv in result.outcome_gaps
    )
    st.markdown(f"**Outcome gap** (highest − lowest group rate): {gaps}")
    st.dataframe(
        pd.DataFrame(
            {
                "trained on": m.trained_on,
                "accuracy": with_interval(m.accuracy, m.accuracy_interval),
                "demographic parity diff.": with_interval(m.demographic_parity_difference, m.dpd_interval),
                "equalized odds diff.": with_interval(m.equalized_odds_difference, m.eod_interval),
                "predicted favourable": f"{m.predicted_share:.1%}",
            }
            for m in result.models
        ),
        hide_index=True,
        width="stretch",
        key="fair_models",
    )
    for note in result.notes:  # a model that predicts one outcome for all: its differences of 0 mean nothing
        st.info(md(note))
    with st.expander("Group shares and outcome rates"):
        table = result.table()
        st.dataframe(
            table.assign(
                share=table["share"].map("{:.1%}".format), outcome_rate=table["outcome_rate"].map("{:.1%}".format)
            )[["table", "group", "n", "share", "outcome_rate"]],
            hide_index=True,
            key="fair_groups",
        )
    if balanced is not None and st.button("Use the balanced table as the synthetic table", key="fair_keep"):
        state.set_synthetic(
            state.SyntheticTable(
                model_label=fit.label,
                model_id=fit.id,
                n_rows=len(balanced),
                seed=2,
                df=balanced,
                sample_seconds=0.0,
                dataset_key=ds.key,
                note=f"balanced: {MODES[mode]} of {sensitive} × {outcome}",
            )
        )
        st.success("The balanced table is now the synthetic table: Compare and Privacy judge it next.")
