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

A distance-based **membership inference** attack is scored by its ROC AUC on training vs holdout rows.

Every attack takes a ``seed`` and gives the same numbers for the same inputs and seed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from synth.evaluation.privacy.common import (
    AUC,
    PrivacyInputError,
    Rate,
    Risk,
    auc_with_interval,
    check_holdout,
    prepare_tables,
    residual_risk,
    success_rate,
)
from synth.evaluation.privacy.neighbors import (
    NUMERIC_KINDS,
    GowerEncoder,
    MixedEncoder,
    as_labels,
    gower_neighbors,
    nearest_distances,
    numeric_values,
)
from synth.evaluation.privacy.singling_out import (
    QueryEncoder,
    control_successes_at,
    match_counts,
    match_matrix,
    multivariate_queries,
    random_queries,
    unique_columns,
    univariate_queries,
)
from synth.evaluation.results import to_jsonable
from synth.evaluation.spec import MetricSpec
from synth.progress import ProgressCallback, ensure, scaled
from synth.schema import ColumnKind, Schema, infer_schema

Criterion = Literal["singling_out", "linkability", "inference"]
CRITERIA: tuple[Criterion, ...] = ("singling_out", "linkability", "inference")
DEFAULT_N_ATTACKS = 2000
INFERENCE_TOLERANCE = 0.05

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
MEMBERSHIP_AUC = MetricSpec(
    "MembershipInferenceAUC",
    "ROC AUC of telling training rows from holdout rows by their distance to the synthetic table (0.5 ideal)",
    goal="minimize",
)


class AttackerModelError(PrivacyInputError):
    """An attacker model the attacks cannot run with (the message says how to fix it)."""


# ------------------------------------------------------------------------------------------ attacker model
_DEMOGRAPHIC = {
    "age",
    "sex",
    "gender",
    "race",
    "ethnicity",
    "ethnic",
    "marital",
    "country",
    "nationality",
    "citizenship",
    "zip",
    "zipcode",
    "postcode",
    "postal",
    "birth",
    "dob",
    "birthdate",
    "birthday",
    "city",
    "region",
    "religion",
}
_SECRET_LIKE = {
    "income",
    "salary",
    "wage",
    "wages",
    "diagnosis",
    "disease",
    "outcome",
    "target",
    "label",
    "class",
    "hiv",
    "cancer",
    "fraud",
    "churn",
    "health",
}
MAX_DEFAULT_KNOWN = 5
LOW_CARDINALITY = 20


def _tokens(name: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return {t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t}


@dataclass(frozen=True)
class AttackerModel:
    """What the attacker knows about a person and what they want to learn.

    Attributes:
        known: quasi-identifiers: columns the attacker already knows about their target.
        secret: the column they want to learn.
        link_a / link_b: the two column groups of the linkability attack; empty means ``known`` and every
            other learned column except the secret.
        is_default: whether the columns were chosen by :func:`default_attacker_model`, not by the user.
        note: how the columns were chosen, in words.
    """

    known: tuple[str, ...]
    secret: str
    link_a: tuple[str, ...] = ()
    link_b: tuple[str, ...] = ()
    is_default: bool = False
    note: str = ""

    def linkability_groups(self, columns: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The two column groups linked by the linkability attack, among ``columns``."""
        a = self.link_a or self.known
        b = self.link_b or tuple(c for c in columns if c not in a and c != self.secret)
        return tuple(a), tuple(b)

    def validate(self, schema: Schema, train: pd.DataFrame | None = None) -> None:
        """Raise :class:`AttackerModelError` with a user-facing message when the attacks cannot run.

        Args:
            schema: the table's schema; known and secret columns must be learned columns of it.
            train: the training table, to check that the secret has values.
        """
        learned = set(schema.modelled)
        if not self.known:
            raise AttackerModelError(
                "Pick at least one column the attacker knows (a quasi-identifier such as age or postcode): "
                "the linkability and inference attacks start from what the attacker knows."
            )
        if not self.secret:
            raise AttackerModelError("Pick the secret column: the value the attacker wants to learn.")
        if self.secret in self.known:
            raise AttackerModelError(
                f"'{self.secret}' is both known to the attacker and the secret they want to learn. Remove it "
                "from the known columns, or pick another secret."
            )
        unknown = [c for c in (*self.known, self.secret, *self.link_a, *self.link_b) if c not in learned]
        if unknown:
            raise AttackerModelError(
                f"Column(s) {', '.join(repr(c) for c in dict.fromkeys(unknown))} are not learned columns of this "
                "table (identifiers, personal data, free text and constants are generated, not learned). Pick "
                "learned columns."
            )
        if train is not None and self.secret in train.columns and train[self.secret].notna().sum() == 0:
            raise AttackerModelError(
                f"The secret column '{self.secret}' has no values in the training data, so there is nothing to "
                "infer. Pick another secret."
            )
        a, b = self.linkability_groups(schema.modelled)
        if not a or not b:
            raise AttackerModelError(
                "The linkability attack needs two non-empty column groups. Choose columns for both groups, "
                "or leave some learned columns out of the known ones."
            )
        both = sorted(set(a) & set(b))
        if both:
            raise AttackerModelError(
                f"Column(s) {', '.join(repr(c) for c in both)} are in both linkability groups; each column "
                "can be in one group only."
            )

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


def default_attacker_model(schema: Schema, df: pd.DataFrame | None = None) -> AttackerModel:
    """The attacker model from the schema's flags, or sensible defaults when nothing is flagged.

    Known columns: the columns flagged quasi-identifier; else the demographic-looking ones (age, sex, race,
    marital status, country, postcode, ...); else the first few low-cardinality columns. Secret: the first
    column flagged sensitive; else a target-looking one (income, salary, diagnosis, ...); else the last
    categorical column.

    Args:
        schema: the table's schema (with the flags set on the Data page).
        df: the table, used to measure cardinality for the fallback.
    """
    learned = schema.modelled
    if not learned:
        return AttackerModel((), "", is_default=True, note="the table has no learned columns")
    notes = []
    flagged_secret = [c for c in schema.sensitive if c in learned]
    flagged_known = [c for c in schema.quasi_identifiers if c in learned]
    if flagged_secret:
        secret = flagged_secret[0]
        notes.append(f"secret '{secret}' is flagged sensitive")
    else:
        secret_like = [c for c in learned if _tokens(c) & _SECRET_LIKE and c not in flagged_known]
        categorical = [
            c
            for c in learned
            if schema[c].kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN) and c not in flagged_known
        ]
        rest = [c for c in learned if c not in flagged_known] or learned
        secret = (secret_like or categorical or rest)[-1 if not secret_like else 0]
        notes.append(f"secret '{secret}' is a default (no column is flagged sensitive)")
    if flagged_known:
        known = [c for c in flagged_known if c != secret]
        notes.append("known columns are the flagged quasi-identifiers")
    else:
        known = [c for c in learned if _tokens(c) & _DEMOGRAPHIC and c != secret][:MAX_DEFAULT_KNOWN]
        if len(known) < 2:

            def distinct(c: str) -> int:
                return int(df[c].nunique()) if df is not None and c in df.columns else LOW_CARDINALITY

            low = [c for c in learned if c != secret and c not in known and distinct(c) <= LOW_CARDINALITY]
            known = (known + low)[:MAX_DEFAULT_KNOWN]
            notes.append("known columns are defaults: the first low-cardinality columns")
        else:
            notes.append("known columns are defaults: the demographic-looking columns")
    is_default = not (flagged_known and flagged_secret)
    return AttackerModel(tuple(known), secret, is_default=is_default, note="; ".join(notes))


# ------------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class AttackResult:
    """One attack, run against training rows (main), holdout rows (control) and at random (baseline).

    Attributes:
        name: ``singling_out_univariate``, ``singling_out_multivariate``, ``linkability`` or ``inference``.
        criterion: the WP216 criterion: ``singling_out``, ``linkability`` or ``inference``.
        label: the attack in words.
        main: success rate against training rows.
        control: success rate against holdout rows (for singling out, corrected to the train size).
        baseline: success rate of the random attack.
        risk: excess of main over control, in [0, 1] with its interval.
        columns: the columns the attack used (for linkability: group A then group B).
        secret: the inferred column (inference only).
        detail: what was done, in one or two sentences.
        examples: a few successful attacks in words (singling-out predicates); real values, show with care.
        warnings: caveats: too few predicates, a baseline as good as the attack, a failed correction.
        seed: the seed used.
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

    @property
    def n_attacks(self) -> int:
        return self.main.n_total

    @property
    def measured(self) -> bool:
        """Whether any attack could be made (e.g. no singling-out predicate exists for a tiny table)."""
        return self.main.n_total > 0

    @property
    def beats_baseline(self) -> bool:
        return self.main.value > self.baseline.value

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        for part in ("main", "control", "baseline"):
            rate: Rate = getattr(self, part)
            out[part].update(low=rate.low, high=rate.high, observed=rate.observed)
        return out


@dataclass(frozen=True)
class MembershipResult:
    """A distance-based membership inference attack: is this real row one the synthesizer trained on?

    The attacker scores a real row by its distance to the closest synthetic row (closer = more likely a
    member) and is judged by the ROC AUC over training rows (members) and holdout rows (non-members).

    Attributes:
        auc: the AUC with its DeLong interval; 0.5 means no signal, 1 that every member is found.
        n_members / n_non_members: training and holdout rows scored.
        median_distance_members / median_distance_non_members: their median distance to the synthetic table.
        share_members_at_zero / share_non_members_at_zero: rows with an identical synthetic row.
        seed: the seed of the row samples.
    """

    auc: AUC
    n_members: int
    n_non_members: int
    median_distance_members: float
    median_distance_non_members: float
    share_members_at_zero: float
    share_non_members_at_zero: float
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


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
    **extra: Any,
) -> AttackResult:
    main = success_rate(*n_main, level=confidence)
    control = success_rate(*n_control, level=confidence)
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
        risk=residual_risk(main, control) if main.n_total and control.n_total else Risk(0.0, 0.0, 0.0, 0.0),
        warnings=tuple(warnings),
        **extra,
    )


# ------------------------------------------------------------------------------------------- singling out
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
    size_correction: Literal["npmle", "anonymeter"] = "npmle",
    seed: int = 0,
    confidence: float = 0.95,
    progress: ProgressCallback | None = None,
) -> AttackResult:
    """Singling-out risk: do predicates built from synthetic rows isolate exactly one training person?

    Tables are de-duplicated over the columns first (as anonymeter does). The predicates that single out a
    synthetic row are counted on train (main) and holdout (control); the control count is scaled to what a
    holdout as large as train would give (see :func:`~synth.evaluation.privacy.singling_out.control_successes_at`).
    The baseline uses random predicates.

    Args:
        train: the table the synthesizer was fitted on.
        synthetic: its synthetic output.
        holdout: real rows it never saw (at least 100).
        schema: column kinds (inferred from ``train`` when omitted).
        mode: ``univariate`` (rare values) or ``multivariate`` (``n_cols`` columns of a synthetic row).
        columns: the columns predicates may use; every learned column when omitted (anonymeter's default).
        n_attacks: predicates to use (fewer when fewer single out a synthetic row).
        n_cols: conditions per multivariate predicate.
        size_correction: how the control count is scaled to the train size: ``npmle`` (default, empirical
            Bayes) or ``anonymeter`` (anonymeter's fitted curve, for comparison with it).
        seed: seed of every random choice.
        confidence: level of the intervals.
        progress: called with (fraction, message).

    Returns:
        An :class:`AttackResult` named ``singling_out_<mode>``.

    Raises:
        PrivacyInputError: for a holdout of fewer than 100 rows or columns that are not shared.
    """
    if mode not in ("univariate", "multivariate"):
        raise PrivacyInputError(f"singling-out mode must be 'univariate' or 'multivariate', not {mode!r}")
    report = ensure(progress)
    check_holdout(holdout)
    schema = schema or infer_schema(train)
    t = prepare_tables(train, synthetic, holdout, schema, columns)
    kinds = t.schema.kinds()
    rng = np.random.default_rng(seed)
    report(0.05, "encoding tables")
    encoder = QueryEncoder.fit([t.synthetic, t.train, t.holdout], t.columns, kinds)
    numeric = encoder.numeric
    syn = encoder.transform(t.synthetic)
    syn = syn[:, unique_columns(syn)]
    real = encoder.transform(t.train)
    real = real[:, unique_columns(real)]
    control = encoder.transform(t.holdout)
    control = control[:, unique_columns(control)]
    warnings: list[str] = []
    report(0.15, f"building {mode} predicates from synthetic rows")
    if mode == "univariate":
        pool = univariate_queries(syn, numeric)
        n_pool = len(pool)
        queries = pool.take(rng.permutation(n_pool)[:n_attacks])
        arity = 1
    else:
        arity = min(n_cols, len(t.columns))
        queries, n_pool = multivariate_queries(syn, numeric, n_attacks, arity, rng)
    n = len(queries)
    if n < n_attacks:
        warnings.append(
            f"Only {n:,} predicates single out a synthetic row (asked for {n_attacks:,}); the interval is wider for it."
            if n
            else "No predicate singles out a synthetic row, so singling out could not be measured."
        )
    report(0.5, "counting predicates on training rows")
    main_hits = match_counts(real, queries) == 1
    report(0.65, "counting predicates on holdout rows")
    control_matches = match_matrix(control, queries)
    n_control, correction = control_successes_at(control_matches, real.shape[1], rng, size_correction)
    report(0.85, "random baseline predicates")
    base = random_queries(syn, numeric, n, arity, rng)
    n_base = int((match_counts(real, base) == 1).sum()) if n else 0
    examples = tuple(queries.describe(int(i), encoder) for i in np.flatnonzero(main_hits)[:5])
    report(1.0, "done")
    label = "Singling out (univariate)" if mode == "univariate" else f"Singling out ({arity} columns)"
    detail = (
        f"{n:,} predicates drawn from {n_pool:,} that isolate one synthetic row "
        f"({'rare values' if mode == 'univariate' else f'{arity} columns of a synthetic row'}); each is a success "
        f"when it isolates exactly one of {real.shape[1]:,} distinct training rows (main) or of "
        f"{control.shape[1]:,} distinct holdout rows (control: {correction})."
    )
    return _result(
        f"singling_out_{mode}",
        "singling_out",
        label,
        (float(main_hits.sum()), n),
        (min(n_control, float(n)), n),
        (float(n_base), n),
        confidence,
        columns=t.columns,
        detail=detail,
        examples=examples,
        warnings=tuple(warnings),
        seed=seed,
    )


# -------------------------------------------------------------------------------------------- linkability
def _targets(n_rows: int, n_attacks: int, rng: np.random.Generator) -> np.ndarray:
    return np.sort(rng.choice(n_rows, size=min(n_attacks, n_rows), replace=False))


def _links(idx_a: np.ndarray, idx_b: np.ndarray) -> np.ndarray:
    """Whether the neighbour sets of each row's two halves share a synthetic row."""
    return np.asarray((idx_a[:, :, None] == idx_b[:, None, :]).any(axis=(1, 2)))


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
) -> AttackResult:
    """Linkability risk: can two tables about the same people be joined through the synthetic table?

    Each target's columns are split into group A and group B; the attack finds the nearest synthetic rows
    (Gower distance) of each half and succeeds when the two share a row. Targets are training rows (main)
    and holdout rows (control); the baseline links random synthetic rows.

    Args:
        train: the table the synthesizer was fitted on.
        synthetic: its synthetic output.
        holdout: real rows it never saw (at least 100).
        columns_a: the first column group (e.g. the quasi-identifiers).
        columns_b: the second column group, disjoint from the first.
        schema: column kinds (inferred from ``train`` when omitted).
        n_attacks: targets per run (capped by the rows available).
        n_neighbors: nearest synthetic rows considered per half (anonymeter's default: 1).
        seed: seed of the target samples and the baseline.
        confidence: level of the intervals.
        progress: called with (fraction, message).

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
    check_holdout(holdout)
    schema = schema or infer_schema(train)
    t = prepare_tables(train, synthetic, holdout, schema, a + b)
    kinds = t.schema.kinds()
    rng = np.random.default_rng(seed)
    frames = [t.synthetic, t.train, t.holdout]
    enc_a, enc_b = GowerEncoder.fit(frames, a, kinds), GowerEncoder.fit(frames, b, kinds)
    syn_a, syn_b = enc_a.transform(t.synthetic), enc_b.transform(t.synthetic)
    k = max(1, min(n_neighbors, len(t.synthetic)))
    counts = []
    for step, (label, table) in enumerate((("training", t.train), ("holdout", t.holdout))):
        rows = _targets(len(table), n_attacks, rng)
        target = table.iloc[rows]
        report(0.1 + 0.4 * step, f"linking {len(rows):,} {label} rows through synthetic neighbours")
        idx_a = gower_neighbors(enc_a.transform(target), syn_a, k)[1]
        idx_b = gower_neighbors(enc_b.transform(target), syn_b, k)[1]
        counts.append((float(_links(idx_a, idx_b).sum()), len(rows)))
    n_main = counts[0][1]
    n_syn = len(t.synthetic)
    rand_a = np.array([rng.choice(n_syn, size=k, replace=False) for _ in range(n_main)]).reshape(n_main, k)
    rand_b = np.array([rng.choice(n_syn, size=k, replace=False) for _ in range(n_main)]).reshape(n_main, k)
    n_base = float(_links(rand_a, rand_b).sum())
    report(1.0, "done")
    detail = (
        f"{n_main:,} training and {counts[1][1]:,} holdout people split into [{', '.join(a)}] and "
        f"[{', '.join(b)}]; a success when both halves have the same nearest synthetic row"
        f"{'' if k == 1 else f' among their {k} nearest'}."
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
    )


# ---------------------------------------------------------------------------------------------- inference
def _guess_is_right(
    guesses: pd.Series, truths: pd.Series, kind: ColumnKind, span: float, tolerance: float
) -> np.ndarray:
    """anonymeter's rule: exact match for categories; for numbers a relative gap within ``tolerance``."""
    if kind in NUMERIC_KINDS:
        g, s = numeric_values(guesses, kind), numeric_values(truths, kind)
        both_missing = np.isnan(g) & np.isnan(s)
        gap = np.abs(g - s)
        with np.errstate(invalid="ignore"):
            close = gap <= tolerance * span if kind is ColumnKind.DATETIME else gap <= tolerance * (np.abs(g) + 1e-12)
        return np.asarray(both_missing | close)
    return np.asarray(as_labels(guesses).to_numpy() == as_labels(truths).to_numpy())


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
) -> AttackResult:
    """Attribute-inference risk: does the nearest synthetic row give away a training person's secret?

    For each target the attacker takes the synthetic row nearest on the ``known`` columns (Gower distance)
    and guesses its ``secret``. A guess is right when it equals the secret (categories) or is within
    ``tolerance`` of it relative to the guess (numbers; for datetimes, of the real range). The baseline
    guesses a random synthetic value of the secret for each training target — a guess from the marginal
    distribution, paired with the targets by position.

    Args:
        train: the table the synthesizer was fitted on.
        synthetic: its synthetic output.
        holdout: real rows it never saw (at least 100).
        known: the quasi-identifiers the attacker knows.
        secret: the column the attacker wants to learn.
        schema: column kinds (inferred from ``train`` when omitted).
        n_attacks: targets per run (capped by the rows available).
        tolerance: relative tolerance for numeric secrets.
        seed: seed of the target samples and the baseline.
        confidence: level of the intervals.
        progress: called with (fraction, message).

    Raises:
        AttackerModelError: when the secret is also known, no column is known, or the secret is all missing.
        PrivacyInputError: for a holdout of fewer than 100 rows.
    """
    report = ensure(progress)
    known = list(dict.fromkeys(known))
    schema = schema or infer_schema(train)
    AttackerModel(tuple(known), secret, link_a=tuple(known), link_b=(secret,)).validate(schema, train)
    check_holdout(holdout)
    t = prepare_tables(train, synthetic, holdout, schema, [*known, secret])
    kinds = t.schema.kinds()
    kind = kinds[secret]
    rng = np.random.default_rng(seed)
    enc = GowerEncoder.fit([t.synthetic, t.train, t.holdout], known, kinds)
    syn_known = enc.transform(t.synthetic)
    syn_secret = t.synthetic[secret].reset_index(drop=True)
    real_secret = numeric_values(t.train[secret], kind) if kind in NUMERIC_KINDS else np.zeros(1)
    finite = real_secret[np.isfinite(real_secret)]
    span = float(finite.max() - finite.min()) if len(finite) else 1.0
    counts = []
    truths_main = None
    for step, (label, table) in enumerate((("training", t.train), ("holdout", t.holdout))):
        rows = _targets(len(table), n_attacks, rng)
        target = table.iloc[rows]
        report(0.1 + 0.4 * step, f"guessing '{secret}' of {len(rows):,} {label} rows from their nearest synthetic row")
        idx = gower_neighbors(enc.transform(target), syn_known, 1)[1][:, 0]
        truths = target[secret].reset_index(drop=True)
        right = _guess_is_right(syn_secret.iloc[idx].reset_index(drop=True), truths, kind, span, tolerance)
        counts.append((float(right.sum()), len(rows)))
        if truths_main is None:
            truths_main = truths
    assert truths_main is not None
    guesses = syn_secret.iloc[rng.integers(0, len(syn_secret), len(truths_main))].reset_index(drop=True)
    n_base = float(_guess_is_right(guesses, truths_main, kind, span, tolerance).sum())
    report(1.0, "done")
    rule = (
        "equal to the secret"
        if kind not in NUMERIC_KINDS
        else f"within {tolerance:.0%} of {'the real range' if kind is ColumnKind.DATETIME else 'the guess'}"
    )
    detail = (
        f"{counts[0][1]:,} training and {counts[1][1]:,} holdout people: the attacker knows "
        f"[{', '.join(known)}] and guesses '{secret}' from the nearest synthetic row; a guess counts when "
        f"{rule}. The baseline guesses a random synthetic value."
    )
    return _result(
        "inference",
        "inference",
        f"Inference of '{secret}'",
        counts[0],
        counts[1],
        (n_base, counts[0][1]),
        confidence,
        columns=tuple(known),
        secret=secret,
        detail=detail,
        seed=seed,
    )


# ------------------------------------------------------------------------------------ membership inference
def membership_inference(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame,
    schema: Schema | None = None,
    n_targets: int = 5000,
    max_reference: int = 50_000,
    seed: int = 0,
    confidence: float = 0.95,
    progress: ProgressCallback | None = None,
) -> MembershipResult:
    """A distance-based membership attack: training rows should not sit closer to synthetic rows than others.

    Args:
        train: the table the synthesizer was fitted on (members).
        synthetic: its synthetic output (what the attacker has).
        holdout: real rows it never saw (non-members, at least 100).
        schema: column kinds (inferred from ``train`` when omitted).
        n_targets: at most this many members and this many non-members are scored.
        max_reference: at most this many synthetic rows are searched (a random sample beyond).
        seed: seed of the row samples.
        confidence: level of the AUC interval.
        progress: called with (fraction, message).
    """
    report = ensure(progress)
    check_holdout(holdout)
    schema = schema or infer_schema(train)
    t = prepare_tables(train, synthetic, holdout, schema)
    kinds = t.schema.kinds()
    rng = np.random.default_rng(seed)
    encoder = MixedEncoder.fit(t.train, t.schema)
    members = t.train.iloc[_targets(len(t.train), n_targets, rng)]
    others = t.holdout.iloc[_targets(len(t.holdout), n_targets, rng)]
    reference = t.synthetic.iloc[_targets(len(t.synthetic), max_reference, rng)]
    x_ref = encoder.transform(reference, kinds)
    report(0.1, f"distance of {len(members):,} training rows to the synthetic table")
    d_members = nearest_distances(encoder.transform(members, kinds), x_ref)
    report(0.55, f"distance of {len(others):,} holdout rows to the synthetic table")
    d_others = nearest_distances(encoder.transform(others, kinds), x_ref)
    report(1.0, "done")
    return MembershipResult(
        auc=auc_with_interval(-d_members, -d_others, confidence),
        n_members=len(members),
        n_non_members=len(others),
        median_distance_members=float(np.median(d_members)),
        median_distance_non_members=float(np.median(d_others)),
        share_members_at_zero=float(np.mean(d_members == 0.0)),
        share_non_members_at_zero=float(np.mean(d_others == 0.0)),
        seed=seed,
    )


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

    Raises:
        AttackerModelError: for an attacker model the attacks cannot run with.
        PrivacyInputError: for a holdout of fewer than 100 rows.
    """
    schema = schema or infer_schema(train)
    attacker = attacker or default_attacker_model(schema, train)
    check_holdout(holdout)
    wanted = [c for c in CRITERIA if c in criteria]
    if "linkability" in wanted or "inference" in wanted:
        attacker.validate(schema, train)
    steps = (["univariate", "multivariate"] if "singling_out" in wanted else []) + [
        c for c in wanted if c != "singling_out"
    ]
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
                )
            )
        elif step == "linkability":
            a, b = attacker.linkability_groups([c for c in schema.modelled if c in synthetic.columns])
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
                )
            )
    return AttackReport(attacker=attacker, results=tuple(results), n_attacks=n_attacks, seed=seed)


__all__ = [
    "CRITERIA",
    "AttackReport",
    "AttackResult",
    "AttackerModel",
    "AttackerModelError",
    "MembershipResult",
    "default_attacker_model",
    "evaluate_attacks",
    "inference",
    "linkability",
    "membership_inference",
    "singling_out",
]
