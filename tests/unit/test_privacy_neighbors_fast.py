"""The float32 neighbour search finds the neighbours of an exact float64 brute force (up to float32 rounding in
near-ties, exact for copies, which come first); and a TPR that cannot be estimated says why instead of nan."""

from __future__ import annotations

import numpy as np
import pytest

from synth.evaluation.privacy import neighbors
from synth.evaluation.privacy.common import auc_with_interval
from synth.evaluation.privacy.membership import MembershipAttack, roc_summary


def _brute(q: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.sqrt(((q[:, None, :].astype(float) - r[None].astype(float)) ** 2).sum(-1))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_dense_search_matches_brute_force_with_copies_and_near_copies(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    ref = np.hstack([rng.random((600, 4)), (rng.random((600, 20)) < 0.15) * 0.7071]).astype(np.float32)
    ref = np.vstack([ref, ref[:30]])  # duplicated reference rows: several exact copies of one query
    near = ref[:40].copy()
    near[:, 0] += np.float32(1e-6)  # near-copies: float32 rounding alone cannot order them against copies
    ref = np.vstack([near, ref])
    queries = np.vstack([ref[rng.choice(len(ref), 80)], rng.random((120, 24)).astype(np.float32)])
    dist, idx = neighbors.euclidean_neighbors(queries, ref, k)
    full = _brute(queries, ref)
    # Up to float32 rounding (a near-tie may swap two rows 1e-7 apart); the distances reported are exact.
    np.testing.assert_allclose(dist, np.sort(full, axis=1)[:, :k], rtol=0, atol=1e-5)
    np.testing.assert_allclose(np.take_along_axis(full, idx, 1), dist, rtol=0, atol=1e-12)
    copies = dist[:, 0] == 0
    assert copies.sum() >= 80
    assert (idx[copies, 0] == np.argmax(full[copies] == 0, axis=1)).all(), "the lowest identical row comes first"


def test_chunks_do_not_change_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    ref, queries = rng.random((300, 6)).astype(np.float32), rng.random((50, 6)).astype(np.float32)
    whole = neighbors.euclidean_neighbors(queries, ref, 2)
    monkeypatch.setattr(neighbors, "CHUNK_CELLS", 700)  # two query rows per chunk
    chunked = neighbors.euclidean_neighbors(queries, ref, 2)
    np.testing.assert_array_equal(whole[1], chunked[1])
    np.testing.assert_array_equal(whole[0], chunked[0])


def test_tpr_at_one_percent_needs_a_hundred_non_members() -> None:
    rng = np.random.default_rng(0)
    pos, neg = rng.normal(1, 1, 200), rng.normal(0, 1, 60)
    auc, tprs = roc_summary(pos, neg, seed=0)
    attack = MembershipAttack("targeted_distance", "Targeted", auc, tprs, len(pos), len(neg))
    assert attack.tpr(0.01) is None and attack.tpr(0.1) is not None
    why = attack.tpr_unavailable(0.01)
    assert why is not None and "needs ≥ 100 non-members, has 60" in why
    assert attack.tpr_unavailable(0.1) is None
    full = MembershipAttack(
        "distance", "Distance", auc_with_interval(pos, neg), roc_summary(pos, rng.normal(0, 1, 100), 0)[1], 200, 100
    )
    assert full.tpr(0.01) is not None and full.tpr_unavailable(0.01) is None
