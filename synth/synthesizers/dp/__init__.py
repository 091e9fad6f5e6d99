"""Differential-privacy building blocks for the DP synthesizers.

``mechanisms``: Laplace noise, the exponential mechanism and noisy-threshold selection, all drawing from a
private generator seeded from fresh OS entropy (never from ``random_state``, never stored).
``accountant``: the ε (and δ) ledger of one fit. ``domains``: column domains that are public (declared by the
user) or bought with a stated share of ε.
"""

from synth.synthesizers.dp.accountant import Budget, BudgetError
from synth.synthesizers.dp.mechanisms import private_rng

__all__ = ["Budget", "BudgetError", "private_rng"]
