"""A split timestamp's day moved by whole weeks, and when CART needs it: a day and a time of day each drawn from a
near-unique leaf land on the training rows' own (day, time) pairs.

Moved out of :mod:`synth.synthesizers.rare_bands`, which keeps to its bands.
"""

from __future__ import annotations

import numpy as np

from synth.synthesizers.time_of_day import data_grain


def weekly_moves(
    days: np.ndarray, first: float, last: float, week: float, weeks: int, rng: np.random.Generator
) -> np.ndarray:
    """``days`` each moved by a whole number of weeks (``week``: a week in the column's units), drawn uniformly from
    the ``weeks`` before it to the ``weeks`` after it, the window slid inwards at the column's ends (``first`` and
    ``last``) so it keeps ``2·weeks + 1`` days where the column spans that many weeks; missing days stay missing.

    For a timestamp's day beside its time of day where each (day, time) is one row: the bike counts' hours. A leaf of
    CART's day tree holds some 50 rows of 35 days, and its time tree's leaves some 9 hours: a synthetic row's day and
    hour, each drawn from such a leaf, land on the pairs the leaf's training rows hold (the product of the two leaves'
    marginals, with the leaf's own rows on it), while a holdout hour between them is in no leaf. Plain and Pruned
    CART reproduced train-only hours 6–11 points more often than holdout-only ones. A day moved by whole weeks keeps
    its weekday (working days and weekends stay where the earlier columns put them) and its season to within ``weeks``
    weeks (twice that at the column's ends), and the pair it forms with the hour is a training row about as often as
    for a model that ties no column to another (tests/unit/test_timestamp_days.py). CART moves only the days of
    timestamps whose rows fill their days' clocks (:func:`day_time_density`), or whose fit knows people: a move blurs
    whatever is tied to a date, and the bike rows flagged ``holiday`` fell on a real holiday 8.9% -> 2.7% of the time;
    but each of a person's rows adds to its day's share, and over a ledger holder's 13 bookings a member's days came
    back more often than a non-member's (tests/unit/test_people_days.py).
    """
    out = np.asarray(days, dtype=np.float64).copy()
    present = ~np.isnan(out)
    if weeks <= 0 or week <= 0 or not present.any():
        return out
    v = out[present]
    before = np.maximum(np.floor((v - first) / week), 0.0)  # whole weeks back to the column's first day
    after = np.maximum(np.floor((last - v) / week), 0.0)
    back = np.minimum(before, weeks + np.maximum(weeks - after, 0.0))
    ahead = np.minimum(after, weeks + np.maximum(weeks - before, 0.0))
    span = back + ahead + 1.0
    out[present] = v + week * (np.minimum(np.floor(rng.random(len(v)) * span), span - 1.0) - back)
    return out


def day_time_density(days: np.ndarray, times: np.ndarray) -> float:
    """How densely a split timestamp's training rows cover their days' clocks: the chance that a training row's day,
    joined to a time drawn uniformly from the column's grid (its times of day at their grain, from the earliest to
    the latest), is a pair exactly one training row holds. Rows missing either part are left out; 0 without rows.

    :func:`weekly_moves` is needed where this is high. On the bike counts every (day, hour) is one row (0.99): a day
    and an hour drawn each from a leaf near one training row land on the pairs the leaf's rows hold, which are
    training rows, and CART gave train-only hours back 7 points more often than holdout-only ones. Where a day's rows
    fill few of its clock's slots (a clinic's 6.7 visits a day at the minute over ten hours: 0.011) such a pair is
    seldom anyone's row, and moving the day only blurred what is tied to dates (a holiday flag). Pairs many rows
    share (shifts: every (day, shift) held by dozens) are no one's alone and count nothing.
    """
    days, times = np.asarray(days, dtype=np.float64), np.asarray(times, dtype=np.float64)
    both = ~(np.isnan(days) | np.isnan(times))
    if not both.any():
        return 0.0
    d, t = days[both], times[both]
    slots = (t.max() - t.min()) / data_grain(t) + 1.0
    pairs, pair, held = np.unique(np.c_[d, t], axis=0, return_inverse=True, return_counts=True)
    day_of_pair = np.unique(pairs[:, 0], return_inverse=True)[1].ravel()
    alone = np.bincount(day_of_pair, weights=(held == 1).astype(float))  # each day's pairs one row holds
    rows_day = alone[day_of_pair[np.ravel(pair)]]
    return float(rows_day.mean() / slots)
