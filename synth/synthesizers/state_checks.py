"""Checks that a loaded model's learned state is one a fit could have produced.

A model file is data from outside: its arrays are checked for shape, dtype and value range before any
compiled code (scikit-learn's tree routing, which has no bounds checks) reads them. Each synthesizer whose
state reaches compiled code calls the checks for its state from its ``_check_state`` hook.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from synth.synthesizers.errors import SynthesizerError
from synth.synthesizers.persist import ModelFileError

if TYPE_CHECKING:
    from synth.synthesizers.cart import CartColumn, CartStep, FlatTree, SequentialCART


def fail(message: str) -> None:
    raise ModelFileError(f"the model file is damaged or was altered: {message}")


def check_array(value: Any, name: str, *, kinds: str, ndim: int = 1, length: int | None = None) -> np.ndarray:
    """``value`` is a numpy array of one of the dtype ``kinds``, ``ndim`` dimensions and (optionally) ``length``."""
    if not isinstance(value, np.ndarray):
        fail(f"{name} is not an array")
    if value.dtype.kind not in kinds:
        fail(f"{name} has dtype {value.dtype}, expected one of the kinds {kinds!r}")
    if value.ndim != ndim:
        fail(f"{name} has {value.ndim} dimensions, expected {ndim}")
    if length is not None and len(value) != length:
        fail(f"{name} has {len(value)} entries, expected {length}")
    return value


def check_int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not low <= int(value) <= high:
        fail(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def check_tree(tree: FlatTree, n_features: int, name: str) -> None:
    """A tree scikit-learn's compiled ``apply`` can route safely: every child after its parent and inside the
    node range (so routing ends at a leaf), every split on an existing feature with a threshold that is a number
    (±inf included: a boosted tree's split on "is this value missing" keeps every number left, threshold +inf)."""
    n = len(check_array(tree.children_left, f"{name}.children_left", kinds="iu"))
    if n < 1:
        fail(f"{name} has no nodes")
    left = tree.children_left
    right = check_array(tree.children_right, f"{name}.children_right", kinds="iu", length=n)
    feature = check_array(tree.feature, f"{name}.feature", kinds="iu", length=n)
    threshold = check_array(tree.threshold, f"{name}.threshold", kinds="f", length=n)
    to_left = check_array(tree.missing_go_to_left, f"{name}.missing_go_to_left", kinds="biu", length=n)
    check_int(tree.n_features, f"{name}.n_features", n_features, n_features)
    check_int(tree.max_depth, f"{name}.max_depth", 0, n)
    node = np.arange(n)
    leaf = left == -1
    if not np.array_equal(leaf, right == -1):
        fail(f"{name} has a node with only one child")
    inner = ~leaf
    # A child's id is greater than its parent's (scikit-learn builds depth first): no cycles, routing ends.
    if np.any(left[inner] <= node[inner]) or np.any(right[inner] <= node[inner]):
        fail(f"{name} has a child that does not come after its parent")
    if np.any(left[inner] >= n) or np.any(right[inner] >= n):
        fail(f"{name} has a child outside its {n} nodes")
    if np.any(feature[inner] < 0) or np.any(feature[inner] >= n_features):
        fail(f"{name} splits on a feature outside its {n_features} features")
    if np.any(np.isnan(threshold[inner])):
        fail(f"{name} has a split with a threshold that is not a number")
    if np.any((to_left != 0) & (to_left != 1)):
        fail(f"{name}.missing_go_to_left holds values other than 0 and 1")


def check_step(step: CartStep, columns: tuple[CartColumn, ...], name: str) -> None:
    """Donors grouped by leaf: offsets monotone from 0 to the number of donors, every leaf non-empty, donor
    values in the range their column's decoding can take."""
    j = check_int(step.column, f"{name}.column", 0, len(columns) - 1)
    donors = check_array(step.donors, f"{name}.donors", kinds="fiu")
    n_donors = len(donors)
    if n_donors < 1:
        fail(f"{name} has no donors")
    if step.tree is None:
        nodes = 1
        leaves = np.array([0])
    else:
        extras = len(check_residuals(step.residuals, columns, j, name)) + check_score(step, columns, j, name)
        check_tree(step.tree, j + extras, f"{name}.tree")
        nodes = len(step.tree.children_left)
        leaves = np.flatnonzero(step.tree.children_left == -1)
    offsets = check_array(step.offsets, f"{name}.offsets", kinds="iu", length=nodes + 1)
    if offsets[0] != 0 or offsets[-1] != n_donors or np.any(np.diff(offsets) < 0):
        fail(f"{name}.offsets are not increasing from 0 to the {n_donors} donors")
    if np.any(offsets[leaves + 1] <= offsets[leaves]):
        fail(f"{name} has a leaf without donors")
    if step.widths is not None:
        widths = check_array(step.widths, f"{name}.widths", kinds="f", length=n_donors)
        if not np.all(np.isfinite(widths)) or np.any(widths < 0):
            fail(f"{name}.widths must be finite and ≥ 0")
    if not np.all(np.isfinite(donors)):
        fail(f"{name}.donors hold a value that is not a finite number")
    if not (np.isfinite(float(step.lattice)) and float(step.lattice) >= 0) or not 0 <= int(step.weeks) <= 520:
        fail(f"{name}.lattice must be a finite number ≥ 0 and {name}.weeks a count of steps from 0 to 520")
    from synth.schema import ColumnKind

    check_recodes(step.recodes, columns, j, name)
    column = columns[j]
    anchor = check_int(step.anchor, f"{name}.anchor", -1, j - 1)
    if anchor >= 0:
        dates = column.kind is ColumnKind.DATETIME and columns[anchor].kind is ColumnKind.DATETIME
        numbers = all(c.kind.is_numeric and not c.categorical for c in (column, columns[anchor]))
        if step.missing or step.sign not in (1.0, -1.0) or not (dates or numbers):
            fail(
                f"{name} keeps an order it cannot: only a date's or a number's value step may follow an earlier "
                "column of its own kind"
            )
    if step.missing:
        if np.any((donors != 0) & (donors != 1)):
            fail(f"{name} draws missing indicators other than 0 and 1")
    elif column.categorical and (
        np.any(donors < 0) or np.any(donors >= len(column.categories)) or np.any(donors != np.floor(donors))
    ):
        fail(f"{name} draws category codes outside the {len(column.categories)} categories of {column.name!r}")


def check_cart(model: SequentialCART) -> None:
    """The whole CART state: columns, then every step against the columns and its tree."""
    from synth.schema import ColumnKind
    from synth.schema.number_text import MAX_DECIMALS, MIN_DECIMALS
    from synth.synthesizers.cart import CartColumn, CartStep, FlatTree

    columns = model.columns_
    # No columns is a real fit: a table whose modelled columns are all constant (kept by the base, not the trees).
    if not isinstance(columns, tuple) or not all(isinstance(c, CartColumn) for c in columns):
        fail("the CART model's columns are not CART columns")
    steps = model.steps_
    if not isinstance(steps, tuple) or not all(
        isinstance(s, CartStep) and (s.tree is None or isinstance(s.tree, FlatTree)) for s in steps
    ):
        fail("the CART model's steps are not CART steps")
    for i, column in enumerate(columns):
        if column.categorical and not column.categories:
            fail(f"column {i} ({column.name!r}) has no categories")
        check_int(column.unit, f"column {column.name!r} unit", 1, 2**62)
        check_int(column.origin, f"column {column.name!r} origin", -(2**63), 2**63 - 1)
        if not (np.isfinite(column.low) and np.isfinite(column.high) and column.low <= column.high):
            fail(f"column {column.name!r} has an invalid range")
    for k, step in enumerate(steps):
        check_step(step, columns, f"step {k}")
    refiner = getattr(model, "refiner_", None)
    if refiner is not None:
        check_refiner(refiner, len(columns))
    if not isinstance(getattr(model, "refine_skipped_", False), bool):
        fail("the CART model's refine_skipped_ is not true or false")
    grains = getattr(model, "grain_bands_", ())  # files saved before session 23 have none
    whole = {c.name for c in columns if c.integer and not c.categorical}
    if not isinstance(grains, tuple) or not all(
        isinstance(g, tuple) and len(g) == 2 and g[0] in whole and type(g[1]) is int and MIN_DECIMALS <= g[1] <= -1
        for g in grains
    ):
        fail(f"the CART model's grain bands must name whole-number columns it draws, with grains {MIN_DECIMALS} to -1")
    fractions = {c.name for c in columns if c.kind is ColumnKind.CONTINUOUS}
    placed = getattr(model, "band_decimals_", ())  # files saved before session 26 have none
    if not isinstance(placed, tuple) or not all(
        isinstance(p, tuple)
        and len(p) == 2
        and p[0] in fractions
        and type(p[1]) is int
        and MIN_DECIMALS <= p[1] <= MAX_DECIMALS
        for p in placed
    ):
        fail(
            "the CART model's band decimals must name number columns it draws, with decimals "
            f"{MIN_DECIMALS} to {MAX_DECIMALS}"
        )
    dates = {c.name for c in columns if c.kind is ColumnKind.DATETIME}
    if not named_orders(getattr(model, "date_orders_", ()), dates):
        fail("the CART model's date orders must name two date columns it draws and a sign of 1 or -1")
    numbers = {c.name for c in columns if c.kind.is_numeric}
    if not named_orders(getattr(model, "number_orders_", ()), numbers):
        fail("the CART model's number orders must name two number columns it draws and a sign of 1 or -1")


def check_refiner(refiner: Any, n_features: int) -> None:
    """A discriminator refiner (:mod:`synth.synthesizers.refinement`): at most MAX_TREES routable trees over the
    model's slots, a finite value for every node, a finite baseline, a power in (0, 1] and a cap of at least 1."""
    from synth.synthesizers.cart import FlatTree
    from synth.synthesizers.refinement import MAX_TREES, Refiner

    if (
        not isinstance(refiner, Refiner)
        or not isinstance(refiner.trees, tuple)
        or not isinstance(refiner.values, tuple)
    ):
        fail("the CART model's refiner is not a refiner")
    if len(refiner.trees) != len(refiner.values) or len(refiner.trees) > MAX_TREES:
        fail(f"the refiner must have one value array per tree and at most {MAX_TREES} trees")
    for k, (tree, value) in enumerate(zip(refiner.trees, refiner.values, strict=True)):
        if not isinstance(tree, FlatTree):
            fail(f"refiner tree {k} is not a tree")
        check_tree(tree, n_features, f"refiner tree {k}")
        value = check_array(value, f"refiner tree {k} values", kinds="f", length=tree.node_count)
        if not np.all(np.isfinite(value)):
            fail(f"refiner tree {k} has a value that is not a finite number")
    numbers = (refiner.baseline, refiner.temper, refiner.cap)
    if not all(isinstance(v, float) and np.isfinite(v) for v in numbers):
        fail("the refiner's baseline, power and cap must be finite numbers")
    if not (0.0 < refiner.temper <= 1.0 and refiner.cap >= 1.0):
        fail("the refiner's power must be in (0, 1] and its cap at least 1")


def check_marginals(marginals: Any, name: str = "marginals") -> int:
    """Every column's marginal: quantile knots finite and sorted, category edges increasing to 1, one edge per
    category. Returns the number of uniform dimensions."""
    from synth.synthesizers.marginals import CategoricalMarginal, ColumnMarginal, Marginals, NumericMarginal

    if not isinstance(marginals, Marginals) or not isinstance(marginals.columns, tuple):
        fail(f"{name} are not marginals")
    for col in marginals.columns:
        if not isinstance(col, ColumnMarginal) or not 0.0 <= float(col.missing_rate) <= 1.0:
            fail(f"{name} hold a damaged column")
        label = f"{name} of {col.name!r}"
        if isinstance(col.numeric, NumericMarginal) and col.categorical is None:
            knots = check_array(col.numeric.knots, f"{label}.knots", kinds="fiu")
            if len(knots) < 1 or not np.all(np.isfinite(knots)) or np.any(np.diff(knots) < 0):
                fail(f"{label} has quantile knots that are not finite and sorted")
            check_int(col.numeric.unit, f"{label}.unit", 1, 2**62)
        elif isinstance(col.categorical, CategoricalMarginal) and col.numeric is None:
            n = len(col.categorical.categories)
            upper = check_array(col.categorical.upper, f"{label}.upper", kinds="f", length=n)
            if n < 1 or np.any(np.diff(upper) < -1e-9) or not np.all((upper >= 0) & (upper <= 1)) or upper[-1] != 1.0:
                fail(f"{label} has category edges that do not increase to 1")
        else:
            fail(f"{label} is neither numeric nor categorical")
    return int(marginals.width)


def named_orders(value: Any, names: set[str] | None, signs: tuple[float, ...] = (1.0, -1.0)) -> bool:
    """Whether ``value`` is a tuple of (later, earlier, sign) orders: two different column names (of ``names``,
    when given) and a sign of ``signs``. A list or dict where a name belongs is refused before it is hashed."""

    def one(o: Any) -> bool:
        if not (isinstance(o, tuple) and len(o) == 3 and isinstance(o[0], str) and isinstance(o[1], str)):
            return False
        known = names is None or (o[0] in names and o[1] in names)
        return known and o[0] != o[1] and o[2] in signs

    return isinstance(value, tuple) and all(one(o) for o in value)


def check_copula(model: Any) -> None:
    """Each mixture component: shares summing to 1, marginals, and a finite lower-triangular Cholesky factor of
    the size of the marginals' dimensions."""
    from synth.schema import ColumnKind
    from synth.synthesizers.gaussian_copula import CopulaComponent

    schema = getattr(model, "schema_", ())
    dates = {c.name for c in schema if c.kind is ColumnKind.DATETIME}
    numbers = {c.name for c in schema if c.kind.is_numeric}
    if not named_orders(getattr(model, "date_gaps_", ()), dates):
        fail("the copula's date gaps must name two date columns of its schema and a sign of 1 or -1")
    gapped = {g[0] for g in getattr(model, "date_gaps_", ())}
    units = getattr(model, "date_units_", ())
    if not isinstance(units, tuple) or not all(
        isinstance(u, tuple) and len(u) == 2 and u[0] in gapped and isinstance(u[1], int) and 1 <= u[1] <= 2**62
        for u in units
    ):
        fail("the copula's date units must name its gap dates, each with a whole number of nanoseconds")
    days = getattr(model, "gap_days_", ())
    if not isinstance(days, tuple) or not all(isinstance(d, str) and d in gapped for d in days):
        fail("the copula's whole-day gap dates must name its gap dates")
    redrawn = getattr(model, "number_orders_", ())  # numbers, and dates after a date with missing values
    if not named_orders(redrawn, None) or not all({o[0], o[1]} <= numbers or {o[0], o[1]} <= dates for o in redrawn):
        fail(
            "the copula's number orders must name two number columns (or two date columns) of its schema and a "
            "sign of 1 or -1"
        )
    components = model.components_
    if not isinstance(components, tuple) or not components:
        fail("the copula has no components")
    shares = []
    for k, comp in enumerate(components):
        if not isinstance(comp, CopulaComponent):
            fail(f"component {k} is not a copula component")
        width = check_marginals(comp.marginals, f"component {k} marginals")
        chol = check_array(comp.cholesky, f"component {k} cholesky", kinds="f", ndim=2)
        if chol.shape != (width, width) or not np.all(np.isfinite(chol)):
            fail(f"component {k} has a correlation factor of shape {chol.shape}, expected ({width}, {width})")
        shares.append(float(comp.share))
    if not np.all(np.isfinite(shares)) or min(shares) < 0 or abs(sum(shares) - 1.0) > 1e-6:
        fail("the copula's component shares do not sum to 1")


def check_privbayes(model: Any) -> None:
    """Columns with a positive number of codes; each table's parents drawn before it, its shape the product of
    the parents' sizes by the child's size, its rows cumulative probabilities ending at 1."""
    from synth.synthesizers.declared_orders import check_declared_orders, declared_gaps
    from synth.synthesizers.privbayes import BinnedColumn, NoisyTable

    orders = getattr(model, "declared_orders_", ())
    if not named_orders(orders, None, (1.0,)):
        fail("the DP network's declared orders must be (later, earlier, 1.0) column names")
    try:
        check_declared_orders([(earlier, later) for later, earlier, _ in orders], model.schema_)
    except SynthesizerError as exc:
        fail(f"the DP network's declared orders do not fit its schema: {exc}")
    gaps = getattr(model, "order_gaps_", ())
    if not named_orders(gaps, None, (1.0,)) or set(gaps) - set(declared_gaps(orders, model.schema_)):
        fail("the DP network's order gaps must be declared orders it can learn as gaps")

    columns = model.columns_
    if not isinstance(columns, tuple) or not all(isinstance(c, BinnedColumn) for c in columns):
        fail("the PrivBayes model's columns are damaged")
    # A column drawn as a gap released the gap's range, not its own: its bins are checked against nothing more.
    gapped = {later for later, _, _ in gaps}
    domain = getattr(model, "domain_", ())
    released = (
        {d.name: d for d in domain if getattr(d, "name", None) not in gapped} if isinstance(domain, tuple) else {}
    )
    zones = getattr(model, "time_zones_", {})  # (checked by check_times before this runs)
    released = {k: _on_local_clock(d, zones[k]) if k in zones else d for k, d in released.items()}
    sizes = []
    for c in columns:
        if not c.categorical:
            low = check_array(c.low, f"{c.name!r}.low", kinds="fiu")
            check_array(c.high, f"{c.name!r}.high", kinds="fiu", length=len(low))
            check_int(c.unit, f"{c.name!r}.unit", 1, 2**62)
            if not len(low) and not c.has_missing:
                fail(f"column {c.name!r} has no bins: only a column that released no value (always missing) may")
            check_bin_edges(c, released.get(c.name))
            if not isinstance(getattr(c, "coarse", False), bool):
                fail(f"column {c.name!r} must say whether its range is coarse with true or false")
            fine = getattr(c, "fine", None)  # files saved before fine cells have none
            if fine is not None:
                span = float(np.max(c.high)) - float(np.min(c.low)) + 1.0 if len(low) else 0.0
                weights = check_array(fine, f"{c.name!r}.fine", kinds="f", ndim=1)
                if (
                    not c.integer
                    or len(weights) != span
                    or not np.all(np.isfinite(weights))
                    or np.any(weights < 0)
                    or np.any(weights > 1.0 + 1e-9)
                ):
                    fail(f"column {c.name!r} has fine weights that do not cover its whole numbers")
        if c.size < 1:
            fail(f"column {c.name!r} has no codes")
        sizes.append(int(c.size))
    threshold = getattr(model, "label_threshold_", 0.0)  # files saved before it have none
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold < float("inf"):
        fail("the PrivBayes model's label threshold must be a finite number ≥ 0")
    tables = model.tables_
    if not isinstance(tables, tuple) or not all(isinstance(t, NoisyTable) for t in tables):
        fail("the PrivBayes model's tables are damaged")
    drawn: set[int] = set()
    for k, table in enumerate(tables):
        child = check_int(table.child, f"table {k} child", 0, len(columns) - 1)
        parents = [check_int(p, f"table {k} parent", 0, len(columns) - 1) for p in table.parents]
        if not set(parents) <= drawn or child in drawn:
            fail(f"table {k} is out of order: its parents must be drawn before it")
        configs = int(np.prod([sizes[p] for p in parents], dtype=object)) if parents else 1
        cum = check_array(table.cumulative, f"table {k}", kinds="f", ndim=2)
        if cum.shape != (configs, sizes[child]):
            fail(f"table {k} has shape {cum.shape}, expected ({configs}, {sizes[child]})")
        finite = bool(np.all(np.isfinite(cum)))
        in_unit = finite and bool(np.all((cum >= -1e-9) & (cum <= 1.0 + 1e-9)))
        if not in_unit or np.any(np.diff(cum, axis=1) < -1e-9) or not np.allclose(cum[:, -1], 1.0):
            fail(f"table {k} does not hold cumulative probabilities")
        drawn.add(child)


def _on_local_clock(dom: Any, zone: Any) -> Any:
    """A released date range (UTC instants, as a fit writes it) on the column's local clock, as its bins are, an
    hour wider each side for the wall-clock hour a zone skips in spring; as it was where it cannot be moved."""
    from types import SimpleNamespace

    from synth.synthesizers.time_of_day import to_local

    try:
        ends = to_local(pd.DataFrame({"d": pd.to_datetime([dom.low, dom.high])}), {"d": zone})["d"]
    except (TypeError, ValueError, OverflowError):
        return dom
    return SimpleNamespace(low=ends.iloc[0] - pd.Timedelta(hours=1), high=ends.iloc[1] + pd.Timedelta(hours=1))


def check_bin_edges(column: Any, released: Any) -> None:
    """A number or date column's bins as a fit makes them: finite edges, each bin's ``low`` at most its ``high``,
    bins sorted by ``low``, a range whose width is a finite number (so drawing within a bin never overflows), dates
    inside the datetime range, and the bins inside the range the model
    released for the column (``domain_``, which a fit sets to the bins' own ends)."""
    from synth.schema import ColumnKind

    name = f"column {column.name!r}"
    low = np.asarray(column.low, dtype=np.float64)
    high = np.asarray(column.high, dtype=np.float64)
    if not len(low):
        return
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
        fail(f"{name} has bin edges that are not finite numbers")
    if np.any(low > high) or np.any(np.diff(low) < 0):
        fail(f"{name} has bins whose edges are out of order")
    lo, hi = float(low.min()), float(high.max())
    with np.errstate(over="ignore"):
        if not np.isfinite(hi - lo):
            fail(f"{name} has bins spanning a range too wide for floating-point numbers")
    ends: tuple[Any, Any] = (lo, hi)
    if column.kind is ColumnKind.DATETIME:
        ns = [check_int(column.origin, f"{name}.origin", -(2**63), 2**63 - 1) + int(v) * int(column.unit) for v in ends]
        if not all(-(2**63) < v < 2**63 for v in ns):
            fail(f"{name} has date bins outside the dates a computer can hold")
        ends = (pd.Timestamp(ns[0]), pd.Timestamp(ns[1]))
    if released is not None:
        try:
            inside = bool(released.low <= ends[0]) and bool(ends[1] <= released.high)
        except (TypeError, ValueError):
            inside = False
        if not inside:
            fail(f"{name} has bins outside the range the model released for it")


def check_recodes(recodes: Any, columns: Sequence[Any], j: int, name: str) -> None:
    """Each category order: an earlier category slot, named once, and a permutation of its codes' places (a code
    past the array, or two codes at one place, would misroute rows or read out of bounds)."""
    if not isinstance(recodes, tuple):
        fail(f"{name}.recodes must be a tuple")
    seen: set[int] = set()
    for k, item in enumerate(recodes):
        if not (isinstance(item, tuple) and len(item) == 2):
            fail(f"{name}.recodes[{k}] must be a (slot, places) pair")
        slot = check_int(item[0], f"{name}.recodes[{k}] slot", 0, j - 1)
        if slot in seen or not columns[slot].categorical:
            fail(f"{name}.recodes[{k}] must name a category predictor once")
        seen.add(slot)
        places = check_array(item[1], f"{name}.recodes[{k}] places", kinds="f", length=len(columns[slot].categories))
        if not np.array_equal(np.sort(places), np.arange(len(places), dtype=places.dtype)):
            fail(f"{name}.recodes[{k}] places must be a permutation of the category codes")


def check_residuals(residuals: Any, columns: Sequence[Any], j: int, name: str) -> tuple[Any, ...]:
    """Each residual predictor: two different earlier number slots and a finite line."""
    from synth.synthesizers.residual_features import Residual

    if not isinstance(residuals, tuple):
        fail(f"{name}.residuals must be a tuple")
    for m, r in enumerate(residuals):
        if not isinstance(r, Residual):
            fail(f"{name}.residuals[{m}] is not a residual")
        i = check_int(r.i, f"{name}.residuals[{m}].i", 0, j - 1)
        k = check_int(r.k, f"{name}.residuals[{m}].k", 0, j - 1)
        if i == k or columns[i].categorical or columns[k].categorical:
            fail(f"{name}.residuals[{m}] must join two different number slots")
        if not all(isinstance(v, float) and np.isfinite(v) for v in (r.intercept, r.slope)):
            fail(f"{name}.residuals[{m}] needs a finite intercept and slope")
    return residuals


def check_score(step: Any, columns: Sequence[Any], j: int, name: str) -> int:
    """A step's linear score (1 predictor) or none (0): earlier number or two-valued slots, increasing, each with a
    finite centre, weight and spread, and a spread of the score its parts' can give. Files saved before scores
    existed have none; files saved before spreads were kept have a score without them."""
    from synth.synthesizers.linear_scores import LinearScore

    score = getattr(step, "score", None)
    if score is None:
        return 0
    if not isinstance(score, LinearScore):
        fail(f"{name}.score is not a linear score")
    slots = check_array(score.slots, f"{name}.score.slots", kinds="iu")
    if len(slots) < 1 or np.any(slots < 0) or np.any(slots >= j) or np.any(np.diff(slots) <= 0):
        fail(f"{name}.score.slots must be increasing slots before the step's column")
    for s in slots:
        col = columns[int(s)]
        if not (col.kind.is_numeric or (col.categorical and len(col.categories) == 2)):
            fail(f"{name}.score reads slot {int(s)}, neither a number nor a two-valued column")
    for part in ("centres", "weights"):
        values = check_array(getattr(score, part), f"{name}.score.{part}", kinds="f", length=len(slots))
        if not np.all(np.isfinite(values)):
            fail(f"{name}.score.{part} must be finite")
    spread = score.spread
    if not isinstance(spread, float) or not np.isfinite(spread) or spread < 0:
        fail(f"{name}.score.spread must be a finite number, never negative")
    if score.spreads is None:  # saved before spreads were kept: every row scored, as it was fitted
        if spread != 0.0:
            fail(f"{name}.score has a spread without its slots' spreads")
        return 1
    spreads = check_array(score.spreads, f"{name}.score.spreads", kinds="f", length=len(slots))
    if not np.all(np.isfinite(spreads)) or np.any(spreads < 0):
        fail(f"{name}.score.spreads must be finite, never negative")
    # A score's spread is never above the sum of its parts' (the triangle inequality on the fitted rows): a file
    # whose spread is larger would keep rows that lack a material slot scored as average rows (linear_scores).
    if spread > float(np.sum(np.abs(score.weights) * spreads)) * (1 + 1e-6):
        fail(f"{name}.score.spread is larger than its weights and slots' spreads allow")
    return 1
