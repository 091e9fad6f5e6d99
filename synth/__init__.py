"""synth: fit synthesizers on a real table, sample synthetic tables, and judge fidelity and privacy.

The public API is small and stable::

    import synth
    df = synth.read_table("adult.csv")
    schema = synth.infer_schema(df)
    train, holdout = synth.split(df, holdout=0.2, seed=0)
    model = synth.create("gaussian_copula").fit(train, schema)
    syn = model.sample(len(train), seed=1)
    fid = synth.evaluate_fidelity(train, syn, holdout=holdout, schema=schema)
    risk = synth.evaluate_privacy(train, syn, holdout=holdout, schema=schema)

This package never imports streamlit.
"""

from synth.io import TableReadError, read_table
from synth.metrics.fidelity import FidelityResult, evaluate_fidelity
from synth.metrics.privacy import PrivacyResult, evaluate_privacy
from synth.progress import Cancelled, ProgressCallback
from synth.schema import ColumnKind, ColumnSpec, Schema, infer_schema
from synth.split import split
from synth.synthesizers import Param, Synthesizer, SynthesizerError, available, create

__version__ = "0.1.0"

__all__ = [
    "Cancelled",
    "ColumnKind",
    "ColumnSpec",
    "FidelityResult",
    "Param",
    "PrivacyResult",
    "ProgressCallback",
    "Schema",
    "Synthesizer",
    "SynthesizerError",
    "TableReadError",
    "available",
    "create",
    "evaluate_fidelity",
    "evaluate_privacy",
    "infer_schema",
    "read_table",
    "split",
]
