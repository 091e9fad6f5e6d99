"""What a fitted PrivBayes model tells its user: its guarantee in words, columns the noise collapsed to one value, and
columns whose labels mostly fell into "(other)". Read from the released model only (no training data anywhere),
so saying it costs no privacy; a model loaded from its file says the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind
from synth.synthesizers.cart import MISSING, datetimes_from_units
from synth.synthesizers.dp import domains as dpd

#: A private label list is named when "(other)" holds at least this share of the model's rows: below it the bucket
#: is a tail; above it the column's main values are the ones the noise took.
BUCKET_SHARE = 0.2
#: Rows drawn from the released tables (seed 0) to measure a code's share: ±1.3 points at worst.
SHARE_ROWS = 4_000


def collapsed_columns(model: Any) -> dict[str, Any]:
    """Columns whose private domain came out as one value (or only "(other)"), with that value: a Timestamp for a
    date, None for a column the model writes as missing in every row (no label, or a range with no value)."""
    out: dict[str, Any] = {}
    for col in model.columns_:
        if col.name in model.public_columns_:
            continue
        if col.categorical:
            labels = [c for c in col.categories if c != MISSING]
            if len(labels) <= 1 and (not labels or labels[0] == dpd.OTHER):
                out[col.name] = labels[0] if labels else None
        elif not len(col.low):
            out[col.name] = None
        elif float(col.low.min()) == float(col.high.max()):
            value = float(col.low.min())
            if col.kind is ColumnKind.DATETIME:
                day = datetimes_from_units(np.asarray([value]), np.zeros(1, bool), col.origin, col.unit, col.tz)
                out[col.name] = day.iloc[0]
            else:
                out[col.name] = value
    return out


def coarse_ranges(model: Any) -> dict[str, str]:
    """Private ranges the noise let out only as whole cells of the public grid (not collapsed ones), each with its
    released range in the column's own terms ("6–31"; dates as days)."""
    collapsed = collapsed_columns(model)
    out = {}
    for col in model.columns_:
        if not getattr(col, "coarse", False) or col.name in collapsed or not len(col.low):
            continue  # files saved before the flag have none
        ends = np.asarray([float(col.low.min()), float(col.high.max())])
        if col.kind is ColumnKind.DATETIME:
            days = datetimes_from_units(ends, np.zeros(2, bool), col.origin, col.unit, col.tz)
            out[col.name] = "–".join(d.strftime("%Y-%m-%d") for d in days)
        else:
            out[col.name] = "–".join(released_number(v) for v in ends)
    return out


def released_number(value: float) -> str:
    """A released number as the pages print numbers: ``%g`` with a true minus sign. A noisy range released as
    "-3.16228e+06–-1.77828e+06" put hyphens in the race's table, whose cells use U+2212 throughout."""
    return f"{value:g}".replace("-", "\u2212")


def _shown(col: Any, value: Any) -> str:
    """A collapsed column's one value in the column's own terms (a date as a date, never its day number)."""
    if value is None and not col.categorical:
        what = "date" if col.kind is ColumnKind.DATETIME else "value"
        return f"{col.name} (no {what} released: missing in every row)"
    if value is None:
        return f"{col.name} (always missing)"
    if isinstance(value, pd.Timestamp):
        text = value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()
        return f"{col.name} (always {text})"
    if isinstance(value, float):
        return f"{col.name} (always {released_number(value)})"
    return f"{col.name} (always {value!r})"


def code_shares(model: Any, rows: int = SHARE_ROWS) -> np.ndarray:
    """Codes of ``rows`` rows drawn from the released tables with a fixed seed (post-processing)."""
    sizes = tuple(c.size for c in model.columns_)
    codes = np.zeros((rows, len(sizes)), dtype=np.int64, order="F")
    rng = np.random.default_rng(0)
    for table in model.tables_:
        codes[:, table.child] = table.draw(codes, sizes, rng)
    return codes


def bucket_shares(model: Any) -> dict[str, tuple[int, float]]:
    """Private label lists whose "(other)" holds at least BUCKET_SHARE of the model's rows (not collapsed ones):
    the number of labels released and the bucket's share."""
    collapsed = collapsed_columns(model)
    skip = set(collapsed) | set(model.public_columns_)
    candidates = [j for j, c in enumerate(model.columns_) if c.categorical and dpd.OTHER in c.categories]
    candidates = [j for j in candidates if model.columns_[j].name not in skip]
    if not candidates or not model.tables_:
        return {}
    codes = code_shares(model)
    out = {}
    for j in candidates:
        col = model.columns_[j]
        share = float(np.mean(codes[:, j] == col.categories.index(dpd.OTHER)))
        if share >= BUCKET_SHARE:
            out[col.name] = (sum(c not in (MISSING, dpd.OTHER) for c in col.categories), share)
    return out


def fit_warnings(model: Any) -> tuple[str, ...]:
    eps = f"ε = {model.epsilon:g}"
    out = []
    collapsed = collapsed_columns(model)
    if collapsed:
        by_name = {c.name: c for c in model.columns_}
        shown = ", ".join(_shown(by_name[name], value) for name, value in list(collapsed.items())[:8])
        more = f" and {len(collapsed) - 8} more" if len(collapsed) > 8 else ""
        out.append(
            f"At {eps} the privacy noise hid the whole domain of {len(collapsed)} column(s): {shown}{more} hold one "
            "value in every synthetic row. Raise ε, give the domains a larger budget share, or, if a codebook makes "
            "them public knowledge, declare them public: per column under Public ranges and labels on the "
            "Synthesize or Race page (public_domains= in code), or every column's seen range at once with Treat as "
            "public."
        )
    coarse = coarse_ranges(model)
    if coarse:
        listed = "; ".join(f"{name}: range released as {span}" for name, span in coarse.items())
        example = next(iter(coarse))
        out.append(
            f"At {eps} the privacy noise let {len(coarse)} range(s) be released only as whole cells of the public grid "
            f"({listed}): synthetic values spread over the released range, which may run past the real values. "
            "Declare the column's range if it is public knowledge (Public ranges and labels on the Synthesize or "
            f"Race page, public_domains={{{example!r}: (low, high)}} in code, or Treat as public) to keep it inside, "
            "or raise ε."
        )
    buckets = bucket_shares(model)
    threshold = float(getattr(model, "label_threshold_", 0.0))  # absent from files saved before it existed
    if buckets and threshold > 0:
        listed = ", ".join(f"{name} ({k} label(s) released, '(other)' {p:.0%})" for name, (k, p) in buckets.items())
        rows = model.noisy_rows_
        out.append(
            f"At {eps} a label is released only when its noisy count passes about {threshold:,.0f} rows "
            f"({threshold / max(rows, 1.0):.0%} of the table's ~{rows:,.0f}); every rarer label became '(other)': "
            f"{listed} of the synthetic rows. That is the privacy noise of {eps} on this many rows, not a fault: "
            "raise ε, or, if a codebook makes the labels public knowledge, declare them public (Treat as public)."
        )
    return tuple(out)


def privacy_statement(model: Any) -> str:
    """A fitted model's guarantee in words: the budget spent, the public columns, the declared orders."""
    spent = "; ".join(f"{what}: ε = {e:.4g}" + (f", δ = {d:.1g}" if d else "") for what, e, d in model.ledger_)
    delta = sum(d for _, _, d in model.ledger_)
    text = f"({model.epsilon:g}, {delta:.1g})-differential privacy, spent on {spent}."
    if model.public_columns_:
        text += (
            " Treated as public (not protected by ε): the declared or seen labels and ranges of "
            f"{', '.join(model.public_columns_)}."
        )
    orders = getattr(model, "declared_orders_", ())
    if orders:
        listed = "; ".join(f"{earlier} ≤ {later}" for later, earlier, _ in orders)
        text += (
            f" Declared by you, public and never checked against the data: {listed}; every synthetic row "
            "keeps these orders (a later column is learned as its gap from the earlier one, so its range above "
            "is the gap's; other orders by drawing rows that break one again)."
        )
    return text
