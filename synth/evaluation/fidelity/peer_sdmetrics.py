"""sdmetrics' own QualityReport and DiagnosticReport, run beside our scores for comparison with published numbers."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from synth.evaluation.fidelity.coding import _columns_to_compare
from synth.evaluation.fidelity.results import SDMETRICS_MAX_ROWS, SdmetricsScores
from synth.schema import ColumnKind, Schema, coerce_to_schema


def sdmetrics_metadata(schema: Schema, columns: Sequence[str]) -> dict[str, Any]:
    """sdmetrics' single-table metadata for the given columns."""
    sdtype = {
        ColumnKind.CONTINUOUS: "numerical",
        ColumnKind.DISCRETE: "numerical",
        ColumnKind.CATEGORICAL: "categorical",
        ColumnKind.BOOLEAN: "boolean",
        ColumnKind.DATETIME: "datetime",
    }
    return {"columns": {c: {"sdtype": sdtype[schema[c].kind]} for c in columns}}


def sdmetrics_quality(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    *,
    max_rows: int | None = SDMETRICS_MAX_ROWS,
    seed: int = 0,
    diagnostic: bool = True,
) -> SdmetricsScores:
    """Run sdmetrics' own QualityReport (and DiagnosticReport) on the modelled columns.

    Args:
        real: the real training table.
        synthetic: the synthetic table.
        schema: column kinds.
        max_rows: a larger synthetic table is reported on a seeded subsample of this many rows (sdmetrics
            takes about 8 s for a million rows).
        seed: seed of that subsample.
        diagnostic: also run the DiagnosticReport (data validity and structure).

    Returns:
        The scores, with the sdmetrics version and its pair thresholds.
    """
    import sdmetrics

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the single-table import path warns of a deprecation
        from sdmetrics.reports.single_table import DiagnosticReport, QualityReport

    names = _columns_to_compare(real, schema)
    if max_rows is not None and len(synthetic) > max_rows:
        synthetic = synthetic.sample(max_rows, random_state=seed)
    sub = schema.select(names)
    real, synthetic = coerce_to_schema(real[names], sub), coerce_to_schema(synthetic[names], sub)
    metadata = sdmetrics_metadata(schema, names)
    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(real[names], synthetic[names], metadata, verbose=False)
    props = report.get_properties().set_index("Property")["Score"]
    diag_score = validity = structure = None
    if diagnostic:
        try:
            diag = DiagnosticReport()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                diag.generate(real[names], synthetic[names], metadata, verbose=False)
            diag_props = diag.get_properties().set_index("Property")["Score"]
            diag_score = float(diag.get_score())
            validity = float(diag_props.get("Data Validity", float("nan")))
            structure = float(diag_props.get("Data Structure", float("nan")))
        except Exception:  # the diagnostic is a side dish; the quality scores stand without it
            diag_score = validity = structure = None
    return SdmetricsScores(
        version=sdmetrics.__version__,
        overall=float(report.get_score()),
        column_shapes=float(props.get("Column Shapes", float("nan"))),
        column_pair_trends=float(props.get("Column Pair Trends", float("nan"))),
        correlation_threshold=float(getattr(report, "real_correlation_threshold", 0.0)),
        association_threshold=float(getattr(report, "real_association_threshold", 0.0)),
        n_synthetic_rows=len(synthetic),
        diagnostic=diag_score,
        data_validity=validity,
        data_structure=structure,
    )
