"""Numbers kept inside their category's range ("category ranges"): a category whose levels hold a number in
ranges that never overlap (an office's latitude, an age band's ages), found at fit and kept at sample time by
drawing the rows that break one again (:func:`synth.synthesizers.row_orders.keep_orders`, beside the orders).

Without it a model that draws the number and the category in separate steps mixes them: CART fitted on the hr walk
table (offices Berlin, London, Madrid; Remote rows have no coordinates) gave 26 of 3,000 rows whose coordinates lay
in another office's range (Pruned CART 21, the copula 1,465), even a Madrid latitude with a Berlin longitude.

A rule stores the levels in the order of their ranges and the **cuts** between neighbouring ranges: the coarsest
round number strictly inside each gap (50 between Madrid's latitudes, up to 40.50, and London's, from 51.42; 34.5
between the whole ages 34 and 35), never a real value of the number and never a real level's smallest or largest
value, so a rule says no more than the category's labels do. Every level with the number present holds at least
:data:`MIN_RANGE_ROWS` rows (and the model's ``min_category_rows``: no label the file would not hold anyway), and
values paired at random would break the rule on at least :data:`~synth.synthesizers.column_order.MIN_BREAKS` of
pairs, as an order's. A level whose rows never have the number (Remote) is unconstrained, as is a row with either
value missing.

The DP network does not keep these rules: its ε covers everything its model holds, and the cuts are read from the
data without noise.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.synthesizers import column_order, persist
from synth.synthesizers.coded_labels import label_positions
from synth.synthesizers.inventory import ArtifactItem
from synth.synthesizers.person_rarity import held_by

#: Fewest rows (with the number present) each level of a rule holds: the minimum of the other rules.
MIN_RANGE_ROWS = 20
#: A category with more levels than this is not searched (a rule over hundreds of levels is not one a user reads).
MAX_RANGE_LEVELS = 50
#: At most this many (category, number) pairs are searched, the table's first ones: Adult's 9 × 6 take 0.1 s.
MAX_RANGE_PAIRS = 2_000

_LABELS = (str, bool, int, float)
#: The kinds a rule's category may be.
CATEGORIES = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


@dataclass(frozen=True)
class CategoryRange:
    """``number`` lies between ``cuts[k - 1]`` and ``cuts[k]`` on every row whose ``category`` is ``levels[k]``
    (the first level has no lower cut, the last no upper one).

    Attributes:
        number: the number column.
        category: the categorical or yes/no column.
        levels: its levels with the number present, in the order of their ranges.
        cuts: one fewer than the levels, increasing: round numbers strictly inside the gaps between the ranges.
    """

    number: str
    category: str
    levels: tuple[Any, ...]
    cuts: tuple[float, ...]

    def limits(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's lower and upper cut from its level's position (``codes``; -1 unconstrained: ±inf)."""
        edges = np.concatenate([[-np.inf], np.asarray(self.cuts, dtype=np.float64), [np.inf]])
        known = codes >= 0
        low = np.where(known, edges[np.where(known, codes, 0)], -np.inf)
        high = np.where(known, edges[np.where(known, codes, 0) + 1], np.inf)
        return low, high


persist.register_state_type(CategoryRange)  # saved in model files; loading builds only registered types


@dataclass(frozen=True)
class FoundRange:
    """A rule found on a table, with the share of values paired at random that would break it (how much it says)."""

    rule: CategoryRange
    random_breaks: float


def round_cut(below: float, above: float, taken: np.ndarray) -> float | None:
    """The coarsest round number (a multiple of 5 or 1 × 10^k) strictly between ``below`` and ``above`` and not in
    ``taken`` (the number's real values, sorted), nearest the gap's middle among those of its grain; None when the
    gap holds none (it is narrower than floating point can split)."""
    if not below < above:
        return None
    top = math.floor(math.log10(max(abs(below), abs(above), above - below))) + 1
    middle = (below + above) / 2
    for exponent in range(top, top - 18, -1):
        for mantissa in (5, 1):
            step = mantissa * 10.0**exponent
            first, last = math.floor(below / step) + 1, math.ceil(above / step) - 1
            if first > last:
                continue
            places = max(0, -exponent + (1 if mantissa == 5 else 0))
            k = min(max(round(middle / step), first), last)
            for j in sorted(range(max(first, k - 2), min(last, k + 2) + 1), key=lambda j: abs(j * step - middle)):
                cut = round(j * step, places)
                at = np.searchsorted(taken, cut)
                if below < cut < above and not (at < len(taken) and taken[at] == cut):
                    return float(cut)
    return None


def _label(value: Any) -> Any:
    """A level as the model file holds it: a plain Python scalar."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class _SortedNumber:
    """A number column sorted once for every category it is tried against (missing values last)."""

    values: np.ndarray  # present values, ascending
    order: np.ndarray  # the rows they come from

    @classmethod
    def of(cls, x: np.ndarray) -> _SortedNumber:
        order = np.argsort(x, kind="stable")  # NaN sorts last
        present = int(np.count_nonzero(~np.isnan(x)))
        return cls(x[order[:present]], order[:present])


def _one_range(
    number: str,
    category: str,
    x: _SortedNumber,
    codes: np.ndarray,
    labels: np.ndarray,
    min_rows: int,
    people: np.ndarray | None = None,
) -> FoundRange | None:
    """The rule of one pair (``codes``: the category's level per row, -1 missing), or None. ``people`` (each row's
    person): each level must hold ``min_rows`` people, not rows."""
    run = codes[x.order]
    both = run >= 0
    run, sorted_x = run[both], x.values[both]
    present = held_by(run, len(labels), None if people is None else people[x.order][both])
    held = np.flatnonzero(present)
    if len(held) < 2 or present[held].min() < min_rows:
        return None
    # Along the number's order, ranges that never overlap change level once between neighbours: any more
    # changes and two levels interleave (the common case, rejected in one pass without per-level extremes).
    change = np.flatnonzero(run[1:] != run[:-1])
    if len(change) != len(held) - 1:
        return None
    if np.any(sorted_x[change] >= sorted_x[change + 1]):  # a value shared by two levels: the ranges touch
        return None
    taken = np.unique(x.values)  # every real value of the number, whatever its row's level
    cuts = []
    for k in change:
        cut = round_cut(float(sorted_x[k]), float(sorted_x[k + 1]), taken)
        if cut is None:
            return None
        cuts.append(cut)
    firsts = run[np.concatenate([[0], change + 1])]
    rule = CategoryRange(number, category, tuple(_label(labels[int(c)]) for c in firsts), tuple(cuts))
    # How often values paired at random would break it: the number's values shuffled against the levels, from a
    # generator of the pair's own, so whether one rule counts never depends on which were tried before it.
    position = np.full(len(labels), -1)
    position[firsts] = np.arange(len(firsts))
    low, high = rule.limits(position[run])
    shuffled = np.random.default_rng(0).permutation(sorted_x)
    random_breaks = float(np.mean((shuffled < low) | (shuffled > high)))
    if random_breaks < column_order.MIN_BREAKS:  # read at call time, as search_orders reads it
        return None
    return FoundRange(rule, random_breaks)


def search_ranges(
    categories: Mapping[str, pd.Series],
    numbers: Mapping[str, np.ndarray],
    min_rows: int = MIN_RANGE_ROWS,
    people: np.ndarray | None = None,
) -> tuple[FoundRange, ...]:
    """Every rule between one of ``categories`` (label columns, missing as NaN) and one of ``numbers`` (floats, NaN
    missing) that holds on every row with both present and constrains (module docstring), in the order of the
    categories, then the numbers. The models' search and Compare's are this one. Each number is sorted once and
    each pair read in one pass along it: Adult (9 categories × 6 numbers, 32,561 rows) takes 0.06 s. ``people`` (each
    row's person, as the models' fit knows them): a level counts its people, so one customer's 25 orders never make
    a level's range on their own; Compare counts rows."""
    coded: list[tuple[str, np.ndarray, np.ndarray]] = []
    for name, series in categories.items():
        codes, uniques = pd.factorize(series)  # (levels are stored in the order of their ranges)
        if 2 <= len(uniques) <= MAX_RANGE_LEVELS:
            coded.append((name, codes.astype(np.int64), np.asarray(uniques, dtype=object)))
    pairs = [(c, n) for c, _, _ in coded for n in numbers if n != c][:MAX_RANGE_PAIRS]
    wanted = set(pairs)
    found: dict[tuple[str, str], FoundRange] = {}
    for number, values in numbers.items():
        if not any((c, number) in wanted for c, _, _ in coded):
            continue
        x = _SortedNumber.of(values)
        for category, codes, labels in coded:
            if (category, number) in wanted:
                one = _one_range(number, category, x, codes, labels, min_rows, people)
                if one is not None:
                    found[category, number] = one
    return tuple(found[p] for p in pairs if p in found)


def range_inputs(
    data: pd.DataFrame, schema: Schema, skip: Iterable[str] = ()
) -> tuple[dict[str, pd.Series], dict[str, np.ndarray]]:
    """The categorical and yes/no columns of ``data`` and its numbers as floats, but for ``skip`` (columns an exact
    rule computes: the rule keeps them)."""
    left = set(skip)
    categories = {
        s.name: data[s.name] for s in schema if s.kind in CATEGORIES and s.name in data and s.name not in left
    }
    numbers = {
        s.name: pd.to_numeric(data[s.name], errors="coerce").to_numpy(dtype=np.float64)
        for s in schema
        if s.kind.is_numeric and s.name in data and s.name not in left
    }
    return categories, numbers


def frame_category_ranges(
    data: pd.DataFrame,
    schema: Schema,
    skip: Iterable[str] = (),
    min_rows: int = MIN_RANGE_ROWS,
    people: np.ndarray | None = None,
) -> tuple[CategoryRange, ...]:
    """The rules a model keeps (``category_ranges_``): every one found on its training rows, each level held by at
    least ``min_rows`` of them (at least :data:`MIN_RANGE_ROWS`), or that many people when ``people`` is given."""
    categories, numbers = range_inputs(data, schema, skip)
    return tuple(f.rule for f in search_ranges(categories, numbers, max(int(min_rows), MIN_RANGE_ROWS), people))


def level_codes(values: pd.Series | np.ndarray, levels: Sequence[Any]) -> np.ndarray:
    """Each value's position among ``levels`` (-1 for a missing value or another label); a categorical column
    through its categories (:mod:`synth.synthesizers.coded_labels`)."""
    return label_positions(values, levels)


def _values_and_limits(body: pd.DataFrame, rule: CategoryRange) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = pd.to_numeric(body[rule.number], errors="coerce").to_numpy(dtype=np.float64)
    low, high = rule.limits(level_codes(body[rule.category], rule.levels))
    return x, low, high


def out_of_range(body: pd.DataFrame, ranges: Sequence[CategoryRange]) -> np.ndarray:
    """Rows of ``body`` whose number lies outside its level's cuts for any of ``ranges``; a row with either
    value missing, or a level the rule does not name, breaks none."""
    bad = np.zeros(len(body), dtype=bool)
    for rule in ranges:
        x, low, high = _values_and_limits(body, rule)
        bad |= (x < low) | (x > high)  # NaN compares false: a missing number breaks nothing
    return bad


def range_columns(ranges: Sequence[CategoryRange]) -> list[str]:
    """The columns of ``ranges``, each once (for matching a redrawn row's missing values)."""
    return list(dict.fromkeys(c for r in ranges for c in (r.number, r.category)))


def clip_ranges(body: pd.DataFrame, ranges: Sequence[CategoryRange]) -> bool:
    """Move every number outside its level's cuts to the nearest value inside them (a whole-number column to the
    whole number next to the cut, so conforming cannot round it back out); whether any moved."""
    changed = False
    for rule in ranges:
        x, low, high = _values_and_limits(body, rule)
        wrong = (x < low) | (x > high)
        if not wrong.any():
            continue
        present = x[~np.isnan(x)]
        whole = bool(np.all(present == np.round(present)))
        low, high = (np.ceil(low), np.floor(high)) if whole else (low, high)
        column = body[rule.number].to_numpy(dtype=np.float64, copy=True)
        column[wrong] = np.clip(x[wrong], low[wrong], high[wrong])
        body[rule.number] = column
        changed = True
    return changed


def model_ranges(model: object) -> tuple[CategoryRange, ...]:
    """The rules a fitted model keeps on whole rows; () for models without them and files saved before them."""
    return tuple(getattr(model, "category_ranges_", ()))


def _plural(name: str) -> str:
    if name.endswith(("s", "x", "z", "ch", "sh")):
        return name + "es"
    if name.endswith("y") and name[-2:-1] not in "aeiou":
        return name[:-1] + "ies"
    return name + "s"


def describe_ranges(model: object) -> str | None:
    """The rules a fitted model keeps, one clause per category, e.g. "office_lat and office_lon within each
    office's range (3 offices)"; None when it keeps none."""
    by_category: dict[str, list[CategoryRange]] = {}
    for rule in model_ranges(model):
        by_category.setdefault(rule.category, []).append(rule)
    if not by_category:
        return None
    clauses = []
    for category, rules in by_category.items():
        numbers = [r.number for r in rules]
        listed = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
        levels = max(len(r.levels) for r in rules)
        clauses.append(f"{listed} within each {category}'s range ({levels} {_plural(category)})")
    return "; ".join(clauses) + "."


def categorical_names(columns: Iterable[Any]) -> set[str]:
    """The names of the categorical and yes/no columns among ``columns`` (anything with a name and a kind)."""
    return {c.name for c in columns if c.kind in CATEGORIES}


def check_ranges(model: Any, names: set[str], categories: set[str]) -> None:
    """A loaded model's ``category_ranges_`` (absent from files saved before them): rules of a number column and
    a category column of the model, plain labels, and finite cuts, one fewer than the levels, strictly increasing.
    Anything else is refused with the project's load error."""
    from synth.synthesizers.state_checks import fail

    ranges = getattr(model, "category_ranges_", ())
    if not isinstance(ranges, tuple) or not all(isinstance(r, CategoryRange) for r in ranges):
        fail("the category_ranges_ are not category ranges")
    for k, rule in enumerate(ranges):
        name = f"category_ranges_ rule {k}"
        if not isinstance(rule.number, str) or rule.number not in names:
            fail(f"{name} names a number column the model does not draw")
        if not isinstance(rule.category, str) or rule.category not in categories:
            fail(f"{name} names a category column the model does not draw")
        levels, cuts = rule.levels, rule.cuts
        if not isinstance(levels, tuple) or not isinstance(cuts, tuple) or len(levels) < 2:
            fail(f"{name} has fewer than two levels")
        if not all(isinstance(v, _LABELS) for v in levels) or len(set(levels)) != len(levels):
            fail(f"{name} has levels that are not distinct labels")
        if len(cuts) != len(levels) - 1:
            fail(f"{name} has {len(cuts)} cuts for {len(levels)} levels, expected {len(levels) - 1}")
        if not all(isinstance(c, float | int) and not isinstance(c, bool) and math.isfinite(c) for c in cuts):
            fail(f"{name} has a cut that is not a finite number")
        if any(a >= b for a, b in itertools.pairwise(cuts)):
            fail(f"{name} has cuts that are not increasing")


RANGES_ARTIFACT = ArtifactItem(
    "Category ranges",
    "for a number whose ranges never overlap between the levels of a category (an office's latitude, an age "
    "band's ages): the two columns, the levels in the order of their ranges and a round number between each two "
    "neighbouring ranges",
    "aggregates",
    "Kept only when every level holds at least 20 training rows with the number (and min_category_rows) and values "
    "paired at random would break it on at least 1% of pairs; each cut is the coarsest round number strictly inside "
    "the gap between two levels' ranges (50 between latitudes 40.5 and 51.4), never a real value or a level's "
    "smallest or largest one.",
    held_in=("category_ranges_",),
)
