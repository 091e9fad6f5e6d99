"""A day of the month never past its month's length: Bank Marketing's "31 jun".

A table that keeps a date as two columns, a day of the month (1–31) and a month (jan–dec, or 1–12), lets every
model combine a day and a month that no calendar has: Pruned CART drew 8 of Bank Marketing's 3,617 training rows
with day 31 and month "jun", "apr", "sep" or "nov" or day 30 or 31 with "feb" (``python -m
benchmarks.bench_zero_pairs``). The pairs no real row holds (:mod:`synth.synthesizers.zero_pairs`) cannot see them
there: they are learned from counts, and the 31st is held by 46 training rows, so the 31st of June is expected on 5
rows, as many as the sampling zeros the holdout does hold.

The calendar is public knowledge, not learned from rows. A day column (whole numbers within 1–31, named like a day
in a few languages or covering 28 or more of the 31 days) and a month column (month names or abbreviations in
English, German, French, Spanish, Italian, Portuguese or Dutch, or whole numbers within 1–12 named like a month)
give every (day, month) past the month's length as a :class:`~synth.synthesizers.zero_pairs.ZeroPair` of the
model's ``calendar_pairs_``, read with its zero pairs by :func:`~synth.synthesizers.zero_pairs.model_zeros`: kept
plain and conditioned by the same redraw (:func:`synth.synthesizers.row_orders.keep_orders`). CART, Pruned CART,
the copula and the independent marginals keep them only where every real row is a date of a leap year (a table
whose rows hold "31 jun" has a reason of its own, or bad data the user should see again), and the 29th of February
only where no real row holds it. The DP network keeps them from its schema's names and its released labels alone
(:func:`public_calendar_pairs`: no row read, post-processing): the 30th and 31st of February and the 31st of the
short months, never the 29th, which only the rows could allow or forbid.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.synthesizers.inventory import ArtifactItem
from synth.synthesizers.zero_pairs import ZeroPair

#: Days in each month of a leap year (the 29th of February is a date; whether the table has one is the rows' say).
LEAP_LENGTHS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
#: Fewest distinct days 1–31 a column without a day's name must hold to be read as one (every month has 28).
MIN_DAYS = 28
#: At most this many calendar pairs are stored: 7 per day/month column pair and month label, three labels a month.
MAX_CALENDAR_PAIRS = 250

#: Each month's full names, one language after another: English, German, French, Spanish, Italian, Portuguese,
#: Dutch (accents dropped, as :func:`_plain` reads a label). Their first three letters are abbreviations too, where
#: no two months share them (French "jui" is June and July: not an abbreviation).
_MONTH_NAMES = (
    ("january", "januar", "janvier", "enero", "gennaio", "janeiro", "januari", "jaenner"),
    ("february", "februar", "fevrier", "febrero", "febbraio", "fevereiro", "februari"),
    ("march", "maerz", "marz", "mars", "marzo", "marco", "maart"),
    ("april", "avril", "abril", "aprile"),
    ("may", "mai", "mayo", "maggio", "maio", "mei"),
    ("june", "juni", "juin", "junio", "giugno", "junho"),
    ("july", "juli", "juillet", "julio", "luglio", "julho"),
    ("august", "aout", "agosto", "augustus"),
    ("september", "septembre", "septiembre", "settembre", "setembro", "sept", "setiembre"),
    ("october", "oktober", "octobre", "octubre", "ottobre", "outubro"),
    ("november", "novembre", "noviembre", "novembro"),
    ("december", "dezember", "decembre", "diciembre", "dicembre", "dezembro"),
)
#: Extra abbreviations in use beside the first three letters (German "Mrz", "Mär").
_EXTRA_ABBREVIATIONS = {"mrz": 3, "mar": 3, "fev": 2, "avr": 4, "juil": 7, "janv": 1, "fevr": 2, "maer": 3}


def _month_table() -> dict[str, int]:
    table = {name: m for m, names in enumerate(_MONTH_NAMES, start=1) for name in names}
    prefixes: dict[str, set[int]] = {}
    for m, names in enumerate(_MONTH_NAMES, start=1):
        for name in names:
            prefixes.setdefault(name[:3], set()).add(m)
    table.update({p: next(iter(ms)) for p, ms in prefixes.items() if len(ms) == 1 and p not in table})
    table.update(_EXTRA_ABBREVIATIONS)
    return table


_MONTHS = _month_table()
#: Words a day-of-month column is named with (a name's words, split at anything but letters and at capitals).
DAY_WORDS = frozenset({"day", "tag", "jour", "dia", "dag", "giorno", "mday", "dayofmonth"})
#: Words a month column is named with.
MONTH_WORDS = frozenset({"month", "mon", "mth", "mnth", "monat", "mois", "mes", "mese", "maand"})
#: Names that say a day or a month only as the whole name: "mm" inside a name is as often millimetres.
WHOLE_NAMES = {"dd": "day", "mm": "month"}


def _plain(text: str) -> str:
    """Lower case without accents, dots or spaces at the ends ("Févr." → "fevr"); "ä" is read as "ae"."""
    text = text.strip().lower().replace("ä", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip(". ")


def month_of(value: Any) -> int | None:
    """The month (1–12) a label names: an English, German, French, Spanish, Italian, Portuguese or Dutch month
    name or its abbreviation, in any case ("JUN", "Juni", "févr."); None for anything else. Numbers are read by
    the column's name (:func:`find_calendar`), never here."""
    if not isinstance(value, str):
        return None
    return _MONTHS.get(_plain(value))


def name_words(name: str) -> set[str]:
    """The words of a column name, lower case: split at anything but letters and where a capital follows a small
    letter ("BirthDay" → birth, day; "day_of_month" → day, of, month), the name run together too ("dayofmonth"),
    and a day's or a month's word for a whole name that says it short ("DD", "mm")."""
    spaced = _plain(re.sub(r"([a-z])([A-Z])", r"\1 \2", name))
    words = {w for w in re.split(r"[^a-z]+", spaced) if w}
    joined = re.sub(r"[^a-z]+", "", spaced)
    short = WHOLE_NAMES.get(joined)
    return words | {joined} | ({short} if short else set())


def _whole_within(series: pd.Series, low: int, high: int) -> np.ndarray | None:
    """A number column's present values when every one is a whole number within [low, high], else None."""
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    x = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)
    present = x[~np.isnan(x)]
    if not len(present) or not np.all((present == np.round(present)) & (present >= low) & (present <= high)):
        return None
    return present


def _is_day(name: str, series: pd.Series) -> bool:
    """A day of the month: whole numbers within 1–31, named like a day or holding :data:`MIN_DAYS` of the days."""
    days = _whole_within(series, 1, 31)
    if days is None:
        return False
    return bool(name_words(name) & DAY_WORDS) or len(np.unique(days)) >= MIN_DAYS


def _month_labels(name: str, series: pd.Series, ignore: Iterable[Any]) -> dict[Any, int] | None:
    """A month column's labels (each present label → its month), or None when ``series`` is no month column:
    labels that all name a month (but ``ignore``: a rare-category bucket), two months or more; or whole numbers
    within 1–12 in a column named like a month."""
    numbers = _whole_within(series, 1, 12)
    if numbers is not None:
        if not name_words(name) & MONTH_WORDS:
            return None
        return {int(v): int(v) for v in np.unique(numbers)}
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    skipped = set(ignore)
    # Sorted, never in order of first appearance (which would tell training row 0's month).
    labels = sorted(
        (v for v in pd.unique(series.dropna()) if v not in skipped), key=lambda v: (month_of(v) or 0, str(v))
    )
    months = {v: month_of(v) for v in labels}
    if not labels or any(m is None for m in months.values()) or len(set(months.values())) < 2:
        return None
    return {v: int(m) for v, m in months.items() if m is not None}


def _stem(name: str, words: frozenset[str]) -> frozenset[str]:
    """A name's words but the day's or month's, "of" and the name run together: "birth_day" → {birth}."""
    joined = re.sub(r"[^a-z]+", "", _plain(name))
    return frozenset(name_words(name) - words - {"of", joined})


def _paired(days: Sequence[str], months: Sequence[str]) -> list[tuple[str, str]]:
    """Each day column with its month column: the only ones, or those whose names are the same but for the word
    for day and month ("birth_day" with "birth_month")."""
    if len(days) == 1 and len(months) == 1:
        return [(days[0], months[0])]
    return [
        (d, m) for d in days for m in months if _stem(d, DAY_WORDS) == _stem(m, MONTH_WORDS) and _stem(d, DAY_WORDS)
    ]


def _past_length(day: str, month: str, labels: Mapping[Any, int], february_29: bool) -> list[ZeroPair]:
    """Every (day, month label) past the month's length: 30 and 31 with February (29 too unless ``february_29``),
    31 with April, June, September and November."""
    out: list[ZeroPair] = []
    for label, m in labels.items():
        length = LEAP_LENGTHS[m - 1] if m != 2 or february_29 else 28
        out.extend(ZeroPair(day, d, month, label) for d in range(length + 1, 32))
    return out


def find_calendar(
    data: pd.DataFrame, schema: Schema, skip: Iterable[str] = (), ignore: Iterable[Any] = ()
) -> tuple[ZeroPair, ...]:
    """The calendar pairs of ``data`` (``calendar_pairs_`` of CART, Pruned CART, the copula and the independent
    marginals): for each day column and its month column (not in ``skip``, columns an exact rule computes), every
    (day, month label) past the month's length, when every training row with both present is a date of a leap year;
    the 29th of February only when no row holds it. ``ignore``: labels that stand for no month (the rare-category
    bucket)."""
    left = set(skip)
    names = [s.name for s in schema if s.name in data and s.name not in left]
    kinds = {s.name: s.kind for s in schema}
    numeric = (ColumnKind.DISCRETE, ColumnKind.CONTINUOUS)
    days = [n for n in names if kinds[n] in numeric and _is_day(n, data[n])]
    labelled = {
        n: labels
        for n in names
        if n not in days
        and kinds[n] in (*numeric, ColumnKind.CATEGORICAL)
        and (labels := _month_labels(n, data[n], ignore)) is not None
    }
    out: list[ZeroPair] = []
    for day, month in _paired(days, list(labelled)):
        labels = labelled[month]
        d = pd.to_numeric(data[day], errors="coerce").to_numpy(dtype=np.float64)
        m = data[month].map(labels).to_numpy(dtype=np.float64, na_value=np.nan)
        both = ~np.isnan(d) & ~np.isnan(m)
        lengths = np.asarray(LEAP_LENGTHS, dtype=np.float64)[m[both].astype(np.int64) - 1]
        if np.any(d[both] > lengths):  # the rows break the calendar: theirs is no calendar to keep
            continue
        february_29 = bool(np.any((d[both] == 29) & (m[both] == 2)))
        out.extend(_past_length(day, month, labels, february_29))
    return tuple(out[:MAX_CALENDAR_PAIRS])


def public_calendar_pairs(schema: Schema, domain: Sequence[Any]) -> tuple[ZeroPair, ...]:
    """The DP network's calendar pairs, from its schema and released domains only (no row read): a numeric
    column named like a day, and a column named like a month whose released labels all name months (or numeric,
    1–12 by name); every (day, month) past the month's length, the 29th of February allowed."""
    kinds = {s.name: s.kind for s in schema}
    released = {d.name: d for d in domain if d.name in kinds}
    numeric = (ColumnKind.DISCRETE, ColumnKind.CONTINUOUS)
    days = [n for n, k in kinds.items() if k in numeric and n in released and name_words(n) & DAY_WORDS]
    labelled: dict[str, dict[Any, int]] = {}
    for name, kind in kinds.items():
        if name in days or name not in released or not name_words(name) & MONTH_WORDS:
            continue
        if kind in numeric:
            labelled[name] = {m: m for m in range(1, 13)}
        elif kind is ColumnKind.CATEGORICAL:
            values = sorted((v for v in released[name].values if month_of(v)), key=lambda v: (month_of(v), str(v)))
            if values:
                labelled[name] = {v: int(month_of(v) or 0) for v in values}
    out = [p for day, month in _paired(days, list(labelled)) for p in _past_length(day, month, labelled[month], True)]
    return tuple(out[:MAX_CALENDAR_PAIRS])


def model_calendar(model: object) -> tuple[ZeroPair, ...]:
    """The calendar pairs a fitted model keeps; () for models without them and files saved before them."""
    return tuple(getattr(model, "calendar_pairs_", ()))


def describe_calendar(model: object) -> str | None:
    """The calendar a fitted model keeps, e.g. "day never past the last day of month (no 30–31 feb; no 31 apr,
    jun, sep, nov)."; None when it keeps none. (Bank Marketing's columns are named day and month: "day never past
    the length of its month in month" read in the browser as a riddle.)"""
    pairs = model_calendar(model)
    if not pairs:
        return None
    by_columns: dict[tuple[str, str], dict[Any, int]] = {}
    for p in pairs:
        first = by_columns.setdefault((p.first, p.second), {})
        first[p.second_value] = min(first.get(p.second_value, 32), int(p.first_value))
    clauses = []
    for (day, month), labels in by_columns.items():
        by_first: dict[int, list[str]] = {}
        for label, first_day in labels.items():
            by_first.setdefault(first_day, []).append(str(label))
        spans = "; ".join(f"no {f if f == 31 else f'{f}–31'} {', '.join(ls)}" for f, ls in sorted(by_first.items()))
        clauses.append(f"{day} never past the last day of {month} ({spans})")
    return "; ".join(clauses) + "."


def check_calendar(model: Any, names: set[str]) -> None:
    """A loaded model's ``calendar_pairs_`` (absent from files saved before them): at most
    :data:`MAX_CALENDAR_PAIRS` distinct pairs, each of a numeric day column and a month column the model draws (two
    different ones), a day of 29, 30 or 31 past the length its month has in a common year, the month a label the
    model's column domain holds that names a month (or a whole number within 1–12 of a numeric column). A DP
    network's must be exactly those its schema and released domains give (:func:`public_calendar_pairs`).
    Anything else is refused with the project's load error."""
    from synth.synthesizers.state_checks import fail

    pairs = getattr(model, "calendar_pairs_", ())
    if not isinstance(pairs, tuple) or not all(type(p) is ZeroPair for p in pairs):
        fail("the calendar_pairs_ are not calendar pairs")
    if len(pairs) > MAX_CALENDAR_PAIRS or len(set(map(repr, pairs))) != len(pairs):
        fail(f"the calendar_pairs_ hold more than {MAX_CALENDAR_PAIRS} pairs, or one pair twice")
    domains = {d.name: d for d in getattr(model, "domain_", ())}
    numeric = (ColumnKind.DISCRETE, ColumnKind.CONTINUOUS)
    for k, p in enumerate(pairs):
        label = f"calendar_pairs_ pair {k}"
        if not all(isinstance(c, str) and c in names and c in domains for c in (p.first, p.second)):
            fail(f"{label} names a column the model does not draw")
        days = domains[p.first]
        if p.first == p.second or days.kind not in numeric:
            fail(f"{label} has no day column of numbers")
        # A range read off the rows lies within 1–31 for a day (a DP network's noisy one is checked below).
        if not days.private and days.low is not None and not 1 <= float(days.low) <= float(days.high) <= 31:
            fail(f"{label} has no day column of numbers (its range is not within 1–31)")
        month_domain = domains[p.second]
        if month_domain.kind in numeric:
            month = p.second_value if type(p.second_value) is int and 1 <= p.second_value <= 12 else None
        elif month_domain.kind is ColumnKind.CATEGORICAL and p.second_value in month_domain.values:
            month = month_of(p.second_value)
        else:
            month = None
        if month is None:
            fail(f"{label} holds no month the model's column {p.second!r} holds")
            continue
        day = p.first_value
        if type(day) is not int or not (28 if month == 2 else LEAP_LENGTHS[month - 1]) < day <= 31:
            fail(f"{label} forbids a day its month has")
    saved = "calendar_pairs_" in vars(model)  # (a file saved before the calendar has none: it samples as it did)
    if (
        saved
        and getattr(model, "guarantee", None) is not None
        and pairs != public_calendar_pairs(model.schema_, tuple(domains.values()))
    ):
        fail("the calendar_pairs_ are not those the DP network's schema and released domains give")


CALENDAR_ARTIFACT = ArtifactItem(
    "Calendar",
    "for a day-of-month column and its month column: each (day, month) past the month's length (31 jun, 30 feb)",
    "structure",
    "Public knowledge, not learned from rows: kept only when every training row is a date of a leap year "
    "(February 29 forbidden only when no row holds it); month labels the frequencies above already hold.",
    held_in=("calendar_pairs_",),
)
