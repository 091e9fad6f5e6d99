"""Driving the app through AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def fit(at: AppTest, synthesizer: str = "gaussian_copula") -> AppTest:
    goto(at, "synthesize")
    at.multiselect(key="synthesizer_choice").set_value([synthesizer]).run()
    at.button(key="fit_button").click().run()
    assert not at.exception, at.exception
    return at


def sample(at: AppTest) -> AppTest:
    goto(at, "sample")
    at.button(key="sample_button").click().run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    goto(at, "data")
    at.file_uploader(key="upload").set_value((name, data, mime)).run()
    assert not at.exception, at.exception
    return at
