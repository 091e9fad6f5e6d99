"""The refiner's feature bins, each column's weighted percentiles found in one call instead of 254.

Why
    :func:`synth.synthesizers.refinement.fit_refiner` weighs its classes (training rows 1, the model's own rows
    1/3), and with weights scikit-learn's ``HistGradientBoostingClassifier`` bins a column of more than 255 values
    by calling ``_weighted_percentile`` once per bin edge, 254 times, each call sorting the column again. On Adult
    that was the largest avoidable cost of Pruned CART's fit: 762 calls, 2.0 of the 9.2 profiled seconds (session 31,
    cProfile of ``synth.create("pruned_cart", random_state=0).fit(train, schema)``); one call with all 254 ranks
    (``_weighted_percentile`` takes an array of them since scikit-learn 1.7) took 0.02 s where the 254 took 0.27 s.

What
    :func:`batched_percentiles` puts a stand-in for ``_weighted_percentile`` into scikit-learn's binning module while
    a refiner is fitted. Asked for one rank of the standard grid (255 bins) on a column, it computes every rank of
    the grid on that column at once, keeps them for the column's further calls (one column per thread) and returns
    the one asked for; anything else goes to scikit-learn's own function. Each value is the one the single call
    gives (``tests/unit/test_refiner_binning.py``: the same bins and the same refiner). Fits side by side share the
    stand-in (counted, under a lock), and it leaves when the last one ends.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

#: The ranks scikit-learn's binning asks for at its default of 255 bins (``max_bins``): edges between 256 bins' 255.
GRID = np.linspace(0, 100, num=256)[1:-1]
_RANK = {float(q): i for i, q in enumerate(GRID)}

_lock = threading.Lock()
_users = 0
_original: Any = None
_columns: dict[int, tuple[Any, ...]] = {}  # each thread's column: its array, weights, average and every percentile


def _batched(array: Any, sample_weight: Any, percentile_rank: Any = 50, average: bool = False, xp: Any = None) -> Any:
    """scikit-learn's ``_weighted_percentile``, every rank of :data:`GRID` computed at a column's first call."""
    rank = _RANK.get(float(percentile_rank)) if np.ndim(percentile_rank) == 0 and xp is None else None
    if rank is None or not isinstance(array, np.ndarray) or array.ndim != 1:
        return _original(array, sample_weight, percentile_rank, average=average, xp=xp)
    thread = threading.get_ident()
    kept = _columns.get(thread)
    # Holding the last column keeps its array alive, so a new column is never the same object.
    if kept is None or kept[0] is not array or kept[1] is not sample_weight or kept[2] != average:
        kept = (array, sample_weight, average, _original(array, sample_weight, GRID, average=average))
        _columns[thread] = kept
    return kept[3][rank]


@contextmanager
def batched_percentiles() -> Iterator[None]:
    """Inside the block, scikit-learn's histogram binning finds a column's weighted bin edges in one call (nothing
    changes with a scikit-learn whose ``_weighted_percentile`` cannot compute many ranks at once)."""
    global _users, _original
    from sklearn.ensemble._hist_gradient_boosting import binning

    found = getattr(binning, "_weighted_percentile", None)
    # Array ranks came in scikit-learn 1.7, ``average`` in 1.8: an older one bins as it always did.
    if not callable(found) or "average" not in inspect.signature(found).parameters:
        yield
        return
    with _lock:
        if _users == 0:
            _original = binning._weighted_percentile
            binning._weighted_percentile = _batched
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                binning._weighted_percentile = _original
                _columns.clear()  # no column's arrays are held past the fits
