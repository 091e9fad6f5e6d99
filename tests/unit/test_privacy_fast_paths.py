"""The privacy checks' fast paths give the answers of the straightforward code they replaced.

Each fast path (predicates counted on bit-packed rows, Pareto singletons in one sort,
the synthetic → train search split at the closeness share's sample) is checked against a plain reference written here,
on seeded or generated inputs, including missing values, ties and batches split at awkward sizes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.privacy import neighbors, singling_out
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.neighbors import GowerEncoder, euclidean_neighbors, gower_distances, gower_neighbors
from synth.evaluation.privacy.singling_out import (
    EQ,
    GE,
    GT,
    ISNULL,
    LE,
    LT,
    NE,
    NOTNULL,
    Queries,
    match_counts,
    match_matrix,
    random_queries,
)


def _reference_matrix(values: np.ndarray, queries: Queries) -> np.ndarray:
    """Which rows each predicate matches, one condition and one row at a time (no vectorising)."""
    out = np.ones((len(queries), values.shape[1]), dtype=bool)
    for i in range(len(queries)):
        for col, op, v in zip(queries.cols[i], queries.ops[i], queries.vals[i], strict=True):
            for r in range(values.shape[1]):
                x = values[col, r]
                missing = bool(np.isnan(x))
                ok = {
                    EQ: not missing and x == v,
                    NE: not missing and x != v,
                    LT: not missing and x < v,
                    LE: not missing and x <= v,
                    GT: not missing and x > v,
                    GE: not missing and x >= v,
                    ISNULL: missing,
                    NOTNULL: not missing,
                }[int(op)]
                out[i, r] &= bool(ok)
    return out


@st.composite
def tables_and_queries(draw: st.DrawFn) -> tuple[np.ndarray, Queries]:
    n_rows, n_cols, arity = draw(st.integers(1, 40)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    cells = st.sampled_from([0.0, 1.0, 2.0, 2.5, -1.0, np.nan])
    values = np.array(draw(st.lists(cells, min_size=n_rows * n_cols, max_size=n_rows * n_cols))).reshape(n_cols, n_rows)
    n_queries = draw(st.integers(0, 25))
    m = min(arity, n_cols)
    cols = np.array(draw(st.lists(st.integers(0, n_cols - 1), min_size=n_queries * m, max_size=n_queries * m)))
    ops = np.array(draw(st.lists(st.integers(EQ, NOTNULL), min_size=n_queries * m, max_size=n_queries * m)))
    vals = np.array(draw(st.lists(cells, min_size=n_queries * m, max_size=n_queries * m)))
    shape = (n_queries, m)
    queries = Queries(cols.reshape(shape).astype(np.int64), ops.reshape(shape).astype(np.int64), vals.reshape(shape))
    return values, queries


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables_and_queries(), st.sampled_from([1, 3, 64, 8_000_000]))
def test_packed_match_counting_equals_row_by_row_evaluation(case: tuple[np.ndarray, Queries], batch_cells: int) -> None:
    """Every operator, missing values on both sides, repeated conditions, and batches of any size."""
    values, queries = case
    expected = _reference_matrix(values, queries)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(singling_out, "BATCH_CELLS", batch_cells)
        np.testing.assert_array_equal(match_matrix(values, queries), expected)
        np.testing.assert_array_equal(match_counts(values, queries), expected.sum(axis=1))


def test_packed_counting_on_a_seeded_table_with_random_predicates() -> None:
    """Larger than hypothesis draws: 1,000 rows (not a multiple of 8), 300 random 3-column predicates."""
    rng = np.random.default_rng(7)
    values = rng.integers(0, 6, size=(5, 1001)).astype(float)
    values[rng.random(values.shape) < 0.05] = np.nan
    numeric = np.array([True, False, True, True, False])
    queries = random_queries(values, numeric, 300, 3, rng)
    expected = _reference_matrix(values, queries)
    np.testing.assert_array_equal(match_counts(values, queries), expected.sum(axis=1))
    np.testing.assert_array_equal(match_matrix(values, queries), expected)


def _reference_singletons(group: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Rows that no other row of their group equals or exceeds on every key, by comparing every pair."""
    n = len(group)
    return np.array(
        [not any(j != i and group[j] == group[i] and (keys[j] >= keys[i]).all() for j in range(n)) for i in range(n)],
        dtype=bool,
    )


@settings(max_examples=120, deadline=None)
@given(
    st.integers(1, 3),
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4), st.integers(0, 4), st.integers(0, 4)), max_size=40),
    st.sampled_from([1, 2**61]),
)
def test_pareto_singletons_in_one_sort_equal_the_pairwise_definition(
    n_keys: int, rows: list[tuple[int, int, int, int]], group_scale: int
) -> None:
    """One and two keys take the one-sort path (huge group ids its lexsort fallback), three the rounds."""
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    group, keys = table[:, 0] * group_scale, table[:, 1 : 1 + n_keys]
    got = singling_out._pareto_singletons(group, keys)
    assert got is not None
    np.testing.assert_array_equal(got, _reference_singletons(group, keys))


@pytest.mark.parametrize("k", [1, 2])
def test_synthetic_to_train_in_two_parts_equals_one_search(adult_small: pd.DataFrame, k: int) -> None:
    """The sample's and the other rows' nearest, merged, are the nearest of all training rows: the same distances
    (exact copies and duplicated training rows included), the lowest training row first among copies."""
    train, holdout = synth.split(adult_small, 0.3, seed=0)
    noisy = train.sample(frac=1.0, random_state=4, replace=True).reset_index(drop=True)
    noisy.loc[::3, "age"] = noisy.loc[::3, "age"] + 1  # near-copies beside exact ones
    syn = pd.concat([noisy, train.iloc[:50]], ignore_index=True)
    inputs = PrivacyInputs(train, holdout, syn)
    dist, idx = inputs.neighbors("synthetic", "train", k)
    x_syn, x_train = inputs.encoded("synthetic"), inputs.encoded("train")
    d_one, i_one = euclidean_neighbors(x_syn, x_train, k)
    np.testing.assert_allclose(dist, d_one, rtol=0, atol=1e-6)
    for j in range(k):  # the distances reported are those of the rows reported
        got = np.sqrt(((x_syn.astype(float) - x_train[idx[:, j]].astype(float)) ** 2).sum(1))
        np.testing.assert_allclose(got, dist[:, j], rtol=0, atol=1e-9)
    copies = dist[:, 0] == 0
    assert copies.sum() >= 50
    np.testing.assert_array_equal(idx[copies, 0], i_one[copies, 0])
    assert inputs.runs["synthetic_to_train_sample"] == 1 and inputs.runs["synthetic_to_train_rest"] == 1


@pytest.mark.parametrize("chunk_cells", [1, 700, 4_000_000])
def test_chunked_gower_search_reusing_its_blocks_equals_one_block(chunk_cells: int) -> None:
    """Missing numbers (the gap's own branch), one-hot and code-by-code categories, chunks of uneven size: the
    distances bit for bit, the nearest rows the same."""
    from synth.schema import ColumnKind

    rng = np.random.default_rng(3)
    n = 130
    frame = pd.DataFrame(
        {
            "x": np.where(rng.random(n) < 0.1, np.nan, rng.random(n)),
            "y": rng.integers(0, 4, n).astype(float),
            "c": rng.choice(list("abc"), n),
            "wide": rng.choice([f"v{i}" for i in range(80)], n),  # > 64 categories: compared code by code
        }
    )
    kinds = {"x": ColumnKind.CONTINUOUS, "y": ColumnKind.DISCRETE, "c": ColumnKind.CATEGORICAL}
    kinds["wide"] = ColumnKind.CATEGORICAL
    enc = GowerEncoder.fit([frame], list(frame.columns), kinds)
    queries, reference = enc.transform(frame.iloc[:47]), enc.transform(frame.iloc[47:])
    full = gower_distances(queries, reference)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(neighbors, "CHUNK_CELLS", chunk_cells)
        for k in (1, 3):
            dist, idx = gower_neighbors(queries, reference, k)
            np.testing.assert_array_equal(np.take_along_axis(full, idx, 1), dist)
            np.testing.assert_array_equal(dist, np.sort(full, axis=1)[:, :k])
    buffers = np.full((2, full.size + 5), 7.0)  # stale values in reused blocks must not leak in
    np.testing.assert_array_equal(gower_distances(queries, reference, *buffers), full)
