"""Dates written as text or numbers: the format that reads a column, in words a user recognises."""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import pandas as pd

from synth.schema.kinds import (
    EPOCH_MILLISECONDS,
    EPOCH_SECONDS,
    FRACTION_DIGITS,
    ISO8601,
    MIXED_FORMATS,
    OFFSET_COLON,
)

#: Nanoseconds in a day: datetimes are held as nanoseconds since the epoch (UTC) wherever they are numbers.
DAY_NS = 86_400 * 10**9

_DATEISH = re.compile(
    r"\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?([ T]\d.*)?"
    r"|\d{1,2}[ -][A-Za-z]{3,9}\.?[ -,]+\d{2,4}.*"
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}.*"
    r"|[A-Za-z]{3,9} \d{4}"
)

_DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%SZ",
    # UTC written as a "Z" (JavaScript's toISOString: 2025-05-04T12:18:08.830Z) stays a "Z": read by %z below, it
    # came back as +0000.
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%d %H:%M:%S.%fZ",
    # A UTC offset (+0100 or +01:00; a colon is recorded as %:z, see synth.schema.kinds.OFFSET_COLON): read as
    # instants in UTC and written back with the offset +00:00 in the same layout, so no time shifts silently.
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M%z",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%b %Y",
    "%B %Y",
)

#: Day-first formats and their month-first twins: when both read every value, the reason says so.
_DAY_MONTH_TWINS = {
    "%d/%m/%Y": "%m/%d/%Y",
    "%d/%m/%Y %H:%M": "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S": "%m/%d/%Y %H:%M:%S",
    "%d/%m/%y": "%m/%d/%y",
    "%d-%m-%Y": "%m-%d-%Y",
}

_TIME_NAME = re.compile(r"(time|date|_at$|_on$|^ts$|_ts$|^ts_|epoch|stamp|created|updated|modified)", re.I)


def describe_format(fmt: str) -> str:
    """``%d/%m/%Y`` → ``DD/MM/YYYY``: a date pattern in words a user recognises."""
    table = {
        "%Y": "YYYY",
        "%y": "YY",
        "%m": "MM",
        "%d": "DD",
        "%H": "hh",
        "%I": "hh",
        "%M": "mm",
        "%S": "ss",
        "%f": "ffffff",
        "%b": "Mon",
        "%B": "Month",
        "%p": "AM/PM",
        "%z": "±hhmm",
        OFFSET_COLON: "±hh:mm",
    }
    if MIXED_FORMATS in fmt:
        return " or ".join(describe_format(part) for part in fmt.split(MIXED_FORMATS))
    fmt = FRACTION_DIGITS.sub(lambda m: "f" * int(m.group(1)), fmt)  # %3f → fff
    return re.sub(r"%:?[a-zA-Z]", lambda m: table.get(m.group(0), m.group(0)), fmt)


def readable_format(fmt: str) -> str:
    """A ``datetime_format`` as pandas' parser and ``strftime`` take it: a colon offset (:data:`OFFSET_COLON`) as
    ``%z`` (which reads ``+01:00`` too) and a fraction of fixed digits (:data:`FRACTION_DIGITS`) as ``%f``."""
    return FRACTION_DIGITS.sub("%f", fmt.replace(OFFSET_COLON, "%z"))


def write_datetimes(values: pd.Series, fmt: str) -> pd.Series:
    """Datetimes written as text in ``fmt``, a ``strftime`` pattern that may hold :data:`OFFSET_COLON` (``+01:00``)
    and :data:`FRACTION_DIGITS` (``%3f``: the first three digits of the fraction of a second, truncated as a
    clock's milliseconds are), as objects; missing values are None."""
    digits = FRACTION_DIGITS.search(fmt)
    plain = fmt.replace(OFFSET_COLON, "%z")
    if digits is None:
        text = values.dt.strftime(plain)
    else:
        n = int(digits.group(1))
        # strftime writes the marker as it is; the digits are put in its place, from the nanoseconds of the second.
        marker = "\x1f"
        text = values.dt.strftime(FRACTION_DIGITS.sub(marker, plain))
        ns = (values.dt.microsecond * 1_000 + values.dt.nanosecond) // 10 ** (9 - n)
        fraction = ns.astype("Int64").astype("string").str.zfill(n)
        parts = text.astype("string").str.split(marker, n=1, expand=True)
        text = parts[0] + fraction + parts[1]
    if OFFSET_COLON in fmt:
        text = text.str.replace(r"([+-]\d\d)(\d\d)$", r"\1:\2", regex=True)
    out = text.astype(object)
    out[values.isna().to_numpy()] = None
    return out


def fraction_digits(fmt: str, text: pd.Series) -> str:
    """``fmt`` with its ``%f`` narrowed to the digits the values write (``%3f`` for milliseconds), or as it is
    (six digits, or no fraction). Up to nine digits (nanoseconds, which pandas holds)."""
    if "%f" not in fmt:
        return fmt
    written = text.str.extract(r":\d\d[.,](\d+)", expand=False).dropna().str.len()
    n = int(written.max()) if len(written) else 6
    return fmt if n == 6 or not 1 <= n <= 9 else fmt.replace("%f", f"%{n}f", 1)


def detect_datetime_format(values: pd.Series) -> tuple[str, float, bool] | None:
    """Find the date format that reads text values.

    Args:
        values: non-missing text values (a sample is enough).

    Returns:
        ``(format, share parsed, ambiguous)`` for the best format reading at least 95% of the values, or
        None. ``ambiguous`` is true when day/month and month/day orders both read every value (the day-first
        reading is returned).
    """
    text = values.astype(str).str.strip()
    if text.empty or text.str.fullmatch(_DATEISH).mean() < 0.9:
        return None
    best: tuple[str, float] | None = None
    shares: dict[str, float] = {}
    # Which values each format read: a column no single format reads is tried as two, from these masks.
    read: dict[str, np.ndarray] = {}
    for fmt in _DATE_FORMATS:
        read[fmt] = pd.to_datetime(text, format=fmt, errors="coerce", utc=True).notna().to_numpy()
        share = float(read[fmt].mean())
        shares[fmt] = share
        if share >= 0.95 and (best is None or share > best[1]):
            best = (fmt, share)
            if share == 1.0 and fmt not in _DAY_MONTH_TWINS:
                break
    if best is None or best[1] < 1.0:
        iso = float(pd.to_datetime(text, format=ISO8601, errors="coerce", utc=True).notna().mean())
        if iso >= 0.95 and (best is None or iso > best[1]):
            return ISO8601, iso, False
    if best is None:
        return _two_formats(read, shares)
    fmt, share = best
    if fmt.endswith("%z") and text.str.contains(r"[+-]\d\d:\d\d$").mean() >= 0.5:
        fmt = fmt[:-2] + OFFSET_COLON  # %z reads both; writing back needs to know which the column used
    fmt = fraction_digits(fmt, text)
    twin = _DAY_MONTH_TWINS.get(fmt)
    ambiguous = twin is not None and shares.get(twin, 0.0) >= share
    return fmt, share, ambiguous


#: A second format joins the first only when it reads at least this share of the values the first does not.
MIN_SECOND_FORMAT_SHARE = 0.02


def _two_formats(read: dict[str, np.ndarray], shares: dict[str, float]) -> tuple[str, float, bool] | None:
    """Two formats that together read at least 95% of the values (an export that wrote most dates as 2024-01-31
    and some as 31/01/2024), joined by :data:`MIXED_FORMATS`, the commoner first; or None.

    ``read`` holds, per format, which values it parsed (the masks :func:`detect_datetime_format` already made), so
    no format is parsed twice. Such a column read as no date at all, and its dates' dashes then made it a column of
    phone numbers."""
    ranked = sorted(shares, key=lambda f: -shares[f])
    if not ranked or shares[ranked[0]] < 0.5:
        return None
    first = ranked[0]
    best: tuple[str, float] | None = None
    for second in ranked[1:]:
        if shares[second] < MIN_SECOND_FORMAT_SHARE or second == _DAY_MONTH_TWINS.get(first):
            continue
        union = float((read[first] | read[second]).mean())
        if union - shares[first] >= MIN_SECOND_FORMAT_SHARE and (best is None or union > best[1]):
            best = (second, union)
    if best is None or best[1] < 0.95:
        return None
    second, union = best
    twin = _DAY_MONTH_TWINS.get(second)
    ambiguous = twin is not None and shares.get(twin, 0.0) >= shares[second]
    return f"{first}{MIXED_FORMATS}{second}", union, ambiguous


def integer_date_format(name: str, values: np.ndarray, sample: np.ndarray) -> tuple[str, str] | None:
    """Whether whole numbers are dates: YYYYMMDD, or Unix time when the column is named like a time.

    Args:
        name: the column name (Unix time is only assumed for names such as ``created_at``).
        values: every non-missing value, as floats (for the range).
        sample: some of them (for the YYYYMMDD calendar check).

    Returns:
        ``(datetime_format, reason)``, or None.
    """
    lo, hi = float(values.min()), float(values.max())
    if lo >= 18_000_101 and hi <= 22_001_231:
        text = pd.Series(sample.astype(np.int64)).astype(str)
        if pd.to_datetime(text, format="%Y%m%d", errors="coerce").notna().all():
            return "%Y%m%d", "8-digit whole numbers that all read as dates YYYYMMDD"
    if _TIME_NAME.search(name):
        if lo >= 315_532_800 and hi <= 4_102_444_800:
            return EPOCH_SECONDS, "whole numbers in the range of Unix time in seconds (1980–2100), named like a time"
        if lo >= 315_532_800_000 and hi <= 4_102_444_800_000:
            return EPOCH_MILLISECONDS, "numbers in the range of Unix time in milliseconds, named like a time"
    return None


#: Text values :func:`dates_beyond_timestamps` reads one by one (Python's own parser, slower than pandas').
BEYOND_SAMPLE = 200


def dates_beyond_timestamps(values: pd.Series) -> str | None:
    """Why text values that are dates stay text: some fall outside the dates pandas holds (nanoseconds since
    1970: 1677-09-21 to 2262-04-11), so no format reads them there. A placeholder 0001-01-01 for "unknown" or
    9999-12-31 for "no end" does; a birth year 1500 too.

    Before, such a column read as no date at all, and the dashes of 0001-01-01 made it phone numbers (personal
    data, regenerated as 603-555-0189). Read with Python's own parser (years 1 to 9999) on up to
    :data:`BEYOND_SAMPLE` values, by the first of the formats :func:`detect_datetime_format` tries (or ISO 8601)
    that reads 95% of them.

    Args:
        values: non-missing text values (a sample is enough).

    Returns:
        A clause for the column's reason (the layout, and the share of sampled dates beyond that range; never a
        value, which may be one person's), or None: not dates, or dates pandas reads.
    """
    text = values.astype(str).str.strip().head(BEYOND_SAMPLE)
    if text.empty or text.str.fullmatch(_DATEISH).mean() < 0.9:
        return None
    low, high = (pd.Timestamp.min.ceil("s").to_pydatetime(), pd.Timestamp.max.floor("s").to_pydatetime())
    readers = [(fmt, describe_format(fmt)) for fmt in _DATE_FORMATS] + [(ISO8601, "ISO 8601")]
    for fmt, words in readers:
        read = [d for d in (_strptime(v, fmt) for v in text) if d is not None]
        if len(read) < 0.95 * len(text):
            continue
        beyond = sum(not low <= d.replace(tzinfo=None) <= high for d in read)
        if not beyond:
            return None  # pandas reads them: another reason kept them from being dates
        return (
            f"dates in the form {words}, kept as text: {beyond / len(text):.0%} of sampled values fall before "
            "1677-09-21 or after 2262-04-11, beyond the dates pandas holds (leave placeholder dates such as "
            "0001-01-01 or 9999-12-31 empty to have the column read as dates)"
        )
    return None


def _strptime(value: str, fmt: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if fmt == ISO8601 else datetime.strptime(value, fmt)
    except ValueError:
        return None
