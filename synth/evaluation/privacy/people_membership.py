"""Person-level membership inference: was this *person* in the training data, not this row?

Why
    GDPR asks whether a person's data was used. On a table where one person has many rows (a patient's visits, a
    customer's orders) the row-level attacks of :mod:`synth.evaluation.privacy.membership` ask about rows: a
    synthesizer that copies one visit of a patient in three leaves two of that patient's rows looking like
    non-members, and the row-level AUC dilutes the patient's exposure by their number of visits. Their non-members
    are holdout rows too, and a holdout split by row holds people seen in training.

What peers do
    anonymeter (Giomi et al., PoPETs 2023) attacks *records*: its control is "records not used for training", with
    no notion of whose record it is, and it has no membership attack. synthcity's DOMIAS evaluator scores rows of the
    training and held-out sets; its time-series loader splits train and test by sequence id, but the privacy
    metrics then score the unpacked rows. Neither aggregates a person's rows, so we do.

What is done here
    The person is the column :func:`synth.schema.entities.entity_column` finds (or the dataset's ``split_by``).
    Holdout people with rows in train are left out (they are members, not fresh people); the fresh holdout people
    keep the side the row-level attacks' seeded split gave them, whole: the attacker's reference people or the
    non-member people (one split for both levels, so one attacker holds one reference set); training people
    are sampled whole until about ``n_targets`` rows. Every row of a scored person gets the row-level scores
    (closeness to the synthetic table; the DOMIAS density ratio against the reference rows), and each person is
    scored by the **best** of their rows (the one nearest a synthetic row: a single copied visit names the person)
    and by the **mean** over their rows (a diffuse pull of the whole person). Each of the four is reported as a
    ROC AUC over people with DeLong's interval and a bootstrap over people, the membership advantage
    ``2·(AUC − 0.5)`` with the bootstrap interval, and the TPR at 1% and 10% FPR.

The best-row score favours people with more rows; members and non-members are drawn from the same people, so
both sides carry the same spread of row counts and the AUC stays 0.5 for fresh people (pinned by
``tests/unit/test_people_membership.py``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from synth.evaluation.people import PersonRows
from synth.evaluation.privacy.common import AUC, PrivacyInputError, auc_with_interval
from synth.evaluation.privacy.membership import (
    MembershipAttack,
    density_ratio_scores,
    roc_summary,
)
from synth.evaluation.privacy.neighbors import euclidean_neighbors
from synth.evaluation.results import number, percent, to_jsonable

if TYPE_CHECKING:
    from synth.evaluation.privacy.inputs import PrivacyInputs

N_BOOTSTRAP = 200
MIN_PEOPLE = 10
"""Each side (members, non-members) needs at least this many people to be scored."""


@dataclass(frozen=True)
class PersonAttack(MembershipAttack):
    """A membership attack scored over people (``n_members`` / ``n_non_members`` count people).

    Attributes:
        auc_boot_low / auc_boot_high: 95% bootstrap interval of the AUC (people resampled on both sides).
        advantage: membership advantage ``2·(AUC − 0.5)``, as the report states it (0 = no signal, 1 = every
            member told apart). The largest TPR − FPR over thresholds (Yeom et al.) was not taken: picked on the
            scored people themselves it read 0.07–0.10 for fresh people on the clinic table.
        advantage_low / advantage_high: its 95% bootstrap interval (from the AUC's).
    """

    auc_boot_low: float = 0.0
    auc_boot_high: float = 1.0
    advantage: float = 0.0
    advantage_low: float = 0.0
    advantage_high: float = 1.0


@dataclass(frozen=True)
class PersonMembership:
    """Membership attacks over people.

    Attributes:
        column: the person column.
        attacks: each row score (distance, density ratio) aggregated by the best row and by the mean.
        n_members / n_non_members / n_reference: training people scored, fresh holdout people scored, fresh holdout
            people the attacker holds as reference data.
        member_rows / non_member_rows: their rows.
        n_seen: holdout people left out because they have rows in train.
        n_people_train: people in train.
    """

    column: str
    attacks: tuple[PersonAttack, ...]
    n_members: int
    n_non_members: int
    n_reference: int
    member_rows: int
    non_member_rows: int
    n_seen: int
    n_people_train: int

    @property
    def headline(self) -> PersonAttack | None:
        """The attack with the highest AUC."""
        return max(self.attacks, key=lambda a: a.auc.value, default=None)

    def get(self, name: str) -> PersonAttack | None:
        return next((a for a in self.attacks if a.name == name), None)

    def describe(self) -> str:
        seen = (
            f"; {self.n_seen:,} holdout {self.column} value(s) with rows in train are left out (seen people)"
            if self.n_seen
            else ""
        )
        return (
            f"{self.n_members:,} training people ({self.member_rows:,} rows) vs {self.n_non_members:,} holdout people "
            f"({self.non_member_rows:,} rows), by {self.column}; the attacker holds {self.n_reference:,} other holdout "
            f"people as reference data{seen}"
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        head = self.headline
        out["headline"] = (
            None
            if head is None
            else {"name": head.name, "label": head.label, "auc": head.auc.value, "advantage": head.advantage}
        )
        return out


#: The table of the person-level attacks, in order: what the Privacy page and the HTML report print.
PEOPLE_COLUMNS = (
    "attack (per person)",
    "AUC",
    "95% CI (bootstrap over people)",
    "advantage",
    "TPR at 10% FPR",
    "people (members)",
    "people (non-members)",
)


def people_rows(people: PersonMembership) -> list[dict[str, str | int]]:
    """One row per person-level attack, under :data:`PEOPLE_COLUMNS`: the figures as text (true minus signs, from
    :func:`~synth.evaluation.results.number`), the counts of people as numbers. The page and the report print the
    same cells."""
    rows: list[dict[str, str | int]] = []
    for a in people.attacks:
        tpr = a.tpr(0.1)
        cells: tuple[str | int, ...] = (
            a.label,
            number(a.auc.value),
            f"{number(a.auc_boot_low)}–{number(a.auc_boot_high)}",
            number(a.advantage),
            "n/a" if tpr is None else f"{percent(tpr.tpr)} ({percent(tpr.low)}–{percent(tpr.high)})",
            a.n_members,
            a.n_non_members,
        )
        rows.append(dict(zip(PEOPLE_COLUMNS, cells, strict=True)))
    return rows


# ------------------------------------------------------------------------------------------------ statistics
def _bootstrap(pos: np.ndarray, neg: np.ndarray, seed: int) -> tuple[float, float]:
    """95% percentile interval of the AUC, people resampled within each side."""
    rng = np.random.default_rng([seed, 23])
    aucs = [auc_with_interval(rng.choice(pos, len(pos)), rng.choice(neg, len(neg))).value for _ in range(N_BOOTSTRAP)]
    low, high = np.quantile(aucs, [0.025, 0.975])
    return float(low), float(high)


def by_person(scores: np.ndarray, people: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each person's best (highest) and mean row score, in the order of their codes."""
    frame = pd.DataFrame({"p": people, "s": scores}).groupby("p", sort=True)["s"]
    return frame.max().to_numpy(), frame.mean().to_numpy()


# ------------------------------------------------------------------------------------------------ the attack
def _halves(inputs: PrivacyInputs, rows: PersonRows) -> tuple[np.ndarray, np.ndarray, int]:
    """The fresh holdout people (none with rows in train) on each side of the row-level split
    (:attr:`~synth.evaluation.privacy.inputs.PrivacyInputs.holdout_halves`, which keeps each person whole): the
    attacker's reference people and the non-members, and how many holdout people were left out as seen.

    One split serves both levels, with seen people dropped here only: over rows a seen person's holdout row is a
    row the model never saw, over people that person is a member. Without seen people the attacker holds the same
    reference rows at both levels."""
    ref_rows, non_rows = inputs.holdout_halves
    seen = np.unique(rows.train)
    reference = np.setdiff1d(rows.holdout[ref_rows], seen)
    non_members = np.setdiff1d(rows.holdout[non_rows], seen)
    return reference, non_members, len(np.intersect1d(rows.holdout, seen))


def _members(rows: PersonRows, n_targets: int, seed: int) -> np.ndarray:
    """Training people in a seeded order, whole, until about ``n_targets`` rows (at least one person)."""
    people, counts = np.unique(rows.train, return_counts=True)
    order = np.random.default_rng([seed, 22]).permutation(len(people))
    within = np.cumsum(counts[order]) <= max(n_targets, int(counts[order[0]]))
    return np.sort(people[order[within]])


def person_membership(
    inputs: PrivacyInputs, *, seed: int = 0, n_targets: int | None = None, confidence: float = 0.95
) -> PersonMembership:
    """Score each training person and each fresh holdout person by their rows' membership evidence.

    Args:
        inputs: the prepared tables, with :attr:`~synth.evaluation.privacy.inputs.PrivacyInputs.people` set.
        seed: seed of the training people's sample and the bootstrap (the holdout's halves are the row level's,
            seeded by ``inputs.seed``).
        n_targets: training rows scored, whole people (``inputs.n_targets`` when omitted).
        confidence: level of the DeLong interval.

    Raises:
        PrivacyInputError: when no person column is known, or fewer than :data:`MIN_PEOPLE` fresh holdout people
            are left for either the reference or the non-members.
    """
    rows = inputs.people
    if rows is None:
        raise PrivacyInputError("No person column is known, so membership cannot be scored over people.")
    reference, non_members, n_seen = _halves(inputs, rows)
    if len(non_members) < MIN_PEOPLE or len(reference) < MIN_PEOPLE:
        raise PrivacyInputError(
            f"only {len(reference) + len(non_members)} holdout people have no rows in train (at least "
            f"{2 * MIN_PEOPLE} are needed: half as reference data, half as non-members); split the table by "
            f"{rows.column} (synth.split(table, by={rows.column!r})) or hold out more people."
        )
    members = _members(rows, inputs.n_targets if n_targets is None else n_targets, seed)
    m_rows = np.flatnonzero(np.isin(rows.train, members))
    n_rows = np.flatnonzero(np.isin(rows.holdout, non_members))
    ref_rows = np.flatnonzero(np.isin(rows.holdout, reference))
    row_reference, row_non_members = inputs.holdout_halves
    if np.array_equal(ref_rows, row_reference):
        # the row level's reference rows: their distances to every training row and every non-member row are
        # searched already (isolation), and this level's non-member rows are among the row level's
        d_train, d_non = inputs.isolation()
        d_ref = {"train": d_train[m_rows], "holdout": d_non[np.searchsorted(row_non_members, n_rows)]}
    else:  # seen people among the row level's reference rows, left out here: a reference of this level's own
        x_ref = inputs.encoded("holdout")[ref_rows]
        d_ref = {
            "train": euclidean_neighbors(inputs.encoded("train")[m_rows], x_ref, 1)[0][:, 0],
            "holdout": euclidean_neighbors(inputs.encoded("holdout")[n_rows], x_ref, 1)[0][:, 0],
        }

    def evidence(which: Literal["train", "holdout"], scored: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # the distances to the synthetic rows are the row-level attacks' (each real row searched once)
        d_syn = inputs.to_synthetic(which, scored)[:, 0]
        return -d_syn, density_ratio_scores(d_syn, d_ref[which])

    m_dist, m_ratio = evidence("train", m_rows)
    n_dist, n_ratio = evidence("holdout", n_rows)
    labels = {"distance": "Distance to the closest synthetic row", "density_ratio": "Density ratio (DOMIAS)"}
    found: list[tuple[PersonAttack, np.ndarray, np.ndarray]] = []
    for name, (m_score, n_score) in {"distance": (m_dist, n_dist), "density_ratio": (m_ratio, n_ratio)}.items():
        m_best, m_mean = by_person(m_score, rows.train[m_rows])
        n_best, n_mean = by_person(n_score, rows.holdout[n_rows])
        for how, pos, neg, words in (
            ("best", m_best, n_best, "each person scored by their row that scores highest"),
            ("mean", m_mean, n_mean, "each person scored by the mean over their rows"),
        ):
            auc, tprs = roc_summary(pos, neg, seed, confidence)
            a_low, a_high = _bootstrap(pos, neg, seed)
            attack = PersonAttack(
                f"person_{name}_{how}",
                f"{labels[name]}, per person ({'best row' if how == 'best' else 'mean over rows'})",
                auc,
                tprs,
                len(pos),
                len(neg),
                f"{labels[name]} of every row, {words}.",
                auc_boot_low=a_low,
                auc_boot_high=a_high,
                advantage=2 * auc.value - 1,
                advantage_low=2 * a_low - 1,
                advantage_high=2 * a_high - 1,
            )
            found.append((attack, pos, neg))
    adjusted_level = 1.0 - (1.0 - confidence) / len(found)
    attacks = []
    for attack, pos, neg in found:
        adjusted: AUC = auc_with_interval(pos, neg, adjusted_level)
        attacks.append(dataclasses.replace(attack, auc_adjusted_low=adjusted.low, auc_adjusted_high=adjusted.high))
    return PersonMembership(
        column=rows.column,
        attacks=tuple(attacks),
        n_members=len(members),
        n_non_members=len(non_members),
        n_reference=len(reference),
        member_rows=len(m_rows),
        non_member_rows=len(n_rows),
        n_seen=n_seen,
        n_people_train=rows.n_people_train,
    )
