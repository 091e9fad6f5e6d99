"""The contract every synthesizer follows, and the work they all share.

Subclasses implement only their model: ``_fit(data, schema, rng, progress)`` on the modelled columns and
``_sample(n, rng, progress)`` returning those columns. The base validates input, infers or checks the schema,
turns ``random_state`` into a Generator, regenerates identifiers / PII / constants without learning them,
applies conditions and rebalancing, reports progress, conforms the output to the real dtypes, and saves and
loads fitted models without pickle.

The scikit-learn rules hold: ``__init__`` only stores parameters; learned state lives in attributes ending
in ``_``. Every such attribute that the base does not own is the model's state: it is what :meth:`save`
writes, so it must be made of the types :mod:`synth.synthesizers.persist` allows.

Conditions and rebalancing
    Checked and drawn by :mod:`synth.synthesizers.conditions`; each model's exact conditional sampler lives in
    :mod:`synth.synthesizers.conditional`.

Column domains
    What each column held in training (values, range, missingness), kept to refuse impossible conditions at once:
    :class:`ColumnDomain`, in :mod:`synth.synthesizers.column_domain`.

Saving
    ``model.save(path)`` writes a zip with a JSON manifest and a numpy ``.npz`` (no pickle);
    :func:`load_model` reads it back and the loaded model samples exactly what the saved one would have.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from synth.generated import GeneratedColumns
from synth.progress import ProgressCallback, ensure, scaled
from synth.schema import ColumnKind, Schema, SchemaMismatchError, coerce_to_schema, conform, infer_schema
from synth.synthesizers import conditions as _conditions
from synth.synthesizers import persist
from synth.synthesizers.column_domain import ColumnDomain
from synth.synthesizers.compositions import find_compositions, rounded_as
from synth.synthesizers.conditions import (
    Condition,
    Rebalance,
    column_mask,
    condition_mask,
    describe_conditions,
    draw_matching,
    is_missing,
    largest_remainder,
)
from synth.synthesizers.elapsed import find_elapsed
from synth.synthesizers.errors import SynthesizerError
from synth.synthesizers.estimator import accepting_deep, check_deep, init_param_names, set_params
from synth.synthesizers.input_checks import check_finite_numbers
from synth.synthesizers.inventory import ArtifactItem, artifact_inventory
from synth.synthesizers.loading import load_model
from synth.synthesizers.params import MIN_CATEGORY_ROWS, Param
from synth.synthesizers.people import find_people, hold_people
from synth.synthesizers.rare_categories import (
    RareCategoryError,
    bucket_warning,
    bucketed_shares,
    hide_rare_categories,
)
from synth.synthesizers.time_of_day import split_times, time_orders
from synth.synthesizers.weekdays import join_parts, split_weekdays

# Learned attributes owned by the base; every other public attribute ending in "_" is the model's state.
_BASE_STATE = frozenset({"schema_", "reference_", "generated_", "n_train_rows_", "rng_", "domain_"})

register_state = persist.register_state_type


class Synthesizer(ABC):
    """Base class of every synthesizer.

    Class attributes:
        name: registry key.
        label: name shown to users.
        description: one or two sentences on what the model does and when to use it.
        params: the declared parameter space (widgets are generated from it).
        main_params: the names of the parameters an analyst is expected to set (the rest are shown as advanced);
            None: all of them.
        guarantee: a formal privacy guarantee in plain words, or None when the model gives none.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    params: ClassVar[tuple[Param, ...]] = ()
    main_params: ClassVar[tuple[str, ...] | None] = None
    guarantee: ClassVar[str | None] = None

    #: Rejection sampling for conditions draws at least this many candidate rows before giving up (and up
    #: to ten per requested row when more rows are asked for).
    max_condition_draws: ClassVar[int] = 200_000

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_params" in cls.__dict__:  # an override written as get_params(self) still takes deep=
            cls.get_params = accepting_deep(cls.__dict__["get_params"])  # type: ignore[method-assign]
        if cls.guarantee is None and all(p.name != MIN_CATEGORY_ROWS.name for p in cls.params):
            cls.params = (*cls.params, MIN_CATEGORY_ROWS)

    @classmethod
    def split_params(cls) -> tuple[tuple[Param, ...], tuple[Param, ...]]:
        """(main, advanced): the declared parameters an analyst is expected to set, and the rest, in declared
        order (pages show the second group folded)."""
        if cls.main_params is None:
            return cls.params, ()
        main = tuple(p for p in cls.params if p.name in cls.main_params)
        return main, tuple(p for p in cls.params if p.name not in cls.main_params)

    @classmethod
    def changed_params(cls, params: Mapping[str, Any]) -> dict[str, Any]:
        """The declared parameters in ``params`` whose value differs from their default, in declared order
        (``random_state`` and names the model does not declare are left out): what a list of fitted models
        shows, where every setting printed ran past the page with nothing to tell two models apart."""
        return {p.name: params[p.name] for p in cls.params if p.name in params and params[p.name] != p.default}

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

    def get_params(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """``get_params(deep=True)``: the constructor's arguments as set (scikit-learn's protocol,
        :mod:`synth.synthesizers.estimator`): ``random_state``, the declared parameters, and any keyword a
        subclass's ``__init__`` adds. ``deep`` changes nothing (no parameter holds an estimator); any other
        argument is a TypeError. (Typed loosely so overrides written as ``get_params(self)`` still type-check.)"""
        check_deep(args, kwargs)
        declared = {"random_state": self.random_state, **{p.name: getattr(self, p.name) for p in self.params}}
        return {**declared, **{k: getattr(self, k) for k in init_param_names(type(self)) if k not in declared}}

    def set_params(self, **params: Any) -> Synthesizer:
        """Set parameters by name (checked as a fit checks them) and return ``self``; never fits. A fitted
        synthesizer whose settings change forgets its fit (see :mod:`synth.synthesizers.estimator`)."""
        return set_params(self, params)

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
            raise SynthesizerError(
                f"fit needs at least 2 rows, got {len(df)}: fit on the whole table (a model learns from many rows; "
                "a few hundred or more is usual)"
            )
        self.check_params(self.get_params())
        if schema is None:
            schema = infer_schema(df)
        missing = [c for c in schema.names if c not in df.columns]
        if missing:
            raise SynthesizerError(f"the schema names columns the table lacks: {', '.join(missing)}")
        df = df[schema.names]
        k = int(getattr(self, MIN_CATEGORY_ROWS.name, 1))
        try:  # rare categories become "(other)" before anything is learned (k = 1 keeps them)
            hidden = hide_rare_categories(df, schema, k)
        except RareCategoryError as exc:
            raise SynthesizerError(str(exc)) from exc
        bucketed = bucketed_shares(df, schema, k)
        df = hidden
        report(0.0, "preparing columns")
        try:  # a text column declared a number (an edited schema) would be learned as missing, or break a fit
            data = coerce_to_schema(df, schema, strict=True)
        except SchemaMismatchError as exc:
            raise SynthesizerError(str(exc)) from exc
        check_finite_numbers(data, schema)  # inf and overflowing ranges: one rule for every synthesizer
        # Number columns that add up to one total on every row are scaled to it after each draw (compositions);
        # found first, so that no exact rule computes one of them (a lookup would undo the scaling).
        ruled = bool(getattr(self, "exact_rules", False)) and self.guarantee is None
        self.compositions_ = find_compositions(data[schema.modelled], schema.select(schema.modelled)) if ruled else ()
        schema = self._output_schema(data, schema)
        self.compositions_ = rounded_as(self.compositions_, schema)
        rng = np.random.default_rng(self.random_state)
        generated = GeneratedColumns.fit(data, schema)
        domain = tuple(ColumnDomain.fit(data[c.name], c.kind) for c in schema)
        modelled = schema.modelled
        # Datetimes with a time part are learned as their day plus a hidden time of day (synth.synthesizers.
        # time_of_day): as one number every model smoothed the hour of day to uniform; patterned weekdays get a
        # hidden day of week (synth.synthesizers.weekdays) for the same reason.
        private = self.guarantee is not None
        # An end date that is a start plus a duration on every row is computed from them after each draw
        # (synth.synthesizers.elapsed); found on whole timestamps, before they are split.
        found = find_elapsed(data[modelled], schema.select(modelled)) if ruled else ((), ())
        self.elapsed_, self.elapsed_followers_ = found
        model_data, model_schema, splits = split_times(
            data[modelled].reset_index(drop=True), schema.select(modelled), private=private
        )
        model_data, model_schema, weeks = split_weekdays(model_data, model_schema, private=private)
        self._fit(model_data, model_schema, rng, scaled(report, 0.05, 1.0))
        declared = tuple(getattr(self, "declared_orders_", ())) if private else None
        self.times_ = splits
        self.weekdays_ = weeks
        moved = {s[0] for s in splits} | {w[0] for w in weeks}
        self.time_orders_ = time_orders(data[modelled], schema.select(modelled), moved, declared)
        self.people_ = find_people(data, schema, self)  # after every rule and order: it holds their columns only whole
        self.schema_ = schema
        self.reference_ = df.iloc[:0].copy()
        self.generated_ = generated
        self.domain_ = domain
        self.n_train_rows_ = len(df)
        self.rng_ = rng
        self.bucketed_ = bucketed
        report(1.0, "fitted")
        return self

    def _output_schema(self, data: pd.DataFrame, schema: Schema) -> Schema:
        """The schema the model keeps and its samples are conformed to: the given one, unless a synthesizer must
        not round some column to its recorded decimals (CART: :func:`synth.synthesizers.cart_steps.safe_decimals`)."""
        return schema

    @abstractmethod
    def _fit(self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback) -> None:
        """Learn the modelled columns. ``data`` holds only columns of modelled kinds.

        Report progress regularly (at least once per column) so a cancel is prompt.
        """

    def unrounded_note(self, schema: Schema) -> str | None:
        """One sentence naming the columns this model writes with more decimals than ``schema`` records (CART keeps
        a column's draws unrounded where rounding them could give back real rare values), or None. An HR table's
        bonus_pct, recorded in hundredths, came out as 8.825768935862698 with nothing on the page saying why."""
        written = getattr(self, "schema_", None)
        if written is None:
            return None
        names = [
            (
                f"{c.name} (to the nearest {10**-c.decimals:,})"
                if c.decimals < 0
                else f"{c.name} ({c.decimals} decimal{'s' if c.decimals != 1 else ''})"
            )
            for c in schema
            if c.decimals is not None
            and c.name in written.names
            and written[c.name].decimals is None
            # Text in a layout of fixed places ("$12.34") is written at them; a grain of hundreds is not kept by it.
            and (c.layout_places is None or c.decimals < 0)
        ]
        if not names:
            return None
        return (
            f"{', '.join(names)}: the real values are recorded at this precision; synthetic values drawn near rare "
            "real ones keep more. "
            f"{self.label} draws such a column from bands around rare real values, and rounded to the real "
            "precision a draw would often land exactly on one of them."
        )

    def fit_warnings(self) -> tuple[str, ...]:
        """What a user should know about this fit before trusting its samples (e.g. columns a DP model could
        not learn at its ε, columns mostly learned as the rare-category bucket), one sentence each; empty when there
        is nothing to say. Subclasses add theirs to these."""
        k = int(getattr(self, MIN_CATEGORY_ROWS.name, 1))
        # (absent from files saved before it existed)
        return tuple(bucket_warning(column, share, k) for column, share in getattr(self, "bucketed_", ()))

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
        """Draw ``n`` candidate rows for conditional sampling by rejection.

        Used only for a model without an exact sampler in :mod:`synth.synthesizers.conditional`. The base
        checks every returned row against every condition and keeps those that match, so an
        override may honour some conditions exactly (e.g. on the column a sequential model draws first)
        and leave the rest to rejection. ``conditions`` are validated: datetimes are ``pd.Timestamp``,
        lists hold only values seen in training, ``None`` means missing.
        """
        return self._sample(n, rng, progress)

    def _derive_frame(self, body: pd.DataFrame) -> pd.DataFrame:
        """Rows of the modelled columns from the exact conditional sampler with every computed column (exact rules,
        :mod:`synth.synthesizers.derived`) filled in; models whose sampler computes them already return ``body``."""
        return body

    # --------------------------------------------------------------- sample
    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "schema_")

    def sample(
        self,
        n: int,
        *,
        seed: int | None = None,
        conditions: Mapping[str, Condition] | Sequence[tuple[str, Condition]] | None = None,
        rebalance: Rebalance | None = None,
        progress: ProgressCallback | None = None,
    ) -> pd.DataFrame:
        """Draw ``n`` synthetic rows with the real table's columns and dtypes.

        Args:
            n: number of rows, at least 1.
            seed: the same seed gives the same table; ``None`` continues the generator made at fit.
            conditions: column → value, list of allowed values, ``None`` (missing) or ``(low, high)`` range
                (``None`` for an open end), or a list of ``(column, condition)`` pairs (intersected per
                column). Impossible or contradictory conditions fail at once; otherwise the other columns are
                drawn from the model's own conditional distribution (see :mod:`synth.synthesizers.conditions`).
            rebalance: ``{column: {value: share, ...}}`` (or ``{(col_a, col_b): {(a, b): share, ...}}`` for a
                joint mix): the output holds each value in the given share (shares sum to 1), every other
                column drawn conditionally on it. Values left out get no rows. Combines with ``conditions``
                on other columns.
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
        conds = _conditions.check_conditions(self, _conditions.normalise_conditions(conditions))
        plan = _conditions.check_rebalance(self, rebalance, conds) if rebalance else None
        rng = self.rng_ if seed is None else np.random.default_rng(seed)
        before = rng.bit_generator.state if seed is None else None
        report = ensure(progress)
        try:
            report(0.0, f"sampling {n:,} rows")
            if plan is not None:
                out = _conditions.sample_rebalanced(self, n, conds, plan, rng, report)
            elif conds:
                body = _conditions.sample_conditioned(self, n, conds, rng, scaled(report, 0.0, 0.95))
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
            body = self._model_rows(n, rng, scaled(progress, 0.0, 0.9))
        else:  # every column is generated
            body = pd.DataFrame(index=pd.RangeIndex(n))
        return self._join(body, self.generated_.sample(n, rng), rng)

    def _model_rows(self, n: int, rng: np.random.Generator, progress: ProgressCallback) -> pd.DataFrame:
        """``n`` rows of the modelled columns as the user sees them: dates moved to their drawn weekday, split
        datetimes joined again (their day plus their time of day) and the rows that break an order between two
        timestamps drawn again."""
        body = join_parts(self, self._sample(n, rng, progress), rng)
        orders = getattr(self, "time_orders_", ())  # (absent from files saved before it existed)
        if orders:
            from synth.synthesizers.row_orders import keep_orders  # imports CART's steps, which import this module

            body = keep_orders(body, orders, lambda m: join_parts(self, self._sample(m, rng, lambda *_: None), rng))
        return body

    def _finish(self, body: pd.DataFrame, rng: np.random.Generator, keep: Sequence[str] = ()) -> pd.DataFrame:
        """Add the generated columns to conformed modelled rows and conform the whole table (``keep``: rebalanced
        columns, never held per person)."""
        return self._join(body, self.generated_.sample(len(body), rng), rng, keep)

    def _join(
        self, body: pd.DataFrame, extra: pd.DataFrame, rng: np.random.Generator, keep: Sequence[str] = ()
    ) -> pd.DataFrame:
        # Columns side by side without copying or consolidating them (a real cost at a million rows).
        columns = {c: body[c].to_numpy() for c in body.columns}
        columns.update({c: extra[c].to_numpy() for c in extra.columns})
        full = pd.DataFrame(columns, index=pd.RangeIndex(len(body)), copy=False)
        # One synthetic person, one set of person-level values (absent from files saved before it existed).
        return hold_people(conform(full, self.schema_, self.reference_), getattr(self, "people_", None), rng, keep)

    def _conform_modelled(self, body: pd.DataFrame) -> pd.DataFrame:
        return conform(body.reset_index(drop=True), self.schema_.select(self.schema_.modelled), self.reference_)

    # ----------------------------------------------------------- conditions
    def _domain(self, column: str) -> ColumnDomain:
        for dom in self.domain_:
            if dom.name == column:
                return dom
        raise KeyError(column)

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

    def _check_state(self) -> None:
        """Called by :func:`load_model` after ``_set_state``: raise ``ModelFileError`` for state a fit could not
        have produced. Models whose state reaches compiled code without bounds checks must override it."""
        return None

    def save(self, path: str | Path) -> None:
        """Write the fitted model to ``path``: a zip of a JSON manifest and numpy arrays, no pickle.

        The file holds what the model learned from the training data; keep it as safe as the data. Its bytes
        depend only on the model: saving twice, or saving two fits made with one seed, gives the same file.
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
