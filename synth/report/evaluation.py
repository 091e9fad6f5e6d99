"""Every score of one synthetic table, gathered in one call: what a race row, an external table and the report
share.

:func:`evaluate_context` runs, on one :class:`~synth.evaluation.context.EvaluationContext`, the honest fidelity
headline of the Compare page (1-, 2- and 3-way marginal accuracy with the same-size holdout as ceiling and
jackknife intervals, the fast discriminator with its real-vs-real reference, and the verdict built from both),
sdmetrics-style quality (with its holdout reference and bootstrap intervals, kept for comparison with published
numbers), detection, ML efficacy (TSTR vs TRTR), the distance panel with its membership attack, the three WP216
attacks and the privacy verdict. Each part that fails records its error in ``errors`` and leaves its result
``None``: one broken metric never hides the others. :func:`evaluate_table` does the same from raw frames.

Everything that depends on the real tables alone (the TRTR models, the real-vs-real references, the holdout's
neighbours in train) is computed through :meth:`EvaluationContext.real_once`; a race gives every run's context
the same :class:`~synth.evaluation.reference.RealReference`, so it is computed once per race.

The share of rare real values copied is the rare-value test's worst judged column (the verdict's "real values
copied"). The membership attack's true-positive rate at a low false-positive rate comes from the privacy package
when it offers it and is ``None`` otherwise (the report then shows "not measured"); it is read with ``getattr`` so
this module keeps working whichever version of the privacy package it runs against. The highest privacy risk, its
range and the note naming its check are worked out in :mod:`synth.report.privacy_risk`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from synth.evaluation.fidelity.accuracy import AccuracyResult, AccuracyScore
from synth.evaluation.fidelity.detection import DetectionResult
from synth.evaluation.fidelity.discriminator import DiscriminatorResult
from synth.evaluation.fidelity.exact_rules import RuleBreaks
from synth.evaluation.fidelity.headline import CLEAR_AUC, CLEAR_RULE, FidelityHeadline, fidelity_headline
from synth.evaluation.fidelity.person_values import PersonValues
from synth.evaluation.fidelity.scores import FidelityResult
from synth.evaluation.privacy.attacks import AttackReport
from synth.evaluation.privacy.distances import PrivacyResult
from synth.evaluation.privacy.membership import FPRS
from synth.evaluation.privacy.rare_values import RareValueResult
from synth.evaluation.privacy.verdict import Verdict
from synth.evaluation.privacy.wp216 import DEFAULT_N_ATTACKS
from synth.evaluation.results import to_jsonable
from synth.evaluation.utility.tstr import UtilityResult
from synth.report.privacy_risk import highest_risk, highest_risk_interval, risk_note

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
        headline: run the honest fidelity headline (marginal accuracy with the holdout ceiling, discriminator).
        discriminator_rows: rows per class of the fast discriminator.
        n_bootstrap: bootstrap replicates of the fidelity intervals.
        run_sdmetrics: also run sdmetrics' QualityReport (slower; for comparison with published numbers).
        detection / utility / privacy / attacks: run these parts at all (``privacy`` off: the distances,
            membership, attacks, rare values and verdict are left out, for a caller that brings the Privacy page's
            own, :func:`~synth.report.run_scoring.with_privacy`). ``detection`` is the full cross-validated detection
            (boosted trees and a linear model, 3 folds, the columns that give the rows away); it is off by default
            because the discriminator of the headline already measures detection (the same boosted trees on one
            split, with its real-vs-real reference) at a third of the cost.
        n_attacks: attacks per WP216 attack.
        membership_targets: training and holdout rows scored by the membership attack.
        detection_rows / utility_rows: seeded row samples of the detection classifier (per class) and the TSTR
            training sets; smaller is faster with wider intervals. The distance panel compares every row (no
            subsample), as on the Privacy page.
        seed: seed of every sample, model and bootstrap of the evaluation.
    """

    target: str | None = None
    headline: bool = True
    discriminator_rows: int = 4000
    n_bootstrap: int = 50
    run_sdmetrics: bool = False
    detection: bool = False
    utility: bool = True
    attacks: bool = True
    privacy: bool = True
    n_attacks: int = DEFAULT_N_ATTACKS  # as the Privacy page: the same table reads the same risk on both
    membership_targets: int = 500
    detection_rows: int = 2000
    utility_rows: int = 5000
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


SCREENING = "screening"
"""How :attr:`TableEvaluation.privacy_source` starts for privacy scored on a race's subsample (not the run's
verdict: the Privacy page's, in full, is)."""


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
        privacy_source: how the privacy parts were measured, in words (a screening subsample, or the Privacy
            page's own checks of the run): a verdict on a subsample is not the one the Privacy page shows.
        exact_rules: the rules every real row holds and how often the synthetic rows break each (read by the
            headline); None when not scored.
        person_values: the columns every real person keeps across their rows and how often the synthetic people
            change each (:mod:`synth.evaluation.fidelity.person_values`); None without a person column.
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
    accuracy: AccuracyResult | None = None
    discriminator: DiscriminatorResult | None = None
    rare_values: RareValueResult | None = None
    privacy_source: str = ""
    exact_rules: tuple[RuleBreaks, ...] | None = None
    person_values: PersonValues | None = None

    # ---------------------------------------------------------------- the honest headline (as on Compare)
    @property
    def fidelity_headline(self) -> FidelityHeadline | None:
        """The Compare page's verdict: "as good as fresh real data" only when accuracy and discriminator agree."""
        if self.accuracy is None:
            return None
        return fidelity_headline(self.accuracy, self.discriminator, self.exact_rules or (), self.person_values)

    @property
    def fidelity_level(self) -> str:
        headline = self.fidelity_headline
        return "unknown" if headline is None else headline.level

    def accuracy_order(self, order: int) -> AccuracyScore | None:
        """Univariate (1), bivariate (2) or trivariate (3) accuracy, with interval and holdout ceiling."""
        if self.accuracy is None:
            return None
        return next((s for s in self.accuracy.orders if s.order == order), None)

    @property
    def discriminator_auc(self) -> float | None:
        return None if self.discriminator is None else float(self.discriminator.auc)

    @property
    def clearly_detected(self) -> bool:
        """The discriminator tells synthetic from real rows beyond noise and with AUC ≥ ``CLEAR_AUC`` (0.6)."""
        d = self.discriminator
        return d is not None and d.distinguishable and d.auc >= CLEAR_AUC

    @property
    def worst_rule(self) -> RuleBreaks | None:
        """The exact rule every real row keeps that the synthetic rows break most (None when none was checked)."""
        return max((b for b in self.exact_rules or () if b.checked), key=lambda b: b.share, default=None)

    @property
    def breaks_rules_clearly(self) -> bool:
        """At least ``CLEAR_RULE`` (5%) of the synthetic rows break a rule every real row keeps: the rule's columns
        alone tell those rows from real ones (the headline calls such a table distinguishable)."""
        worst = self.worst_rule
        return worst is not None and worst.share >= CLEAR_RULE

    @property
    def changes_people_clearly(self) -> bool:
        """At least ``CLEAR_RULE`` (5%) of the synthetic people with two or more rows change a column every real
        person keeps, or the synthetic rows share their person half as often as real rows or less (a fresh id on
        each row): grouping by the person column alone tells the tables apart (the headline: distinguishable)."""
        found = self.person_values
        if found is None:
            return False
        worst = found.worst
        return found.repeats_clearly_lost or (worst is not None and (worst.synthetic_share or 0.0) >= CLEAR_RULE)

    def people_words(self) -> str:
        """What :attr:`changes_people_clearly` found, in words (empty when nothing)."""
        found = self.person_values
        if found is None:
            return ""
        worst = found.worst
        if worst is not None and (worst.synthetic_share or 0.0) >= CLEAR_RULE:
            return (
                f"{worst.synthetic_share:.0%} of its people with two or more rows hold more than one "
                f"{worst.column}, which every real person keeps"
            )
        return found.repeat_words() if found.repeats_lost else ""

    @property
    def honest_fidelity(self) -> float | None:
        """The race's fidelity axis: the weakest of three "share of fresh real data" figures (1 = as good as it).

        * accuracy: the highest order of marginal accuracy measured (trivariate when there are three columns)
          divided by the same-size holdout's, capped at 1;
        * discriminator: ``1 − 2·(AUC − reference AUC)``, the classifier's advantage over telling the holdout
          from train, floored at 0 and capped at 1;
        * rules: the share of synthetic rows keeping the exact rule every real row keeps that they break most
          (1 when none is broken or none was checked), and with a person column the share of synthetic people
          keeping the column every real person keeps across their rows that they change most (and, when the headline
          names it, the synthetic share of rows sharing their person as a share of the real one). Fresh real rows
          keep every one.

        The weakest one counts, as in the headline verdict (all must agree): a table that keeps every marginal
        but that a classifier spots at a glance scores low, so does one that fools a classifier but gets the 3-way
        marginals wrong, and so does one whose rows break a rule the raw-feature classifier cannot see (CTGAN's
        Adult: education-num disagrees with education on 42% of rows; it ranked as if it kept it). ``None`` without
        a holdout or a discriminator.
        """
        if self.accuracy is None or self.discriminator is None or not self.accuracy.orders:
            return None
        top = self.accuracy.orders[-1]
        if top.reference is None or top.reference <= 0:
            return None
        acc = min(top.value / top.reference, 1.0)
        ref = self.discriminator.reference_auc if self.discriminator.reference_auc is not None else 0.5
        disc = min(max(1.0 - 2.0 * max(self.discriminator.auc - max(ref, 0.5), 0.0), 0.0), 1.0)
        worst = self.worst_rule
        rules = 1.0 if worst is None else 1.0 - worst.share
        found = self.person_values
        changed = None if found is None else found.worst
        people = 1.0 - ((changed.synthetic_share or 0.0) if changed is not None else 0.0)
        if found is not None and found.repeats_lost:  # named by the headline: a fresh id on most rows
            people = min(people, found.repeats_kept)
        return float(min(acc, disc, rules, people))

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
    def utility_measure(self) -> str | None:
        """What TSTR and TRTR measure, in words: "accuracy predicting department" (a card printed "0.237 vs 0.263"
        with neither the score nor the target named)."""
        if self.utility is None:
            return None
        words = {"roc_auc": "ROC AUC", "accuracy": "accuracy", "r2": "R²"}
        metric = self.utility.primary_metric
        return f"{words.get(metric, metric)} predicting {self.utility.target}"

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
    def membership_auc_people(self) -> float | None:
        """The strongest membership attack's AUC over people, when a column names whose row each row is."""
        mia = None if self.privacy is None else self.privacy.membership
        head = None if mia is None or mia.people is None else mia.people.headline
        return None if head is None else float(head.auc.value)

    @property
    def membership_tpr_low_fpr(self) -> float | None:
        """The strongest membership attack's TPR at the lowest FPR it was estimated at (1%), the figure the Privacy
        verdict quotes beside its AUC; None when no attack ran or none had the non-members to set that threshold.

        It looked for a field no membership result has, so every race and report printed "—" here.
        """
        mia = None if self.privacy is None else self.privacy.membership
        if mia is None:
            return _first_number(self.privacy, _TPR_NAMES)
        head = mia.headline
        lowest = None if head is None else head.tpr(FPRS[0])
        return None if lowest is None else float(lowest.tpr)

    @property
    def rare_values_copied(self) -> float | None:
        """How many more train-only than holdout-only values the synthetic table holds, in the worst judged
        column (what the verdict's "real values copied" reads); None when no column could be judged."""
        if self.rare_values is not None:
            worst = self.rare_values.worst
            return None if worst is None else worst.excess
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
        ``2·(AUC − 0.5)`` and the three attack risks (0 = no measured leak, 1 = total):
        :func:`~synth.report.privacy_risk.highest_risk`."""
        return highest_risk(self.privacy, self.attacks)

    @property
    def privacy_risk_interval(self) -> tuple[float, float] | None:
        """A 95% range for :attr:`privacy_risk`: each part's own interval (Wilson for the DCR share, DeLong for the
        membership AUC, the attacks' main-vs-control intervals), and the worst of the parts lies between the highest
        low end and the highest high end. None when no part has an interval."""
        return highest_risk_interval(self.privacy, self.attacks)

    @property
    def privacy_risk_note(self) -> str:
        """Which check :attr:`privacy_risk` comes from and how the verdict judged that check, in words
        (:func:`~synth.report.privacy_risk.risk_note`)."""
        return risk_note(self.privacy, self.attacks, self.verdict)

    @property
    def privacy_set_by(self) -> list[str]:
        """The criteria whose light is the verdict's (amber or red): what a reader should look at. The highest
        :attr:`privacy_risk` can come from a check the verdict reads as noise (inference of a 0.6% class: 36%,
        95% interval 0–100%) and said nothing about why a card read amber."""
        if self.verdict is None or self.verdict.level not in ("amber", "red"):
            return []
        return [c.label for c in self.verdict.criteria if c.level == self.verdict.level]

    @property
    def privacy_unsettled(self) -> list[str]:
        """The criteria a green verdict names as not settled: past the amber line within noise."""
        return [] if self.verdict is None else [c.label for c in self.verdict.unsettled]

    @property
    def privacy_screening(self) -> bool:
        """Whether the privacy parts are a race's screening on a subsample rather than the Privacy page's own."""
        return self.privacy_source.startswith(SCREENING)

    @property
    def privacy_level(self) -> str:
        return "grey" if self.verdict is None else self.verdict.level

    def worst_columns(self, n: int = 3) -> list[tuple[str, float]]:
        if self.fidelity is None:
            return []
        cols = sorted(self.fidelity.scores.columns, key=lambda c: c.score)
        return [(c.column, float(c.score)) for c in cols[:n]]

    def lagging_columns(self, n: int = 3) -> list[tuple[str, float, float]] | None:
        """Up to ``n`` columns whose shape score falls short of fresh real data's beyond sampling noise, furthest
        first, as (column, synthetic, holdout); None when no holdout scored the columns (nothing to tell noise by).
        The survey walk's data card listed its three lowest columns as "known limitations" while every one was
        within noise of the holdout: a table as good as fresh data has none to list."""
        if self.fidelity is None:
            return None
        gaps = [g for g in self.fidelity.gaps if g.level == "column"]
        if not gaps:
            return None
        short = sorted((g for g in gaps if g.is_real and g.difference < 0), key=lambda g: (g.difference, g.name))
        return [(g.name, float(g.synthetic), float(g.reference)) for g in short[:n]]

    def headline(self) -> dict[str, Any]:
        """The leaderboard numbers, JSON-ready."""
        orders = {n: self.accuracy_order(k) for k, n in ((1, "univariate"), (2, "bivariate"), (3, "trivariate"))}
        d = self.discriminator
        honest: dict[str, Any] = {"honest_fidelity": self.honest_fidelity, "fidelity_level": self.fidelity_level}
        for name, score in orders.items():
            honest[f"{name}_accuracy"] = None if score is None else score.value
            iv = None if score is None else score.interval
            honest[f"{name}_interval"] = None if iv is None else (iv.low, iv.high)
            honest[f"{name}_ceiling"] = None if score is None else score.reference
        honest["discriminator_auc"] = self.discriminator_auc
        honest["discriminator_interval"] = None if d is None else (d.interval.low, d.interval.high)
        honest["discriminator_reference"] = None if d is None else d.reference_auc
        honest["clearly_detected"] = self.clearly_detected
        return to_jsonable(
            {
                **honest,
                "quality": self.quality,
                "quality_interval": self.quality_interval,
                "pair_trends": self.pair_trends,
                "detection_auc": self.detection_auc,
                "tstr": self.tstr,
                "trtr": self.trtr,
                "utility_measure": self.utility_measure,
                "closeness": self.closeness,
                "closeness_excess": self.closeness_excess,
                "membership_auc": self.membership_auc,
                "membership_auc_people": self.membership_auc_people,
                "membership_tpr_low_fpr": self.membership_tpr_low_fpr,
                "singling_out_risk": self.attack_risk("singling_out"),
                "linkability_risk": self.attack_risk("linkability"),
                "inference_risk": self.attack_risk("inference"),
                "rare_values_copied": self.rare_values_copied,
                "privacy_risk": self.privacy_risk,
                "privacy_risk_interval": self.privacy_risk_interval,
                "privacy_level": self.privacy_level,
                "privacy_set_by": self.privacy_set_by,
                "privacy_unsettled": self.privacy_unsettled,
                "privacy_risk_note": self.privacy_risk_note,
                "privacy_source": self.privacy_source,
                "privacy_screening": self.privacy_screening,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        parts = ("accuracy", "discriminator", "fidelity", "detection", "utility", "privacy", "attacks", "verdict")
        out: dict[str, Any] = {"headline": self.headline(), "columns": list(self.columns)}
        headline = self.fidelity_headline
        out["fidelity_headline"] = None if headline is None else headline.to_dict()
        for name in parts:
            value = getattr(self, name)
            out[name] = None if value is None else value.to_dict() if hasattr(value, "to_dict") else to_jsonable(value)
        out["settings"] = self.settings.to_dict()
        out["errors"] = dict(self.errors)
        return out


# The entry points that fill a TableEvaluation live in run_scoring (this module is the settings and the result);
# importers that name them here keep working. Imported last: run_scoring reads the classes above.
from synth.report.run_scoring import evaluate_context, evaluate_table  # noqa: E402

__all__ = ["EvaluationSettings", "TableEvaluation", "evaluate_context", "evaluate_table"]
