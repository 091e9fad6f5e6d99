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

This package never imports streamlit. ``import synth`` itself imports nothing heavy: each name above is imported
from its module on first use (module ``__getattr__``), so the command line's ``--help`` and quick commands do not
pay for scikit-learn, scipy.stats or plotly (a test checks ``sys.modules`` in a fresh interpreter).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from synth.evaluation.reference import RealReference
    from synth.evaluation.utility.augmentation import AugmentationResult, evaluate_augmentation
    from synth.evaluation.utility.fairness import FairnessResult, evaluate_fairness
    from synth.evaluation.utility.glm import GlmComparison, compare_glm
    from synth.evaluation.utility.tstr import UtilityResult, evaluate_utility
    from synth.io import (
        LimitExceededError,
        SingleColumnError,
        TableReadError,
        TooManyRowsError,
        list_sheets,
        read_table,
        sample_rows,
    )
    from synth.progress import Cancelled, ProgressCallback
    from synth.report.evaluation import EvaluationSettings, evaluate_context, evaluate_table
    from synth.report.external import evaluate_external
    from synth.report.manifest import reproduce
    from synth.report.race import Contender, RaceResult, race
    from synth.schema import ColumnKind, ColumnSpec, Schema, infer_schema
    from synth.split import SplitError, split
    from synth.synthesizers import ModelFileError, Param, Synthesizer, SynthesizerError, available, create, load_model
    from synth.synthesizers.balance import balance_groups, balance_mix
    from synth.synthesizers.coverage import Coverage, condition_coverage
    from synth.synthesizers.persist import ModelLimitError

__version__ = "0.1.0"

#: Each public name, by the module it is imported from on first use.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "synth.audit": ("AuditReport", "Finding", "audit"),
    "synth.evaluation.context": ("ContextError", "EvaluationContext"),
    "synth.evaluation.fidelity.accuracy": ("AccuracyResult", "evaluate_accuracy"),
    "synth.evaluation.fidelity.detection": ("DetectionResult", "evaluate_detection"),
    "synth.evaluation.fidelity.discriminator": ("DiscriminatorResult", "evaluate_discriminator"),
    "synth.evaluation.fidelity.orders": ("ColumnOrder", "OrderBreaks", "evaluate_orders"),
    "synth.evaluation.fidelity.scores": ("FidelityResult", "evaluate_fidelity"),
    "synth.evaluation.fidelity.segments": ("Condition", "SegmentResult", "evaluate_segment", "parse_conditions"),
    "synth.evaluation.privacy.distances": ("PrivacyResult", "evaluate_privacy"),
    "synth.evaluation.privacy.rare_values": ("RareValueResult", "evaluate_rare_values"),
    "synth.evaluation.utility.augmentation": ("AugmentationResult", "evaluate_augmentation"),
    "synth.evaluation.utility.fairness": ("FairnessResult", "evaluate_fairness"),
    "synth.evaluation.utility.glm": ("GlmComparison", "compare_glm"),
    "synth.evaluation.utility.tstr": ("UtilityResult", "evaluate_utility"),
    "synth.io": (
        "LimitExceededError",
        "SingleColumnError",
        "TableReadError",
        "TooManyRowsError",
        "list_sheets",
        "read_table",
        "sample_rows",
    ),
    "synth.progress": ("Cancelled", "ProgressCallback"),
    "synth.report.evaluation": ("EvaluationSettings", "evaluate_context", "evaluate_table"),
    "synth.report.external": ("evaluate_external",),
    "synth.report.manifest": ("reproduce",),
    "synth.report.race": ("Contender", "RaceResult", "race"),
    "synth.schema": ("ColumnKind", "ColumnSpec", "Schema", "infer_schema"),
    "synth.split": ("split", "SplitError"),
    "synth.synthesizers": (
        "ModelFileError",
        "Param",
        "Synthesizer",
        "SynthesizerError",
        "available",
        "create",
        "load_model",
    ),
    "synth.synthesizers.balance": ("balance_groups", "balance_mix"),
    "synth.synthesizers.coverage": ("Coverage", "condition_coverage"),
    "synth.synthesizers.persist": ("ModelLimitError",),
    "synth.evaluation.reference": ("RealReference",),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

# Spelled out (not built from _EXPORTS) for mypy and ruff; tests check the three lists agree.
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
    "LimitExceededError",
    "ModelFileError",
    "ModelLimitError",
    "OrderBreaks",
    "Param",
    "PrivacyResult",
    "ProgressCallback",
    "RaceResult",
    "RareValueResult",
    "RealReference",
    "Schema",
    "SegmentResult",
    "SingleColumnError",
    "SplitError",
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
    "evaluate_context",
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


class _Package(types.ModuleType):
    """This package's module type: an imported submodule never replaces the public name it shares."""

    def __setattr__(self, name: str, value: Any) -> None:
        # Importing synth.audit or synth.split for the first time binds that module here (importlib's setattr),
        # over the function audit or split; they were imported eagerly before (the module bound, then replaced),
        # now any code may import the submodule first.
        if isinstance(value, types.ModuleType) and name in _MODULE_OF:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use; a subpackage (``synth.report``) as ``import synth``
    gave it before the names became lazy."""
    module = _MODULE_OF.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
    else:
        try:
            value = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
