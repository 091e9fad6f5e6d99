"""Shared fixtures: the real demo table, small seeded subsets, and a clean Streamlit cache per app test."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "assets" / "adult.csv.gz"
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def adult() -> pd.DataFrame:
    """The full UCI Adult table shipped as the demo (32,561 rows)."""
    return pd.read_csv(io.BytesIO(gzip.decompress(DEMO.read_bytes())))


@pytest.fixture(scope="session")
def adult_small(adult: pd.DataFrame) -> pd.DataFrame:
    """A seeded 3,000-row sample of Adult, for fast tests."""
    return adult.sample(3000, random_state=0).reset_index(drop=True)
