"""Two columns of both tables together, binned for a pair chart chosen by their kinds: a density of two numbers, a
number's boxes per category, or a heatmap of two categories (split from :mod:`.distributions`, whose binning,
labels and folds it shares)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from synth.evaluation.errors import ContextError
from synth.evaluation.fidelity.distributions import (
    NUMERIC_KINDS,
    PAIR_BINS,
    PAIR_CATEGORIES,
    _bin_labels,
    _labels,
    _need_columns,
    _numeric_edges,
    _real_people,
    fold_categories,
)
from synth.evaluation.results import to_jsonable
from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema, numeric_values
from synth.schema.number_text import NumberFormat
from synth.schema.shared_range import TAIL_ROWS


@dataclass(frozen=True)
class BoxStats:
    """Quantiles of a number within one category (precomputed box plot)."""

    category: str
    n: int
    q05: float
    q25: float
    median: float
    q75: float
    q95: float
    mean: float


@dataclass(frozen=True)
class PairView:
    """Two columns together, binned for drawing.

    ``view`` decides what is filled in:

    * ``density`` (two numbers): ``x_labels`` / ``y_labels`` are bin centres, ``real`` / ``synthetic`` the share
      of rows per cell (rows × columns = y × x); values beyond the 0.5–99.5% quantiles sit in the edge bins.
    * ``box`` (number × category): ``boxes_real`` / ``boxes_synthetic`` per category (``x`` is the category).
    * ``heatmap`` (two categories): joint shares per cell, most frequent real categories, the rest folded into
      "all other categories (N)" (see :func:`fold_categories`).
    """

    column_x: str
    column_y: str
    kind_x: ColumnKind
    kind_y: ColumnKind
    view: Literal["density", "box", "heatmap"]
    x_labels: tuple[str, ...]
    y_labels: tuple[str, ...]
    real: tuple[tuple[float, ...], ...]
    synthetic: tuple[tuple[float, ...], ...]
    boxes_real: tuple[BoxStats, ...]
    boxes_synthetic: tuple[BoxStats, ...]
    n_real: int
    n_synthetic: int
    format_x: NumberFormat | None = None
    format_y: NumberFormat | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        return out


def _category_codes(parts: Sequence[pd.Series], max_categories: int) -> tuple[list[np.ndarray], list[str]]:
    labelled = [_labels(p) for p in parts]
    top, bucket = fold_categories(labelled, max_categories)
    names = [*top, bucket] if bucket else top
    lookup = {name: i for i, name in enumerate(top)}
    codes = [lab.map(lookup).fillna(len(top)).to_numpy(dtype=np.intp) for lab in labelled]
    return codes, names


def _box(codes: np.ndarray, values: np.ndarray, names: Sequence[str]) -> tuple[BoxStats, ...]:
    ok = np.isfinite(values)
    codes, values = codes[ok], values[ok]
    order = np.lexsort((values, codes))
    codes, values = codes[order], values[order]
    bounds = np.searchsorted(codes, np.arange(len(names) + 1))
    out = []
    for k, name in enumerate(names):
        v = values[bounds[k] : bounds[k + 1]]
        if len(v) == 0:
            nan = float("nan")
            out.append(BoxStats(name, 0, nan, nan, nan, nan, nan, nan))
            continue
        q = np.quantile(v, [0.05, 0.25, 0.5, 0.75, 0.95])
        out.append(
            BoxStats(name, len(v), float(q[0]), float(q[1]), float(q[2]), float(q[3]), float(q[4]), float(v.mean()))
        )
    return tuple(out)


def pair_view(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    column_x: str,
    column_y: str,
    *,
    schema: Schema | None = None,
    n_bins: int = PAIR_BINS,
    max_categories: int = PAIR_CATEGORIES,
    person_column: str | None = None,
) -> PairView:
    """Bin two columns of both tables for a pair chart chosen by their kinds.

    Args:
        real: the real training table.
        synthetic: the synthetic table.
        column_x / column_y: the pair (for a number and a category, the category goes on x).
        schema: column kinds (inferred from ``real`` when omitted).
        n_bins: bins per numeric axis of a density.
        max_categories: categories per axis; the rest fold into "all other categories (N)" (a synthesizer's
            own "(other)" value keeps its place).
        person_column: the column of ``real`` naming whose row each row is, when known: a density's axes end
            inside the most extreme people, not rows (:func:`column_distributions`).

    Returns:
        A :class:`PairView`.

    Raises:
        ContextError: a column is missing from either table or the schema, is not a compared (modelled) kind (an
            identifier, PII, free text, a constant: an all-missing column or a date with one value is one), or
            both are the same column. The message says which and what to pick instead.
    """
    schema = schema or infer_schema(real)
    for c in (column_x, column_y):
        if c not in schema or c not in real.columns:
            raise ContextError(f"the real table has no column {c!r}: pick one of its compared columns")
        _need_columns(synthetic, [c], "synthetic")
        if not schema[c].kind.is_modelled:
            raise ContextError(
                f"column {c!r} is a {schema[c].kind.value} column, which a synthesizer does not learn and Compare "
                "does not compare: pick another column, or give it a compared kind in the schema"
            )
    if column_x == column_y:
        raise ContextError(f"both columns are {column_x!r}: pick two different columns")
    kx, ky = schema[column_x].kind, schema[column_y].kind
    num_x, num_y = kx in NUMERIC_KINDS, ky in NUMERIC_KINDS
    if num_x and not num_y:  # the category goes on x
        column_x, column_y, kx, ky, num_x, num_y = column_y, column_x, ky, kx, num_y, num_x
    sub = schema.select([column_x, column_y])
    frames = [coerce_to_schema(f[[column_x, column_y]], sub) for f in (real, synthetic)]
    # A number written in a layout ("€12.34", "15%") is labelled in it: the walk's axes showed unit_price without €.
    fmt_x, fmt_y = schema[column_x].number_format, schema[column_y].number_format
    empty: tuple[BoxStats, ...] = ()
    if num_x and num_y:
        xs = [numeric_values(f[column_x], kx) for f in frames]
        ys = [numeric_values(f[column_y], ky) for f in frames]

        # The Compare page's bins, so a whole-number column is binned on whole numbers here too: the pair explorer
        # cut length_of_stay (1–14 days) into 30 bins labelled 0.25, 0.75, 1.25, …, half of them empty.
        people = _real_people([real], person_column)
        (ex, folded_x), (ey, folded_y) = (
            _numeric_edges(xs, kx, n_bins, TAIL_ROWS, people),
            _numeric_edges(ys, ky, n_bins, TAIL_ROWS, people),
        )
        grids = []
        for x, y in zip(xs, ys, strict=True):
            ok = np.isfinite(x) & np.isfinite(y)
            hx = np.clip(x[ok], ex[0], ex[-1])
            hy = np.clip(y[ok], ey[0], ey[-1])
            h, _, _ = np.histogram2d(hy, hx, bins=[ey, ex])
            grids.append(h / max(len(x), 1))
        cx, cy = (ex[:-1] + ex[1:]) / 2, (ey[:-1] + ey[1:]) / 2
        return PairView(
            column_x,
            column_y,
            kx,
            ky,
            "density",
            _bin_labels(cx, ex, kx, folded_x, fmt_x),
            _bin_labels(cy, ey, ky, folded_y, fmt_y),
            tuple(tuple(row) for row in grids[0].tolist()),
            tuple(tuple(row) for row in grids[1].tolist()),
            empty,
            empty,
            len(frames[0]),
            len(frames[1]),
            fmt_x,
            fmt_y,
        )
    codes_x, names_x = _category_codes([f[column_x] for f in frames], max_categories)
    if num_y:
        ys = [numeric_values(f[column_y], ky) for f in frames]
        return PairView(
            column_x,
            column_y,
            kx,
            ky,
            "box",
            tuple(names_x),
            (),
            (),
            (),
            _box(codes_x[0], ys[0], names_x),
            _box(codes_x[1], ys[1], names_x),
            len(frames[0]),
            len(frames[1]),
            None,
            fmt_y,
        )
    codes_y, names_y = _category_codes([f[column_y] for f in frames], max_categories)
    grids = []
    for cx_, cy_ in zip(codes_x, codes_y, strict=True):
        counts = np.bincount(cy_ * len(names_x) + cx_, minlength=len(names_x) * len(names_y))
        grids.append(counts.reshape(len(names_y), len(names_x)) / max(len(cx_), 1))
    return PairView(
        column_x,
        column_y,
        kx,
        ky,
        "heatmap",
        tuple(names_x),
        tuple(names_y),
        tuple(tuple(row) for row in grids[0].tolist()),
        tuple(tuple(row) for row in grids[1].tolist()),
        empty,
        empty,
        len(frames[0]),
        len(frames[1]),
    )
