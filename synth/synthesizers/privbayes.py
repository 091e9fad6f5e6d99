"""A differentially private Bayesian network: PrivBayes (Zhang et al., SIGMOD 2014; TODS 2017), in the manner
of DataSynthesizer.

The model
    Every modelled column becomes a discrete attribute: categories (missing as a category of its own), and
    numbers and datetimes cut into at most ``bins`` bins (plus a bin for missing). A Bayesian network of
    degree ``degree`` (each attribute has at most that many parents) is built greedily: starting from a
    random attribute, each step adds one (attribute, parent set) pair chosen by the exponential mechanism
    with the mutual information I(X; Π) as score, scaled by its sensitivity from the PrivBayes paper
    (Lemma 4.1; smaller when X or Π is binary). Then the joint counts of every attribute with its parents
    get Laplace noise, and the noisy counts, clipped at zero and normalised, are the conditional probability
    tables. Sampling is ancestral: each column is drawn from its table row given the parents already drawn
    (inverse CDF, vectorised), and a numeric bin becomes a value drawn uniformly within the bin.

Privacy budget
    ``epsilon`` is split: ``structure_share`` of it for the network (equally over its d − 1 choices), the rest
    for the d tables (equally, so each gets Laplace noise of scale 2d / ε_tables on its counts: one row
    changes at most two cells of a table). The parent sets offered to the exponential mechanism are limited,
    as in PrivBayes' θ-usefulness, to tables whose cell count keeps the average count per cell at least
    ``usefulness`` times the noise scale; that limit depends only on the domain sizes, the number of rows and
    ε, not on the data's values.

What is and is not covered (stated in :attr:`PrivBayes.guarantee`)
    Covered by ε-differential privacy (neighbouring tables differ in one row; the number of rows is
    public): the network structure and every probability table. Not covered: the *domain* — the category
    labels of each column, and the bins of numeric and date columns (their frequent values, quantile edges,
    minimum and maximum) — is read from the training data without noise and treated as public metadata, as
    DataSynthesizer does. Supply a schema without the columns whose labels or ranges are themselves secret.
    Identifier, PII and free-text columns are never learned (the shared base generates them).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.progress import ProgressCallback, scaled
from synth.schema import ColumnKind, Schema
from synth.synthesizers.base import (
    Condition,
    Param,
    Synthesizer,
    column_mask,
    describe_conditions,
    draw_matching,
    register_state,
)
from synth.synthesizers.cart import MISSING, datetime_ns, datetimes_from_units, labels, time_unit
from synth.synthesizers.registry import register


@dataclass(frozen=True)
class BinnedColumn:
    """One column as a discrete attribute.

    Categorical and boolean columns: one code per label (missing as a label). Numbers and datetimes: one code
    per bin, bin ``i`` holding the values from ``low[i]`` to ``high[i]`` (equal ends: a single value), in
    model units (datetimes: whole ``unit`` steps after ``origin``), then one code for missing if any.
    """

    name: str
    kind: ColumnKind
    categories: tuple[Any, ...]
    low: np.ndarray
    high: np.ndarray
    has_missing: bool
    integer: bool
    origin: int
    unit: int
    tz: str | None

    @property
    def categorical(self) -> bool:
        return self.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)

    @property
    def size(self) -> int:
        return len(self.categories) if self.categorical else len(self.low) + int(self.has_missing)

    @classmethod
    def fit(cls, series: pd.Series, kind: ColumnKind, n_bins: int) -> tuple[BinnedColumn, np.ndarray]:
        """The column's bins and its training codes."""
        name = str(series.name)
        empty = np.zeros(0)
        if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            lab = labels(series)
            counts = lab.value_counts(sort=True)
            cats = tuple(counts.index)
            codes = lab.map({c: i for i, c in enumerate(cats)}).to_numpy(dtype=np.int64)
            return cls(name, kind, cats, empty, empty, False, True, 0, 1, None), codes
        if kind is ColumnKind.DATETIME:
            ns, missing = datetime_ns(series)
            origin = int(ns[~missing].min()) if (~missing).any() else 0
            unit = time_unit(ns[~missing] - origin)
            x = np.where(missing, np.nan, ((ns - origin) // unit).astype(float))
            tz = str(series.dt.tz) if getattr(series.dt, "tz", None) is not None else None
            integer = True
        else:
            x = series.to_numpy(dtype=float)
            missing = np.isnan(x)
            origin, unit, tz = 0, 1, None
            integer = kind is ColumnKind.DISCRETE
        low, high, present_codes = bin_values(x[~missing], n_bins)
        codes = np.full(len(x), len(low), dtype=np.int64)
        codes[~missing] = present_codes
        column = cls(name, kind, (), low, high, bool(missing.any()), integer, origin, unit, tz)
        return column, codes

    def decode(self, codes: np.ndarray, rng: np.random.Generator) -> pd.Series:
        if self.categorical:
            lookup = np.empty(len(self.categories), dtype=object)
            lookup[:] = [None if c == MISSING else c for c in self.categories]
            return pd.Series(lookup[codes], dtype=object)
        missing = codes >= len(self.low)
        safe = np.where(missing, 0, codes)
        low, high = self.low[safe], self.high[safe]
        u = rng.random(len(codes))
        if self.integer:
            values = low + np.floor(u * (high - low + 1.0))
            values = np.minimum(values, high)
        else:
            values = low + u * (high - low)
        values[missing] = np.nan
        if self.kind is ColumnKind.DATETIME:
            return datetimes_from_units(values, missing, self.origin, self.unit, self.tz)
        return pd.Series(values)


@dataclass(frozen=True)
class NoisyTable:
    """P(child | parents) from noisy counts, as cumulative probabilities: one row per parent configuration.

    A configuration's row index is the parents' codes in mixed radix (the first parent most significant).
    """

    child: int
    parents: tuple[int, ...]
    cumulative: np.ndarray  # (configurations, child size), each row ending at 1

    def draw(self, codes: np.ndarray, sizes: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        n = len(codes)
        config = configurations(codes, self.parents, sizes)
        u = rng.random(n)
        k = self.cumulative.shape[1]
        if k <= 16:
            # Inverse CDF by counting the cumulative probabilities at or below u: k − 1 cheap passes.
            out = np.zeros(n, dtype=np.int64)
            for column in np.ascontiguousarray(self.cumulative[:, :-1].T):
                out += u >= column[config]
            return out
        # Row r of the table, shifted by r, is an increasing run inside (r, r + 1]: one search finds the code.
        flat = (self.cumulative + np.arange(self.cumulative.shape[0])[:, None]).ravel()
        hit = np.searchsorted(flat, config + u, side="right")
        return np.minimum(hit - config * k, k - 1)


register_state(BinnedColumn, NoisyTable)


@register
class PrivBayes(Synthesizer):
    """PrivBayes: a degree-k Bayesian network learned and filled in under ε-differential privacy."""

    name = "privbayes"
    label = "DP Bayesian network"
    description = (
        "A Bayesian network whose structure and probability tables are learned under ε-differential "
        "privacy (PrivBayes). A formal guarantee for the counts; fidelity grows with ε and the table size."
    )
    guarantee = (
        "ε-differential privacy (ε = the epsilon you choose) for the whole learned model: the network "
        "structure and every probability table, for tables that differ in one row. Not covered: the column "
        "domains are read from the training data without noise and treated as public, namely the category "
        "labels and, for numbers and dates, the bins (frequent values, quantile edges, minimum and maximum); "
        "the number of rows is treated as public too."
    )
    params = (
        Param(
            "epsilon",
            "float",
            1.0,
            "The privacy budget ε: smaller is more private and noisier. Around 1 is a common choice; 0.1 is "
            "strong privacy, 10 is weak.",
            label="Privacy budget ε",
            low=0.01,
            high=100.0,
        ),
        Param(
            "degree",
            "int",
            2,
            "The most parents an attribute may have in the network: higher captures more interactions but "
            "makes tables larger, so each cell gets relatively more noise.",
            label="Network degree k",
            low=0,
            high=5,
        ),
        Param(
            "bins",
            "int",
            10,
            "Numbers and dates are cut into at most this many bins (frequent values get a bin of their own). "
            "More bins follow shapes more closely but spread the noise over more cells.",
            label="Bins per numeric column",
            low=2,
            high=100,
        ),
        Param(
            "structure_share",
            "float",
            0.3,
            "The share of ε spent on choosing the network; the rest goes to the probability tables. The "
            "PrivBayes paper uses 0.3.",
            label="Budget share for the structure",
            low=0.05,
            high=0.95,
        ),
        Param(
            "usefulness",
            "float",
            4.0,
            "PrivBayes' θ: a parent set is only considered when its table's average count per cell is at "
            "least θ times the noise scale. Higher keeps tables small (less noise, fewer interactions).",
            label="Usefulness θ",
            low=0.5,
            high=100.0,
        ),
    )

    epsilon: float
    degree: int
    bins: int
    structure_share: float
    usefulness: float

    columns_: tuple[BinnedColumn, ...]
    tables_: tuple[NoisyTable, ...]
    noise_scale_: float

    def _check_state(self) -> None:
        from synth.synthesizers.state_checks import (
            check_privbayes,
        )  # a loaded file's arrays, before sampling reads them

        check_privbayes(self)

    # ------------------------------------------------------------------ fit
    def _fit(self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback) -> None:
        progress(0.0, "binning columns")
        columns, codes_list = [], []
        for spec in schema:
            column, codes = BinnedColumn.fit(data[spec.name], spec.kind, int(self.bins))
            columns.append(column)
            codes_list.append(codes)
        codes = np.column_stack(codes_list) if codes_list else np.zeros((len(data), 0), dtype=np.int64)
        sizes = tuple(c.size for c in columns)
        n, d = codes.shape
        eps = float(self.epsilon)
        eps_structure = eps * float(self.structure_share) if d > 1 else 0.0
        eps_tables = eps - eps_structure
        noise_scale = 2.0 * max(d, 1) / eps_tables
        max_cells = max(1.0, n / (float(self.usefulness) * noise_scale))
        network = learn_network(
            codes, sizes, int(self.degree), eps_structure, max_cells, rng, scaled(progress, 0.05, 0.7)
        )
        tables = []
        for i, (child, parents) in enumerate(network):
            progress(0.7 + 0.3 * i / max(d, 1), f"noisy table for {columns[child].name}")
            counts = count_table(codes, child, parents, sizes)
            noisy = counts + rng.laplace(0.0, noise_scale, counts.shape)
            tables.append(NoisyTable(child, parents, conditional_cdf(noisy)))
        progress(1.0, "network fitted")
        self.columns_ = tuple(columns)
        self.tables_ = tuple(tables)
        self.noise_scale_ = noise_scale

    def network(self) -> list[tuple[str, list[str]]]:
        """The learned network in sampling order: (column, its parent columns)."""
        names = [c.name for c in self.columns_]
        return [(names[t.child], [names[p] for p in t.parents]) for t in self.tables_]

    # --------------------------------------------------------------- sample
    def _sample(self, n: int, rng: np.random.Generator, progress: ProgressCallback) -> pd.DataFrame:
        return self._generate(n, rng, progress, None)

    def _sample_given(
        self,
        n: int,
        rng: np.random.Generator,
        progress: ProgressCallback,
        conditions: Mapping[str, Condition],
    ) -> pd.DataFrame:
        if not self.tables_:
            return self._sample(n, rng, progress)
        root = self.tables_[0]
        column = self.columns_[root.child]
        if column.name not in conditions or not column.categorical:
            return self._sample(n, rng, progress)
        # A categorical root is conditioned exactly: its codes are drawn from its table restricted to the
        # allowed labels, and every other column then follows from the network as usual.
        cond = conditions[column.name]
        allowed = column_mask(column.decode(np.arange(column.size), rng), cond)
        sizes = tuple(c.size for c in self.columns_)
        first = draw_matching(
            n,
            lambda m: root.draw(np.zeros((m, len(sizes)), dtype=np.int64), sizes, rng),
            lambda codes: allowed[codes],
            self.max_condition_draws,
            describe_conditions({column.name: cond}),
        )
        return self._generate(n, rng, progress, first)

    def _generate(
        self, n: int, rng: np.random.Generator, progress: ProgressCallback, first: np.ndarray | None
    ) -> pd.DataFrame:
        sizes = tuple(c.size for c in self.columns_)
        codes = np.zeros((n, len(sizes)), dtype=np.int64, order="F")  # column by column: contiguous
        for i, table in enumerate(self.tables_):
            progress(0.8 * i / len(self.tables_), f"drawing {self.columns_[table.child].name}")
            if i == 0 and first is not None:
                codes[:, table.child] = first
            else:
                codes[:, table.child] = table.draw(codes, sizes, rng)
        progress(0.8, "turning bins into values")
        out = {c.name: c.decode(codes[:, j], rng) for j, c in enumerate(self.columns_)}
        return pd.DataFrame(out, copy=False)


# ----------------------------------------------------------------------------- the mechanism
def bin_values(x: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut values into at most ``n_bins`` bins: (low ends, high ends, code of each value).

    Few distinct values: one bin each. Otherwise every value held by at least 1/``n_bins`` of the rows gets a
    bin of its own (the spike at 0 of a capital-gains column survives), and the other values are cut at
    their quantiles; a bin spans the smallest to the largest value it holds.
    """
    if len(x) == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64)
    uniq, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    if len(uniq) <= n_bins:
        return uniq.astype(float), uniq.astype(float), inverse.astype(np.int64)
    heavy = counts >= len(x) / n_bins
    rest = ~heavy[inverse]
    n_interval = max(n_bins - int(heavy.sum()), 1)
    group = np.full(len(x), -1, dtype=np.int64)
    if rest.any():
        edges = np.quantile(x[rest], np.linspace(0.0, 1.0, n_interval + 1)[1:-1])
        group[rest] = np.searchsorted(edges, x[rest], side="right")
    # Bins: each heavy value, and each non-empty quantile group, ordered by their low ends.
    lows, highs, keys = [], [], []
    for value in uniq[heavy]:
        lows.append(float(value))
        highs.append(float(value))
        keys.append(("v", float(value)))
    for g in np.unique(group[rest]):
        members = x[group == g]
        lows.append(float(members.min()))
        highs.append(float(members.max()))
        keys.append(("g", int(g)))
    order = np.lexsort((np.asarray(highs), np.asarray(lows)))
    code_of = {keys[i]: code for code, i in enumerate(order)}
    codes = np.empty(len(x), dtype=np.int64)
    for value in uniq[heavy]:
        codes[x == value] = code_of[("v", float(value))]
    for g in np.unique(group[rest]):
        codes[group == g] = code_of[("g", int(g))]
    return np.asarray(lows)[order], np.asarray(highs)[order], codes


def configurations(codes: np.ndarray, parents: tuple[int, ...], sizes: tuple[int, ...]) -> np.ndarray:
    """Each row's parent configuration in mixed radix (0 when there are no parents)."""
    config = np.zeros(len(codes), dtype=np.int64)
    for p in parents:
        config = config * sizes[p] + codes[:, p]
    return config


def count_table(codes: np.ndarray, child: int, parents: tuple[int, ...], sizes: tuple[int, ...]) -> np.ndarray:
    """Exact joint counts of (parent configuration, child code): shape (configurations, child size)."""
    n_config = math.prod(sizes[p] for p in parents)
    config = configurations(codes, parents, sizes)
    k = sizes[child]
    return np.bincount(config * k + codes[:, child], minlength=n_config * k).reshape(n_config, k).astype(float)


def conditional_cdf(noisy: np.ndarray) -> np.ndarray:
    """Noisy joint counts → cumulative conditional distributions per parent configuration.

    Negative counts are clipped to 0; a configuration whose counts all vanish falls back to the child's
    distribution summed over all configurations (uniform if that vanishes too). Post-processing only.
    """
    clipped = np.clip(noisy, 0.0, None)
    k = clipped.shape[1]
    marginal = clipped.sum(axis=0)
    marginal = marginal / marginal.sum() if marginal.sum() > 0 else np.full(k, 1.0 / k)
    totals = clipped.sum(axis=1, keepdims=True)
    probs = np.where(totals > 0, clipped / np.where(totals > 0, totals, 1.0), marginal)
    cdf = np.cumsum(probs, axis=1)
    cdf[:, -1] = 1.0
    return cdf


def mutual_information(x: np.ndarray, y: np.ndarray, kx: int, ky: int) -> float:
    """I(X; Y) in nats from paired codes."""
    joint = np.bincount(x * ky + y, minlength=kx * ky).reshape(kx, ky).astype(float)
    joint /= joint.sum()
    px, py = joint.sum(axis=1), joint.sum(axis=0)
    nz = joint > 0
    return float((joint[nz] * np.log(joint[nz] / np.outer(px, py)[nz])).sum())


def mi_sensitivity(n: int, binary: bool) -> float:
    """Sensitivity of I(X; Π) to changing one of ``n`` rows (PrivBayes, Lemma 4.1; natural log).

    ``binary``: X or Π has two values, which gives the smaller bound.
    """
    if n < 3:
        return math.log(2.0)
    if binary:
        return math.log(n) / n + (n - 1) / n * math.log(n / (n - 1))
    return 2.0 / n * math.log((n + 1) / 2.0) + (n - 1) / n * math.log((n + 1) / (n - 1))


def candidate_parents(
    child_size: int, chosen: list[int], sizes: tuple[int, ...], degree: int, max_cells: float
) -> list[tuple[int, ...]]:
    """Maximal parent sets for a child: at most ``degree`` chosen attributes whose table fits ``max_cells``.

    A set is maximal when no chosen attribute can join it without exceeding the degree or the cell limit.
    When not even the child alone fits, the empty set is its only candidate.
    """
    limit = min(degree, len(chosen))
    out: list[tuple[int, ...]] = []
    for size in range(limit, -1, -1):
        for subset in itertools.combinations(chosen, size):
            cells = child_size * math.prod(sizes[p] for p in subset)
            if cells > max_cells:
                continue
            if size < limit and any(cells * sizes[v] <= max_cells for v in chosen if v not in subset):
                continue
            out.append(subset)
    return out or [()]


def learn_network(
    codes: np.ndarray,
    sizes: tuple[int, ...],
    degree: int,
    eps_structure: float,
    max_cells: float,
    rng: np.random.Generator,
    progress: ProgressCallback,
) -> list[tuple[int, tuple[int, ...]]]:
    """Greedy PrivBayes structure: (child, parents) pairs in sampling order.

    The first attribute is drawn uniformly at random (costing no budget). Each later step scores every
    (attribute not yet chosen, maximal parent set among the chosen) pair by I(X; Π) divided by its
    sensitivity and picks one with the exponential mechanism at ε_structure / (d − 1).
    """
    n, d = codes.shape
    if d == 0:
        return []
    root = int(rng.integers(d))
    chosen = [root]
    network: list[tuple[int, tuple[int, ...]]] = [(root, ())]
    eps_step = eps_structure / (d - 1) if d > 1 else 0.0
    config_cache: dict[tuple[int, ...], np.ndarray] = {}
    for step in range(1, d):
        progress(step / d, f"choosing the network: attribute {step + 1} of {d}")
        candidates: list[tuple[int, tuple[int, ...]]] = []
        scores: list[float] = []
        for child in range(d):
            if child in chosen:
                continue
            for parents in candidate_parents(sizes[child], chosen, sizes, degree, max_cells):
                if parents:
                    if parents not in config_cache:
                        config_cache[parents] = configurations(codes, parents, sizes)
                    k_parents = math.prod(sizes[p] for p in parents)
                    mi = mutual_information(codes[:, child], config_cache[parents], sizes[child], k_parents)
                else:
                    mi = 0.0
                binary = sizes[child] == 2 or (len(parents) == 1 and sizes[parents[0]] == 2)
                candidates.append((child, parents))
                scores.append(mi / mi_sensitivity(n, binary))
        # Exponential mechanism: each scaled score changes by at most 1 when one row changes.
        logits = eps_step * np.asarray(scores) / 2.0
        weights = np.exp(logits - logits.max())
        pick = int(rng.choice(len(candidates), p=weights / weights.sum()))
        child, parents = candidates[pick]
        chosen.append(child)
        network.append((child, parents))
    return network
