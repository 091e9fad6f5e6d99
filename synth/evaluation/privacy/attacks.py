"""Privacy attacks on a synthetic table, each with a control and a baseline, so every risk can be explained.

The three criteria of the EU Article 29 Working Party's opinion on anonymisation (WP216) are run as attacks
in the framework of Giomi et al., "A Unified Framework for Quantifying Privacy Risk in Synthetic Data"
(PoPETs 2023), as implemented in anonymeter. Each attack uses only the synthetic table and is run three
ways:

* **main** — against real training rows (the people the synthesizer saw);
* **control** — against real holdout rows (people it never saw): what the synthetic table reveals about
  anyone, through the patterns it is meant to keep;
* **baseline** — at random: a sanity check that the attack does better than guessing.

The risk is what the main attack gains over the control, ``(main − control) / (1 − control)``, with a 95%
interval from the Wilson intervals of both rates (see :mod:`synth.evaluation.privacy.common`); inference's control
is matched to the training targets' secrets and its interval comes from posterior draws
(:mod:`synth.evaluation.privacy.inference_risk`, anonymeter's figure kept beside it). With a person column
(:class:`~synth.evaluation.privacy.inputs.PrivacyInputs` ``person_column``) main and control count people, not rows:
:mod:`~synth.evaluation.privacy.singling_people` and :mod:`~synth.evaluation.privacy.attack_people`.

* **Singling out** — predicates built from synthetic rows that isolate exactly one real person
  (univariate: rare values; multivariate: ``n_cols`` columns of a synthetic row).
* **Linkability** — two column groups (say, a hospital's table and a census table) linked through the
  nearest synthetic neighbour of each: a success when both halves of a real person pick the same row.
* **Inference** — guess a secret column from the quasi-identifiers through the nearest synthetic row.

**Membership inference** (distance, density ratio, shadow model and a targeted check of the most isolated
rows) is in :mod:`synth.evaluation.privacy.membership`, scored by AUC and TPR at low FPR.

This module runs them all (:func:`evaluate_attacks`) and gathers the public names; the attacker model lives in
:mod:`~synth.evaluation.privacy.attacker`, the results in :mod:`~synth.evaluation.privacy.attack_result` and
the three criteria in :mod:`~synth.evaluation.privacy.wp216`.

Every attack takes a ``seed`` and gives the same numbers for the same inputs and seed.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from synth.evaluation.privacy.attack_result import (
    CRITERIA,
    INFERENCE_RISK,
    LINKABILITY_RISK,
    SINGLING_OUT_RISK,
    AttackReport,
    AttackResult,
    Criterion,
)
from synth.evaluation.privacy.attacker import AttackerModel, AttackerModelError, default_attacker_model
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.linkability import linkability
from synth.evaluation.privacy.membership import (
    MEMBERSHIP_AUC,
    MembershipAttack,
    MembershipResult,
    TprAtFpr,
    membership_inference,
)
from synth.evaluation.privacy.wp216 import (
    DEFAULT_N_ATTACKS,
    INFERENCE_TOLERANCE,
    _shared,
    inference,
    singling_out,
)
from synth.progress import ProgressCallback, scaled
from synth.schema import Schema


# ------------------------------------------------------------------------------------------- all together
def evaluate_attacks(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame,
    attacker: AttackerModel | None = None,
    schema: Schema | None = None,
    criteria: Sequence[Criterion] = CRITERIA,
    n_attacks: int = DEFAULT_N_ATTACKS,
    n_cols: int = 3,
    seed: int = 0,
    confidence: float = 0.95,
    progress: ProgressCallback | None = None,
    inputs: PrivacyInputs | None = None,
) -> AttackReport:
    """Run the WP216 attacks for one attacker model: singling out (univariate and multivariate), linkability
    and inference.

    Args:
        train: the table the synthesizer was fitted on.
        synthetic: its synthetic output.
        holdout: real rows it never saw (at least 100).
        attacker: known columns, secret and linkability groups; :func:`default_attacker_model` when omitted.
        schema: column kinds and attacker-model flags (inferred from ``train`` when omitted).
        criteria: which criteria to run (singling out does not depend on the attacker model).
        n_attacks: attacks per run.
        n_cols: conditions per multivariate singling-out predicate.
        seed: seed of every attack.
        confidence: level of the intervals.
        progress: called with (fraction, message).
        inputs: the tables prepared once (:class:`PrivacyInputs`); built from the tables when omitted.

    Raises:
        AttackerModelError: for an attacker model the attacks cannot run with.
        PrivacyInputError: for a holdout of fewer than 100 rows.
    """
    inputs = _shared(train, synthetic, holdout, schema, inputs)
    schema = inputs.schema
    attacker = attacker or default_attacker_model(schema, train)
    wanted = [c for c in CRITERIA if c in criteria]
    if "linkability" in wanted or "inference" in wanted:
        attacker.validate(schema, train)
    steps = (["univariate", "multivariate"] if "singling_out" in wanted else []) + [
        c for c in wanted if c != "singling_out"
    ]
    if "inference" in steps:
        steps.insert(steps.index("inference") + 1, "inference_rare")
    results = []
    for i, step in enumerate(steps):
        sub = scaled(progress, i / len(steps), (i + 1) / len(steps))
        if step in ("univariate", "multivariate"):
            results.append(
                singling_out(
                    train,
                    synthetic,
                    holdout=holdout,
                    schema=schema,
                    mode=step,  # type: ignore[arg-type]
                    n_attacks=n_attacks,
                    n_cols=n_cols,
                    seed=seed,
                    confidence=confidence,
                    progress=sub,
                    inputs=inputs,
                )
            )
        elif step == "linkability":
            a, b = attacker.linkability_groups(list(inputs.columns))
            results.append(
                linkability(
                    train,
                    synthetic,
                    holdout=holdout,
                    columns_a=a,
                    columns_b=b,
                    schema=schema,
                    n_attacks=n_attacks,
                    seed=seed,
                    confidence=confidence,
                    progress=sub,
                    inputs=inputs,
                )
            )
        else:
            results.append(
                inference(
                    train,
                    synthetic,
                    holdout=holdout,
                    known=attacker.known,
                    secret=attacker.secret,
                    schema=schema,
                    n_attacks=n_attacks,
                    seed=seed,
                    confidence=confidence,
                    progress=sub,
                    inputs=inputs,
                    rare_only=step == "inference_rare",
                )
            )
    return AttackReport(attacker=attacker, results=tuple(results), n_attacks=n_attacks, seed=seed)


__all__ = [
    "CRITERIA",
    "DEFAULT_N_ATTACKS",
    "INFERENCE_RISK",
    "INFERENCE_TOLERANCE",
    "LINKABILITY_RISK",
    "MEMBERSHIP_AUC",
    "SINGLING_OUT_RISK",
    "AttackReport",
    "AttackResult",
    "AttackerModel",
    "AttackerModelError",
    "Criterion",
    "MembershipAttack",
    "MembershipResult",
    "TprAtFpr",
    "default_attacker_model",
    "evaluate_attacks",
    "inference",
    "linkability",
    "membership_inference",
    "singling_out",
]
