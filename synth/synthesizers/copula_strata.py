"""Which rows the Gaussian copula fits a copula of their own to: the levels of the categorical column that tells
most about the others (:func:`choose_stratum_column`), and the rows of a rare, distinct flag such as fraud
(:func:`find_rare_flag`), grouped into components by :func:`stratum_groups`. :mod:`synth.synthesizers.gaussian_copula`
fits one copula per group and draws from their mixture.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.schema import Schema
from synth.synthesizers.marginals import NUMERIC_KINDS, sorted_values
from synth.synthesizers.person_rarity import distinct_people, people_per_value

MAX_STRATA_LEVELS = 30
MIN_STRATIFY_INFORMATION = 0.1
DETERMINED = 0.9
ASSOCIATION_SAMPLE = 5000
RARE_FLAG_SHARE = 0.1
MIN_FLAG_DISTINCTNESS = 0.15
FLAG_SAMPLE_ROWS = 200_000


def _codes(series: pd.Series, numeric: bool, bins: int = 10) -> np.ndarray:
    if numeric:
        x = pd.to_numeric(series, errors="coerce") if not pd.api.types.is_datetime64_any_dtype(series) else series
        ranks = pd.Series(x).rank(method="dense", na_option="keep")
        binned = pd.qcut(ranks, q=bins, labels=False, duplicates="drop")
        return np.asarray(binned.fillna(-1).to_numpy(dtype=float) + 1, dtype=np.int64)
    labels, _ = pd.factorize(series.astype(object).where(series.notna(), "__na__"))
    return np.asarray(labels, dtype=np.int64)


def _mutual_information(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mutual information of two code arrays and the entropy of each, in nats."""
    na, nb = int(a.max()) + 1, int(b.max()) + 1
    joint = np.bincount(a * nb + b, minlength=na * nb).reshape(na, nb).astype(float)
    p = joint / joint.sum()
    pa, pb = p.sum(axis=1), p.sum(axis=0)
    nz = p > 0
    mi = float((p[nz] * np.log(p[nz] / np.outer(pa, pb)[nz])).sum())

    def entropy(q: np.ndarray) -> float:
        q = q[q > 0]
        return float(-(q * np.log(q)).sum())

    return mi, entropy(pa), entropy(pb)


def choose_stratum_column(data: pd.DataFrame, schema: Schema, min_rows: int, rng: np.random.Generator) -> str | None:
    """The categorical column that tells most about the others, if it is worth splitting on.

    Score: the sum of its mutual information with every other column (numbers in 10 quantile bins), leaving out
    partners it nearly determines or is determined by (normalised MI ≥ ``DETERMINED``): category ordering already
    carries those, and splitting on them helps little. Measured on Adult, this ranks the columns as the quality
    gain of splitting does (relationship, then marital_status). A candidate has 2 to ``MAX_STRATA_LEVELS`` levels,
    at least two of them with ``min_rows`` rows, and a score of at least ``MIN_STRATIFY_INFORMATION``.
    """
    # Rows, not people, on purpose: this only names a column, from mutual information summed over the whole table;
    # no region of anyone's rows is made here. The components that column's levels become are counted in people
    # when the person is known (stratum_groups, whose small levels join a large one), so a column whose levels are
    # large in rows but few people's gives fewer components, never one person's.
    rows = rng.choice(len(data), size=min(len(data), ASSOCIATION_SAMPLE), replace=False)
    sample = data.iloc[np.sort(rows)]
    codes = {s.name: _codes(sample[s.name], s.kind in NUMERIC_KINDS) for s in schema}
    best: tuple[float, str] | None = None
    for spec in schema:
        if spec.kind in NUMERIC_KINDS:
            continue
        counts = data[spec.name].value_counts(dropna=False)
        if not 2 <= len(counts) <= MAX_STRATA_LEVELS or int((counts >= min_rows).sum()) < 2:
            continue
        score = 0.0
        for other in schema:
            if other.name == spec.name:
                continue
            mi, h_a, h_b = _mutual_information(codes[spec.name], codes[other.name])
            if min(h_a, h_b) > 0 and mi / min(h_a, h_b) < DETERMINED:
                score += mi
        if score >= MIN_STRATIFY_INFORMATION and (best is None or score > best[0]):
            best = (score, spec.name)
    return None if best is None else best[1]


def _total_variation(codes: np.ndarray, inside: np.ndarray) -> float:
    """Total variation distance between the code distributions of the rows inside and outside a group."""
    return _distance(codes, inside, ~inside)


def find_rare_flag(
    data: pd.DataFrame, schema: Schema, min_rows: int, people: np.ndarray | None = None
) -> tuple[str, object] | None:
    """The rare value of a two-valued column (fraud, default, failure) whose rows differ most from the rest.

    A candidate's rarer value holds at most ``RARE_FLAG_SHARE`` of the rows and at least ``min_rows``; its
    distinctness is the mean total variation distance, over the other columns (numbers in 10 quantile bins),
    between its rows and the others. Pooled with the common rows, such a segment is one corner of a Gaussian
    that the common rows shape: on the transactions table the fraud rows' own amounts, hours and channels are
    lost (shapes 0.80 inside the segment against 0.88 for the holdout). With a component of its own, it keeps
    them. Distinctness must reach ``MIN_FLAG_DISTINCTNESS``, several times what a flag drawn at random gets
    from sampling noise alone (about 0.06 at 400 rows), so a flag that tells nothing does not split the model.
    With ``people`` (each row's person), the rarer value must be held by ``min_rows`` people: one customer's 250
    flagged orders would be a component of their own rows (:mod:`synth.synthesizers.person_rarity`).
    """
    best: tuple[float, str, object] | None = None
    codes: dict[str, np.ndarray] = {}
    for spec in schema:
        if spec.kind in NUMERIC_KINDS:
            continue
        labels = data[spec.name].astype(object).where(data[spec.name].notna(), "__synth_missing__")
        counts = labels.value_counts()
        if len(counts) != 2 or not min_rows <= int(counts.iloc[-1]) <= RARE_FLAG_SHARE * len(data):
            continue
        if people is not None and people_per_value(labels, people).get(counts.index[-1], 0) < min_rows:
            continue
        # Distinctness from every step-th row of a large table (no random draw: the fit's stream is untouched).
        step = -(-len(data) // FLAG_SAMPLE_ROWS)
        if not codes:
            codes = {s.name: _codes(data[s.name].iloc[::step], s.kind in NUMERIC_KINDS) for s in schema}
        value = counts.index[-1]
        inside = (labels.iloc[::step] == value).to_numpy()
        others = [_total_variation(codes[o.name], inside) for o in schema if o.name != spec.name]
        score = float(np.mean(others)) if others else 0.0
        if score >= MIN_FLAG_DISTINCTNESS and (best is None or score > best[0]):
            best = (score, spec.name, None if value == "__synth_missing__" else value)
    return None if best is None else (best[1], best[2])


def stratum_groups(
    data: pd.DataFrame,
    by: tuple[str, ...],
    flag: tuple[str, object] | None,
    min_rows: int,
    people: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Row indices per component: one per combination of levels of the ``by`` columns with ``min_rows`` rows, or
    people when ``people`` is given (smaller ones pooled), in sorted order of level, then the rare flag's rows (taken
    out of the others) last.

    Pooled levels that together hold fewer than ``min_rows`` rows (or people) join the large level nearest them
    (:func:`_nearest_level`), so every component holds ``min_rows`` rows and people unless the whole table does not.
    Kept as a component of its own, Adult's 16 Married-AF-spouse rows (``stratify="marital_status"``) were one
    copula of 16 rows, and one lone level of 60 rows gave back its rows' amounts and region on every synthetic row
    of that level (``tests/unit/test_copula_strata.py``). Measured on Adult (accuracy, 2 seeds; ``stratify``,
    ``min_stratum_rows``): marital_status, 200: 0.9518 alone, 0.9511 folded; workclass, 200 (19 rows of two
    levels): 0.9386, 0.9384; relationship, 1000 (Other-relative's 774 rows): 0.9542, 0.9538 folded into the nearest
    level, 0.9513 into the largest, 0.9308 unstratified. The walk's hr table (``level``: L6's 79 rows at the
    default 200, folded into L5): 0.8435 -> 0.8505, DCR share 0.536 -> 0.530."""
    flagged = np.zeros(len(data), dtype=bool)
    if flag is not None:
        column, value = flag
        flagged = (data[column].isna() if value is None else data[column] == value).to_numpy()
    if not by:
        groups = [np.flatnonzero(~flagged)]
    else:
        parts = [data[c].astype(object).where(data[c].notna(), "__synth_missing__") for c in by]
        if len(parts) == 1:
            labels = parts[0]
        else:  # one label per combination; a separator no label holds keeps them apart
            text = [p.astype(str) for p in parts]
            labels = pd.Series(["\x1f".join(t) for t in zip(*text, strict=True)], index=data.index, dtype=object)
        counts = (
            labels[~flagged].value_counts() if people is None else people_per_value(labels[~flagged], people[~flagged])
        )
        big = set(counts.index[counts >= min_rows])
        keyed = labels.where(labels.isin(big), "__synth_pooled__")
        pooled = (keyed == "__synth_pooled__").to_numpy() & ~flagged
        if big and pooled.any() and not _enough(pooled, min_rows, people):
            # The small levels together are still too few (one level of 60 rows, or one customer's 40 orders): a
            # component of their own would be their rows' distribution alone. They join the nearest large level.
            keyed[pooled] = _nearest_level(data.drop(columns=list(by)), keyed, pooled, sorted_values(big))
        # Components in sorted order of their level, not by size: the file lists no ranking of counts.
        levels = sorted_values(keyed[~flagged].unique())
        groups = [np.flatnonzero((keyed == level).to_numpy() & ~flagged) for level in levels]
    if flag is not None:
        groups.append(np.flatnonzero(flagged))
    return [g for g in groups if len(g)]


def _enough(rows: np.ndarray, min_rows: int, people: np.ndarray | None) -> bool:
    """Whether the rows under the mask ``rows`` may be a component: ``min_rows`` rows, and people when known."""
    return int(rows.sum()) >= min_rows and (people is None or distinct_people(people[rows]) >= min_rows)


def _nearest_level(others: pd.DataFrame, keyed: pd.Series, pooled: np.ndarray, levels: list[object]) -> object:
    """The level of ``levels`` whose rows' values are nearest the ``pooled`` rows': the least sum, over the columns of
    ``others``, of the total variation distance between the two groups' distributions (numbers and dates in 10
    quantile bins); the first in sorted order on a tie. On a large table, from every step-th row and the pooled rows.

    Folded into the nearest level, Adult's 774 Other-relative rows (``min_stratum_rows`` 1000) kept the accuracy they
    had as a component of their own (0.9538 against 0.9542); into the largest, Husband, it fell to 0.9513. The choice
    reads the pooled rows, as their component's marginals would, and gives out one of the levels' names; their rows
    then shape a component that holds ``min_rows`` rows and people."""
    step = -(-len(keyed) // FLAG_SAMPLE_ROWS)
    rows = np.union1d(np.flatnonzero(pooled), np.arange(0, len(keyed), step))
    part = others.iloc[rows]
    codes = [_codes(part[c], _is_number(part[c])) for c in part.columns]
    mine = pooled[rows]
    best: tuple[float, object] | None = None
    for level in levels:
        theirs = (keyed.iloc[rows] == level).to_numpy() & ~pooled[rows]
        distance = sum(_distance(c, mine, theirs) for c in codes)
        if best is None or distance < best[0]:
            best = (distance, level)
    return levels[0] if best is None else best[1]


def _is_number(series: pd.Series) -> bool:
    """Numbers (not yes/no) and dates: binned by quantile."""
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    return numeric or pd.api.types.is_datetime64_any_dtype(series)


def _distance(codes: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Total variation distance between the code distributions of the rows under masks ``a`` and ``b``."""
    k = int(codes.max()) + 1 if len(codes) else 1
    p = np.bincount(codes[a], minlength=k) / max(int(a.sum()), 1)
    q = np.bincount(codes[b], minlength=k) / max(int(b.sum()), 1)
    return float(0.5 * np.abs(p - q).sum())
