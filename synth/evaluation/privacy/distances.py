"""Privacy: could a synthetic table expose a real person?

The distance panel. Distance to closest record (DCR) uses a mixed-type distance: numbers and datetimes scaled
by their real range (so a full-range gap counts 1), categories one-hot with weight 1/√2 (so a mismatch counts
1), and missing values as their own indicator (see :mod:`synth.evaluation.privacy.neighbors`). Every category
has its own code (no "other" lumping). Identifiers, PII, free text and constants are generated, not learned,
and are left out. Every synthetic and holdout row is searched against every training row; the tables are
prepared once in a shared :class:`~synth.evaluation.privacy.inputs.PrivacyInputs`.

* **DCR** — distance from each synthetic row, and from each real holdout row (the yardstick), to its closest
  training row.
* **DCR share** — each synthetic row's distance to a random sample of train *of the holdout's size* against
  its distance to the holdout: a generator that memorises nothing is as close to one as to the other, so
  50% is ideal. Against the full train the ideal is ``n_train / (n_train + n_holdout)``; both are reported,
  the second is the stronger signal (a verbatim copy scores 100% against an ideal of 80%).
* **NNDR** — nearest-neighbour distance ratio: distance to the closest training row over the distance to the
  second closest. Near 0 the synthetic row sits on one particular person rather than among several.
* **Exact copies** — synthetic rows equal to a training row on every learned column, and the subset equal
  to a training row that is *unique* in training (a copied rare person). The holdout gives the rates that
  coincidence alone produces.
* **Membership inference** — :func:`synth.evaluation.privacy.membership.membership_inference` (distance,
  density ratio, shadow model, targeted check), included by default.

The attacks of the Article 29 Working Party criteria are in :mod:`synth.evaluation.privacy.attacks`, the record
inspector in :mod:`synth.evaluation.privacy.inspector` and the verdict in :mod:`synth.evaluation.privacy.verdict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.evaluation.privacy.common import PrivacyInputError, success_rate
from synth.evaluation.privacy.inputs import DEFAULT_TARGETS, PrivacyInputs
from synth.evaluation.privacy.membership import MembershipResult, membership_inference
from synth.evaluation.privacy.neighbors import MixedEncoder, nearest_distances, row_hashes
from synth.evaluation.results import to_jsonable
from synth.evaluation.spec import MetricSpec
from synth.progress import ProgressCallback, ensure, scaled
from synth.schema import Schema

__all__ = [
    "DCR_SHARE",
    "ClosenessShare",
    "MixedEncoder",
    "PrivacyInputError",
    "PrivacyInputs",
    "PrivacyResult",
    "closeness_share",
    "evaluate_privacy",
    "nearest_distances",
    "row_hashes",
]

N_CLOSEST = 50

DCR_SHARE = MetricSpec(
    "DCRShare",
    "Share of synthetic rows closer to train than to an equally large holdout (50% is ideal)",
    goal="minimize",
)
DCR_SHARE_FULL = MetricSpec(
    "DCRShareFullTrain",
    "Share of synthetic rows closer to the full train than to the holdout (ideal: train's share of real rows)",
    goal="minimize",
)
NNDR = MetricSpec(
    "NNDR",
    "Distance to the closest training row over the distance to the second closest (low = on one person)",
    goal="maximize",
)
EXACT_COPY_RATE = MetricSpec(
    "ExactCopyRate",
    "Share of synthetic rows identical to a training row on every learned column",
    goal="minimize",
)


def _ratio(d: np.ndarray) -> np.ndarray:
    """d1 / d2 per row; 1 where both are 0 (a duplicated training row is not one particular person)."""
    d1, d2 = d[:, 0], d[:, 1] if d.shape[1] > 1 else d[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d2 > 0, d1 / d2, 1.0)
    return np.clip(out, 0.0, 1.0)


@dataclass(frozen=True)
class PrivacyResult:
    """Distance-based privacy evidence for one synthetic table.

    Attributes:
        dcr_synthetic: distance from every synthetic row to its closest training row.
        dcr_holdout: distance from every holdout row to its closest training row (the real-data yardstick).
        dcr_share: share of synthetic rows closer to a holdout-sized train sample than to the holdout (ties
            count half); 0.5 is ideal, higher means the synthetic rows sit on top of training rows.
        n_compared: synthetic rows in the distance computations (all of them).
        exact_copies: synthetic rows identical to some training row (over the learned columns).
        exact_copy_rate: ``exact_copies`` over all synthetic rows.
        holdout_exact_copies: holdout rows identical to some training row: what fresh real data gives.
        holdout_exact_copy_rate: ``holdout_exact_copies`` over the holdout rows.
        n_train / n_holdout / n_synthetic: table sizes.
        columns: the learned columns compared.
        dcr_share_full: share of synthetic rows closer to the full train than to the holdout (ties count
            ``dcr_share_full_expected``).
        dcr_share_full_expected: its ideal, ``n_train / (n_train + n_holdout compared)``.
        nndr_synthetic / nndr_holdout: nearest-neighbour distance ratio of each compared synthetic / holdout row.
        unique_copies: synthetic rows identical to a training row that is unique in training.
        unique_copy_rate: ``unique_copies`` over all synthetic rows.
        holdout_unique_copies / holdout_unique_copy_rate: the same for holdout rows.
        n_train_unique: training rows whose combination of learned values is unique in training.
        closest_rows: positions in the synthetic table of the rows closest to train, closest first, found among
            all synthetic rows (a starting point for the record inspector).
        membership: the membership attacks, when they were run.
        seed: seed of the row samples.
        n_train_sample: training rows in the holdout-sized sample of ``dcr_share`` (the one subsample here).
        notes: what was left out of the comparison and why (extra synthetic columns, empty columns).
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
    dcr_share_full: float = 0.0
    dcr_share_full_expected: float = 0.0
    nndr_synthetic: tuple[float, ...] = ()
    nndr_holdout: tuple[float, ...] = ()
    unique_copies: int = 0
    unique_copy_rate: float = 0.0
    holdout_unique_copies: int = 0
    holdout_unique_copy_rate: float = 0.0
    n_train_unique: int = 0
    closest_rows: tuple[int, ...] = ()
    membership: MembershipResult | None = None
    seed: int = 0
    n_train_sample: int = 0
    notes: tuple[str, ...] = ()

    @property
    def median_dcr_synthetic(self) -> float:
        return float(np.median(self.dcr_synthetic)) if self.dcr_synthetic else float("nan")

    @property
    def median_dcr_holdout(self) -> float:
        return float(np.median(self.dcr_holdout)) if self.dcr_holdout else float("nan")

    @property
    def median_nndr_synthetic(self) -> float:
        return float(np.median(self.nndr_synthetic)) if self.nndr_synthetic else float("nan")

    @property
    def median_nndr_holdout(self) -> float:
        return float(np.median(self.nndr_holdout)) if self.nndr_holdout else float("nan")

    @property
    def zero_dcr_share(self) -> float:
        """Share of compared synthetic rows at distance 0 from a training row."""
        return float(np.mean(np.asarray(self.dcr_synthetic) == 0.0)) if self.dcr_synthetic else 0.0

    @property
    def dcr_share_full_excess(self) -> float:
        """How far the full-train share sits from its ideal towards 100%: 0 ideal, 1 every row on train."""
        room = 1.0 - self.dcr_share_full_expected
        return (self.dcr_share_full - self.dcr_share_full_expected) / room if room > 0 else 0.0

    @property
    def dcr_share_full_excess_interval(self) -> tuple[float, float]:
        """95% interval of :attr:`dcr_share_full_excess` (Wilson interval of the share over the compared rows)."""
        room = 1.0 - self.dcr_share_full_expected
        if room <= 0 or not self.n_compared:
            return (0.0, 0.0)
        rate = success_rate(self.dcr_share_full * self.n_compared, self.n_compared)
        return ((rate.low - self.dcr_share_full_expected) / room, (rate.high - self.dcr_share_full_expected) / room)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        out.update(
            median_dcr_synthetic=to_jsonable(self.median_dcr_synthetic),
            median_dcr_holdout=to_jsonable(self.median_dcr_holdout),
            median_nndr_synthetic=to_jsonable(self.median_nndr_synthetic),
            median_nndr_holdout=to_jsonable(self.median_nndr_holdout),
            dcr_share_full_excess=self.dcr_share_full_excess,
            dcr_share_full_excess_interval=list(self.dcr_share_full_excess_interval),
        )
        return out


@dataclass(frozen=True)
class CopyCounts:
    """Exact copies of training rows: the first privacy numbers, counted in well under a second.

    Attributes:
        exact_copies / exact_copy_rate: synthetic rows equal to a training row on every compared column.
        holdout_exact_copies / holdout_exact_copy_rate: the same for holdout rows (what coincidence gives).
        unique_copies / unique_copy_rate: synthetic rows equal to a training row unique in training.
        holdout_unique_copies / holdout_unique_copy_rate: the same for holdout rows.
        n_train_unique: training rows whose combination of values is unique in training.
        n_synthetic / n_holdout: rows counted (all of them).
    """

    exact_copies: int
    exact_copy_rate: float
    holdout_exact_copies: int
    holdout_exact_copy_rate: float
    unique_copies: int
    unique_copy_rate: float
    holdout_unique_copies: int
    holdout_unique_copy_rate: float
    n_train_unique: int
    n_synthetic: int
    n_holdout: int

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


@dataclass(frozen=True)
class ClosenessShare:
    """The holdout-sized closeness share on its own: the first distance number, ready before the full panel.

    Attributes:
        dcr_share: share of synthetic rows closer to a seeded train sample as large as the holdout than to the
            holdout (ties count half); 0.5 is ideal.
        n_train_sample: training rows in that sample.
        n_synthetic / n_holdout: rows compared (all of them).
    """

    dcr_share: float
    n_train_sample: int
    n_synthetic: int
    n_holdout: int

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


def closeness_share(inputs: PrivacyInputs) -> ClosenessShare:
    """Every synthetic row's distance to a holdout-sized train sample against its distance to the holdout.

    Two searches of the holdout's size (about a quarter of the full panel's work on a 80/20 split); both are kept
    on ``inputs`` and reused by :func:`evaluate_privacy`.
    """
    to_train_sub = inputs.synthetic_to_train_sample()
    to_hold = inputs.neighbors("synthetic", "holdout", 1)[0][:, 0]
    share = float(np.mean(to_train_sub < to_hold) + 0.5 * np.mean(to_train_sub == to_hold))
    return ClosenessShare(share, len(inputs.train_sample), len(to_hold), len(inputs.tables.holdout))


def count_copies(inputs: PrivacyInputs) -> CopyCounts:
    """Count exact copies of training rows in the synthetic table and, for comparison, in the holdout."""
    hashes, counts = np.unique(inputs.hashes("train"), return_counts=True)
    unique_hashes = hashes[counts == 1]
    syn_hashes, hold_hashes = inputs.hashes("synthetic"), inputs.hashes("holdout")
    in_train, hold_in_train = np.isin(syn_hashes, hashes), np.isin(hold_hashes, hashes)
    unique_in, hold_unique_in = np.isin(syn_hashes, unique_hashes), np.isin(hold_hashes, unique_hashes)
    return CopyCounts(
        exact_copies=int(in_train.sum()),
        exact_copy_rate=float(in_train.mean()),
        holdout_exact_copies=int(hold_in_train.sum()),
        holdout_exact_copy_rate=float(hold_in_train.mean()),
        unique_copies=int(unique_in.sum()),
        unique_copy_rate=float(unique_in.mean()),
        holdout_unique_copies=int(hold_unique_in.sum()),
        holdout_unique_copy_rate=float(hold_unique_in.mean()),
        n_train_unique=len(unique_hashes),
        n_synthetic=len(syn_hashes),
        n_holdout=len(hold_hashes),
    )


def evaluate_privacy(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame,
    schema: Schema | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    membership: bool = True,
    membership_targets: int = DEFAULT_TARGETS,
    inputs: PrivacyInputs | None = None,
    synthesizer: tuple[str, dict[str, Any]] | None = None,
) -> PrivacyResult:
    """Measure how close synthetic rows sit to the real training rows, against fresh real rows.

    Every synthetic and every holdout row is compared with every training row (no subsample); only the
    holdout-sized DCR share uses a seeded train sample as large as the holdout, as its definition says.

    Args:
        train: the table the synthesizer was fitted on.
        synthetic: its synthetic output.
        holdout: real rows the synthesizer never saw (at least 100).
        schema: column kinds (inferred from ``train`` when omitted).
        seed: seed of the row samples.
        progress: called with (fraction, message).
        membership: also run the membership attacks (:func:`~synth.evaluation.privacy.membership.membership_inference`).
        membership_targets: training rows scored by the membership attacks.
        inputs: the tables prepared once (:class:`PrivacyInputs`); built from the tables when omitted.
        synthesizer: ``(name, params)`` of the synthesizer, for the shadow-model attack (when ``inputs`` is built
            here).

    Returns:
        A frozen :class:`PrivacyResult`.

    Raises:
        PrivacyInputError: (a ``ValueError``) for a holdout of fewer than 100 rows or no shared learned column.
    """
    report = ensure(progress)
    if inputs is None:
        inputs = PrivacyInputs(
            train, holdout, synthetic, schema, seed=seed, synthesizer=synthesizer, n_targets=membership_targets
        )
    t = inputs.tables
    steps = 0.6 if membership else 1.0

    report(0.05 * steps, "counting exact copies of training rows")
    copies = count_copies(inputs)

    report(0.15 * steps, f"distance from {len(t.holdout):,} holdout rows to {len(t.train):,} training rows")
    d_hold = inputs.neighbors("holdout", "train", 2)[0]
    report(0.3 * steps, f"distance from {len(t.synthetic):,} synthetic rows to {len(t.train):,} training rows")
    d_syn = inputs.neighbors("synthetic", "train", 2)[0]
    report(0.75 * steps, "synthetic rows: train vs holdout")
    share = closeness_share(inputs).dcr_share
    to_hold = inputs.neighbors("synthetic", "holdout", 1)[0][:, 0]
    n_hold = len(t.holdout)
    expected = len(t.train) / (len(t.train) + n_hold)
    to_train = d_syn[:, 0]
    share_full = float(np.mean(to_train < to_hold) + expected * np.mean(to_train == to_hold))
    closest = np.argsort(to_train, kind="stable")[:N_CLOSEST]

    mia = None
    if membership:
        mia = membership_inference(
            train, synthetic, holdout=holdout, seed=seed, progress=scaled(progress, steps, 1.0), inputs=inputs
        )
    report(1.0, "done")
    n_syn = len(t.synthetic)
    return PrivacyResult(
        dcr_synthetic=tuple(float(v) for v in to_train),
        dcr_holdout=tuple(float(v) for v in d_hold[:, 0]),
        dcr_share=share,
        n_compared=n_syn,
        exact_copies=copies.exact_copies,
        exact_copy_rate=copies.exact_copy_rate,
        holdout_exact_copies=copies.holdout_exact_copies,
        holdout_exact_copy_rate=copies.holdout_exact_copy_rate,
        n_train=len(t.train),
        n_holdout=n_hold,
        n_synthetic=n_syn,
        columns=t.columns,
        dcr_share_full=share_full,
        dcr_share_full_expected=expected,
        nndr_synthetic=tuple(float(v) for v in _ratio(d_syn)),
        nndr_holdout=tuple(float(v) for v in _ratio(d_hold)),
        unique_copies=copies.unique_copies,
        unique_copy_rate=copies.unique_copy_rate,
        holdout_unique_copies=copies.holdout_unique_copies,
        holdout_unique_copy_rate=copies.holdout_unique_copy_rate,
        n_train_unique=copies.n_train_unique,
        closest_rows=tuple(int(i) for i in closest),
        membership=mia,
        seed=seed,
        n_train_sample=len(inputs.train_sample),
        notes=inputs.notes,
    )
