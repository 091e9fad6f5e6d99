"""The tables of one privacy evaluation, prepared once and shared by every measurement.

Following a privacy evaluation used to show the training table prepared again and again: the schema inferred
per call, :func:`~synth.evaluation.privacy.common.prepare_tables` run per attack, the distance encoders refitted
per attack and the same nearest-neighbour searches repeated by the distance panel, the membership attack and the
inspector. A :class:`PrivacyInputs` is built from ``(train, holdout, synthetic, schema)`` and computes each of
those once, lazily, on first use:

* the schema (inferred from train once when not given) and the coerced tables;
* the encoders: the Euclidean mixed encoder (every category of every table), the Gower encoder of the
  linkability and inference attacks, the query encoder of singling out, and the encoded tables;
* the nearest-neighbour searches: synthetic → train and holdout → train (two neighbours: DCR and NNDR),
  synthetic → holdout, and the membership targets → synthetic and → the attacker's reference rows;
* the distances of real rows to their nearest synthetic rows, each row searched once for the row-level and the
  person-level membership attacks alike (:meth:`PrivacyInputs.to_synthetic`);
* the membership split: the holdout halved into the attacker's reference rows and the non-member targets,
  a seeded sample of training members, and the most isolated training rows.

:attr:`PrivacyInputs.runs` counts how often each step ran, so tests can prove the sharing. The object is plain
Python (no streamlit); pages cache one per run and pass it to every privacy call.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd

from synth.evaluation.people import PersonRows, person_rows
from synth.evaluation.privacy.common import PrivacyInputError, Tables, check_holdout, prepare_tables
from synth.evaluation.privacy.inference_risk import guess_shares
from synth.evaluation.privacy.neighbors import (
    GowerEncoder,
    GowerRows,
    Matrix,
    MixedEncoder,
    euclidean_neighbors,
    gower_neighbors,
    row_hashes,
)
from synth.evaluation.privacy.singling_out import QueryEncoder, unique_columns
from synth.schema import ColumnKind, Schema, infer_schema
from synth.schema.entities import FIND_PERSON, PersonColumn

Which = Literal["train", "holdout", "synthetic"]
T = TypeVar("T")

DEFAULT_TARGETS = 5000
"""Training members scored by the membership attacks (a seeded sample; the page states the number)."""
ISOLATED_SHARE = 0.01
"""The targeted membership check looks at this share of training rows, the most isolated ones."""


def _empty_columns(df: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    return [c for c in columns if c in df.columns and not df[c].notna().any()]


class PrivacyInputs:
    """Train, holdout and synthetic tables, their encodings and neighbour searches, each computed once.

    Args:
        train: the table the synthesizer was fitted on.
        holdout: real rows it never saw (at least 100).
        synthetic: its synthetic output.
        schema: column kinds (inferred from ``train`` once when omitted).
        seed: seed of every row sample drawn here (membership targets, holdout halves).
        synthesizer: ``(name, params)`` of the synthesizer that made ``synthetic``, for the shadow-model
            attack (``synth.create(name, **params)`` refits it); None leaves that attack out.
        n_targets: training members scored by the membership attacks.
        person_column: the column naming whose row each real row is (the dataset's ``split_by``); found by
            :func:`~synth.schema.entities.entity_column` when omitted; None: each row is its own person (the Data
            page's "no"). With one, membership is also scored over people
            (:mod:`~synth.evaluation.privacy.people_membership`), and singling out, linkability and inference count
            people (:mod:`~synth.evaluation.privacy.singling_people`, :mod:`~synth.evaluation.privacy.attack_people`).

    Raises:
        PrivacyInputError: for a holdout under 100 rows, an empty synthetic table, or no learned column shared
            by the three tables.
    """

    def __init__(
        self,
        train: pd.DataFrame,
        holdout: pd.DataFrame,
        synthetic: pd.DataFrame,
        schema: Schema | None = None,
        *,
        seed: int = 0,
        synthesizer: tuple[str, dict[str, Any]] | None = None,
        n_targets: int = DEFAULT_TARGETS,
        person_column: PersonColumn = FIND_PERSON,
    ) -> None:
        check_holdout(holdout, n_train=len(train))
        if len(synthetic) == 0:
            raise PrivacyInputError("The synthetic table has no rows. Sample some rows first.")
        self.runs: Counter[str] = Counter()
        self.runs["schema"] += schema is None
        self.schema = schema if schema is not None else infer_schema(train)
        self.seed = seed
        self.synthesizer = synthesizer
        self.n_targets = n_targets
        notes: list[str] = []
        extra = [c for c in synthetic.columns if c not in train.columns]
        if extra:
            notes.append(
                f"The synthetic table has column(s) the real table lacks ({', '.join(repr(c) for c in extra[:5])}"
                f"{', …' if len(extra) > 5 else ''}); they are left out of every privacy measure."
            )
        modelled = [c for c in self.schema.modelled if c in train.columns]
        lacking = [c for c in modelled if c not in synthetic.columns or c not in holdout.columns]
        if lacking:
            notes.append(
                f"Learned column(s) {', '.join(repr(c) for c in lacking)} are missing from the synthetic or holdout "
                "table; the measures use the other columns."
            )
        empty = _empty_columns(train, [c for c in modelled if c not in lacking])
        if empty:
            notes.append(
                f"Column(s) {', '.join(repr(c) for c in empty)} have no values in the training table; they are "
                "left out (a column of missing values says nothing about anyone)."
            )
        self.people: PersonRows | None = person_rows(train, holdout, self.schema, person_column)
        shared = None if self.people is None else shared_people(train, holdout, self.schema, self.people.column)
        if shared is not None:
            notes.append(shared)
        keep = [c for c in modelled if c not in lacking and c not in empty]
        empty_synthetic = _empty_columns(synthetic, keep)
        if empty_synthetic:
            notes.append(
                f"Column(s) {', '.join(repr(c) for c in empty_synthetic)} have no values in the synthetic table: "
                "there every synthetic row differs from every real one, so the distances look safer than the other "
                "columns alone would. Check the generator or the upload."
            )
        if not keep:
            raise PrivacyInputError(
                "No learned column with values is shared by the train, holdout and synthetic tables, so there is "
                "nothing to compare. Check that the synthetic table comes from this dataset."
            )
        self.runs["prepare_tables"] += 1
        self.tables: Tables = prepare_tables(train, synthetic, holdout, self.schema, keep)
        self.kinds: dict[str, ColumnKind] = self.tables.schema.kinds()
        self.notes: tuple[str, ...] = tuple(notes)
        self._cache: dict[Any, Any] = {}
        self._lock = threading.RLock()
        self._key_locks: dict[Any, threading.Lock] = {}

    # ------------------------------------------------------------------------------------------- plumbing
    def _once(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` the first time ``key`` is asked for, the stored value afterwards (thread-safe).

        One lock per key: a page thread asking for a cheap preparation (the record inspector's encodings) does
        not wait for a background thread computing a long neighbour search under another key.
        """
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            value = compute()
            with self._lock:
                name = key[0] if isinstance(key, tuple) else key
                self.runs[str(name)] += 1
                self._cache[key] = value
            return value

    @property
    def columns(self) -> tuple[str, ...]:
        return self.tables.columns

    def table(self, which: Which) -> pd.DataFrame:
        return {"train": self.tables.train, "holdout": self.tables.holdout, "synthetic": self.tables.synthetic}[which]

    def check_columns(self, columns: Sequence[str]) -> list[str]:
        """``columns`` de-duplicated; raises :class:`PrivacyInputError` when one is not a compared column."""
        wanted = list(dict.fromkeys(columns))
        missing = [c for c in wanted if c not in self.columns]
        if missing:
            raise PrivacyInputError(
                f"Column(s) {', '.join(repr(c) for c in missing)} are not learned columns shared by the train, "
                "holdout and synthetic tables (or have no values). Pick columns the synthetic table has."
            )
        return wanted

    # ------------------------------------------------------------------------------------------- encoders
    @property
    def mixed_encoder(self) -> MixedEncoder:
        """The Euclidean mixed-type encoder, fitted once on train (ranges) and every table's categories."""
        t = self.tables
        return self._once("mixed_encoder", lambda: MixedEncoder.fit(t.train, t.schema, (t.holdout, t.synthetic)))

    def encoded(self, which: Which) -> Matrix:
        """``which`` table encoded by :attr:`mixed_encoder`."""
        return self._once(("encode", which), lambda: self.mixed_encoder.transform(self.table(which), self.kinds))

    @property
    def gower_encoder(self) -> GowerEncoder:
        """anonymeter's Gower encoder over every compared column, fitted once on the three tables."""
        t = self.tables
        return self._once(
            "gower_encoder", lambda: GowerEncoder.fit([t.synthetic, t.train, t.holdout], t.columns, self.kinds)
        )

    def gower(self, which: Which, columns: Sequence[str]) -> GowerRows:
        """``which`` table's ``columns`` encoded for the Gower distance."""
        cols = tuple(columns)
        return self._once(("gower", which, cols), lambda: self.gower_encoder.select(cols).transform(self.table(which)))

    def gower_nearest(
        self, which: Which, columns: Sequence[str], rows: np.ndarray, k: int = 1
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest synthetic rows (Gower, on ``columns``) of the rows ``rows`` of ``which``, kept.

        Linkability's first column group and inference's known columns are the same quasi-identifiers, and both
        attacks draw the same seeded targets: the inference attack finds the search done.
        """
        cols, rows = tuple(columns), np.asarray(rows, dtype=np.int64)
        return self._once(
            ("gower_nearest", which, cols, k, rows.tobytes()),
            lambda: gower_neighbors(self.gower(which, cols).take(rows), self.gower("synthetic", cols), k),
        )

    def guess_shares(
        self, which: Which, known: Sequence[str], rows: np.ndarray, secret: str, span: float, tolerance: float
    ) -> np.ndarray:
        """Per row ``rows`` of ``which``: the chance the inference attack guesses its ``secret`` right from the
        synthetic rows nearest on ``known`` (:func:`~synth.evaluation.privacy.inference_risk.guess_shares`), kept."""
        cols, rows = tuple(known), np.asarray(rows, dtype=np.int64)
        t = self.tables

        def compute() -> np.ndarray:
            truths = self.table(which)[secret].iloc[rows].reset_index(drop=True)
            syn_secret = t.synthetic[secret].reset_index(drop=True)
            targets, syn = self.gower(which, cols).take(rows), self.gower("synthetic", cols)
            return guess_shares(targets, syn, syn_secret, truths, self.kinds[secret], span, tolerance)

        return self._once(("guess_shares", which, cols, secret, span, tolerance, rows.tobytes()), compute)

    @property
    def query_encoder(self) -> QueryEncoder:
        """The singling-out vocabulary of every compared column, fitted once on the three tables."""
        t = self.tables
        return self._once(
            "query_encoder", lambda: QueryEncoder.fit([t.synthetic, t.train, t.holdout], t.columns, self.kinds)
        )

    def query_values(self, which: Which) -> np.ndarray:
        """``which`` table as the singling-out value matrix (columns × distinct rows, de-duplicated)."""

        def compute() -> np.ndarray:
            values = self.query_encoder.transform(self.table(which))
            return values[:, unique_columns(values)]

        return self._once(("query_values", which), compute)

    def query_tables(
        self, columns: Sequence[str] | None = None
    ) -> tuple[QueryEncoder, np.ndarray, np.ndarray, np.ndarray]:
        """The singling-out encoder and the synthetic, train and holdout value matrices on ``columns`` (every compared
        column when None, shared): de-duplicated, but with a person column train's and holdout's every row, in
        order, so each row keeps its person (:mod:`~synth.evaluation.privacy.singling_people`)."""
        t = self.tables
        if columns is None:
            encoder = self.query_encoder
            values = [self.query_values(w) for w in ("synthetic", "train", "holdout")]
        else:
            encoder = QueryEncoder.fit([t.synthetic, t.train, t.holdout], self.check_columns(columns), self.kinds)
            values = [(v := encoder.transform(f))[:, unique_columns(v)] for f in (t.synthetic, t.train, t.holdout)]
        if self.people is not None:
            values[1:] = [encoder.transform(t.train), encoder.transform(t.holdout)]
        return encoder, values[0], values[1], values[2]

    def hashes(self, which: Which) -> np.ndarray:
        """One hash per row of ``which`` over the compared columns (exact copies)."""
        return self._once(("hashes", which), lambda: row_hashes(self.table(which), self.columns, self.kinds))

    # ------------------------------------------------------------------------------------- neighbour searches
    def neighbors(self, query: Which, reference: Which, k: int = 2) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest ``reference`` rows of every ``query`` row (all rows, no subsample).

        Synthetic → train with ``k`` ≤ 2 is searched in two parts: the holdout-sized :attr:`train_sample` (searched
        first, for the closeness share) and the other training rows, the nearest of both kept.
        """
        if (query, reference) == ("synthetic", "train") and k <= 2:
            return self._once(("neighbors", query, reference, k), lambda: self._synthetic_to_train(k))
        return self._once(
            ("neighbors", query, reference, k),
            lambda: euclidean_neighbors(self.encoded(query), self.encoded(reference), k),
        )

    @property
    def train_sample(self) -> np.ndarray:
        """A seeded sample of training rows as large as the holdout (the holdout-sized DCR share)."""
        n_train, n_hold = len(self.tables.train), len(self.tables.holdout)
        rng = np.random.default_rng([self.seed, 1])
        return self._once(
            "train_sample", lambda: np.sort(rng.choice(n_train, size=min(n_train, n_hold), replace=False))
        )

    def _part_neighbors(self, name: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The two nearest of the training rows ``rows`` of every synthetic row, as positions in train."""

        def compute() -> tuple[np.ndarray, np.ndarray]:
            dist, idx = euclidean_neighbors(self.encoded("synthetic"), self.encoded("train")[rows], 2)
            return dist, rows[idx]

        return self._once(name, compute)

    def synthetic_to_train_sample(self) -> np.ndarray:
        """Distance of every synthetic row to its nearest row of :attr:`train_sample`."""
        return self._part_neighbors("synthetic_to_train_sample", self.train_sample)[0][:, 0]

    def _synthetic_to_train(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Synthetic → train from the sample's two nearest and the other rows' two nearest: the ``k`` nearest of
        the four by exact distance, ties to the lowest training row (as one search of all rows orders them)."""
        sample = self.train_sample
        rest = np.setdiff1d(np.arange(len(self.tables.train)), sample)
        if not len(rest):
            dist, idx = self._part_neighbors("synthetic_to_train_sample", sample)
            return dist[:, :k], idx[:, :k]
        d_sample, i_sample = self._part_neighbors("synthetic_to_train_sample", sample)
        d_rest, i_rest = self._part_neighbors("synthetic_to_train_rest", rest)
        dist, idx = np.hstack([d_sample, d_rest]), np.hstack([i_sample, i_rest])
        order = np.lexsort((idx, dist))[:, :k]
        return np.take_along_axis(dist, order, 1), np.take_along_axis(idx, order, 1)

    # ------------------------------------------------------------------------------------ membership targets
    @property
    def holdout_halves(self) -> tuple[np.ndarray, np.ndarray]:
        """The holdout split (seeded) into the attacker's reference rows and the non-member targets.

        With a person column the split takes each holdout person whole: split by row, a non-member's other visits
        sat among the reference rows, its nearest reference row was its own person, and the density-ratio attack
        read AUC 0.535 ± 0.010 for fresh people as the synthetic table (8 visits each, 8 seeds) instead of 0.5.
        The person-level attacks take these halves too, without the people who have rows in train
        (:mod:`~synth.evaluation.privacy.people_membership`).
        """

        def compute() -> tuple[np.ndarray, np.ndarray]:
            rng = np.random.default_rng([self.seed, 2])
            if self.people is None:
                order = rng.permutation(len(self.tables.holdout))
                half = len(order) // 2
                return np.sort(order[:half]), np.sort(order[half:])
            codes = self.people.holdout
            people = rng.permutation(np.unique(codes))
            reference = np.isin(codes, people[: len(people) // 2])
            return np.flatnonzero(reference), np.flatnonzero(~reference)

        return self._once("holdout_halves", compute)

    @property
    def member_sample(self) -> np.ndarray:
        """A seeded sample of at most ``n_targets`` training rows: the members every membership attack scores."""

        def compute() -> np.ndarray:
            n = len(self.tables.train)
            rng = np.random.default_rng([self.seed, 3])
            return np.sort(rng.choice(n, size=min(n, self.n_targets), replace=False))

        return self._once("member_sample", compute)

    def isolation(self) -> tuple[np.ndarray, np.ndarray]:
        """Distance of every training row and every non-member to its nearest reference row (isolation)."""

        def compute() -> tuple[np.ndarray, np.ndarray]:
            ref, non_members = self.holdout_halves
            x_ref = self.encoded("holdout")[ref]
            d_train = euclidean_neighbors(self.encoded("train"), x_ref, 1)[0][:, 0]
            d_non = euclidean_neighbors(self.encoded("holdout")[non_members], x_ref, 1)[0][:, 0]
            return d_train, d_non

        return self._once("isolation", compute)

    @property
    def isolated_members(self) -> np.ndarray:
        """The :data:`ISOLATED_SHARE` most isolated training rows (farthest from any reference row)."""

        def compute() -> np.ndarray:
            d_train, _ = self.isolation()
            n = max(1, round(ISOLATED_SHARE * len(d_train)))
            return np.sort(np.argsort(-d_train, kind="stable")[:n])

        return self._once("isolated_members", compute)

    @property
    def isolation_threshold(self) -> float:
        """The isolation of the least isolated of :attr:`isolated_members`."""
        d_train, _ = self.isolation()
        return float(d_train[self.isolated_members].min())

    @property
    def member_targets(self) -> np.ndarray:
        """Training rows scored by the membership attacks: the sample and the isolated rows."""
        return self._once("member_targets", lambda: np.union1d(self.member_sample, self.isolated_members))

    def target_features(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Distances of the membership targets that every attack scores from, computed once.

        Returns:
            ``{"members": (d_syn, d_ref), "non_members": (d_syn, d_ref)}``: ``d_syn`` the distances to the two
            nearest synthetic rows (n, 2), ``d_ref`` the distance to the nearest reference row (n,).
        """

        def compute() -> dict[str, tuple[np.ndarray, np.ndarray]]:
            _, non_members = self.holdout_halves
            d_train, d_non = self.isolation()
            return {
                "members": (self.to_synthetic("train", self.member_targets), d_train[self.member_targets]),
                "non_members": (self.to_synthetic("holdout", non_members), d_non),
            }

        return self._once("target_features", compute)

    def to_synthetic(self, which: Literal["train", "holdout"], rows: np.ndarray) -> np.ndarray:
        """Distances of the rows ``rows`` of ``which`` to their two nearest synthetic rows, ``(len(rows), 2)``.

        Each real row is searched once, whoever asks first: the row-level membership targets (a row sample and
        the isolated rows, :meth:`target_features`) and the person-level ones (whole people,
        :mod:`~synth.evaluation.privacy.people_membership`) overlap, entirely when train has at most
        ``n_targets`` rows. ``runs["to_synthetic"]`` counts the searches and ``runs["to_synthetic_rows"]`` the rows
        searched. With one synthetic row both columns hold its distance.
        """
        rows = np.asarray(rows, dtype=np.int64)
        with self._lock:
            key_lock = self._key_locks.setdefault(("to_synthetic", which), threading.Lock())
            if ("to_synthetic", which) not in self._cache:
                self._cache[("to_synthetic", which)] = np.full((len(self.table(which)), 2), np.nan)
            found: np.ndarray = self._cache[("to_synthetic", which)]
        with key_lock:
            missing = np.unique(rows[np.isnan(found[rows, 0])])
            if len(missing):
                dist = euclidean_neighbors(self.encoded(which)[missing], self.encoded("synthetic"), 2)[0]
                found[missing] = dist if dist.shape[1] == 2 else np.hstack([dist, dist])
                with self._lock:
                    self.runs["to_synthetic"] += 1
                    self.runs["to_synthetic_rows"] += len(missing)
            return found[rows]

    # ------------------------------------------------------------------------------------ shared across tables
    def share_real_only(self, shared_once: Callable[[str, Callable[[], Any]], Any]) -> None:
        """Take the searches among real rows from a store shared by several synthetic tables (a race).

        The holdout's neighbours in train and the isolation of the membership targets compare real rows only,
        and their distances do not depend on the synthetic table: numbers are scaled by train's range, and each
        category is a one-hot column of the same weight, so categories only the synthetic table has add columns
        that are zero for every real row. ``shared_once(name, build)`` returns the stored value of ``name`` or
        builds it (e.g. :meth:`synth.evaluation.context.EvaluationContext.real_once`).
        """
        searches: dict[Any, Callable[[], Any]] = {
            ("neighbors", "holdout", "train", 2): lambda: self.neighbors("holdout", "train", 2),
            "isolation": self.isolation,
        }
        for key, build in searches.items():
            value = shared_once(f"privacy:{key}:{','.join(self.columns)}:{self.seed}", build)
            with self._lock:
                self._cache.setdefault(key, value)


#: A holdout whose rows share a person with train on more than this share is said to hold people seen in training.
SHARED_PEOPLE_SHARE = 0.05


def shared_people(train: pd.DataFrame, holdout: pd.DataFrame, schema: Schema, column: str | None = None) -> str | None:
    """A note when holdout rows belong to people with rows in train (the column naming whose row each row is:
    :func:`synth.schema.entities.entity_column`): every measure here compares the synthetic rows' closeness to the
    training people with the holdout's, which is no yardstick of unseen people if they were seen."""
    from synth.schema.entities import entity_column

    if column is None:
        entity = entity_column(pd.concat([train, holdout], ignore_index=True), schema)
        column = None if entity is None else entity.column
    if column is None or column not in holdout.columns or column not in train.columns:
        return None
    seen = set(train[column].dropna().astype(str))
    values = holdout[column].dropna().astype(str)
    share = float(values.isin(seen).sum() / max(len(holdout), 1))
    if share <= SHARED_PEOPLE_SHARE:
        return None
    return (
        f"{share:.0%} of the holdout's rows belong to a {column} that also has rows in train: the holdout holds "
        f"people the model saw, so it understates what fresh people look like and every measure here compares "
        f"against them. Split by {column} (Data page: keep each person's rows together; "
        f"synth.split(table, by={column!r}))."
    )
