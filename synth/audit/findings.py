"""What an audit returns: findings, fit-cost estimates and the report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from synth.audit.coarser_codes import CoarserCode

Severity = Literal["info", "warning", "error"]


#: Fit-cost coefficients written by ``benchmarks/calibrate_fit.py`` (package data).
CALIBRATION_PATH = Path(__file__).resolve().parent.parent / "calibration.json"

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
        seconds: expected fit time, as CPU seconds on one core of the calibration machine (CART's trees grown
            side by side take less wall time; a loaded machine more); None when not calibrated.
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
        coarser_codes: code columns a synthesizer would learn mostly as "(other)", with the prefix that keeps
            them (:mod:`synth.audit.coarser_codes`).
    """

    n_rows: int
    n_columns: int
    findings: tuple[Finding, ...] = ()
    estimates: tuple[FitEstimate, ...] = ()
    duplicate_rows: int = 0
    unique_on_quasi_identifiers: int | None = None
    dependencies: tuple[tuple[str, str], ...] = field(default=())
    coarser_codes: tuple[CoarserCode, ...] = ()

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
