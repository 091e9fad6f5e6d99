"""Cached wrappers around pure synth functions.

``st.cache_data`` only, never ``st.cache_resource`` for a fitted model. Large tables are passed as
underscore arguments (not hashed) together with a ``key`` that identifies them, so a rerun does not hash a
million rows to find a cached result.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pandas as pd
import streamlit as st

import synth
from synth.metrics.fidelity import FidelityResult
from synth.metrics.privacy import PrivacyResult

ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEMO_FILE = ASSETS / "adult.csv.gz"
DEMO_NAME = "UCI Adult (demo)"


def max_upload_bytes() -> int:
    """The upload limit, configurable with SYNTH_MAX_UPLOAD_MB (default 200, Streamlit's own limit)."""
    return int(float(os.environ.get("SYNTH_MAX_UPLOAD_MB", "200")) * 1024 * 1024)


@st.cache_data(show_spinner="Loading the demo table…")
def demo_table() -> tuple[str, pd.DataFrame]:
    return DEMO_NAME, synth.read_table(gzip.decompress(DEMO_FILE.read_bytes()), name="adult.csv")


@st.cache_data(show_spinner=False, max_entries=4)
def read_upload(data: bytes, name: str, max_bytes: int) -> pd.DataFrame:
    return synth.read_table(data, name=name, max_bytes=max_bytes)


@st.cache_data(show_spinner=False, max_entries=8)
def infer_schema(df: pd.DataFrame) -> synth.Schema:
    return synth.infer_schema(df)


@st.cache_data(show_spinner=False, max_entries=8)
def split(df: pd.DataFrame, holdout: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return synth.split(df, holdout=holdout, seed=seed)


@st.cache_data(show_spinner="Scoring fidelity…", max_entries=16)
def fidelity(
    key: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, _holdout: pd.DataFrame, schema: synth.Schema
) -> FidelityResult:
    return synth.evaluate_fidelity(_train, _synthetic, holdout=_holdout, schema=schema)


@st.cache_data(show_spinner="Measuring distances to real rows…", max_entries=16)
def privacy(
    key: str, _train: pd.DataFrame, _synthetic: pd.DataFrame, _holdout: pd.DataFrame, schema: synth.Schema
) -> PrivacyResult:
    return synth.evaluate_privacy(_train, _synthetic, holdout=_holdout, schema=schema)


@st.cache_data(show_spinner="Preparing the CSV…", max_entries=4)
def csv_bytes(key: str, _df: pd.DataFrame) -> bytes:
    return _df.to_csv(index=False).encode("utf-8")
