"""The contract every synthesizer follows, and the work they all share.

Subclasses implement only their model: ``_fit(data, schema, rng, progress)`` on the modelled columns and
``_sample(n, rng, progress)`` returning those columns. The base validates input, infers or checks the schema,
turns ``random_state`` into a Generator, regenerates identifiers / PII / constants without learning them,
applies conditions, reports progress and conforms the output to the real dtypes.

The scikit-learn rules hold: ``__init__`` only stores parameters; learned state lives in attributes ending
in ``_``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from synth.generated import GeneratedColumns
from synth.progress import ProgressCallback, ensure, scaled
from synth.schema import ColumnKind, Schema, coerce_to_schema, conform, infer_schema

Condition = Any  # a value, a list of allowed values, or a (low, high) range with None for an open end


class SynthesizerError(ValueError):
    """A synthesizer was used wrongly or asked for something impossible; the message says what to do."""


@dataclass(frozen=True)
class Param:
    """One tunable parameter: enough to validate it and to draw a widget for it."""

    name: str
    kind: Literal["int", "float", "choice", "bool"]
    default: Any
    help: str
    label: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = ()

    def check(self, value: Any) -> None:
        if self.kind == "bool":
            if not isinstance(value, bool | np.bool_):
                raise SynthesizerError(f"{self.name} must be true or false, got {value!r}")
            return
        if self.kind == "choice":
            if value not in self.choices:
                raise SynthesizerError(f"{self.name} must be one of {list(self.choices)}, got {value!r}")
            return
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise SynthesizerError(f"{self.name} must be a number, got {value!r}")
        if self.kind == "int" and float(value) != int(value):
            raise SynthesizerError(f"{self.name} must be a whole number, got {value!r}")
        if self.low is not None and value < self.low:
            raise SynthesizerError(f"{self.name} must be at least {self.low}, got {value!r}")
        if self.high is not None and value > self.high:
            raise SynthesizerError(f"{self.name} must be at most {self.high}, got {value!r}")


class Synthesizer(ABC):
    """Base class of every synthesizer.

    Class attributes:
        name: registry key.
        label: name shown to users.
        description: one or two sentences on what the model does and when to use it.
        params: the declared parameter space (widgets are generated from it).
    """

    name: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    params: ClassVar[tuple[Param, ...]] = ()

    #: Rejection sampling for conditions gives up after this many candidate rows.
    max_condition_draws: ClassVar[int] = 200_000

    def __init__(self, *, random_state: int | None = 0, **params: Any) -> None:
        declared = {p.name: p for p in self.params}
        unknown = set(params) - set(declared)
        if unknown:
            raise TypeError(f"{type(self).__name__} got unknown parameters: {', '.join(sorted(unknown))}")
        self.random_state = random_state
        for p in self.params:
            setattr(self, p.name, params.get(p.name, p.default))

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> None:
        declared = {p.name: p for p in cls.params}
        for key, value in params.items():
            if key == "random_state":
                continue
            if key not in declared:
                raise SynthesizerError(
                    f"{cls.label} has no parameter {key!r}; it takes {', '.join(declared) or 'none'}"
                )
            declared[key].check(value)

    def get_params(self) -> dict[str, Any]:
        return {"random_state": self.random_state, **{p.name: getattr(self, p.name) for p in self.params}}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------------ fit
    def fit(
        self, df: pd.DataFrame, schema: Schema | None = None, *, progress: ProgressCallback | None = None
    ) -> Synthesizer:
        """Learn the table ``df``.

        Args:
            df: the training table (never the holdout).
            schema: column kinds; inferred from ``df`` when omitted.
            progress: called with (fraction, message) as fitting advances; may raise
                :class:`synth.Cancelled` to stop, leaving the synthesizer as it was.

        Returns:
            ``self``, fitted.
        """
        report = ensure(progress)
        if not isinstance(df, pd.DataFrame):
            raise SynthesizerError(f"fit needs a pandas DataFrame, got {type(df).__name__}")
        if len(df) < 2:
            raise SynthesizerError(f"fit needs at least 2 rows, got {len(df)}")
        self.check_params({p.name: getattr(self, p.name) for p in self.params})
        if schema is None:
            schema = infer_schema(df)
        missing = [c for c in schema.names if c not in df.columns]
        if missing:
            raise SynthesizerError(f"the schema names columns the table lacks: {', '.join(missing)}")
        df = df[schema.names]
        report(0.0, "preparing columns")
        data = coerce_to_schema(df, schema)
        rng = np.random.default_rng(self.random_state)
        generated = GeneratedColumns.fit(data, schema)
        modelled = schema.modelled
        model_schema = schema.select(modelled)
        self._fit(data[modelled].reset_index(drop=True), model_schema, rng, scaled(report, 0.05, 1.0))
        # Learned state is set only once the model fitted, so a cancelled fit leaves the object unchanged.
        self.schema_ = schema
        self.reference_ = df.iloc[:0].copy()
        self.generated_ = generated
        self.n_train_rows_ = len(df)
        self.rng_ = rng
        report(1.0, "fitted")
        return self

    @abstractmethod
    def _fit(
        self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback
    ) -> None:
        """Learn the modelled columns. ``data`` holds only columns of modelled kinds."""

    @abstractmethod
    def _sample(self, n: int, rng: np.random.Generator, progress: ProgressCallback) -> pd.DataFrame:
        """Draw ``n`` rows of the modelled columns (numbers as floats, datetimes as datetime64)."""

    # --------------------------------------------------------------- sample
    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "schema_")

    def sample(
        self,
        n: int,
        *,
        seed: int | None = None,
        conditions: Mapping[str, Condition] | None = None,
        progress: ProgressCallback | None = None,
    ) -> pd.DataFrame:
        """Draw ``n`` synthetic rows with the real table's columns and dtypes.

        Args:
            n: number of rows, at least 1.
            seed: the same seed gives the same table; ``None`` continues the generator made at fit.
            conditions: column → value, list of allowed values, or ``(low, high)`` range (``None`` for an
                open end). Rows are drawn until ``n`` match or the draw budget is spent.
            progress: called with (fraction, message); may raise :class:`synth.Cancelled`.
        """
        if not self.is_fitted:
            raise SynthesizerError(f"{self.label} is not fitted yet: call fit(train) before sample()")
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise SynthesizerError(f"the number of rows must be a whole number of at least 1, got {n!r}")
        n = int(n)
        rng = self.rng_ if seed is None else np.random.default_rng(seed)
        report = ensure(progress)
        if conditions:
            out = self._sample_conditioned(n, dict(conditions), rng, report)
        else:
            out = self._draw(n, rng, report)
        report(1.0, f"sampled {n:,} rows")
        return out

    def _draw(self, n: int, rng: np.random.Generator, progress: ProgressCallback) -> pd.DataFrame:
        modelled = self.schema_.modelled
        if modelled:
            body = self._sample(n, rng, scaled(progress, 0.0, 0.9))
        else:
            body = pd.DataFrame(index=pd.RangeIndex(n))
        extra = self.generated_.sample(n, rng)
        full = pd.concat([body.reset_index(drop=True), extra], axis=1)
        return conform(full, self.schema_, self.reference_)

    def _sample_conditioned(
        self,
        n: int,
        conditions: dict[str, Condition],
        rng: np.random.Generator,
        progress: ProgressCallback,
    ) -> pd.DataFrame:
        for column in conditions:
            if column not in self.schema_:
                raise SynthesizerError(f"cannot condition on {column!r}: the table has no such column")
        kept: list[pd.DataFrame] = []
        matched = drawn = 0
        batch = max(n * 4, 10_000)
        while matched < n and drawn < self.max_condition_draws:
            size = min(batch, self.max_condition_draws - drawn)
            candidates = self._draw(size, rng, scaled(progress, 0.0, 0.0))
            drawn += size
            hits = candidates[condition_mask(candidates, conditions)]
            kept.append(hits)
            matched += len(hits)
            progress(min(matched / n, 0.99), f"{matched:,} of {n:,} rows match the conditions")
        if matched < n:
            described = describe_conditions(conditions)
            raise SynthesizerError(
                f"{matched:,} of {drawn:,} draws matched {described}; {n:,} rows were asked for. "
                "The condition is impossible or too rare for this model: widen it or ask for fewer rows."
            )
        return pd.concat(kept, ignore_index=True).iloc[:n].reset_index(drop=True)


def condition_mask(df: pd.DataFrame, conditions: Mapping[str, Condition]) -> np.ndarray:
    """Rows of ``df`` that meet every condition."""
    mask = np.ones(len(df), dtype=bool)
    for column, cond in conditions.items():
        values = df[column]
        if isinstance(cond, tuple) and len(cond) == 2:
            low, high = cond
            if low is not None:
                mask &= (values >= low).fillna(False).to_numpy(dtype=bool)
            if high is not None:
                mask &= (values <= high).fillna(False).to_numpy(dtype=bool)
        elif isinstance(cond, list | set | frozenset | Sequence) and not isinstance(cond, str):
            mask &= values.isin(list(cond)).to_numpy(dtype=bool)
        elif cond is None or (isinstance(cond, float) and np.isnan(cond)):
            mask &= values.isna().to_numpy(dtype=bool)
        else:
            mask &= (values == cond).fillna(False).to_numpy(dtype=bool)
    return mask


def describe_conditions(conditions: Mapping[str, Condition]) -> str:
    parts = []
    for column, cond in conditions.items():
        if isinstance(cond, tuple) and len(cond) == 2:
            low, high = cond
            if low is not None and high is not None:
                parts.append(f"{low!r} ≤ {column} ≤ {high!r}")
            elif low is not None:
                parts.append(f"{column} ≥ {low!r}")
            else:
                parts.append(f"{column} ≤ {high!r}")
        elif isinstance(cond, list | set | frozenset):
            parts.append(f"{column} in {sorted(map(repr, cond))}")
        else:
            parts.append(f"{column} = {cond!r}")
    return " and ".join(parts)


__all__ = [
    "ColumnKind",
    "Condition",
    "Param",
    "Synthesizer",
    "SynthesizerError",
    "condition_mask",
    "describe_conditions",
]
