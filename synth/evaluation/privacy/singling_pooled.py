"""The singling-out control for a holdout much smaller than train, and for every attack over people: train and holdout
compared inside their union, by exchangeability, with no model of the predicates' weights (:func:`pooled_control`);
and which control an attack uses (:func:`control_method`).

Why
    The default control (:func:`~synth.evaluation.privacy.singling_control.control_estimate`, ``beta``) extrapolates
    the holdout's match counts to the train size through a fitted beta. A predicate that isolates one of 24,000
    training people matches about one person in 24,000; among 600 holdout people it nearly always matches nobody, so
    at 40× the counts cannot say how many such predicates there are and the fit is an assumption. The honest interval
    the fit states says so: on Adult (24,000 training rows, 600 holdout rows) the control read anywhere from 8% to 36%
    over six splits with a half-width of ±0.17 to ±0.53, and a synthetic table holding 20% copies of training rows
    read green in all six (``benchmarks/bench_singling_holdout.py``). No correction without a model exists: the chance
    a predicate isolates one of n_train people is a polynomial of degree n_train in its weight, and a count among
    n_control rows has unbiased estimates only of degree n_control or less.

How
    Put train and holdout together (N people). A predicate that matches exactly one person of the union isolates a
    training person or a holdout person; when the synthetic table knows nothing about who was trained on (the
    question the control asks), that person is a holdout person with probability n_control / N whatever the
    predicate's weight — the split was random. So the union's isolations of holdout people, scaled by n_train /
    n_control, are an unbiased control for those of training people, at any size ratio. Main stays what it was (a
    predicate isolating exactly one training person); the predicates isolating one training person that also match
    holdout people are counted into the control as they are.

    The error is the split's own: under "no leak" the holdout is a random n_control of the N people, so the
    holdout's total of isolations has the variance of a sample drawn without replacement from the N people's
    totals (each person's number of predicates isolating them in the union). That counts one sparse person
    isolated by many predicates as one person, not many independent successes, and it does not vanish when the
    holdout happens to hold no isolated person.

    The precision lies in the holdout's isolations, about Q × n_control / N of Q predicates: at 40× and 2,000
    predicates about 10, a control of ±0.065. The attack therefore draws more predicates from the synthetic table
    when the holdout is small (:func:`pooled_predicates`), as many as give the holdout the share of a holdout a fifth
    of the union.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from synth.evaluation.privacy.singling_control import METHODS, SinglingError
from synth.evaluation.privacy.singling_out import Queries, match_matrix
from synth.evaluation.privacy.singling_people import people_matrix

SIZE_CORRECTIONS = ("auto", "pooled", *METHODS)
"""The singling-out attack's controls: ``auto`` (the default: :func:`control_method`), ``pooled`` and the
extrapolations of :func:`~synth.evaluation.privacy.singling_control.control_estimate`."""
POOLED_RATIO = 8.0
"""Train this many times the holdout or more: the control is :func:`pooled_control`, not the beta's extrapolation.
The beta predicted the rare-value successes of fresh rows to 0.89 of the observed at 8× and 0.78 at 15× (a control
too low reads an excess where there is none; :func:`~synth.evaluation.privacy.singling_beta._beta_fit`), and at 40×
its interval spanned ±0.2 to ±0.5.

Below 8× the beta stays for rows; over people the control is pooled at every ratio (:func:`control_method`). At 80/20
and 50/50 with a synthetic table of train's size (``bench_singling_holdout --ratios``: Adult, Bank Marketing, visits by
patient, 12 splits each) the pooled control read all 72 splits of fresh rows green, the beta 70 (visits at 80/20 amber
twice), and the pooled control is the sharper on Adult's rare values (at 80/20: a twentieth of train copied caught in 4
splits of 12, the beta 2). But it is the blunter on 3-column predicates: it counts isolations only, so its 3-column
excess moves more between splits (bank at 80/20: SD 0.085 against 0.045; its stated 0.057 is short of that by one split
read at −0.24), and copied rows widen its own stated error (the training people they isolate join the spread). A fifth
of train copied, the 3-column attack alone: the beta significant in 5 splits of 12 on visits at 80/20 and 9 on bank at
50/50, the pooled control in 0 and 6."""
POOLED_SHARE = 0.2
"""The pooled control draws as many predicates as give the holdout the isolations a holdout of this share of the
union would have with the attack's ``n_attacks`` predicates (:func:`pooled_predicates`)."""
MAX_POOLED_PREDICATES = 20_000
"""At most this many predicates for the pooled control: each is counted on every training row (on Adult, 24,000
rows, 16,400 predicates took about 3 s per mode)."""


def control_method(size_correction: str, n_target: int, n_control: int, people: bool = False) -> str:
    """The control an attack uses: ``auto`` is ``pooled`` when the attack counts people (``people``), or when train
    is :data:`POOLED_RATIO` times the holdout or more; else ``beta``; any other choice stands.

    Why over people at every ratio: the beta read fresh patients as a leak. On the visits split by patient
    (``tests/unit/test_people_membership.py``'s ``visits``: 1,600 training patients of 8 visits, 400 holdout patients,
    1,600 fresh patients as the synthetic table; ``bench_singling_holdout --ratios --tables visits --seeds 40``) the
    beta's verdict read 4 of 40 splits amber, all from the 3-column attack, and its rare-value excess averaged +0.004
    ± 0.002, the control 0.0038 ± 0.0016 below the exact rate (each ``cost == x`` predicate's weight computed from the
    table's generator). Two faults of a model that takes each predicate's holdout count for an independent draw:

    * rare values: a predicate (``cost == x``) matches one patient in ~21,000, so among 400 holdout patients the
      counts are ~1,965 zeros, ~35 ones and 0 to 3 counts of 2 or more, and those few set the fitted shape: over
      ten splits the beta extrapolated 3.7–3.8× the holdout's isolations in the four where it saw none, 2.5–3.4×
      in five of the six where it saw some; the truth is 3.7×;
    * 3 columns: a holdout patient has 8 visits, each a chance to match, and those of an extreme age in a rare
      region and sex are matched by many predicates: a few people carry the holdout's isolations (in one split 53
      patients held the 124 isolations of ~900 predicates, 10 of them 59; in another one patient held 22 of 201).
      Which of them the holdout drew moves the counts, and the fitted shape, far more than the binomial allows
      (isolations 100 to 201 over the splits, where main's SD was about 20). The stated error was smallest on the splits
      whose control read lowest (0.03 where the control read 0.16–0.19, 0.09 where it read 0.30): the excess's
      z-scores had an SD of 1.21, and 4 in 40 passed the Bonferroni bound.

    At 50/50 nothing is extrapolated, but the count's binomial interval makes the same assumption of independence:
    the 3-column excess moved by 0.034 over 40 splits where it stated 0.027, and 2 of 40 read amber.

    The pooled control assumes nothing of the predicates' weights or their independence, and its error is the split's
    own, over people. On the same 40 splits at 80/20 its rare-value excess averaged +0.001 ± 0.002 and its 3-column
    one −0.000 ± 0.012, with SD 0.078 against a stated 0.076. All 40 read green. At 50/50 the 3-column excess had
    SD 0.038 against a stated 0.034, and 39 of 40 read green.
    """
    if size_correction != "auto":
        return size_correction
    if n_control > 0 and people:
        return "pooled"
    return "pooled" if pools_for_size(n_target, n_control) else "beta"


def pools_for_size(n_target: int, n_control: int) -> bool:
    """Whether the holdout is small enough (train :data:`POOLED_RATIO` times it or more) that the pooled control is
    there for its size, and the attack warns that the reading is not firm (:func:`small_holdout_warning`)."""
    return n_control > 0 and n_target >= POOLED_RATIO * n_control


def pooled_predicates(n_attacks: int, n_target: int, n_control: int) -> int:
    """How many predicates the pooled control draws: enough that the holdout's expected share of the union's
    isolations, Q × n_control / N, is what ``n_attacks`` predicates give a holdout of :data:`POOLED_SHARE` of the
    union; never fewer than ``n_attacks``, at most :data:`MAX_POOLED_PREDICATES`."""
    union = n_target + n_control
    wanted = math.ceil(n_attacks * POOLED_SHARE * union / max(n_control, 1))
    return max(n_attacks, min(wanted, MAX_POOLED_PREDICATES))


@dataclass(frozen=True)
class PooledControl:
    """:func:`pooled_control`'s answer.

    Attributes:
        expected: the control's successes at the train size (the holdout's isolations in the union × n_train /
            n_control, plus the predicates isolating one training person that also match holdout people).
        control_se: standard error of ``expected`` as a share of the predicates.
        excess_se: standard error of the excess ``(main − control) / (1 − control)``.
        note: the control in words.
    """

    expected: float
    control_se: float
    excess_se: float
    note: str

    @property
    def errors(self) -> SinglingError:
        """The two errors as :func:`~synth.evaluation.privacy.singling_control.singling_error` states them."""
        return SinglingError(self.control_se, self.excess_se)


def pooled_control(
    train_counts: np.ndarray,
    control_matches: np.ndarray,
    n_target: int,
    train_person: Callable[[np.ndarray], np.ndarray],
    unit: str = "rows",
) -> PooledControl:
    """The control by exchangeability within train ∪ holdout (the module's docstring says why and how).

    Args:
        train_counts: (Q,) how many training people (or distinct rows) each predicate matches.
        control_matches: (Q, n_control) which holdout people each predicate matches.
        n_target: training people (or distinct rows).
        train_person: given the positions of predicates that match exactly one training person, that person's index
            in ``[0, n_target)`` for each (called once, on the predicates isolating a training person in the union).
        unit: what the counts count, ``rows`` or ``people`` (for the note).

    Returns:
        The control's expected successes and its errors.
    """
    q, n_control = control_matches.shape
    control_counts = control_matches.sum(axis=1)
    if not q or not n_control or not n_target:
        return PooledControl(0.0, 0.0, 0.0, "no control (no predicate, holdout or training row)")
    union = n_target + n_control
    held = (control_counts == 1) & (train_counts == 0)  # isolate one holdout person in the union
    trained = (train_counts == 1) & (control_counts == 0)  # isolate one training person in the union
    shared = (train_counts == 1) & (control_counts >= 1)  # isolate one training person, not in the union
    scale = n_target / n_control
    expected = float(held.sum()) * scale + float(shared.sum())
    # each person's isolations in the union: the holdout's from the match matrix, train's from who is matched
    per_holdout = control_matches[held].sum(axis=0).astype(float)
    per_train = np.bincount(train_person(np.flatnonzero(trained)), minlength=n_target).astype(float)
    total = per_holdout.sum() + per_train.sum()
    mean = total / union
    spread = ((per_holdout**2).sum() + (per_train**2).sum() - union * mean**2) / max(union - 1, 1)
    # The union fixed, the holdout is a random n_control of its people, so the holdout's isolations H have the
    # variance of a sample total drawn without replacement. The control is scale × H (plus what is counted as it
    # is); main − control is (union isolations − H) − scale × H, so it moves by (1 + scale) = N / n_control per H.
    holdout_sd = math.sqrt(n_control * (1.0 - n_control / union) * max(spread, 0.0))
    control = min(expected, q) / q
    room = max(1.0 - control, 1e-12)
    one = "row" if unit == "rows" else "person"
    note = (
        f"pooled: among the {union:,} training and holdout {unit} together, {int(held.sum()):,} predicates isolate "
        f"one holdout {one} and {int(trained.sum()):,} one training {one}; scaled by the sizes ({n_target:,} / "
        f"{n_control:,}), {expected:,.0f} expected among train. "
        + (
            f"The holdout is 1/{POOLED_RATIO:.0f} of train or less, too small to extrapolate from, so the control "
            "assumes nothing about the predicates' weights"
            if pools_for_size(n_target, n_control)
            else "Over people the control assumes nothing about the predicates' weights: a few people with many rows "
            "carry most matches, which an extrapolation reads as a shape of the weights"
        )
    )
    return PooledControl(expected, scale * holdout_sd / q, union / n_control * holdout_sd / q / room, note)


def isolated_people(
    values: np.ndarray, queries: Queries, codes: np.ndarray | None = None
) -> Callable[[np.ndarray], np.ndarray]:
    """:func:`pooled_control`'s ``train_person``: for predicates of ``queries`` that match one training row (``codes``
    None) or person (``codes``: each row's person), that row's or person's index, matched in blocks."""

    def person_of(positions: np.ndarray) -> np.ndarray:
        out = np.zeros(len(positions), dtype=np.int64)
        block = max(1, 2_000_000 // max(values.shape[1], 1))
        for lo in range(0, len(positions), block):
            sub = queries.take(positions[lo : lo + block])
            matched = match_matrix(values, sub) if codes is None else people_matrix(values, sub, codes)
            out[lo : lo + block] = matched.argmax(axis=1)
        return out

    return person_of


def small_holdout_warning(n_target: int, n_control: int, n_predicates: int, n_attacks: int, unit: str) -> str:
    """What the pooled control means for the reading, in words: the holdout is too small for a firm one."""
    more = f" ({n_predicates:,} predicates instead of {n_attacks:,})" if n_predicates > n_attacks else ""
    return (
        f"The holdout ({n_control:,} {unit}) is 1/{POOLED_RATIO:.0f} of train ({n_target:,}) or less: too small to "
        f"extrapolate its control to train's size, so train and holdout were compared within their union{more}. The "
        "reading is not firm: a leak shows more faintly than against a holdout of a fifth of the table, so keep more "
        "rows out of training on the Data page before trusting a green light."
    )
