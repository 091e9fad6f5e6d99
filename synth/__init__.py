"""synth: fit synthesizers on a real table, sample synthetic tables, and judge fidelity and privacy.

The public API is small and stable::

    import synth
    df = synth.read_table("adult.csv")
    schema = synth.infer_schema(df)
    report = synth.audit(df, schema)                      # findings before fitting, fit-time estimates
    train, holdout = synth.split(df, holdout=0.2, seed=0)
    model = synth.create("gaussian_copula").fit(train, schema)
    syn = model.sample(len(train), seed=1)
    fid = synth.evaluate_fidelity(train, syn, holdout=holdout, schema=schema)
    risk = synth.evaluate_privacy(train, syn, holdout=holdout, schema=schema)
    model.save("model.synth"); same = synth.load_model("model.synth")  # no pickle: JSON + npz

This package never imports streamlit.
"""

from synth.audit import AuditReport, Finding, audit
from synth.io import SingleColumnError, TableReadError, TooManyRowsError, list_sheets, read_table, sample_rows
from synth.metrics.fidelity import FidelityResult, evaluate_fidelity
from synth.metrics.privacy import PrivacyResult, evaluate_privacy
from synth.progress import Cancelled, ProgressCallback
from synth.schema import ColumnKind, ColumnSpec, Schema, infer_schema
from synth.split import split
from synth.synthesizers import (
    ModelFileError,
    Param,
    Synthesizer,
    SynthesizerError,
    available,
    create,
    load_model,
)

__version__ = "0.1.0"

__all__ = [
    "AuditReport",
    "Cancelled",
    "ColumnKind",
    "ColumnSpec",
    "FidelityResult",
    "Finding",
    "ModelFileError",
    "Param",
    "PrivacyResult",
    "ProgressCallback",
    "Schema",
    "SingleColumnError",
    "Synthesizer",
    "SynthesizerError",
    "TableReadError",
    "TooManyRowsError",
    "audit",
    "available",
    "create",
    "evaluate_fidelity",
    "evaluate_privacy",
    "infer_schema",
    "list_sheets",
    "load_model",
    "read_table",
    "sample_rows",
    "split",
]
