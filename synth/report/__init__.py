"""Decide and share: race synthesizers, evaluate any synthetic table, the HTML/JSON report, the data card and the
run manifest."""

from synth.report.evaluation import EvaluationSettings, TableEvaluation, evaluate_context, evaluate_table
from synth.report.external import (
    ColumnCheck,
    ExternalResult,
    ExternalTableError,
    check_columns,
    evaluate_external,
    evaluate_run,
)
from synth.report.race import (
    Contender,
    RaceError,
    RaceResult,
    RunResult,
    default_contenders,
    pareto_front,
    race,
    sweep,
    takes_declared_orders,
    takes_public_domains,
    with_declared_orders,
    with_public_domains,
)

__all__ = [
    "ColumnCheck",
    "Contender",
    "EvaluationSettings",
    "ExternalResult",
    "ExternalTableError",
    "RaceError",
    "RaceResult",
    "RunResult",
    "TableEvaluation",
    "check_columns",
    "default_contenders",
    "evaluate_context",
    "evaluate_external",
    "evaluate_run",
    "evaluate_table",
    "pareto_front",
    "race",
    "sweep",
    "takes_declared_orders",
    "takes_public_domains",
    "with_declared_orders",
    "with_public_domains",
]
