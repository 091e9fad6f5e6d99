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
from typing import Any

import numpy as np
import pandas as pd

from synth.generated import GeneratedColumns
from synth.io.errors import TableReadError
from synth.io.frame_checks import check_frame
from synth.progress import ProgressCallback, ensure, scaled
from synth.schema import ColumnKind, Schema, SchemaMismatchError, coerce_to_schema, conform, infer_schema
from synth.schema.number_kinds import with_people_ranges
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
from synth.synthesizers.declared_params import DeclaredParams
from synth.synthesizers.elapsed import find_elapsed
from synth.synthesizers.errors import SynthesizerError
from synth.synthesizers.input_checks import check_finite_numbers
from synth.synthesizers.loading import load_model
from synth.synthesizers.model_file import ModelFile
from synth.synthesizers.params import MIN_CATEGORY_ROWS, Param
from synth.synthesizers.people import (
    FIND_PERSON,
    PersonColumn,
    ages_among,
    check_person_column,
    find_people,
    hold_ages,
    hold_people,
)
from synth.synthesizers.person_rarity import (
    few_people_columns,
    few_people_warning,
    person_codes,
    person_column_of,
    pool_person_values,
    without_values,
)
from synth.synthesizers.rare_categories import (
    RareCategoryError,
    bucket_warning,
    bucketed_shares,
    hide_rare_categories,
    pooled_note,
    warned_shares,
)
from synth.synthesizers.row_offsets import named_zones, offset_shares, to_row_clocks, write_row_offsets
from synth.synthesizers.template_frames import frame_conditions, pin_frames
from synth.synthesizers.text_templates import as_identifiers, fill_templates, pool_templates, with_pooled
from synth.synthesizers.time_of_day import (
    Split,
    Zone,
    column_zones,
    split_times,
    time_orders,
    to_local,
    write_local,
)
from synth.synthesizers.weekdays import join_parts, split_weekdays

#: The most values (rows × columns) one ``sample`` call returns as a DataFrame: 250 million, about 2 GB as numbers
#: and several times that as text. Larger tables are written to a file in blocks (``synth.sampling.write_table``).
MAX_SAMPLE_CELLS = 250_000_000

register_state = persist.register_state_type


class Synthesizer(DeclaredParams, ModelFile, ABC):
    """Base class of every synthesizer: the fit and the sample every model shares.

    Its declared attributes and parameters are :class:`~synth.synthesizers.declared_params.DeclaredParams`'s;
    its learned state and model file :class:`~synth.synthesizers.model_file.ModelFile`'s.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._complete_declaration()

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        df: pd.DataFrame,
        schema: Schema | None = None,
        *,
        progress: ProgressCallback | None = None,
        person_column: PersonColumn = FIND_PERSON,
    ) -> Synthesizer:
        """Learn the table ``df``.

        Args:
            df: the training table (never the holdout).
            schema: column kinds; inferred from ``df`` when omitted.
            progress: called with (fraction, message) as fitting advances; may raise
                :class:`synth.Cancelled` to stop. Whatever stops a fit (cancel or error) leaves the
                synthesizer exactly as it was before.
            person_column: the column naming whose row each row is (a ``patient_id`` over a patient's visits):
                rows of one synthetic person then share what each real person's rows hold constant
                (:mod:`synth.synthesizers.people`). None: each row is its own person, nothing is held. Left out,
                the fit finds the column itself (:func:`synth.schema.entities.entity_column`). Pass the column the
                table was split by (``synth.split(by=)``, the Data page's choice) and given to the privacy
                checks (``EvaluationContext(person_column=)``), so the model holds the same people they attack.
                An argument of the fit, not a field of the schema, for the same reason as scikit-learn's
                ``groups``: it says how rows group, not what a column holds, and it belongs with the split and
                the evaluation, which take it the same way; schema files stay the column kinds the Data page
                edits. A model with a privacy guarantee reads nothing of it from the rows.

        Returns:
            ``self``, fitted.

        Raises:
            SynthesizerError: a ``person_column`` the table lacks, or of a kind that names no person (only an
                identifier or personal data does), before anything is learned.
        """
        snapshot = dict(vars(self))
        try:
            return self._fit_all(df, schema, ensure(progress), person_column)
        except BaseException:
            vars(self).clear()
            vars(self).update(snapshot)
            raise

    def _fit_all(
        self, df: pd.DataFrame, schema: Schema | None, report: ProgressCallback, person_column: PersonColumn
    ) -> Synthesizer:
        if not isinstance(df, pd.DataFrame):
            raise SynthesizerError(f"fit needs a pandas DataFrame, got {type(df).__name__}")
        if len(df) < 2:
            raise SynthesizerError(
                f"fit needs at least 2 rows, got {len(df)}: fit on the whole table (a model learns from many rows; "
                "a few hundred or more is usual)"
            )
        self.check_params(self.get_params())
        try:  # a notebook's frame may hold what no file gives: two columns of one name, lists, year-1 dates
            check_frame(df, None if schema is None else set(schema.names))
        except TableReadError as exc:
            raise SynthesizerError(str(exc)) from exc
        inferred = schema is None
        if schema is None:
            schema = infer_schema(df)
        missing = [c for c in schema.names if c not in df.columns]
        if missing:
            raise SynthesizerError(f"the schema names columns the table lacks: {', '.join(missing)}")
        check_person_column(person_column, schema)  # before any work: a wrong column is known at once
        df = df[schema.names]
        k = int(getattr(self, MIN_CATEGORY_ROWS.name, 1))
        # A person's many rows never make their value common (synth.synthesizers.person_rarity); a model with a
        # guarantee reads no person from the rows.
        people = None
        if self.guarantee is None:
            person_column = person_column_of(df, schema, person_column)
            people = person_codes(df, person_column)
            if inferred and person_column is not None:  # the model's own schema: its reasons' ranges over people
                schema = with_people_ranges(df, schema, person_column)
        else:  # short texts' templates and their shares are the rows': under a guarantee, identifiers as before
            schema = as_identifiers(schema)
        # Short texts as their templates ("Rechnung ####"), those held by fewer than k people pooled as "(other)";
        # the digits are redrawn at sample time (synth.synthesizers.text_templates).
        df, self.templates_, pooled = pool_templates(df, schema, k, people)
        try:  # rare categories become "(other)" before anything is learned (k = 1 keeps them)
            hidden = hide_rare_categories(df, schema, k, people)
        except RareCategoryError as exc:
            raise SynthesizerError(str(exc)) from exc
        bucketed = with_pooled(bucketed_shares(df, schema, k, people), pooled)
        df = hidden
        report(0.0, "preparing columns")
        try:  # a text column declared a number (an edited schema) would be learned as missing, or break a fit
            data = coerce_to_schema(df, schema, strict=True)
        except SchemaMismatchError as exc:
            raise SynthesizerError(str(exc)) from exc
        check_finite_numbers(data, schema)  # inf and overflowing ranges: one rule for every synthesizer
        # A number, date or constant fewer than k people hold in all is learned as missing (said by fit_warnings);
        # kept only when there is one, so other fits write the same file as before.
        few = few_people_columns(data, schema, people)
        if few:
            self.few_people_ = few
        else:
            vars(self).pop("few_people_", None)
        unpooled = without_values(data, few)
        # Each person's pooled value drawn within its block's cell, from a generator of its own: the fit's main
        # stream (and so every other draw of a seeded fit) stays as it was.
        cells = np.random.default_rng(None if self.random_state is None else [int(self.random_state), 0x5EED])
        data = pool_person_values(unpooled, schema.select(schema.modelled), people, rng=cells)
        # Each row's person for the fit's own region rules (leaves, pairs, levels, groups, components), which count
        # people when it is known; never kept in the model (dropped below, and with the snapshot on a failure).
        self._fit_people = people
        # Number columns that add up to one total on every row are scaled to it after each draw (compositions);
        # found first, so that no exact rule computes one of them (a lookup would undo the scaling).
        ruled = bool(getattr(self, "exact_rules", False)) and self.guarantee is None
        self.compositions_ = find_compositions(data[schema.modelled], schema.select(schema.modelled)) if ruled else ()
        recorded = {spec.name: spec.decimals for spec in schema}  # as the real rows write them: rules are theirs
        schema = self._output_schema(data, schema)
        self.compositions_ = rounded_as(self.compositions_, schema)
        rng = np.random.default_rng(self.random_state)
        # Names following a category's levels: never under a guarantee (their shares are the rows', without noise).
        generated = GeneratedColumns.fit(data, schema, by_level=self.guarantee is None)
        domain = tuple(ColumnDomain.fit(data[c.name], c.kind) for c in schema)
        modelled = schema.modelled
        # Datetimes with a time part are learned as their day plus a hidden time of day (synth.synthesizers.
        # time_of_day): as one number every model smoothed the hour of day to uniform; patterned weekdays get a
        # hidden day of week (synth.synthesizers.weekdays) for the same reason.
        private = self.guarantee is not None
        # An end date that is a start plus a duration on every row is computed from them after each draw
        # (synth.synthesizers.elapsed); found on whole timestamps, before they are split, and before a person's rare
        # values are pooled (a block mean moves a frequent patient's date of birth off every age they had; a rule
        # stores names, never a value).
        found = find_elapsed(unpooled[modelled], schema.select(modelled), recorded) if ruled else ((), ())
        self.elapsed_, self.elapsed_followers_ = found
        zones = self._local_clocks(df[modelled], schema.select(modelled))  # offsets: read on their local clock
        # Several offsets (winter and summer time): each row on its own wall clock, offsets drawn again at sample
        # time with their shares (synth.synthesizers.row_offsets; never under a guarantee: the shares are the rows').
        # Offsets that change where a named zone's do are written at that zone's offset of each row instead.
        named = {} if private else named_zones(df[modelled], schema.select(modelled), zones)
        shares = {} if private else offset_shares(df[modelled], schema.select(modelled), {**zones, **named})
        rows = data[modelled].reset_index(drop=True)
        clocks = to_row_clocks(rows, df[modelled].reset_index(drop=True), [*shares, *named])
        local = to_local(clocks, zones)
        model_data, model_schema, splits = split_times(local, schema.select(modelled), private=private)
        model_data, model_schema, weeks = split_weekdays(model_data, model_schema, private=private, people=people)
        self._fit(model_data, model_schema, rng, scaled(report, 0.05, 1.0))
        weeks = self._kept_weeks(weeks)
        splits = self._kept_times(splits)
        declared = tuple(getattr(self, "declared_orders_", ())) if private else None
        self.times_, self.time_zones_, self.time_offsets_, self.offset_zones_ = splits, zones, shares, named
        self.weekdays_ = weeks
        moved = {s[0] for s in splits} | {w[0] for w in weeks}
        self.time_orders_ = time_orders(data[modelled], schema.select(modelled), moved, declared)
        # After every rule and order: it holds their columns only whole.
        self.people_ = find_people(data, schema, self, person_column)
        if self.people_ is not None and self.people_.keys:  # each person's own key: one per person, none shared
            generated = generated.without_repeats(self.people_.keys)
        self.schema_ = schema
        self.reference_ = df.iloc[:0].copy()
        self.generated_ = generated
        self.domain_ = domain
        self.n_train_rows_ = len(df)
        self.rng_ = rng
        self.bucketed_ = bucketed
        # The column rare values were counted over, for the pooled note (None: rows were counted).
        self.rare_people_ = person_column if people is not None else None
        del self._fit_people
        report(1.0, "fitted")
        return self

    def _output_schema(self, data: pd.DataFrame, schema: Schema) -> Schema:
        """The schema the model keeps and its samples are conformed to: the given one, unless a synthesizer must
        not round some column to its recorded decimals (CART: :func:`synth.synthesizers.rare_bands.safe_decimals`)."""
        return schema

    def _local_clocks(self, raw: pd.DataFrame, schema: Schema) -> dict[str, Zone]:
        """The local clock each datetime column is modelled on (:func:`~synth.synthesizers.time_of_day.column_zones`;
        a DP model chooses text columns' offsets by its own mechanism)."""
        return column_zones(raw, schema)

    def _kept_times(self, splits: tuple[Split, ...]) -> tuple[Split, ...]:
        """The time-of-day splits the fitted model learned, at its grains (all those given to :meth:`_fit`, unless
        it tested some: a DP model, :mod:`synth.synthesizers.dp.patterns`)."""
        return splits

    def _kept_weeks(self, weeks: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        """The hidden weekdays the fitted model learned (all those given to :meth:`_fit`, unless it dropped some)."""
        return weeks

    @abstractmethod
    def _fit(self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback) -> None:
        """Learn the modelled columns. ``data`` holds only columns of modelled kinds.

        Report progress regularly (at least once per column) so a cancel is prompt.
        """

    def fit_warnings(self) -> tuple[str, ...]:
        """What a user should know about this fit before trusting its samples (e.g. columns a DP model could
        not learn at its ε, columns mostly learned as the rare-category bucket), one sentence each; empty when there
        is nothing to say. Subclasses add theirs to these."""
        k = int(getattr(self, MIN_CATEGORY_ROWS.name, 1))
        person = getattr(self, "rare_people_", None)  # (absent, like bucketed_, from files saved before it existed)
        templated = {spec.name for spec in self.schema_ if spec.templated}
        few = tuple(
            few_people_warning(column, person)
            for column in getattr(self, "few_people_", ())  # (absent from files saved before it existed)
            if person is not None
        )
        return few + tuple(
            bucket_warning(column, share, k, person, column in templated)
            for column, share in warned_shares(getattr(self, "bucketed_", ()))
        )

    def pooled_note(self) -> str | None:
        """One sentence per kind of pooling naming the columns whose rare values this model pooled (categories as
        "(other)", word patterns as made-up text), with the share of training rows each pooled, counted in rows or
        in people as the fit counted them, and why (:func:`~synth.synthesizers.rare_categories.pooled_note`);
        None when none was. Read from the fit, so the pages print what the model holds instead of counting again."""
        k = int(getattr(self, MIN_CATEGORY_ROWS.name, 1))
        templated = {spec.name for spec in self.schema_ if spec.templated}
        # (both absent from files saved before they existed)
        return pooled_note(getattr(self, "bucketed_", ()), k, getattr(self, "rare_people_", None), templated)

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
        cells = n * max(len(self.schema_.names), 1)
        if cells > MAX_SAMPLE_CELLS:  # sample(10**12) was NumPy's MemoryError ("Unable to allocate 29.1 TiB")
            raise SynthesizerError(
                f"{n:,} rows of {len(self.schema_.names)} columns ({cells:,} values) are more than a table in memory "
                f"holds here (at most {MAX_SAMPLE_CELLS:,} values): write them to a file in blocks, in bounded memory, "
                "with synth.sampling.write_table(model, path, n_rows, seed=...), or sample fewer rows"
            )
        # A pattern drawn from its frame ("Miete Mai" from "Miete \u2420") is asked for as its frame, the word pinned.
        asked, pinned = frame_conditions(
            getattr(self, "templates_", ()), _conditions.normalise_conditions(conditions), self._domain
        )
        conds = _conditions.check_conditions(self, asked)
        plan = _conditions.check_rebalance(self, rebalance, conds) if rebalance else None
        rng = self.rng_ if seed is None else np.random.default_rng(seed)
        before = rng.bit_generator.state if seed is None else None
        report = ensure(progress)
        try:
            report(0.0, f"sampling {n:,} rows")
            if plan is not None:
                out = _conditions.sample_rebalanced(self, n, conds, plan, rng, report, pinned)
            elif conds:
                body = _conditions.sample_conditioned(self, n, conds, rng, scaled(report, 0.0, 0.95))
                # A conditioned age keeps its condition: left as drawn, with its date of birth (people.ages_among).
                fixed = ages_among(getattr(self, "people_", None), conds)
                out = self._finish(pin_frames(body, pinned, rng), rng, fixed)
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
        return self._join(body, self.generated_.sample(n, rng, body), rng)

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
        columns and conditioned ages, never held per person nor computed again)."""
        return self._join(body, self.generated_.sample(len(body), rng, body), rng, keep)

    def _join(
        self, body: pd.DataFrame, extra: pd.DataFrame, rng: np.random.Generator, keep: Sequence[str] = ()
    ) -> pd.DataFrame:
        # Columns side by side without copying or consolidating them (a real cost at a million rows).
        columns = {c: body[c].to_numpy() for c in body.columns}
        columns.update({c: extra[c].to_numpy() for c in extra.columns})
        full = pd.DataFrame(columns, index=pd.RangeIndex(len(body)), copy=False)
        # One synthetic person, one set of person-level values (absent from files saved before it existed).
        # Templates' digits drawn before people are held, so a person's rows hold one filled value (absent from
        # files saved before it existed).
        conformed = fill_templates(conform(full, self.schema_, self.reference_), getattr(self, "templates_", ()), rng)
        held = hold_people(conformed, getattr(self, "people_", None), rng, keep, schema=self.schema_)
        held = self.generated_.follow_levels(held, rng)  # repeated IBANs in the country their rows hold
        held = write_local(held, self.schema_, getattr(self, "time_zones_", {}))
        named = getattr(self, "offset_zones_", {})  # (absent from files saved before it existed)
        offsets = getattr(self, "time_offsets_", {})
        out = write_row_offsets(held, self.schema_, offsets, rng, named)
        people = getattr(self, "people_", None)
        if people is not None and any(later in offsets or later in named for _, later, _ in people.ages):
            # An age counts to the instant its later date is written at, and a drawn offset or a zone's moves that
            # instant only now: computed before, from the wall clock, an admission at 00:29 (+02:00) on the
            # birthday, 22:29 UTC the day before, read a year too old.
            rows = np.flatnonzero(out[people.entity].notna().to_numpy())
            out = hold_ages(out, people, rows, keep, schema=self.schema_)
        return out

    def _conform_modelled(self, body: pd.DataFrame) -> pd.DataFrame:
        out = conform(body.reset_index(drop=True), self.schema_.select(self.schema_.modelled), self.reference_)
        return write_local(out, self.schema_, getattr(self, "time_zones_", {}))

    # ----------------------------------------------------------- conditions
    def _domain(self, column: str) -> ColumnDomain:
        for dom in self.domain_:
            if dom.name == column:
                return dom
        raise KeyError(column)


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
