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
interval from the Wilson intervals of both rates (see :mod:`synth.evaluation.privacy.common`).

* **Singling out** — predicates built from synthetic rows that isolate exactly one real person
  (univariate: rare values; multivariate: ``n_cols`` columns of a synthetic row).
* **Linkability** — two column groups (say, a hospital's table and a census table) linked through the
  nearest synthetic neighbour of each: a success when both halves of a real person pick the same row.
* **Inference** — guess a secret column from the quasi-identifiers through the nearest synthetic row.

**Membership inference** (distance, density ratio, shadow model and a targeted check of the most isolated
rows) is in :mod:`synth.evaluation.privacy.membership`, scored by AUC and TPR at low FPR.

This module gathers the public names; the attacker model lives in :mod:`~synth.evaluation.privacy.attacker`,
the results in :mod:`~synth.evaluation.privacy.attack_result` and the three criteria in
:mod:`~synth.evaluation.privacy.wp216`.

Every attack takes a ``seed`` and gives the same numbers for the same inputs and seed.
"""

from __future__ import annotations

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
    evaluate_attacks,
    inference,
    linkability,
    singling_out,
)

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
