"""Pre-flight audit: the problems of a table and its schema, found before any synthesizer is fitted.

:func:`audit` lists findings (each with a severity, the columns concerned, what was found and what to do)
and estimates each synthesizer's fit time and peak memory on this table from a model calibrated by
``benchmarks/calibrate_fit.py`` (shipped as ``synth/calibration.json``).

The checks cost about as much as reading the table once: counts use ``pd.factorize`` codes computed once
per column, pairwise checks (columns that determine each other) run on a sample and are confirmed on the
whole table, and pattern checks look at a sample of values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from synth.audit.calibration import FitShape, estimate_fit, fit_shape, load_calibration
from synth.audit.checks import _column_checks, _table_checks
from synth.audit.coarser_codes import coarser_codes
from synth.audit.findings import _ORDER, RARE_ROWS, AuditReport, Finding, FitEstimate
from synth.audit.levels import _Column, _dependencies, _dependency_findings, _factorize
from synth.audit.wording import _names, _pct
from synth.io.frame_checks import check_frame
from synth.schema import ColumnKind, Schema, suggest_flags

# ------------------------------------------------------------------------------------------------- audit


def audit(
    df: pd.DataFrame,
    schema: Schema,
    *,
    synthesizers: Iterable[str] | None = None,
    rare_rows: int = RARE_ROWS,
    calibration: Mapping[str, Any] | None = None,
    fit_rows: pd.DataFrame | None = None,
) -> AuditReport:
    """List the problems of a table before fitting, and estimate what fitting will cost.

    Findings: columns in the schema but not the table (error), too few rows, kinds the values do not fit
    (numbers or dates that do not parse), identifier-like and high-cardinality categorical columns (over
    1,000 levels or over 50% distinct), integer-encoded dates, codes with leading zeros, columns over 20%
    missing or entirely missing, constant columns, rare categories (fewer than ``rare_rows`` rows),
    duplicate rows, columns that determine each other (education ↔ education_num), strongly skewed
    numbers, identifier / PII / text columns (generated, not learned), and, when the schema flags
    quasi-identifiers, how many rows are unique on them.

    Args:
        df: the real table.
        schema: its schema (inferred or edited).
        synthesizers: names to estimate (default: every registered synthesizer; ``()``: none).
        rare_rows: categories seen in fewer rows are rare.
        calibration: fit-cost coefficients (default: the shipped calibration).
        fit_rows: the rows a fit will see (the train split), on which the fit cost is estimated; default ``df``.
            The findings are always about ``df``.

    Returns:
        The report, most severe findings first.

    Raises:
        synth.TableReadError: a table no step can read (:func:`synth.io.frame_checks.check_frame`), as
            :func:`synth.infer_schema` refuses it.
    """
    check_frame(df)
    findings: list[Finding] = []
    n_rows, n_cols = len(df), df.shape[1]
    absent = [c for c in schema.names if c not in df.columns]
    if absent:
        findings.append(
            Finding(
                "error",
                tuple(absent),
                "Columns missing from the table",
                f"the schema names {len(absent)} column(s) the table lacks: {_names(absent)}",
                "Infer the schema again from this table.",
                "schema_mismatch",
            )
        )
    extra = [str(c) for c in df.columns if c not in schema]
    if extra:
        findings.append(
            Finding(
                "warning",
                tuple(extra),
                "Columns not in the schema",
                f"{len(extra)} column(s) of the table are not in the schema and will be left out: {_names(extra)}",
                "Infer the schema again if they should be synthesized.",
                "schema_mismatch",
            )
        )
    specs = [s for s in schema if s.name in df.columns]
    findings += _table_checks(n_rows, specs)
    columns: dict[str, _Column] = {}
    for spec in specs:
        series = df[spec.name]
        if spec.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.DISCRETE, ColumnKind.DATETIME):
            columns[spec.name] = _factorize(series)
        findings += _column_checks(series, spec, columns.get(spec.name), n_rows, rare_rows)
    compared = [s.name for s in specs if s.kind is not ColumnKind.IDENTIFIER]
    duplicates = int(df[compared].duplicated().sum()) if compared and n_rows else 0
    if duplicates:
        share = duplicates / n_rows
        keys = " (identifier columns aside)" if len(compared) < len(specs) else ""
        findings.append(
            Finding(
                "warning" if share > 0.01 else "info",
                (),
                "Duplicate rows",
                f"{duplicates:,} rows ({_pct(share)}) exactly repeat an earlier row{keys}",
                "If they are real repeats, keep them; if they are an export error, remove them. Synthetic rows "
                "identical to them are not necessarily copies of one person.",
                "duplicate_rows",
            )
        )
    dependencies = _dependencies(columns, n_rows)
    findings += _dependency_findings(dependencies, columns)
    unique_qi: int | None = None
    qis = [s.name for s in specs if s.quasi_identifier]
    if qis and n_rows:
        unique_qi = int((~df[qis].duplicated(keep=False)).sum())
        share = unique_qi / n_rows
        findings.append(
            Finding(
                "warning" if share > 0.01 else "info",
                tuple(qis),
                "Rows unique on the quasi-identifiers",
                f"{unique_qi:,} rows ({_pct(share)}) have a combination of {_names(qis)} that no other row has: "
                "anyone who knows these values about a person can single out their row",
                "Coarsen the quasi-identifiers (age bands, shorter zip codes) or drop some, and check the "
                "singling-out risk on the Privacy page.",
                "unique_quasi_identifiers",
            )
        )
    elif not qis:
        suggested = [name for name, (_, quasi) in suggest_flags(Schema(tuple(specs))).items() if quasi]
        if suggested:
            findings.append(
                Finding(
                    "info",
                    tuple(suggested),
                    "Possible quasi-identifiers",
                    f"{_names(suggested)} {'looks' if len(suggested) == 1 else 'look'} like what an attacker could "
                    "know about a person (judging by the column names)",
                    "Mark them as quasi-identifiers to measure how many rows they single out.",
                    "suggested_quasi_identifiers",
                )
            )
    fitted = df if fit_rows is None else fit_rows
    estimates = fit_estimates(fitted, Schema(tuple(specs)), synthesizers=synthesizers, calibration=calibration)
    findings.sort(key=lambda f: _ORDER[f.severity])
    return AuditReport(
        n_rows=n_rows,
        n_columns=n_cols,
        findings=tuple(findings),
        estimates=estimates,
        duplicate_rows=duplicates,
        unique_on_quasi_identifiers=unique_qi,
        dependencies=tuple(dependencies),
        coarser_codes=coarser_codes(df, schema, rare_rows),
    )


def fit_estimates(
    train: pd.DataFrame,
    schema: Schema,
    *,
    synthesizers: Iterable[str] | None = None,
    calibration: Mapping[str, Any] | None = None,
) -> tuple[FitEstimate, ...]:
    """Each synthesizer's fit time and peak memory on ``train``: pass the rows the fit will see (the train split,
    not the whole table, which a holdout of 20% makes a quarter larger than what is fitted).

    Args:
        train: the rows to fit on.
        schema: their schema; columns it names that ``train`` lacks are left out.
        synthesizers: names to estimate (default: every registered synthesizer; ``()``: none, nothing counted).
        calibration: fit-cost coefficients (default: the shipped calibration).

    Returns:
        One estimate per synthesizer, in the order given.
    """
    if synthesizers is not None:
        synthesizers = tuple(synthesizers)
        if not synthesizers:
            return ()
    shape = fit_shape(train, Schema(tuple(s for s in schema if s.name in train.columns)))
    return estimate_fit(shape.rows, shape.columns, synthesizers, calibration, shape=shape)


__all__ = [
    "AuditReport",
    "Finding",
    "FitEstimate",
    "FitShape",
    "audit",
    "estimate_fit",
    "fit_estimates",
    "fit_shape",
    "load_calibration",
]
