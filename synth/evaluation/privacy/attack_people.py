"""Linkability and inference over people: each sampled person is attacked once, through one of their rows.

Why
    The two attacks (:mod:`synth.evaluation.privacy.linkability`, :mod:`synth.evaluation.privacy.wp216`) drew their
    targets as rows. On a table of visits a patient with six visits was targeted six times as often as a patient
    with one, and the main and control rates counted each visit as an independent trial though a patient's visits
    share what the attack reads (date of birth, sex, region): the intervals were as narrow as if every visit were
    another person, and the words said "people" over a count of rows.

How
    With a person column (:class:`~synth.evaluation.people.PersonRows`), the targets of each side are people:
    training people for the main attack, holdout people for the control, at most ``n_attacks`` of each drawn without
    replacement, each attacked through one of their rows drawn at random (:func:`person_targets`). For the targeted
    inference (people whose known values are rare in the synthetic table) a person is eligible when one of their rows
    is, and is attacked through one of those rows. A success is the attack succeeding on that row, so each person is
    one trial and the rates, their intervals and the risk count people. Without a person column the rows are drawn
    as before, with the same random draws, and every figure reads as it did.

    On 600 training patients of 1–6 visits (2,171 rows) and a synthetic table of one real visit of each and fresh
    visits besides (the tables of ``tests/unit/test_attacks_people.py``), inference of a visit's cost from date of
    birth, sex, department and visit date read a risk of 0.29 (0.27–0.31) over rows and reads 0.41 (0.37–0.45) over
    people: a patient with one visit is always given away, one with six through one visit in six, and rows weighted
    the latter six times as much.

Why one row of each person, not any of their rows
    Success on any of a person's rows scores an attacker who holds all of the person's records and is told which of
    their guesses or links is right: six visits, six guesses at a visit's cost and six chances of a link, so success
    grows with the number of rows, and the baseline (one random guess, one random pair) no longer measures the same
    attacker. On the table above with fresh patients as the synthetic table, any row guessed the cost of 14% of the
    training and 12.5% of the holdout patients against a baseline of 4% (one row: 4.4% and 3.7%). Linkability and
    inference (WP216, and anonymeter's attacks) describe an attacker holding one record of the person; a row drawn at
    random measures that attacker, averaged over which of the person's records they hold. Singling out differs: there
    the question is whom a predicate matches, and a predicate matching any of a person's rows does point at the person
    (:mod:`~synth.evaluation.privacy.singling_people`).
"""

from __future__ import annotations

import numpy as np

from synth.evaluation.people import PersonRows, a_person


def row_targets(n_rows: int, n_attacks: int, rng: np.random.Generator) -> np.ndarray:
    """A seeded sample of at most ``n_attacks`` of ``n_rows`` positions, sorted (the attacks' targets over rows)."""
    return np.sort(rng.choice(n_rows, size=min(n_attacks, n_rows), replace=False))


def person_targets(
    codes: np.ndarray, n_attacks: int, rng: np.random.Generator, candidates: np.ndarray | None = None
) -> np.ndarray:
    """One row of each of at most ``n_attacks`` people, sorted: the people drawn without replacement among those with
    a row in ``candidates`` (every row when omitted), each row drawn at random among that person's candidates.

    Args:
        codes: a person code per row of the table (:class:`~synth.evaluation.people.PersonRows`).
        n_attacks: people to draw at most.
        rng: the attack's generator.
        candidates: the positions a target may take (the targeted inference's rare rows).
    """
    pool = np.arange(len(codes)) if candidates is None else np.asarray(candidates, dtype=np.int64)
    shuffled = pool[rng.permutation(len(pool))]
    # each person's first row in a random order is a row of theirs drawn at random
    _, first = np.unique(np.asarray(codes)[shuffled], return_index=True)
    one_each = shuffled[first]
    return np.sort(one_each[rng.choice(len(one_each), size=min(n_attacks, len(one_each)), replace=False)])


def attack_targets(
    people: PersonRows | None,
    which: str,
    n_rows: int,
    n_attacks: int,
    rng: np.random.Generator,
    candidates: np.ndarray | None = None,
) -> np.ndarray:
    """The rows the linkability or inference attack targets in the ``which`` table (``train`` or ``holdout``) of
    ``n_rows`` rows, sorted: one row of each drawn person (:func:`person_targets`) with ``people``; without, at most
    ``n_attacks`` rows of ``candidates`` (every row when omitted), drawn as before people were counted."""
    if people is not None:
        return person_targets(people.train if which == "train" else people.holdout, n_attacks, rng, candidates)
    if candidates is None:
        return row_targets(n_rows, n_attacks, rng)
    return np.asarray(candidates)[row_targets(len(candidates), n_attacks, rng)]


def targets_in_words(people: PersonRows | None, rare: bool = False) -> str:
    """What a target is, for an attack's detail after "N training and M holdout people": nothing over rows (the words
    read as before); with people, the person column and the row they are attacked through."""
    if people is None:
        return ""
    rows = "one of those rows" if rare else "one of their rows"
    return f" (a person is {a_person(people.column)}, attacked once, through {rows} drawn at random)"
