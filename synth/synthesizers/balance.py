"""Bias you can fix: "balance groups" sampling, a joint rebalancing of a group column and an outcome.

Three mixes:

* ``equal_groups``: every group the same share of the rows (each keeps its own outcome rates, drawn
  conditionally on the group);
* ``equal_outcome_rates`` (statistical parity): every group keeps its share, and every group gets the same
  outcome distribution, the overall one;
* ``joint``: a user-set share for every (group, outcome) cell.

Group shares and outcome rates come from ``reference`` (the training table) when given, else from the model's
own unconditioned rows. The rows are drawn with the model's exact conditional sampler, cell by cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from synth.progress import ProgressCallback
from synth.synthesizers.base import Synthesizer
from synth.synthesizers.conditions import FAST_SHARE, SHARE_TOLERANCE
from synth.synthesizers.errors import SynthesizerError

Mode = Literal["equal_groups", "equal_outcome_rates", "joint"]
MODES = ("equal_groups", "equal_outcome_rates", "joint")
PILOT_ROWS = 20_000


def _distribution(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    return frame[columns].dropna().value_counts(normalize=True)


def balance_mix(
    model: Synthesizer,
    group: str,
    outcome: str | None = None,
    mode: Mode = "equal_groups",
    *,
    mix: Mapping[Any, float] | None = None,
    reference: pd.DataFrame | None = None,
) -> dict[Any, float]:
    """The target shares the mode asks for: ``{group value: share}`` or ``{(group, outcome): share}``."""
    if mode not in MODES:
        raise SynthesizerError(f"balance mode must be one of {', '.join(MODES)}, got {mode!r}")
    if not model.is_fitted:
        raise SynthesizerError(f"{model.label} is not fitted yet: call fit(train) before balancing groups")
    if mode == "joint":
        if not mix or outcome is None:
            raise SynthesizerError("a joint mix needs the outcome column and a share for each (group, outcome) pair")
        return dict(mix)
    if outcome is not None and outcome == group:
        raise SynthesizerError("the group column and the outcome must be different columns")
    source = reference if reference is not None else model.sample(PILOT_ROWS, seed=0)
    missing = [c for c in (group, outcome) if c is not None and c not in source.columns]
    if missing:
        raise SynthesizerError(f"cannot balance on {', '.join(map(repr, missing))}: no such column")
    groups = _distribution(source, [group])
    groups.index = [i[0] if isinstance(i, tuple) else i for i in groups.index]
    if len(groups) < 2:
        raise SynthesizerError(
            f"{group!r} has one group ({groups.index[0] if len(groups) else 'none'!r}): balancing needs at least two"
        )
    if mode == "equal_groups":
        return {g: 1.0 / len(groups) for g in groups.index}
    if outcome is None:
        raise SynthesizerError("equal outcome rates needs the outcome column")
    rates = _distribution(source, [outcome])
    rates.index = [i[0] if isinstance(i, tuple) else i for i in rates.index]
    return {(g, v): float(sg * rv) for g, sg in groups.items() for v, rv in rates.items()}


def balance_groups(
    model: Synthesizer,
    n: int,
    *,
    group: str,
    outcome: str | None = None,
    mode: Mode = "equal_groups",
    mix: Mapping[Any, float] | None = None,
    reference: pd.DataFrame | None = None,
    seed: int | None = None,
    progress: ProgressCallback | None = None,
) -> pd.DataFrame:
    """``n`` rows from ``model`` with the group × outcome mix ``mode`` asks for (see the module docstring)."""
    shares = balance_mix(model, group, outcome, mode, mix=mix, reference=reference)
    total = float(np.sum(list(shares.values())))
    if mode != "joint" and abs(total - 1.0) > SHARE_TOLERANCE:  # float sums of computed shares: renormalise
        shares = {k: v / total for k, v in shares.items()}
    key: Any = group if all(not isinstance(k, tuple) for k in shares) else (group, outcome)
    return model.sample(n, seed=seed, rebalance={key: shares}, progress=progress)


def rare_event_preset(
    train: pd.DataFrame, columns: list[str], *, max_share: float = 0.1
) -> tuple[str, Any, dict[Any, float]] | None:
    """The rarest class worth oversampling, and a 50/50 mix for it: (column, rare value, target shares).

    Among ``columns`` (categorical or boolean candidates), two-valued ones first, the column whose least frequent
    value (of at least 0.1% of rows) has the smallest share at or below ``max_share``; the target gives that
    value half the rows and the other values the other half in their real proportions. None when no column has
    such a rare value.
    """
    # Flags (two values) first: a rare event is usually a yes/no column. Values under FAST_SHARE are left out:
    # a handful of rows is not an event class worth half the table.
    best: tuple[bool, float, str, Any] | None = None
    for column in columns:
        counts = train[column].dropna().value_counts(normalize=True)
        counts = counts[counts >= FAST_SHARE]
        if len(counts) < 2:
            continue
        value, share = counts.index[-1], float(counts.iloc[-1])
        flag = train[column].nunique() == 2
        if share <= max_share and (best is None or (not flag, share) < (not best[0], best[1])):
            best = (flag, share, column, value)
    if best is None:
        return None
    _, _, column, value = best
    counts = train[column].dropna().value_counts(normalize=True)
    rest = counts.drop(value)
    shares = {_plain(value): 0.5, **{_plain(k): 0.5 * float(v) / float(rest.sum()) for k, v in rest.items()}}
    return column, _plain(value), shares


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones (``True``, not ``np.True_``), for messages and widgets."""
    return value.item() if isinstance(value, np.generic) else value
