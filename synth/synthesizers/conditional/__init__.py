"""Exact conditional samplers: each model draws the other columns from its own conditional distribution.

One module per synthesizer family. Each sampler has the signature ``sampler(model, m, rng, conditions) ->
(rows, weights)``: ``m`` candidate rows of the modelled columns that meet the (checked) conditions by
construction, and their importance weights (the model's probability of the conditions given how the candidate
was drawn, up to a constant). :func:`synth.synthesizers.conditions.sample_conditioned` keeps a candidate with
probability weight / largest weight, which turns the weighted candidates into draws from the model's exact
conditional distribution without duplicating rows.

- Gaussian copula and independent marginals (:mod:`.gaussian`): each condition becomes an interval (or a point)
  of the column's normal score; the Gaussian is conditioned by the GHK recursion (conditioned dimensions
  first, each drawn from its truncated conditional normal), the mixture component chosen in proportion to
  how much of the condition it holds.
- Sequential CART (:mod:`.cart`): likelihood weighting down the visit order. A conditioned column's value is
  drawn from the donors of its leaf that meet the condition (a donor with a smoothed range only over the part
  inside the condition); the weight is the share of the leaf that does.
- The Bayesian network (:mod:`.bayesnet`): likelihood weighting in the ancestral order, with bins cut by
  ranges in proportion to the values they hold inside the range.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from synth.synthesizers.base import Synthesizer

ExactSampler = Callable[["Synthesizer", int, np.random.Generator, dict[str, Any]], tuple[pd.DataFrame, np.ndarray]]


def exact_sampler(model: Synthesizer) -> ExactSampler | None:
    """The exact conditional sampler of ``model``'s family, or None (then the base filters rows)."""
    name = getattr(type(model), "name", None)
    if name in ("gaussian_copula", "independent"):
        from synth.synthesizers.conditional import gaussian

        return gaussian.sample_weighted
    if name in ("cart", "pruned_cart"):  # pruned CART stores its trees and donors exactly as CART does
        from synth.synthesizers.conditional import cart

        return cart.sample_weighted
    if name == "privbayes":
        from synth.synthesizers.conditional import bayesnet

        return bayesnet.sample_weighted
    return None


#: What a conditioned segment can and cannot keep, per synthesizer family, where it is a limit of the model
#: rather than of conditioning (measured in benchmarks/bench_conditions.py). Shown where a user conditions.
SEGMENT_NOTES = {
    "independent": (
        "Independent marginals learn no dependence between columns: the conditioned columns take the values "
        "asked for, and every other column comes from its whole-table distribution. Inside the segment its "
        "shapes and pair trends are therefore the whole table's, not the segment's. That is by design (it is the "
        "no-dependence baseline); for a faithful segment use a model that learns dependence, e.g. sequential CART."
    ),
    "privbayes": (
        "The DP Bayesian network draws the other columns from its noisy probability tables given the condition. "
        "Its structure search leaves a rare flag as a leaf with one or two parents, and in a small segment the "
        "privacy noise and the binning of numbers blur the segment's own shapes. Naming the conditioned column as "
        "the Key column makes it a parent of every column, which keeps the segment faithful once ε is large "
        "enough for its cells to rise above the noise (on the benchmark's 0.5% fraud flag: ε = 10, not ε = 1)."
    ),
}


def segment_note(model: Synthesizer | str) -> str | None:
    """What ``model``'s conditioned segments keep and lose by the model's design, or None when nothing to say."""
    name = model if isinstance(model, str) else getattr(type(model), "name", "")
    return SEGMENT_NOTES.get(name)
