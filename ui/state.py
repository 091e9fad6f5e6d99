"""Session state: what it holds, initialised in one place, and the rules that keep it consistent.

Session state holds domain objects only. Changing an upstream object discards what was derived from it
(a new table discards the fitted model and the synthetic table), and nothing else ever does: a failed
upload or a failed fit leaves every object as it was.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import streamlit as st

import synth
from synth.audit.coarser_codes import CoarserCode, apply_offer
from synth.evaluation.context import EvaluationContext
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.reference import RealReference
from synth.schema.entities import suggested_entity
from synth.schema.number_kinds import with_people_ranges
from ui import cached
from ui.background import inline as background_inline
from ui.privacy_job import PrivacyJob

DEFAULT_HOLDOUT = 0.2
DEFAULT_SPLIT_SEED = 0
DEMO_ID = "demo"  # the bundled demo table: the same rows in every session


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded table, its (possibly user-edited) schema, and its train/holdout split."""

    name: str
    df: pd.DataFrame
    schema: synth.Schema
    train: pd.DataFrame
    holdout: pd.DataFrame
    holdout_share: float = DEFAULT_HOLDOUT
    split_seed: int = DEFAULT_SPLIT_SEED
    id: str = field(default_factory=_new_id)
    split_by: str | None = None  # the column naming whose row each row is: its values go whole to one side

    @property
    def key(self) -> str:
        """Identifies the table, schema and split: cached results are keyed by it."""
        return f"{self.id}:{self.holdout_share}:{self.split_seed}:{self.split_by}:{hash(self.schema)}"


@dataclass(frozen=True, eq=False)
class FittedModel:
    name: str
    label: str
    params: dict[str, Any]
    model: synth.Synthesizer
    fit_seconds: float
    dataset_key: str
    id: str = field(default_factory=_new_id)


@dataclass(frozen=True, eq=False)
class SyntheticTable:
    model_label: str
    model_id: str
    n_rows: int
    seed: int
    df: pd.DataFrame
    sample_seconds: float
    dataset_key: str
    note: str = ""
    id: str = field(default_factory=_new_id)


DEFAULTS: dict[str, Any] = {
    "dataset": None,
    "fitted": None,
    "fitted_models": (),
    "synthetic": None,
    "synthetic_runs": (),
    "data_error": None,
    "data_offer": None,
    "last_upload_id": None,
    "last_schema_id": None,
    "last_model_id": None,
    "cut_note": None,  # (column, characters kept, a model was discarded) after the Data page cut a code column
    # run key → EvaluationContext: the tables of one comparison prepared once and shared by every metric.
    # Kept per session (never in a cache shared between users) and bounded like the runs themselves.
    "evaluation_contexts": {},
    # Dataset key → RealReference: what the runs' contexts compute from the real tables alone (coerced tables,
    # encoder, the holdout-vs-train references), computed once for every run sampled on the same split.
    "real_references": {},
    "written_file": None,  # synth.sampling.WriteResult of the last large table written on the server
    # Rare events page: the parameters of the last augmentation / fairness run asked for (results are cached).
    "augmentation_request": None,
    "fairness_request": None,
    # Race and report (pages/race.py, pages/report.py, pages/demo.py)
    "race": None,  # RaceRecord: the finished race on the current table and split
    "race_job": None,  # ui.race_job.RaceJob while a race runs in the background
    "external_runs": (),  # ExternalRecord per uploaded synthetic table from another tool
    "external_error": None,
    "last_external_id": None,
    "reproduction": None,  # synth.report.manifest.Reproduction of an uploaded manifest
    # What the Race page's DP declarations hold (column → typed public domain; (lower, higher) orders), kept out
    # of the widgets' own keys: Streamlit drops a widget's state in a run that does not draw it, so taking the DP
    # network out of the race and back lost what was typed. A new table starts them empty.
    "race_domains_typed": {},
    "race_orders_chosen": (),
    # Synthesize page: synthesizer name → (dataset key, declared orders) the training rows break that Fit was pressed
    # with once already: the first press names the breach and fits nothing, a second with the same orders fits.
    "orders_confirmed": {},
    "last_manifest_id": None,
}


def default(key: str) -> Any:
    """A fresh copy of the default of ``key``: a mutable default (the contexts' dict) must never be shared by
    sessions, or one session's tables would sit in (and be pruned by) another's store."""
    return copy.copy(DEFAULTS[key])


def init_state() -> None:
    """Create every session key once, and load the demo table so each page can be tried at once."""
    for key in DEFAULTS:
        if key not in st.session_state:
            st.session_state[key] = default(key)
    if st.session_state["dataset"] is None:
        name, df = cached.demo_table()
        set_table(name, df, table_id=DEMO_ID)


def dataset() -> Dataset | None:
    return st.session_state.get("dataset")


def fitted() -> FittedModel | None:
    return st.session_state.get("fitted")


def synthetic() -> SyntheticTable | None:
    return st.session_state.get("synthetic")


def set_table(name: str, df: pd.DataFrame, *, table_id: str | None = None) -> Dataset:
    """Adopt a new table: infer its schema, split it with the default settings, drop derived objects.

    ``table_id``: a fixed id for a table every session loads the same (the demo), so that what is cached for it
    (the pre-flight audit) is computed once per server, not once per visitor; an upload gets a fresh id."""
    ds = new_dataset(name, df, table_id=table_id)
    st.session_state["dataset"] = ds
    _discard_derived()
    st.session_state["race_domains_typed"] = default("race_domains_typed")  # another table's codebook
    st.session_state["race_orders_chosen"] = default("race_orders_chosen")
    return ds


def warm_demo() -> None:
    """Compute, into the server's caches, what the first visit's Data page reads of the demo table (its schema,
    split, column counts and audit), so the first visitor after a start does not wait for them (``ui.serve`` calls
    it once the server runs; every later visitor finds them cached anyway). Touches no session."""
    ds = new_dataset(*cached.demo_table(), table_id=DEMO_ID)
    cached.column_stats(ds.id, ds.df)
    cached.audit(ds.key, ds.df, ds.schema, ds.train)


def new_dataset(name: str, df: pd.DataFrame, *, table_id: str | None = None) -> Dataset:
    """A table's :class:`Dataset` with the default split: its schema inferred, rows that repeat a person split by
    person (the holdout is people never seen). Cached steps only; nothing is stored in the session."""
    schema = cached.infer_schema(df)
    # Rows that repeat a person (a patient's visits) are split by person: the holdout is people never seen.
    person = suggested_entity(cached.entity_candidates(df, schema))
    by = person.column if person else None
    if by is not None:  # the ranges the reasons state, read over people (found after the kinds)
        schema = with_people_ranges(df, schema, by)
    train, holdout = cached.split(df, DEFAULT_HOLDOUT, DEFAULT_SPLIT_SEED, by)
    return Dataset(name=name, df=df, schema=schema, train=train, holdout=holdout, id=table_id or _new_id(), split_by=by)


def cut_to_prefix(offer: CoarserCode) -> Dataset:
    """Adopt the table with a code column cut to its prefix (the Data page's coarser-code offer): a new table (its
    own id, a name that says what changed), the same split settings and kinds, derived objects dropped."""
    ds = dataset()
    assert ds is not None
    df, schema = apply_offer(ds.df, ds.schema, offer)
    train, holdout = cached.split(df, ds.holdout_share, ds.split_seed, ds.split_by)
    name = f"{ds.name} ({offer.column}: first {offer.length} characters)"
    new = Dataset(name, df, schema, train, holdout, ds.holdout_share, ds.split_seed, _new_id(), ds.split_by)
    st.session_state["dataset"] = new
    _discard_derived()
    return new


def set_split(holdout_share: float, seed: int, by: str | None = None) -> Dataset:
    """Split the table anew (``by``: the column whose values go whole to one side; None: by row)."""
    ds = dataset()
    assert ds is not None
    if (holdout_share, seed, by) == (ds.holdout_share, ds.split_seed, ds.split_by):
        return ds
    train, holdout = cached.split(ds.df, holdout_share, seed, by)
    # Another person (or none): the ranges the reasons state are read over them.
    schema = ds.schema if by == ds.split_by else with_people_ranges(ds.df, ds.schema, by)
    new = replace(
        ds, schema=schema, train=train, holdout=holdout, holdout_share=holdout_share, split_seed=seed, split_by=by
    )
    st.session_state["dataset"] = new
    _discard_derived()
    return new


def set_schema(schema: synth.Schema) -> Dataset:
    ds = dataset()
    assert ds is not None
    if schema == ds.schema:
        return ds
    new = replace(ds, schema=schema)
    st.session_state["dataset"] = new
    _discard_derived()
    return new


def synthetic_runs() -> tuple[SyntheticTable, ...]:
    """Every synthetic table sampled on the current table and split, oldest first (the newest is ``synthetic()``).

    Several runs (one per synthesizer or setting) can be compared side by side.
    """
    return st.session_state.get("synthetic_runs", ())


MAX_RUNS = 6


def fitted_models() -> tuple[FittedModel, ...]:
    """Every model fitted on the current table and split, one per synthesizer (the latest fit of each)."""
    return st.session_state.get("fitted_models", ())


def set_fitted(model: FittedModel) -> None:
    """A newly fitted model becomes current; synthetic tables sampled from earlier models stay comparable."""
    st.session_state["fitted"] = model
    others = tuple(m for m in fitted_models() if m.name != model.name)
    st.session_state["fitted_models"] = (*others, model)
    st.session_state["synthetic"] = None


def select_fitted(model_id: str) -> FittedModel:
    """Make one of the fitted models current (the Sample page samples from it)."""
    for model in fitted_models():
        if model.id == model_id:
            st.session_state["fitted"] = model
            return model
    raise KeyError(model_id)


def set_synthetic(table: SyntheticTable) -> None:
    st.session_state["synthetic"] = table
    runs = (*synthetic_runs(), table)
    st.session_state["synthetic_runs"] = runs[-MAX_RUNS:]


@dataclass(frozen=True, eq=False)
class RaceRecord:
    """A finished race, on the table, schema and split it ran on."""

    result: Any  # synth.RaceResult
    dataset_key: str
    id: str = field(default_factory=_new_id)


@dataclass(frozen=True, eq=False)
class ExternalRecord:
    """A synthetic table from another tool, checked and scored against the current table and split."""

    name: str
    result: Any  # synth.report.ExternalResult
    dataset_key: str
    id: str = field(default_factory=_new_id)


def race_record() -> RaceRecord | None:
    rec = st.session_state.get("race")
    ds = dataset()
    return rec if rec is not None and ds is not None and rec.dataset_key == ds.key else None


def set_race(result: Any) -> RaceRecord:
    ds = dataset()
    assert ds is not None
    rec = RaceRecord(result=result, dataset_key=ds.key)
    st.session_state["race"] = rec
    return rec


def external_runs() -> tuple[ExternalRecord, ...]:
    ds = dataset()
    return tuple(r for r in st.session_state.get("external_runs", ()) if ds is not None and r.dataset_key == ds.key)


def add_external(name: str, result: Any) -> ExternalRecord:
    ds = dataset()
    assert ds is not None
    rec = ExternalRecord(name=name, result=result, dataset_key=ds.key)
    others = tuple(r for r in external_runs() if r.name != name)
    st.session_state["external_runs"] = (*others, rec)[-MAX_RUNS:]
    return rec


def current_race() -> Any:
    """The race with every external table's row added (a RaceResult), or None when there is neither."""
    from synth.report.evaluation import EvaluationSettings
    from synth.report.race import finish

    rec, externals = race_record(), external_runs()
    if rec is None and not externals:
        return None
    runs = [*(rec.result.runs if rec else ()), *(e.result.run for e in externals)]
    return finish(runs, rec.result.settings if rec else EvaluationSettings())


def current_race_key() -> str:
    """Identifies :func:`current_race` for cached reports."""
    rec = race_record()
    return "|".join([rec.id if rec else "", *(e.id for e in external_runs())])


def _discard_derived() -> None:
    st.session_state["race"] = None
    st.session_state["external_runs"] = ()
    st.session_state["reproduction"] = None
    st.session_state["fitted"] = None
    st.session_state["fitted_models"] = ()
    st.session_state["synthetic"] = None
    st.session_state["synthetic_runs"] = ()


def evaluation_context(ds: Dataset, run: SyntheticTable) -> EvaluationContext:
    """The evaluation context of one synthetic run against the current split, built once per session and run."""
    store: dict[str, EvaluationContext] = st.session_state.setdefault("evaluation_contexts", {})
    key = f"{ds.key}|{run.id}"
    ctx = store.get(key)
    if ctx is None:
        # The person the split kept whole is the one the classifier folds keep together (else the finder's).
        ctx = EvaluationContext(
            ds.train, run.df, ds.holdout, ds.schema, reference=real_reference(ds), person_column=ds.split_by
        )
        live = {f"{ds.key}|{r.id}" for r in synthetic_runs()}
        for old in [k for k in store if k not in live]:
            store.pop(old).close()  # its background checks stop and let go of the run's tables
        store[key] = ctx
    return ctx


def real_reference(ds: Dataset) -> RealReference:
    """The real-only results of the current table and split, shared by the evaluation contexts of all its runs
    (a new sample's Compare does not redo them). One per session, for the current split only."""
    store: dict[str, RealReference] = st.session_state.setdefault("real_references", {})
    ref = store.get(ds.key)
    if ref is None or not ref.covers(ds.train, ds.holdout, ds.schema):
        store.clear()  # another table or split: the old results go
        ref = store[ds.key] = RealReference(ds.train, ds.holdout, ds.schema)
    return ref


def close_evaluation_contexts() -> None:
    """Stop every background check of this session and drop what its runs prepared (``Forget my data``)."""
    for ctx in st.session_state.get("evaluation_contexts", {}).values():
        ctx.close()


def written_file() -> Any:
    """Where the last large table went (a ``synth.sampling.WriteResult``), or None."""
    return st.session_state.get("written_file")


def set_written_file(result: Any) -> None:
    st.session_state["written_file"] = result


SynthesizerSpec = tuple[str, tuple[tuple[str, Any], ...]]
PRIVACY_HEAD_START_MAX_PAIRS = 500_000_000
"""Synthetic × holdout rows up to which Privacy's first checks start ahead of the page (the demo's 26k × 6.5k is
1.7e8, about 2 s of one core for the closeness search; the search grows with this product)."""


def model_of(run: SyntheticTable) -> FittedModel | None:
    """The fitted model ``run`` was sampled from, None once it is gone (refitted, or the table changed)."""
    return next((m for m in (*fitted_models(), fitted()) if m is not None and m.id == run.model_id), None)


def privacy_spec(run: SyntheticTable) -> SynthesizerSpec | None:
    """The synthesizer behind ``run`` (name and parameters) as the privacy checks key it, None once it is gone."""
    model = model_of(run)
    return None if model is None else (model.model.name, tuple(sorted(model.model.get_params().items())))


def _inputs_on(ctx: EvaluationContext, synthesizer: SynthesizerSpec | None, person: str | None) -> PrivacyInputs:
    """The run's privacy inputs, kept on its context (shared by the page and the head start). ``person`` is the
    column the table was split by (membership is then also scored over people, the WP216 attacks count people); None:
    each row is its own person (the Data page's "no")."""
    spec = None if synthesizer is None else (synthesizer[0], dict(synthesizer[1]))
    return ctx.extension(
        f"privacy_inputs:{synthesizer!r}:{person!r}",
        lambda c: PrivacyInputs(c.train, _holdout_of(c), c.synthetic, c.schema, synthesizer=spec, person_column=person),
    )


def _job_on(ctx: EvaluationContext, synthesizer: SynthesizerSpec | None) -> PrivacyJob:
    """The run's privacy job, kept on its context (shared by the page and the head start)."""
    return ctx.extension(f"privacy_job:{synthesizer!r}", lambda c: PrivacyJob())


def privacy_inputs(ds: Dataset, run: SyntheticTable, synthesizer: SynthesizerSpec | None = None) -> PrivacyInputs:
    """The privacy checks' prepared tables (encoders, neighbour searches) for one run, built once per session.

    They hang on the run's :class:`EvaluationContext`, so they live in this session only (never in a cache shared
    between users), go when the run goes or the user forgets their data, and are shared by every privacy section.
    """
    with st.spinner("Preparing the tables for the privacy checks…"):
        return _inputs_on(evaluation_context(ds, run), synthesizer, ds.split_by)


def privacy_job(ds: Dataset, run: SyntheticTable, synthesizer: SynthesizerSpec | None = None) -> PrivacyJob:
    """The background checks of the Privacy page for one run (:mod:`ui.privacy_job`), one per session and run.

    Kept on the run's evaluation context beside its :func:`privacy_inputs`: finished results survive page
    switches and go when the run goes.
    """
    return _job_on(evaluation_context(ds, run), synthesizer)


def prefetch_privacy(ds: Dataset, run: SyntheticTable, first: Callable[[PrivacyJob, PrivacyInputs], None]) -> None:
    """Prepare the Privacy page's inputs of ``run`` in a background thread, then hand its first checks
    (``first(job, inputs)``: they queue on the run's :func:`privacy_job`) to the session's worker.

    Called by the pages before Privacy in the walk (Sample once a table is sampled, Compare once drawn): the user
    reads them while the closeness to train and holdout is measured, and Privacy opens with its first cards. It runs on
    the run's evaluation context, which lives in this session only and goes with the run; nothing starts twice,
    and with the checks run inline (the AppTest suite) nothing starts here at all. Neither does it for tables whose
    closeness search would keep a core busy for long (:data:`PRIVACY_HEAD_START_MAX_PAIRS`): a user who never opens
    Privacy should not pay for it; the page then starts its checks itself.
    """
    if background_inline() or run.n_rows * len(ds.holdout) > PRIVACY_HEAD_START_MAX_PAIRS:
        return
    synthesizer = privacy_spec(run)

    def head_start(c: EvaluationContext) -> bool:
        inputs = _inputs_on(c, synthesizer, ds.split_by)  # first: tables that cannot be prepared start no job
        first(_job_on(c, synthesizer), inputs)
        return True

    evaluation_context(ds, run).prefetch(f"privacy_head_start:{synthesizer!r}", head_start)


def _holdout_of(context: Any) -> pd.DataFrame:
    """The context's holdout: the privacy checks compare against it, and every dataset here has one."""
    holdout = context.holdout
    if holdout is None:
        raise ValueError("the privacy checks need a holdout: split the table on the Data page")
    return holdout
