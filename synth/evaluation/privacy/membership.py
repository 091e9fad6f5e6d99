"""Membership inference: is this real person one the synthesizer trained on?

Every attack scores the same targets — a seeded sample of training rows (members) and the half of the holdout
the attacker does not hold (non-members) — and is reported as a ROC AUC with DeLong's 95% interval and as the
true-positive rate at 1% and 10% false-positive rate with bootstrap 95% intervals (the MIDST challenge's
measure: an attack that finds a few members with confidence matters even when its AUC is near 0.5). The other
half of the holdout is the attacker's **reference data**: real rows from the same population, never targets.

* **Distance** — closer to a synthetic row means more likely a member (the classic DCR attack).
* **Density ratio** (DOMIAS, van Breugel et al., AISTATS 2023) — synthetic density over reference density at
  the target, both estimated by nearest-neighbour distances: ``log d_ref − log d_syn``. A member in a crowded
  region is close to synthetic rows *and* to reference rows; the ratio cancels the crowding that fools the
  distance attack ("The DCR Delusion", Yao et al. 2025).
* **Shadow model** (:mod:`synth.evaluation.privacy.shadow`) — the chosen synthesizer refitted on the
  reference data with and without each row; a meta-classifier learns which features of the synthetic output
  give membership away (TAPAS-style, Houssiau et al. 2022).
* **Targeted** — the same attacks on the 1% most isolated training rows (and the non-members as isolated),
  since average-case numbers hide outliers ("Achilles' heels", Meeus et al. 2023).

The headline is the attack with the highest AUC, named. Whether it is a significant finding is judged on an
interval Bonferroni-adjusted for the number of attacks, so trying more attacks does not raise false alarms.
When a person column is known, a person's rows are one cluster of alike observations, and the AUC's interval is
the clustered DeLong one (Obuchowski 1997, :func:`~synth.evaluation.privacy.common.auc_with_interval`). Over rows
treated as independent, fresh holders of the bank ledger (about 13 rows each) read amber on 2 splits of 12, the
stated standard error half the AUC's spread over splits (0.015 against 0.030); clustered, 0 of 12 and 0.032
(``python -m benchmarks.bench_rows_clustered``). The AUC itself is the row AUC either way. The TPRs' bootstrap
then resamples people, each with all their rows (:func:`person_bootstrap`), for the same reason.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from synth.evaluation.privacy.common import AUC, auc_with_interval, cluster_index
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.results import to_jsonable
from synth.evaluation.spec import MetricSpec
from synth.progress import ProgressCallback, ensure, scaled
from synth.schema import Schema

if TYPE_CHECKING:
    from synth.evaluation.privacy.people_membership import PersonMembership

MEMBERSHIP_AUC = MetricSpec(
    "MembershipInferenceAUC",
    "Highest ROC AUC over the membership attacks of telling training rows from holdout rows (0.5 ideal)",
    goal="minimize",
)
FPRS = (0.01, 0.1)
N_BOOTSTRAP = 200
MIN_TARGETED = 10
"""The targeted check needs at least this many isolated non-members to compare with."""
EPS = 1e-3
"""Added to distances before their logarithm (distances are in units of a full-range gap)."""


@dataclass(frozen=True)
class TprAtFpr:
    """The share of members caught when at most ``fpr`` of non-members are wrongly accused.

    Attributes:
        fpr: the false-positive rate the threshold was set at (on the non-members' scores).
        tpr: members scoring above that threshold (ties count by the share needed to hit ``fpr``).
        low / high: bootstrap 95% interval (members and non-members resampled; people, each with all their
            rows, when the person is known).
    """

    fpr: float
    tpr: float
    low: float
    high: float


@dataclass(frozen=True)
class MembershipAttack:
    """One membership attack's score over members vs non-members.

    Attributes:
        name: ``distance``, ``density_ratio``, ``shadow_model``, or ``targeted_<name>`` for the isolated rows.
        label: the attack in words.
        auc: ROC AUC with its 95% DeLong interval (0.5 = no signal).
        tpr_at_fpr: TPR at 1% and 10% FPR (an FPR below one non-member is left out).
        n_members / n_non_members: targets scored.
        detail: what was done, with every sample size.
        auc_adjusted_low / auc_adjusted_high: the AUC's interval at the Bonferroni-adjusted level (95% over all
            the attacks run) the verdict uses.
    """

    name: str
    label: str
    auc: AUC
    tpr_at_fpr: tuple[TprAtFpr, ...]
    n_members: int
    n_non_members: int
    detail: str = ""
    auc_adjusted_low: float = 0.0
    auc_adjusted_high: float = 1.0

    def tpr(self, fpr: float) -> TprAtFpr | None:
        return next((t for t in self.tpr_at_fpr if abs(t.fpr - fpr) < 1e-12), None)

    def tpr_unavailable(self, fpr: float) -> str | None:
        """Why the TPR at ``fpr`` was not estimated (too few non-members to set such a threshold), or None."""
        if self.tpr(fpr) is not None:
            return None
        return (
            f"n/a (needs ≥ {min_non_members(fpr):,} non-members, has {self.n_non_members:,}): a false-positive rate "
            f"of {fpr:.0%} is below one wrongly accused non-member"
        )


@dataclass(frozen=True)
class MembershipResult:
    """The membership attacks. The top-level fields describe the distance attack (kept for old callers).

    Attributes:
        auc: the distance attack's AUC.
        n_members / n_non_members: training and holdout rows scored.
        median_distance_members / median_distance_non_members: their median distance to the synthetic table.
        share_members_at_zero / share_non_members_at_zero: rows with an identical synthetic row.
        seed: the seed of the row samples.
        attacks: every attack run, the distance attack first.
        not_run: attacks that could not run, with the reason (e.g. no synthesizer to refit for shadows).
        n_reference: holdout rows held by the attacker as reference data (never targets).
        n_synthetic: synthetic rows searched (all of them).
        people: the same evidence scored over people (:mod:`~synth.evaluation.privacy.people_membership`), when a
            column names whose row each real row is; None otherwise (then every figure here is about rows).
    """

    auc: AUC
    n_members: int
    n_non_members: int
    median_distance_members: float
    median_distance_non_members: float
    share_members_at_zero: float
    share_non_members_at_zero: float
    seed: int = 0
    attacks: tuple[MembershipAttack, ...] = ()
    not_run: tuple[str, ...] = ()
    n_reference: int = 0
    n_synthetic: int = 0
    notes: tuple[str, ...] = field(default=())
    people: PersonMembership | None = None

    def ran(self) -> str:
        """Which attacks ran, counted as the verdict counts them ("3 attacks ran: …"), and which did not."""
        n = len(self.attacks)
        text = f"{n} attack{'s' if n != 1 else ''} ran: " + "; ".join(a.label for a in self.attacks) + "."
        skipped = "; ".join(reason.split(":", 1)[0] for reason in self.not_run)
        return text + (f" Not run: {skipped} (reasons below)." if skipped else "")

    @property
    def headline(self) -> MembershipAttack | None:
        """The attack with the highest AUC (the worst case for privacy)."""
        return max(self.attacks, key=lambda a: a.auc.value, default=None)

    def get(self, name: str) -> MembershipAttack | None:
        return next((a for a in self.attacks if a.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        head = self.headline
        out["headline"] = None if head is None else {"name": head.name, "label": head.label, "auc": head.auc.value}
        for attack, row in zip(self.attacks, out.get("attacks", []), strict=True):
            row["tpr_unavailable"] = {str(f): why for f in FPRS if (why := attack.tpr_unavailable(f)) is not None}
        if head is not None:
            for f in FPRS:
                t = head.tpr(f)
                out["headline"][f"tpr_at_{f:g}"] = None if t is None else t.tpr
                out["headline"][f"tpr_at_{f:g}_note"] = head.tpr_unavailable(f)
        out["people"] = None if self.people is None else self.people.to_dict()
        return out


# ------------------------------------------------------------------------------------------------ ROC numbers
def min_non_members(fpr: float) -> int:
    """Non-members needed to set a threshold at ``fpr`` (one wrongly accused non-member at least)."""
    return int(np.ceil(1.0 / fpr - 1e-9))


def _tpr_at(pos: np.ndarray, neg: np.ndarray, fpr: float) -> float:
    """TPR at exactly ``fpr`` (a randomised threshold splits a tie, as a ROC curve interpolates)."""
    neg_sorted = np.sort(neg)[::-1]
    k = fpr * len(neg)
    idx = min(int(np.floor(k)), len(neg) - 1)
    t = neg_sorted[idx]
    above_neg = float(np.sum(neg > t))
    at_neg = float(np.sum(neg == t))
    share = min(max((k - above_neg) / at_neg, 0.0), 1.0) if at_neg else 0.0
    return float((np.sum(pos > t) + share * np.sum(pos == t)) / len(pos))


def roc_summary(
    pos: np.ndarray,
    neg: np.ndarray,
    seed: int,
    confidence: float = 0.95,
    clusters: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[AUC, tuple[TprAtFpr, ...]]:
    """AUC (DeLong; clustered by ``clusters``, the person of each score, when given) and TPR at :data:`FPRS` with
    bootstrap intervals (over people with ``clusters``: :func:`person_bootstrap`), for scores where members score
    higher."""
    auc = auc_with_interval(pos, neg, confidence, clusters=clusters)
    rng = np.random.default_rng([seed, 7])
    fprs = [fpr for fpr in FPRS if len(neg) >= min_non_members(fpr)]
    by_person = None if clusters is None else person_bootstrap(pos, neg, clusters, fprs, rng)
    out = []
    alpha = (1.0 - confidence) / 2
    for fpr in fprs:
        if by_person is None:
            boot = [_tpr_at(rng.choice(pos, len(pos)), rng.choice(neg, len(neg)), fpr) for _ in range(N_BOOTSTRAP)]
            low, high = np.quantile(boot, [alpha, 1 - alpha])
        else:
            low, high = np.nanquantile(by_person[fpr], [alpha, 1 - alpha])
        out.append(TprAtFpr(fpr, _tpr_at(pos, neg, fpr), float(low), float(high)))
    return auc, tuple(out)


def person_bootstrap(
    pos: np.ndarray,
    neg: np.ndarray,
    clusters: tuple[np.ndarray, np.ndarray],
    fprs: list[float],
    rng: np.random.Generator,
) -> dict[float, np.ndarray]:
    """:data:`N_BOOTSTRAP` TPRs at each of ``fprs``, each from a resample of the people (``clusters``: the person
    of every member's and every non-member's score; one person may have both), every drawn person bringing all
    their scores as often as drawn.

    Resampling rows takes a person's many alike rows for independent evidence: with every person's score on 10
    rows, the row bootstrap's interval at 10% FPR was 2.1 to 4.5 times narrower than this one (√10 in theory;
    ``tests/unit/test_membership_tpr_people.py``). On the bank ledger's fresh holders (about 13 rows each, 12
    splits) the distance attack's 95% interval at 10% FPR widened from 0.055 to 0.074 on average, against a TPR
    spread over splits of 0.015 (0.014 and 0.019 as standard errors); at 1% FPR from 0.022 to 0.025. A resample
    left with no member, or with fewer non-members than the FPR needs, counts as missing (NaN)."""
    pos_of, neg_of, k = cluster_index(clusters)
    out = {fpr: np.full(N_BOOTSTRAP, np.nan) for fpr in fprs}
    for b in range(N_BOOTSTRAP):
        drawn = np.bincount(rng.integers(0, k, k), minlength=k)
        p, q = np.repeat(pos, drawn[pos_of]), np.repeat(neg, drawn[neg_of])
        for fpr in fprs:
            if len(p) and len(q) >= min_non_members(fpr):
                out[fpr][b] = _tpr_at(p, q, fpr)
    return out


Scored = tuple[MembershipAttack, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]


def _attack(
    name: str,
    label: str,
    pos: np.ndarray,
    neg: np.ndarray,
    seed: int,
    confidence: float,
    detail: str,
    clusters: tuple[np.ndarray, np.ndarray] | None,
) -> Scored:
    auc, tprs = roc_summary(pos, neg, seed, confidence, clusters)
    return MembershipAttack(name, label, auc, tprs, len(pos), len(neg), detail), pos, neg, clusters


def density_ratio_scores(d_syn: np.ndarray, d_ref: np.ndarray) -> np.ndarray:
    """DOMIAS' score from nearest-neighbour density estimates: log p_syn − log p_ref, up to a constant.

    A k-NN density estimate is ∝ 1 / (n·d_k^D); the dimension D and the sizes are the same for every target,
    so the log ratio ranks targets as ``log d_ref − log d_syn`` does.
    """
    return np.log(d_ref + EPS) - np.log(d_syn + EPS)


# ------------------------------------------------------------------------------------------------ the attacks
def membership_inference(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame,
    schema: Schema | None = None,
    n_targets: int = 5000,
    seed: int = 0,
    confidence: float = 0.95,
    progress: ProgressCallback | None = None,
    inputs: PrivacyInputs | None = None,
    shadow: bool = True,
    n_shadow: int = 4,
) -> MembershipResult:
    """Run the membership attacks: distance, density ratio, shadow model (when the synthesizer is known) and
    the targeted check of the most isolated rows.

    Args:
        train: the table the synthesizer was fitted on (members).
        synthetic: its synthetic output (what the attacker has); every row is searched.
        holdout: real rows it never saw (at least 100): half reference data, half non-member targets.
        schema: column kinds (inferred from ``train`` when omitted).
        n_targets: at most this many members are scored (a seeded sample, plus the isolated rows).
        seed: seed of the row samples, the bootstrap and the shadow fits.
        confidence: level of the intervals.
        progress: called with (fraction, message).
        inputs: the tables prepared once; built from the tables when omitted (then ``seed`` and
            ``n_targets`` apply to it).
        shadow: run the shadow-model attack when ``inputs.synthesizer`` names the synthesizer to refit.
        n_shadow: shadow fits.

    Returns:
        A frozen :class:`MembershipResult`.
    """
    report = ensure(progress)
    if inputs is None:
        inputs = PrivacyInputs(train, holdout, synthetic, schema, seed=seed, n_targets=n_targets)
    report(0.05, "distances of the targets to the synthetic and reference rows")
    feats = inputs.target_features()
    (syn_m, ref_m), (syn_n, ref_n) = feats["members"], feats["non_members"]
    sample = np.isin(inputs.member_targets, inputs.member_sample)
    isolated = np.isin(inputs.member_targets, inputs.isolated_members)
    _, d_non = inputs.isolation()
    isolated_non = d_non >= inputs.isolation_threshold
    ref_rows, non_rows = inputs.holdout_halves
    n_syn = len(inputs.tables.synthetic)
    sizes = (
        f"{int(sample.sum()):,} training rows (members) vs {len(non_rows):,} holdout rows (non-members); "
        f"the attacker holds the other {len(ref_rows):,} holdout rows as reference data"
    )
    scores: dict[str, tuple[np.ndarray, np.ndarray]] = {
        "distance": (-syn_m[:, 0], -syn_n[:, 0]),
        "density_ratio": (density_ratio_scores(syn_m[:, 0], ref_m), density_ratio_scores(syn_n[:, 0], ref_n)),
    }
    labels = {
        "distance": "Distance to the closest synthetic row",
        "density_ratio": "Density ratio (DOMIAS)",
        "shadow_model": "Shadow model",
    }
    details = {
        "distance": f"Closer to a synthetic row scores higher; all {n_syn:,} synthetic rows searched. {sizes}.",
        "density_ratio": "Synthetic over reference density at each target, from the distance to the nearest "
        f"synthetic row and to the nearest reference row (all {n_syn:,} synthetic rows searched). {sizes}.",
    }
    not_run: list[str] = []
    if shadow and inputs.synthesizer is not None:
        from synth.evaluation.privacy.shadow import ShadowError, shadow_scores
        from synth.synthesizers.registry import label_of

        report(0.3, f"refitting {label_of(inputs.synthesizer[0])} on reference data ({n_shadow} shadow fits)")
        try:
            pos, neg, note = shadow_scores(inputs, n_shadow, seed, scaled(progress, 0.3, 0.9))
            scores["shadow_model"] = (pos, neg)
            details["shadow_model"] = f"{note} {sizes}."
        except ShadowError as exc:
            not_run.append(f"Shadow model: {exc}")
    elif shadow:
        not_run.append(
            "Shadow model: not run — the synthesizer that made this table is unknown (an uploaded table), so it "
            "cannot be refitted on reference data."
        )
    report(0.9, "scoring the attacks")
    # A person's rows are alike (their name, their habits), so with a person known the AUC's interval counts each
    # person's rows as one cluster; a holder of 13 ledger rows is not 13 independent observations.
    who = (
        None if inputs.people is None else (inputs.people.train[inputs.member_targets], inputs.people.holdout[non_rows])
    )
    attacks: list[Scored] = []
    for name, (pos, neg) in scores.items():
        clusters = None if who is None else (who[0][sample], who[1])
        attacks.append(_attack(name, labels[name], pos[sample], neg, seed, confidence, details[name], clusters))
    n_iso_non = int(isolated_non.sum())
    if n_iso_non >= MIN_TARGETED:
        for name, (pos, neg) in scores.items():
            detail = (
                f"{labels[name]} on the {int(isolated.sum()):,} most isolated training rows (1%, farthest from any "
                f"reference row: distance ≥ {inputs.isolation_threshold:.3f}) vs the {n_iso_non:,} non-members as "
                "isolated."
            )
            attacks.append(
                _attack(
                    f"targeted_{name}",
                    f"{labels[name]}, 1% most isolated rows",
                    pos[isolated],
                    neg[isolated_non],
                    seed,
                    confidence,
                    detail,
                    None if who is None else (who[0][isolated], who[1][isolated_non]),
                )
            )
    else:
        not_run.append(
            f"Targeted check: only {n_iso_non} {'non-member is' if n_iso_non == 1 else 'non-members are'} as "
            "isolated as the 1% most isolated training rows "
            f"(at least {MIN_TARGETED} are needed to compare with); a larger holdout makes it possible."
        )
    adjusted_level = 1.0 - (1.0 - confidence) / max(len(attacks), 1)
    final = []
    for a, pos, neg, clusters in attacks:
        adjusted = auc_with_interval(pos, neg, adjusted_level, clusters=clusters)
        final.append(dataclasses.replace(a, auc_adjusted_low=adjusted.low, auc_adjusted_high=adjusted.high))
    people = None
    if inputs.people is not None:
        from synth.evaluation.privacy.common import PrivacyInputError
        from synth.evaluation.privacy.people_membership import person_membership

        report(0.95, f"scoring membership over people (by {inputs.people.column})")
        try:
            people = person_membership(inputs, seed=seed, confidence=confidence)
        except PrivacyInputError as exc:
            not_run.append(f"Membership over people: {exc}")
    report(1.0, "done")
    d_m, d_n = syn_m[sample, 0], syn_n[:, 0]
    return MembershipResult(
        auc=final[0].auc,
        n_members=len(d_m),
        n_non_members=len(d_n),
        median_distance_members=float(np.median(d_m)),
        median_distance_non_members=float(np.median(d_n)),
        share_members_at_zero=float(np.mean(d_m == 0.0)),
        share_non_members_at_zero=float(np.mean(d_n == 0.0)),
        seed=inputs.seed,
        attacks=tuple(final),
        not_run=tuple(not_run),
        n_reference=len(ref_rows),
        n_synthetic=n_syn,
        notes=inputs.notes,
        people=people,
    )
