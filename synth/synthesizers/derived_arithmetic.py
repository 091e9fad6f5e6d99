"""Exact rules of arithmetic beyond a sum of two: products and constant sums (see :mod:`synth.synthesizers.derived`).

Why
    A shop's order total is its quantity times its unit price less its discount, rounded to the cent
    (``total = round(quantity × unit_price × (1 − discount/100), 2)``); a form's shares add up to the same total
    on every row wherever they sit in the table. Modelled column by column, 0.14% of CART's synthetic orders kept
    the total (the shop walk table, seed 0), against every real row.

What
    * ``product``: ``output = round(a × b [× f(c)], decimals)``, ``f(c)`` one of :data:`FACTORS` (``c``,
      ``1 − c/100`` for a percent off, ``1 − c`` for a fraction off), ``decimals`` the output's recorded ones
      (none: to the float). It holds on a row when the output is within half a grid step of the product.
    * ``constant_sum``: ``output = offset − (sum of the inputs)``, 2 to :data:`MOST_SUMMED` columns in all, the
      output the last of them in the table. Shares that are never negative in training (``part = "nonnegative"``)
      stay so: a synthetic row whose other shares already exceed the total has them scaled down to it (as
      :mod:`synth.synthesizers.compositions` scales a composition), its computed share is then 0
      (:func:`keep_shares`). On the survey walk table with its four shares apart, 8.8% of CART's rows (15% of the
      copula's) were scaled so, and 11% of CART's rows had a last share of 0 (real: 3.1%): a composition, which
      scales every share on every row, keeps their shape better and is found first where the shares are neighbours.

    Inputs written as text with a number format ("$39.69", "15%") are read rounded as they are written
    (``input_decimals``): CART keeps a price's precision where rounding could bring a rare price back, and the
    total must be of the price the user sees.

    A rule whose inputs are missing on some training rows is *partial*: it computes the rows whose inputs are all
    present and leaves the others to the model, as a partial lookup does.

How they are found
    On every training row where the inputs are present, with the chance bound of the sums (the output's most common
    value's share to the power of those rows below :data:`~synth.synthesizers.derived_search.CHANCE`). Products
    are screened on the sampled rows with the largest outputs (the tightest tolerance): on the first, every pair's
    product, and the factor a third column would need, looked up among all columns' factors by a sorted search;
    the candidates left are checked on each of the next seven such rows, then on the 256 sampled rows, then the
    table. Constant sums are screened
    by a random projection of each column's change from the first sampled row (a subset adds up to a constant
    when its changes add up to zero): sums of subsets of up to three columns are sorted and paired by a sorted
    search (meet in the middle), so subsets of up to six columns cost about the square root of their number.
    Measured (the least of several runs): Adult's search 0.024 s before and after; 40 number columns × 20,000 rows
    0.035 s → 0.056 s; 300 columns (201 numbers) × 20,000 rows 0.53 s → 1.27 s, the products' all-pairs search
    per output most of it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from itertools import combinations
from math import comb
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.schema.number_text import round_as_written

#: The factors a product's third column may enter as: ``c``, ``1 − c/100`` (a percent off), ``1 − c``.
FACTORS = ("times", "percent_off", "fraction_off")
#: The most columns one constant sum holds (the output with them).
MOST_SUMMED = 6
#: The screen pairs subsets of up to three columns while their number stays below this (then two, then one).
HALF_SUBSETS = 50_000
#: A rule that holds on fewer rows than this share of the table (its inputs missing elsewhere) is not kept.
COVERED_SHARE = 0.5
_SCREEN_ROWS = 256
#: Sampled rows a product's candidates are checked on one at a time, the largest outputs first, before the rest.
_PIVOTS = 8
_SEED = 20261206


def factor(values: np.ndarray, how: str) -> np.ndarray:
    """A product's third factor from its column's values (see :data:`FACTORS`)."""
    if how == "percent_off":
        return 1.0 - values / 100.0
    if how == "fraction_off":
        return 1.0 - values
    return values


def _rounded(values: np.ndarray, decimals: int | None) -> np.ndarray:
    return values if decimals is None else np.round(values, decimals)


def _numbers(inputs: Mapping[str, pd.Series], rule: Any) -> list[np.ndarray]:
    """The rule's inputs as numbers, each written as text with a number format rounded as it will be written
    (``input_decimals``): CART keeps a price's precision where rounding could bring a rare real price back, and
    the price is rounded only when written as "$39.69"; the total must be of the price the user sees."""
    places = rule.input_decimals or (None,) * len(rule.inputs)
    out = []
    for name, decimals in zip(rule.inputs, places, strict=True):
        x = pd.to_numeric(inputs[name].reset_index(drop=True), errors="coerce").to_numpy(dtype=float)
        out.append(x if decimals is None else round_as_written(x, decimals))
    return out


def product(rule: Any, inputs: Mapping[str, pd.Series]) -> np.ndarray:
    """A product rule's output (missing where an input is)."""
    x = _numbers(inputs, rule)
    got = x[0] * x[1]
    if len(x) == 3:
        got = got * factor(x[2], rule.part)
    return _rounded(got, rule.decimals)


def constant_sum(rule: Any, inputs: Mapping[str, pd.Series]) -> np.ndarray:
    """A constant sum's output: its total less its inputs (missing where an input is). Rounding to the decimals only
    takes float noise off (``100 − 33.3 − 33.3`` is 33.4): inputs a model keeps off the grid (CART keeps a share's
    precision where rounding could bring a rare real share back) give an output off it too, so the sum stays exact."""
    x = _numbers(inputs, rule)
    exact = float(rule.offset) - np.sum(x, axis=0)
    rounded = _rounded(exact, rule.decimals)
    noise = 1e-9 * max(1.0, abs(float(rule.offset)))
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(rounded - exact) <= noise, rounded, exact)


def present(rule: Any, inputs: Mapping[str, pd.Series]) -> np.ndarray:
    """The rows a partial product or constant sum computes: those whose inputs are all present."""
    return ~np.isnan(np.column_stack(_numbers(inputs, rule))).any(axis=1)


def describe(rule: Any) -> str:
    """A product or constant sum in words."""
    if rule.kind == "product":
        a, b, *c = rule.inputs
        third = {"times": " × {}", "percent_off": " × (1 − {}/100)", "fraction_off": " × (1 − {})"}
        text = f"{a} × {b}" + (third[rule.part].format(c[0]) if c else "")
        text = f"{rule.output} = {text}" + ("" if rule.decimals is None else f", rounded to {_places(rule.decimals)}")
    else:
        text = f"{rule.output} = {float(rule.offset):g} − " + " − ".join(rule.inputs)
        if rule.part == "nonnegative":
            text += " (never below 0)"
    if rule.partial:
        text += "; where an input is missing, modelled"
    return text


def _places(decimals: int) -> str:
    if decimals == 0:
        return "whole numbers"
    if decimals < 0:
        return f"{10**-decimals:,}s"
    return f"{decimals} decimal place{'s' if decimals > 1 else ''}"


class Numbers:
    """One number column as the search reads it: values (NaN where missing), its recorded decimals, the decimals
    it is written to as text (a number format's; None: written as a number) and the share of its most common
    value."""

    def __init__(
        self,
        name: str,
        values: np.ndarray,
        decimals: int | None,
        written: int | None,
        counted: tuple[int, float] | None,
    ) -> None:
        self.name = name
        self.values = values
        self.decimals = decimals
        self.written = written
        if counted is None:
            have = values[~np.isnan(values)]
            _, counts = np.unique(have, return_counts=True)
            counted = len(counts), float(counts.max() / len(have)) if len(have) else 1.0
        self.distinct, self.top_share = counted


def number_columns(
    data: pd.DataFrame,
    schema: Schema,
    skip: Collection[str] = (),
    counted: Mapping[str, tuple[int, float]] | None = None,
) -> list[Numbers]:
    """The number columns of ``data`` (missing values allowed) in table order, with at least two values.
    ``counted``: the number of values and the most common one's share of columns already counted."""
    out = []
    for spec in schema:
        if spec.name not in data.columns or spec.name in skip:
            continue
        if spec.kind not in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE):
            continue
        values = pd.to_numeric(data[spec.name], errors="coerce").to_numpy(dtype=float)
        decimals = spec.decimals if spec.kind is ColumnKind.CONTINUOUS else min(spec.decimals or 0, 0)
        written = spec.number_format.decimals if spec.number_format is not None else None
        col = Numbers(spec.name, values, decimals, written, (counted or {}).get(spec.name))
        if col.distinct >= 2:
            out.append(col)
    return out


def _screen(n: int) -> np.ndarray:
    step = max(1, n // _SCREEN_ROWS)
    return np.arange(0, n, step)[:_SCREEN_ROWS]


def _half_step(decimals: int | None, got: np.ndarray) -> np.ndarray:
    """How far a recorded output may lie from the exact product: half its grid step, and float noise."""
    noise = 1e-9 * np.maximum(1.0, np.abs(got))
    return noise if decimals is None else 0.5 * 10.0**-decimals * (1 + 1e-9) + noise


def _holds(out: Numbers, got: np.ndarray, inputs: np.ndarray, chance: float) -> bool | None:
    """Whether a rule giving ``got`` holds on every row whose inputs (rows × k) are present: None when not, else
    whether it is partial. Too few such rows, or ones chance could explain, are refused."""
    have = ~np.isnan(inputs).any(axis=1)
    rows = int(have.sum())
    if rows < COVERED_SHARE * len(have) or out.top_share**rows >= chance:
        return None
    y = out.values[have]
    if np.isnan(y).any() or not np.all(np.abs(y - got[have]) <= _half_step(out.decimals, got[have])):
        return None
    return not bool(have.all())


def _screened(cols: list[Numbers]) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """The table's rows, the whole table as one array (a column each), the rows the screens read first, and which
    of those have every column present."""
    n = len(cols[0].values)
    full = np.column_stack([c.values for c in cols])
    sample = full[_screen(n)]
    return n, full, sample, ~np.isnan(sample).any(axis=1)


def product_rules(cols: list[Numbers], chance: float) -> list[tuple[str, tuple[str, ...], str, bool]]:
    """Every product that holds: (output, inputs, factor of the third input or "", partial), at most one per output
    (two inputs before three)."""
    if len(cols) < 3:
        return []
    n, full, sample, complete = _screened(cols)
    factors = np.column_stack([factor(sample, how) for how in FACTORS])  # rows × (3 m): column j of FACTORS[h]
    found = []
    for i, out in enumerate(cols):
        if out.top_share ** (COVERED_SHARE * n) >= chance:
            continue
        rows = np.flatnonzero(complete & (sample[:, i] != 0))  # (NaN != 0: a missing output is never the pivot)
        if not len(rows):  # a column missing on most rows leaves no whole row: the pivot may miss an input
            rows = np.flatnonzero(~np.isnan(sample[:, i]) & (sample[:, i] != 0))
        if not len(rows):
            continue
        pivots = rows[np.argsort(-np.abs(sample[rows, i]), kind="stable")[:_PIVOTS]]
        got = _product_at(cols, full, sample, factors, i, pivots, chance)
        if got is not None:
            found.append(got)
    return found


def _product_at(
    cols: list[Numbers],
    full: np.ndarray,
    sample: np.ndarray,
    factors: np.ndarray,
    i: int,
    pivots: np.ndarray,
    chance: float,
) -> tuple[str, tuple[str, ...], str, bool] | None:
    """The first product giving column ``i``: every pair and third factor near it on the first pivot row (a sorted
    search), then those that stay near it on each next pivot row, on every sampled row, on the table."""
    m = len(cols)
    out = cols[i]
    v = sample[pivots[0]]
    o = v[i]
    tol = float(_half_step(out.decimals, np.array([o]))[0])
    a_idx, b_idx = np.triu_indices(m, k=1)
    keep = (a_idx != i) & (b_idx != i)
    a_idx, b_idx = a_idx[keep], b_idx[keep]
    prod = v[a_idx] * v[b_idx]
    near = np.flatnonzero(np.abs(prod - o) <= tol)
    g = factors[pivots[0]]
    order = np.argsort(g)
    sorted_g = g[order]
    with np.errstate(divide="ignore", invalid="ignore"):
        need = o / prod
        width = tol / np.abs(prod)
        low = np.searchsorted(sorted_g, need - width, side="left")
        high = np.searchsorted(sorted_g, need + width, side="right")
    hits = np.flatnonzero((prod != 0) & (high > low))
    counts = high[hits] - low[hits]
    pair = np.repeat(hits, counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)  # each hit's run of slots, laid end to end
    slot = order[np.repeat(low[hits], counts) + np.arange(len(pair)) - starts]
    c, how = slot % m, slot // m
    a, b = a_idx[pair], b_idx[pair]
    ok = (c != a) & (c != b) & (c != i) & ((how != 0) | (c > b))  # (a × b × c once, with a < b < c)
    a = np.concatenate([a_idx[near], a[ok]])
    b = np.concatenate([b_idx[near], b[ok]])
    c = np.concatenate([np.full(len(near), -1), c[ok]])
    how = np.concatenate([np.zeros(len(near), dtype=np.intp), how[ok]])
    slots = np.maximum(c, 0) + how * m
    with np.errstate(invalid="ignore"):
        for row in pivots[1:]:  # each next pivot row, one vector over the candidates left (a wide table: thousands)
            got = sample[row, a] * sample[row, b] * np.where(c >= 0, factors[row, slots], 1.0)
            left = np.isnan(got) | (np.abs(sample[row, i] - got) <= _half_step(out.decimals, got))
            a, b, c, how, slots = a[left], b[left], c[left], how[left], slots[left]
        # Every candidate left on every sampled row at once (a missing input or output: not checked on that row).
        got = sample[:, a] * sample[:, b] * np.where(c >= 0, factors[:, slots], 1.0)
        y = sample[:, [i]]
        fine = np.isnan(got) | np.isnan(y) | (np.abs(y - got) <= _half_step(out.decimals, got))
    keep = fine.all(axis=0)
    candidates = [
        (int(p), int(q), int(r), FACTORS[int(h)] if r >= 0 else "")
        for p, q, r, h in zip(a[keep], b[keep], c[keep], how[keep], strict=True)
    ]
    for a, b, c, how in candidates:  # two inputs first, in table order
        picks = [a, b] if c < 0 else [a, b, c]
        product = full[:, a] * full[:, b] * (factor(full[:, c], how) if c >= 0 else 1.0)
        partial = _holds(out, product, full[:, picks], chance)
        if partial is not None:
            return out.name, tuple(cols[k].name for k in picks), how, partial
    return None


def constant_sum_rules(cols: list[Numbers], chance: float) -> list[tuple[str, tuple[str, ...], float, bool, bool]]:
    """Every smallest set of 2 to :data:`MOST_SUMMED` columns adding up to the same total on every row where all
    are present: (output, inputs, total, never negative, partial), the output the last of them in ``cols``."""
    m = len(cols)
    if m < 2:
        return []
    _, full, sample, complete = _screened(cols)
    if complete.sum() < 16:  # columns with missing values leave too few whole rows: screened without them
        use = np.flatnonzero(~np.isnan(sample).any(axis=0))
        complete = np.ones(len(sample), dtype=bool)
    else:
        use = np.arange(m)
    rows = sample[complete][:, use]
    change = rows - rows[:1]
    moving = np.abs(change).max(axis=0) > 0  # a column constant on the screen cannot be told apart from zero
    use, change = use[moving], change[:, moving]
    if len(use) < 2:
        return []
    w = np.random.default_rng(_SEED).standard_normal(len(change))
    finger, size = w @ change, np.abs(w) @ np.abs(change)
    half = max((h for h in (1, 2, 3) if sum(comb(len(use), k) for k in range(1, h + 1)) <= HALF_SUBSETS), default=1)
    subsets: list[tuple[int, ...]] = []
    sums_k, sizes_k = [], []
    for k in range(1, half + 1):
        some = list(combinations(range(len(use)), k))
        members = np.array(some, dtype=np.intp).reshape(len(some), k)
        subsets += some
        sums_k.append(finger[members].sum(axis=1))
        sizes_k.append(size[members].sum(axis=1))
    sums, sizes = np.concatenate(sums_k), np.concatenate(sizes_k)
    order = np.argsort(sums)
    sorted_sums = sums[order]
    tol = 1e-9 * (sizes + sizes.max()) + 1e-12  # (float noise of sums of at most six dot products is far below)
    low = np.searchsorted(sorted_sums, -sums - tol, side="left")
    high = np.searchsorted(sorted_sums, -sums + tol, side="right")
    alone = np.flatnonzero(np.abs(sums) <= tol)  # a subset of the screen's own adding up to a constant
    candidates: set[tuple[int, ...]] = {subsets[p] for p in alone if len(subsets[p]) >= 2}
    for p in np.flatnonzero(high > low):
        for q in order[low[p] : high[p]]:
            union = set(subsets[p]) | set(subsets[int(q)])
            if int(q) > p and len(union) == len(subsets[p]) + len(subsets[int(q)]) and len(union) <= MOST_SUMMED:
                candidates.add(tuple(sorted(union)))
    found: list[tuple[str, tuple[str, ...], float, bool, bool]] = []
    taken: list[set[int]] = []
    for subset in sorted(candidates, key=lambda s: (len(s), s)):
        picks = [int(use[k]) for k in subset]
        if any(t <= set(picks) for t in taken):
            continue
        rule = _constant_sum(cols, full, picks, chance)
        if rule is not None:
            taken.append(set(picks))
            found.append(rule)
    return found


def _constant_sum(
    cols: list[Numbers], full: np.ndarray, picks: list[int], chance: float
) -> tuple[str, tuple[str, ...], float, bool, bool] | None:
    for x in (full[_screen(len(full))][:, picks], full[:, picks]):  # the sampled rows, then the whole table
        have = ~np.isnan(x).any(axis=1)
        if not have.any():
            return None
        total = x[have].sum(axis=1)
        if float(total.max() - total.min()) > 1e-9 * max(1.0, float(np.abs(x[have]).max())) * len(picks):
            return None
    out, inputs = cols[picks[-1]], [cols[k] for k in picks[:-1]]
    # Rows where the output alone is missing break the rule: the output must be present wherever its inputs are.
    partial = _holds(out, total[0] - full[:, picks[:-1]].sum(axis=1), x[:, :-1], chance)
    if partial is None:
        return None
    constant = float(np.round(total[0], 9))
    nonnegative = bool((x[have] >= 0).all())
    return out.name, tuple(c.name for c in inputs), constant, nonnegative, partial


def arithmetic_rules(
    data: pd.DataFrame,
    schema: Schema,
    keep: Collection[str],
    counted: Mapping[str, tuple[int, float]],
    chance: float,
) -> dict[str, list[Any]]:
    """The products and constant sums of the number columns of ``data`` as rules, by output (missing values
    allowed; ``counted``: see :func:`number_columns`; ``chance``: the search's bound). The columns of a composition
    (``keep``) are in no constant sum: the composition keeps them."""
    from synth.synthesizers.derived import DerivedRule  # (derived computes these rules by this module's functions)
    from synth.synthesizers.weekdays import is_hidden_weekday

    hidden = {spec.name for spec in schema if is_hidden_weekday(spec)}
    numbers = number_columns(data, schema, hidden, counted)
    where = {c.name: c for c in numbers}
    out: dict[str, list[Any]] = {}
    for output, inputs, how, partial in product_rules(numbers, chance):
        rule = DerivedRule("product", output, inputs, part=how, partial=partial, decimals=where[output].decimals)
        out.setdefault(output, []).append(replace(rule, input_decimals=_written(where, inputs)))
    shares = [c for c in numbers if c.name not in keep]
    for output, inputs, total, nonnegative, partial in constant_sum_rules(shares, chance):
        decimals = _common_decimals([where[c] for c in (*inputs, output)])
        part = "nonnegative" if nonnegative else ""
        rule = DerivedRule("constant_sum", output, inputs, part, total, partial=partial, decimals=decimals)
        out.setdefault(output, []).append(replace(rule, input_decimals=_written(where, inputs)))
    return out


def _written(where: dict[str, Numbers], inputs: tuple[str, ...]) -> tuple[int | None, ...]:
    """The decimals each input is written to as text (empty when none is text)."""
    places = tuple(where[c].written for c in inputs)
    return places if any(p is not None for p in places) else ()


def _common_decimals(columns: list[Numbers]) -> int | None:
    """The decimals a constant sum's output is rounded to (the most its columns hold; None when one is unrounded):
    float noise off, ``100 − 33.3 − 33.3`` is 33.4."""
    if any(c.decimals is None for c in columns):
        return None
    return max(int(c.decimals) for c in columns if c.decimals is not None)


def keep_shares(body: pd.DataFrame, rules: Iterable[Any], fixed: Collection[str] = ()) -> tuple[pd.DataFrame, set[str]]:
    """``body`` with every never-negative constant sum kept so: on rows whose computed share came out below 0 (the
    other shares, drawn, exceed the total) the other shares are scaled down to the total and rounded to the
    output's decimals by largest remainder (:mod:`synth.synthesizers.compositions`' scaling), and the share computed
    again (0, or a rounding step). Columns a condition fixes keep their value. Returns the columns moved."""
    from synth.synthesizers.compositions import _rounded as largest_remainder
    from synth.synthesizers.compositions import _scaled

    moved: set[str] = set()
    for rule in rules:
        if rule.kind != "constant_sum" or rule.part != "nonnegative" or rule.output not in body.columns:
            continue
        x = np.column_stack(_numbers({c: body[c] for c in rule.inputs}, rule))
        below = (float(rule.offset) - x.sum(axis=1)) < 0  # (NaN rows compare False: left as they are)
        free = np.array([c not in fixed for c in rule.inputs])
        if not below.any() or not free.any():
            continue
        total = float(rule.offset)
        scaled = _scaled(x[below], free, total)
        if rule.decimals is not None:
            scaled = largest_remainder(scaled, free, total, rule.decimals)
        x[below] = scaled
        body = body.copy()
        for k, name in enumerate(rule.inputs):
            if free[k]:
                body[name] = pd.Series(x[:, k], index=body.index).astype(body[name].dtype, errors="ignore")
                moved.add(name)
        share = _rounded(total - x.sum(axis=1), rule.decimals)
        noise = (share < 0) & (share > -1e-9 * max(abs(total), 1.0))  # (of the scaling: shares add up to the total)
        share = np.where(noise, 0.0, share)
        old = pd.to_numeric(body[rule.output], errors="coerce").to_numpy(dtype=float)
        body[rule.output] = pd.Series(np.where(below, share, old), index=body.index).astype(
            body[rule.output].dtype, errors="ignore"
        )
    return body, moved


def apply_shares(body: pd.DataFrame, model: Any, fixed: Collection[str] = ()) -> pd.DataFrame:
    """``body`` with the model's never-negative constant sums kept so (:func:`keep_shares`), and the rules reading a
    rescaled share computed again."""
    from synth.synthesizers.derived import rules_of
    from synth.synthesizers.weekdays import rules_again

    body, moved = keep_shares(body, rules_of(model), fixed)
    return rules_again(body, model, moved) if moved else body
