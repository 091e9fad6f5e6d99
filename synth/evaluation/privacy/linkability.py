"""The linkability attack of WP216: can two tables about the same people be joined through the synthetic table?

Moved out of :mod:`synth.evaluation.privacy.wp216` (singling out and inference stay there, with what every attack
shares: the default number of attacks and the prepared inputs).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synth.evaluation.privacy.attack_people import attack_targets, targets_in_words
from synth.evaluation.privacy.attack_result import AttackResult, _result
from synth.evaluation.privacy.attacker import AttackerModelError
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.neighbors import GowerRows, paired_gower_distances
from synth.evaluation.privacy.wp216 import DEFAULT_N_ATTACKS, _shared
from synth.progress import ProgressCallback, ensure
from synth.schema import Schema


def _links(idx_a: np.ndarray, idx_b: np.ndarray) -> np.ndarray:
    """Whether the neighbour sets of each row's two halves share a synthetic row."""
    return np.asarray((idx_a[:, :, None] == idx_b[:, None, :]).any(axis=(1, 2)))


def _tied_links(
    target_a: GowerRows,
    target_b: GowerRows,
    syn_a: GowerRows,
    syn_b: GowerRows,
    dist_a: np.ndarray,
    dist_b: np.ndarray,
    idx_a: np.ndarray,
    idx_b: np.ndarray,
) -> np.ndarray:
    """Links that a lowest-row tie-break hides: the B half's nearest row is also among the A half's nearest
    (tied at the same distance), or the other way round.

    anonymeter keeps one nearest row per half, the first of any ties; when many synthetic rows share a
    target's known values (a common age, sex and country) the first is rarely the target's own row, so a
    verbatim copy of train linked no better than chance. The attacker sees the ties too.
    """
    a0, b0 = idx_a[:, 0], idx_b[:, 0]
    b_on_a = paired_gower_distances(target_a, syn_a.take(b0)) <= dist_a[:, 0] + 1e-9
    a_on_b = paired_gower_distances(target_b, syn_b.take(a0)) <= dist_b[:, 0] + 1e-9
    return np.asarray(b_on_a | a_on_b)


def linkability(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame,
    columns_a: Sequence[str],
    columns_b: Sequence[str],
    schema: Schema | None = None,
    n_attacks: int = DEFAULT_N_ATTACKS,
    n_neighbors: int = 1,
    seed: int = 0,
    confidence: float = 0.95,
    progress: ProgressCallback | None = None,
    inputs: PrivacyInputs | None = None,
) -> AttackResult:
    """Linkability risk: can two tables about the same people be joined through the synthetic table?

    Each target's columns are split into group A and group B; the attack finds the nearest synthetic rows
    (Gower distance) of each half and succeeds when the two share a row — counting rows tied at the nearest
    distance, which the attacker sees too (anonymeter keeps only the first of them, so a copy of train hid
    among its look-alikes on common known values). Targets are training rows (main) and holdout rows (control), or
    with a person column (``inputs.people``) training and holdout people, each through one of their rows
    (:mod:`~synth.evaluation.privacy.attack_people`); the baseline links random synthetic rows.

    Args:
        train: the table the synthesizer was fitted on.
        synthetic: its synthetic output.
        holdout: real rows it never saw (at least 100).
        columns_a: the first column group (e.g. the quasi-identifiers).
        columns_b: the second column group, disjoint from the first.
        schema: column kinds (inferred from ``train`` when omitted).
        n_attacks: targets per run (capped by the rows, or the people, available).
        n_neighbors: nearest synthetic rows considered per half (anonymeter's default: 1).
        seed: seed of the target samples and the baseline.
        confidence: level of the intervals.
        progress: called with (fraction, message).
        inputs: the tables prepared once (:class:`PrivacyInputs`); built from the tables when omitted.

    Raises:
        AttackerModelError: for empty or overlapping groups; PrivacyInputError for a small holdout.
    """
    report = ensure(progress)
    a, b = list(dict.fromkeys(columns_a)), list(dict.fromkeys(columns_b))
    if not a or not b:
        raise AttackerModelError("The linkability attack needs two non-empty column groups.")
    if set(a) & set(b):
        raise AttackerModelError(
            f"Column(s) {', '.join(repr(c) for c in sorted(set(a) & set(b)))} are in both linkability groups; "
            "each column can be in one group only."
        )
    inputs = _shared(train, synthetic, holdout, schema, inputs)
    a, b = inputs.check_columns(a), inputs.check_columns(b)
    t = inputs.tables
    rng = np.random.default_rng(seed)
    syn_a, syn_b = inputs.gower("synthetic", a), inputs.gower("synthetic", b)
    k = max(1, min(n_neighbors, len(t.synthetic)))
    people, counts = inputs.people, []
    unit = "rows" if people is None else "people"
    for step, (label, which) in enumerate((("training", "train"), ("holdout", "holdout"))):
        rows = attack_targets(people, which, len(inputs.table(which)), n_attacks, rng)  # type: ignore[arg-type]
        report(0.1 + 0.4 * step, f"linking {len(rows):,} {label} {unit} through synthetic neighbours")
        target_a, target_b = inputs.gower(which, a).take(rows), inputs.gower(which, b).take(rows)  # type: ignore[arg-type]
        dist_a, idx_a = inputs.gower_nearest(which, a, rows, k)  # type: ignore[arg-type]
        dist_b, idx_b = inputs.gower_nearest(which, b, rows, k)  # type: ignore[arg-type]
        linked = _links(idx_a, idx_b) | _tied_links(target_a, target_b, syn_a, syn_b, dist_a, dist_b, idx_a, idx_b)
        counts.append((float(linked.sum()), len(rows)))
    n_main = counts[0][1]
    n_syn = len(t.synthetic)
    rand_a = np.array([rng.choice(n_syn, size=k, replace=False) for _ in range(n_main)]).reshape(n_main, k)
    rand_b = np.array([rng.choice(n_syn, size=k, replace=False) for _ in range(n_main)]).reshape(n_main, k)
    n_base = float(_links(rand_a, rand_b).sum())
    report(1.0, "done")
    detail = (
        f"{n_main:,} training and {counts[1][1]:,} holdout people{targets_in_words(people)} split into "
        f"[{', '.join(a)}] and [{', '.join(b)}]; a success when both halves have the same nearest synthetic row (rows "
        f"tied at the nearest distance count){'' if k == 1 else f' among their {k} nearest'}."
    )
    return _result(
        "linkability",
        "linkability",
        "Linkability",
        counts[0],
        counts[1],
        (n_base, n_main),
        confidence,
        columns=(*a, *b),
        detail=detail,
        seed=seed,
        person=None if people is None else people.column,
    )
