"""Checks on a column's levels, counted once per column: identifier-like, high-cardinality and rare categories,
and columns whose values determine each other's (education ↔ education_num)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from synth.audit.findings import _PAIR_SAMPLE, HIGH_CARDINALITY_LEVELS, Finding
from synth.audit.wording import _distinct_short, _names, _pct, _rows


@dataclass
class _Column:
    """Per-column counts computed once: factorised codes (missing as its own code) and level counts."""

    codes: np.ndarray
    counts: np.ndarray
    uniques: Any
    n_missing: int

    @property
    def n_levels(self) -> int:
        return len(self.counts)


def _factorize(series: pd.Series) -> _Column:
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): count them by their text
        codes, uniques = pd.factorize(series.astype(str).where(series.notna()), use_na_sentinel=True)
    missing = codes < 0
    n_missing = int(missing.sum())
    if n_missing:
        codes = np.where(missing, len(uniques), codes)
    counts = np.bincount(codes, minlength=len(uniques) + (1 if n_missing else 0))
    return _Column(codes.astype(np.int64), counts, uniques, n_missing)


def _category_checks(name: str, col: _Column, n_present: int, rare_rows: int) -> list[Finding]:
    out: list[Finding] = []
    levels = col.n_levels - (1 if col.n_missing else 0)
    share = levels / n_present if n_present else 0.0
    if n_present > 50 and share > 0.95:
        out.append(
            Finding(
                "warning",
                (name,),
                "Identifier-like column",
                f"{name} has {levels:,} distinct values in {n_present:,} rows ({_pct(share)} unique): it behaves "
                "like a key, and a synthesizer that learns it would copy real values",
                "Mark it as an identifier (regenerated) or as free text.",
                "identifier_like",
            )
        )
        return out
    counts = col.counts[:levels]
    rare = np.flatnonzero(counts < rare_rows)
    if levels > HIGH_CARDINALITY_LEVELS or (n_present > 50 and share > 0.5):
        median = float(np.median(counts)) if levels else 0.0
        out.append(
            Finding(
                "warning",
                (name,),
                "High-cardinality category",
                f"{name} has {levels:,} distinct values ({_pct(share)} unique; a value has {median:,.0f} rows "
                "at the median): fitting is slower, synthesizers spread thin over the values, and rare values "
                "can single out people",
                "Group rare values into 'other', keep a coarser version (e.g. the first digits of a code), or "
                "mark it as an identifier.",
                "high_cardinality",
            )
        )
    if len(rare) and levels > 1:
        shown = rare[np.argsort(counts[rare])][:3]
        names = _distinct_short([col.uniques[i] for i in shown])
        examples = ", ".join(f"{text} ({counts[i]})" for text, i in zip(names, shown, strict=True))
        out.append(
            Finding(
                "warning",
                (name,),
                "Rare categories",
                f"{len(rare):,} value(s) of {name} occur in fewer than {rare_rows} rows "
                f"({_rows(int(counts[rare].sum()))} in all), e.g. {examples}",
                "Rare values single people out: synthesizers learn them only as one '(other)' bucket (below "
                "min_category_rows, 5 by default), so they never appear as they are. Group them yourself if a "
                "meaningful grouping exists, or set min_category_rows to 1 to keep them (not advised).",
                "rare_categories",
            )
        )
    return out


def _dependencies(columns: Mapping[str, _Column], n_rows: int) -> list[tuple[str, str]]:
    """Pairs ``(a, b)`` where the value of column a determines the value of column b (a → b)."""
    if n_rows < 10:
        return []
    eligible = {
        name: col
        for name, col in columns.items()
        if 2 <= col.n_levels <= HIGH_CARDINALITY_LEVELS and col.n_levels <= 0.5 * n_rows
    }
    if len(eligible) < 2:
        return []
    rows = (
        np.sort(np.random.default_rng(0).choice(n_rows, _PAIR_SAMPLE, replace=False)) if n_rows > _PAIR_SAMPLE else None
    )

    def levels(codes: np.ndarray) -> int:
        return len(np.unique(codes))

    def pair_levels(a: _Column, b: _Column, idx: np.ndarray | None) -> int:
        ca = a.codes if idx is None else a.codes[idx]
        cb = b.codes if idx is None else b.codes[idx]
        return levels(ca * b.n_levels + cb)

    sample_levels = {n: (c.n_levels if rows is None else levels(c.codes[rows])) for n, c in eligible.items()}
    found: list[tuple[str, str]] = []
    for a_name, b_name in combinations(eligible, 2):
        a, b = eligible[a_name], eligible[b_name]
        joint = pair_levels(a, b, rows)
        a_det_b = joint == sample_levels[a_name]
        b_det_a = joint == sample_levels[b_name]
        if not (a_det_b or b_det_a):
            continue
        if rows is not None:
            joint = pair_levels(a, b, None)
            a_det_b = joint == a.n_levels
            b_det_a = joint == b.n_levels
        if a_det_b:
            found.append((a_name, b_name))
        if b_det_a:
            found.append((b_name, a_name))
    return found


def _dependency_findings(dependencies: list[tuple[str, str]], columns: Mapping[str, _Column]) -> list[Finding]:
    out: list[Finding] = []
    pairs = set(dependencies)
    both = sorted({tuple(sorted((a, b))) for a, b in pairs if (b, a) in pairs})
    for a, b in both:
        out.append(
            Finding(
                "warning",
                (a, b),
                "Columns that determine each other",
                f"{a} and {b} encode the same information: each value of one goes with exactly one value of the "
                f"other ({columns[a].n_levels} values)",
                "Synthesizers may break the one-to-one mapping (pairs that never occur in real data). Drop one "
                "of the two before fitting and derive it afterwards, or check the pair on the Compare page.",
                "mutual_dependency",
            )
        )
    in_both = {c for pair in both for c in pair}
    one_way: dict[str, list[str]] = {}
    for a, b in dependencies:
        if (b, a) not in pairs and not (a in in_both and b in in_both):
            one_way.setdefault(a, []).append(b)
    for a, targets in one_way.items():
        out.append(
            Finding(
                "info",
                (a, *targets),
                "Column determines others",
                f"each value of {a} goes with a single value of {_names(targets)} (a rule such as date → month)",
                "Synthesizers may break such rules; check them on the synthetic table, or derive the "
                "dependent columns after sampling.",
                "dependency",
            )
        )
    return out
