"""AppTest fuzz: awkward but legal tables walked through every page, Data to Report.

Each table is one a user may well bring (a single column, an all-missing column, 150 columns, names written in
HTML or emoji, a date that never changes, numbers written as ``inf``). The walk uploads it, fits the fastest
synthesizer, samples, opens every section of Compare (the pair explorer on every column), every section of Privacy
and adds the run to the Report. No page may end in a raw exception; where a step cannot run, the page says why in
the project's words, and what was loaded or computed before stays.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from synth.schema import ColumnKind, infer_schema
from tests.app.helpers import goto, start

ROWS = 500  # a 20% holdout of 100 rows: the least the Privacy page checks against
FASTEST = "independent"
COMPARE_SECTIONS = ("Columns", "Associations", "Subgroups", "ML checks")
PRIVACY_SECTIONS = ("Distances", "Membership", "Attacks", "Record inspector")
MIN_HOLDOUT = 100  # real rows the Privacy page checks against, at the least


@dataclass(frozen=True)
class Awkward:
    """A table, how it is uploaded, and where its walk must stop with a message (None: it goes all the way)."""

    frame: Callable[[np.random.Generator], pd.DataFrame]
    file: str = "csv"
    stops_at: str | None = None  # "upload" or "fit"
    message: str = ""  # part of the message the page shows where the walk stops
    kinds: tuple[tuple[str, ColumnKind], ...] = ()  # kinds the user sets in a schema file before fitting
    pair_columns: int = 8  # columns tried in the pair explorer, each against its first partner (each is a rerun)


def _base(rng: np.random.Generator, n: int = ROWS) -> pd.DataFrame:
    return pd.DataFrame({"amount": rng.normal(50, 10, n).round(1), "group": rng.choice(["a", "b", "c"], n)})


def _inf_text(rng: np.random.Generator) -> pd.DataFrame:
    values = [f"{v:.2f}" for v in rng.normal(size=ROWS)]
    values[::10] = ["inf"] * len(values[::10])
    values[1::10] = ["-inf"] * len(values[1::10])
    return _base(rng).assign(reading=values)


def _awkward_columns(rng: np.random.Generator) -> pd.DataFrame:
    """Every awkward column at once, under awkward names (parquet keeps a name of one space)."""
    return _base(rng).assign(
        empty=None,
        same=7,
        text=["".join(rng.choice(list("abcdefghij"), 200)) for _ in range(ROWS)],
        day="2024-03-01",
        price=[f"€{v:,.2f}" for v in rng.uniform(100, 5000, ROWS)],
        **{
            "<b>x</b>": rng.normal(size=ROWS).round(2),
            "a.b": rng.choice(["u", "v"], ROWS),
            " ": rng.integers(0, 9, ROWS),
            "😀 ünï [x](y)": rng.choice(["p", "q", "r"], ROWS),
        },
    )


TABLES: dict[str, Awkward] = {
    "one_column": Awkward(lambda rng: pd.DataFrame({"x": rng.normal(size=ROWS).round(2)})),
    "two_rows": Awkward(
        lambda rng: pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), stops_at="upload", message="too small to split"
    ),
    "blank_name_in_csv": Awkward(
        lambda rng: _base(rng).rename(columns={"group": " "}), stops_at="upload", message="without a name"
    ),
    "inf_text": Awkward(_inf_text, stops_at="fit", message="infinite value"),
    "awkward_columns": Awkward(_awkward_columns, file="parquet"),
    # The kinds a user may force in the schema: an all-missing column as a number, a constant as whole numbers,
    # a date with one value as a date (inferred, each is a constant and left out of the comparison).
    "awkward_kinds": Awkward(
        lambda rng: _base(rng).assign(empty=np.nan, same=7, day="2024-03-01"),
        kinds=(("empty", ColumnKind.CONTINUOUS), ("same", ColumnKind.DISCRETE), ("day", ColumnKind.DATETIME)),
    ),
    "booleans": Awkward(lambda rng: pd.DataFrame({f"flag{i}": rng.choice([True, False], ROWS) for i in range(3)})),
    # 150 rows: the Privacy page says its holdout is too small (150 columns at 500 rows took 40 s of this file).
    "wide": Awkward(lambda rng: pd.DataFrame({f"c{i}": rng.integers(0, 5, 150) for i in range(150)}), pair_columns=2),
}


def _bytes(frame: pd.DataFrame, file: str) -> tuple[bytes, str]:
    if file == "parquet":
        buf = io.BytesIO()
        frame.to_parquet(buf)
        return buf.getvalue(), "application/octet-stream"
    return frame.to_csv(index=False).encode(), "text/csv"


def _ok(at: AppTest, where: str) -> AppTest:
    assert not at.exception, f"{where}: {[e.message for e in at.exception]}"
    return at


def _keys(at: AppTest, kind: str) -> set[str]:
    return {e.key for e in at.get(kind) if getattr(e, "key", None)}


def _messages(at: AppTest) -> str:
    return " ".join(e.value for kind in ("error", "warning", "info") for e in getattr(at, kind))


def _upload(at: AppTest, name: str, table: Awkward, frame: pd.DataFrame) -> None:
    goto(at, "data")
    data, mime = _bytes(frame, table.file)
    at.file_uploader(key="upload").set_value((f"{name}.{table.file}", data, mime)).run()
    _ok(at, "upload")
    if any(b.key == "offer_single" for b in at.button):  # a single column loads once the user says so
        at.button(key="offer_single").click().run()
        _ok(at, "single column")
    if table.kinds:
        schema = infer_schema(at.session_state["dataset"].df)
        for column, kind in table.kinds:
            schema = schema.with_column(column, kind=kind)
        at.file_uploader(key="schema_upload").set_value(("schema.json", schema.to_json().encode(), "application/json"))
        _ok(at.run(), "schema upload")


def _compare(at: AppTest, pair_columns: int = 8) -> None:
    goto(at, "compare")
    for section in COMPARE_SECTIONS:
        at.segmented_control(key="compare_section").set_value(section).run()
        _ok(at, f"Compare: {section}")
        if section == "Columns":
            assert "score_bars" in _keys(at, "plotly_chart"), _messages(at)
        if section == "Associations":
            options = at.selectbox(key="pair_a").options
            for a in options[:pair_columns]:
                at.selectbox(key="pair_a").set_value(a).run()
                _ok(at, f"pair explorer on {a!r}")
                if len(options) > 1:
                    assert "pair_view" in _keys(at, "plotly_chart"), _messages(at)
                else:
                    assert any("needs two compared columns" in i.value for i in at.info), _messages(at)
        if section == "Subgroups":
            for text in (at.text_input(key="segment_filter").placeholder, "nope = 1", "and and", "amount > 1e999"):
                at.text_input(key="segment_filter").set_value(text).run()
                _ok(at, f"segment {text!r}")
        if section == "ML checks":
            at.toggle(key="ml_checks").set_value(True).run()
            _ok(at, "ML checks")


def _privacy_and_report(at: AppTest) -> None:
    goto(at, "privacy")
    if len(at.session_state["dataset"].holdout) >= MIN_HOLDOUT:
        for section in PRIVACY_SECTIONS:
            at.segmented_control(key="privacy_section").set_value(section).run()
            _ok(at, f"Privacy: {section}")
    else:  # too few real rows to check against: the page says so
        assert any("privacy checks need at least" in e.value for e in at.error), _messages(at)
    goto(at, "report")
    at.button(key="report_current_run").click().run()
    _ok(at, "Report: add the current run")
    assert "download_report" in _keys(at, "download_button"), _messages(at)


def _fit_and_sample(at: AppTest, rows: int | None = None) -> None:
    goto(at, "synthesize")
    at.multiselect(key="synthesizer_choice").set_value([FASTEST]).run()
    at.button(key="fit_button").click().run()
    _ok(at, "fit")
    goto(at, "sample")
    if rows is not None:
        at.number_input[0].set_value(rows).run()
    at.button(key="sample_button").click().run()
    _ok(at, "sample")


@pytest.mark.parametrize("name", list(TABLES))
def test_an_awkward_table_walks_every_page_without_a_raw_exception(name: str) -> None:
    table = TABLES[name]
    frame = table.frame(np.random.default_rng(7))
    at = start()
    before = at.session_state["dataset"]
    _upload(at, name, table, frame)
    if table.stops_at == "upload":
        errors = " ".join(e.value for e in at.error)
        assert table.message in errors and "still in use" in errors, errors
        assert at.session_state["dataset"] is before, "a failed upload keeps the table loaded before"
        return
    ds = at.session_state["dataset"]
    assert ds.name == f"{name}.{table.file}" and ds.df.shape[1] == frame.shape[1]
    assert all(ds.schema[c].kind is k for c, k in table.kinds), "the schema file's kinds are used"

    goto(at, "synthesize")
    at.multiselect(key="synthesizer_choice").set_value([FASTEST]).run()
    at.button(key="fit_button").click().run()
    _ok(at, "fit")
    if table.stops_at == "fit":
        assert any(table.message in e.value for e in at.error), _messages(at)
        assert at.session_state["dataset"] is ds, "a failed fit keeps the table"
        goto(at, "sample")
        assert any("No synthesizer is fitted" in i.value for i in at.info), _messages(at)
        return
    goto(at, "sample")
    at.button(key="sample_button").click().run()
    _ok(at, "sample")
    syn = at.session_state["synthetic_runs"][-1]
    assert syn.df.shape == (len(ds.train), frame.shape[1])

    _compare(at, table.pair_columns)
    _privacy_and_report(at)
    assert at.session_state["synthetic_runs"][-1] is syn, "the walk loses nothing it made"


def test_a_second_table_in_the_same_session_walks_past_the_first_ones_choices() -> None:
    """Choices kept between visits (the pair explorer's columns, a segment, the ML switch) name the first table's
    columns: the second table's pages must not trip over them. Its sample is one row, the least the page allows."""
    at = start()
    first, second = TABLES["awkward_columns"], TABLES["awkward_kinds"]
    _upload(at, "first", first, first.frame(np.random.default_rng(1)))
    _fit_and_sample(at)
    _compare(at)
    _upload(at, "second", second, second.frame(np.random.default_rng(2)))
    assert at.session_state["dataset"].name == "second.csv"
    _fit_and_sample(at, rows=1)
    assert len(at.session_state["synthetic_runs"][-1].df) == 1
    _compare(at)
    _privacy_and_report(at)


CRAFTED = {  # what the Data page's schema upload and the Report page's manifest upload must refuse in words
    "a list": b"[]",
    "null": b"null",
    # beside a text name, sorting the names to match the table's raised a TypeError
    "a number as a name": b'{"columns": [{"name": 5, "kind": "boolean"}, {"name": "flag0", "kind": "boolean"}]}',
    "nested thousands deep": b"[" * 100_000 + b"]" * 100_000,
}


def test_crafted_schema_and_manifest_files_are_refused_in_words_and_the_session_kept() -> None:
    at = start()
    table = TABLES["booleans"]
    _upload(at, "kept", table, table.frame(np.random.default_rng(3)))
    ds = at.session_state["dataset"]
    for what, data in CRAFTED.items():
        goto(at, "data")
        at.file_uploader(key="schema_upload").set_value((f"{len(data)}.json", data, "application/json")).run()
        _ok(at, f"schema file holding {what}")
        assert any(f"{len(data)}.json is not a schema file" in e.value for e in at.error), (what, _messages(at))
        goto(at, "report")
        at.file_uploader(key="manifest_upload").set_value((f"{len(data)}.json", data, "application/json")).run()
        _ok(at, f"manifest holding {what}")
        assert any("manifest" in e.value for e in at.error), (what, _messages(at))
        assert at.session_state["dataset"] is ds, what
