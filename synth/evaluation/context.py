"""One evaluation's tables, prepared once and shared by every metric.

Every fidelity, utility and privacy metric used to coerce, code and encode the same three tables again. An
:class:`EvaluationContext` holds (train, synthetic, holdout, schema) and computes each preparation lazily, once:
the schema (inferred once when not given), the compared columns, the fidelity codes, the accuracy bins, the
feature encoder for classifiers and its matrices. Metrics that take ``context=`` read from it instead of
preparing their own, so the Compare page, the race, the report and the CLI pay for each preparation once per
synthetic table.

``prepared`` counts how often each preparation ran; the tests use it to prove that metrics share them.

Several synthetic tables scored against the same real tables (a race) share one
:class:`~synth.evaluation.reference.RealReference` (``reference=``): the preparations of the real tables (their
coerced frames, the classifier encoder fitted on train, their feature matrices) and whatever a metric computes
from the real tables alone (:meth:`EvaluationContext.real_once`: the TRTR models, the real-vs-real references)
are then built once per race instead of once per synthetic table.

The context is a plain object (no streamlit): the UI keeps one per run in the session, never in a cache shared
between users.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd

from synth.evaluation.date_parts import WEEKDAYS, DatePart, patterned_parts
from synth.evaluation.errors import ContextError
from synth.evaluation.features import FeatureEncoder, labels, stratified_sample
from synth.evaluation.once import build_once
from synth.evaluation.reference import RealReference
from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema, numeric_values
from synth.schema.entities import FIND_PERSON, PersonColumn
from synth.synthesizers.rare_categories import BUCKET_LABELS

T = TypeVar("T")
Role = Literal["train", "synthetic", "holdout"]
Build = Callable[["EvaluationContext"], Any]
"""Builds an extension of a context (see :meth:`EvaluationContext.extension`)."""
ACCURACY_BINS = 10  # as mostlyai-qa: 10 quantile bins for numbers, the 10 most common categories
NUMERIC_KINDS = frozenset({ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME})
#: The accuracy bin of a synthesizer's rare-category bucket, when no real training row holds that value.
BUCKET_BIN = "(a synthesizer's rare-category bucket)"


#: Every score that compares columns says this when the schema leaves none (each column generated, not learned).
NO_COLUMN_TO_COMPARE = (
    "no column to compare: every column is an identifier, free text, PII or constant; give at least one column a "
    "kind a synthesizer learns (categorical, boolean, continuous, discrete or datetime) in the schema"
)
#: A score called with neither its tables nor a context.
NO_TABLES = "give the real and the synthetic table, or an evaluation context (context=EvaluationContext(...))"


def check_rows(train: pd.DataFrame, synthetic: pd.DataFrame) -> None:
    """Refuse a real or synthetic table without rows, saying which and what to do."""
    if len(train) and len(synthetic):
        return
    if not len(synthetic):
        todo = "sample rows from the model (a few hundred or more make the scores worth reading)"
    else:
        todo = "pass the table the model was fitted on"
    which = "synthetic" if len(train) else "real"
    raise ContextError(
        f"both the real and the synthetic table need at least one row, and the {which} one has none: {todo}"
    )


def check_columns(
    train: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame | None, modelled: list[str]
) -> None:
    """Refuse a synthetic table or holdout lacking a ``modelled`` column of ``train``, naming them and what to do."""
    missing = [c for c in modelled if c in train.columns and c not in synthetic.columns]
    if missing:
        raise ContextError(
            f"the synthetic table lacks columns of the real one: {', '.join(map(str, missing))}; "
            "sample again from a model fitted on this table, or evaluate the shared columns only"
        )
    if holdout is not None:
        lacking = [c for c in modelled if c in train.columns and c not in holdout.columns]
        if lacking:
            raise ContextError(
                f"the holdout lacks columns of the real table: {', '.join(map(str, lacking))}; pass the holdout "
                "split from this table (synth.split), or leave the holdout out"
            )


def too_few_rows(score: str, minimum: int, real: tuple[str, int], synthetic_rows: int) -> ContextError:
    """The error of a score that needs ``minimum`` rows in each table: both counts and what to do about the short
    one. ``real``: the real rows the score reads, as (what they are called, how many)."""
    todo = []
    if synthetic_rows < minimum:
        todo.append(f"sample at least {minimum} rows (a few hundred make the score worth reading)")
    if real[1] < minimum:
        todo.append(f"give a {real[0]} of at least {minimum} rows")
    return ContextError(
        f"{score} needs at least {minimum} rows in each table; the synthetic table has {synthetic_rows:,} and the "
        f"{real[0]} {real[1]:,}: {' and '.join(todo)}"
    )


@dataclass(frozen=True)
class BinnedColumn:
    """One column in at most ``ACCURACY_BINS`` + 2 bins, the same bins for every table.

    Attributes:
        name: the column.
        codes: per table (train, synthetic, holdout when given), an integer bin per row.
        n_codes: number of bins, including "(other)" and "(missing)".
        labels: a readable label per bin.
        buckets: the rare-category bucket labels the synthetic table holds and no training row does (binned as
            :data:`BUCKET_BIN`).
    """

    name: str
    codes: tuple[np.ndarray, ...]
    n_codes: int
    labels: tuple[str, ...]
    buckets: tuple[str, ...] = ()


def bin_breaks(real: np.ndarray, n_bins: int) -> np.ndarray:
    """The boundaries of at most ``n_bins`` bins of a number, lowest and highest value included, as mostlyai-qa's
    accuracy draws them: every value its own bin when there are at most ``n_bins`` of them, else evenly spaced
    order statistics, taken ever more densely until ``n_bins`` + 1 of them are distinct.

    Plain quantile edges with duplicates dropped collapse a spiky column (Adult's capital-gain is 0 in 92% of the
    rows: its deciles are one value) into one or two bins, which every generator then matches: the score flatters.
    The dense search still cuts the column's spread-out part into ``n_bins`` bins.
    """
    values = np.sort(real[np.isfinite(real)])
    if not len(values):
        return values
    distinct = np.unique(values)
    if len(distinct) <= n_bins:
        return np.append(distinct, distinct[-1] + 1)
    breaks = distinct[:0]
    for i in range(n_bins, max(n_bins + 1, min(1000, len(values) + 1))):
        breaks = np.unique(values[np.linspace(0, len(values) - 1, i).astype(int)])
        if len(breaks) >= n_bins + 1:
            break
    return breaks


def _bin_numeric(values: list[np.ndarray], n_bins: int) -> tuple[list[np.ndarray], int, tuple[str, ...]]:
    # Bins [b_i, b_i+1) of the real table's boundaries (bin_breaks); values beyond either end go to the end bins.
    breaks = bin_breaks(values[0], n_bins)
    edges = breaks[1:-1]
    n = max(len(breaks) - 1, 1)
    out = []
    for x in values:
        codes = np.searchsorted(edges, x, side="right")
        out.append(np.where(np.isfinite(x), codes, n).astype(np.intp))
    names = (*(f"≥ {b:g}" for b in breaks[:-1]), "(missing)") if len(breaks) > 1 else ("all", "(missing)")
    return out, n + 1, names


def _bin_categories(
    series: list[pd.Series], n_bins: int
) -> tuple[list[np.ndarray], int, tuple[str, ...], tuple[str, ...]]:
    # The 10 most common training categories, "(other)" for the rest, "(missing)". A synthesizer's own bucket for
    # rare categories (BUCKET_LABELS: ours, mostlyai-engine's; a value no real row holds) gets a bin of its own,
    # BUCKET_BIN (mostlyai-qa does the same for its engine's "_RARE_" but folds ours into "(other)"): folded into
    # "(other)" it matched the real rare tail, so a postcode column that came out 98% "(other)" scored as well as
    # fresh real data. Only that value: every value no real row holds in a bin of its own would also catch a fresh
    # real sample, whose postcodes are 27% in neither train nor holdout on the test table (tests/unit/test_accuracy).
    # Also returned: the bucket labels found.
    texts = [labels(s) for s in series]
    counts = texts[0].value_counts()
    top = [str(v) for v in counts.index[:n_bins]]
    lookup = {v: i for i, v in enumerate(top)}
    other, missing = len(top), len(top) + 1
    tokens = tuple(b for b in BUCKET_LABELS if b not in counts.index and any(bool((t == b).any()) for t in texts[1:]))
    for token in tokens:
        lookup[token] = len(top) + 2
    out = []
    for t in texts:
        codes = t.map(lookup).to_numpy(dtype=float)
        codes = np.where(np.isnan(codes), other, codes)
        codes[t.isna().to_numpy()] = missing
        out.append(codes.astype(np.intp))
    names = (*top, "(other)", "(missing)", *((BUCKET_BIN,) if tokens else ()))
    return out, len(names), names, tokens


class EvaluationContext:
    """The tables of one evaluation and everything prepared from them, computed lazily and once.

    Args:
        train: the real training table.
        synthetic: the synthetic table.
        holdout: real rows the synthesizer never saw (the reference), or None.
        schema: column kinds; inferred once from ``train`` when omitted.
        seed: seed of every subsample drawn by the context.
        reference: the real-only results shared with other synthetic tables of the same (train, holdout,
            schema); it must hold these very tables (and the schema, when given). None keeps them on this context.

    Raises:
        ContextError: a table has no rows, the synthetic table or the holdout lacks modelled columns, or
            ``reference`` holds other real tables.
    """

    def __init__(
        self,
        train: pd.DataFrame,
        synthetic: pd.DataFrame,
        holdout: pd.DataFrame | None = None,
        schema: Schema | None = None,
        *,
        seed: int = 0,
        reference: RealReference | None = None,
        person_column: PersonColumn = FIND_PERSON,
    ) -> None:
        check_rows(train, synthetic)
        if reference is not None and not reference.covers(train, holdout, schema):
            raise ContextError(
                "the shared real reference holds other real tables (or another schema): build the context from "
                "reference.train, reference.holdout and reference.schema, or leave reference out"
            )
        if reference is not None and reference.seed != seed:
            reference = None  # real-only results depend on the seed: this context computes its own
        self.train = train
        self.synthetic = synthetic
        self.holdout = holdout if holdout is not None and len(holdout) else None
        self.seed = seed
        # whose row each real row is, when the caller knows (the split's column; None: each row its own person)
        self.person_column = person_column
        self.prepared: Counter[str] = Counter()
        self.reference = reference
        self._given_schema = schema if schema is not None or reference is None else reference.schema
        self._cache: dict[str, Any] = {}
        self._lock = threading.RLock()  # guards _cache, _locks and _started; each preparation has its own lock
        self._locks: dict[str, threading.RLock] = {}
        self._started: set[str] = set()
        self._failed: set[str] = set()  # background builds that raised (see settled)
        self._closed = False
        check_columns(train, synthetic, self.holdout, self.schema.modelled)

    # -------------------------------------------------------------------------------------------- machinery
    def once(self, name: str, build: Callable[[], T]) -> T:
        """The value of preparation ``name``, built on first use (thread-safe) and shared afterwards.

        Each name has a lock of its own: two threads asking for the same preparation build it once (the second
        waits), while different preparations build at the same time (see :meth:`prefetch`).
        """

        def record(key: str, value: T) -> None:
            self.prepared[key] += 1
            if not self._closed:  # a build that ends after close() is handed back, never kept
                self._cache[key] = value

        return build_once(self._lock, self._locks, self._cache, name, build, record)

    def close(self) -> None:
        """Forget every prepared value, closing those that run work of their own (a value with a ``close()``
        method, such as a page's background job): for a run that goes, or a user who forgets their data."""
        with self._lock:
            self._closed = True
            values, self._cache = list(self._cache.values()), {}
        for value in values:
            close = getattr(value, "close", None)
            if callable(close):
                close()

    def real_once(self, name: str, build: Callable[[], T]) -> T:
        """A result computed from the real tables alone: shared through :attr:`reference` when there is one.

        ``name`` must spell out everything the result depends on besides (train, holdout, schema, seed).
        """
        if self.reference is None:
            return self.once(name, build)
        return self.reference.once(name, build)

    def prefetch(self, name: str, build: Build, *more: tuple[str, Build]) -> threading.Thread | None:
        """Start building extension ``name`` (then each ``(name, build)`` of ``more``, in order) in one background
        thread; :meth:`extension` then waits for a value under way or takes the finished one.

        For work a page will need a moment later. The builds run one after another, most urgent first, rather
        than in a thread each: they are mostly Python and numpy code that holds the GIL, so on a small machine
        several threads contend and the first result arrives later than in sequence (measured on the Compare
        page's scores: 1.4 s in four threads, 0.9 s in one). Nothing starts for a value already built or under
        way; a caller that needs a value the thread has not reached yet builds it itself (the thread then takes
        it). An error in the background is dropped: the later :meth:`extension` call builds again and raises it.
        """
        todo: list[tuple[str, Build]] = []
        with self._lock:
            if self._closed:
                return None
            for item in ((name, build), *more):
                key = f"ext:{item[0]}"
                if key not in self._cache and key not in self._started:
                    self._started.add(key)
                    todo.append(item)
        if not todo:
            return None

        def run() -> None:
            for item_name, item_build in todo:
                if self._closed:
                    return
                try:
                    self.extension(item_name, item_build)
                except Exception:  # raised again by the caller's own extension() call
                    with self._lock:
                        self._failed.add(f"ext:{item_name}")

        thread = threading.Thread(target=run, name=f"prefetch {todo[0][0]}", daemon=True)
        thread.start()
        return thread

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for unpicklable in ("_lock", "_locks", "_started", "_failed"):
            del state[unpicklable]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._locks = {}
        self._started = set()
        self._failed = set()

    @property
    def roles(self) -> tuple[Role, ...]:
        """The tables present, in the order every per-table tuple uses."""
        return ("train", "synthetic", "holdout") if self.holdout is not None else ("train", "synthetic")

    def table(self, role: Role) -> pd.DataFrame:
        if role == "holdout":
            if self.holdout is None:
                raise ContextError("this evaluation has no holdout")
            return self.holdout
        return self.train if role == "train" else self.synthetic

    # -------------------------------------------------------------------------------------------- prepared
    @property
    def schema(self) -> Schema:
        return self.once("schema", lambda: self._given_schema or infer_schema(self.train))

    @property
    def compared(self) -> tuple[str, ...]:
        """Modelled columns present in the real table (identifiers, PII, free text and constants are not)."""
        return self.once(
            "compared", lambda: tuple(c.name for c in self.schema if c.kind.is_modelled and c.name in self.train)
        )

    def coerced(self, role: Role) -> pd.DataFrame:
        """The compared columns of one table with the storage their kinds need (numbers numeric, dates parsed)."""

        def build() -> pd.DataFrame:
            names = list(self.compared)
            return coerce_to_schema(self.table(role)[names], self.schema.select(names))

        if role != "synthetic":
            return self.real_once(f"coerced:{role}", build)
        return self.once(f"coerced:{role}", build)

    @property
    def fidelity_codes(self) -> list[Any]:
        """Every compared column coded for the fidelity scores (train, synthetic[, holdout])."""
        from synth.evaluation.fidelity.coding import _code

        return self.once(
            "fidelity_codes",
            lambda: _code([self.table(r) for r in self.roles], self.schema, list(self.compared)),
        )

    @property
    def accuracy_bins(self) -> tuple[BinnedColumn, ...]:
        """Every compared column in mostlyai-qa-style bins: 10 real-quantile bins or the 10 top categories; then
        each of :attr:`date_parts` (time of day in 10 real-quantile bins, the 7 weekdays)."""

        def build() -> tuple[BinnedColumn, ...]:
            out = []
            for name in self.compared:
                kind = self.schema[name].kind
                if kind in NUMERIC_KINDS:
                    # The coerced tables: text dates read in the schema's format ("23.12.2010"), not each table
                    # by pandas' guess from its first value (a synthetic "05.06.2016" was read month first).
                    codes, n, names = _bin_numeric(
                        [numeric_values(self.coerced(r)[name], kind) for r in self.roles], ACCURACY_BINS
                    )
                    buckets: tuple[str, ...] = ()
                else:
                    codes, n, names, buckets = _bin_categories([self.table(r)[name] for r in self.roles], ACCURACY_BINS)
                out.append(BinnedColumn(name, tuple(codes), n, names, buckets))
            for part in self.date_parts:  # hours and weekdays a timestamp's own bins do not see
                values = [part.values(self.coerced(r)[part.column]) for r in self.roles]
                if part.numeric:
                    codes, n, names = _bin_numeric(values, ACCURACY_BINS)
                else:
                    codes = [np.where(np.isfinite(v), np.nan_to_num(v), 7).astype(np.intp) for v in values]
                    n, names = 8, (*WEEKDAYS, "(missing)")
                out.append(BinnedColumn(part.name, tuple(codes), n, names))
            return tuple(out)

        return self.once("accuracy_bins", build)

    @property
    def date_parts(self) -> tuple[DatePart, ...]:
        """Times of day and weekdays of the compared timestamp columns with a pattern in the real training rows,
        compared as columns of their own (:mod:`synth.evaluation.date_parts`)."""

        def build() -> tuple[DatePart, ...]:
            person = self.people
            people = self.train[person] if person is not None and person in self.train.columns else None
            return patterned_parts(self.coerced("train"), self.schema, self.compared, people)

        return self.real_once("date_parts", build)

    @property
    def encoder(self) -> FeatureEncoder:
        """The classifier feature encoding, fitted once on the real training table, with the timestamps' patterned
        parts as features of their own."""
        return self.real_once(
            "encoder",
            lambda: FeatureEncoder.fit(self.coerced("train"), self.schema, self.compared, parts=self.date_parts),
        )

    def sample_rows(self, role: Role, size: int, *, salt: int = 0) -> np.ndarray:
        """A seeded sample of row positions of one table (all rows when it is small enough), shared by metrics."""
        n = len(self.table(role))

        def build() -> np.ndarray:
            rng = np.random.default_rng([self.seed, salt, len(role), size])
            return np.sort(stratified_sample(rng, n, min(size, n)))

        if role != "synthetic":
            return self.real_once(f"rows:{role}:{size}:{salt}", build)
        return self.once(f"rows:{role}:{size}:{salt}", build)

    @property
    def people(self) -> str | None:
        """The column naming whose row each real row is (a patient's visits): the one given, None when told none,
        else the one :mod:`synth.evaluation.people` finds, or None."""
        from synth.evaluation.people import people_column

        if self.person_column is not FIND_PERSON:
            return self.person_column
        return self.real_once("people", lambda: people_column(self.train, self.holdout, self.schema))

    def people_labels(self, role: Role, size: int, *, salt: int = 0) -> np.ndarray | None:
        """The person of each row of :meth:`sample_rows` (``role``, ``size``, ``salt``), for classifier folds that
        keep a person's rows together; None when each real row is its own person. Synthetic rows are grouped by the
        same column where the synthetic table holds it (:func:`~synth.evaluation.people.synthetic_person_labels`)."""
        from synth.evaluation.people import person_labels, synthetic_person_labels

        if self.people is None:
            return None
        rows = self.sample_rows(role, size, salt=salt)
        if role == "synthetic":
            return synthetic_person_labels(self.synthetic, rows, self.people)
        return person_labels(self.table(role), rows, self.people, role)

    def tree_matrix(self, role: Role, size: int, *, salt: int = 0) -> np.ndarray:
        """Classifier features (numbers, category codes) for a seeded sample of ``size`` rows of one table."""

        def build() -> np.ndarray:
            rows = self.sample_rows(role, size, salt=salt)
            return self.encoder.tree_matrix(self.coerced(role).iloc[rows])

        if role != "synthetic":
            return self.real_once(f"tree:{role}:{size}:{salt}", build)
        return self.once(f"tree:{role}:{size}:{salt}", build)

    def settled(self, name: str) -> bool:
        """Whether :meth:`extension` ``name`` would answer at once: it is built, or its background build failed
        (the caller's own call then builds again and raises the error). For a page that draws something else
        while a prefetched value is under way, instead of waiting for it."""
        key = f"ext:{name}"
        with self._lock:
            return key in self._cache or key in self._failed

    def extension(self, name: str, build: Callable[[EvaluationContext], T]) -> T:
        """A preparation owned by another module (e.g. the privacy neighbours), built once on this context."""
        return self.once(f"ext:{name}", lambda: build(self))
