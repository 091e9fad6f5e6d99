"""Cached wrappers of the Race and Report pages: scoring an uploaded or the session's synthetic table as a race row,
and writing the report (how long results live: :mod:`ui.cache_policy`; Forget my data clears them: :mod:`ui.cached`)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

import synth
from synth.audit import AuditReport
from synth.evaluation.reference import RealReference
from synth.progress import ProgressCallback
from synth.report import EvaluationSettings, ExternalResult, RaceResult
from ui.cache_policy import USER_DATA_TTL, max_upload_bytes
from ui.progress import with_progress

#: How the race and external tables are scored on the pages (the light settings; see benchmarks/bench_race.py).
RACE_SETTINGS = EvaluationSettings()


@st.cache_data(ttl=USER_DATA_TTL, show_spinner="Reading the synthetic table…", max_entries=4)
def read_external(data: bytes, name: str) -> pd.DataFrame:
    """A synthetic table made by another tool, read like any upload (same size limit)."""
    return synth.read_table(data, name=name, max_bytes=max_upload_bytes())


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def fit_seconds(
    key: str, _train: pd.DataFrame, schema: synth.Schema, names: tuple[str, ...]
) -> dict[str, float | None]:
    """Calibrated fit seconds of each named synthesizer on the train split (``key``: the dataset's, naming the
    split); None for one not calibrated (a peer). The race's time left scales them by the fits it has timed."""
    from synth.audit import fit_estimates

    return {e.synthesizer: e.seconds for e in fit_estimates(_train, schema, synthesizers=names)}


@st.cache_data(ttl=USER_DATA_TTL, show_spinner=False, max_entries=8)
def evaluate_external(
    key: str,
    label: str,
    _train: pd.DataFrame,
    _synthetic: pd.DataFrame,
    _holdout: pd.DataFrame,
    schema: synth.Schema,
    person_column: str | None = None,
) -> ExternalResult:
    """Column checks and every score of an uploaded synthetic table (``key``: table, split and upload;
    ``person_column``: the split's)."""
    return with_progress(
        f"Scoring {label}",
        lambda bar: synth.evaluate_external(
            _train,
            _synthetic,
            _holdout,
            schema=schema,
            label=label,
            settings=RACE_SETTINGS,
            progress=bar,
            person_column=person_column,
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
    person_column: str | None = None,
    privacy: bool = True,
    reference: RealReference | None = None,
    progress: ProgressCallback | None = None,
) -> ExternalResult:
    """Every score of the session's current run as a race row (``key``: table, split, model and sample;
    ``person_column``: the split's, which the fit was told; ``privacy`` False: no privacy parts, for a caller that
    brings the Privacy page's own, :mod:`ui.report_privacy`; ``reference``: the session's real-only results of the
    split, :func:`ui.state.real_reference`, reused; ``progress``: the caller's bar, else one of its own).

    Not cached: the row keeps the fitted model, and the session holds the result (never a cache of models)."""
    from synth.report import evaluate_run as score_run

    def run(bar: ProgressCallback) -> ExternalResult:
        return score_run(
            _train,
            _holdout,
            _model,
            _synthetic,
            sample_seed=sample_seed,
            schema=schema,
            label=label,
            fit_seconds=fit_seconds,
            sample_seconds=sample_seconds,
            settings=RACE_SETTINGS if privacy else dataclasses.replace(RACE_SETTINGS, privacy=False),
            progress=bar,
            person_column=person_column,
            reference=reference,
        )

    return run(progress) if progress is not None else with_progress(f"Scoring {label}", run)


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
    split_by: str | None = None,
) -> tuple[bytes, bytes, bytes, bytes]:
    """HTML report, JSON of every metric, data card (Markdown) and run manifest (JSON) as download bytes.

    ``key`` identifies the race (and so ``_result``); the options are hashed.
    """
    from synth.report.card import data_card
    from synth.report.html import ReportOptions, build_report
    from synth.report.manifest import build_manifest, manifest_json

    manifest = build_manifest(
        _data, schema, _result, holdout=split_holdout, split_seed=split_seed, split_by=split_by, name=name
    )
    run = _result.run(focus)
    card = data_card(
        run,
        _data,
        name=name,
        split=f"{1 - split_holdout:.0%} train, seed {split_seed}" + (f", whole {split_by} values" if split_by else ""),
        intended_use=intended_use,
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
        person_column=split_by,
    )
    return (
        built.html.encode("utf-8"),
        built.json_text().encode("utf-8"),
        card.to_markdown().encode("utf-8"),
        manifest_json(manifest).encode("utf-8"),
    )
