"""Time of day and day of week of a timestamp column: the patterns its single number hides from every score.

A timestamp is compared as one number (nanoseconds since the epoch). Binned in 10 quantile bins of a two-year range,
each bin spans weeks, so a synthetic table whose visits fall at any hour of the day matches the real one bin for
bin, although every real visit was between 08:00 and 18:00: on a seeded clinic table the copula and CART put 58% of
visits outside those hours and the accuracy scores and the discriminator did not see it. The evaluation therefore
also compares, for each timestamp column, its **time of day** (hours since midnight) and its **day of week**, as
columns of their own (``"visit_time · time of day"``), in the marginal accuracy and among the discriminator's
features.

A part is compared only where the real column has a pattern in it: times of day at all (a date-only column has
none), and an uneven spread over the hours or the weekdays (a chi-square test against an even spread on the real
training rows, p < :data:`PATTERN_P`). A part without a pattern (the weekday of a date of birth) is matched by any
generator, and scored beside the others it would only raise the averages.

With a person column, each person's value counts once in that test: a customer's birth date on their 2.3 loan
applications is one draw, not 2.3, and counted per row the weekdays of 1,390 customers' birth dates read as a
pattern (p = 0.0003 on the walk's German loans table; p = 0.34 per person), so Compare charted a date of birth's
weekday.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from synth.evaluation.fidelity.distributions import ColumnDistribution
from synth.schema import ColumnKind, Schema, numeric_values
from synth.schema.dates import DAY_NS

Part = Literal["time of day", "day of week"]
PARTS: tuple[Part, ...] = ("time of day", "day of week")
#: A part is compared when the real spread over hours or weekdays is uneven beyond this chance (chi-square).
PATTERN_P = 1e-3
#: A column "has times" when at least this share of its real values is not at midnight.
MIN_TIMED_SHARE = 0.01
#: At least this many real values to test a pattern (fewer: too few to tell a pattern from noise).
MIN_VALUES = 50
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class DatePart:
    """One part of a timestamp column compared as a column of its own.

    Attributes:
        column: the timestamp column.
        part: ``"time of day"`` (hours since midnight, a number) or ``"day of week"`` (0 = Monday, a category).
    """

    column: str
    part: Part

    @property
    def name(self) -> str:
        """The part's name where scores list columns: ``"visit_time · time of day"``."""
        return f"{self.column} · {self.part}"

    @property
    def numeric(self) -> bool:
        return self.part == "time of day"

    def values(self, series: pd.Series) -> np.ndarray:
        """The part of each value of the (coerced) timestamp column, NaN where missing."""
        return part_of(numeric_values(series, ColumnKind.DATETIME), self.part)


def part_of(ns: np.ndarray, part: Part) -> np.ndarray:
    """Hours since midnight, or the weekday (0 = Monday), of nanoseconds since the epoch; NaN stays NaN."""
    ns = np.asarray(ns, dtype=float)
    ok = np.isfinite(ns)
    out = np.full(len(ns), np.nan)
    whole = ns[ok].astype(np.int64)  # float nanoseconds are exact to a quarter of a microsecond: ample here
    if part == "time of day":
        out[ok] = (whole % DAY_NS) / 3.6e12
    else:
        out[ok] = ((whole // DAY_NS) + 3) % 7  # 1970-01-01 was a Thursday
    return out


def _uneven(counts: np.ndarray) -> bool:
    from scipy.stats import chisquare

    return bool(chisquare(counts).pvalue < PATTERN_P)


def patterned_parts(
    real: pd.DataFrame, schema: Schema, names: Sequence[str], person: str | pd.Series | None = None
) -> tuple[DatePart, ...]:
    """The parts of the timestamp columns among ``names`` that have a pattern in the real table ``real``
    (coerced: timestamps parsed), in column order, time of day before day of week. ``person``: the column naming
    whose row each row is (its name in ``real``, or its values in ``real``'s row order); each person's value of a
    timestamp is then counted once (rows without a person each count)."""
    found: list[DatePart] = []
    people = person if not isinstance(person, str) else real[person] if person in real.columns else None
    for name in names:
        if schema[name].kind is not ColumnKind.DATETIME or name not in real.columns:
            continue
        ns = numeric_values(real[name], ColumnKind.DATETIME)
        if people is not None:
            ns = _once_per_person(ns, people)
        ns = ns[np.isfinite(ns)]
        if len(ns) < MIN_VALUES:
            continue
        hours = part_of(ns, "time of day")
        if np.mean(hours > 0) >= MIN_TIMED_SHARE and _uneven(np.bincount(hours.astype(int), minlength=24)):
            found.append(DatePart(name, "time of day"))
        # Weekdays repeat only over weeks: a table of a few days has an uneven spread whatever the generator.
        if ns.max() - ns.min() >= 28 * DAY_NS:
            weekdays = part_of(ns, "day of week").astype(int)
            if _uneven(np.bincount(weekdays, minlength=7)):
                found.append(DatePart(name, "day of week"))
    return tuple(found)


def _once_per_person(ns: np.ndarray, people: pd.Series) -> np.ndarray:
    """``ns`` with a person's repeats of one value dropped: each (person, value) pair once, rows without a person
    kept as they are."""
    named = people.notna().to_numpy()
    pairs = pd.DataFrame({"p": people.to_numpy(), "v": ns})
    repeat = pairs.duplicated() & named
    return ns[~repeat.to_numpy()]


def part_distribution(part: DatePart, columns: Sequence[pd.Series]) -> ColumnDistribution:
    """The shares of rows per hour of the day (``"08:00"`` … ) or per weekday of one part, for the real, synthetic
    and (optionally) holdout timestamp columns (coerced), in clock or calendar order, for a chart beside the
    column's own; missing timestamps are left out of the bars and counted in ``missing_*``."""
    values = [part.values(s) for s in columns]
    n_labels = 24 if part.numeric else 7
    labels = tuple(f"{h:02d}:00" for h in range(24)) if part.numeric else WEEKDAYS
    shares = []
    for v in values:
        bins = np.floor(v[np.isfinite(v)]).astype(int)
        shares.append(tuple((np.bincount(bins, minlength=n_labels)[:n_labels] / max(len(v), 1)).tolist()))
    missing = [float(np.mean(~np.isfinite(v))) if len(v) else 0.0 for v in values]
    return ColumnDistribution(
        column=part.name,
        kind=ColumnKind.CATEGORICAL,
        labels=labels,
        centers=(),
        width=0.0,
        real=shares[0],
        synthetic=shares[1],
        holdout=shares[2] if len(shares) > 2 else None,
        n_real=len(values[0]),
        n_synthetic=len(values[1]),
        n_holdout=len(values[2]) if len(values) > 2 else None,
        missing_real=missing[0],
        missing_synthetic=missing[1],
        missing_holdout=missing[2] if len(missing) > 2 else None,
    )
