"""The contract every synthesizer follows, and the work they all share.

Subclasses implement only their model: ``_fit(data, schema, rng, progress)`` on the modelled columns and
``_sample(n, rng, progress)`` returning those columns. The base validates input, infers or checks the schema,
turns ``random_state`` into a Generator, regenerates identifiers / PII / constants without learning them,
applies conditions and rebalancing, reports progress, conforms the output to the real dtypes, and saves and
loads fitted models without pickle.

The scikit-learn rules hold: ``__init__`` only stores parameters; learned state lives in attributes ending
in ``_``. Every such attribute that the base does not own is the model's state: it is what :meth:`save`
writes, so it must be made of the types :mod:`synth.synthesizers.persist` allows.

Conditions
    ``sample(n, conditions={"state": "CA", "age": (30, 40)})`` fixes values (a value, a list of allowed
    values, ``None`` for missing) and ranges (``(low, high)``, ``None`` for an open end) on several columns at
    once. A condition the training data makes impossible (a category never seen, a range outside the
    column's training bounds) fails at once with a message that says why. The rest is bounded rejection:
    rows are drawn until ``n`` match or the draw budget is spent, which fails with
    ``"0 of 200,000 draws matched state = 'XX'; ..."`` rather than hanging. A model that can honour some
    conditions exactly overrides :meth:`Synthesizer._sample_given`.

Rebalancing
    ``sample(n, rebalance={"income": {">50K": 0.5, "<=50K": 0.5}})`` gives one column a chosen distribution
    (shares are weights, normalised to sum to 1): the number of rows of each value is fixed by largest
    remainder rounding, each group is drawn conditionally on its value (so every other column keeps its
    relationship to the rebalanced one), and the rows are shuffled together.

Saving
    ``model.save(path)`` writes a zip with a JSON manifest and a numpy ``.npz`` (no pickle);
    :func:`load_model` reads it back and the loaded model samples exactly what the saved one would have.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from synth.generated import MIN_CONSTANT_ROWS, GeneratedColumns
from synth.progress import ProgressCallback, ensure, scaled
from synth.schema import KIND_LABELS, ColumnKind, Schema, coerce_to_schema, conform, infer_schema
from synth.synthesizers import persist, registry
from synth.synthesizers.inventory import ArtifactItem, artifact_inventory
from synth.synthesizers.marginals import sorted_values, trimmed_bounds
from synth.synthesizers.rare_categories import DEFAULT_MIN_ROWS, RareCategoryError, hide_rare_categories

Condition = Any  # a value, a list of allowed values, or a (low, high) range with None for an open end
Rebalance = Mapping[str, Mapping[Any, float]]

_NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE)
_GENERATED = (ColumnKind.IDENTIFIER, ColumnKind.PII, ColumnKind.TEXT)
# Learned attributes owned by the base; every other public attribute ending in "_" is the model's state.
_BASE_STATE = frozenset({"schema_", "reference_", "generated_", "n_train_rows_", "rng_", "domain_"})


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
        """Raise :class:`SynthesizerError` unless ``value`` is valid for this parameter."""
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
        if not math.isfinite(float(value)):
            raise SynthesizerError(f"{self.name} must be a finite number, got {value!r}")
        if self.kind == "int" and float(value) != int(value):
            raise SynthesizerError(f"{self.name} must be a whole number, got {value!r}")
        if self.low is not None and value < self.low:
            raise SynthesizerError(f"{self.name} must be at least {self.low}, got {value!r}")
        if self.high is not None and value > self.high:
            raise SynthesizerError(f"{self.name} must be at most {self.high}, got {value!r}")


@dataclass(frozen=True)
class ColumnDomain:
    """What one column held in the training data: enough to reject impossible conditions at once.

    Attributes:
        name: column name.
        kind: column kind.
        values: categorical, boolean and constant columns: the values seen (missing excluded), sorted (never
            in order of first appearance, which would give away training row 0).
        low / high: numeric columns: the range of the values, trimmed at the ``TAIL_ROWS``-th smallest and
            largest (the real extremes are one person's each and are not kept); datetimes as ``pd.Timestamp``.
        has_missing: whether any value was missing.
    """

    name: str
    kind: ColumnKind
    values: tuple[Any, ...]
    low: Any
    high: Any
    has_missing: bool

    @classmethod
    def fit(cls, series: pd.Series, kind: ColumnKind) -> ColumnDomain:
        present = series.dropna()
        has_missing = bool(len(present) < len(series))
        name = str(series.name)
        if kind in _NUMERIC and len(present):
            low, high = trimmed_bounds(present.to_numpy(dtype=float))
            return cls(name, kind, (), low, high, has_missing)
        if kind is ColumnKind.DATETIME and len(present):
            ordered = present.sort_values()
            low, high = trimmed_bounds(np.arange(len(ordered), dtype=float))
            return cls(name, kind, (), ordered.iloc[int(low)], ordered.iloc[int(high)], has_missing)
        if kind is ColumnKind.CONSTANT and len(present) < MIN_CONSTANT_ROWS:
            return cls(name, kind, (), None, None, has_missing)
        if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.CONSTANT):
            return cls(name, kind, tuple(sorted_values(pd.unique(present))), None, None, has_missing)
        return cls(name, kind, (), None, None, has_missing)


#: Added to the parameters of every synthesizer without a formal guarantee (see
#: :mod:`synth.synthesizers.rare_categories`); a DP synthesizer picks its categories under its guarantee.
MIN_CATEGORY_ROWS = Param(
    "min_category_rows",
    "int",
    DEFAULT_MIN_ROWS,
    "Categories held by fewer training rows than this are never emitted as they are: they are learned as one "
    "bucket, '(other)', so no rare real value reaches the synthetic table or the model file. 1 keeps every "
    "category as it is.",
    label="Hide categories rarer than",
    low=1,
    high=1_000_000,
)

register_state = persist.register_state_type
register_state(ColumnDomain)


class Synthesizer(ABC):
    """Base class of every synthesizer.

    Class attributes:
        name: registry key.
        label: name shown to users.
        description: one or two sentences on what the model does and when to use it.
        params: the declared parameter space (widgets are generated from it).
        guarantee: a formal privacy guarantee in plain words, or None when the model gives none.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    params: ClassVar[tuple[Param, ...]] = ()
    guarantee: ClassVar[str | None] = None

    #: Rejection sampling for conditions draws at least this many candidate rows before giving up (and up
    #: to ten per requested row when more rows are asked for).
    max_condition_draws: ClassVar[int] = 200_000

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.guarantee is None and all(p.name != MIN_CATEGORY_ROWS.name for p in cls.params):
            cls.params = (*cls.params, MIN_CATEGORY_ROWS)

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
        """Raise :class:`SynthesizerError` if any parameter is unknown or out of its declared range."""
        declared = {p.name: p for p in cls.params}
        for key, value in params.items():
            if key == "random_state":
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0
                ):
                    raise SynthesizerError(f"random_state must be a whole number ≥ 0 or None, got {value!r}")
                continue
            if key not in declared:
                raise SynthesizerError(
                    f"{cls.label} has no parameter {key!r}; it takes {', '.join(declared) or 'none'}"
                )
            declared[key].check(value)

    @classmethod
    def artifact_inventory(cls) -> tuple[ArtifactItem, ...]:
        """What a saved model of this class holds that came from the real data (see
        :mod:`synth.synthesizers.inventory`): the items every file holds, then the synthesizer's own
        ``artifacts``."""
        return artifact_inventory(cls)

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
                :class:`synth.Cancelled` to stop. Whatever stops a fit (cancel or error) leaves the
                synthesizer exactly as it was before.

        Returns:
            ``self``, fitted.
        """
        snapshot = dict(vars(self))
        try:
            return self._fit_all(df, schema, ensure(progress))
        except BaseException:
            vars(self).clear()
            vars(self).update(snapshot)
            raise

    def _fit_all(self, df: pd.DataFrame, schema: Schema | None, report: ProgressCallback) -> Synthesizer:
        if not isinstance(df, pd.DataFrame):
            raise SynthesizerError(f"fit needs a pandas DataFrame, got {type(df).__name__}")
        if len(df) < 2:
            raise SynthesizerError(f"fit needs at least 2 rows, got {len(df)}")
        self.check_params(self.get_params())
        if schema is None:
            schema = infer_schema(df)
        missing = [c for c in schema.names if c not in df.columns]
        if missing:
            raise SynthesizerError(f"the schema names columns the table lacks: {', '.join(missing)}")
        df = df[schema.names]
        try:  # rare categories become "(other)" before anything is learned (k = 1 keeps them)
            df = hide_rare_categories(df, schema, int(getattr(self, MIN_CATEGORY_ROWS.name, 1)))
        except RareCategoryError as exc:
            raise SynthesizerError(str(exc)) from exc
        report(0.0, "preparing columns")
        data = coerce_to_schema(df, schema)
        rng = np.random.default_rng(self.random_state)
        generated = GeneratedColumns.fit(data, schema)
        domain = tuple(ColumnDomain.fit(data[c.name], c.kind) for c in schema)
        modelled = schema.modelled
        model_schema = schema.select(modelled)
        self._fit(data[modelled].reset_index(drop=True), model_schema, rng, scaled(report, 0.05, 1.0))
        self.schema_ = schema
        self.reference_ = df.iloc[:0].copy()
        self.generated_ = generated
        self.domain_ = domain
        self.n_train_rows_ = len(df)
        self.rng_ = rng
        report(1.0, "fitted")
        return self

    @abstractmethod
    def _fit(self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback) -> None:
        """Learn the modelled columns. ``data`` holds only columns of modelled kinds.

        Report progress regularly (at least once per column) so a cancel is prompt.
        """

    @abstractmethod
    def _sample(self, n: int, rng: np.random.Generator, progress: ProgressCallback) -> pd.DataFrame:
        """Draw ``n`` rows of the modelled columns (numbers as floats, datetimes as datetime64)."""

    def _sample_given(
        self,
        n: int,
        rng: np.random.Generator,
        progress: ProgressCallback,
        conditions: Mapping[str, Condition],
    ) -> pd.DataFrame:
        """Draw ``n`` candidate rows for conditional sampling.

        The base checks every returned row against every condition and keeps those that match, so an
        override may honour some conditions exactly (e.g. on the column a sequential model draws first)
        and leave the rest to rejection. ``conditions`` are validated: datetimes are ``pd.Timestamp``,
        lists hold only values seen in training, ``None`` means missing.
        """
        return self._sample(n, rng, progress)

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
        rebalance: Rebalance | None = None,
        progress: ProgressCallback | None = None,
    ) -> pd.DataFrame:
        """Draw ``n`` synthetic rows with the real table's columns and dtypes.

        Args:
            n: number of rows, at least 1.
            seed: the same seed gives the same table; ``None`` continues the generator made at fit.
            conditions: column → value, list of allowed values, ``None`` (missing) or ``(low, high)`` range
                (``None`` for an open end). Impossible conditions fail at once; otherwise rows are drawn
                until ``n`` match or the draw budget is spent (then a :class:`SynthesizerError` says how
                many draws matched).
            rebalance: ``{column: {value: share, ...}}`` for one column: the output holds each value in
                the given share (weights are normalised), every other column drawn conditionally on it.
                Values left out get no rows. Combines with ``conditions`` on other columns.
            progress: called with (fraction, message); may raise :class:`synth.Cancelled`.

        Returns:
            A new DataFrame of ``n`` rows.
        """
        if not self.is_fitted:
            raise SynthesizerError(f"{self.label} is not fitted yet: call fit(train) before sample()")
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise SynthesizerError(f"the number of rows must be a whole number of at least 1, got {n!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0):
            raise SynthesizerError(f"the seed must be a whole number ≥ 0 or None, got {seed!r}")
        n = int(n)
        conds = self._check_conditions(dict(conditions or {}))
        plan = self._check_rebalance(rebalance, conds) if rebalance else None
        rng = self.rng_ if seed is None else np.random.default_rng(seed)
        before = rng.bit_generator.state if seed is None else None
        report = ensure(progress)
        try:
            report(0.0, f"sampling {n:,} rows")
            if plan is not None:
                out = self._sample_rebalanced(n, conds, plan, rng, report)
            elif conds:
                body = self._sample_conditioned(n, conds, rng, scaled(report, 0.0, 0.95))
                out = self._finish(body, rng)
            else:
                out = self._draw(n, rng, report)
            report(1.0, f"sampled {n:,} rows")
        except BaseException:
            if before is not None:  # a cancelled or failed sample does not advance the model's generator
                self.rng_.bit_generator.state = before
            raise
        return out

    def _draw(self, n: int, rng: np.random.Generator, progress: ProgressCallback) -> pd.DataFrame:
        if self.schema_.modelled:
            body = self._sample(n, rng, scaled(progress, 0.0, 0.9))
        else:  # every column is generated
            body = pd.DataFrame(index=pd.RangeIndex(n))
        return self._join(body, self.generated_.sample(n, rng))

    def _finish(self, body: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """Add the generated columns to conformed modelled rows and conform the whole table."""
        return self._join(body, self.generated_.sample(len(body), rng))

    def _join(self, body: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
        # Columns side by side without copying or consolidating them (a real cost at a million rows).
        columns = {c: body[c].to_numpy() for c in body.columns}
        columns.update({c: extra[c].to_numpy() for c in extra.columns})
        full = pd.DataFrame(columns, index=pd.RangeIndex(len(body)), copy=False)
        return conform(full, self.schema_, self.reference_)

    def _conform_modelled(self, body: pd.DataFrame) -> pd.DataFrame:
        return conform(body.reset_index(drop=True), self.schema_.select(self.schema_.modelled), self.reference_)

    def _sample_conditioned(
        self,
        n: int,
        conditions: dict[str, Condition],
        rng: np.random.Generator,
        progress: ProgressCallback,
    ) -> pd.DataFrame:
        """``n`` rows of the modelled columns (conformed) that meet ``conditions``, by bounded rejection."""
        modelled = self.schema_.modelled
        checked = {c: v for c, v in conditions.items() if c in modelled}
        if not modelled:
            return pd.DataFrame(index=pd.RangeIndex(n))
        if not checked:  # conditions on constant columns only: every row meets them
            return self._conform_modelled(self._sample(n, rng, progress))
        budget = max(int(self.max_condition_draws), 10 * n)
        kept: list[pd.DataFrame] = []
        matched = drawn = 0
        while matched < n and drawn < budget:
            rate = matched / drawn if matched else 0.0
            want = (n - matched) / rate * 1.1 if rate > 0 else max(2 * n, 10_000)
            size = int(min(max(want, 10_000), 2_000_000, budget - drawn))
            body = self._sample_given(size, rng, scaled(progress, 0.0, 0.0), checked)
            candidates = self._conform_modelled(body)
            drawn += size
            # Conditions are checked on the values as the user sees them (rounded, in the real dtype), read
            # back as numbers and datetimes where the real column stores them as text.
            comparable = coerce_to_schema(candidates[list(checked)], self.schema_.select(checked))
            hits = candidates[condition_mask(comparable, checked)]
            kept.append(hits)
            matched += len(hits)
            progress(min(matched / n, 0.99), f"{matched:,} of {n:,} rows match the conditions")
            if 0 < matched < n and drawn * n / matched > 2 * budget:
                raise SynthesizerError(
                    f"{matched:,} of {drawn:,} draws matched {describe_conditions(conditions)}; "
                    f"{n:,} rows would take about {drawn * n / matched:,.0f} draws, more than the limit of "
                    f"{budget:,}. The condition is too rare for this model: widen it or ask for fewer rows."
                )
        if matched < n:
            raise SynthesizerError(
                f"{matched:,} of {drawn:,} draws matched {describe_conditions(conditions)}; "
                f"{n:,} rows were asked for. The condition is impossible or too rare for this model: "
                "widen it or ask for fewer rows."
            )
        return pd.concat(kept, ignore_index=True).iloc[:n].reset_index(drop=True)

    def _sample_rebalanced(
        self,
        n: int,
        conditions: dict[str, Condition],
        plan: tuple[str, list[Any], np.ndarray],
        rng: np.random.Generator,
        progress: ProgressCallback,
    ) -> pd.DataFrame:
        column, values, shares = plan
        counts = largest_remainder(shares, n)
        parts = []
        done = 0
        for value, count in zip(values, counts, strict=True):
            if count == 0:
                continue
            step = scaled(progress, 0.95 * done / n, 0.95 * (done + count) / n)
            parts.append(self._sample_conditioned(int(count), {**conditions, column: value}, rng, step))
            done += int(count)
        body = pd.concat(parts, ignore_index=True)
        body = body.iloc[rng.permutation(len(body))].reset_index(drop=True)
        return self._finish(body, rng)

    # ----------------------------------------------------------- conditions
    def _domain(self, column: str) -> ColumnDomain:
        for dom in self.domain_:
            if dom.name == column:
                return dom
        raise KeyError(column)

    def _check_conditions(self, conditions: dict[str, Condition]) -> dict[str, Condition]:
        """Validate conditions against the training domain; return them normalised.

        Raises :class:`SynthesizerError` at once for a malformed condition or one the training data
        makes impossible.
        """
        out: dict[str, Condition] = {}
        for column, cond in conditions.items():
            if column not in self.schema_:
                raise SynthesizerError(f"cannot condition on {column!r}: the table has no such column")
            kind = self.schema_[column].kind
            if kind in _GENERATED:
                raise SynthesizerError(
                    f"cannot condition on {column!r}: it is a {KIND_LABELS[kind]} column, generated fresh "
                    "for every row rather than learned"
                )
            if kind is ColumnKind.CONSTANT and self._domain(column).has_missing:
                raise SynthesizerError(
                    f"cannot condition on {column!r}: it holds one value or nothing, so there is nothing to choose"
                )
            out[column] = self._check_condition(column, cond)
        return out

    def _check_condition(self, column: str, cond: Condition) -> Condition:
        dom = self._domain(column)
        described = describe_conditions({column: cond})
        if is_missing(cond):
            if not dom.has_missing:
                raise SynthesizerError(
                    f"cannot sample with {described}: {column} is never missing in the training data"
                )
            return None
        if isinstance(cond, tuple):
            return self._check_range(dom, cond, described)
        if isinstance(cond, list | set | frozenset | Sequence | np.ndarray) and not isinstance(cond, str):
            items = list(cond)
            if not items:
                raise SynthesizerError(f"the list of allowed values for {column} is empty: it matches nothing")
            possible: list[Any] = []
            for item in items:
                try:
                    possible.append(self._check_condition(column, item))
                except SynthesizerError:
                    continue
            if not possible:
                raise SynthesizerError(
                    f"cannot sample with {described}: none of these values occurs in {column} in the "
                    f"training data{_seen_hint(dom)}"
                )
            return possible
        return self._check_value(dom, cond, described)

    def _check_value(self, dom: ColumnDomain, value: Any, described: str) -> Any:
        if dom.kind in _NUMERIC:
            if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
                raise SynthesizerError(f"{dom.name} holds numbers; cannot condition it on {value!r}")
            if dom.kind is ColumnKind.DISCRETE and float(value) != round(float(value)):
                raise SynthesizerError(f"cannot sample with {described}: {dom.name} holds whole numbers only")
            self._within_bounds(dom, value, value, described)
            return value
        if dom.kind is ColumnKind.DATETIME:
            ts = _timestamp(dom.name, value)
            self._within_bounds(dom, ts, ts, described)
            return ts
        try:
            seen = value in set(dom.values)
        except TypeError:
            seen = False
        if not seen:
            raise SynthesizerError(
                f"cannot sample with {described}: {value!r} never occurs in {dom.name} in the training "
                f"data{_seen_hint(dom)}"
            )
        return value

    def _check_range(self, dom: ColumnDomain, cond: tuple[Any, ...], described: str) -> tuple[Any, Any]:
        if len(cond) != 2:
            raise SynthesizerError(
                f"a range on {dom.name} is a (low, high) pair, got {cond!r}; use a list for several values"
            )
        if dom.kind not in (*_NUMERIC, ColumnKind.DATETIME):
            raise SynthesizerError(
                f"ranges apply to numbers and dates; {dom.name} is {KIND_LABELS[dom.kind]}: give a value or a "
                "list of values"
            )
        low, high = cond
        if dom.kind is ColumnKind.DATETIME:
            low = None if low is None else _timestamp(dom.name, low)
            high = None if high is None else _timestamp(dom.name, high)
        else:
            for end in (low, high):
                if end is not None and (
                    isinstance(end, bool)
                    or not isinstance(end, int | float | np.integer | np.floating)
                    or math.isnan(float(end))
                ):
                    raise SynthesizerError(f"{dom.name} holds numbers; a range on it needs numbers, got {end!r}")
        if low is not None and high is not None and low > high:
            raise SynthesizerError(f"the range on {dom.name} is empty: its low end {low!r} is above {high!r}")
        self._within_bounds(dom, low, high, described)
        return (low, high)

    @staticmethod
    def _within_bounds(dom: ColumnDomain, low: Any, high: Any, described: str) -> None:
        if dom.low is None or dom.high is None:
            raise SynthesizerError(f"cannot sample with {described}: {dom.name} has no values in training")
        try:
            outside = (high is not None and high < dom.low) or (low is not None and low > dom.high)
        except TypeError as exc:
            raise SynthesizerError(f"cannot compare the condition on {dom.name} with its values: {exc}") from exc
        if outside:
            raise SynthesizerError(
                f"cannot sample with {described}: {dom.name} ranges from {dom.low!r} to {dom.high!r} in the "
                "training data"
            )

    def _check_rebalance(
        self, rebalance: Rebalance, conditions: Mapping[str, Condition]
    ) -> tuple[str, list[Any], np.ndarray]:
        if not isinstance(rebalance, Mapping) or len(rebalance) != 1:
            raise SynthesizerError(
                "rebalance takes one column and its target shares, e.g. {'income': {'>50K': 0.5, '<=50K': 0.5}}"
            )
        ((column, target),) = rebalance.items()
        if column in conditions:
            raise SynthesizerError(f"cannot both condition on and rebalance {column!r}: choose one")
        if column not in self.schema_ or self.schema_[column].kind not in (
            ColumnKind.CATEGORICAL,
            ColumnKind.BOOLEAN,
            ColumnKind.DISCRETE,
        ):
            raise SynthesizerError(
                f"cannot rebalance {column!r}: rebalancing needs a categorical, boolean or whole-number column"
            )
        if not isinstance(target, Mapping) or not target:
            raise SynthesizerError(f"rebalance needs the target shares of {column}'s values, e.g. {{value: 0.5}}")
        values, shares = [], []
        for value, share in target.items():
            if isinstance(share, bool) or not isinstance(share, int | float | np.integer | np.floating):
                raise SynthesizerError(f"the share of {value!r} must be a number, got {share!r}")
            if not math.isfinite(float(share)) or share < 0:
                raise SynthesizerError(f"the share of {value!r} must be a finite number ≥ 0, got {share!r}")
            if share > 0:
                values.append(self._check_condition(column, value))
                shares.append(float(share))
        total = sum(shares)
        if total <= 0:
            raise SynthesizerError(f"the target shares of {column} are all zero: at least one must be positive")
        return column, values, np.asarray(shares) / total

    # ---------------------------------------------------------- save / load
    def _get_state(self) -> dict[str, Any]:
        """The model's own learned state: every public attribute ending in ``_`` the base does not own."""
        return {
            k: v for k, v in vars(self).items() if k.endswith("_") and not k.startswith("_") and k not in _BASE_STATE
        }

    def _set_state(self, state: Mapping[str, Any]) -> None:
        for key, value in state.items():
            if not (isinstance(key, str) and key.endswith("_") and not key.startswith("_")):
                raise persist.ModelFileError(f"the model file names a bad attribute {key!r}")
            setattr(self, key, value)

    def save(self, path: str | Path) -> None:
        """Write the fitted model to ``path``: a zip of a JSON manifest and numpy arrays, no pickle.

        The file holds what the model learned from the training data; keep it as safe as the data.
        """
        if not self.is_fitted:
            raise SynthesizerError(f"{self.label} is not fitted yet: nothing to save")
        from synth import __version__

        enc = persist.Encoder()
        fitted = {
            "schema": enc.encode(self.schema_),
            "reference": [[str(c), persist.encode_dtype(t)] for c, t in self.reference_.dtypes.items()],
            "generated": enc.encode(self.generated_),
            "domain": enc.encode(self.domain_),
            "n_train_rows": int(self.n_train_rows_),
            "rng": enc.encode(self.rng_.bit_generator.state),
            "model": enc.encode(self._get_state()),
        }
        manifest = {
            "format": persist.FORMAT,
            "format_version": persist.FORMAT_VERSION,
            "synth_version": __version__,
            "synthesizer": self.name,
            "params": enc.encode(self.get_params()),
            "fitted": fitted,
        }
        persist.write_archive(path, manifest, enc.arrays)


def load_model(path: str | Path) -> Synthesizer:
    """Read a model written by :meth:`Synthesizer.save`. Loading never executes code from the file.

    Raises:
        synth.synthesizers.persist.ModelFileError: the file is not a readable synth model file.
        SynthesizerError: the file names parameters that are not valid.
    """
    manifest, arrays = persist.read_archive(path)
    dec = persist.Decoder(arrays)
    try:
        cls = registry.get(str(manifest["synthesizer"]))
    except KeyError as exc:
        raise persist.ModelFileError(f"{path} holds an unknown synthesizer {manifest.get('synthesizer')!r}") from exc
    try:
        params = dec.decode(manifest["params"])
        fitted = manifest["fitted"]
        if not isinstance(params, dict) or not isinstance(fitted, dict):
            raise persist.ModelFileError(f"{path} is not a synth model file")
        cls.check_params(params)
        model = cls(**params)
        schema = dec.decode(fitted["schema"])
        if not isinstance(schema, Schema):
            raise persist.ModelFileError(f"{path} holds no schema")
        model.schema_ = schema
        model.reference_ = pd.DataFrame(
            {str(c): pd.Series([], dtype=persist.decode_dtype(t)) for c, t in fitted["reference"]}
        )
        model.generated_ = dec.decode(fitted["generated"])
        model.domain_ = dec.decode(fitted["domain"])
        model.n_train_rows_ = int(fitted["n_train_rows"])
        rng_state = dec.decode(fitted["rng"])
        if not isinstance(rng_state, dict) or rng_state.get("bit_generator") != "PCG64":
            raise persist.ModelFileError(f"{path} holds an unknown random generator")
        rng = np.random.default_rng()
        rng.bit_generator.state = rng_state
        model.rng_ = rng
        state = dec.decode(fitted["model"])
        if not isinstance(state, dict):
            raise persist.ModelFileError(f"{path} holds no model state")
        model._set_state(state)
    except (KeyError, TypeError, ValueError, RecursionError) as exc:
        if isinstance(exc, persist.ModelFileError | SynthesizerError):
            raise
        raise persist.ModelFileError(f"{path} is damaged or not a synth model file: {exc}") from exc
    return model


# ------------------------------------------------------------------- helpers
def is_missing(value: Any) -> bool:
    """Whether a condition value means "missing"."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _timestamp(column: str, value: Any) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise SynthesizerError(f"{column} holds dates; {value!r} does not read as a date") from exc
    if ts is pd.NaT:
        raise SynthesizerError(f"{column} holds dates; {value!r} does not read as a date")
    return ts


def _seen_hint(dom: ColumnDomain, limit: int = 8) -> str:
    if dom.kind in _NUMERIC or dom.kind is ColumnKind.DATETIME:
        return f" (it ranges from {dom.low!r} to {dom.high!r})"
    shown = ", ".join(repr(v) for v in dom.values[:limit])
    more = f", … ({len(dom.values):,} values)" if len(dom.values) > limit else ""
    return f" (it holds {shown}{more})" if dom.values else ""


def largest_remainder(shares: np.ndarray, n: int) -> np.ndarray:
    """Whole counts summing to ``n`` in the proportions ``shares`` (which sum to 1)."""
    exact = np.asarray(shares, dtype=float) * n
    counts = np.floor(exact).astype(np.int64)
    short = n - int(counts.sum())
    if short > 0:
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def condition_mask(df: pd.DataFrame, conditions: Mapping[str, Condition]) -> np.ndarray:
    """Rows of ``df`` that meet every condition."""
    mask = np.ones(len(df), dtype=bool)
    for column, cond in conditions.items():
        mask &= column_mask(df[column], cond)
    return mask


def column_mask(values: pd.Series, cond: Condition) -> np.ndarray:
    """Rows of one column that meet one condition (value, list of values, ``None``, or range)."""
    if isinstance(cond, tuple) and len(cond) == 2:
        low, high = cond
        mask = values.notna().to_numpy(dtype=bool)
        if low is not None:
            mask &= (values >= low).fillna(False).to_numpy(dtype=bool)
        if high is not None:
            mask &= (values <= high).fillna(False).to_numpy(dtype=bool)
        return mask
    if isinstance(cond, list | set | frozenset | Sequence | np.ndarray) and not isinstance(cond, str):
        items = list(cond)
        present = [v for v in items if not is_missing(v)]
        mask = values.isin(present).fillna(False).to_numpy(dtype=bool) if present else np.zeros(len(values), bool)
        if len(present) < len(items):
            mask |= values.isna().to_numpy(dtype=bool)
        return mask
    if is_missing(cond):
        return values.isna().to_numpy(dtype=bool)
    return (values == cond).fillna(False).to_numpy(dtype=bool)


def describe_conditions(conditions: Mapping[str, Condition]) -> str:
    """Conditions in words, e.g. ``state = 'CA' and 30 ≤ age ≤ 40``."""
    parts = []
    for column, cond in conditions.items():
        if isinstance(cond, tuple) and len(cond) == 2:
            low, high = cond
            if low is not None and high is not None:
                parts.append(f"{low!r} ≤ {column} ≤ {high!r}")
            elif low is not None:
                parts.append(f"{column} ≥ {low!r}")
            elif high is not None:
                parts.append(f"{column} ≤ {high!r}")
            else:
                parts.append(f"{column} is not missing")
        elif isinstance(cond, list | set | frozenset | np.ndarray):
            parts.append(f"{column} in [{', '.join(sorted(map(repr, cond)))}]")
        elif is_missing(cond):
            parts.append(f"{column} is missing")
        else:
            parts.append(f"{column} = {cond!r}")
    return " and ".join(parts)


def draw_matching(
    n: int,
    draw: Callable[[int], np.ndarray],
    accept: Callable[[np.ndarray], np.ndarray],
    budget: int,
    described: str,
) -> np.ndarray:
    """``n`` values from ``draw`` that ``accept`` keeps: column-level rejection for exact conditioning.

    A sequential model draws its first column from a marginal; conditioning that column this way (before
    the columns that depend on it are drawn) is exact and costs one column per rejected draw, not a row.

    Raises:
        SynthesizerError: fewer than ``n`` of ``max(budget, 10 n)`` draws were accepted.
    """
    budget = max(budget, 10 * n)
    kept: list[np.ndarray] = []
    matched = drawn = 0
    while matched < n and drawn < budget:
        rate = matched / drawn if matched else 0.0
        want = (n - matched) / rate * 1.1 if rate > 0 else max(2 * n, 10_000)
        size = int(min(max(want, 10_000), 4_000_000, budget - drawn))
        values = draw(size)
        drawn += size
        hits = values[accept(values)]
        kept.append(hits)
        matched += len(hits)
    if matched < n:
        raise SynthesizerError(
            f"{matched:,} of {drawn:,} draws matched {described}; {n:,} rows were asked for. The condition is "
            "impossible or too rare for this model: widen it or ask for fewer rows."
        )
    return np.concatenate(kept)[:n]


__all__ = [
    "ColumnDomain",
    "ColumnKind",
    "Condition",
    "Param",
    "Rebalance",
    "Synthesizer",
    "SynthesizerError",
    "column_mask",
    "condition_mask",
    "describe_conditions",
    "draw_matching",
    "is_missing",
    "largest_remainder",
    "load_model",
]
