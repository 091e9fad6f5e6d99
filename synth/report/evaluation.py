"""Every score of one synthetic table, gathered in one call: what a race row, an external table and the report
share.

:func:`evaluate_table` runs fidelity (with its holdout reference and bootstrap intervals), detection, ML
efficacy (TSTR vs TRTR), the distance panel with its membership attack, the three WP216 attacks and the privacy
verdict. Each part that fails records its error in ``errors`` and leaves its result ``None``: one broken metric
never hides the others.

Two measures come from other parts of the package when they offer them and are ``None`` otherwise (the report
then shows "not measured"): the membership attack's true-positive rate at a low false-positive rate, and the
share of rare real values copied into the synthetic table. They are read with ``getattr`` so this module keeps
working whichever version of the privacy package it runs against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from synth.evaluation.fidelity.detection import DetectionResult, evaluate_detection
from synth.evaluation.fidelity.scores import FidelityResult, evaluate_fidelity
from synth.evaluation.privacy.attacks import AttackReport, evaluate_attacks
from synth.evaluation.privacy.distances import PrivacyResult, evaluate_privacy
from synth.evaluation.privacy.verdict import Verdict, privacy_verdict
from synth.evaluation.results import to_jsonable
from synth.evaluation.utility.tstr import UtilityResult, default_target, evaluate_utility
from synth.progress import Cancelled, ProgressCallback, ensure, scaled
from synth.schema import Schema, infer_schema

# Names another part of the package may give these measures (first found wins).
_TPR_NAMES = ("tpr_at_low_fpr", "tpr_at_fpr", "tpr_at_1pct_fpr", "tpr_low_fpr")
_RARE_NAMES = ("rare_values_copied", "rare_value_copy_rate", "rare_copy_rate", "rare_values")


@dataclass(frozen=True)
class EvaluationSettings:
    """How thoroughly each table is scored.

    The defaults are screening settings (seeded subsamples, fewer attacks and bootstrap replicates) so a race of
    several runs stays quick; intervals are wider than on the Compare and Privacy pages, which score one run in
    full.

    Attributes:
        target: the column ML efficacy predicts; ``None`` picks the default (e.g. Adult's income).
        n_bootstrap: bootstrap replicates of the fidelity intervals.
        run_sdmetrics: also run sdmetrics' QualityReport (slower; for comparison with published numbers).
        detection / utility / attacks: run these parts at all.
        n_attacks: attacks per WP216 attack.
        membership_targets: training and holdout rows scored by the membership attack.
        detection_rows / utility_rows: seeded row samples of the detection classifier (per class) and the TSTR
            training sets; smaller is faster with wider intervals. The distance panel compares every row (no
            subsample), as on the Privacy page.
        seed: seed of every sample, model and bootstrap of the evaluation.
    """

    target: str | None = None
    n_bootstrap: int = 50
    run_sdmetrics: bool = False
    detection: bool = True
    utility: bool = True
    attacks: bool = True
    n_attacks: int = 300
    membership_targets: int = 500
    detection_rows: int = 2000
    utility_rows: int = 5000
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


def _first_number(obj: Any, names: tuple[str, ...]) -> float | None:
    """The first attribute of ``obj`` among ``names`` that is a number (or has a numeric ``value``)."""
    if obj is None:
        return None
    for name in names:
        value = getattr(obj, name, None)
        value = getattr(value, "value", value)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
    return None


@dataclass(frozen=True)
class TableEvaluation:
    """The scores of one synthetic table against the real train and holdout.

    Attributes:
        fidelity / detection / utility / privacy / attacks / verdict: the parts; ``None`` when skipped or failed.
        errors: part → why it failed.
        columns: the columns evaluated.
        settings: how it was run.
    """

    fidelity: FidelityResult | None
    detection: DetectionResult | None
    utility: UtilityResult | None
    privacy: PrivacyResult | None
    attacks: AttackReport | None
    verdict: Verdict | None
    columns: tuple[str, ...]
    settings: EvaluationSettings
    errors: dict[str, str] = field(default_factory=dict)

    # ---------------------------------------------------------------- headline numbers
    @property
    def quality(self) -> float | None:
        return None if self.fidelity is None else float(self.fidelity.overall)

    @property
    def quality_interval(self) -> tuple[float, float] | None:
        iv = None if self.fidelity is None else self.fidelity.scores.overall_interval
        return None if iv is None else (iv.low, iv.high)

    @property
    def pair_trends(self) -> float | None:
        return None if self.fidelity is None else float(self.fidelity.column_pair_trends)

    @property
    def detection_auc(self) -> float | None:
        return None if self.detection is None else float(self.detection.auc)

    @property
    def tstr(self) -> float | None:
        return None if self.utility is None else float(self.utility.headline.tstr)

    @property
    def trtr(self) -> float | None:
        return None if self.utility is None else float(self.utility.headline.trtr)

    @property
    def closeness(self) -> float | None:
        """Full-train DCR share (its ideal is train's share of the real rows, ~0.8 for an 80/20 split)."""
        return None if self.privacy is None else float(self.privacy.dcr_share_full)

    @property
    def closeness_excess(self) -> float | None:
        """How far the DCR share sits above its ideal, as a share of the way to 100% (0 = ideal)."""
        return None if self.privacy is None else max(float(self.privacy.dcr_share_full_excess), 0.0)

    @property
    def membership_auc(self) -> float | None:
        mia = None if self.privacy is None else self.privacy.membership
        return None if mia is None else float(mia.auc.value)

    @property
    def membership_tpr_low_fpr(self) -> float | None:
        """The membership attack's TPR at a low FPR, when the privacy package reports it."""
        mia = None if self.privacy is None else self.privacy.membership
        return _first_number(mia, _TPR_NAMES) if mia is not None else _first_number(self.privacy, _TPR_NAMES)

    @property
    def rare_values_copied(self) -> float | None:
        """Share of rare real values copied, when the privacy package reports it."""
        return _first_number(self.privacy, _RARE_NAMES)

    def attack_risk(self, criterion: str) -> float | None:
        """The worst measured risk of one WP216 criterion (``singling_out``, ``linkability``, ``inference``)."""
        if self.attacks is None:
            return None
        risks = [r.risk.value for r in self.attacks.results if r.criterion == criterion and r.measured]
        return max(risks) if risks else None

    @property
    def privacy_risk(self) -> float | None:
        """One number for the privacy-vs-fidelity chart: the worst of closeness excess, membership advantage
        ``2·(AUC − 0.5)`` and the three attack risks (0 = no measured leak, 1 = total)."""
        parts = [self.closeness_excess]
        if self.membership_auc is not None:
            parts.append(max(2 * (self.membership_auc - 0.5), 0.0))
        parts += [self.attack_risk(c) for c in ("singling_out", "linkability", "inference")]
        found = [p for p in parts if p is not None]
        return max(found) if found else None

    @property
    def privacy_level(self) -> str:
        return "grey" if self.verdict is None else self.verdict.level

    def worst_columns(self, n: int = 3) -> list[tuple[str, float]]:
        if self.fidelity is None:
            return []
        cols = sorted(self.fidelity.scores.columns, key=lambda c: c.score)
        return [(c.column, float(c.score)) for c in cols[:n]]

    def headline(self) -> dict[str, Any]:
        """The leaderboard numbers, JSON-ready."""
        return to_jsonable(
            {
                "quality": self.quality,
                "quality_interval": self.quality_interval,
                "pair_trends": self.pair_trends,
                "detection_auc": self.detection_auc,
                "tstr": self.tstr,
                "trtr": self.trtr,
                "closeness": self.closeness,
                "closeness_excess": self.closeness_excess,
                "membership_auc": self.membership_auc,
                "membership_tpr_low_fpr": self.membership_tpr_low_fpr,
                "singling_out_risk": self.attack_risk("singling_out"),
                "linkability_risk": self.attack_risk("linkability"),
                "inference_risk": self.attack_risk("inference"),
                "rare_values_copied": self.rare_values_copied,
                "privacy_risk": self.privacy_risk,
                "privacy_level": self.privacy_level,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        parts = ("fidelity", "detection", "utility", "privacy", "attacks", "verdict")
        out: dict[str, Any] = {"headline": self.headline(), "columns": list(self.columns)}
        for name in parts:
            value = getattr(self, name)
            out[name] = None if value is None else value.to_dict() if hasattr(value, "to_dict") else to_jsonable(value)
        out["settings"] = self.settings.to_dict()
        out["errors"] = dict(self.errors)
        return out


def evaluate_table(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    *,
    schema: Schema | None = None,
    settings: EvaluationSettings | None = None,
    progress: ProgressCallback | None = None,
) -> TableEvaluation:
    """Score ``synthetic`` against the real ``train`` it imitates and the ``holdout`` it never saw.

    Args:
        train / synthetic / holdout: the three tables, with the schema's columns.
        schema: column kinds and attacker flags (inferred from ``train`` when omitted).
        settings: which parts to run and how thoroughly.
        progress: called with (fraction, message); raising :class:`synth.Cancelled` stops the evaluation.

    Returns:
        A :class:`TableEvaluation`; a part that raised is ``None`` with its message in ``errors``.
    """
    settings = settings or EvaluationSettings()
    schema = schema or infer_schema(train)
    report = ensure(progress)
    errors: dict[str, str] = {}
    seed = settings.seed

    def attempt(part: str, start: float, stop: float, call: Any) -> Any:
        report(start, f"scoring {part}")
        try:
            return call(scaled(progress, start, stop))
        except Cancelled:
            raise
        except Exception as exc:  # one failed part must not hide the others
            errors[part] = f"{type(exc).__name__}: {exc}"
            return None

    fidelity = attempt(
        "fidelity",
        0.0,
        0.2,
        lambda p: evaluate_fidelity(
            train,
            synthetic,
            holdout=holdout,
            schema=schema,
            run_sdmetrics=settings.run_sdmetrics,
            n_bootstrap=settings.n_bootstrap,
            seed=seed,
            progress=p,
        ),
    )
    detection = None
    if settings.detection:
        detection = attempt(
            "detection",
            0.2,
            0.35,
            lambda p: evaluate_detection(
                train,
                synthetic,
                holdout=holdout,
                schema=schema,
                max_rows=settings.detection_rows,
                seed=seed,
                progress=p,
            ),
        )
    utility = None
    shared = [c for c in schema.modelled if c in synthetic.columns]
    target = settings.target if settings.target in shared else default_target(schema, shared)
    if settings.utility and target is not None:
        utility = attempt(
            "utility",
            0.35,
            0.55,
            lambda p: evaluate_utility(
                train,
                synthetic,
                holdout,
                target=target,
                schema=schema,
                seed=seed,
                max_train_rows=settings.utility_rows,
                importance_repeats=1,
                progress=p,
            ),
        )
    privacy = attempt(
        "privacy",
        0.55,
        0.75,
        lambda p: evaluate_privacy(
            train,
            synthetic,
            holdout=holdout,
            schema=schema,
            seed=seed,
            membership_targets=settings.membership_targets,
            progress=p,
        ),
    )
    attacks = None
    if settings.attacks:
        attacks = attempt(
            "attacks",
            0.75,
            1.0,
            lambda p: evaluate_attacks(
                train, synthetic, holdout=holdout, schema=schema, n_attacks=settings.n_attacks, seed=seed, progress=p
            ),
        )
    verdict = None
    if privacy is not None:
        verdict = privacy_verdict(
            privacy,
            attacks.results if attacks is not None else (),
            quasi_identifiers=attacks.attacker.known if attacks is not None else (),
        )
    report(1.0, "scored")
    return TableEvaluation(
        fidelity=fidelity,
        detection=detection,
        utility=utility,
        privacy=privacy,
        attacks=attacks,
        verdict=verdict,
        columns=tuple(c for c in schema.names if c in synthetic.columns),
        settings=settings,
        errors=errors,
    )
