"""The criteria of the EU Article 29 Working Party (WP216) as attacks: singling out and inference here, linkability in
:mod:`synth.evaluation.privacy.linkability`.

Each attack uses only the synthetic table and runs against training rows (main), holdout rows (control) and at
random (baseline); see :mod:`synth.evaluation.privacy.attacks`. Every function takes the raw tables or a shared
:class:`~synth.evaluation.privacy.inputs.PrivacyInputs` (``inputs=``), which prepares and encodes them once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from synth.evaluation.people import a_person
from synth.evaluation.privacy.attack_people import attack_targets, targets_in_words
from synth.evaluation.privacy.attack_result import AttackResult, _result
from synth.evaluation.privacy.attacker import AttackerModel
from synth.evaluation.privacy.common import PrivacyInputError, residual_risk, success_rate
from synth.evaluation.privacy.inference_risk import (
    encode_secret,
    guess_is_right,
    matched_risk,
    secret_classes,
)
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.neighbors import (
    NUMERIC_KINDS,
    as_labels,
    numeric_values,
    row_hashes,
)
from synth.evaluation.privacy.singling_beta import strata_of
from synth.evaluation.privacy.singling_out import (
    control_estimate,
    match_counts,
    match_matrix,
    multivariate_queries,
    random_queries,
    singling_error,
    univariate_queries,
)
from synth.evaluation.privacy.singling_people import people_counts, people_matrix
from synth.evaluation.privacy.singling_pooled import (
    SIZE_CORRECTIONS,
    control_method,
    isolated_people,
    pooled_control,
    pooled_predicates,
    pools_for_size,
    small_holdout_warning,
)
from synth.progress import ProgressCallback, ensure
from synth.schema import ColumnKind, Schema

DEFAULT_N_ATTACKS = 2000
INFERENCE_TOLERANCE = 0.05
RARE_IN_SYNTHETIC = 5
"""The targeted inference attack looks at people whose known values occur in at most this many synthetic rows."""


def _shared(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema | None,
    inputs: PrivacyInputs | None,
) -> PrivacyInputs:
    """The shared inputs, or inputs built from the tables when the caller has none."""
    return inputs if inputs is not None else PrivacyInputs(train, holdout, synthetic, schema)


def singling_out(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame,
    schema: Schema | None = None,
    mode: Literal["univariate", "multivariate"] = "multivariate",
    columns: Sequence[str] | None = None,
    n_attacks: int = DEFAULT_N_ATTACKS,
    n_cols: int = 3,
    size_correction: Literal["auto", "pooled", "beta", "calibrated", "npmle", "anonymeter"] = "auto",
    seed: int = 0,
    confidence: float = 0.95,
    progress: ProgressCallback | None = None,
    inputs: PrivacyInputs | None = None,
) -> AttackResult:
    """Singling-out risk: do predicates built from synthetic rows isolate exactly one training person?

    Tables are de-duplicated over the columns first (as anonymeter does). The predicates that single out a
    synthetic row are counted on train (main) and holdout (control); the control count is scaled to what a
    holdout as large as train would give (see :func:`~synth.evaluation.privacy.singling_control.control_estimate`),
    or, for a holdout under 1/8 of train or over people, read within train and holdout together
    (:mod:`~synth.evaluation.privacy.singling_pooled`). The baseline uses random predicates.

    Args:
        train: the table the synthesizer was fitted on.
        synthetic: its synthetic output.
        holdout: real rows it never saw (at least 100).
        schema: column kinds (inferred from ``train`` when omitted).
        mode: ``univariate`` (rare values) or ``multivariate`` (``n_cols`` columns of a synthetic row).
        columns: the columns predicates may use; every learned column when omitted (anonymeter's default).
        n_attacks: predicates to use (fewer when fewer single out a synthetic row).
        n_cols: conditions per multivariate predicate.
        size_correction: how the control count is scaled to the train size: ``auto`` (default: ``pooled`` for a
            holdout under 1/8 of train or a person column, else ``beta``), ``pooled`` (isolations within train and
            holdout together, scaled by their sizes; more predicates are drawn), ``beta`` (empirical Bayes
            with a beta distribution of predicate weights), ``calibrated`` (empirical Bayes without a shape, its
            bias measured on the holdout's halves and undone), ``npmle`` (empirical Bayes without a shape) or
            ``anonymeter`` (anonymeter's fitted curve, for comparison with it).
        seed: seed of every random choice.
        confidence: level of the intervals.
        progress: called with (fraction, message).
        inputs: the tables prepared once (:class:`PrivacyInputs`); built from the tables when omitted.

    Returns:
        An :class:`AttackResult` named ``singling_out_<mode>``.

    Raises:
        PrivacyInputError: for a holdout of fewer than 100 rows, columns that are not shared, or an unknown mode or
            size correction.
    """
    if mode not in ("univariate", "multivariate"):
        raise PrivacyInputError(f"singling-out mode must be 'univariate' or 'multivariate', not {mode!r}")
    if size_correction not in SIZE_CORRECTIONS:
        raise PrivacyInputError(
            f"size_correction must be one of {', '.join(SIZE_CORRECTIONS)}, not {size_correction!r}"
        )
    report = ensure(progress)
    inputs = _shared(train, synthetic, holdout, schema, inputs)
    rng = np.random.default_rng(seed)
    report(0.05, "encoding tables")
    people = inputs.people
    encoder, syn, real, control = inputs.query_tables(columns)
    numeric = encoder.numeric
    warnings: list[str] = []
    if people is None:
        n_target, n_held = real.shape[1], control.shape[1]
    else:
        n_target, n_held = people.n_people_train, len(np.unique(people.holdout))
    method = control_method(size_correction, n_target, n_held, people=people is not None)
    n_draw = pooled_predicates(n_attacks, n_target, n_held) if method == "pooled" else n_attacks
    report(0.15, f"building {mode} predicates from synthetic rows")
    if mode == "univariate":
        pool = univariate_queries(syn, numeric)
        n_pool = len(pool)
        queries = pool.take(rng.permutation(n_pool)[:n_draw])
        arity = 1
    else:
        arity = min(n_cols, len(encoder.columns))
        queries, n_pool = multivariate_queries(syn, numeric, n_draw, arity, rng)
    n = len(queries)
    if n < n_attacks:
        warnings.append(
            f"Only {n:,} predicates single out a synthetic row (asked for {n_attacks:,}); the interval is wider for it."
            if n
            else "No predicate singles out a synthetic row, so singling out could not be measured."
        )
    # No warning for a synthetic table smaller than train any more: with one beta per column the rare-value control
    # of 2,000 fresh rows against 4,000 train reads +0.000 ± 0.003 (it read +0.020 with one beta for all; session 23,
    # tests/unit/test_singling_extrapolation.py).
    unit = "rows" if people is None else "people"
    report(0.5, f"counting predicates on training {unit}")
    main_counts = match_counts(real, queries) if people is None else people_counts(real, queries, people.train)
    main_hits = main_counts == 1
    report(0.65, f"counting predicates on holdout {unit}")
    control_matches = (
        match_matrix(control, queries) if people is None else people_matrix(control, queries, people.holdout)
    )
    if method == "pooled":  # a holdout too small to extrapolate from: train and holdout compared within their union
        codes = None if people is None else people.train
        pooled = pooled_control(main_counts, control_matches, n_target, isolated_people(real, queries, codes), unit)
        n_control, correction, errors = pooled.expected, pooled.note, pooled.errors
        if pools_for_size(n_target, n_held):  # over people it pools at every ratio, not only for a small holdout
            warnings.append(small_holdout_warning(n_target, n_held, len(queries), n_attacks, unit))
    else:
        # rare values of different columns differ in weight by orders of magnitude: a beta of their own per column
        strata = strata_of(queries.cols[:, 0]) if mode == "univariate" else None
        estimate = control_estimate(control_matches, n_target, rng, method, strata)
        n_control, correction = estimate.expected, estimate.note
        # its own stream: the bootstrap leaves every other draw of the attack as it was; it starts from the
        # estimate's fitted weight distribution rather than fitting it again
        errors = singling_error(
            main_hits,
            control_matches,
            n_target,
            np.random.default_rng([seed, 1]),
            method,
            fitted=estimate.fitted,
            clusters=queries.source,
            strata=strata,
            level=confidence,
        )
    report(0.85, "random baseline predicates")
    base = random_queries(syn, numeric, n, arity, rng)
    base_counts = match_counts(real, base) if people is None else people_counts(real, base, people.train)
    n_base = int((base_counts == 1).sum()) if n else 0
    examples = tuple(queries.describe(int(i), encoder) for i in np.flatnonzero(main_hits)[:5])
    report(1.0, "done")
    label = "Singling out (univariate)" if mode == "univariate" else f"Singling out ({arity} columns)"
    detail = (
        f"{n:,} predicates drawn from {n_pool:,} that isolate one synthetic row "
        f"({'rare values' if mode == 'univariate' else f'{arity} columns of a synthetic row'}); each is a success "
        + (
            f"when it isolates exactly one of {n_target:,} distinct training rows (main) or of "
            f"{n_held:,} distinct holdout rows (control: {correction})."
            if people is None
            else f"when the rows it matches are all one person's, exactly one of {n_target:,} training people (main) "
            f"or of {n_held:,} holdout people (control: {correction}); a person is {a_person(people.column)}."
        )
    )
    return _result(
        f"singling_out_{mode}",
        "singling_out",
        label,
        (float(main_hits.sum()), n),
        (min(n_control, float(n)), n),
        (float(n_base), n),
        confidence,
        control_se=errors.control,
        excess_se=errors.excess,
        columns=encoder.columns,
        detail=detail,
        examples=examples,
        warnings=tuple(warnings),
        seed=seed,
        person=None if people is None else people.column,
    )


# ---------------------------------------------------------------------------------------------- inference
def inference(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame,
    known: Sequence[str],
    secret: str,
    schema: Schema | None = None,
    n_attacks: int = DEFAULT_N_ATTACKS,
    tolerance: float = INFERENCE_TOLERANCE,
    seed: int = 0,
    confidence: float = 0.95,
    progress: ProgressCallback | None = None,
    inputs: PrivacyInputs | None = None,
    rare_only: bool = False,
) -> AttackResult:
    """Attribute-inference risk: does the nearest synthetic row give away a training person's secret?

    For each target the attacker takes the synthetic row nearest on the ``known`` columns (Gower distance)
    and guesses its ``secret``; when several rows tie as nearest, one of them at random, so a target counts the
    share of tied rows whose secret is right (:func:`~synth.evaluation.privacy.inference_risk.tied_guess_share`:
    the first of them made the risk depend on the synthetic rows' order). A guess is right when it equals the
    secret (categories) or is within ``tolerance`` of it relative to the guess (numbers; for datetimes, of the real
    range). The baseline guesses a random synthetic value of the secret for each training target — a guess from the
    marginal distribution, paired with the targets by position. With a person column (``inputs.people``) the targets
    are people, each through one of their rows (:mod:`~synth.evaluation.privacy.attack_people`).

    The risk differs from anonymeter's (kept as :attr:`AttackResult.anonymeter_risk`): main is the share of training
    targets guessed right, control the holdout's share per secret value (per decile band for numbers) weighted as the
    training targets' secrets are, and the interval comes from the rates' Jeffreys posteriors
    (:func:`~synth.evaluation.privacy.inference_risk.matched_risk`). anonymeter's Wilson centres and unmatched control
    read fresh real rows as red on a 99.5%-majority secret (see :mod:`~synth.evaluation.privacy.inference_risk`).

    Args:
        train: the table the synthesizer was fitted on.
        synthetic: its synthetic output.
        holdout: real rows it never saw (at least 100).
        known: the quasi-identifiers the attacker knows.
        secret: the column the attacker wants to learn.
        schema: column kinds (inferred from ``train`` when omitted).
        n_attacks: targets per run (capped by the rows, or the people, available).
        tolerance: relative tolerance for numeric secrets.
        seed: seed of the target samples and the baseline.
        confidence: level of the intervals.
        progress: called with (fraction, message).
        inputs: the tables prepared once (:class:`PrivacyInputs`); built from the tables when omitted.
        rare_only: target only people whose combination of known values occurs in at most
            :data:`RARE_IN_SYNTHETIC` synthetic rows, or none (named ``inference_rare``). The attacker sees which
            combinations are rare in the synthetic table; for those the nearest row is nearly always the
            person's own when it was copied, while common combinations hide a copy among look-alikes — the
            average over everyone let a verbatim copy of train pass as low risk.

    Raises:
        AttackerModelError: when the secret is also known, no column is known, or the secret is all missing.
        PrivacyInputError: for a holdout of fewer than 100 rows.
    """
    report = ensure(progress)
    known = list(dict.fromkeys(known))
    inputs = _shared(train, synthetic, holdout, schema, inputs)
    AttackerModel(tuple(known), secret, link_a=tuple(known), link_b=(secret,)).validate(inputs.schema, train)
    known = inputs.check_columns(known)
    inputs.check_columns([secret])
    t = inputs.tables
    kind = inputs.kinds[secret]
    rng = np.random.default_rng(seed)
    syn_secret = t.synthetic[secret].reset_index(drop=True)
    real_secret = numeric_values(t.train[secret], kind) if kind in NUMERIC_KINDS else np.zeros(1)
    finite = real_secret[np.isfinite(real_secret)]
    span = float(finite.max() - finite.min()) if len(finite) else 1.0
    people, counts = inputs.people, []
    outcomes: list[tuple[np.ndarray, pd.Series]] = []
    if rare_only:
        syn_combos, syn_counts = np.unique(row_hashes(t.synthetic, known, inputs.kinds), return_counts=True)
    for step, (label, which) in enumerate((("training", "train"), ("holdout", "holdout"))):
        table = inputs.table(which)  # type: ignore[arg-type]
        if rare_only:
            mine = row_hashes(table, known, inputs.kinds)
            pos = np.minimum(np.searchsorted(syn_combos, mine), len(syn_combos) - 1)
            in_syn = np.where(syn_combos[pos] == mine, syn_counts[pos], 0)
            eligible = np.flatnonzero(in_syn <= RARE_IN_SYNTHETIC)  # for people: a person with such a row
            rows = attack_targets(people, which, len(table), n_attacks, rng, eligible)
        else:
            rows = attack_targets(people, which, len(table), n_attacks, rng)
        target, unit = table.iloc[rows], "rows" if people is None else "people"
        report(0.1 + 0.4 * step, f"guessing '{secret}' of {len(rows):,} {label} {unit} from the nearest synthetic row")
        truths = target[secret].reset_index(drop=True)
        right_share = inputs.guess_shares(which, known, rows, secret, span, tolerance)  # type: ignore[arg-type]
        counts.append((float(right_share.sum()), len(rows)))
        outcomes.append((right_share, truths))
    truths_main = outcomes[0][1]
    if rare_only and min(counts[0][1], counts[1][1]) == 0:
        warning = (
            "No training or no holdout person has a combination of known values that is rare in the synthetic table."
        )
        return _result(
            "inference_rare",
            "inference",
            f"Inference of '{secret}' (people rare on the known columns)",
            (0.0, 0),
            (0.0, 0),
            (0.0, 0),
            confidence,
            columns=tuple(known),
            secret=secret,
            detail=warning,
            warnings=(warning,),
            seed=seed,
            person=None if people is None else people.column,
        )
    labels = {} if kind in NUMERIC_KINDS else {v: float(i) for i, v in enumerate(as_labels(syn_secret).unique())}
    guesses = encode_secret(syn_secret, kind, labels)[rng.integers(0, len(syn_secret), len(truths_main))]
    n_base = float(guess_is_right(guesses, encode_secret(truths_main, kind, labels), kind, span, tolerance).sum())
    (main_right, _), (control_right, truths_control) = outcomes
    main_class, control_class = secret_classes(truths_main, truths_control, t.train[secret], kind)
    # its own stream, so the posterior draws leave the targets and the baseline as they were
    matched = matched_risk(
        main_right, main_class, control_right, control_class, confidence, np.random.default_rng([seed, 2])
    )
    report(1.0, "done")
    rule = (
        "equal to the secret"
        if kind not in NUMERIC_KINDS
        else f"within {tolerance:.0%} of {'the real range' if kind is ColumnKind.DATETIME else 'the guess'}"
    )
    who = f" whose known values occur in at most {RARE_IN_SYNTHETIC} synthetic rows" if rare_only else ""
    detail = (
        f"{counts[0][1]:,} training and {counts[1][1]:,} holdout people{who}{targets_in_words(people, rare_only)}: "
        f"the attacker knows [{', '.join(known)}] and guesses '{secret}' from the nearest synthetic row; a guess "
        f"counts when {rule}. The control is the holdout's success per secret "
        f"value{' band' if kind in NUMERIC_KINDS else ''}, weighted as the training people's secrets are. The baseline "
        "guesses a random synthetic value."
    )
    return _result(
        "inference_rare" if rare_only else "inference",
        "inference",
        f"Inference of '{secret}'" + (" (people rare on the known columns)" if rare_only else ""),
        counts[0],
        counts[1],
        (n_base, counts[0][1]),
        confidence,
        columns=tuple(known),
        secret=secret,
        detail=detail,
        seed=seed,
        matched=(matched.main, matched.control, matched.risk),
        person=None if people is None else people.column,
        anonymeter_risk=residual_risk(
            success_rate(*counts[0], level=confidence), success_rate(*counts[1], level=confidence), anonymeter=True
        ),
    )
