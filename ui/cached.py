"""Cached wrappers around pure synth functions.

``st.cache_data`` for results, never ``st.cache_resource`` (a fitted model or users' tables must not be shared
between sessions): prepared tables live on the session's evaluation context (:mod:`ui.state`).
Large tables are passed as
underscore arguments (not hashed) together with a ``key`` that identifies them, so a rerun does not hash a
million rows to find a cached result.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pandas as pd
import streamlit as st

import synth
from synth.audit import AuditReport
from synth.evaluation.context import EvaluationContext
from synth.evaluation.fidelity import peer_sdmetrics
from synth.evaluation.fidelity.accuracy import AccuracyResult, evaluate_accuracy
from synth.evaluation.fidelity.detection import DetectionResult, evaluate_detection
from synth.evaluation.fidelity.discriminator import DiscriminatorResult, evaluate_discriminator
from synth.evaluation.fidelity.distributions import ColumnDistribution, PairView, column_distributions, pair_view
from synth.evaluation.fidelity.orders import OrderBreaks
from synth.evaluation.fidelity.results import SdmetricsScores
from synth.evaluation.fidelity.scores import FidelityResult
from synth.evaluation.fidelity.segments import Condition, SegmentResult, evaluate_segment
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.inspector import RecordInspection
from synth.evaluation.privacy.inspector import inspect_record as synth_inspect_record
from synth.evaluation.utility import targets
from synth.evaluation.utility.glm import GlmComparison, compare_glm
from synth.evaluation.utility.tstr import UtilityResult, evaluate_utility
from synth.progress import ProgressCallback
from synth.report import EvaluationSettings, ExternalResult, RaceResult
from ui.background import inline
from ui.compare import prepare
from ui.progress import StreamlitProgress

T = TypeVar("T")

ASSETS = Path(__file__).resolve().parent.parent / "assets"
if TYPE_CHECKING:
    from ui.intake import ReadOptions

# Cached results hold users' data (uploads, their schemas, scores, inspected records): they expire after this
# many seconds (SYNTH_CACHE_TTL_SECONDS, default one hour) so nothing stays in server memory indefinitely.
USER_DATA_TTL = int(os.environ.get("SYNTH_CACHE_TTL_SECONDS", "3600"))
CACHE_TTL = USER_DATA_TTL
# Bootstrap replicates for the page's quality intervals: half the library default (200) and half its cost, so the
# first render stays fast; the headline accuracy has its own jackknife intervals.
PAGE_BOOTSTRAP = 100
# ... each on a seeded subsample of this many rows per table, the spread rescaled to the full sizes (the
# library's bootstrap_rows; point scores use every row). A third less work on the demo table; the page says so.
PAGE_BOOTSTRAP_ROWS = 10_000
DEMO_FILE = ASSETS / "adult.csv.gz"
#: How the race and external tables are scored on the pages (the light settings; see benchmarks/bench_race.py).
RACE_SETTINGS = EvaluationSettings()
DEMO_NAME = "UCI Adult (demo)"


def max_upload_bytes() -> int:
    """The upload limit in bytes: SYNTH_MAX_UPLOAD_MB, default 500 (server.maxUploadSize in .streamlit/config.toml)."""
    return int(float(os.environ.get("SYNTH_MAX_UPLOAD_MB", "500")) * 1024 * 1024)


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
def audit(key: str, _df: pd.DataFrame, schema: synth.Schema) -> AuditReport:
    return synth.audit(_df, schema)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def infer_schema(df: pd.DataFrame) -> synth.Schema:
    return synth.infer_schema(df)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def split(df: pd.DataFrame, holdout: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return synth.split(df, holdout=holdout, seed=seed)


def _page_fidelity(context: EvaluationContext) -> FidelityResult:
    return synth.evaluate_fidelity(
        context=context, run_sdmetrics=False, n_bootstrap=PAGE_BOOTSTRAP, bootstrap_rows=PAGE_BOOTSTRAP_ROWS
    )


def _page_accuracy(context: EvaluationContext) -> AccuracyResult:
    return evaluate_accuracy(context=context)


def _page_discriminator(context: EvaluationContext) -> DiscriminatorResult:
    return evaluate_discriminator(context=context)


def _page_distributions(context: EvaluationContext) -> tuple[ColumnDistribution, ...]:
    return column_distributions(context.train, context.synthetic, context.holdout, schema=context.schema)


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
        ("compare:discriminator", _page_discriminator),  # the headline first: the page waits for these two
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
    key: str, column_x: str, column_y: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, schema: synth.Schema
) -> PairView:
    return pair_view(_train, _synthetic, column_x, column_y, schema=schema)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Looking for orders the real table keeps…", max_entries=16)
def orders(key: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, schema: synth.Schema) -> tuple[OrderBreaks, ...]:
    return synth.evaluate_orders(_train, _synthetic, schema)


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
def default_target(key: str, schema: synth.Schema, columns: tuple[str, ...], _train: pd.DataFrame) -> str | None:
    """The default ML target or outcome among ``columns``: it reads every class column's labels (0.6 s for a
    million rows of 20 columns), once per table and set of columns rather than on every rerun of a widget."""
    return targets.default_target(schema, columns, data=_train)


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
) -> UtilityResult:
    return evaluate_utility(_train, _synthetic, _holdout, target=target, schema=schema)


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
) -> GlmComparison:
    return compare_glm(_train, _synthetic, target=target, holdout=_holdout, schema=schema)


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


def _with_progress(label: str, call: Callable[[ProgressCallback], T]) -> T:
    """Run ``call`` with a progress bar created here, inside the cached function, and removed when it ends.

    A cached function may only draw elements it creates itself (they are replayed, here as an emptied bar, on a
    cache hit); a bar made by the page would break the replay.
    """
    bar = StreamlitProgress(label)
    try:
        return call(bar)
    finally:
        bar.bar.empty()


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
def csv_bytes(key: str, _df: pd.DataFrame) -> bytes:
    return _df.to_csv(index=False).encode("utf-8")


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def model_bytes(key: str, _model: synth.Synthesizer) -> bytes:
    """The saved model file, built once per fitted model (``key`` is the model's id)."""
    from ui import model_files

    return model_files.to_bytes(_model)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def column_stats(key: str, _df: pd.DataFrame) -> tuple[dict[str, float], dict[str, int]]:
    """Share missing and number of distinct values per column, counted once per table (``key``)."""
    return {c: float(_df[c].isna().mean()) for c in _df.columns}, {c: int(_df[c].nunique()) for c in _df.columns}


# ----------------------------------------------------------------------------- rare events (conditions, bias)
@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=64)
def coverage(key: str, _train: pd.DataFrame, conditions: dict, schema: synth.Schema) -> synth.Coverage:
    """How many training rows the conditions cover (``key`` identifies the dataset)."""
    return synth.condition_coverage(_train, conditions, schema)


@st.cache_data(
    ttl=USER_DATA_TTL,
    show_spinner="Training the same classifier with and without added rows…",
    show_time=True,
    max_entries=16,
)
def augmentation(
    key: str,
    _train: pd.DataFrame,
    _holdout: pd.DataFrame,
    _model: synth.Synthesizer,
    schema: synth.Schema,
    target: str,
    positive: object,
    shares: tuple[float, ...],
    precision: float,
) -> synth.AugmentationResult:
    """Real vs real + synthetic rows of one class, against duplicates and SMOTE (``key``: dataset and model)."""
    return synth.evaluate_augmentation(
        _train, _holdout, _model, target=target, positive=positive, schema=schema, shares=shares, precision=precision
    )


@st.cache_data(
    ttl=USER_DATA_TTL, show_spinner="Sampling, training on each table and judging on the real holdout…", show_time=True
)
def fairness(
    key: str,
    _train: pd.DataFrame,
    _holdout: pd.DataFrame,
    _model: synth.Synthesizer,
    schema: synth.Schema,
    sensitive: str,
    outcome: str,
    positive: object,
    mode: str,
) -> tuple[synth.FairnessResult, pd.DataFrame | None]:
    """Fairness of the model's plain sample and (unless ``mode`` is "none") of a balanced one, side by side."""
    n = len(_train)
    tables = {"synthetic": _model.sample(n, seed=1)}
    balanced = None
    if mode != "none":
        balanced = synth.balance_groups(
            _model,
            n,
            group=sensitive,
            outcome=outcome,
            mode=mode,  # type: ignore[arg-type]
            reference=_train,
            seed=2,
        )
        tables["balanced"] = balanced
    result = synth.evaluate_fairness(
        _train, _holdout, tables, sensitive=sensitive, outcome=outcome, positive=positive, schema=schema
    )
    return result, balanced


# ----------------------------------------------------------------------------- race and report (issue 13)
@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Reading the synthetic table…", max_entries=4)
def read_external(data: bytes, name: str) -> pd.DataFrame:
    """A synthetic table made by another tool, read like any upload (same size limit)."""
    return synth.read_table(data, name=name, max_bytes=max_upload_bytes())


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def evaluate_external(
    key: str, label: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, _holdout: pd.DataFrame, schema: synth.Schema
) -> ExternalResult:
    """Column checks and every score of an uploaded synthetic table (``key``: table, split and upload)."""
    return _with_progress(
        f"Scoring {label}",
        lambda bar: synth.evaluate_external(
            _train, _synthetic, _holdout, schema=schema, label=label, settings=RACE_SETTINGS, progress=bar
        ),
    )


def evaluate_run(
    key: str,
    label: str,
    _train: pd.DataFrame,
    _holdout: pd.DataFrame,
    _model: synth.Synthesizer,
    _synthetic: pd.DataFrame,
    sample_seed: int,
    fit_seconds: float,
    sample_seconds: float,
    schema: synth.Schema,
) -> ExternalResult:
    """Every score of the session's current run as a race row (``key``: table, split, model and sample).

    Not cached: the row keeps the fitted model, and the session holds the result (never a cache of models)."""
    from synth.report import evaluate_run as score_run

    return _with_progress(
        f"Scoring {label}",
        lambda bar: score_run(
            _train,
            _holdout,
            _model,
            _synthetic,
            sample_seed=sample_seed,
            schema=schema,
            label=label,
            fit_seconds=fit_seconds,
            sample_seconds=sample_seconds,
            settings=RACE_SETTINGS,
            progress=bar,
        ),
    )


@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Writing the report…", max_entries=8)
def report(
    key: str,
    focus: str,
    k: int,
    include_real_rows: bool,
    intended_use: str,
    name: str,
    _data: pd.DataFrame,
    _train: pd.DataFrame,
    _holdout: pd.DataFrame,
    schema: synth.Schema,
    _result: RaceResult,
    _audit: AuditReport | None,
    split_holdout: float,
    split_seed: int,
) -> tuple[bytes, bytes, bytes, bytes]:
    """HTML report, JSON of every metric, data card (Markdown) and run manifest (JSON) as download bytes.

    ``key`` identifies the race (and so ``_result``); the options are hashed.
    """
    from synth.report.card import data_card
    from synth.report.html import ReportOptions, build_report
    from synth.report.manifest import build_manifest, manifest_json

    manifest = build_manifest(_data, schema, _result, holdout=split_holdout, split_seed=split_seed, name=name)
    run = _result.run(focus)
    card = data_card(
        run, _data, name=name, split=f"{1 - split_holdout:.0%} train, seed {split_seed}", intended_use=intended_use
    )
    built = build_report(
        name=name,
        data=_data,
        schema=schema,
        train=_train,
        holdout=_holdout,
        result=_result,
        audit=_audit,
        focus=focus,
        options=ReportOptions(k=k, include_real_rows=include_real_rows),
        extra={"card": card.to_dict(), "manifest": manifest},
    )
    return (
        built.html.encode("utf-8"),
        built.json_text().encode("utf-8"),
        card.to_markdown().encode("utf-8"),
        manifest_json(manifest).encode("utf-8"),
    )


def clear_user_data() -> None:
    """Drop every cached result that holds users' data (all but the bundled demo table).

    ``st.cache_data`` cannot drop one session's entries alone, so this clears them for every session: others
    only recompute, while nothing derived from this session's data stays in server memory.
    """
    for wrapper in USER_DATA_CACHES:
        wrapper.clear()


# Every cached wrapper of this module except the demo table (found, not listed, so a new wrapper can't be missed).
USER_DATA_CACHES = tuple(
    f for name, f in list(globals().items()) if type(f) is type(demo_table) and name != "demo_table"
)
