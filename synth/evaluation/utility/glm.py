"""Same conclusions? Fit the same regression on real and on synthetic data and compare the coefficients.

A logistic regression (categorical, boolean or 0/1 target: P(target = positive class)) or a linear regression
(any other numeric target) with every other modelled column as a term: numbers standardised with the real mean and
standard deviation (so a coefficient is "per real standard deviation"), categories as indicators against the
most frequent real category, rare categories (under 1% of real rows) pooled as "(other)" (a single rare one
keeps its name; rare rows too few to estimate count with the reference, with a note; told the person column, a
category fewer than 10 people hold is rare however many rows it has). Terms aliased in the
real design (say ``education`` and ``education_num``, which encode the same thing) are dropped, as R does.

Fitted with numpy: Newton–Raphson / IRLS for the logistic model, least squares for the linear one; standard
errors from the inverse Fisher information. For each coefficient: both 95% intervals, and their overlap as
defined by Karr et al. (2006), "A framework for evaluating the utility of data altered to protect
confidentiality" (The American Statistician 60:3):

    I = ½ · [ (min(U_r, U_s) − max(L_r, L_s)) / (U_r − L_r) + (min(U_r, U_s) − max(L_r, L_s)) / (U_s − L_s) ]

1 when the intervals coincide, 0 when they just touch, negative when they are apart. The synthetic table is
sampled down to the real size first, so the interval widths are comparable. The same fit on the real holdout
gives the reference: the overlap that two samples of real data reach (with the holdout's smaller size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from synth.evaluation.features import NUMERIC_KINDS, labels, numeric_values, thread_limit
from synth.evaluation.results import to_jsonable
from synth.evaluation.spec import MetricSpec
from synth.evaluation.utility.glm_fit import Fit, fit, independent_columns, stable_terms
from synth.evaluation.utility.targets import target_present
from synth.evaluation.utility.tstr import UtilityError, prepare_target, task_of
from synth.progress import ProgressCallback, ensure
from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema
from synth.schema.shared_range import MIN_SHOWN_ROWS
from synth.synthesizers.person_rarity import people_per_value, person_codes

RARE_SHARE = 0.01
MIN_TERM_ROWS = 10  # real rows a category needs to get a coefficient of its own
MAX_LEVELS = 15
MAX_ROWS = 50_000
Z95 = 1.959963984540054

CI_OVERLAP = MetricSpec(
    "ConfidenceIntervalOverlap",
    "Karr et al.'s overlap of the real and synthetic 95% intervals of a regression coefficient",
    low=float("-inf"),
    high=1.0,
    kinds=frozenset(
        {ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}
    ),
)

Conclusion = Literal["same", "sign flip", "only real significant", "only synthetic significant", "not estimable"]


@dataclass(frozen=True)
class Coefficient:
    """One term of the model, fitted on real and on synthetic data.

    Attributes:
        term: ``column`` (numbers) or ``column = level`` (categories, against the reference level).
        real / real_low / real_high: estimate and 95% interval on real train.
        synthetic / synthetic_low / synthetic_high: the same on synthetic data (NaN: not estimable there).
        overlap: Karr et al.'s interval overlap (≤ 1; negative when apart).
        reference_overlap: the same between real train and the real holdout.
        conclusion: ``same`` (both significant with the same sign, or both not), ``sign flip``,
            ``only real significant``, ``only synthetic significant`` or ``not estimable``.
        reason: why a ``not estimable`` term has no interval, in plain words ("no synthetic row has
            channel = partner"); empty otherwise.
    """

    term: str
    real: float
    real_low: float
    real_high: float
    synthetic: float
    synthetic_low: float
    synthetic_high: float
    overlap: float
    reference_overlap: float | None
    conclusion: Conclusion
    reason: str = ""


@dataclass(frozen=True)
class GlmComparison:
    """The same regression on real and synthetic data.

    Attributes:
        target / family: what was modelled (``logistic``: P(target = positive_class); ``linear``).
        positive_class: the modelled class of a logistic model.
        coefficients: one per term, intercept first.
        mean_overlap: mean of the overlaps clipped at 0 (the usual summary; 1 best).
        reference_mean_overlap: the same between real train and the real holdout.
        same_conclusions: share of terms with the same conclusion.
        dropped_terms: terms aliased in the real design, left out.
        n_real / n_synthetic / n_holdout: rows fitted.
        notes: convergence problems and other caveats.
    """

    target: str
    family: Literal["logistic", "linear"]
    positive_class: str | None
    coefficients: tuple[Coefficient, ...]
    mean_overlap: float
    reference_mean_overlap: float | None
    same_conclusions: float
    dropped_terms: tuple[str, ...]
    n_real: int
    n_synthetic: int
    n_holdout: int | None
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        return out


def _levels(name: str, lab: pd.Series, people: np.ndarray | None = None) -> tuple[list[str], str]:
    """A categorical column's levels, the reference (most frequent) first, and a note when rows were folded.

    Categories under :data:`RARE_SHARE` of the real rows (and any beyond :data:`MAX_LEVELS`) are rare. Two or more
    pool into "(other)"; a single one keeps its own name ("fraud = 1", not "fraud = (other)": pooling one level only
    renamed it, and a 0/1 column with a rare 1 read as "(other)"). Rare rows fewer than :data:`MIN_TERM_ROWS`
    cannot be estimated (on the messy customer table, 4 rows pooled from three rare channels came out "(other) —
    not estimable"): they count with the reference level instead, and the note says so without naming them
    (rare values single people out).

    ``people`` (each row's person code, when the fit knows the person): a category fewer than
    :data:`~synth.schema.shared_range.MIN_SHOWN_ROWS` distinct people hold is rare too, and never named, however
    many rows it has. One employee's 15 payslips in a grade no one else holds were 1.4% of the rows: the term
    "grade = <their grade>" stood on the Compare page. Such a category pools into "(other)" even alone. Without a
    person, a category fewer than MIN_SHOWN_ROWS rows hold is not named either (1% of a 400-row table is 4 rows).
    """
    counts = lab.value_counts()
    n = max(int(counts.sum()), 1)
    if people is None:  # a term names its category: as every output does, only one 10 rows hold
        nameable = {str(v) for v, c in counts.items() if c >= MIN_SHOWN_ROWS}
    else:
        nameable = {str(v) for v, p in people_per_value(lab, people).items() if p >= MIN_SHOWN_ROWS}
    kept = [str(v) for v, c in counts.items() if c / n >= RARE_SHARE and str(v) in nameable][: MAX_LEVELS + 1]
    rare = counts[[str(v) not in set(kept) for v in counts.index]]
    if rare.empty:
        return kept, ""
    if not kept:  # nothing common to count them with, or (people) no category enough people hold
        few = bool(counts.max() / n >= RARE_SHARE)
        holders = "people" if people is not None else "rows"
        return [], f"{name} left out: no category of it is held by {MIN_SHOWN_ROWS} {holders}" if few else ""
    rows = int(rare.sum())
    if rows >= MIN_TERM_ROWS:
        alone = len(rare) == 1 and str(rare.index[0]) in nameable
        return kept + ([str(rare.index[0])] if alone else ["(other)"]), ""
    held = f"{rows} row{'s' if rows != 1 else ''}"
    if len(kept) == 1:  # e.g. a 0/1 flag with a handful of 1s: nothing is left to compare with the reference
        return kept, (
            f"{name} left out: only {held} differ from its most common value, {kept[0]}; too few to estimate "
            "a coefficient"
        )
    what = "1 rare category" if len(rare) == 1 else f"{len(rare)} rare categories"
    return kept, (
        f"{name}: {what} ({held}) too few to estimate a coefficient, counted with the most common value, {kept[0]}"
    )


@dataclass(frozen=True)
class _Design:
    """How columns become model terms; learned on real train."""

    numeric: tuple[tuple[str, ColumnKind, float, float, bool], ...]  # name, kind, mean, sd, missing indicator
    categorical: tuple[tuple[str, str, tuple[str, ...]], ...]  # name, reference level, other levels
    notes: tuple[str, ...] = ()  # categories too rare to estimate, counted with the reference level

    @classmethod
    def fit(cls, df: pd.DataFrame, schema: Schema, features: list[str], people: np.ndarray | None = None) -> _Design:
        """The terms of ``df`` (real train); ``people``: each row's person code, for :func:`_levels`."""
        numeric, categorical, notes = [], [], []
        for name in features:
            kind = schema[name].kind
            if kind in NUMERIC_KINDS:
                x = numeric_values(df[name], kind)
                finite = x[np.isfinite(x)]
                if len(finite) < 2 or finite.std() == 0:
                    continue
                miss = float(np.mean(~np.isfinite(x)))
                numeric.append((name, kind, float(finite.mean()), float(finite.std()), miss >= RARE_SHARE))
            else:
                levels, note = _levels(name, labels(df[name]).fillna("(missing)"), people)
                if note:
                    notes.append(note)
                if len(levels) > 1:
                    categorical.append((name, levels[0], tuple(levels[1:])))
        return cls(tuple(numeric), tuple(categorical), tuple(notes))

    @property
    def terms(self) -> list[str]:
        out = ["(intercept)"]
        for name, _, _, _, has_missing in self.numeric:
            out.append(name)
            if has_missing:
                out.append(f"{name} is missing")
        for name, _, levels in self.categorical:
            out += [f"{name} = {lv}" for lv in levels]
        return out

    def matrix(self, df: pd.DataFrame) -> np.ndarray:
        cols: list[np.ndarray] = [np.ones(len(df))]
        for name, kind, mean, sd, has_missing in self.numeric:
            x = (numeric_values(df[name], kind) - mean) / sd
            missing = ~np.isfinite(x)
            cols.append(np.where(missing, 0.0, x))
            if has_missing:
                cols.append(missing.astype(float))
        for name, reference, levels in self.categorical:
            lab = labels(df[name]).fillna("(missing)")
            known = {reference, *levels}
            lab = lab.where(lab.isin(known), "(other)" if "(other)" in known else reference)
            for lv in levels:
                cols.append((lab == lv).to_numpy(dtype=float))
        return np.column_stack(cols)


def _determined_numbers(df: pd.DataFrame, design: _Design) -> dict[str, str]:
    """Numeric terms that a categorical column determines (R² of the level means above 0.999): aliased."""
    out: dict[str, str] = {}
    for name, kind, _, _, _ in design.numeric:
        x = numeric_values(df[name], kind)
        ok = np.isfinite(x)
        total = float(np.var(x[ok])) if ok.sum() > 1 else 0.0
        if total <= 0:
            continue
        for cat, _, _ in design.categorical:
            codes, _ = pd.factorize(labels(df[cat]).fillna("(missing)"))
            g = codes[ok]
            n_k = np.bincount(g)
            mean_k = np.bincount(g, weights=x[ok]) / np.maximum(n_k, 1)
            within = float(np.mean((x[ok] - mean_k[g]) ** 2))
            if within / total < 1e-3:
                out[name] = cat
                break
    return out


def karr_overlap(low_a: float, high_a: float, low_b: float, high_b: float) -> float:
    """Karr et al.'s overlap of two intervals: 1 identical, 0 touching, negative apart; NaN if undefined."""
    values = (low_a, high_a, low_b, high_b)
    if not all(math.isfinite(v) for v in values) or high_a <= low_a or high_b <= low_b:
        return float("nan")
    inner = min(high_a, high_b) - max(low_a, low_b)
    return 0.5 * (inner / (high_a - low_a) + inner / (high_b - low_b))


def _conclusion(real: float, r_lo: float, r_hi: float, syn: float, s_lo: float, s_hi: float) -> Conclusion:
    if not all(math.isfinite(v) for v in (real, r_lo, r_hi, syn, s_lo, s_hi)):
        return "not estimable"
    sig_r, sig_s = r_lo > 0 or r_hi < 0, s_lo > 0 or s_hi < 0
    if sig_r and sig_s:
        return "same" if np.sign(real) == np.sign(syn) else "sign flip"
    if sig_r:
        return "only real significant"
    if sig_s:
        return "only synthetic significant"
    return "same"


def _why_not_estimable(
    term: str, x: dict[str, np.ndarray], y: dict[str, np.ndarray], j: int, fits: dict[str, Fit], target: str
) -> str:
    """Why a term has no interval on real or synthetic data, in plain words."""
    rows = f"with {term}" if " = " in term else f"where {term}"  # "channel = partner", "income is missing"
    for name in ("real", "synthetic"):
        if all(math.isfinite(v) for v in (fits[name].beta[j], fits[name].se[j])):
            continue
        column, outcome = x[name][:, j], y[name]
        indicator = bool(np.isin(column, (0.0, 1.0)).all())
        if outcome.min() == outcome.max():
            return f"the {name} {target} never varies"
        if indicator and not column.any():
            return f"no {name} row {rows}"
        if np.ptp(column) == 0:
            return f"{term} does not vary in the {name} data"
        if indicator and np.ptp(outcome[column != 0]) == 0:
            return f"every {name} row {rows} has the same {target}: its coefficient runs off to infinity (separation)"
        return f"the {name} data cannot separate it from the other terms"
    return ""


def compare_glm(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    target: str,
    holdout: pd.DataFrame | None = None,
    schema: Schema | None = None,
    positive_class: str | None = None,
    max_rows: int = MAX_ROWS,
    seed: int = 0,
    n_threads: int | None = None,
    progress: ProgressCallback | None = None,
    person_column: str | None = None,
) -> GlmComparison:
    """Fit the same GLM on real and synthetic data; compare coefficients and their 95% intervals.

    Args:
        real: the real training table.
        synthetic: the synthetic table (sampled down to the real size when larger).
        target: the response: categorical, boolean or 0/1 in ``real`` → logistic, any other number → linear.
        holdout: the real holdout, for the real-vs-real reference overlap.
        schema: column kinds (inferred from ``real`` when omitted); every other modelled column is a term.
        positive_class: the modelled class of a logistic model (default: the less frequent of the two most
            frequent real classes, e.g. ">50K").
        max_rows: tables are sampled down to this many rows (seeded).
        seed: seed of the samples.
        n_threads: BLAS threads (default 1: on a busy small machine more threads are several times slower).
        progress: called with (fraction, message).
        person_column: the column of ``real`` naming whose row each row is (the one the split took): a category
            is then a term of its own ("grade = A") only when that many distinct people hold it, not rows (see
            :func:`_levels`). None: rows are counted.

    Returns:
        A :class:`GlmComparison`.

    Raises:
        UtilityError: the target is unusable (all missing, a single class, not a column, ...).
    """
    with thread_limit(n_threads):
        return _compare_glm(
            real, synthetic, target, holdout, schema, positive_class, max_rows, seed, progress, person_column
        )


def _compare_glm(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    target: str,
    holdout: pd.DataFrame | None,
    schema: Schema | None,
    positive_class: str | None,
    max_rows: int,
    seed: int,
    progress: ProgressCallback | None,
    person_column: str | None,
) -> GlmComparison:
    report = ensure(progress)
    schema = schema or infer_schema(real)
    if target not in real.columns or target not in schema or target not in synthetic.columns:
        raise UtilityError(f"{target!r} is not a column of both tables")
    if person_column is not None and person_column not in real.columns:
        raise UtilityError(f"the person column {person_column!r} is not a column of the real table")
    people = None if person_column is None else person_codes(real, person_column)
    task = task_of(schema, target, real[target])
    family: Literal["logistic", "linear"] = "logistic" if task == "classification" else "linear"
    features = [
        c.name
        for c in schema
        if c.kind.is_modelled and c.name != target and c.name in real.columns and c.name in synthetic.columns
    ]
    used = schema.select([*features, target])
    rng = np.random.default_rng(seed)
    tables = {"real": real, "synthetic": synthetic}
    if holdout is not None:
        tables["holdout"] = holdout
    notes: list[str] = []
    coerced = {name: coerce_to_schema(df[[*features, target]], used) for name, df in tables.items()}
    if people is not None:  # the rows prepare_target keeps, each with its person
        people = people[target_present(coerced["real"], target, task, schema[target].kind)]
    frames, responses = prepare_target(coerced, target, task, schema[target].kind)
    if len(responses["real"]) == 0:
        raise UtilityError(f"every value of {target} is missing in the real table: pick another target")
    if len(responses["synthetic"]) == 0:
        raise UtilityError(f"every value of {target} is missing in the synthetic table")
    limit = min(max_rows, len(responses["real"]))
    for name in frames:
        n = len(responses[name])
        cap = limit if name == "synthetic" else min(max_rows, n)
        if n > cap:
            rows = np.sort(rng.choice(n, cap, replace=False))
            frames[name] = frames[name].iloc[rows].reset_index(drop=True)
            responses[name] = responses[name][rows]
            if name == "real" and people is not None:
                people = people[rows]
            if name == "synthetic":
                notes.append(f"the synthetic table was sampled down to {cap:,} rows, the real size")

    positive: str | None = None
    if family == "logistic":
        values, counts = np.unique(responses["real"], return_counts=True)
        if len(values) < 2:
            raise UtilityError(f"{target} has a single class in the real table: nothing to model")
        if positive_class is None:
            top2 = values[np.argsort(-counts, kind="stable")[:2]]
            positive = str(top2[1])
        else:
            positive = str(positive_class)
            if positive not in set(values):
                raise UtilityError(f"{positive!r} is not a class of {target}")
        if len(values) > 2:
            notes.append(f"{target} has {len(values)} classes: the model is P({target} = {positive}) vs the rest")
        y = {k: (v == positive).astype(float) for k, v in responses.items()}
        if y["synthetic"].min() == y["synthetic"].max():
            notes.append(f"the synthetic {target} never varies: its coefficients cannot be estimated")
    else:
        if np.std(responses["real"]) == 0:
            raise UtilityError(f"{target} is constant in the real table: nothing to model")
        y = {k: v.astype(float) for k, v in responses.items()}

    report(0.1, "building the design")
    design = _Design.fit(frames["real"], schema, features, people)
    notes += design.notes
    matrices = {k: design.matrix(v) for k, v in frames.items()}
    terms = design.terms
    determined = _determined_numbers(frames["real"], design)
    for number, category in determined.items():
        notes.append(f"{number} is determined by {category} in the real data: left out (aliased)")
    candidates = np.array([j for j, t in enumerate(terms) if t not in determined], dtype=int)
    keep = candidates[independent_columns(matrices["real"][:, candidates])]
    keep = stable_terms(matrices["real"], y["real"], family, keep)
    kept = set(keep.tolist())
    dropped = tuple(t for j, t in enumerate(terms) if j not in kept)
    terms = [terms[int(j)] for j in keep]
    x = {k: v[:, keep] for k, v in matrices.items()}
    if "holdout" in x and len(y["holdout"]) < max(30, 5 * len(terms)):
        notes.append(f"the holdout has too few rows ({len(y['holdout'])}) for a reference fit of {len(terms)} terms")
        del x["holdout"], y["holdout"]

    fits: dict[str, Fit] = {}
    for i, name in enumerate(x):
        report(0.2 + 0.7 * i / len(x), f"fitting on {name} data")
        if family == "logistic" and y[name].min() == y[name].max():
            p = x[name].shape[1]
            fits[name] = Fit(np.full(p, np.nan), np.full(p, np.nan), False)
            continue
        fits[name] = fit(x[name], y[name], family)
        if not fits[name].converged and family == "logistic":
            notes.append(f"the fit on {name} data did not fully converge")

    coefficients = []
    for j, term in enumerate(terms):
        r_b, r_se = float(fits["real"].beta[j]), float(fits["real"].se[j])
        s_b, s_se = float(fits["synthetic"].beta[j]), float(fits["synthetic"].se[j])
        r_lo, r_hi = r_b - Z95 * r_se, r_b + Z95 * r_se
        s_lo, s_hi = s_b - Z95 * s_se, s_b + Z95 * s_se
        ref: float | None = None
        if "holdout" in fits:
            h_b, h_se = float(fits["holdout"].beta[j]), float(fits["holdout"].se[j])
            ref = karr_overlap(r_lo, r_hi, h_b - Z95 * h_se, h_b + Z95 * h_se)
        coefficients.append(
            Coefficient(
                term=term,
                real=r_b,
                real_low=r_lo,
                real_high=r_hi,
                synthetic=s_b,
                synthetic_low=s_lo,
                synthetic_high=s_hi,
                overlap=karr_overlap(r_lo, r_hi, s_lo, s_hi),
                reference_overlap=ref,
                conclusion=_conclusion(r_b, r_lo, r_hi, s_b, s_lo, s_hi),
                reason=_why_not_estimable(term, x, y, j, fits, target)
                if not all(math.isfinite(v) for v in (r_lo, r_hi, s_lo, s_hi))
                else "",
            )
        )

    def mean_clipped(values: list[float]) -> float:
        finite = [max(v, 0.0) for v in values if math.isfinite(v)]
        return float(np.mean(finite)) if finite else float("nan")

    overlaps = [c.overlap if math.isfinite(c.overlap) else 0.0 for c in coefficients if math.isfinite(c.real)]
    ref_overlaps = [c.reference_overlap for c in coefficients if c.reference_overlap is not None]
    estimable = [c for c in coefficients if math.isfinite(c.real)]
    report(1.0, "done")
    return GlmComparison(
        target=target,
        family=family,
        positive_class=positive,
        coefficients=tuple(coefficients),
        mean_overlap=mean_clipped(overlaps),
        reference_mean_overlap=mean_clipped(ref_overlaps) if ref_overlaps else None,
        same_conclusions=(sum(c.conclusion == "same" for c in estimable) / len(estimable)) if estimable else math.nan,
        dropped_terms=dropped,
        n_real=len(y["real"]),
        n_synthetic=len(y["synthetic"]),
        n_holdout=len(y["holdout"]) if "holdout" in y else None,
        notes=tuple(notes),
    )
