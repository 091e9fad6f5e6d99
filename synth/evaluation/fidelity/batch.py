"""Scoring every column and pair for several tables and bootstrap replicates in one pass.

A bootstrap replicate is a vector of row weights, so a replicate costs weighted counts on the codes of
:mod:`synth.evaluation.fidelity.coding` rather than new DataFrames.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy import sparse

from synth.evaluation.fidelity.coding import _Column
from synth.evaluation.fidelity.results import (
    CONTINGENCY_SIMILARITY,
    CORRELATION_RATIO,
    CORRELATION_SIMILARITY,
    CRAMERS_V,
    KS_CELLS,
    KS_COMPLEMENT,
    PEARSON,
    SPEARMAN,
    SPEARMAN_SIMILARITY,
    TV_COMPLEMENT,
    AssociationMatrix,
    ColumnScore,
    Correlation,
    FidelityScores,
    PairScore,
    ScoreGap,
)
from synth.evaluation.results import Interval, bootstrap_weights, recentred_interval
from synth.progress import ProgressCallback, ensure

# ----------------------------------------------------------------------------- batch scoring


def _counts(codes: np.ndarray, size: int, weights: np.ndarray | None) -> np.ndarray:
    """Frequency table per replicate, shape (replicates, size).

    ``weights`` holds one column of row weights per replicate, shape (rows, replicates), float32; None means one
    replicate of unit weights. A one-hot sparse matrix times the weights counts every replicate in one pass over
    the rows (about 15 times faster than a weighted ``bincount`` per replicate).
    """
    if weights is None:
        return np.bincount(codes, minlength=size).astype(float)[None, :]
    n = len(codes)
    onehot = sparse.csc_matrix((np.ones(n, dtype=np.float32), codes, np.arange(n + 1)), shape=(size, n))
    return np.asarray(onehot @ weights, dtype=float).T


def _shares(counts: np.ndarray) -> np.ndarray:
    total = counts.sum(axis=1, keepdims=True)
    return counts / np.where(total > 0, total, 1.0)


def _tv_complement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 − TV distance per replicate, from count tables of shape (replicates, cells)."""
    out = np.clip(1.0 - 0.5 * np.abs(_shares(a) - _shares(b)).sum(axis=1), 0.0, 1.0)  # rounding stays in [0, 1]
    empty_a, empty_b = a.sum(axis=1) == 0, b.sum(axis=1) == 0
    return np.where(empty_a & empty_b, 1.0, np.where(empty_a | empty_b, 0.0, out))


def _ks_complement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 − KS statistic per replicate, from count tables over the sorted distinct values."""
    ta, tb = a.sum(axis=1, keepdims=True), b.sum(axis=1, keepdims=True)
    cdf_a = np.cumsum(a, axis=1) / np.where(ta > 0, ta, 1.0)
    cdf_b = np.cumsum(b, axis=1) / np.where(tb > 0, tb, 1.0)
    out = np.clip(1.0 - (np.abs(cdf_a - cdf_b).max(axis=1) if a.shape[1] else np.zeros(len(a))), 0.0, 1.0)
    empty_a, empty_b = ta[:, 0] == 0, tb[:, 0] == 0
    return np.where(empty_a & empty_b, 1.0, np.where(empty_a | empty_b, 0.0, out))


def _cramers_v(table: np.ndarray) -> float:
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    n = table.sum()
    r, c = table.shape
    if n == 0 or min(r, c) < 2:
        return 0.0
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = float(((table - expected) ** 2 / np.where(expected > 0, expected, 1)).sum())
    return float(min(math.sqrt(chi2 / (n * (min(r, c) - 1))), 1.0))


def _correlation_ratio(groups: np.ndarray, x: np.ndarray, n_groups: int) -> float:
    """η = sqrt(between-group variance / total variance) of ``x`` grouped by ``groups``; missing x left out."""
    ok = np.isfinite(x)
    g, v = groups[ok], x[ok]
    if len(v) < 2:
        return 0.0
    total = float(((v - v.mean()) ** 2).sum())
    if total <= 0:
        return 0.0
    n_k = np.bincount(g, minlength=n_groups)
    s_k = np.bincount(g, weights=v, minlength=n_groups)
    present = n_k > 0
    between = float((s_k[present] ** 2 / n_k[present]).sum() - v.sum() ** 2 / len(v))
    return float(math.sqrt(min(max(between / total, 0.0), 1.0)))


def _standardised(values: np.ndarray, centre: float, scale: float) -> np.ndarray:
    z = (values - centre) / scale
    return np.where(np.isfinite(z), z, 0.0)


def _ranks(col: _Column, t: int) -> np.ndarray:
    """Average ranks of table ``t``'s finite values (NaN for missing), from the coded distinct-value index."""
    index = col.ranks_index[t]
    counts = np.bincount(index, minlength=col.n_values).astype(float)
    below = np.cumsum(counts) - counts
    ranks = below + (counts + 1.0) / 2.0
    assert col.values is not None
    out = np.full(len(col.values[t]), np.nan)
    pos = col.positions[t]
    if pos is None:
        out[:] = ranks[index]
    else:
        out[pos] = ranks[index]
    return out


def _moments(za: np.ndarray, zb: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Per-row terms of the moments a weighted Pearson r needs, shape (rows, 6)."""
    m = ok.astype(float)
    a, b = za * m, zb * m
    return np.stack([m, a, b, a * a, b * b, a * b], axis=1)


def _correlation_from_moments(s: np.ndarray) -> np.ndarray:
    """Pearson r from summed moments of shape (..., 6); 0 when a column is constant or fewer than 3 rows."""
    n = np.where(s[..., 0] > 0, s[..., 0], 1.0)
    ma, mb = s[..., 1] / n, s[..., 2] / n
    va, vb = s[..., 3] / n - ma**2, s[..., 4] / n - mb**2
    cov = s[..., 5] / n - ma * mb
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / np.sqrt(va * vb)
    ok_r = (va > 1e-12) & (vb > 1e-12) & (s[..., 0] >= 3)
    return np.clip(np.where(ok_r, r, 0.0), -1.0, 1.0)


def _pair_correlations(
    z: dict[int, np.ndarray],
    cols: Sequence[_Column],
    pairs: Sequence[tuple[int, int]],
    t: int,
    weights: np.ndarray | None,
) -> np.ndarray:
    """Correlation of every numeric pair per replicate, shape (replicates, pairs): one product of the weights and
    every pair's moments.

    The sums are numpy's own loops (``einsum``), not BLAS: OpenBLAS splits a matrix product, and a dot product of
    over 10,000 rows, among its threads, so the float sums came out in another order on a machine with another
    thread count (the same seeded race's pair-trend intervals differed in the last digit between
    ``OPENBLAS_NUM_THREADS=1`` and ``2``). About as fast: 0.8 s against BLAS's 1.1 s on 2 threads for 200
    replicates of 50,000 rows and 45 pairs.
    """
    reps = 1 if weights is None else weights.shape[1]
    if not pairs:
        return np.zeros((reps, 0))
    if weights is None:
        # One pair at a time with dot products: a million rows × 6 moments × every pair would not fit in memory.
        sums = np.empty((1, 6 * len(pairs)))
        for q, (i, j) in enumerate(pairs):
            ok = ~(cols[i].missing[t] | cols[j].missing[t])
            a, b = (z[i], z[j]) if ok.all() else (z[i] * ok, z[j] * ok)
            products = (np.einsum("i,i->", a, a), np.einsum("i,i->", b, b), np.einsum("i,i->", a, b))
            sums[0, 6 * q : 6 * q + 6] = (float(ok.sum()), a.sum(), b.sum(), *products)
    else:
        blocks = [_moments(z[i], z[j], ~(cols[i].missing[t] | cols[j].missing[t])) for i, j in pairs]
        sums = np.einsum("nr,nk->rk", weights.astype(float), np.concatenate(blocks, axis=1))
    return _correlation_from_moments(sums.reshape(reps, len(pairs), 6))


@dataclass
class _Batch:
    """Scores of several comparisons (real vs table t) for R replicates (R = 1 for the point estimate)."""

    shapes: dict[int, np.ndarray]  # t → (R, n_columns)
    missing: dict[int, np.ndarray]
    pairs: dict[int, np.ndarray]  # t → (R, n_pairs)
    spearman_pairs: dict[int, np.ndarray]  # t → (R, n_pairs), NaN for non-numeric pairs (point pass only)
    association: dict[int, np.ndarray]  # t → (k, k) association matrix (point pass only; t = 0 is real)
    spearman_association: dict[int, np.ndarray]


PAIRED_COLUMNS = 100
"""Every pair is scored up to this many columns. A wider table's pairs are those among a seeded sample of this
many columns (their mean pair score is an unbiased estimate of every pair's mean, and the heatmaps show those
columns whole). 2,000 columns make 2 million pairs: scored with their bootstrap replicates they took 24 GB and
were killed, and six 2,000 × 2,000 matrices made a 260 MB JSON."""
MAX_PAIRS = PAIRED_COLUMNS * (PAIRED_COLUMNS - 1) // 2


def pair_count(n: int) -> int:
    """Pairs of ``n`` columns."""
    return n * (n - 1) // 2


def paired_columns(n: int) -> list[int]:
    """The columns whose pairs are scored: all ``n``, or a sample of :data:`PAIRED_COLUMNS` seeded by ``n`` (the
    same wherever it is asked for), in order."""
    if n <= PAIRED_COLUMNS:
        return list(range(n))
    return sorted(int(c) for c in np.random.default_rng(n).choice(n, PAIRED_COLUMNS, replace=False))


def _pairs(n: int) -> list[tuple[int, int]]:
    """The column pairs scored: every pair among :func:`paired_columns`."""
    return list(combinations(paired_columns(n), 2))


def _score_batch(
    cols: Sequence[_Column],
    weights: Sequence[np.ndarray | None],
    others: Sequence[int],
    *,
    correlation: Correlation,
    point: bool,
    progress: ProgressCallback,
) -> _Batch:
    """Score real (table 0) against each table in ``others`` under the given row weights (None: every row once,
    shared by every replicate, so the real side of a same-size draw is counted once)."""
    k = len(cols)
    reps = max((w.shape[1] for w in weights if w is not None), default=1)
    tables = [0, *others]
    shapes = {t: np.ones((reps, k)) for t in others}
    missing = {t: np.ones((reps, k)) for t in others}
    pair_list = _pairs(k)
    pairs = {t: np.ones((reps, len(pair_list))) for t in others}
    spear = {t: np.full((reps, len(pair_list)), np.nan) for t in others}
    assoc = {t: np.eye(k) for t in tables} if point else {}  # _matrix keeps only the paired columns' cells
    spear_assoc = {t: np.eye(k) for t in tables} if point else {}
    n_steps = k + len(pair_list)

    for i, col in enumerate(cols):
        progress(i / n_steps, f"column {col.name}")
        if col.numeric:
            # Count tables over the distinct values are (replicates × values): chunk the replicates so a column
            # with tens of thousands of distinct values stays within a few tens of MB.
            chunk = max(1, int(KS_CELLS // max(col.n_values, 1)))
            for start in range(0, reps, chunk):
                rows = slice(start, start + chunk)
                counts = {}
                for t in tables:
                    w = weights[t]
                    pos = col.positions[t]
                    if w is not None:
                        w = w[:, rows] if pos is None else w[pos, rows]
                    counts[t] = _counts(col.ranks_index[t], col.n_values, w)
                for t in others:
                    shapes[t][rows, i] = _ks_complement(counts[0], counts[t])
        else:
            counts = {t: _counts(col.codes[t], col.n_codes, weights[t]) for t in tables}
            for t in others:
                shapes[t][:, i] = _tv_complement(counts[0], counts[t])
        share = {}
        for t in tables:
            m = col.missing[t].astype(float)
            w = weights[t]
            n_t = max(len(m), 1)
            share[t] = np.array([m.mean()]) if w is None else (m.astype(np.float32) @ w).astype(float) / n_t
        for t in others:
            missing[t][:, i] = 1.0 - np.abs(share[0] - share[t])

    # Numeric pairs: correlations of values standardised by the real centre and scale (ranks for Spearman).
    numeric = [(p, i, j) for p, (i, j) in enumerate(pair_list) if cols[i].numeric and cols[j].numeric]
    if numeric:
        idx = [(i, j) for _, i, j in numeric]
        slots = [p for p, _, _ in numeric]
        corr: dict[str, dict[int, np.ndarray]] = {}
        for method in ("pearson", "spearman"):
            if not (point or correlation == method):
                continue
            corr[method] = {}
            for t in tables:
                z: dict[int, np.ndarray] = {}
                for i in {c for pair in idx for c in pair}:
                    values = cols[i].values
                    assert values is not None
                    x = values[t] if method == "pearson" else _ranks(cols[i], t)
                    finite = x[np.isfinite(x)]
                    centre = float(finite.mean()) if len(finite) else 0.0
                    scale = float(finite.std()) if len(finite) and finite.std() > 0 else 1.0
                    z[i] = _standardised(x, centre, scale)
                corr[method][t] = _pair_correlations(z, cols, idx, t, weights[t])
        main = corr[correlation]
        for t in others:
            # Clipped: a correlation computed in floating point can exceed 1 by an ulp (a score of -2e-16).
            pairs[t][:, slots] = np.clip(1.0 - np.abs(main[0] - main[t]) / 2.0, 0.0, 1.0)
            if point:
                spear[t][:, slots] = np.clip(1.0 - np.abs(corr["spearman"][0] - corr["spearman"][t]) / 2.0, 0.0, 1.0)
        if point:
            for q, (i, j) in enumerate(idx):
                for t in tables:
                    assoc[t][i, j] = assoc[t][j, i] = main[t][0, q]
                    spear_assoc[t][i, j] = spear_assoc[t][j, i] = corr["spearman"][t][0, q]

    for p, (i, j) in enumerate(pair_list):
        a, b = cols[i], cols[j]
        if a.numeric and b.numeric:
            continue
        progress((k + p) / n_steps, f"pair {a.name} × {b.name}")
        size = a.n_codes * b.n_codes
        joint = {t: _counts(a.codes[t] * b.n_codes + b.codes[t], size, weights[t]) for t in tables}
        for t in others:
            pairs[t][:, p] = _tv_complement(joint[0], joint[t])
        if point:
            for t in tables:
                if a.numeric or b.numeric:
                    num, cat = (a, b) if a.numeric else (b, a)
                    assert num.values is not None
                    value = _correlation_ratio(cat.codes[t], num.values[t], cat.n_codes)
                else:
                    value = _cramers_v(joint[t][0].reshape(a.n_codes, b.n_codes))
                assoc[t][i, j] = assoc[t][j, i] = value
                spear_assoc[t][i, j] = spear_assoc[t][j, i] = value
    progress(1.0, "scored")
    return _Batch(shapes, missing, pairs, spear, assoc, spear_assoc)


def _summaries(shapes: np.ndarray, pairs: np.ndarray, missing: np.ndarray) -> dict[str, np.ndarray]:
    """Summary scores per replicate."""
    reps = len(shapes)
    col_shapes = shapes.mean(axis=1) if shapes.shape[1] else np.full(reps, np.nan)
    trends = pairs.mean(axis=1) if pairs.shape[1] else np.full(reps, np.nan)
    overall = np.where(np.isnan(trends), col_shapes, (col_shapes + trends) / 2.0)
    miss = missing.mean(axis=1) if missing.shape[1] else np.full(reps, np.nan)
    return {"overall": overall, "column_shapes": col_shapes, "column_pair_trends": trends, "missing_values": miss}


def _matrix(names: Sequence[str], m: np.ndarray, method: str) -> AssociationMatrix:
    """The matrix over the columns whose pairs were scored (:func:`paired_columns`)."""
    keep = paired_columns(len(names))
    sub = m[np.ix_(keep, keep)]
    return AssociationMatrix(tuple(names[i] for i in keep), tuple(tuple(float(v) for v in row) for row in sub), method)


@dataclass
class _Spread:
    """Bootstrap deviations (replicate − estimate, rescaled to the full table sizes) of one comparison."""

    summaries: dict[str, np.ndarray]
    shapes: np.ndarray
    pairs: np.ndarray


def _assemble(
    cols: Sequence[_Column],
    batch: _Batch,
    t: int,
    n_rows: Sequence[int],
    spread: _Spread | None,
    correlation: Correlation,
    level: float,
) -> FidelityScores:
    shapes, pairs, missing = batch.shapes[t][0], batch.pairs[t][0], batch.missing[t][0]
    assoc_real, assoc_other = batch.association[0], batch.association[t]
    spear_real, spear_other = batch.spearman_association[0], batch.spearman_association[t]

    def ci(estimate: float, deviations: np.ndarray | None) -> Interval | None:
        return None if deviations is None else recentred_interval(estimate, deviations, level=level)

    columns = []
    for i, col in enumerate(cols):
        columns.append(
            ColumnScore(
                column=col.name,
                kind=col.kind,
                metric=KS_COMPLEMENT.name if col.numeric else TV_COMPLEMENT.name,
                score=float(shapes[i]),
                missing_real=float(col.missing[0].mean()) if n_rows[0] else float("nan"),
                missing_synthetic=float(col.missing[t].mean()) if n_rows[t] else float("nan"),
                missing_score=float(missing[i]),
                interval=ci(float(shapes[i]), None if spread is None else spread.shapes[:, i]),
            )
        )
    pair_scores = []
    for p, (i, j) in enumerate(_pairs(len(cols))):
        a, b = cols[i], cols[j]
        numeric = a.numeric and b.numeric
        if numeric:
            metric = CORRELATION_SIMILARITY.name if correlation == "pearson" else SPEARMAN_SIMILARITY.name
            measure = PEARSON.name if correlation == "pearson" else SPEARMAN.name
        else:
            metric = CONTINGENCY_SIMILARITY.name
            measure = CORRELATION_RATIO.name if (a.numeric or b.numeric) else CRAMERS_V.name
        pair_scores.append(
            PairScore(
                column_a=a.name,
                column_b=b.name,
                metric=metric,
                real=float(assoc_real[i, j]),
                synthetic=float(assoc_other[i, j]),
                score=float(pairs[p]),
                association=measure,
                spearman_real=float(spear_real[i, j]) if numeric else None,
                spearman_synthetic=float(spear_other[i, j]) if numeric else None,
                spearman_score=float(batch.spearman_pairs[t][0, p]) if numeric else None,
                interval=ci(float(pairs[p]), None if spread is None else spread.pairs[:, p]),
            )
        )
    summ = {key: float(v[0]) for key, v in _summaries(batch.shapes[t], batch.pairs[t], batch.missing[t]).items()}
    dev = spread.summaries if spread is not None else {}
    return FidelityScores(
        overall=summ["overall"],
        column_shapes=summ["column_shapes"],
        column_pair_trends=summ["column_pair_trends"],
        columns=tuple(columns),
        pairs=tuple(pair_scores),
        missing_values=summ["missing_values"],
        overall_interval=ci(summ["overall"], dev.get("overall")),
        column_shapes_interval=ci(summ["column_shapes"], dev.get("column_shapes")),
        column_pair_trends_interval=ci(summ["column_pair_trends"], dev.get("column_pair_trends")),
        missing_values_interval=ci(summ["missing_values"], dev.get("missing_values")),
    )


def _bootstrap(
    cols: Sequence[_Column],
    n_rows: Sequence[int],
    others: Sequence[int],
    *,
    n_bootstrap: int,
    bootstrap_rows: int,
    seed: int,
    correlation: Correlation,
    progress: ProgressCallback,
    scored_rows: Sequence[int] | None = None,
) -> dict[int, _Spread]:
    """Bootstrap deviations of every score of every comparison, rescaled to the full table sizes (or to
    ``scored_rows``, the sizes the scores were computed at when a table was scored at the holdout's size).

    Every replicate resamples each table's rows independently; the real table's weights are shared by all
    comparisons of a replicate, so the difference between two comparisons has a proper (paired) spread.
    """
    target = list(scored_rows) if scored_rows is not None else list(n_rows)
    rng = np.random.default_rng(seed)
    tables = [0, *others]
    rows: list[np.ndarray | None] = []
    sizes = []
    for t in range(len(n_rows)):
        if t in tables and n_rows[t] > bootstrap_rows:
            rows.append(np.sort(rng.choice(n_rows[t], bootstrap_rows, replace=False)))
            sizes.append(bootstrap_rows)
        else:
            rows.append(None)
            sizes.append(n_rows[t])
    sub = [c.take(rows) for c in cols] if any(r is not None for r in rows) else list(cols)
    weights: list[np.ndarray | None] = [
        bootstrap_weights(rng, sizes[t], n_bootstrap) if t in tables and sizes[t] > 0 else None
        for t in range(len(n_rows))
    ]
    if any(weights[t] is None for t in tables):
        return {}
    silent = ensure(None)
    centre = _score_batch(sub, [None] * len(n_rows), others, correlation=correlation, point=False, progress=silent)
    reps = _score_batch(sub, weights, others, correlation=correlation, point=False, progress=progress)
    out = {}
    for t in others:
        # Rescale the subsample's spread to the full sizes: variance ∝ 1/n_real + 1/n_other.
        scale = math.sqrt((1 / target[0] + 1 / target[t]) / (1 / sizes[0] + 1 / sizes[t]))
        s_rep = _summaries(reps.shapes[t], reps.pairs[t], reps.missing[t])
        s_cen = _summaries(centre.shapes[t], centre.pairs[t], centre.missing[t])
        out[t] = _Spread(
            summaries={key: (s_rep[key] - s_cen[key]) * scale for key in s_rep},
            shapes=(reps.shapes[t] - centre.shapes[t]) * scale,
            pairs=(reps.pairs[t] - centre.pairs[t]) * scale,
        )
    return out


def _gaps(
    synthetic: FidelityScores,
    reference: FidelityScores,
    spread_syn: _Spread | None,
    spread_ref: _Spread | None,
    level: float,
) -> tuple[ScoreGap, ...]:
    gaps = []
    both = spread_syn is not None and spread_ref is not None

    def interval(diff: float, dev: np.ndarray | None) -> Interval | None:
        return None if dev is None else recentred_interval(diff, dev, level=level, bounds=(-1.0, 1.0))

    for name in ("overall", "column_shapes", "column_pair_trends", "missing_values"):
        s, r = float(getattr(synthetic, name)), float(getattr(reference, name))
        dev = spread_syn.summaries[name] - spread_ref.summaries[name] if both else None  # type: ignore[union-attr]
        gaps.append(ScoreGap(name, "summary", s, r, s - r, interval(s - r, dev)))
    for i, (cs, cr) in enumerate(zip(synthetic.columns, reference.columns, strict=True)):
        dev = spread_syn.shapes[:, i] - spread_ref.shapes[:, i] if both else None  # type: ignore[union-attr]
        gaps.append(
            ScoreGap(cs.column, "column", cs.score, cr.score, cs.score - cr.score, interval(cs.score - cr.score, dev))
        )
    return tuple(gaps)
