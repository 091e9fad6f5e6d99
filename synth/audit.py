"""Pre-flight audit: the problems of a table and its schema, found before any synthesizer is fitted.

:func:`audit` lists findings (each with a severity, the columns concerned, what was found and what to do)
and estimates each synthesizer's fit time and peak memory on this table from a model calibrated by
``benchmarks/calibrate_fit.py`` (shipped as ``synth/calibration.json``).

The checks cost about as much as reading the table once: counts use ``pd.factorize`` codes computed once
per column, pairwise checks (columns that determine each other) run on a sample and are confirmed on the
whole table, and pattern checks look at a sample of values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from synth.schema import (
    ColumnKind,
    Schema,
    integer_date_format,
    parse_datetimes,
    suggest_flags,
)
from synth.schema.pii import pii_shares

Severity = Literal["info", "warning", "error"]

#: Fit-cost coefficients written by ``benchmarks/calibrate_fit.py`` (package data).
CALIBRATION_PATH = Path(__file__).with_name("calibration.json")

_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

#: A categorical column with more levels than this (or more than half its values distinct) is flagged.
HIGH_CARDINALITY_LEVELS = 1_000
#: Columns with more missing values than this share are flagged.
MISSING_SHARE = 0.20
#: Categories seen in fewer rows than this are rare.
RARE_ROWS = 5
#: Numeric columns whose skewness exceeds this (in absolute value) are flagged.
SKEWNESS = 2.0
#: Rows used to find candidate column dependencies (confirmed on the whole table).
_PAIR_SAMPLE = 20_000
#: Values sampled for pattern checks.
_SAMPLE = 2_000


@dataclass(frozen=True)
class Finding:
    """One problem (or fact worth knowing) about the table.

    Attributes:
        severity: ``"error"`` (fitting would fail or produce nonsense), ``"warning"`` (results or privacy
            suffer unless the user acts), ``"info"`` (how the column will be handled).
        columns: the columns concerned (empty for the whole table).
        title: a one-line summary.
        detail: what was found, with numbers.
        suggestion: what to do about it.
        code: a stable key for the kind of finding (e.g. ``"high_cardinality"``).
    """

    severity: Severity
    columns: tuple[str, ...]
    title: str
    detail: str
    suggestion: str
    code: str


@dataclass(frozen=True)
class FitEstimate:
    """Expected fit time and peak extra memory of one synthesizer on the audited table.

    Attributes:
        synthesizer: registered name.
        seconds: expected fit time on the calibration machine; None when not calibrated.
        peak_mb: expected peak memory used by the fit beyond the table itself, in MB; None when not
            calibrated.
        note: how far to trust it (e.g. extrapolated beyond the calibrated sizes).
    """

    synthesizer: str
    seconds: float | None
    peak_mb: float | None
    note: str = ""


@dataclass(frozen=True)
class AuditReport:
    """The findings of :func:`audit`, most severe first, and the fit estimates.

    Attributes:
        n_rows: rows of the table.
        n_columns: columns of the table.
        findings: the findings, errors first.
        estimates: one per registered synthesizer.
        duplicate_rows: rows that exactly repeat an earlier row (identifier columns left out of the comparison).
        unique_on_quasi_identifiers: rows whose quasi-identifier values no other row shares (the
            re-identification surface); None when the schema flags no quasi-identifier.
    """

    n_rows: int
    n_columns: int
    findings: tuple[Finding, ...] = ()
    estimates: tuple[FitEstimate, ...] = ()
    duplicate_rows: int = 0
    unique_on_quasi_identifiers: int | None = None
    dependencies: tuple[tuple[str, str], ...] = field(default=())

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings of severity error."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings of severity warning."""
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def infos(self) -> tuple[Finding, ...]:
        """Findings of severity info."""
        return tuple(f for f in self.findings if f.severity == "info")

    @property
    def ok(self) -> bool:
        """Whether nothing stops fitting (no error)."""
        return not self.errors

    def codes(self) -> set[str]:
        """The codes of all findings."""
        return {f.code for f in self.findings}

    def for_column(self, name: str) -> tuple[Finding, ...]:
        """Findings that concern column ``name``."""
        return tuple(f for f in self.findings if name in f.columns)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dictionary."""
        return asdict(self)


# ------------------------------------------------------------------------------------------- calibration


@lru_cache(maxsize=1)
def load_calibration() -> dict[str, Any]:
    """The fit-cost calibration shipped with the package (``synth/calibration.json``); empty if absent."""
    try:
        text = CALIBRATION_PATH.read_text(encoding="utf-8")
    except OSError:
        return {}
    data = json.loads(text)
    return data if isinstance(data, dict) else {}


def estimate_fit(
    n_rows: int,
    n_columns: int,
    synthesizers: Iterable[str] | None = None,
    calibration: Mapping[str, Any] | None = None,
) -> tuple[FitEstimate, ...]:
    """Expected fit time and peak memory of synthesizers on a table of ``n_rows`` × ``n_columns``.

    The model is linear in the number of cells, ``seconds ≈ a + b·rows·columns`` and
    ``peak_mb ≈ c + d·rows·columns``, with coefficients per synthesizer measured on subsamples of UCI Adult
    by ``benchmarks/calibrate_fit.py``.

    Args:
        n_rows: rows to fit on.
        n_columns: modelled columns.
        synthesizers: names (default: every registered synthesizer).
        calibration: coefficients (default: :func:`load_calibration`).

    Returns:
        One estimate per synthesizer, in the order given.
    """
    if synthesizers is None:
        from synth.synthesizers import available

        synthesizers = available()
    table = (calibration if calibration is not None else load_calibration()).get("synthesizers", {})
    cells = float(n_rows) * float(n_columns)
    out = []
    for name in synthesizers:
        coef = table.get(name)
        if not coef:
            out.append(FitEstimate(name, None, None, "not calibrated: run benchmarks/calibrate_fit.py"))
            continue
        a, b = coef["seconds"]
        c, d = coef["peak_mb"]
        note = ""
        largest = float(coef.get("max_cells", 0))
        if largest and cells > 2 * largest:
            note = f"extrapolated from tables of up to {largest:,.0f} cells"
        out.append(FitEstimate(name, max(0.0, a + b * cells), max(0.0, c + d * cells), note))
    return tuple(out)


# ------------------------------------------------------------------------------------------------ helpers


def _names(columns: Iterable[str]) -> str:
    items = list(columns)
    shown = ", ".join(items[:6])
    return shown + (f" and {len(items) - 6} more" if len(items) > 6 else "")


def _pct(share: float) -> str:
    if 0 < share < 0.001:
        return "<0.1%"
    return f"{share:.1%}"


def _rows(k: int) -> str:
    return f"{k:,} row" if k == 1 else f"{k:,} rows"


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:27] + "..."


@dataclass
class _Column:
    """Per-column counts computed once: factorised codes (missing as its own code) and level counts."""

    codes: np.ndarray
    counts: np.ndarray
    uniques: Any
    n_missing: int

    @property
    def n_levels(self) -> int:
        return len(self.counts)


def _factorize(series: pd.Series) -> _Column:
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): count them by their text
        codes, uniques = pd.factorize(series.astype(str).where(series.notna()), use_na_sentinel=True)
    missing = codes < 0
    n_missing = int(missing.sum())
    if n_missing:
        codes = np.where(missing, len(uniques), codes)
    counts = np.bincount(codes, minlength=len(uniques) + (1 if n_missing else 0))
    return _Column(codes.astype(np.int64), counts, uniques, n_missing)


def _sample(series: pd.Series, k: int = _SAMPLE) -> pd.Series:
    """Up to about ``k`` non-missing values, drawn at random (seeded)."""
    if len(series) <= 2 * k:
        return series.dropna()
    rows = np.random.default_rng(0).choice(len(series), size=k, replace=False)
    picked = series.iloc[np.sort(rows)].dropna()
    return picked if len(picked) else series.dropna().iloc[:k]


# ------------------------------------------------------------------------------------------------- audit


def audit(
    df: pd.DataFrame,
    schema: Schema,
    *,
    synthesizers: Iterable[str] | None = None,
    rare_rows: int = RARE_ROWS,
    calibration: Mapping[str, Any] | None = None,
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
        synthesizers: names to estimate (default: every registered synthesizer).
        rare_rows: categories seen in fewer rows are rare.
        calibration: fit-cost coefficients (default: the shipped calibration).

    Returns:
        The report, most severe findings first.
    """
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
    modelled = [s.name for s in specs if s.kind.is_modelled]
    estimates = estimate_fit(n_rows, len(modelled), synthesizers, calibration)
    findings.sort(key=lambda f: _ORDER[f.severity])
    return AuditReport(
        n_rows=n_rows,
        n_columns=n_cols,
        findings=tuple(findings),
        estimates=estimates,
        duplicate_rows=duplicates,
        unique_on_quasi_identifiers=unique_qi,
        dependencies=tuple(dependencies),
    )


def _table_checks(n_rows: int, specs: list[Any]) -> list[Finding]:
    out = []
    if n_rows < 2:
        out.append(
            Finding(
                "error",
                (),
                "Too few rows",
                f"the table has {n_rows} row(s); fitting needs at least 2",
                "Upload a table with more rows.",
                "too_few_rows",
            )
        )
    elif n_rows < 100:
        out.append(
            Finding(
                "warning",
                (),
                "Few rows",
                f"the table has only {n_rows} rows: synthesizers learn little from it, and each row is a large "
                "share of what they learn (a privacy risk)",
                "Use a larger table if you can; treat scores on this one as rough.",
                "few_rows",
            )
        )
    if len(specs) == 1:
        out.append(
            Finding(
                "warning",
                (specs[0].name,),
                "A single column",
                "the table has one column: a synthesizer can copy its distribution, but there are no "
                "relationships between columns to learn or to check",
                "If the file has more columns, check its delimiter.",
                "single_column",
            )
        )
    if specs and not any(s.kind.is_modelled for s in specs):
        generated = [s.name for s in specs if s.kind in (ColumnKind.PII, ColumnKind.IDENTIFIER)]
        every = (
            "every column was found to be personal data or an identifier"
            if len(generated) == len(specs)
            else ("no column is numeric, categorical, boolean or a date")
        )
        out.append(
            Finding(
                "warning",
                tuple(generated),
                "Nothing to learn",
                f"{every}: every column will be generated (identifiers, fake personal data, placeholder text, "
                "constants) and the synthetic table will carry no information from the real one",
                "If some columns carry information (categories, amounts, dates), change their kind on the Data "
                "page; each personal-data and identifier finding says why its column was flagged.",
                "nothing_modelled",
            )
        )
    return out


def _column_checks(series: pd.Series, spec: Any, col: _Column | None, n_rows: int, rare_rows: int) -> list[Finding]:
    name = spec.name
    out: list[Finding] = []
    n_missing = int(series.isna().sum())
    n_present = n_rows - n_missing
    kind = spec.kind
    if n_rows and n_missing == n_rows:
        return [
            Finding(
                "warning",
                (name,),
                "Entirely missing",
                f"{name} has no value in any row",
                "Drop the column; it carries no information (it will be generated as empty).",
                "all_missing",
            )
        ]
    if n_rows and n_missing / n_rows > MISSING_SHARE:
        out.append(
            Finding(
                "warning",
                (name,),
                "Many missing values",
                f"{_pct(n_missing / n_rows)} of {name} is missing ({n_missing:,} rows)",
                "Synthesizers reproduce the missing rate and its link to other columns; check whether "
                "'missing' has a meaning here (not asked, not applicable) before comparing.",
                "missing",
            )
        )
    sample = _sample(series)
    if kind is ColumnKind.CONSTANT:
        out.append(
            Finding(
                "info",
                (name,),
                "Constant column",
                f"{name} holds a single value; it will be copied, not learned",
                "Drop it if it carries no information.",
                "constant",
            )
        )
    elif kind is ColumnKind.IDENTIFIER:
        out.append(
            Finding(
                "info",
                (name,),
                "Identifier",
                f"{name} is a key, judged by its values whatever its name ({spec.reason}); it is regenerated in "
                "the same format with one more digit, unique, never equal to a real key, and no real key (nor a "
                "hash of one) is kept in a model file",
                "Nothing to do. If it carries information shared by many rows (a product line, a region code), "
                "change its kind to categorical on the Data page: values held by fewer than 5 rows are then "
                "learned only as '(other)'.",
                "identifier",
            )
        )
    elif kind is ColumnKind.PII:
        out.append(
            Finding(
                "info",
                (name,),
                "Personal data",
                f"{name} holds personal data ({spec.pii_type or 'unknown type'}), judged by its values whatever "
                f"its name: {spec.reason}. It is replaced by realistic fake values (reserved e-mail domains, "
                "fictional phone lines, never-issued numbers), none equal to a real one, and no real value nor a "
                "hash of one is kept in a model file",
                "Nothing to do; drop the column if the synthetic table does not need it. If the values only look "
                "like personal data, change its kind on the Data page: it is then learned, with values held by "
                "fewer than 5 rows hidden as '(other)'.",
                "pii",
            )
        )
    elif kind is ColumnKind.TEXT:
        out.append(
            Finding(
                "info",
                (name,),
                "Free text",
                f"{name} is free text; it is replaced by placeholder sentences (free text can name people)",
                "Nothing to do; extract categories from it first if they matter.",
                "text",
            )
        )
    if kind.is_numeric and not pd.api.types.is_numeric_dtype(series.dtype) and len(sample):
        bad = float(pd.to_numeric(sample, errors="coerce").isna().mean())
        if bad > 0.05:
            out.append(
                Finding(
                    "error" if bad > 0.5 else "warning",
                    (name,),
                    "Values are not numbers",
                    f"{_pct(bad)} of sampled values of {name} do not read as numbers and would become missing",
                    "Change the column's kind (categorical or text), or fix the values.",
                    "kind_mismatch",
                )
            )
    if kind is ColumnKind.DATETIME and not pd.api.types.is_datetime64_any_dtype(series.dtype) and len(sample):
        bad = float(parse_datetimes(sample, spec.datetime_format).isna().mean())
        if bad > 0.05:
            out.append(
                Finding(
                    "error" if bad > 0.5 else "warning",
                    (name,),
                    "Values are not dates",
                    f"{_pct(bad)} of sampled values of {name} do not read as dates"
                    + (f" in the format {spec.datetime_format}" if spec.datetime_format else "")
                    + " and would become missing",
                    "Change the column's kind or its date format.",
                    "kind_mismatch",
                )
            )
        elif pd.api.types.is_numeric_dtype(series.dtype):
            out.append(
                Finding(
                    "info",
                    (name,),
                    "Dates stored as numbers",
                    f"{name} holds dates encoded as numbers ({spec.datetime_format}); they are modelled as dates "
                    "and written back as numbers in the same encoding",
                    "Nothing to do.",
                    "integer_dates",
                )
            )
    if kind.is_numeric and pd.api.types.is_numeric_dtype(series.dtype) and n_present:
        values = series.dropna().to_numpy(dtype=float)
        if np.all(np.isfinite(values)) and np.all(np.floor(values) == values):
            dates = integer_date_format(name, values, sample.to_numpy(dtype=float))
            if dates is not None:
                out.append(
                    Finding(
                        "warning",
                        (name,),
                        "Dates stored as integers",
                        f"{name} looks like dates encoded as numbers ({dates[1]}); as a number, a synthesizer "
                        "can produce impossible dates such as 20230231",
                        "Mark the column as a datetime.",
                        "integer_dates",
                    )
                )
        out += _skew(series, name)
    if not pd.api.types.is_numeric_dtype(series.dtype) and len(sample):
        text = sample.astype(str)
        if text.str.fullmatch(r"\d+").mean() >= 0.9 and text.str.fullmatch(r"0\d+").any():
            out.append(
                Finding(
                    "info",
                    (name,),
                    "Leading zeros",
                    f"{name} holds digit codes with leading zeros (such as zip or account numbers); they are kept "
                    "as text so that 02134 stays 02134",
                    "Keep the column as text (categorical or identifier); do not treat it as a number.",
                    "leading_zeros",
                )
            )
    if col is not None and kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        out += _category_checks(name, col, n_present, rare_rows)
    if kind is ColumnKind.CATEGORICAL and len(sample):
        out += _personal_values(name, sample, rare_rows)
    return out


#: A learned column where at least this share of sampled values is shaped like personal data gets a warning.
PERSONAL_VALUES_SHARE = 0.01


def _personal_values(name: str, sample: pd.Series, rare_rows: int) -> list[Finding]:
    """A warning for personal data mixed into a learned column, below the share that makes it PII."""
    values = [str(v).strip() for v in sample]
    shares = {k: v for k, v in pii_shares(name, values).items() if v >= PERSONAL_VALUES_SHARE}
    if not shares:
        return []
    kind, share = max(shares.items(), key=lambda kv: kv[1])
    what = {"email": "e-mail addresses", "ssn": "social security numbers", "card": "card numbers"}.get(
        kind, f"{kind} numbers" if kind == "phone" else "IP addresses"
    )
    return [
        Finding(
            "warning",
            (name,),
            "Personal data in a learned column",
            f"{_pct(share)} of sampled values of {name} are shaped like {what}, too few to treat the column as "
            "personal data: it is learned as a category",
            f"Values held by fewer than {rare_rows} rows are hidden as '(other)' when synthesizing; a value held by "
            "more rows is learned as it is. Mark the column as personal data on the Data page if every value "
            "should be replaced, or clean the values out of it.",
            "personal_values",
        )
    ]


def _skew(series: pd.Series, name: str) -> list[Finding]:
    values = pd.to_numeric(series, errors="coerce").dropna()
    if len(values) < 20 or values.nunique() <= 10:
        return []
    skew = float(np.asarray(values.skew(), dtype=float))
    if not np.isfinite(skew) or abs(skew) <= SKEWNESS:
        return []
    mode = float(values.mode().to_numpy(dtype=float)[0])
    mode_share = float((values == mode).mean())
    spike = f"; {_pct(mode_share)} of values are {mode:g}" if mode_share > 0.3 else ""
    return [
        Finding(
            "info",
            (name,),
            "Strongly skewed",
            f"{name} has a long {'right' if skew > 0 else 'left'} tail (skewness {skew:.1f}{spike})",
            "Quantile-based synthesizers keep the shape; check the tail on the Compare page. Correlations with "
            "this column are driven by a few extreme rows.",
            "skewed",
        )
    ]


def _category_checks(name: str, col: _Column, n_present: int, rare_rows: int) -> list[Finding]:
    out: list[Finding] = []
    levels = col.n_levels - (1 if col.n_missing else 0)
    share = levels / n_present if n_present else 0.0
    if n_present > 50 and share > 0.95:
        out.append(
            Finding(
                "warning",
                (name,),
                "Identifier-like column",
                f"{name} has {levels:,} distinct values in {n_present:,} rows ({_pct(share)} unique): it behaves "
                "like a key, and a synthesizer that learns it would copy real values",
                "Mark it as an identifier (regenerated) or as free text.",
                "identifier_like",
            )
        )
        return out
    counts = col.counts[:levels]
    rare = np.flatnonzero(counts < rare_rows)
    if levels > HIGH_CARDINALITY_LEVELS or (n_present > 50 and share > 0.5):
        median = float(np.median(counts)) if levels else 0.0
        out.append(
            Finding(
                "warning",
                (name,),
                "High-cardinality category",
                f"{name} has {levels:,} distinct values ({_pct(share)} unique; a value has {median:,.0f} rows "
                "at the median): fitting is slower, synthesizers spread thin over the values, and rare values "
                "can single out people",
                "Group rare values into 'other', keep a coarser version (e.g. the first digits of a code), or "
                "mark it as an identifier.",
                "high_cardinality",
            )
        )
    if len(rare) and levels > 1:
        examples = ", ".join(f"{_short(col.uniques[i])} ({counts[i]})" for i in rare[np.argsort(counts[rare])][:3])
        out.append(
            Finding(
                "warning",
                (name,),
                "Rare categories",
                f"{len(rare):,} value(s) of {name} occur in fewer than {rare_rows} rows "
                f"({_rows(int(counts[rare].sum()))} in all), e.g. {examples}",
                "Rare values single people out: synthesizers learn them only as one '(other)' bucket (below "
                "min_category_rows, 5 by default), so they never appear as they are. Group them yourself if a "
                "meaningful grouping exists, or set min_category_rows to 1 to keep them (not advised).",
                "rare_categories",
            )
        )
    return out


def _dependencies(columns: Mapping[str, _Column], n_rows: int) -> list[tuple[str, str]]:
    """Pairs ``(a, b)`` where the value of column a determines the value of column b (a → b)."""
    if n_rows < 10:
        return []
    eligible = {
        name: col
        for name, col in columns.items()
        if 2 <= col.n_levels <= HIGH_CARDINALITY_LEVELS and col.n_levels <= 0.5 * n_rows
    }
    if len(eligible) < 2:
        return []
    rows = (
        np.sort(np.random.default_rng(0).choice(n_rows, _PAIR_SAMPLE, replace=False)) if n_rows > _PAIR_SAMPLE else None
    )

    def levels(codes: np.ndarray) -> int:
        return len(np.unique(codes))

    def pair_levels(a: _Column, b: _Column, idx: np.ndarray | None) -> int:
        ca = a.codes if idx is None else a.codes[idx]
        cb = b.codes if idx is None else b.codes[idx]
        return levels(ca * b.n_levels + cb)

    sample_levels = {n: (c.n_levels if rows is None else levels(c.codes[rows])) for n, c in eligible.items()}
    found: list[tuple[str, str]] = []
    for a_name, b_name in combinations(eligible, 2):
        a, b = eligible[a_name], eligible[b_name]
        joint = pair_levels(a, b, rows)
        a_det_b = joint == sample_levels[a_name]
        b_det_a = joint == sample_levels[b_name]
        if not (a_det_b or b_det_a):
            continue
        if rows is not None:
            joint = pair_levels(a, b, None)
            a_det_b = joint == a.n_levels
            b_det_a = joint == b.n_levels
        if a_det_b:
            found.append((a_name, b_name))
        if b_det_a:
            found.append((b_name, a_name))
    return found


def _dependency_findings(dependencies: list[tuple[str, str]], columns: Mapping[str, _Column]) -> list[Finding]:
    out: list[Finding] = []
    pairs = set(dependencies)
    both = sorted({tuple(sorted((a, b))) for a, b in pairs if (b, a) in pairs})
    for a, b in both:
        out.append(
            Finding(
                "warning",
                (a, b),
                "Columns that determine each other",
                f"{a} and {b} encode the same information: each value of one goes with exactly one value of the "
                f"other ({columns[a].n_levels} values)",
                "Synthesizers may break the one-to-one mapping (pairs that never occur in real data). Drop one "
                "of the two before fitting and derive it afterwards, or check the pair on the Compare page.",
                "mutual_dependency",
            )
        )
    in_both = {c for pair in both for c in pair}
    one_way: dict[str, list[str]] = {}
    for a, b in dependencies:
        if (b, a) not in pairs and not (a in in_both and b in in_both):
            one_way.setdefault(a, []).append(b)
    for a, targets in one_way.items():
        out.append(
            Finding(
                "info",
                (a, *targets),
                "Column determines others",
                f"each value of {a} goes with a single value of {_names(targets)} (a rule such as date → month)",
                "Synthesizers may break such rules; check them on the synthetic table, or derive the "
                "dependent columns after sampling.",
                "dependency",
            )
        )
    return out
