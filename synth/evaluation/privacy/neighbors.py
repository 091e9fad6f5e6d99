"""Mixed-type distances between rows and chunked nearest-neighbour search.

Two forms of one Gower-like distance, where a full-range gap in a number counts 1 and a category mismatch
counts 1:

* **Euclidean** (:class:`MixedEncoder`): numbers and datetimes scaled by their real range, every category
  one-hot with weight 1/√2 (none lumped into "other"), missing values as their own indicator;
  distance = √(Σ gap²). Rows become vectors, so
  scikit-learn's chunked, multi-threaded brute-force search (one matrix product per chunk) finds neighbours
  in a fraction of a second for 26k × 6.5k rows. Used by the distance panel, the membership attack and the
  record inspector.
* **Gower / L1** (:class:`GowerEncoder`): distance = Σ gap, anonymeter's distance, so attack risks compare
  with anonymeter's. Categories are compared through a one-hot matrix product (mismatches = columns −
  matches), numbers column by column; queries run in chunks of a bounded number of cells.

Ties are broken towards the lowest reference row, as anonymeter's argsort does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.neighbors import NearestNeighbors

from synth.schema import ColumnKind, Schema, numeric_values

MAX_DENSE_WIDTH = 512
"""Encodings wider than this (many categories) are sparse: a dense 26k × 10k matrix would take a gigabyte."""
CHUNK_CELLS = 4_000_000
"""Query rows × reference rows computed at once (32 MB of float64)."""
MAX_DENSE_CATEGORIES = 64
"""Gower categoricals with more categories than this are compared code by code instead of one-hot."""

NUMERIC_KINDS = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME)
Matrix: TypeAlias = Any
"""A dense ndarray or a scipy CSR matrix of encoded rows."""


def as_labels(col: pd.Series) -> pd.Series:
    """Values as strings, missing as the label ``"__missing__"``."""
    return col.astype(object).where(col.notna(), "__missing__").astype(str)


@dataclass(frozen=True)
class MixedEncoder:
    """Encodes rows as vectors whose Euclidean distance is a Gower-like mixed-type distance.

    Every category seen in any fitted table gets its own one-hot column: lumping rare categories into one
    "other" code would make an unseen holdout value equal to a rare training value and bias every
    distance-based measure towards "safe". A category unseen at fit time gets a shared "unseen" column, so it
    still differs from every fitted category by a full mismatch; fit on every table that will be compared
    (:class:`~synth.evaluation.privacy.inputs.PrivacyInputs` does) and no value is unseen. Wide encodings
    (many categories) are returned as sparse matrices.
    """

    numeric: tuple[tuple[str, float, float, bool], ...]  # name, minimum, range, has missing
    categorical: tuple[tuple[str, tuple[str, ...]], ...]  # name, known categories

    @classmethod
    def fit(cls, train: pd.DataFrame, schema: Schema, others: Sequence[pd.DataFrame] = ()) -> MixedEncoder:
        """Learn ranges from ``train`` and the categories of ``train`` and ``others`` (every one of them).

        Args:
            train: the training table; numbers are scaled by its range.
            schema: column kinds; only its modelled columns are encoded.
            others: further tables whose categories get columns of their own (holdout, synthetic).
        """
        numeric, categorical = [], []
        for spec in schema:
            if not spec.kind.is_modelled or spec.name not in train.columns:
                continue
            col = train[spec.name]
            if spec.kind in NUMERIC_KINDS:
                x = numeric_values(col, spec.kind)
                finite = x[np.isfinite(x)]
                lo = float(finite.min()) if len(finite) else 0.0
                span = float(finite.max() - lo) if len(finite) else 1.0
                missing = bool(np.isnan(x).any()) or any(
                    spec.name in o.columns and bool(o[spec.name].isna().any()) for o in others
                )
                numeric.append((spec.name, lo, span if span > 0 else 1.0, missing))
            else:
                labels = pd.concat(
                    [as_labels(col), *(as_labels(o[spec.name]) for o in others if spec.name in o.columns)],
                    ignore_index=True,
                )
                categorical.append((spec.name, tuple(str(v) for v in labels.value_counts().index)))
        return cls(tuple(numeric), tuple(categorical))

    @property
    def columns(self) -> list[str]:
        return [n for n, *_ in self.numeric] + [n for n, _ in self.categorical]

    @property
    def width(self) -> int:
        """Number of encoded features."""
        return 2 * len(self.numeric) + sum(len(c) + 1 for _, c in self.categorical)

    def transform(self, df: pd.DataFrame, kinds: dict[str, ColumnKind]) -> Matrix:
        """Encode ``df`` as a float32 matrix, one row per row (sparse when wider than :data:`MAX_DENSE_WIDTH`)."""
        n = len(df)
        dense: list[np.ndarray] = []
        for name, lo, span, _has_missing in self.numeric:
            x = (numeric_values(df[name], kinds[name]) - lo) / span
            missing = np.isnan(x)
            dense.append(np.where(missing, 0.0, x)[:, None])
            # Always the indicator: a table with missing values where train has none (e.g. an external
            # synthetic table) must encode to as many features as train does.
            dense.append(missing.astype(float)[:, None])
        weight = np.float32(1.0 / np.sqrt(2.0))
        offsets, codes = [], []
        offset = 0
        for name, cats in self.categorical:
            lookup = {c: i for i, c in enumerate(cats)}
            codes.append(as_labels(df[name]).map(lookup).fillna(len(cats)).to_numpy(dtype=np.int64) + offset)
            offsets.append(offset)
            offset += len(cats) + 1
        num = np.hstack(dense).astype(np.float32) if dense else np.zeros((n, 0), dtype=np.float32)
        if not dense and not codes:
            return np.zeros((n, 1), dtype=np.float32)
        if num.shape[1] + offset <= MAX_DENSE_WIDTH:
            onehot = np.zeros((n, offset), dtype=np.float32)
            for c in codes:
                onehot[np.arange(n), c] = weight
            return np.hstack([num, onehot])
        cols = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
        rows = np.tile(np.arange(n), len(codes))
        onehot_sparse = sparse.csr_matrix(
            (np.full(len(cols), weight, dtype=np.float32), (rows, cols)), shape=(n, offset)
        )
        return sparse.hstack([sparse.csr_matrix(num), onehot_sparse], format="csr", dtype=np.float32)


def _row_distances(a: Matrix, b: Matrix) -> np.ndarray:
    """Exact (float64) Euclidean distance between row i of ``a`` and row i of ``b``."""
    if sparse.issparse(a) or sparse.issparse(b):
        diff = sparse.csr_matrix(a, dtype=np.float64) - sparse.csr_matrix(b, dtype=np.float64)
        return np.sqrt(np.asarray(diff.multiply(diff).sum(axis=1)).ravel())
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    return np.sqrt(np.einsum("ij,ij->i", diff, diff))


def _exact_matches(queries: np.ndarray, reference: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each query row, the (up to ``k``) lowest reference rows identical to it, -1 where there are fewer.

    The float32 search below finds neighbours up to a rounding error of about 1e-3 in distance, enough to rank a
    near-copy before an exact copy; identical encoded rows are therefore matched exactly, by their bytes.
    """
    ref = np.ascontiguousarray(reference)
    first: dict[bytes, list[int]] = {}
    for i, row in enumerate(ref.view(np.dtype((np.void, ref.dtype.itemsize * ref.shape[1]))).ravel()):
        hits = first.setdefault(row.tobytes(), [])
        if len(hits) < k:
            hits.append(i)
    q = np.ascontiguousarray(queries, dtype=ref.dtype)
    out = np.full((len(q), k), -1, dtype=np.int64)
    for i, row in enumerate(q.view(np.dtype((np.void, q.dtype.itemsize * q.shape[1]))).ravel()):
        found = first.get(row.tobytes())
        if found:
            out[i, : len(found)] = found
    n_hits = (out >= 0).sum(axis=1)
    return out, n_hits


def _dense_neighbors(queries: np.ndarray, reference: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` nearest reference rows per query (float32 matrix products in bounded chunks).

    Rows are centred on the reference mean first (smaller norms, smaller rounding); exact copies are then put
    first, lowest reference row first (:func:`_exact_matches`).
    """
    ref = np.asarray(reference, dtype=np.float32)
    queries = np.asarray(queries)
    # Features that are 0 in every row of both tables (the missing indicator of a complete column, the "unseen"
    # column of a category) add nothing to any distance: leave them out of the products.
    used = np.flatnonzero(ref.any(axis=0) | queries.any(axis=0))
    centre = ref[:, used].mean(axis=0, dtype=np.float64).astype(np.float32)
    ref_c = ref[:, used] - centre
    # ‖q − r‖² − ‖q‖² = ‖r‖² − 2 q·r (the query's own norm does not change its ranking), as one product:
    # [q, 1] · [−2r, ‖r‖²].
    aug = np.empty((len(used) + 1, ref.shape[0]), dtype=np.float32)
    aug[:-1] = ref_c.T
    aug[:-1] *= -2.0
    aug[-1] = np.einsum("ij,ij->i", ref_c, ref_c, dtype=np.float64).astype(np.float32)
    n_q, n_ref = queries.shape[0], ref.shape[0]
    idx = np.empty((n_q, k), dtype=np.int64)
    step = max(1, CHUNK_CELLS // max(n_ref, 1))
    rows = np.arange(step)
    q = np.empty((min(step, n_q), len(used) + 1), dtype=np.float32)
    q[:, -1] = 1.0
    for start in range(0, n_q, step):
        stop = min(start + step, n_q)
        qc = q[: stop - start]
        np.subtract(np.asarray(queries[start:stop][:, used], dtype=np.float32), centre, out=qc[:, :-1])
        block = qc @ aug
        r = rows[: len(qc)]
        if k <= 3:
            for j in range(k):
                best = np.argmin(block, axis=1)
                idx[start:stop, j] = best
                if j + 1 < k:
                    block[r, best] = np.inf
        else:
            idx[start:stop] = np.argpartition(block, k - 1, axis=1)[:, :k]
    exact, n_exact = _exact_matches(queries, np.asarray(reference), k)
    for i in np.flatnonzero(n_exact):
        # Exact copies first (lowest row first), then the nearest other rows the approximate search found.
        hits = exact[i, : int(n_exact[i])]
        rest = [c for c in idx[i] if c not in hits][: k - len(hits)]
        idx[i] = np.concatenate([hits, np.asarray(rest, dtype=np.int64)])
    return idx


def euclidean_neighbors(queries: Matrix, reference: Matrix, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest reference rows of each query row (Euclidean, chunked brute force).

    Dense encodings are searched with float32 matrix products in chunks (faster than scikit-learn's float64
    search; two rows whose distances differ by less than float32 rounding, about 1e-6, may swap), exact copies
    matched by their bytes so they always come first; sparse (wide) ones with scikit-learn. The distances of the
    rows found are then recomputed exactly in float64, so an identical row is at distance 0, not at a rounding
    error from it.

    Returns:
        ``(distances, indices)``, both of shape ``(len(queries), k)``, nearest first.
    """
    k = min(k, reference.shape[0])
    if sparse.issparse(queries) or sparse.issparse(reference):
        nn = NearestNeighbors(n_neighbors=k, algorithm="brute", metric="euclidean").fit(reference)
        idx = nn.kneighbors(queries, return_distance=False)
    else:
        idx = _dense_neighbors(np.asarray(queries), np.asarray(reference), k)
    dist = np.empty(idx.shape, dtype=float)
    for j in range(k):
        dist[:, j] = _row_distances(queries, reference[idx[:, j]])
    order = np.lexsort((idx, dist)) if k > 1 else np.zeros(idx.shape, dtype=np.int64)
    return np.take_along_axis(dist, order, 1), np.take_along_axis(idx, order, 1)


def nearest_distances(queries: Matrix, reference: Matrix) -> np.ndarray:
    """Distance from each query row to its nearest reference row (chunked brute force)."""
    return euclidean_neighbors(queries, reference, 1)[0][:, 0]


def row_hashes(df: pd.DataFrame, columns: Sequence[str], kinds: dict[str, ColumnKind]) -> np.ndarray:
    """A hash per row over ``columns``, equal for rows with equal values whatever their dtypes."""
    normal = pd.DataFrame(index=df.index)
    for name in columns:
        if kinds[name] in NUMERIC_KINDS:
            normal[name] = np.round(numeric_values(df[name], kinds[name]), 9)
        else:
            normal[name] = as_labels(df[name])
    return pd.util.hash_pandas_object(normal, index=False).to_numpy()


@dataclass(frozen=True)
class GowerRows:
    """Rows encoded for the Gower (L1) distance.

    Attributes:
        numeric: (n, p_num) values scaled by their range; NaN where missing.
        onehot: (n, V) float32 one-hot of the low-cardinality categoricals.
        codes: (n, p_wide) int codes of the high-cardinality categoricals.
        n_dense: number of one-hot encoded categorical columns.
    """

    numeric: np.ndarray
    onehot: np.ndarray
    codes: np.ndarray
    n_dense: int

    def __len__(self) -> int:
        return len(self.numeric)

    def take(self, rows: np.ndarray) -> GowerRows:
        return GowerRows(self.numeric[rows], self.onehot[rows], self.codes[rows], self.n_dense)


@dataclass(frozen=True)
class GowerEncoder:
    """Encodes rows for anonymeter's mixed-type distance: Σ |scaled number gap| + Σ category mismatches.

    Numbers are scaled by their range over every table the encoder was fitted on, so a gap is at most 1;
    missing equals missing (gap 0) and differs from any value (gap 1).
    """

    numeric: tuple[tuple[str, ColumnKind, float, float], ...]  # name, kind, minimum, range
    categorical: tuple[tuple[str, tuple[str, ...]], ...]  # name, categories

    @classmethod
    def fit(cls, frames: Sequence[pd.DataFrame], columns: Sequence[str], kinds: dict[str, ColumnKind]) -> GowerEncoder:
        """Learn ranges and categories of ``columns`` over all ``frames``."""
        numeric, categorical = [], []
        for name in columns:
            kind = kinds[name]
            if kind in NUMERIC_KINDS:
                x = np.concatenate([numeric_values(f[name], kind) for f in frames])
                finite = x[np.isfinite(x)]
                lo = float(finite.min()) if len(finite) else 0.0
                span = float(finite.max() - lo) if len(finite) else 1.0
                numeric.append((name, kind, lo, span if span > 0 else 1.0))
            else:
                labels = pd.concat([as_labels(f[name]) for f in frames], ignore_index=True)
                categorical.append((name, tuple(sorted(labels.unique()))))
        return cls(tuple(numeric), tuple(categorical))

    def select(self, columns: Sequence[str]) -> GowerEncoder:
        """The encoder restricted to ``columns`` (ranges and categories as fitted on all of them)."""
        wanted = set(columns)
        return GowerEncoder(
            tuple(c for c in self.numeric if c[0] in wanted), tuple(c for c in self.categorical if c[0] in wanted)
        )

    def transform(self, df: pd.DataFrame) -> GowerRows:
        """Encode ``df`` (unknown categories get a code of their own)."""
        n = len(df)
        numeric = np.empty((n, len(self.numeric)), dtype=float)
        for j, (name, kind, lo, span) in enumerate(self.numeric):
            numeric[:, j] = (numeric_values(df[name], kind) - lo) / span
        dense = [(name, cats) for name, cats in self.categorical if len(cats) <= MAX_DENSE_CATEGORIES]
        wide = [(name, cats) for name, cats in self.categorical if len(cats) > MAX_DENSE_CATEGORIES]
        width = sum(len(cats) + 1 for _, cats in dense)
        onehot = np.zeros((n, width), dtype=np.float32)
        offset = 0
        for name, cats in dense:
            codes = self._codes(df[name], cats)
            onehot[np.arange(n), offset + codes] = 1.0
            offset += len(cats) + 1
        codes_wide = np.empty((n, len(wide)), dtype=np.int64)
        for j, (name, cats) in enumerate(wide):
            codes_wide[:, j] = self._codes(df[name], cats)
        return GowerRows(numeric, onehot, codes_wide, len(dense))

    @staticmethod
    def _codes(col: pd.Series, cats: tuple[str, ...]) -> np.ndarray:
        lookup = {c: i for i, c in enumerate(cats)}
        return as_labels(col).map(lookup).fillna(len(cats)).to_numpy(dtype=np.int64)


def _first_unique(rows: GowerRows) -> np.ndarray:
    """Positions of the first occurrence of each distinct encoded row, in row order."""
    frame = pd.DataFrame(np.hstack([rows.numeric, rows.onehot.astype(float), rows.codes.astype(float)]))
    return np.flatnonzero(~frame.duplicated().to_numpy())


def gower_distances(
    queries: GowerRows, reference: GowerRows, out: np.ndarray | None = None, scratch: np.ndarray | None = None
) -> np.ndarray:
    """The full (len(queries), len(reference)) Gower distance matrix (keep the inputs small).

    ``out`` and ``scratch`` (float64, at least that many cells each) hold the result and the gap of one number
    when given: the chunked search reuses two blocks instead of allocating fresh ones per chunk. The sum runs in
    a fixed order (categories, then each number in turn), so a distance is the same whatever the chunking.
    """
    shape = (len(queries), len(reference))
    dist = np.full(shape, float(queries.n_dense)) if out is None else out.reshape(-1)[: shape[0] * shape[1]]
    dist = dist.reshape(shape)
    if out is not None:
        dist.fill(float(queries.n_dense))
    if queries.onehot.shape[1]:
        dist -= queries.onehot @ reference.onehot.T
    for j in range(queries.codes.shape[1]):
        dist += queries.codes[:, j][:, None] != reference.codes[:, j][None, :]
    gap = np.empty(shape) if scratch is None else scratch.reshape(-1)[: shape[0] * shape[1]].reshape(shape)
    for j in range(queries.numeric.shape[1]):
        q, r = queries.numeric[:, j], reference.numeric[:, j]
        np.subtract(q[:, None], r[None, :], out=gap)
        np.abs(gap, out=gap)
        qn, rn = np.isnan(q), np.isnan(r)
        if qn.any() or rn.any():
            gap = np.where(qn[:, None] | rn[None, :], (qn[:, None] != rn[None, :]).astype(float), gap)
        dist += gap
    return dist


def paired_gower_distances(queries: GowerRows, reference: GowerRows) -> np.ndarray:
    """Gower distance between row i of ``queries`` and row i of ``reference`` (equal lengths)."""
    dist = np.full(len(queries), float(queries.n_dense))
    if queries.onehot.shape[1]:
        dist -= np.einsum("ij,ij->i", queries.onehot.astype(float), reference.onehot.astype(float))
    dist += (queries.codes != reference.codes).sum(axis=1)
    q, r = queries.numeric, reference.numeric
    qn, rn = np.isnan(q), np.isnan(r)
    gap = np.where(qn | rn, (qn != rn).astype(float), np.abs(np.nan_to_num(q) - np.nan_to_num(r)))
    return np.asarray(dist + gap.sum(axis=1))


def gower_neighbors(queries: GowerRows, reference: GowerRows, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest reference rows of each query under the Gower (L1) distance, ties to the lowest row.

    For ``k == 1`` duplicate reference rows are searched once (their first occurrence), which gives the same
    answer faster.

    Returns:
        ``(distances, indices)``, both of shape ``(len(queries), k)``, nearest first.
    """
    k = min(k, len(reference))
    keep = _first_unique(reference) if k == 1 else np.arange(len(reference))
    ref = reference.take(keep)
    step = max(1, CHUNK_CELLS // max(len(ref), 1))
    dist = np.empty((len(queries), k), dtype=float)
    idx = np.empty((len(queries), k), dtype=np.int64)
    buffers = np.empty((2, min(step, len(queries)) * len(ref)))
    for start in range(0, len(queries), step):
        block = gower_distances(queries.take(np.arange(start, min(start + step, len(queries)))), ref, *buffers)
        best = np.argmin(block, axis=1)[:, None] if k == 1 else np.argsort(block, axis=1, kind="stable")[:, :k]
        dist[start : start + len(block)] = np.take_along_axis(block, best, 1)
        idx[start : start + len(block)] = keep[best]
    return dist, idx
