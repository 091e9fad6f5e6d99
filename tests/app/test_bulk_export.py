"""AppTest: the Sample page writes a large table to a Parquet file on the server, with progress and cancel."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.app.helpers import fit, goto, start


@pytest.fixture
def out_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SYNTH_OUTPUT_DIR", str(tmp_path / "out"))
    return tmp_path / "out"


def _page():  # type: ignore[no-untyped-def]
    return goto(fit(start(), "cart"), "sample")


def test_writes_the_asked_rows_with_the_conditions_and_says_where(out_dir: Path) -> None:
    at = _page()
    at.multiselect(key="cond_columns").set_value(["sex"]).run()
    at.multiselect(key="cond_sex_values").set_value(["Female"]).run()
    at.number_input(key="bulk_rows").set_value(70_000).run()
    at.text_input(key="bulk_name").set_value("women").run()
    at.button(key="bulk_button").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    target = out_dir / "women.parquet"
    table = pq.read_table(target)
    assert table.num_rows == 70_000
    assert set(table.column("sex").to_pylist()) == {"Female"}
    assert any(str(target) in s.value and "70,000 rows" in s.value for s in at.success)
    assert at.session_state["written_file"].path == str(target)
    assert [p.name for p in out_dir.iterdir()] == ["women.parquet"]  # no partial file left beside it


def test_a_path_instead_of_a_file_name_is_refused(out_dir: Path, tmp_path: Path) -> None:
    at = _page()
    at.number_input(key="bulk_rows").set_value(100).run()
    at.text_input(key="bulk_name").set_value("../escape.parquet").run()
    at.button(key="bulk_button").click().run()
    assert not at.exception
    assert any("not a plain file name" in e.value for e in at.error)
    assert not (tmp_path / "escape.parquet").exists()
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_cancel_says_nothing_was_written(out_dir: Path) -> None:
    at = _page()
    at.button(key="bulk_cancel").click().run()
    assert not at.exception
    assert any("Cancelled" in i.value for i in at.info)
    assert not out_dir.exists() or not any(out_dir.iterdir())
