"""How the audit's findings word things: lists of column names, shares, row counts and shortened values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def _names(columns: Iterable[str]) -> str:
    items = list(columns)
    shown = ", ".join(items[:6])
    return shown + (f" and {len(items) - 6} more" if len(items) > 6 else "")


def _pct(share: float) -> str:
    if 0 < share < 0.001:
        return "<0.1%"
    return f"{share:.1%}"


def _rows(k: int) -> str:
    return f"{k:,} row" if k == 1 else f"{k:,} rows"


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _distinct_short(values: list[Any]) -> list[str]:
    """Each value shortened as :func:`_short`, unless that makes two of them read alike ("Top performer,
    promotion ca..." twice): those keep their ends ("Top performer, pr...Ref E-966312") or, failing that, all."""
    first = [_short(v) for v in values]
    ends = [
        s if first.count(s) == 1 else str(v)[:17] + "..." + str(v)[-13:] for s, v in zip(first, values, strict=True)
    ]
    return [str(v) if ends.count(s) > 1 else s for s, v in zip(ends, values, strict=True)]
