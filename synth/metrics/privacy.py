"""Privacy: could a synthetic table expose a real person?

Distance to closest record (DCR) uses a mixed-type distance: numbers and datetimes scaled by their real range
(so a full-range gap counts 1), categories one-hot with weight 1/√2 (so a mismatch counts 1), and missing
values as their own indicator. Identifiers, PII, free text and constants are generated, not learned, and are
left out.

The DCR share compares each synthetic row's distance to a random sample of train *of the holdout's size*
with its distance to the holdout: a generator that memorises nothing is as close to one as to the other, so
50% is ideal. (Against the full train, more rows alone make train look closer.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from synth.metrics.spec import MetricSpec
from synth.progress import ProgressCallback, ensure
from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema

MAX_ONE_HOT = 100

DCR_SHARE = MetricSpec(
    "DCRShare",
    "Share of synthetic rows closer to train than to an equally large holdout (50% is ideal)",
    goal="minimize",
)


@dataclass(frozen=True)
class MixedEncoder:
    """Encodes rows as vectors whose Euclidean distance is a Gower-like mixed-type distance."""

    numeric: tuple[tuple[str, float, float, bool], ...]  # name, minimum, range, has missing
    categorical: tuple[tuple[str, tuple[str, ...]], ...]  # name, known categories

    @classmethod
    def fit(cls, train: pd.DataFrame, schema: Schema) -> MixedEncoder:
        numeric, categorical = [], []
        for spec in schema:
            if not spec.kind.is_modelled or spec.name not in train.columns:
                continue
            col = train[spec.name]
            if spec.kind in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME):
                x = _numeric(col, spec.kind)
                finite = x[np.isfinite(x)]
                lo = float(finite.min()) if len(finite) else 0.0
                span = float(finite.max() - lo) if len(finite) else 1.0
                numeric.append((spec.name, lo, span if span > 0 else 1.0, bool(np.isnan(x).any())))
            else:
                top = _as_labels(col).value_counts().index[:MAX_ONE_HOT]
                categorical.append((spec.name, tuple(str(v) for v in top)))
        return cls(tuple(numeric), tuple(categorical))

    @property
    def columns(self) -> list[str]:
        return [n for n, *_ in self.numeric] + [n for n, _ in self.categorical]

    def transform(self, df: pd.DataFrame, kinds: dict[str, ColumnKind]) -> np.ndarray:
        parts: list[np.ndarray] = []
        for name, lo, span, has_missing in self.numeric:
            x = (_numeric(df[name], kinds[name]) - lo) / span
            missing = np.isnan(x)
            parts.append(np.where(missing, 0.0, x)[:, None])
            if has_missing or missing.any():
                parts.append(missing.astype(float)[:, None])
        weight = 1.0 / np.sqrt(2.0)
        for name, cats in self.categorical:
            lookup = {c: i for i, c in enumerate(cats)}
            codes = _as_labels(df[name]).map(lookup).fillna(len(cats)).to_numpy(dtype=np.int64)
            onehot = np.zeros((len(df), len(cats) + 1), dtype=np.float32)
            onehot[np.arange(len(df)), codes] = weight
            parts.append(onehot)
        if not parts:
            return np.zeros((len(df), 1), dtype=np.float32)
        return np.hstack(parts).astype(np.float32)


def _numeric(col: pd.Series, kind: ColumnKind) -> np.ndarray:
    if kind is ColumnKind.DATETIME:
        dt = pd.to_datetime(col, errors="coerce")
        out = dt.astype("int64").to_numpy().astype(float)
        out[dt.isna().to_numpy()] = np.nan
        return out
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


def _as_labels(col: pd.Series) -> pd.Series:
    return col.astype(object).where(col.notna(), "__missing__").astype(str)


def nearest_distances(queries: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Distance from each query row to its nearest reference row (chunked brute force)."""
    nn = NearestNeighbors(n_neighbors=1, algorithm="brute", metric="euclidean", n_jobs=1).fit(reference)
    dist, _ = nn.kneighbors(queries, return_distance=True)
    return dist[:, 0].astype(float)


def row_hashes(df: pd.DataFrame, columns: list[str], kinds: dict[str, ColumnKind]) -> np.ndarray:
    """A hash per row over ``columns``, equal for rows with equal values whatever their dtypes."""
    normal = pd.DataFrame(index=df.index)
    for name in columns:
        if kinds[name] in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME):
            normal[name] = np.round(_numeric(df[name], kinds[name]), 9)
        else:
            normal[name] = _as_labels(df[name])
    return pd.util.hash_pandas_object(normal, index=False).to_numpy()


@dataclass(frozen=True)
class PrivacyResult:
    """Distance-based privacy evidence for one synthetic table.

    Attributes:
        dcr_synthetic: distance from each compared synthetic row to its closest training row.
        dcr_holdout: distance from each holdout row to its closest training row (the real-data yardstick).
        dcr_share: share of synthetic rows closer to a holdout-sized train sample than to the holdout (ties
            count half); 0.5 is ideal, higher means the synthetic rows sit on top of training rows.
        exact_copies: synthetic rows identical to some training row (over the learned columns).
        holdout_exact_copies: holdout rows identical to some training row: what fresh real data gives.
    """

    dcr_synthetic: tuple[float, ...]
    dcr_holdout: tuple[float, ...]
    dcr_share: float
    n_compared: int
    exact_copies: int
    exact_copy_rate: float
    holdout_exact_copies: int
    holdout_exact_copy_rate: float
    n_train: int
    n_holdout: int
    n_synthetic: int
    columns: tuple[str, ...]

    @property
    def median_dcr_synthetic(self) -> float:
        return float(np.median(self.dcr_synthetic)) if self.dcr_synthetic else float("nan")

    @property
    def median_dcr_holdout(self) -> float:
        return float(np.median(self.dcr_holdout)) if self.dcr_holdout else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_privacy(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame,
    schema: Schema | None = None,
    max_rows: int = 10_000,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> PrivacyResult:
    """Measure how close synthetic rows sit to the real training rows, against fresh real rows.

    Args:
        train: the table the synthesizer was fitted on.
        synthetic: its synthetic output.
        holdout: real rows the synthesizer never saw.
        schema: column kinds (inferred from ``train`` when omitted).
        max_rows: at most this many synthetic and holdout rows enter the distance computations.
        seed: seed of the row samples.
        progress: called with (fraction, message).

    Returns:
        A frozen :class:`PrivacyResult`.
    """
    report = ensure(progress)
    if holdout is None or len(holdout) == 0:
        raise ValueError("privacy needs a holdout of real rows the synthesizer never saw")
    schema = schema or infer_schema(train)
    kinds = schema.kinds()
    rng = np.random.default_rng(seed)
    cols = [c for c in schema.modelled if c in train.columns and c in synthetic.columns and c in holdout.columns]
    if not cols:
        raise ValueError("no learned column is shared by train, holdout and synthetic tables")
    sub = schema.select(cols)
    train_c = coerce_to_schema(train[cols], sub)
    hold_c = coerce_to_schema(holdout[cols], sub)
    syn_c = coerce_to_schema(synthetic[cols], sub)

    report(0.05, "counting exact copies of training rows")
    train_hashes = row_hashes(train_c, cols, kinds)
    in_train = np.isin(row_hashes(syn_c, cols, kinds), train_hashes)
    hold_in_train = np.isin(row_hashes(hold_c, cols, kinds), train_hashes)

    report(0.15, "encoding rows for distances")
    encoder = MixedEncoder.fit(train_c, sub)
    n_cmp = min(len(hold_c), max_rows)
    hold_rows = rng.choice(len(hold_c), size=n_cmp, replace=False) if len(hold_c) > n_cmp else np.arange(n_cmp)
    syn_rows = rng.choice(len(syn_c), size=min(len(syn_c), n_cmp), replace=False)
    train_rows = rng.choice(len(train_c), size=min(len(train_c), n_cmp), replace=False)
    x_train = encoder.transform(train_c, kinds)
    x_hold = encoder.transform(hold_c.iloc[hold_rows], kinds)
    x_syn = encoder.transform(syn_c.iloc[syn_rows], kinds)

    report(0.25, "distance from holdout rows to train")
    dcr_hold = nearest_distances(x_hold, x_train)
    report(0.5, "distance from synthetic rows to train")
    dcr_syn = nearest_distances(x_syn, x_train)
    report(0.75, "synthetic rows: train sample vs holdout")
    to_train_sub = nearest_distances(x_syn, x_train[train_rows])
    to_hold = nearest_distances(x_syn, x_hold)
    share = float(np.mean(to_train_sub < to_hold) + 0.5 * np.mean(to_train_sub == to_hold))
    report(1.0, "done")
    return PrivacyResult(
        dcr_synthetic=tuple(float(v) for v in dcr_syn),
        dcr_holdout=tuple(float(v) for v in dcr_hold),
        dcr_share=share,
        n_compared=len(syn_rows),
        exact_copies=int(in_train.sum()),
        exact_copy_rate=float(in_train.mean()),
        holdout_exact_copies=int(hold_in_train.sum()),
        holdout_exact_copy_rate=float(hold_in_train.mean()),
        n_train=len(train),
        n_holdout=len(holdout),
        n_synthetic=len(synthetic),
        columns=tuple(cols),
    )
