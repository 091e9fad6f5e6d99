"""The walk tables' writers: ``python -m benchmarks.walk_tables DIR`` and ``python -m benchmarks.ledger OUT.csv``.

Session 30's walk found the first failing on a folder that did not exist yet and the second with no way to write
its table at all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from benchmarks import ledger, walk_tables

ROOT = Path(__file__).resolve().parents[2]


def test_walk_tables_makes_its_folder_and_writes_the_six_tables(tmp_path: Path) -> None:
    folder = tmp_path / "not" / "yet"
    written = walk_tables.main([str(folder)])
    names = ["clinic.csv", "hr.csv", "orders.csv", "survey.csv", "transactions.jsonl", "visits.csv"]
    assert sorted(p.name for p in written) == names
    survey = pd.read_csv(folder / "survey.csv")
    assert len(survey) == len(walk_tables.survey())
    # The nested records read back as the table the walk uploaded: one column per field, the times as written.
    import synth

    read = synth.read_table(folder / "transactions.jsonl")
    pd.testing.assert_frame_equal(read, walk_tables.card_transactions())
    assert {"account.iban", "amount.value", "merchant.mcc"} <= set(read.columns)
    assert read["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z").all()


def test_the_ledger_is_written_by_its_module_as_the_table_it_builds(tmp_path: Path) -> None:
    out = tmp_path / "new" / "ledger.csv"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.ledger", str(out)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    read = pd.read_csv(out, dtype=str, keep_default_na=False)
    built = ledger.ledger().astype(object).where(lambda t: t.notna(), "").astype(str)
    pd.testing.assert_frame_equal(read, built, check_dtype=False)
