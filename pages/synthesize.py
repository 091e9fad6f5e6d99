"""Synthesize: pick one or more synthesizers, set their parameters, fit them on the training table."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

import synth
from synth.report.card import params_text
from synth.schema import KIND_LABELS
from synth.synthesizers import get
from synth.synthesizers.calendar_pairs import describe_calendar
from synth.synthesizers.category_ranges import describe_ranges
from synth.synthesizers.column_order import describe_orders
from synth.synthesizers.declared_orders import order_breaches
from synth.synthesizers.derived import describe_rules
from synth.synthesizers.dp.declared_text import parse_public_domains
from synth.synthesizers.missing_together import describe_groups
from synth.synthesizers.people import describe_people
from synth.synthesizers.rare_categories import warned_shares
from synth.synthesizers.zero_pairs import describe_zeros
from ui import cached, guards, model_files, state
from ui.params import declared_orders_widget, param_widget, public_domains_widget
from ui.progress import StreamlitProgress
from ui.text import md

st.title("Synthesize")
ds = guards.need_dataset()
kinds = Counter(KIND_LABELS[c.kind] for c in ds.schema)
st.caption(
    f"Fits on the **{len(ds.train):,} training rows** of {ds.name}. "
    f"The {len(ds.holdout):,} holdout rows are never shown to a synthesizer. "
    f"Column kinds (set on **Data**): {', '.join(f'{n} {k}' for k, n in kinds.most_common())}."
)

names = synth.available()
# Offered where a parameter may name a column (the copula's mixture column, the DP network's key column).
category_columns = [c.name for c in ds.schema if c.kind in (synth.ColumnKind.CATEGORICAL, synth.ColumnKind.BOOLEAN)]
# The default keeps rows almost as far from the training rows as fresh rows are (DCR share 0.51 by mostlyai-qa) at
# the highest accuracy we measured there (docs/benchmarks/fidelity.md, "Independent draws").
default = ["pruned_cart"] if "pruned_cart" in names else names[:1]
chosen = st.multiselect(
    "Synthesizers to fit",
    names,
    default=default,
    format_func=lambda n: get(n).label,
    key="synthesizer_choice",
    help="Fit several to compare them: each fitted model can be sampled, and every sample can be compared.",
)

if not chosen:
    st.info("Choose at least one synthesizer above.")
else:
    with st.form("fit_form", border=True):
        settings: dict[str, dict[str, object]] = {}
        public_texts: dict[str, dict[str, str]] = {}  # declared public domains as typed, parsed when the fit starts
        declared: dict[str, tuple[tuple[str, str], ...]] = {}  # declared orders, checked against the rows at Fit
        for tab, name in zip(st.tabs([get(n).label for n in chosen]), chosen, strict=True):
            cls = get(name)
            with tab:
                st.markdown(cls.description)
                guarantee = getattr(cls, "guarantee", None)
                if guarantee:
                    st.info(f"**Privacy guarantee:** {guarantee}")
                main, advanced = cls.split_params()
                settings[name] = {
                    p.name: param_widget(p, key=f"param_{name}_{p.name}", columns=category_columns) for p in main
                }
                if advanced:  # the defaults were chosen by measurement (docs/benchmarks/): folded, not hidden
                    with st.expander(f"Advanced settings ({len(advanced)})"):
                        for p in advanced:
                            settings[name][p.name] = param_widget(
                                p, key=f"param_{name}_{p.name}", columns=category_columns
                            )
                if getattr(cls, "declares_orders", False):  # a model that keeps only orders the user declares
                    declared[name] = tuple(declared_orders_widget(ds.schema, key=f"orders_{name}", train=ds.train))
                    settings[name]["declared_orders"] = list(declared[name])
                    public_texts[name] = public_domains_widget(ds.schema, key=f"public_{name}")
        seed = int(st.number_input("Random seed", min_value=0, max_value=2**31 - 1, value=0, step=1, key="fit_seed"))
        fit_label = "Fit" if len(chosen) == 1 else f"Fit all {len(chosen)}"
        submitted = st.form_submit_button(fit_label, type="primary", key="fit_button")
    # Pressing this while a fit runs makes Streamlit stop the run; the fit unwinds and nothing is replaced. It is
    # drawn before the fit starts (a button drawn after it could not be pressed until the fit ended) and enabled
    # only in the run that fits: an enabled "Cancel fitting" with nothing fitting read as if a fit were running.
    # The press is read before drawing: the rerun it starts is not a fitting run, and a disabled button would
    # return False there.
    pressed = bool(st.session_state.get("cancel_fit"))
    cancel_slot = st.empty()
    cancelled = cancel_slot.button(
        "Cancel fitting",
        key="cancel_fit",
        disabled=not (submitted or pressed),
        help="Stops a running fit; earlier models are kept.",
    )
    if cancelled:
        st.warning("Fitting was cancelled. Models fitted before are kept.")
        cancel_slot.button("Cancel fitting", key="cancel_fit_idle", disabled=True)

    if submitted:
        for name in chosen:
            cls = get(name)
            chosen_orders = declared.get(name, ())
            # The breach is drawn under the widget, but the widget sits in a form: it is read only when Fit is
            # pressed, so the first press with a broken order stops here instead of fitting it.
            breaches = order_breaches(ds.train, chosen_orders, ds.schema) if chosen_orders else []
            confirmed = st.session_state["orders_confirmed"]
            if breaches and confirmed.get(name) != (ds.key, chosen_orders):
                st.session_state["orders_confirmed"] = {**confirmed, name: (ds.key, chosen_orders)}
                st.warning(
                    f"**{cls.label} was not fitted:** the training rows break an order declared on its tab. "
                    + " ".join(md(b) for b in breaches)
                    + f" Change the order there, or press “{fit_label}” again to fit with the orders as declared."
                )
                continue
            progress = StreamlitProgress(f"Fitting {cls.label}")
            try:
                if public_texts.get(name):
                    dtypes = {str(c): t for c, t in ds.train.dtypes.items()}
                    settings[name]["public_domains"] = parse_public_domains(public_texts[name], ds.schema, dtypes)
                model = synth.create(name, random_state=seed, **settings[name])
                # The Data page's person: the model holds the people the split and the privacy checks take.
                model.fit(ds.train, ds.schema, progress=progress, person_column=ds.split_by)
            except (synth.SynthesizerError, ValueError) as exc:
                st.error(f"**{cls.label} could not be fitted:** {md(exc)}. Models fitted before are kept.")
                continue
            progress.done(f"Fitted {cls.label}")
            state.set_fitted(
                state.FittedModel(
                    name=name,
                    label=cls.label,
                    params={"random_state": seed, **settings[name]},
                    model=model,
                    fit_seconds=progress.elapsed,
                    dataset_key=ds.key,
                )
            )
        # The fits are over: the button goes back to disabled without a rerun (which would drop their messages).
        cancel_slot.button("Cancel fitting", key="cancel_fit_idle", disabled=True)

with st.expander("Load a saved model"):
    model_file = st.file_uploader("Model file (.synth)", type=["synth", "zip"], key="model_upload")
if model_file is not None and model_file.file_id != st.session_state.get("last_model_id"):
    st.session_state["last_model_id"] = model_file.file_id
    try:
        loaded = model_files.from_bytes(model_file.getvalue())
    except (synth.ModelFileError, synth.SynthesizerError, ValueError) as exc:
        st.error(f"**{md(model_file.name)} could not be loaded:** {md(exc)}. Models fitted before are kept.")
    else:
        if loaded.schema_.names != ds.schema.names:
            st.error(
                f"**{model_file.name} was fitted on another table** (columns {', '.join(loaded.schema_.names[:6])}…). "
                "Load the table it was fitted on first, or fit a new model here."
            )
        else:
            state.set_fitted(
                state.FittedModel(
                    name=loaded.name,
                    label=f"{loaded.label} (loaded)",
                    params=loaded.get_params(),
                    model=loaded,
                    fit_seconds=0.0,
                    dataset_key=ds.key,
                )
            )
            st.toast(f"Loaded {md(model_file.name)}")

models = state.fitted_models()
if models:
    current = state.fitted()
    st.subheader("Fitted models")
    st.dataframe(
        pd.DataFrame(
            {
                "model": [m.label for m in models],
                "fit time (s)": [round(m.fit_seconds, 2) for m in models],
                # Only what differs from the defaults: every setting printed ran past the page's edge.
                "settings": [
                    f"seed {m.params.get('random_state')}; {params_text(get(m.name).changed_params(m.params))}"
                    for m in models
                ],
                "current": [m is current for m in models],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if current is not None:
        st.success(f"**{current.label}** fitted in {current.fit_seconds:.2f} s on {len(ds.train):,} rows.")
        for warning in current.model.fit_warnings():
            st.warning(md(warning), icon=":material/warning:")
        bucketed = {column for column, _ in warned_shares(getattr(current.model, "bucketed_", ()))}
        offers = [o for o in cached.audit(ds.key, ds.df, ds.schema, ds.train).coarser_codes if o.column in bucketed]
        if offers:  # the fix the warning asks for is one click on Data
            st.page_link(
                "pages/data.py",
                label="Cut " + ", ".join(f"{o.column} to its first {o.length} characters" for o in offers) + " on Data",
                icon=":material/content_cut:",
            )
        pooled_of = getattr(current.model, "pooled_note", None)  # peers pool nothing of ours
        pooled = pooled_of() if callable(pooled_of) else None
        if pooled:  # before Compare shows "(other)": where it comes from and why
            st.caption(f":material/join: **Rare categories pooled:** {md(pooled)}")
        rules = describe_rules(current.model)
        if rules:  # columns computed from others (exact rules): every synthetic row satisfies them
            st.caption(f":material/function: **Exact rules:** {md(rules)}")
        people = describe_people(current.model)
        if people:  # one synthetic person, one set of person-level values (synth.synthesizers.people)
            st.caption(f":material/person: **One person per id:** {md(people)}")
        orders = describe_orders(current.model)
        if orders:  # a later date or number drawn so it never passes an earlier one (synth.synthesizers.column_order)
            st.caption(f":material/swap_vert: **Orders kept:** {md(orders)}")
        ranges = describe_ranges(current.model)
        if ranges:  # a number kept inside its category's range (synth.synthesizers.category_ranges)
            st.caption(f":material/straighten: **Ranges kept:** {md(ranges)}")
        together = describe_groups(current.model)
        if together:  # columns missing on the same rows stay so (synth.synthesizers.missing_together)
            st.caption(f":material/join: **Missing together:** {md(together)}")
        never = describe_zeros(current.model)
        if never:  # pairs of common values no training row holds stay impossible (synth.synthesizers.zero_pairs)
            st.caption(f":material/block: **Never together:** {md(never)}")
        calendar = describe_calendar(current.model)
        if calendar:  # a day never past its month's length (synth.synthesizers.calendar_pairs)
            st.caption(f":material/calendar_month: **Calendar:** {md(calendar)}")
        statement = getattr(current.model, "privacy_statement", None)
        if callable(statement):  # a DP model says what its budget was spent on and what it treated as public
            st.caption(f"**What ε covers in this model:** {md(statement())}")
        cannot_save = getattr(current.model, "cannot_save", None)
        if cannot_save:  # a peer library's model (pickle, torch files) never becomes a synth model file
            st.info(f"**{current.label} cannot be saved:** {md(cannot_save)}")
            heading = f"**What the fitted {current.label} model holds from the training data (in memory only)**"
        else:
            st.download_button(
                f"Download the fitted {current.label} model",
                data=cached.model_bytes(current.id, current.model),
                file_name=f"{current.name}.synth",
                mime="application/zip",
                help="A zip of JSON and numpy arrays (no pickle). It holds what the model learned from the training "
                "data: keep it as safe as the data.",
            )
            heading = f"**What the {current.label} model file holds from the training data**"
        st.markdown(heading)
        st.markdown(
            "\n".join(
                f"- **{item.name}** ({item.derivation}): {item.content}. {item.protection}"
                for item in current.model.artifact_inventory()
            )
        )
        absent = getattr(current.model, "absent_artifacts", None)
        if callable(absent) and absent():  # what a file of this kind may hold, but this table gave nothing for
            st.caption(f"Nothing of these kinds in this file (the table has none): {md(', '.join(absent()))}.")
    st.page_link("pages/sample.py", label="Next: sample a synthetic table", icon=":material/casino:")
