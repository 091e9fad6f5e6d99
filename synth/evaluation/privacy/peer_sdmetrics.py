"""sdmetrics' privacy scores, shown beside ours for comparison with published numbers.

* ``DCRBaselineProtection`` — median DCR of synthetic rows over that of uniformly random rows (1 = as far
  from the real rows as random data).
* ``DCROverfittingProtection`` — ``2 × (1 − share of synthetic rows closer to train than to the holdout)``,
  capped at 1.
* ``DisclosureProtection`` — CAP attack protection over the baseline of guessing the secret at random
  (computed with its subsampled estimator, ``DisclosureProtectionEstimate``).

sdmetrics computes DCR with a pandas cross join: on 26k × 26k rows a DCR metric takes minutes, so both DCR
metrics run on ``num_rows_subsample`` rows, ``num_iterations`` times (their own parameters) — a few seconds.
On such subsamples a verbatim copy of train scores 0.91 on DCROverfittingProtection, inside the range of real
generators, which is why it is shown beside our measures and is never the only signal. sdmetrics samples with
numpy's global generator; it is seeded for the call and restored afterwards, so the scores repeat per seed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.evaluation.privacy.common import prepare_tables
from synth.evaluation.results import to_jsonable
from synth.progress import ProgressCallback, ensure
from synth.schema import ColumnKind, Schema, infer_schema

DCR_ROWS_SUBSAMPLE = 300
DCR_ITERATIONS = 2
DISCLOSURE_ROWS_SUBSAMPLE = 300
DISCLOSURE_ITERATIONS = 2

_SDTYPE = {
    ColumnKind.CONTINUOUS: "numerical",
    ColumnKind.DISCRETE: "numerical",
    ColumnKind.CATEGORICAL: "categorical",
    ColumnKind.BOOLEAN: "boolean",
    ColumnKind.DATETIME: "datetime",
}


@dataclass(frozen=True)
class SdmetricsPrivacy:
    """sdmetrics' privacy scores (1 = best protection), each None when it could not run.

    Attributes:
        version: the sdmetrics version.
        dcr_baseline_protection: DCRBaselineProtection score.
        dcr_synthetic_median / dcr_random_median: its median DCRs of synthetic and of random rows.
        dcr_overfitting_protection: DCROverfittingProtection score.
        closer_to_training: its share of synthetic rows closer to train than to the holdout.
        disclosure_protection: DisclosureProtection score (CAP, estimated on subsamples).
        cap_protection / cap_baseline: its raw CAP protection and the random-guess baseline.
        num_rows_subsample / num_iterations: the DCR metrics' subsampling.
        disclosure_rows_subsample / disclosure_iterations: the disclosure estimator's subsampling.
        errors: why a score is missing.
        seed: the seed of numpy's global generator during the call.
    """

    version: str
    dcr_baseline_protection: float | None
    dcr_synthetic_median: float | None
    dcr_random_median: float | None
    dcr_overfitting_protection: float | None
    closer_to_training: float | None
    disclosure_protection: float | None
    cap_protection: float | None
    cap_baseline: float | None
    num_rows_subsample: int
    num_iterations: int
    disclosure_rows_subsample: int
    disclosure_iterations: int
    errors: tuple[str, ...] = ()
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


@contextmanager
def _seeded_global_rng(seed: int) -> Iterator[None]:
    """sdmetrics draws its subsamples from numpy's legacy global generator: seed it, then put it back."""
    state = np.random.get_state()  # noqa: NPY002 - the only handle on sdmetrics' sampling
    np.random.seed(seed % (2**32))  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def _float(x: Any) -> float | None:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def sdmetrics_privacy(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame,
    schema: Schema | None = None,
    known: Sequence[str] = (),
    secret: str | None = None,
    num_rows_subsample: int = DCR_ROWS_SUBSAMPLE,
    num_iterations: int = DCR_ITERATIONS,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> SdmetricsPrivacy:
    """Run sdmetrics' DCRBaselineProtection, DCROverfittingProtection and DisclosureProtection.

    Args:
        train: the table the synthesizer was fitted on.
        synthetic: its synthetic output.
        holdout: real rows it never saw.
        schema: column kinds (inferred from ``train`` when omitted).
        known: the attacker's known columns for DisclosureProtection (skipped when empty).
        secret: the secret column for DisclosureProtection (skipped when None).
        num_rows_subsample: rows per DCR subsample (sdmetrics' parameter).
        num_iterations: DCR subsamples averaged (sdmetrics' parameter).
        seed: seed of numpy's global generator during the call.
        progress: called with (fraction, message).
    """
    import sdmetrics

    report = ensure(progress)
    schema = schema or infer_schema(train)
    t = prepare_tables(train, synthetic, holdout, schema)
    metadata = {"columns": {c: {"sdtype": _SDTYPE[t.schema[c].kind]} for c in t.columns}}
    n = max(1, min(num_rows_subsample, len(t.synthetic), len(t.train), len(t.holdout)))
    errors: list[str] = []
    scores: dict[str, Any] = {}
    with warnings.catch_warnings(), _seeded_global_rng(seed):
        warnings.simplefilter("ignore")
        from sdmetrics.single_table import (
            DCRBaselineProtection,
            DCROverfittingProtection,
            DisclosureProtectionEstimate,
        )

        seeded_baseline: Any = type("SeededDCRBaselineProtection", (DCRBaselineProtection,), {"_seed": seed})
        report(0.05, f"sdmetrics DCRBaselineProtection on {num_iterations} × {n:,} rows")
        try:
            b = seeded_baseline.compute_breakdown(
                t.train, t.synthetic, metadata, None, num_rows_subsample=n, num_iterations=num_iterations
            )
            scores["baseline"] = b
        except Exception as exc:  # a third-party metric must not take the page down
            errors.append(f"DCRBaselineProtection: {type(exc).__name__}: {exc}")
        report(0.4, f"sdmetrics DCROverfittingProtection on {num_iterations} × {n:,} rows")
        try:
            scores["overfitting"] = DCROverfittingProtection.compute_breakdown(
                t.train, t.synthetic, t.holdout, metadata, None, num_rows_subsample=n, num_iterations=num_iterations
            )
        except Exception as exc:
            errors.append(f"DCROverfittingProtection: {type(exc).__name__}: {exc}")
        known = [c for c in known if c in t.columns and c != secret]
        if known and secret in t.columns:
            report(0.75, "sdmetrics DisclosureProtection (estimate)")
            cols = [*known, secret]
            numeric = [c for c in cols if t.schema[c].kind in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE)]
            try:
                real = _for_cap(t.train[cols], cols, numeric)
                syn = _for_cap(t.synthetic[cols], cols, numeric)
                scores["disclosure"] = DisclosureProtectionEstimate.compute_breakdown(
                    real,
                    syn,
                    known_column_names=known,
                    sensitive_column_names=[secret],
                    continuous_column_names=[c for c in numeric if real[c].nunique() > 10] or None,
                    num_rows_subsample=DISCLOSURE_ROWS_SUBSAMPLE,
                    num_iterations=DISCLOSURE_ITERATIONS,
                    verbose=False,
                )
            except Exception as exc:
                errors.append(f"DisclosureProtection: {type(exc).__name__}: {exc}")
    report(1.0, "done")
    base = scores.get("baseline", {})
    over = scores.get("overfitting", {})
    disc = scores.get("disclosure", {})
    return SdmetricsPrivacy(
        version=sdmetrics.__version__,
        dcr_baseline_protection=_float(base.get("score")),
        dcr_synthetic_median=_float(base.get("median_DCR_to_real_data", {}).get("synthetic_data")),
        dcr_random_median=_float(base.get("median_DCR_to_real_data", {}).get("random_data_baseline")),
        dcr_overfitting_protection=_float(over.get("score")),
        closer_to_training=_float(over.get("synthetic_data_percentages", {}).get("closer_to_training")),
        disclosure_protection=_float(disc.get("score")),
        cap_protection=_float(disc.get("cap_protection")),
        cap_baseline=_float(disc.get("baseline_protection")),
        num_rows_subsample=n,
        num_iterations=num_iterations,
        disclosure_rows_subsample=DISCLOSURE_ROWS_SUBSAMPLE,
        disclosure_iterations=DISCLOSURE_ITERATIONS,
        errors=tuple(errors),
        seed=seed,
    )


def _for_cap(df: pd.DataFrame, cols: list[str], numeric: list[str]) -> pd.DataFrame:
    """CAP needs hashable, comparable values: numbers stay numbers (binned by sdmetrics), the rest strings."""
    out = df.reset_index(drop=True).copy()
    for c in cols:
        if c in numeric:
            out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
        else:
            out[c] = out[c].astype(object).where(out[c].notna(), "(missing)").astype(str)
    return out
