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
    util = synth.evaluate_utility(train, syn, holdout, target="income", schema=schema)  # TSTR vs TRTR
    model.save("model.synth"); same = synth.load_model("model.synth")  # no pickle: JSON + npz

This package never imports streamlit.
"""

from synth.audit import AuditReport, Finding, audit
from synth.evaluation.fidelity.detection import DetectionResult, evaluate_detection
from synth.evaluation.fidelity.scores import FidelityResult, evaluate_fidelity
from synth.evaluation.fidelity.segments import Condition, SegmentResult, evaluate_segment, parse_conditions
from synth.evaluation.privacy.distances import PrivacyResult, evaluate_privacy
from synth.evaluation.utility.glm import GlmComparison, compare_glm
from synth.evaluation.utility.tstr import UtilityResult, evaluate_utility
from synth.io import SingleColumnError, TableReadError, TooManyRowsError, list_sheets, read_table, sample_rows
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
    "Condition",
    "DetectionResult",
    "FidelityResult",
    "Finding",
    "GlmComparison",
    "ModelFileError",
    "Param",
    "PrivacyResult",
    "ProgressCallback",
    "Schema",
    "SegmentResult",
    "SingleColumnError",
    "Synthesizer",
    "SynthesizerError",
    "TableReadError",
    "TooManyRowsError",
    "UtilityResult",
    "audit",
    "available",
    "compare_glm",
    "create",
    "evaluate_detection",
    "evaluate_fidelity",
    "evaluate_privacy",
    "evaluate_segment",
    "evaluate_utility",
    "infer_schema",
    "list_sheets",
    "load_model",
    "parse_conditions",
    "read_table",
    "sample_rows",
    "split",
]

# Appended (io-hardening): the limit errors, for callers that offer to raise a limit.
from synth.io import LimitExceededError
from synth.synthesizers.persist import ModelLimitError

__all__ += ["LimitExceededError", "ModelLimitError"]
