"""Cached wrappers around pure synth functions.

``st.cache_data`` only, never ``st.cache_resource`` for a fitted model. Large tables are passed as
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
from synth.evaluation.fidelity.detection import DetectionResult, evaluate_detection
from synth.evaluation.fidelity.diagnosis import ColumnDiagnosis, diagnose
from synth.evaluation.fidelity.distributions import ColumnDistribution, PairView, column_distributions, pair_view
from synth.evaluation.fidelity.scores import FidelityResult
from synth.evaluation.fidelity.segments import Condition, SegmentResult, evaluate_segment
from synth.evaluation.privacy.attacks import AttackerModel, AttackReport, Criterion, evaluate_attacks
from synth.evaluation.privacy.distances import PrivacyResult
from synth.evaluation.privacy.inspector import RecordInspection
from synth.evaluation.privacy.inspector import inspect_record as synth_inspect_record
from synth.evaluation.privacy.peer_sdmetrics import SdmetricsPrivacy, sdmetrics_privacy
from synth.evaluation.utility.glm import GlmComparison, compare_glm
from synth.evaluation.utility.tstr import UtilityResult, evaluate_utility
from synth.progress import ProgressCallback
from ui.progress import StreamlitProgress

T = TypeVar("T")

ASSETS = Path(__file__).resolve().parent.parent / "assets"
if TYPE_CHECKING:
    from ui.intake import ReadOptions

DEMO_FILE = ASSETS / "adult.csv.gz"
# Cached results hold users' data (uploads, their schemas, scores, inspected records): they expire after this
# many seconds (SYNTH_CACHE_TTL_SECONDS, default one hour) so nothing stays in server memory indefinitely.
USER_DATA_TTL = int(os.environ.get("SYNTH_CACHE_TTL_SECONDS", "3600"))
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


@st.cache_data(
    ttl=USER_DATA_TTL, show_spinner="Scoring fidelity (with bootstrap intervals)…", show_time=True, max_entries=16
)
def fidelity(
    key: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, _holdout: pd.DataFrame, schema: synth.Schema
) -> FidelityResult:
    return synth.evaluate_fidelity(_train, _synthetic, holdout=_holdout, schema=schema)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=16)
def distributions(
    key: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, _holdout: pd.DataFrame, schema: synth.Schema
) -> tuple[ColumnDistribution, ...]:
    """Binned distributions of every compared column (the charts carry counts, not rows)."""
    return column_distributions(_train, _synthetic, _holdout, schema=schema)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=64)
def pair(
    key: str, column_x: str, column_y: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, schema: synth.Schema
) -> PairView:
    return pair_view(_train, _synthetic, column_x, column_y, schema=schema)


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=16)
def diagnosis(
    key: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, _fidelity: FidelityResult, schema: synth.Schema
) -> tuple[ColumnDiagnosis, ...]:
    """Why the worst columns differ, in words (``key`` identifies the run, and so its fidelity result)."""
    return diagnose(_train, _synthetic, schema=schema, fidelity=_fidelity, top=5)


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


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=16)
def privacy(
    key: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, _holdout: pd.DataFrame, schema: synth.Schema
) -> PrivacyResult:
    """Distances, copies and the membership attack, with a progress bar while they run."""
    return _with_progress(
        "Measuring distances to real rows",
        lambda bar: synth.evaluate_privacy(_train, _synthetic, holdout=_holdout, schema=schema, progress=bar),
    )


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=32)
def privacy_attacks(
    key: str,
    _train: pd.DataFrame,
    _synthetic: pd.DataFrame,
    _holdout: pd.DataFrame,
    schema: synth.Schema,
    attacker: AttackerModel,
    criteria: tuple[Criterion, ...],
    n_attacks: int,
) -> AttackReport:
    """The WP216 attacks for one attacker model and set of criteria (cached per choice), with a progress bar."""
    return _with_progress(
        f"Running {', '.join(c.replace('_', ' ') for c in criteria)} attacks",
        lambda bar: evaluate_attacks(
            _train,
            _synthetic,
            holdout=_holdout,
            attacker=attacker,
            schema=schema,
            criteria=criteria,
            n_attacks=n_attacks,
            progress=bar,
        ),
    )


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=16)
def privacy_sdmetrics(
    key: str,
    _train: pd.DataFrame,
    _synthetic: pd.DataFrame,
    _holdout: pd.DataFrame,
    schema: synth.Schema,
    known: tuple[str, ...],
    secret: str,
) -> SdmetricsPrivacy:
    """sdmetrics' DCR and disclosure scores on subsamples (a few seconds), with a progress bar."""
    return _with_progress(
        "Running sdmetrics' privacy metrics",
        lambda bar: sdmetrics_privacy(
            _train, _synthetic, holdout=_holdout, schema=schema, known=known, secret=secret or None, progress=bar
        ),
    )


@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Finding the nearest real rows…", max_entries=64)
def inspect_record(
    key: str,
    _train: pd.DataFrame,
    _synthetic: pd.DataFrame,
    _holdout: pd.DataFrame,
    schema: synth.Schema,
    row: int,
    quasi_identifiers: tuple[str, ...],
) -> RecordInspection:
    """One synthetic row beside its nearest training rows."""
    return synth_inspect_record(
        _train, _synthetic, row, holdout=_holdout, schema=schema, quasi_identifiers=quasi_identifiers
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


def clear_user_data() -> None:
    """Drop every cached result that holds users' data (all but the bundled demo table).

    ``st.cache_data`` cannot drop one session's entries alone, so this clears them for every session: others
    only recompute, while nothing derived from this session's data stays in server memory.
    """
    for wrapper in USER_DATA_CACHES:
        wrapper.clear()


USER_DATA_CACHES = (
    read_upload,
    sheets,
    audit,
    infer_schema,
    split,
    fidelity,
    distributions,
    pair,
    diagnosis,
    detection,
    utility,
    glm,
    segment,
    privacy,
    privacy_attacks,
    privacy_sdmetrics,
    inspect_record,
    csv_bytes,
    model_bytes,
    column_stats,
)
