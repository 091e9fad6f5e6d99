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


@pytest.fixture(autouse=True, scope="session")
def full_error_details_in_tests() -> None:
    """.streamlit/config.toml hides error details from users ("none"); AppTest reads it too, so failing tests
    would only say "redacted". Tests see the full message (the production default is checked in test_safety)."""
    from streamlit import config

    config.set_option("client.showErrorDetails", "full")


@pytest.fixture(autouse=True)
def privacy_checks_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest has no browser to poll for background results (the Privacy page's checks, Compare's column scores):
    run them in the script's thread (test_privacy_page.py and test_compare_page.py test the background path)."""
    from ui.background import INLINE_ENV

    monkeypatch.setenv(INLINE_ENV, "1")


@pytest.fixture(autouse=True)
def background_work_ends_with_its_test() -> Iterator[None]:
    """A test that leaves the page while its background checks run must not leave them running into the next test
    (they would compete with it, and twice a leftover privacy job was running beside a race when a test worker
    crashed): wait for the threads this test started (privacy and race workers, prefetches)."""
    import threading

    before = set(threading.enumerate())
    yield
    for thread in set(threading.enumerate()) - before:
        if thread.name.startswith(("synth-", "prefetch ")):
            thread.join(300)
