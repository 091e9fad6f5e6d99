"""Evaluate a synthetic table made by another tool (SDV, MOSTLY AI, synthpop, Gretel, ...) next to the real one.

The synthetic table's columns are matched to the real table's: exactly, else by a normalised name (case,
spaces, hyphens and underscores ignored: ``education-num`` matches ``education_num``). Missing columns, extra
columns and columns whose values cannot be read as the real column's kind are reported in words, together
with what can still be evaluated; the scores then cover the columns both tables share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from synth.evaluation.reference import RealReference
from synth.evaluation.results import to_jsonable
from synth.progress import ProgressCallback, ensure, scaled
from synth.report.evaluation import EvaluationSettings, evaluate_table
from synth.report.race import Contender, RunResult
from synth.schema import ColumnKind, ColumnSpec, Schema, conform, infer_schema, parse_datetimes, read_numbers
from synth.schema.entities import FIND_PERSON, PersonColumn
from synth.synthesizers.base import Synthesizer

#: A column whose values are unreadable as the real column's kind for more than this share is left out.
MAX_UNREADABLE = 0.5
EXTERNAL = "external"


class ExternalTableError(ValueError):
    """The uploaded synthetic table cannot be evaluated against the real one (says why and what to do)."""


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(name).lower())


@dataclass(frozen=True)
class TypeIssue:
    """A shared column whose synthetic values do not read as the real column's kind.

    Attributes:
        column: the real column's name.
        expected: the real column's kind.
        found: the synthetic column's dtype.
        unreadable: share of the synthetic column's non-missing values that cannot be read as ``expected``.
        n_unreadable: how many values that is.
        dropped: whether the column was left out of the evaluation (``unreadable`` above ``MAX_UNREADABLE``).
    """

    column: str
    expected: str
    found: str
    unreadable: float
    n_unreadable: int
    dropped: bool

    def describe(self) -> str:
        share = f"{self.n_unreadable:,} values, {self.unreadable:.1%}"
        what = "left out" if self.dropped else "evaluated; unreadable values count as missing"
        return f"'{self.column}' should be {self.expected} but is {self.found} ({share} unreadable): {what}"


@dataclass(frozen=True)
class ColumnCheck:
    """How the synthetic table's columns line up with the real table's.

    Attributes:
        renamed: (synthetic name, real name) pairs matched by normalised name.
        missing: real columns the synthetic table lacks.
        extra: synthetic columns with no real counterpart (ignored).
        type_issues: shared columns whose values do not read as the real kind.
        evaluated: the real columns that are scored.
    """

    renamed: tuple[tuple[str, str], ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    type_issues: tuple[TypeIssue, ...]
    evaluated: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Whether every real column is evaluated."""
        return not self.missing and not any(t.dropped for t in self.type_issues)

    @property
    def clean(self) -> bool:
        return self.complete and not self.extra and not self.type_issues and not self.renamed

    def messages(self) -> list[str]:
        """What differs, one sentence each, then what is evaluated."""
        out = []
        if self.renamed:
            pairs = ", ".join(f"'{s}' → '{r}'" for s, r in self.renamed)
            out.append(f"Matched by name ignoring case and punctuation: {pairs}.")
        if self.missing:
            out.append(
                f"The synthetic table lacks {len(self.missing)} real column(s): {', '.join(self.missing)}. "
                "They are not scored; add them to the upload to score them."
            )
        if self.extra:
            out.append(f"Ignored {len(self.extra)} column(s) the real table does not have: {', '.join(self.extra)}.")
        out += [t.describe().capitalize() + "." for t in self.type_issues]
        out.append(f"Scored on {len(self.evaluated)} shared column(s): {', '.join(self.evaluated)}.")
        return out

    def to_dict(self) -> dict[str, object]:
        return to_jsonable(self)


def _unreadable(values: pd.Series, spec: ColumnSpec) -> tuple[float, int]:
    """Share and number of non-missing values that do not read as ``kind``."""
    kind, datetime_format = spec.kind, spec.datetime_format
    present = values.dropna()
    if len(present) == 0 or kind not in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME):
        return 0.0, 0
    if kind is ColumnKind.DATETIME:
        if pd.api.types.is_datetime64_any_dtype(present.dtype):
            return 0.0, 0
        parsed = parse_datetimes(present, datetime_format)
    else:
        if pd.api.types.is_numeric_dtype(present.dtype) and not pd.api.types.is_bool_dtype(present.dtype):
            return 0.0, 0
        parsed = read_numbers(present, spec)  # text numbers in the column's number_format
    bad = int(parsed.isna().sum())
    return bad / len(present), bad


def check_columns(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> tuple[pd.DataFrame, ColumnCheck]:
    """Line the synthetic table's columns up with the real table's.

    Returns:
        The synthetic table with real column names and only the evaluated columns, and the check.

    Raises:
        ExternalTableError: no row, or no column in common.
    """
    if len(synthetic) == 0:
        raise ExternalTableError("The synthetic table has no rows: upload a table with at least one row.")
    real_names = [c for c in schema.names if c in real.columns]
    by_key = {_key(c): c for c in real_names}
    mapping: dict[str, str] = {}
    renamed, extra = [], []
    for col in synthetic.columns:
        if col in real_names and col not in mapping.values():
            mapping[col] = col
        elif _key(col) in by_key and by_key[_key(col)] not in mapping.values():
            mapping[col] = by_key[_key(col)]
            renamed.append((str(col), by_key[_key(col)]))
        else:
            extra.append(str(col))
    aligned = synthetic[list(mapping)].rename(columns=mapping)
    missing = [c for c in real_names if c not in aligned.columns]
    issues = []
    for name in aligned.columns:
        spec = schema[name]
        share, bad = _unreadable(aligned[name], spec)
        if bad > 0:
            issues.append(
                TypeIssue(name, spec.kind.value, str(aligned[name].dtype), share, bad, share > MAX_UNREADABLE)
            )
    dropped = {t.column for t in issues if t.dropped}
    evaluated = [c for c in real_names if c in aligned.columns and c not in dropped]
    if not [c for c in evaluated if c in schema.modelled]:
        raise ExternalTableError(
            "No column of the synthetic table can be compared with the real table "
            f"(real columns: {', '.join(real_names[:12])}{'…' if len(real_names) > 12 else ''}). "
            "Upload a synthetic table with the real table's column names."
        )
    check = ColumnCheck(tuple(renamed), tuple(missing), tuple(extra), tuple(issues), tuple(evaluated))
    # The real columns' dtypes (numbers read as numbers, unreadable values missing): every metric then treats
    # both tables alike.
    typed = conform(aligned[evaluated], schema.select(evaluated), reference=real[evaluated].iloc[:0])
    return typed, check


@dataclass(frozen=True, eq=False)
class ExternalResult:
    """An external table's column check and its race row."""

    check: ColumnCheck
    run: RunResult

    def to_dict(self) -> dict[str, object]:
        return {"check": self.check.to_dict(), "run": self.run.to_dict()}


def evaluate_external(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    *,
    schema: Schema | None = None,
    label: str = "External table",
    settings: EvaluationSettings | None = None,
    progress: ProgressCallback | None = None,
    person_column: PersonColumn = FIND_PERSON,
) -> ExternalResult:
    """Check and score a synthetic table made elsewhere, as a race row of its own.

    Args:
        train: the real table the other tool was fitted on (its training part).
        synthetic: the other tool's output.
        holdout: real rows the other tool never saw.
        schema: the real table's schema (inferred from ``train`` when omitted).
        label: the row's name in the leaderboard (e.g. the file name).
        settings: how thoroughly to score.
        person_column: the column naming whose row each real row is (the one the table was split by): membership
            is also scored over its people, whether or not the other tool wrote the column; found when omitted.

    Raises:
        ExternalTableError: the tables share no column, or the synthetic table is empty.
    """
    return _scored_row(
        train,
        synthetic,
        holdout,
        schema,
        Contender(EXTERNAL, {}, label=label),
        settings=settings,
        progress=progress,
        person_column=person_column,
    )


def _scored_row(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema | None,
    contender: Contender,
    *,
    settings: EvaluationSettings | None,
    progress: ProgressCallback | None,
    person_column: PersonColumn = FIND_PERSON,
    reference: RealReference | None = None,
    **row: Any,
) -> ExternalResult:
    """Align ``synthetic`` to the real columns, score it, and build its race row once (``row``: the row's other
    fields, such as the model and its timings). A model's own sample is conformed to the schema the model wrote
    it with (``model.schema_``): CART keeps some numbers' draws unrounded where rounding them to the recorded
    decimals could give back real rare values, and rounding them here scored another table than the one sampled,
    downloaded and compared."""
    schema = schema or infer_schema(train)
    report = ensure(progress)
    report(0.0, "checking columns")
    written = getattr(row.get("model"), "schema_", None)
    aligned, check = check_columns(train, synthetic, written if isinstance(written, Schema) else schema)
    cols = list(check.evaluated)
    # The person is read from the real rows alone: kept on them when the synthetic table lacks the column.
    real = [*cols, person_column] if isinstance(person_column, str) and person_column not in cols else cols
    if reference is not None and _whole(reference, train, holdout, schema, real):
        # Every real column scored: the real tables as they are (a selection is a new table, which a reference of
        # the given ones does not cover), so their real-only results are shared.
        real_train, real_holdout, scored_schema = train, holdout, schema
    else:
        real_train, real_holdout, scored_schema, reference = train[real], holdout[real], schema.select(cols), None
    evaluation = evaluate_table(
        real_train,
        aligned,
        real_holdout,
        schema=scored_schema,
        settings=settings,
        progress=scaled(progress, 0.05, 1.0),
        person_column=person_column,
        reference=reference,
    )
    run = RunResult(
        contender, contender.display, "ok", n_rows=len(aligned), evaluation=evaluation, synthetic=aligned, **row
    )
    return ExternalResult(check, run)


def _whole(
    reference: RealReference, train: pd.DataFrame, holdout: pd.DataFrame, schema: Schema, real: list[str]
) -> bool:
    """Whether scoring ``real`` of ``train`` and ``holdout`` is scoring the reference's own tables and schema."""
    same_columns = list(train.columns) == real and list(holdout.columns) == real and list(schema.names) == real
    return same_columns and reference.covers(train, holdout, schema)


def evaluate_run(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    model: Synthesizer,
    synthetic: pd.DataFrame,
    *,
    sample_seed: int,
    schema: Schema | None = None,
    label: str = "",
    fit_seconds: float | None = None,
    sample_seconds: float | None = None,
    settings: EvaluationSettings | None = None,
    progress: ProgressCallback | None = None,
    person_column: PersonColumn = FIND_PERSON,
    reference: RealReference | None = None,
) -> ExternalResult:
    """Score a model fitted and sampled outside a race (the dashboard's current run) as a race row of its own.

    The row carries the model and its settings, so the report's data card lists what the model file holds and
    the run manifest can refit and resample it (``synth.reproduce``) like any race run.

    Args:
        train / holdout: the split the model was fitted on, and the rows it never saw.
        model: the fitted synthesizer.
        synthetic: what it sampled, with ``sample_seed``.
        label: the row's name (the model's label when empty).
        person_column: the column naming whose row each real row is (the one the split and the fit took).
        reference: the real-only results of ``train`` and ``holdout`` already computed (the session's, which
            Compare filled): shared when every column is scored, so the TRTR models and the real-vs-real
            references are not computed again (the same numbers: they depend on the real tables and the seed only).
    """
    params = {k: v for k, v in model.get_params().items() if k != "random_state"}
    seed = model.get_params().get("random_state")
    contender = Contender(
        model.name, params, label=label or model.label, random_state=int(seed) if isinstance(seed, int) else 0
    )
    return _scored_row(
        train,
        synthetic,
        holdout,
        schema,
        contender,
        settings=settings,
        progress=progress,
        person_column=person_column,
        fit_seconds=fit_seconds,
        sample_seconds=sample_seconds,
        sample_seed=int(sample_seed),
        model=model,
        reference=reference,
    )
