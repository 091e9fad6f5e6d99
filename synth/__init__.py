"""synth: fit synthesizers on a real table, sample synthetic tables, and judge fidelity and privacy.

The public API is small and stable::

    import synth
    df = synth.read_table("adult.csv")
    schema = synth.infer_schema(df)
    report = synth.audit(df, schema)                      # findings before fitting, fit-time estimates
    train, holdout = synth.split(df, holdout=0.2, seed=0)
    model = synth.create("gaussian_copula").fit(train, schema)
    syn = model.sample(len(train), seed=1)
    ctx = synth.EvaluationContext(train, syn, holdout, schema)  # tables prepared once, shared by metrics
    acc = synth.evaluate_accuracy(context=ctx)             # 1-/2-/3-way accuracy, the holdout as ceiling
    disc = synth.evaluate_discriminator(context=ctx)       # can a classifier tell synthetic from real?
    fid = synth.evaluate_fidelity(train, syn, holdout=holdout, schema=schema)
    risk = synth.evaluate_privacy(train, syn, holdout=holdout, schema=schema)
    rare = synth.evaluate_rare_values(train, syn, holdout, schema=schema)  # train-only values reproduced?
    util = synth.evaluate_utility(train, syn, holdout, target="income", schema=schema)  # TSTR vs TRTR
    model.save("model.synth"); same = synth.load_model("model.synth")  # no pickle: JSON + npz
    result = synth.race(train, holdout)                   # every synthesizer fitted, sampled and scored
    again = synth.reproduce(manifest, df)                 # a run manifest redone, byte for byte

This package never imports streamlit.
"""

from synth.audit import AuditReport, Finding, audit
from synth.evaluation.context import ContextError, EvaluationContext
from synth.evaluation.fidelity.accuracy import AccuracyResult, evaluate_accuracy
from synth.evaluation.fidelity.detection import DetectionResult, evaluate_detection
from synth.evaluation.fidelity.discriminator import DiscriminatorResult, evaluate_discriminator
from synth.evaluation.fidelity.orders import ColumnOrder, OrderBreaks, evaluate_orders
from synth.evaluation.fidelity.scores import FidelityResult, evaluate_fidelity
from synth.evaluation.fidelity.segments import Condition, SegmentResult, evaluate_segment, parse_conditions
from synth.evaluation.privacy.distances import PrivacyResult, evaluate_privacy
from synth.evaluation.privacy.rare_values import RareValueResult, evaluate_rare_values
from synth.evaluation.utility.augmentation import AugmentationResult, evaluate_augmentation
from synth.evaluation.utility.fairness import FairnessResult, evaluate_fairness
from synth.evaluation.utility.glm import GlmComparison, compare_glm
from synth.evaluation.utility.tstr import UtilityResult, evaluate_utility
from synth.io import SingleColumnError, TableReadError, TooManyRowsError, list_sheets, read_table, sample_rows
from synth.progress import Cancelled, ProgressCallback
from synth.report import (
    Contender,
    EvaluationSettings,
    RaceResult,
    evaluate_external,
    evaluate_table,
    race,
)
from synth.report.manifest import reproduce
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
from synth.synthesizers.balance import balance_groups, balance_mix
from synth.synthesizers.coverage import Coverage, condition_coverage

__version__ = "0.1.0"

__all__ = [
    "AccuracyResult",
    "AuditReport",
    "AugmentationResult",
    "Cancelled",
    "ColumnKind",
    "ColumnOrder",
    "ColumnSpec",
    "Condition",
    "Contender",
    "ContextError",
    "Coverage",
    "DetectionResult",
    "DiscriminatorResult",
    "EvaluationContext",
    "EvaluationSettings",
    "FairnessResult",
    "FidelityResult",
    "Finding",
    "GlmComparison",
    "ModelFileError",
    "OrderBreaks",
    "Param",
    "PrivacyResult",
    "ProgressCallback",
    "RaceResult",
    "RareValueResult",
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
    "balance_groups",
    "balance_mix",
    "compare_glm",
    "condition_coverage",
    "create",
    "evaluate_accuracy",
    "evaluate_augmentation",
    "evaluate_detection",
    "evaluate_discriminator",
    "evaluate_external",
    "evaluate_fairness",
    "evaluate_fidelity",
    "evaluate_orders",
    "evaluate_privacy",
    "evaluate_rare_values",
    "evaluate_segment",
    "evaluate_table",
    "evaluate_utility",
    "infer_schema",
    "list_sheets",
    "load_model",
    "parse_conditions",
    "race",
    "read_table",
    "reproduce",
    "sample_rows",
    "split",
]

# Appended (io-hardening): the limit errors, for callers that offer to raise a limit.
from synth.io import LimitExceededError
from synth.synthesizers.persist import ModelLimitError

__all__ += ["LimitExceededError", "ModelLimitError"]

# Appended (race-honest): the real-only results a race shares between its runs, and every score of one context.
from synth.evaluation.reference import RealReference  # noqa: E402
from synth.report.evaluation import evaluate_context  # noqa: E402

__all__ += ["RealReference", "evaluate_context"]
