"""Binned summaries of columns and column pairs, ready to draw: counts, never rows.

A chart built from these carries a few hundred numbers whatever the table size, so a million synthetic rows
draw as fast as a thousand. Binning is plain numpy (``bincount``, ``histogram``, ``histogram2d``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth.evaluation.errors import ContextError
from synth.evaluation.results import number, to_jsonable
from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema, numeric_values
from synth.schema.number_text import NumberFormat, format_numbers
from synth.schema.shared_range import TAIL_ROWS, shared_ends
from synth.synthesizers.band_people import value_people

NUMERIC_KINDS = frozenset({ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME})
MAX_CATEGORIES = 20
N_BINS = 40
PAIR_BINS = 30
PAIR_CATEGORIES = 12
OTHER = "(other)"
MISSING = "(missing)"


@dataclass(frozen=True)
class ColumnDistribution:
    """One column's distribution in the real, synthetic and (optionally) holdout tables, as shares of rows.

    Attributes:
        column / kind: the column.
        labels: bin or category labels, in display order.
        centers: numeric bin centres (nanoseconds for datetimes); empty for categories.
        width: numeric bin width (0 for categories).
        real / synthetic / holdout: share of each table's rows per label (missing values are left out of
            numeric bins, see ``missing_*``; categories show them as ``(missing)``).
        n_real / n_synthetic / n_holdout: rows in each table.
        missing_real / missing_synthetic / missing_holdout: share of missing values.
        folded_bins: positions of the bins that also hold every value beyond the axis (the first and the last
            numeric bin, labelled "≤ x" / "< x" and "≥ y", when a value lay beyond it; see ``tail_rows`` of
            :func:`column_distributions`); empty otherwise and for categories. Read this, never the labels: a
            category may well be called "≥ 50K".
        folded_categories: whether the last label is the fold of the categories left out ("all other categories
            (N)", :func:`fold_categories`); as above, read this, never the label.
        number_format: the layout a numeric column is written in ("€1,234.50", "15%"), None for plain numbers;
            ``labels`` are written in it, and a chart puts it around its ticks, as the pair explorer does.
        cell_people: with ``cell_people=True`` and a person column, the people of each label (codes, shared by the
            training and holdout tables, never the column's values), for training and for the holdout (None without
            one): what a report's suppression counts (:func:`synth.report.suppression.suppress`). Left out of
            :meth:`to_dict` and comparisons.
    """

    column: str
    kind: ColumnKind
    labels: tuple[str, ...]
    centers: tuple[float, ...]
    width: float
    real: tuple[float, ...]
    synthetic: tuple[float, ...]
    holdout: tuple[float, ...] | None
    n_real: int
    n_synthetic: int
    n_holdout: int | None
    missing_real: float
    missing_synthetic: float
    missing_holdout: float | None
    folded_bins: tuple[int, ...] = ()
    folded_categories: bool = False
    number_format: NumberFormat | None = None
    cell_people: tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...] | None] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def holdout_band(self, z: float = 1.96) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
        """Binomial 95% band around each holdout share: where fresh real data of the holdout's size lands."""
        if self.holdout is None or not self.n_holdout:
            return None
        p = np.asarray(self.holdout)
        half = z * np.sqrt(p * (1 - p) / self.n_holdout)
        return tuple(np.clip(p - half, 0, 1).tolist()), tuple(np.clip(p + half, 0, 1).tolist())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        del out["cell_people"]
        return out


def _labels(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), MISSING).astype(str)


def _format_number(value: float, kind: ColumnKind, fmt: NumberFormat | None = None) -> str:
    if kind is ColumnKind.DATETIME:
        return str(pd.Timestamp(int(value)).date())
    if fmt is not None:  # the column's own layout ("€12.5", "15%"), to four significant digits as below
        return str(format_numbers(pd.Series([float(f"{value:.4g}")]), fmt).iloc[0])
    if np.isfinite(value) and 1e4 <= abs(value) < 1e15:
        # Four significant digits with every place written: ".4g" printed 147,500 as "1.475e+05" on the
        # customers walk's income axis.
        return f"{round(value, 3 - int(np.floor(np.log10(abs(value))))):,.0f}"
    return f"{value:,.4g}"


def _whole_bins(edges: np.ndarray, kind: ColumnKind) -> bool:
    """Whether ``edges`` bin a whole-number column on whole numbers (10–14, 15–19, …; one per bin: 7, 8, …)."""
    return (
        kind is ColumnKind.DISCRETE and len(edges) > 1 and bool(np.all(edges % 1 == 0) and np.all(np.diff(edges) >= 1))
    )


def _bin_labels(
    centers: np.ndarray, edges: np.ndarray, kind: ColumnKind, folded: bool, fmt: NumberFormat | None = None
) -> tuple[str, ...]:
    """Each bin's label (its centre, or the whole numbers it holds: "10–14"), in the column's layout ``fmt`` when
    it has one ("10%–14%"); when values beyond the axis were folded in, the end bins say so."""
    if _whole_bins(edges, kind):  # a centre of 12 for 10–14, or 2.5 for 2–3, names no value the column holds
        ranges = [(edges[i], edges[i + 1] - 1) for i in range(len(edges) - 1)]
        if fmt is not None:
            bounds = pd.Series([v for pair in ranges for v in pair], dtype=float)
            written = format_numbers(bounds, fmt, 0).tolist()
            held = list(zip(written[::2], written[1::2], strict=True))
        else:
            held = [(number(a, 0), number(b, 0)) for a, b in ranges]  # 12345, not 1.234e+04; a true minus
        labels = [a if a == b else f"{a}–{b}" for a, b in held]
        if folded and len(labels) > 1:
            labels[0] = f"≤ {held[0][1]}"
            labels[-1] = f"≥ {held[-1][0]}"
        return tuple(labels)
    labels = [_format_number(c, kind, fmt) for c in centers]
    if folded and len(labels) > 1:
        whole = bool(np.all(edges[1:] - edges[:-1] == 1) and edges[0] % 1 == 0.5)  # a bin per whole number
        labels[0] = f"≤ {labels[0]}" if whole else f"< {_format_number(edges[1], kind, fmt)}"
        labels[-1] = f"≥ {labels[-1]}" if whole else f"≥ {_format_number(edges[-2], kind, fmt)}"
    return tuple(labels)


def _nice_step(raw: float, whole: bool = False) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least ``raw`` (a chart axis's step); with
    ``whole``, a whole number (1, 2, 5, 10, 20, 25, …): a whole-number column's bins start on whole numbers."""
    if not raw > 0 or not np.isfinite(raw):
        return 1.0
    power = 10.0 ** np.floor(np.log10(raw))
    steps = (m * power for m in (1, 2, 2.5, 5, 10))
    return float(next(v for v in steps if v >= raw * (1 - 1e-12) and (not whole or v % 1 == 0)))


def _numeric_edges(
    parts: Sequence[np.ndarray],
    kind: ColumnKind,
    n_bins: int,
    tail_rows: int,
    people: Sequence[np.ndarray] | None = None,
) -> tuple[np.ndarray, bool]:
    """Bin edges for one numeric column, and whether values beyond them were folded into the end bins.

    ``parts``: each table's finite-or-not values, real first (the holdout, when given, last: real too). The edges
    span the real rows (training and holdout) but for their ``tail_rows`` most extreme at each end
    (:func:`~synth.schema.shared_range.shared_ends`: an axis that ended at the real maximum stated one person's
    value, the one 1.5M salary, even where the report blanked that person's bar, and squeezed every other bar into a
    corner); the end bins hold every value beyond, synthetic ones too. Edges are round numbers (a step of 1, 2, 2.5
    or 5 times a power of ten, rounded outwards), so no edge states a real row's value and each end bin holds at
    least ``tail_rows`` real rows. ``people`` (the person of each value of the real parts, training first): the ends
    are shared by that many people, not rows (one employee's 15 payslips at the top salary ended the axis there)."""
    finite = [p[np.isfinite(p)] for p in parts]
    both = np.concatenate(finite) if any(len(f) for f in finite) else np.zeros(1)
    real_parts = [finite[0], *finite[2:]]
    real = np.concatenate(real_parts) if any(len(f) for f in real_parts) else both
    whose = None
    if people is not None:
        held = [parts[0], *parts[2:]]
        whose = np.concatenate([np.asarray(w, dtype=object)[np.isfinite(p)] for w, p in zip(people, held, strict=True)])
        whose = whose if len(whose) == len(real) else None  # (no real value: the synthetic ones span the axis)
    lo, hi = shared_ends(real, tail_rows, whose) if tail_rows > 0 else (float(real.min()), float(real.max()))
    integral = kind is ColumnKind.DISCRETE and bool(np.all(np.floor(both) == both))
    if integral and hi - lo + 1 <= n_bins:
        edges = np.arange(lo - 0.5, hi + 1.5)  # one bin per whole number
    else:
        n_unique = len(np.unique(real[:5000])) if len(real) else 2
        raw = (hi - lo) / min(n_bins, max(n_unique, 2)) if hi > lo else abs(lo) / 10 or 1
        step = _nice_step(raw, whole=integral)
        if kind is ColumnKind.DATETIME:
            step = max(step, 86_400e9)  # a day at least: dates' bins need not be finer
        start, stop = np.floor(lo / step) * step, np.ceil(hi / step) * step
        if integral and stop <= hi:  # bins are [a, b): the top whole number needs a bin of its own end
            stop += step
        edges = start + step * np.arange(max(round(float((stop - start) / step)), 1) + 1)
    # Whole-number bins are [a, b): a value on the top edge lies beyond the last bin's label ("75–79" holding 80).
    top = (both >= edges[-1]) if integral and edges[-1] % 1 == 0 else (both > edges[-1])
    folded = bool((both < edges[0]).any() or top.any())
    return edges, folded


def column_distributions(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame | None = None,
    *,
    schema: Schema | None = None,
    columns: Sequence[str] | None = None,
    n_bins: int = N_BINS,
    max_categories: int = MAX_CATEGORIES,
    tail_rows: int = TAIL_ROWS,
    person_column: str | None = None,
    cell_people: bool = False,
) -> tuple[ColumnDistribution, ...]:
    """Binned distributions of the modelled columns, for overlaid real | synthetic | holdout charts.

    Args:
        real: the real training table.
        synthetic: the synthetic table.
        holdout: real rows the synthesizer never saw.
        schema: column kinds (inferred from ``real`` when omitted).
        columns: which columns (default: every modelled column).
        n_bins: numeric bins (integers with few values get one bin per value).
        max_categories: the most frequent real categories shown; the rest fold into "all other categories (N)"
            (a synthesizer's own "(other)" value keeps its bar).
        tail_rows: a numeric axis ends inside the real rows' ``tail_rows`` most extreme values at each end (at most
            a 40th of the rows); the end bins, labelled "≤ x" / "≥ y", hold them and any value beyond. A report
            passes its suppression threshold. 0 spans every value.
        person_column: the column of ``real`` and ``holdout`` naming whose row each row is (a patient's visits),
            when known: an axis ends inside the ``tail_rows`` most extreme people, not rows.
        cell_people: with ``person_column``, record the people of each bar (``ColumnDistribution.cell_people``):
            a report hides bars held by few people, not few rows.

    Returns:
        One :class:`ColumnDistribution` per column, in schema order.

    Raises:
        ContextError: a chosen column is missing from the synthetic table or the holdout.
    """
    schema = schema or infer_schema(real)
    names = [
        c for c in (columns or schema.modelled) if c in real.columns and c in schema and schema[c].kind.is_modelled
    ]
    for role, table in (("synthetic", synthetic), ("holdout", holdout)):
        _need_columns(table, names, role)
    sub = schema.select(names)
    frames = [coerce_to_schema(real[names], sub), coerce_to_schema(synthetic[names], sub)]
    if holdout is not None:
        frames.append(coerce_to_schema(holdout[names], sub))
    people = _real_people([real, *([] if holdout is None else [holdout])], person_column)
    codes = _people_codes(people) if cell_people and people is not None else None
    out = []
    for name in names:
        kind = schema[name].kind
        fmt = schema[name].number_format if kind is not ColumnKind.DATETIME else None
        bucket: str | None = None
        series = [f[name] for f in frames]
        missing = [float(s.isna().mean()) if len(s) else 0.0 for s in series]
        if kind in NUMERIC_KINDS:
            values = [numeric_values(s, kind) for s in series]
            edges, beyond = _numeric_edges(values, kind, n_bins, tail_rows, people)
            centers = (edges[:-1] + edges[1:]) / 2
            shares, cells = [], []
            for v in values:
                cell = _numeric_cells(v, edges)
                counts = np.bincount(cell[cell >= 0], minlength=len(edges) - 1)
                shares.append(tuple((counts / max(len(v), 1)).tolist()))
                cells.append(cell)
            labels = _bin_labels(centers, edges, kind, beyond, fmt)
            ends = (0, len(labels) - 1) if beyond and len(labels) > 1 else ()  # as _bin_labels marks them
            width = float(edges[1] - edges[0])
            center_t = tuple(float(c) for c in centers)
        else:
            labelled = [_labels(s) for s in series]
            top, bucket = fold_categories(labelled, max_categories)
            seen = set(top)
            labels = (*top, bucket) if bucket else tuple(top)
            shares, cells = [], []
            for lab in labelled:
                folded = lab.where(lab.isin(seen), bucket or "")
                shares.append(tuple(folded.value_counts(normalize=True).reindex(labels, fill_value=0.0).tolist()))
                cells.append(pd.Categorical(folded, categories=labels).codes.astype(np.int64))
            width, center_t, ends = 0.0, (), ()
        out.append(
            ColumnDistribution(
                column=name,
                kind=kind,
                labels=labels,
                centers=center_t,
                width=width,
                real=shares[0],
                synthetic=shares[1],
                holdout=shares[2] if len(shares) > 2 else None,
                n_real=len(series[0]),
                n_synthetic=len(series[1]),
                n_holdout=len(series[2]) if len(series) > 2 else None,
                missing_real=missing[0],
                missing_synthetic=missing[1],
                missing_holdout=missing[2] if len(missing) > 2 else None,
                folded_bins=ends,
                folded_categories=bucket is not None,
                number_format=fmt if kind in NUMERIC_KINDS else None,
                cell_people=None if codes is None else _cells_people([cells[0], *cells[2:]], codes, len(labels)),
            )
        )
    return tuple(out)


def _numeric_cells(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The bin of each value (-1 for a missing one), as ``np.histogram`` counts them: [a, b), the last bin closed;
    the end bins hold every value beyond the axis."""
    cell = np.full(len(values), -1, dtype=np.int64)
    finite = np.isfinite(values)
    inside = np.clip(values[finite], edges[0], edges[-1])
    cell[finite] = np.clip(np.searchsorted(edges, inside, side="right") - 1, 0, len(edges) - 2)
    return cell


def _people_codes(people: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each real table's persons as codes shared by the tables; a row naming no one is a person of its own."""
    codes = pd.factorize(pd.Series(np.concatenate(people)))[0]
    unnamed = codes < 0
    codes[unnamed] = codes.max(initial=-1) + 1 + np.arange(int(unnamed.sum()))
    return np.split(codes, np.cumsum([len(p) for p in people])[:-1])


def _cells_people(
    cells: Sequence[np.ndarray], codes: Sequence[np.ndarray], n_cells: int
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...] | None]:
    """The distinct people (codes) of each of ``n_cells`` cells, per real table (training, then the holdout)."""
    per_table = []
    for cell, code in zip(cells, codes, strict=True):
        kept = cell >= 0
        per_table.append(tuple(value_people(cell[kept], n_cells, code[kept]).lists(0, n_cells)))
    return per_table[0], (per_table[1] if len(per_table) > 1 else None)


def _real_people(tables: Sequence[pd.DataFrame], person_column: str | None) -> list[np.ndarray] | None:
    """The person of each row of the real ``tables`` (training first), or None when no person column is known or
    a table lacks it. One value in two tables is one person (a split by row puts a person on both sides)."""
    if person_column is None or any(person_column not in t.columns for t in tables):
        return None
    return [t[person_column].to_numpy(dtype=object) for t in tables]


def _need_columns(table: pd.DataFrame | None, names: Sequence[str], role: str) -> None:
    """Refuse a table that lacks columns a chart compares: a raw KeyError named the column and nothing else."""
    lacking = [c for c in names if table is not None and c not in table.columns]
    if lacking:
        shown = ", ".join(repr(c) for c in lacking[:5]) + (f" and {len(lacking) - 5} more" if len(lacking) > 5 else "")
        raise ContextError(
            f"the {role} table has no column {shown}: compare a {role} table with the real table's columns "
            "(sample it from a model fitted on this table)"
        )


def fold_categories(labelled: Sequence[pd.Series], max_categories: int) -> tuple[list[str], str | None]:
    """The categories a chart shows, and the label of its fold of the rest (None when nothing is left out).

    ``labelled``: each table's values as labels (real first). The most frequent real categories are shown; a
    synthesizer's own rare-category bucket, the value "(other)", keeps a place of its own; the categories left
    out fold into "all other categories (N)". Both read "(other)" once, so the synthesizer's bucket was silently
    merged with the real categories the chart left out. Every chart of categories (a column's bars, a pair's
    boxes and heatmap) folds through here, so they all name the fold alike.
    """
    top = [str(v) for v in labelled[0].value_counts().index[:max_categories]]
    if OTHER not in top and any((lab == OTHER).any() for lab in labelled):
        top.append(OTHER)
    seen = set(top)
    left_out = set().union(*(set(lab[~lab.isin(seen)].unique()) for lab in labelled))
    return top, (f"all other categories ({len(left_out):,})" if left_out else None)
