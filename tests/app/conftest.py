from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def clear_streamlit_cache() -> Iterator[None]:
    """st.cache_data survives between AppTest instances in one process: start every test clean."""
    st.cache_data.clear()
    yield
    st.cache_data.clear()
