"""Results of the WP216 attacks: a main, control and baseline rate per attack and the risk between them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from synth.evaluation.privacy.attacker import AttackerModel
from synth.evaluation.privacy.common import Rate, Risk, _probit, residual_risk, success_rate
from synth.evaluation.results import to_jsonable
from synth.evaluation.spec import MetricSpec

Criterion = Literal["singling_out", "linkability", "inference"]
CRITERIA: tuple[Criterion, ...] = ("singling_out", "linkability", "inference")

SINGLING_OUT_RISK = MetricSpec(
    "SinglingOutRisk",
    "Excess of predicates from synthetic rows that isolate one training person over one holdout person",
    goal="minimize",
)
LINKABILITY_RISK = MetricSpec(
    "LinkabilityRisk",
    "Excess of training people whose two column groups link through one synthetic row, over holdout people",
    goal="minimize",
)
INFERENCE_RISK = MetricSpec(
    "InferenceRisk",
    "Excess of correct secret guesses from the nearest synthetic row for training people over holdout people",
    goal="minimize",
)


@dataclass(frozen=True)
class AttackResult:
    """One attack, run against training rows (main), holdout rows (control) and at random (baseline); with a person
    column, against training and holdout people.

    Attributes:
        name: ``singling_out_univariate``, ``singling_out_multivariate``, ``linkability`` or ``inference``.
        criterion: the WP216 criterion: ``singling_out``, ``linkability`` or ``inference``.
        label: the attack in words.
        main: success rate against training rows.
        control: success rate against holdout rows (for singling out, corrected to the train size; for inference,
            the holdout's rate per secret value weighted as the training targets' secrets are).
        baseline: success rate of the random attack.
        risk: excess of main over control, in [0, 1] with its interval (for inference: of the shares, with a
            posterior interval; see :mod:`~synth.evaluation.privacy.inference_risk`).
        columns: the columns the attack used (for linkability: group A then group B).
        secret: the inferred column (inference only).
        detail: what was done, in one or two sentences.
        examples: a few successful attacks in words (singling-out predicates); real values, show with care.
        warnings: caveats: too few predicates, a baseline as good as the attack, a failed correction.
        seed: the seed used.
        anonymeter_risk: anonymeter's figure, ``(main − control) / (1 − control)`` on the Wilson estimates of the
            unmatched rates with their propagated error, where ours differs from it (inference); else None.
        person: the person column when the rates count people (:mod:`~synth.evaluation.privacy.singling_people`,
            :mod:`~synth.evaluation.privacy.attack_people`); None when they count rows.
    """

    name: str
    criterion: Criterion
    label: str
    main: Rate
    control: Rate
    baseline: Rate
    risk: Risk
    columns: tuple[str, ...]
    secret: str | None = None
    detail: str = ""
    examples: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    seed: int = 0
    anonymeter_risk: Risk | None = None
    person: str | None = None

    @property
    def unit(self) -> str:
        """What the rates count: ``"people"`` or ``"rows"``."""
        return "rows" if self.person is None else "people"

    @property
    def n_attacks(self) -> int:
        return self.main.n_total

    @property
    def measured(self) -> bool:
        """Whether the attack could be made on training rows and on holdout rows (e.g. no singling-out predicate
        exists for a tiny table; no person is rare on the known columns). Without either there is no risk, only a
        placeholder of 0 with a 0–0 interval, which must not read or count as a measured 0%."""
        return self.main.n_total > 0 and self.control.n_total > 0

    @property
    def not_run_reason(self) -> str | None:
        """Why the attack was not measured, in words; None when it was."""
        if self.measured:
            return None
        if self.warnings:
            return self.warnings[0]
        side = "training" if self.main.n_total == 0 else "holdout"
        return f"No attack could be made on {side} {self.unit}."

    @property
    def beats_baseline(self) -> bool:
        return self.main.value > self.baseline.value

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        for part in ("main", "control", "baseline"):
            rate: Rate = getattr(self, part)
            out[part].update(low=rate.low, high=rate.high, observed=rate.observed)
        if self.person is None:  # counted over rows: written as before people were counted
            del out["person"]
        return out


@dataclass(frozen=True)
class AttackReport:
    """The attacks run for one attacker model."""

    attacker: AttackerModel
    results: tuple[AttackResult, ...]
    n_attacks: int
    seed: int

    def get(self, name: str) -> AttackResult | None:
        return next((r for r in self.results if r.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "attacker": self.attacker.to_dict(),
            "results": [r.to_dict() for r in self.results],
            "n_attacks": self.n_attacks,
            "seed": self.seed,
        }


def _result(
    name: str,
    criterion: Criterion,
    label: str,
    n_main: tuple[float, int],
    n_control: tuple[float, int],
    n_baseline: tuple[float, int],
    confidence: float,
    control_se: float = 0.0,
    excess_se: float = 0.0,
    matched: tuple[Rate, Rate, Risk] | None = None,
    **extra: Any,
) -> AttackResult:
    """``control_se`` / ``excess_se``: standard errors, as shares of the attacks, of an estimated control rate and of
    the excess over it (singling out's control extrapolated to the train size, bootstrapped with the main attack
    by :func:`~synth.evaluation.privacy.singling_control.singling_error`). The control's interval is at least
    ``control_se`` wide; the risk's is ``excess_se`` wide, and at least as wide as the two binomial intervals make it
    (for a handful of successes the bootstrap sees too little to vary). ``matched``: the main rate, control rate and
    risk computed elsewhere (inference's secret-matched control), used as they are."""
    main = success_rate(*n_main, level=confidence)
    control = success_rate(*n_control, level=confidence)
    binomial = residual_risk(main, control) if main.n_total and control.n_total else None
    if control_se > 0 and control.n_total:
        control = replace(control, error=max(control.error, _probit(confidence) * control_se))
    risk = _risk(main, control, binomial, _probit(confidence) * excess_se)
    if matched is not None:
        main, control, risk = matched
    baseline = success_rate(*n_baseline, level=confidence)
    warnings = list(extra.pop("warnings", ()))
    if main.n_total and baseline.value >= main.value:
        warnings.append(
            "The attack did no better than the random baseline: its risk estimate cannot be trusted "
            "(anonymeter gives the same warning)."
        )
    return AttackResult(
        name=name,
        criterion=criterion,
        label=label,
        main=main,
        control=control,
        baseline=baseline,
        risk=risk,
        warnings=tuple(warnings),
        **extra,
    )


def _risk(main: Rate, control: Rate, binomial: Risk | None, bootstrap: float) -> Risk:
    """The excess of ``main`` over ``control``: with a bootstrapped half-width, that or the ``binomial`` one (from
    the plain binomial rates, whichever is wider) around the excess; without, the error propagated from both rates."""
    if binomial is None:
        return Risk(0.0, 0.0, 0.0, 0.0)
    if bootstrap <= 0:
        return residual_risk(main, control)
    error = max(bootstrap, binomial.error)
    clip = lambda x: min(max(x, 0.0), 1.0)  # noqa: E731
    return replace(binomial, low=clip(binomial.excess - error), high=clip(binomial.excess + error), error=error)
