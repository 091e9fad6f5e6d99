"""The public API of DESIGN.md exists, works end to end, and never pulls in streamlit."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

import synth


def test_importing_synth_leaves_streamlit_out() -> None:
    code = (
        "import sys, synth, synth.plots, synth.evaluation.fidelity.scores, synth.evaluation.privacy.distances\n"
        "import synth.synthesizers\n"
        "assert 'streamlit' not in sys.modules, sorted(m for m in sys.modules if 'streamlit' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_api_walks_the_design_example(adult_small: pd.DataFrame) -> None:
    schema = synth.infer_schema(adult_small)
    assert schema.names == list(adult_small.columns)
    assert synth.Schema.from_json(schema.to_json()) == schema
    train, holdout = synth.split(adult_small, holdout=0.2, seed=0)
    assert {"independent", "gaussian_copula"} <= set(synth.available())
    model = synth.create("gaussian_copula").fit(train, schema)
    syn = model.sample(len(train), seed=1)
    fid = synth.evaluate_fidelity(train, syn, holdout=holdout, schema=schema, run_sdmetrics=False)
    risk = synth.evaluate_privacy(train, syn, holdout=holdout, schema=schema)
    assert 0.0 <= fid.overall <= 1.0
    assert 0.0 <= risk.dcr_share <= 1.0


def test_read_table_from_path_bytes_and_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    for source in (path, str(path), path.read_bytes(), path.open("rb")):
        got = synth.read_table(source, name="t.csv")
        assert list(got.columns) == ["a", "b"] and len(got) == 3
