"""Cached wrappers around pure synth functions: reading and checking a table, the Compare page's scores (built in
the background on the run's context), ML utility, the record inspector and downloads. The rare-events panels'
wrappers are in :mod:`ui.cached_rare_events`, the Race and Report pages' in :mod:`ui.cached_race`; all are
importable from here, and :func:`clear_user_data` clears every one of them.

``st.cache_data`` for results, never ``st.cache_resource`` (a fitted model or users' tables must not be shared
between sessions): prepared tables live on the session's evaluation context (:mod:`ui.state`).
Large tables are passed as
underscore arguments (not hashed) together with a ``key`` that identifies them, so a rerun does not hash a
million rows to find a cached result.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

import synth
from synth.audit import AuditReport
from synth.evaluation.context import EvaluationContext
from synth.evaluation.fidelity import peer_sdmetrics
from synth.evaluation.fidelity.accuracy import AccuracyResult, evaluate_accuracy
from synth.evaluation.fidelity.detection import DetectionResult, evaluate_detection
from synth.evaluation.fidelity.discriminator import DiscriminatorResult, evaluate_discriminator
from synth.evaluation.fidelity.distributions import ColumnDistribution, column_distributions
from synth.evaluation.fidelity.exact_rules import RuleBreaks, evaluate_exact_rules
from synth.evaluation.fidelity.missing_groups import GroupBreaks, evaluate_missing_groups
from synth.evaluation.fidelity.orders import OrderBreaks
from synth.evaluation.fidelity.pair_views import PairView, pair_view
from synth.evaluation.fidelity.person_values import PersonValues, evaluate_person_values
from synth.evaluation.fidelity.ranges import RangeBreaks, evaluate_ranges
from synth.evaluation.fidelity.results import SdmetricsScores
from synth.evaluation.fidelity.scores import FidelityResult
from synth.evaluation.fidelity.segments import Condition, SegmentResult, evaluate_segment
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.inspector import RecordInspection
from synth.evaluation.privacy.inspector import inspect_record as synth_inspect_record
from synth.evaluation.utility import targets
from synth.evaluation.utility.glm import GlmComparison, compare_glm
from synth.evaluation.utility.tstr import UtilityResult, evaluate_utility
from synth.schema.entities import Entity
from synth.schema.entities import entity_candidates as _entity_candidates
from ui import cached_race, cached_rare_events
from ui.background import inline
from ui.cache_policy import CACHE_TTL, USER_DATA_TTL
from ui.cache_policy import max_upload_bytes as max_upload_bytes  # re-exported
from ui.cached_race import RACE_SETTINGS as RACE_SETTINGS  # re-exported
from ui.cached_race import evaluate_external as evaluate_external  # re-exported
from ui.cached_race import evaluate_run as evaluate_run  # re-exported
from ui.cached_race import read_external as read_external  # re-exported
from ui.cached_race import report as report  # re-exported
from ui.cached_rare_events import augmentation as augmentation  # re-exported
from ui.cached_rare_events import coverage as coverage  # re-exported
from ui.cached_rare_events import fairness as fairness  # re-exported
from ui.compare import prepare

ASSETS = Path(__file__).resolve().parent.parent / "assets"
if TYPE_CHECKING:
    from ui.intake import ReadOptions

# Bootstrap replicates for the page's quality intervals: half the library default (200) and half its cost, so the
# first render stays fast; the headline accuracy has its own jackknife intervals.
PAGE_BOOTSTRAP = 100
# ... each on a seeded subsample of this many rows per table, the spread rescaled to the full sizes (the
# library's bootstrap_rows; point scores use every row). A third less work on the demo table; the page says so.
PAGE_BOOTSTRAP_ROWS = 10_000
DEMO_FILE = ASSETS / "adult.csv.gz"
DEMO_NAME = "UCI Adult (demo)"


@st.cache_data(show_spinner="Loading the demo table…")
def demo_table() -> tuple[str, pd.DataFrame]:
    return DEMO_NAME, synth.read_table(gzip.decompress(DEMO_FILE.read_bytes()), name="adult.csv")


@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Reading the file…", max_entries=4)
def read_upload(
    data: bytes,
    name: str,
    max_bytes: int,
    max_rows: int,
    options: ReadOptions,
    sample: int | None = None,
    allow_single_column: bool = False,
) -> pd.DataFrame:
    return synth.read_table(
        data,
        name=name,
        max_bytes=max_bytes,
        max_rows=max_rows,
        sample=sample,
        allow_single_column=allow_single_column,
        **options.as_kwargs(),
    )


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=4)
def sheets(data: bytes, name: str) -> list[str]:
    try:
        return synth.list_sheets(data, name=name)
    except synth.TableReadError:
        return []


@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Checking the table before fitting…", max_entries=8)
def audit(key: str, _df: pd.DataFrame, schema: synth.Schema, _train: pd.DataFrame) -> AuditReport:
    """Findings on the whole table, fit estimates on the train split (what the fit sees); ``key``, the dataset's,
    names the split."""
    return synth.audit(_df, schema, fit_rows=_train)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def infer_schema(df: pd.DataFrame) -> synth.Schema:
    return synth.infer_schema(df)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def split(df: pd.DataFrame, holdout: float, seed: int, by: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    return synth.split(df, holdout=holdout, seed=seed, by=by)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def entity_candidates(df: pd.DataFrame, schema: synth.Schema) -> tuple[Entity, ...]:
    return _entity_candidates(df, schema)


def _page_fidelity(context: EvaluationContext) -> FidelityResult:
    return synth.evaluate_fidelity(
        context=context, run_sdmetrics=False, n_bootstrap=PAGE_BOOTSTRAP, bootstrap_rows=PAGE_BOOTSTRAP_ROWS
    )


def _page_accuracy(context: EvaluationContext) -> AccuracyResult:
    return evaluate_accuracy(context=context)


def _page_discriminator(context: EvaluationContext) -> DiscriminatorResult:
    return evaluate_discriminator(context=context)


def _page_exact_rules(context: EvaluationContext) -> tuple[RuleBreaks, ...]:
    return evaluate_exact_rules(context=context)


def _page_distributions(context: EvaluationContext) -> tuple[ColumnDistribution, ...]:
    return column_distributions(
        context.train, context.synthetic, context.holdout, schema=context.schema, person_column=context.people
    )


def _page_columns_section(context: EvaluationContext) -> bool:
    fidelity = context.extension("compare:fidelity", _page_fidelity)
    return prepare.columns_section(context, fidelity, context.extension("compare:distributions", _page_distributions))


def prefetch_compare(context: EvaluationContext) -> None:
    """Start Compare's scores of one run in a background thread (a no-op once they are built or under way).

    Called by the Sample page as soon as a table is sampled, so that the work is done or under way when the user
    opens Compare, and by Compare itself. :func:`accuracy`, :func:`fidelity`, :func:`discriminator` and
    :func:`run_distributions` then wait for (or take) the results on the run's context, which lives in the user's
    session only: the same calls, made in the background in the order the page needs them.
    """
    context.prefetch(
        "compare:accuracy",
        _page_accuracy,
        ("compare:discriminator", _page_discriminator),  # the headline first: the page waits for these three
        ("compare:exact_rules", _page_exact_rules),
        ("compare:fidelity", _page_fidelity),  # then the sections' scores, which fill in when they land
        ("compare:distributions", _page_distributions),
        ("compare:columns_section", _page_columns_section),  # and what the first section draws
    )


def fidelity_when_ready(key: str, context: EvaluationContext) -> FidelityResult | None:
    """:func:`fidelity`, or None while its background build (:func:`prefetch_compare`) is under way, so that the
    page draws its headline at once and the sections that need these scores fill in when they land. With
    background work inline (AppTest) it waits, as :func:`fidelity` does."""
    if not inline():
        prefetch_compare(context)  # a no-op when under way or built, unless the page is the first to ask
        if not context.settled("compare:fidelity"):
            return None
    return fidelity(key, context)


@st.cache_data(
    show_spinner="Scoring fidelity (with bootstrap intervals)…", show_time=True, max_entries=16, ttl=CACHE_TTL
)
def fidelity(key: str, _context: EvaluationContext) -> FidelityResult:
    """Shapes, pair trends and missing values with intervals (sdmetrics' report runs separately, on request)."""
    return _context.extension("compare:fidelity", _page_fidelity)


@st.cache_data(show_spinner="Scoring 1-, 2- and 3-way accuracy…", max_entries=16, ttl=CACHE_TTL)
def accuracy(key: str, _context: EvaluationContext) -> AccuracyResult:
    return _context.extension("compare:accuracy", _page_accuracy)


@st.cache_data(
    show_spinner="Training a classifier to tell synthetic rows from real ones…", max_entries=16, ttl=CACHE_TTL
)
def discriminator(key: str, _context: EvaluationContext) -> DiscriminatorResult:
    return _context.extension("compare:discriminator", _page_discriminator)


@st.cache_data(show_spinner="Running sdmetrics' QualityReport…", show_time=True, max_entries=16, ttl=CACHE_TTL)
def sdmetrics_quality(key: str, _context: EvaluationContext) -> SdmetricsScores:
    return peer_sdmetrics.sdmetrics_quality(_context.train, _context.synthetic, _context.schema)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=16)
def run_distributions(key: str, _context: EvaluationContext) -> tuple[ColumnDistribution, ...]:
    """Binned distributions of every compared column of one run (``key``; the charts carry counts, not rows),
    taken from :func:`prefetch_compare` when it ran."""
    return _context.extension("compare:distributions", _page_distributions)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=64)
def pair(
    key: str,
    column_x: str,
    column_y: str,
    _train: pd.DataFrame,
    _synthetic: pd.DataFrame,
    schema: synth.Schema,
    person: str | None = None,
) -> PairView:
    """Two columns binned for the pair explorer; ``person`` (the split's): axes end inside the extreme people."""
    return pair_view(_train, _synthetic, column_x, column_y, schema=schema, person_column=person)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Looking for orders the real table keeps…", max_entries=16)
def orders(key: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, schema: synth.Schema) -> tuple[OrderBreaks, ...]:
    return synth.evaluate_orders(_train, _synthetic, schema)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Looking for numbers kept inside a category's range…", max_entries=16)
def ranges(key: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, schema: synth.Schema) -> tuple[RangeBreaks, ...]:
    return evaluate_ranges(_train, _synthetic, schema)


@st.cache_data(show_spinner="Looking for columns computed from others…", max_entries=16, ttl=CACHE_TTL)
def exact_rules(key: str, _context: EvaluationContext) -> tuple[RuleBreaks, ...]:
    """The rules every real row holds and how often the run's rows break each (the headline reads them too)."""
    return _context.extension("compare:exact_rules", _page_exact_rules)


@st.cache_data(show_spinner="Looking for values people keep across their rows…", max_entries=16, ttl=CACHE_TTL)
def person_values(key: str, _context: EvaluationContext) -> PersonValues | None:
    """The columns every real person keeps across their rows and how often the run's people change them."""
    return _context.extension("compare:person_values", lambda c: evaluate_person_values(context=c))


@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Looking for columns missing on the same rows…", max_entries=16)
def missing_groups(
    key: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, schema: synth.Schema
) -> tuple[GroupBreaks, ...]:
    return evaluate_missing_groups(_train, _synthetic, schema)


@st.cache_data(
    ttl=USER_DATA_TTL,
    show_spinner="Training a classifier to tell synthetic rows from real ones…",
    show_time=True,
    max_entries=16,
)
def detection(
    key: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, _holdout: pd.DataFrame, schema: synth.Schema
) -> DetectionResult:
    return evaluate_detection(_train, _synthetic, holdout=_holdout, schema=schema)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=32)
def default_target(
    key: str,
    schema: synth.Schema,
    columns: tuple[str, ...],
    _train: pd.DataFrame,
    _holdout: pd.DataFrame | None = None,
    judged: bool = False,
) -> str | None:
    """The default ML target or outcome among ``columns``: it reads every class column's labels (0.6 s for a
    million rows of 20 columns), once per table and set of columns rather than on every rerun of a widget.
    ``judged`` (the ML checks, with ``_holdout``): prefer a class whose gap can be judged (part of the cache key,
    as the holdout itself is not hashed)."""
    return targets.default_target(schema, columns, data=_train, holdout=_holdout if judged else None)


@st.cache_data(
    ttl=USER_DATA_TTL, show_spinner="Training models on real and on synthetic data…", show_time=True, max_entries=32
)
def utility(
    key: str,
    target: str,
    _train: pd.DataFrame,
    _synthetic: pd.DataFrame,
    _holdout: pd.DataFrame,
    schema: synth.Schema,
    person: str | None = None,
) -> UtilityResult:
    """TSTR against TRTR for one run and target; ``person`` (the run's context's): a class fewer than 10 people hold
    is counted, not named, in the notes."""
    return evaluate_utility(_train, _synthetic, _holdout, target=target, schema=schema, person_column=person)


@st.cache_data(
    ttl=USER_DATA_TTL,
    show_spinner="Fitting the same regression on real and synthetic data…",
    show_time=True,
    max_entries=32,
)
def glm(
    key: str,
    target: str,
    _train: pd.DataFrame,
    _synthetic: pd.DataFrame,
    _holdout: pd.DataFrame,
    schema: synth.Schema,
    person: str | None = None,
) -> GlmComparison:
    """The same regression on real and synthetic data for one run and target; ``person`` (the run's context's): a
    category fewer than 10 people hold is no term of its own."""
    return compare_glm(_train, _synthetic, target=target, holdout=_holdout, schema=schema, person_column=person)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Comparing inside the segment…", show_time=True, max_entries=32)
def segment(
    key: str,
    segment_key: str,
    _conditions: tuple[Condition, ...],
    _train: pd.DataFrame,
    _synthetic: pd.DataFrame,
    _holdout: pd.DataFrame,
    schema: synth.Schema,
) -> SegmentResult:
    """Fidelity inside a segment; ``segment_key`` is the conditions as text (they identify ``_conditions``)."""
    return evaluate_segment(_train, _synthetic, _conditions, holdout=_holdout, schema=schema, run_sdmetrics=False)


# The Privacy page's checks run in its background worker (ui/privacy_checks.py), their results kept per session
# and run; only the record inspector (one row, well under a second) is cached here.
@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Finding the nearest real rows…", max_entries=64)
def inspect_record(key: str, _inputs: PrivacyInputs, row: int, quasi_identifiers: tuple[str, ...]) -> RecordInspection:
    """One synthetic row beside its nearest training rows (on the shared encodings)."""
    t = _inputs.tables
    return synth_inspect_record(
        t.train, t.synthetic, row, holdout=t.holdout, quasi_identifiers=quasi_identifiers, inputs=_inputs
    )


@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Preparing the CSV…", max_entries=4)
def csv_bytes(key: str, _df: pd.DataFrame, _schema: synth.Schema | None = None) -> bytes:
    from synth.sampling.csv_text import table_csv

    return table_csv(_df, _schema)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def finer_note(key: str, _df: pd.DataFrame, _schema: synth.Schema, _model: synth.Synthesizer | None) -> str | None:
    """The Sample page's note on columns whose synthetic values are finer than the real ones, read from the sample
    once (``key``: the synthetic table's and the dataset's)."""
    from synth.sampling.unrounded import finer_note as note

    return note(_df, _schema, _model)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def model_bytes(key: str, _model: synth.Synthesizer) -> bytes:
    """The saved model file, built once per fitted model (``key`` is the model's id)."""
    from ui import model_files

    return model_files.to_bytes(_model)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def column_stats(key: str, _df: pd.DataFrame) -> tuple[dict[str, float], dict[str, int]]:
    """Share missing and number of distinct values per column, counted once per table (``key``)."""
    return {c: float(_df[c].isna().mean()) for c in _df.columns}, {c: int(_df[c].nunique()) for c in _df.columns}


def clear_user_data() -> None:
    """Drop every cached result that holds users' data (all but the bundled demo table).

    ``st.cache_data`` cannot drop one session's entries alone, so this clears them for every session: others
    only recompute, while nothing derived from this session's data stays in server memory.
    """
    for wrapper in USER_DATA_CACHES:
        wrapper.clear()


# Every cached wrapper of this module and of the modules split from it, except the demo table (found, not listed,
# so a new wrapper can't be missed even when it is not re-exported here).
USER_DATA_CACHES = tuple(
    dict.fromkeys(
        f
        for module in (globals(), vars(cached_race), vars(cached_rare_events))
        for name, f in list(module.items())
        if type(f) is type(demo_table) and name != "demo_table"
    )
)
