"""PrivBayes' network: the greedy private structure search and the noisy conditional tables it samples from.

Structure learning scores (attribute, parent set) pairs by PrivBayes' L1 dependence n · R(X, Π) (or by
n · I(X; Π)) and picks one with the exponential mechanism (:func:`learn_network`); the tables are exact joint
counts (:func:`count_table`) noised with Laplace and turned into conditional distributions (:func:`noisy_tables`;
:func:`conditional_cdf`, post-processing only), held and sampled by :class:`NoisyTable` (independent or balanced
draws). Codes are the discrete attributes of :class:`~synth.synthesizers.dp.encoding.BinnedColumn`; a parent
configuration is the parents' codes in mixed radix (:func:`configurations`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from synth.progress import ProgressCallback
from synth.synthesizers.dp import mechanisms


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

    def draw_balanced(self, codes: np.ndarray, sizes: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Codes whose counts follow the table with almost no sampling noise (post-processing of the model).

        The m rows of a parent configuration get m · p_k rows of code k, rounded systematically: one uniform
        offset u per configuration, count_k = ⌊m·P_k + u⌋ − ⌊m·P_(k−1) + u⌋ with P the cumulative probabilities.
        Every count is within one row of its expectation m·p_k (and equal to it on average), the counts add up to
        m, and the codes are handed to the configuration's rows in a random order, so a row's code depends on its
        parents only, as in the model. Independent draws (:meth:`draw`) add multinomial noise of about √(m·p_k)
        rows on top of the privacy noise; this removes it. Reads only the released table and ``rng``.
        """
        n = len(codes)
        k = self.cumulative.shape[1]
        config = configurations(codes, self.parents, sizes)
        n_config = self.cumulative.shape[0]
        rows = np.bincount(config, minlength=n_config).astype(float)
        u = np.asarray(rng.random(n_config), dtype=float)
        edges = np.floor(self.cumulative * rows[:, None] + u[:, None])
        edges[:, -1] = np.floor(rows + u)  # the last cumulative is exactly 1: all m rows
        edges = np.minimum(np.maximum.accumulate(edges, axis=1), edges[:, -1:])  # rounding never runs backwards
        counts = np.diff(np.concatenate([np.floor(u)[:, None], edges], axis=1), axis=1).astype(np.int64)
        # Rows sorted by configuration after a random shuffle: each configuration's rows in random order.
        shuffled = rng.permutation(n)
        order = shuffled[np.argsort(config[shuffled], kind="stable")]
        out = np.empty(n, dtype=np.int64)
        out[order] = np.repeat(np.tile(np.arange(k), n_config), counts.ravel())
        return out


# Model files name state types by module and class: pinned to the module that defined it before the split,
# so files saved earlier still load (synth.synthesizers.privbayes re-exports it).
NoisyTable.__module__ = "synth.synthesizers.privbayes"


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


#: Noise standard deviations a code's summed noisy count must exceed to be sampled (see :func:`drop_faint_code`):
#: a code holding no row passes about 2-3% of the time; the tester's 84 missing salaries (one configuration, noise
#: scale 24) passed in most fits.
FAINT_Z = 2.0


def drop_faint_code(noisy: np.ndarray, code: int, scale: float) -> np.ndarray:
    """``noisy`` (configurations × child codes, each with Laplace noise of ``scale``) with ``code``'s counts set to
    zero when their sum is within FAINT_Z noise standard deviations (scale · √(2 · configurations)) of zero.

    For codes a row may well not hold: a private number's missing code and a private category's "(other)". Every
    cell's positive noise survives the clipping at zero, so a code holding no row still got about one noise scale
    per configuration (the tester's "(other)" in columns whose every label was released, missing values in columns
    without any). Post-processing of the noisy counts: no budget.
    """
    total = float(noisy[:, code].sum())
    if total > FAINT_Z * scale * math.sqrt(2.0 * noisy.shape[0]):
        return noisy
    out = noisy.copy()
    out[:, code] = 0.0
    return out


def conditional_cdf(noisy: np.ndarray, prior_rows: float = 0.0) -> np.ndarray:
    """Noisy joint counts → cumulative conditional distributions per parent configuration.

    Negative counts are clipped to 0; a configuration whose counts all vanish falls back to the child's
    distribution summed over all configurations (uniform if that vanishes too). With ``prior_rows`` > 0 each
    configuration's counts are shrunk towards that distribution as if it held ``prior_rows`` more rows drawn from
    it: a configuration the noise left with a single surviving cell (often a rare class's) then no longer gives
    that cell probability 1, while a well-populated one barely moves. Post-processing only.
    """
    clipped = np.clip(noisy, 0.0, None)
    k = clipped.shape[1]
    marginal = clipped.sum(axis=0)
    marginal = marginal / marginal.sum() if marginal.sum() > 0 else np.full(k, 1.0 / k)
    if prior_rows > 0:
        clipped = clipped + prior_rows * marginal
    totals = clipped.sum(axis=1, keepdims=True)
    probs = np.where(totals > 0, clipped / np.where(totals > 0, totals, 1.0), marginal)
    cdf = np.cumsum(probs, axis=1)
    cdf[:, -1] = 1.0
    return cdf


#: Each parent configuration's noisy counts are shrunk towards the child's overall distribution by this many
#: Laplace scales of pseudo-rows (post-processing, no budget): a configuration where the noise left one cell alone no
#: longer makes that cell certain. Measured on Adult (3 fits each, 1-/2-/3-way accuracy): ε = 3 0.941 → 0.946,
#: ε = 1 0.911 → 0.913; 1 to 10 scales score alike.
PRIOR_NOISE_SCALES = 2.0


def noisy_tables(
    codes: np.ndarray,
    network: list[tuple[int, tuple[int, ...]]],
    sizes: tuple[int, ...],
    faint: list[int | None],
    eps_tables: float,
    noise: np.random.Generator,
    progress: ProgressCallback,
    names: list[str],
) -> tuple[NoisyTable, ...]:
    """Each (child, parents) pair of ``network`` as a :class:`NoisyTable`: its joint counts with Laplace noise, the
    ``faint`` code of each attribute (a missing code or "(other)", None for none) dropped when only noise holds it
    (:func:`drop_faint_code`), shrunk by :data:`PRIOR_NOISE_SCALES` (:func:`conditional_cdf`).

    The tables' ε split ∝ √cells (each table's own sensitivity is 1): that minimises the summed expected L1 error
    Σ cells_i / ε_i under Σ ε_i = ``eps_tables``, instead of giving a 2-cell table as much as a 400-cell one."""
    cells = np.asarray([sizes[c] * math.prod(sizes[p] for p in parents) for c, parents in network], dtype=float)
    shares = np.sqrt(cells) / np.sqrt(cells).sum() if len(cells) else cells
    tables = []
    for i, (child, parents) in enumerate(network):
        progress(i / max(len(sizes), 1), f"noisy table for {names[child]}")
        counts = count_table(codes, child, parents, sizes)
        scale = 1.0 / (eps_tables * shares[i])
        noisy = mechanisms.laplace(counts, scale, noise)
        code = faint[child]
        noisy = noisy if code is None else drop_faint_code(noisy, code, scale)
        tables.append(NoisyTable(child, parents, conditional_cdf(noisy, PRIOR_NOISE_SCALES * scale)))
    return tuple(tables)


def mutual_information(x: np.ndarray, y: np.ndarray, kx: int, ky: int) -> float:
    """I(X; Y) in nats from paired codes."""
    joint = np.bincount(x * ky + y, minlength=kx * ky).reshape(kx, ky).astype(float)
    joint /= joint.sum()
    px, py = joint.sum(axis=1), joint.sum(axis=0)
    nz = joint > 0
    return float((joint[nz] * np.log(joint[nz] / np.outer(px, py)[nz])).sum())


def l1_dependence(x: np.ndarray, y: np.ndarray, kx: int, ky: int) -> float:
    """n · R(X, Y) = ½ Σ |c_xy − c_x c_y / n| from paired codes: PrivBayes' R score on the count scale.

    0 when X and Y are independent in the table, never above n. Its sensitivity to one row added or removed is
    below 2 (:func:`~synth.synthesizers.dp.mechanisms.l1_dependence_sensitivity`).
    """
    n = len(x)
    if n == 0:
        return 0.0
    joint = np.bincount(x * ky + y, minlength=kx * ky).reshape(kx, ky).astype(float)
    expected = np.outer(joint.sum(axis=1), joint.sum(axis=0)) / n
    return float(0.5 * np.abs(joint - expected).sum())


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


def parent_sets(
    child: int, chosen: list[int], sizes: tuple[int, ...], degree: int, max_cells: float, key: int | None
) -> list[tuple[int, ...]]:
    """The candidate parent sets of ``child``: :func:`candidate_parents`, each holding ``key`` when it fits."""
    if key is None or degree < 1 or sizes[child] * sizes[key] > max_cells:
        return candidate_parents(sizes[child], chosen, sizes, degree, max_cells)
    others = [c for c in chosen if c != key]
    rest = candidate_parents(sizes[child] * sizes[key], others, sizes, degree - 1, max_cells)
    return [(key, *subset) for subset in rest]


def root_candidates(sizes: tuple[int, ...], informative: tuple[bool, ...] | None = None) -> list[int]:
    """The attributes the network's root is drawn from: those with the fewest codes among the informative ones.

    A function of the released domains only (sizes, and which columns the noise left with a single value), so
    the choice costs no budget. The root is a candidate parent of every later attribute, and the θ-usefulness
    limit on a table's cells leaves room next to a small parent for a second one: with a root of few codes
    (a sex or an outcome flag) the search builds joint tables around it, where a wide root (an occupation)
    starts a chain in which later columns get one parent each. A column holding one value is useless as a root,
    so it is passed over while any other column is left (``informative``, default: every column).
    Measured on Adult at ε = 3 (8 fits per forced root, mostlyai-qa accuracy): the 3-code roots (sex, income)
    scored 0.951, the wide ones (occupation, education, workclass, hours per week) 0.947–0.948; a uniformly
    random root (PrivBayes' rule) averages 0.949 with one fit in eight under 0.944.
    """
    pool = [i for i in range(len(sizes)) if informative is None or informative[i]] or list(range(len(sizes)))
    if not pool:
        return []
    fewest = min(sizes[i] for i in pool)
    return [i for i in pool if sizes[i] == fewest]


def learn_network(
    codes: np.ndarray,
    sizes: tuple[int, ...],
    degree: int,
    eps_structure: float,
    max_cells: float,
    noise: np.random.Generator,
    progress: ProgressCallback,
    key: int | None = None,
    score: str = "L1 dependence",
    roots: list[int] | None = None,
) -> list[tuple[int, tuple[int, ...]]]:
    """Greedy PrivBayes structure: (child, parents) pairs in sampling order.

    With a ``key`` attribute (named by the user, so the choice costs no budget) the key is the root and
    every candidate parent set holds it whenever the child's table with the key alone fits ``max_cells``: a
    rare flag, whose mutual information with anything is tiny and which the search would leave as a leaf,
    then conditions every column. The candidate sets still depend only on the public sizes and limit.

    Without a key the first attribute is drawn uniformly from ``roots`` (default: every attribute, PrivBayes' rule;
    the synthesizer passes :func:`root_candidates`): a choice from public sizes only, costing no budget. Each later
    step scores every (attribute not yet chosen, maximal parent set among the chosen) pair and picks one with the
    exponential mechanism at ε_structure / (d − 1). ``score`` "L1 dependence" (the default) is PrivBayes' R on the count
    scale, n · R(X, Π) (:func:`l1_dependence`), of sensitivity 2 for any table
    (:func:`~synth.synthesizers.dp.mechanisms.l1_dependence_sensitivity`); "mutual information" is n · I(X; Π),
    whose sensitivity is bounded for any table of up to a billion rows
    (:func:`~synth.synthesizers.dp.mechanisms.mi_count_sensitivity`), about 11 times larger relative to the
    scores' spread. ``noise`` must be a private generator (:func:`~synth.synthesizers.dp.mechanisms.private_rng`).
    """
    n, d = codes.shape
    if d == 0:
        return []
    if key is not None:
        root = key
    else:
        pool = list(range(d)) if not roots else list(roots)
        root = pool[int(noise.integers(len(pool)))]
    chosen = [root]
    network: list[tuple[int, tuple[int, ...]]] = [(root, ())]
    eps_step = eps_structure / (d - 1) if d > 1 else 0.0
    if score not in ("L1 dependence", "mutual information"):
        raise ValueError(f"unknown structure score {score!r}")
    l1 = score == "L1 dependence"
    sensitivity = mechanisms.l1_dependence_sensitivity() if l1 else mechanisms.mi_count_sensitivity()
    measure = l1_dependence if l1 else mutual_information
    config_cache: dict[tuple[int, ...], np.ndarray] = {}
    for step in range(1, d):
        progress(step / d, f"choosing the network: attribute {step + 1} of {d}")
        candidates: list[tuple[int, tuple[int, ...]]] = []
        scores: list[float] = []
        for child in range(d):
            if child in chosen:
                continue
            for parents in parent_sets(child, chosen, sizes, degree, max_cells, key):
                if parents:
                    if parents not in config_cache:
                        config_cache[parents] = configurations(codes, parents, sizes)
                    k_parents = math.prod(sizes[p] for p in parents)
                    value = measure(codes[:, child], config_cache[parents], sizes[child], k_parents)
                else:
                    value = 0.0
                candidates.append((child, parents))
                scores.append(value if l1 else n * value)
        pick = mechanisms.exponential(np.asarray(scores), eps_step, sensitivity, noise)
        child, parents = candidates[pick]
        chosen.append(child)
        network.append((child, parents))
    return network
