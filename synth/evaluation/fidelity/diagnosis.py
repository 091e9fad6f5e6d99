"""Why does a column (or a pair) score badly? Findings in plain words, each with something to try.

Checks per column:

* missing values: "missing rate 5.6% real vs 0.0% synthetic";
* numbers: point masses ("synthetic lacks the spike at 0 that holds 91.7% of real capital_gain"), values outside
  the real range, non-whole numbers in an integer column, shifted median, wider or narrower spread, a shorter
  or longer tail;
* categories: the categories whose share differs most ("'Never-married' is 32.8% of real but 20.1% of
  synthetic"), real categories that never appear, categories the synthetic table invents.

Findings are ranked by how many rows they concern. Checks use exact shares over whole tables (vectorised numpy),
so they agree with the charts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.evaluation.fidelity.pair_support import rank_pairs
from synth.evaluation.fidelity.scores import FidelityResult, PairScore, compare_tables
from synth.evaluation.results import MINUS, percent, to_jsonable
from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema, numeric_values
from synth.synthesizers.rare_categories import BUCKET_LABELS

NUMERIC_KINDS = frozenset({ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME})
SPIKE_SHARE = 0.05
MIN_SHARE_GAP = 0.02
MIN_MISSING_GAP = 0.01
MIN_OUT_OF_RANGE = 0.01
# A lost category is named only when this many real rows hold it, as the report names no bar under k = 10 rows:
# the rarer ones are exactly those the synthesizer's bucket hid, and a screenshot of Compare named them.
MIN_NAMED_ROWS = 10

SUGGESTIONS = {
    "missing": "Check that the synthesizer models missing values (as their own category or with a missing-value "
    "indicator) instead of filling or dropping them.",
    "spike": "Model the point mass separately: a synthesizer that treats the column as a mixture (a spike plus a "
    "continuous part), a tree-based synthesizer such as CART, or mark the column categorical if it has few values.",
    "range": "Clip synthetic values to the real range, or use a marginal that is bounded (empirical quantiles).",
    "integer": "Round to whole numbers (mark the column as integer in the schema) so the synthesizer conforms it.",
    "location": "The marginal is shifted: fit the column's distribution more flexibly (empirical marginals) or "
    "check the transformation the synthesizer applies.",
    "spread": "The spread is off: the marginal fit is too narrow or too wide; try empirical marginals or more "
    "training iterations.",
    "tail": "The tail differs: heavy tails need a flexible marginal (empirical quantiles, or log-transform before "
    "fitting).",
    "share": "Category frequencies drift: a synthesizer that samples categories from their real frequencies "
    "(conditional sampling, CART, Bayesian network) keeps them; with neural models train longer.",
    "lost": "Rare categories get lost: merge rare categories before fitting, or use a synthesizer that keeps every "
    "category (CART, Bayesian network).",
    "invented": "The synthetic table invents categories: constrain sampling to the real categories.",
    "bucket": "Categories held by few training rows (fewer than the synthesizer's 'Hide categories rarer than', 5 "
    "by default) are learned as one bucket so that no rare value is copied. Keep a coarser version of the column "
    "(e.g. the first digits of a code), mark it as an identifier (regenerated), or lower that setting (rare values "
    "are then copied).",
    "shape": "No single cause: the whole shape differs a little. Try a more flexible synthesizer or more epochs.",
    "association": "The relationship between the two columns is not kept: a synthesizer that models dependence "
    "between these kinds of columns (CART or a Bayesian network for categories, a copula for numbers) keeps it.",
}


@dataclass(frozen=True)
class Finding:
    """One reason a column differs.

    Attributes:
        check: ``missing``, ``spike``, ``range``, ``integer``, ``location``, ``spread``, ``tail``, ``share``,
            ``lost``, ``invented``, ``bucket`` (the synthesizer's rare-category bucket) or ``shape``.
        message: the finding in words.
        severity: roughly the share of rows it concerns (for ranking), in [0, 1].
        suggestion: what to try.
    """

    check: str
    message: str
    severity: float
    suggestion: str


@dataclass(frozen=True)
class ColumnDiagnosis:
    """Why one column scores as it does.

    Attributes:
        column / kind / metric / score: the column and its shape score.
        findings: reasons, most severe first.
        gap_is_real: whether the column's gap to the real holdout is beyond sampling noise (None without one).
        summary: the headline finding in words.
        as_fresh: whether the column is as close to train as fresh real data (its gap to the holdout within noise,
            or the synthetic side ahead).
    """

    column: str
    kind: ColumnKind
    metric: str
    score: float
    findings: tuple[Finding, ...]
    gap_is_real: bool | None
    summary: str
    as_fresh: bool = False

    @property
    def suggestion(self) -> str | None:
        """What to try for the headline finding; None when nothing is to be fixed. A column as close to train as
        fresh real data has nothing to fix even where a finding names a difference (the survey walk's country read
        "yet fresh real data differs as much" above "Try: a synthesizer that samples categories..."), unless the
        finding is the "(other)" bucket, which fresh rows never hold."""
        if not self.findings or (self.as_fresh and self.findings[0].check != "bucket"):
            return None
        return self.findings[0].suggestion

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        return out


@dataclass(frozen=True)
class PairDiagnosis:
    """Why a pair of columns scores as it does."""

    column_a: str
    column_b: str
    score: float
    message: str
    suggestion: str
    rows_in_common: int | None = None


def _num(x: float, kind: ColumnKind) -> str:
    """A value of the column as a sentence prints it: a date as a date, a negative number with a true minus
    ("the spike at −5"; a hyphen read as a dash in the sentence)."""
    if kind is ColumnKind.DATETIME:
        return str(pd.Timestamp(int(x)).date())
    if float(x).is_integer():
        text = f"{int(x):,}"
    elif abs(x) >= 1e4:  # four significant digits, written out: "1,042,000", not "1.042e+06" (salaries in cents)
        text = f"{round(x, 3 - math.floor(math.log10(abs(x)))):,.0f}"
    else:
        text = f"{x:,.4g}"
    return text.replace("-", MINUS)


def _spread(x: float, kind: ColumnKind) -> str:
    """A distance between two values of the column: for dates a duration ("6.1 years"), never a date (a walk read
    "termination_date … interquartile range 1976-01-17", the spread printed as nanoseconds after 1970)."""
    if kind is not ColumnKind.DATETIME:
        return _num(x, kind)
    days = x / 86_400e9
    for size, unit in ((365.25, "years"), (1.0, "days"), (1 / 24, "hours"), (1 / 1_440, "minutes")):
        if days >= 2 * size:
            return f"{days / size:,.1f} {unit}"
    return f"{days * 86_400:,.1f} seconds"


def _missing_finding(name: str, real: pd.Series, syn: pd.Series) -> Finding | None:
    mr, ms = float(real.isna().mean()), float(syn.isna().mean()) if len(syn) else 0.0
    if abs(mr - ms) < MIN_MISSING_GAP:
        return None
    return Finding(
        "missing",
        f"missing rate {percent(mr)} real vs {percent(ms)} synthetic in {name}",
        abs(mr - ms),
        SUGGESTIONS["missing"],
    )


def _numeric_findings(name: str, kind: ColumnKind, real: pd.Series, syn: pd.Series) -> list[Finding]:
    xr, xs = numeric_values(real, kind), numeric_values(syn, kind)
    xr, xs = xr[np.isfinite(xr)], xs[np.isfinite(xs)]
    out: list[Finding] = []
    if len(xr) == 0 or len(xs) == 0:
        if len(xs) == 0 and len(xr):
            out.append(Finding("missing", f"synthetic {name} has no values at all", 1.0, SUGGESTIONS["missing"]))
        return out
    # Point masses: real values holding at least SPIKE_SHARE of the rows.
    values, counts = np.unique(xr, return_counts=True)
    shares = counts / len(xr)
    for k in np.argsort(-shares)[:3]:
        p_r = float(shares[k])
        if p_r < SPIKE_SHARE:
            break
        v = float(values[k])
        p_s = float(np.mean(xs == v))
        if abs(p_r - p_s) < max(MIN_SHARE_GAP, 0.1 * p_r):
            continue
        if p_s < p_r / 2:
            msg = (
                f"synthetic lacks the spike at {_num(v, kind)} that holds {percent(p_r)} of real {name} "
                f"(synthetic: {percent(p_s)})"
            )
        else:
            msg = f"the spike at {_num(v, kind)} holds {percent(p_r)} of real {name} but {percent(p_s)} of synthetic"
        out.append(Finding("spike", msg, abs(p_r - p_s), SUGGESTIONS["spike"]))
    lo, hi = float(xr.min()), float(xr.max())
    outside = float(np.mean((xs < lo) | (xs > hi)))
    if outside >= MIN_OUT_OF_RANGE:
        out.append(
            Finding(
                "range",
                f"{percent(outside)} of synthetic {name} values fall outside the real range "
                f"{_num(lo, kind)}–{_num(hi, kind)}",
                outside,
                SUGGESTIONS["range"],
            )
        )
    if kind is ColumnKind.DISCRETE and np.all(np.floor(xr) == xr):
        fractional = float(np.mean(np.floor(xs) != xs))
        if fractional >= 0.01:
            out.append(
                Finding(
                    "integer",
                    f"{percent(fractional)} of synthetic {name} values are not whole numbers",
                    fractional,
                    SUGGESTIONS["integer"],
                )
            )
    qr = np.quantile(xr, [0.25, 0.5, 0.75, 0.99])
    qs = np.quantile(xs, [0.25, 0.5, 0.75, 0.99])
    iqr_r, iqr_s = qr[2] - qr[0], qs[2] - qs[0]
    scale = iqr_r if iqr_r > 0 else (float(xr.std()) or 1.0)
    shift = abs(qs[1] - qr[1]) / scale
    if shift >= 0.25:
        out.append(
            Finding(
                "location",
                f"synthetic median {_num(float(qs[1]), kind)} vs real {_num(float(qr[1]), kind)}",
                min(shift / 4, 1.0),
                SUGGESTIONS["location"],
            )
        )
    if iqr_r > 0 and (iqr_s / iqr_r > 1.33 or iqr_s / iqr_r < 0.75):
        wider = "wider" if iqr_s > iqr_r else "narrower"
        out.append(
            Finding(
                "spread",
                f"synthetic {name} is {wider}: interquartile range {_spread(float(iqr_s), kind)} vs real "
                f"{_spread(float(iqr_r), kind)}",
                min(abs(np.log(max(iqr_s, 1e-12) / iqr_r)) / 4, 1.0),
                SUGGESTIONS["spread"],
            )
        )
    span = max(hi - lo, 1e-12)
    if abs(qs[3] - qr[3]) / span >= 0.1 and qr[3] > qr[2]:
        longer = "longer" if qs[3] > qr[3] else "shorter"
        out.append(
            Finding(
                "tail",
                f"synthetic {name} has a {longer} upper tail: 99th percentile {_num(float(qs[3]), kind)} vs real "
                f"{_num(float(qr[3]), kind)}",
                0.01 + min(abs(qs[3] - qr[3]) / span, 1.0) * 0.05,
                SUGGESTIONS["tail"],
            )
        )
    return out


def _category_findings(name: str, real: pd.Series, syn: pd.Series) -> list[Finding]:
    def labels(s: pd.Series) -> pd.Series:
        return s.astype(object).where(s.notna(), "(missing)").astype(str)

    pr = labels(real).value_counts(normalize=True)
    ps = labels(syn).value_counts(normalize=True) if len(syn) else pd.Series(dtype=float)
    both = pr.index.union(ps.index)
    pr_all, ps_all = pr.reindex(both, fill_value=0.0), ps.reindex(both, fill_value=0.0)
    diff = (ps_all - pr_all).abs().sort_values(ascending=False)
    out: list[Finding] = []
    for cat in diff.index[:2]:
        gap = float(diff[cat])
        if gap < MIN_SHARE_GAP or cat == "(missing)":
            continue
        if pr_all[cat] == 0 or ps_all[cat] == 0:
            continue  # reported below as lost / invented
        out.append(
            Finding(
                "share",
                f"category '{cat}' is {percent(float(pr_all[cat]))} of real {name} but "
                f"{percent(float(ps_all[cat]))} of synthetic",
                gap,
                SUGGESTIONS["share"],
            )
        )
    # The synthesizer's rare-category bucket: the lost categories went into it, so "a synthesizer that keeps every
    # category" (the plain advice) is not the cure; every synthesizer here buckets them by default.
    tokens = [b for b in BUCKET_LABELS if b in ps.index and b not in pr.index]
    bucket = bool(tokens)
    lost = [str(c) for c in pr.index if c not in ps.index]
    for token in tokens:
        out.append(
            Finding(
                "bucket",
                f"{percent(float(ps[token]))} of synthetic {name} is {token!r}, the bucket its rare "
                "categories were learned as (no real row holds it)",
                # ranked with the categories it stands for, so the cause is read before the symptom
                max(float(ps[token]), float(pr[lost].sum()) if lost else 0.0),
                SUGGESTIONS["bucket"],
            )
        )
    if lost:
        share = float(pr[lost].sum())
        counts = labels(real).value_counts()
        named = [c for c in lost if counts[c] >= MIN_NAMED_ROWS]
        # The customers walk: "('Tokelau Stand', 'Tuvalu Shop', 'Palau Corner'; ...)", stores of 2 and 3 rows.
        examples = ", ".join(f"'{c}'" for c in named[:3])
        if not named:
            examples = f"each held by fewer than {MIN_NAMED_ROWS} real rows, not named"
        elif len(named) < len(lost):
            examples += f", {len(lost) - len(named)} held by fewer than {MIN_NAMED_ROWS} real rows each, not named"
        out.append(
            Finding(
                "lost",
                # "of {name}": a column named category read "real category categories never appear".
                f"{len(lost)} real categor{'y' if len(lost) == 1 else 'ies'} of {name} never "
                f"appear{'s' if len(lost) == 1 else ''} in synthetic ({examples}; {percent(share)} of real rows)",
                max(share, 0.005),
                SUGGESTIONS["bucket" if bucket else "lost"],
            )
        )
    invented = [str(c) for c in ps.index if c not in pr.index and c not in tokens]
    if invented:
        share = float(ps[invented].sum())
        examples = ", ".join(f"'{c}'" for c in invented[:3])
        out.append(
            Finding(
                "invented",
                f"synthetic {name} has {len(invented)} categor{'y' if len(invented) == 1 else 'ies'} not in real "
                f"({examples}; {percent(share)} of synthetic rows)",
                max(share, 0.005),
                SUGGESTIONS["invented"],
            )
        )
    return out


def diagnose_column(real: pd.Series, synthetic: pd.Series, kind: ColumnKind) -> tuple[Finding, ...]:
    """Findings for one column, most severe first.

    Args:
        real: the real column.
        synthetic: the synthetic column.
        kind: its kind.

    Returns:
        The findings (possibly none).
    """
    name = str(real.name)
    findings: list[Finding] = []
    miss = _missing_finding(name, real, synthetic)
    if miss is not None:
        findings.append(miss)
    if kind in NUMERIC_KINDS:
        findings += _numeric_findings(name, kind, real, synthetic)
    else:
        findings += _category_findings(name, real, synthetic)
    return tuple(sorted(findings, key=lambda f: -f.severity))


def diagnose(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    schema: Schema | None = None,
    fidelity: FidelityResult | None = None,
    columns: Sequence[str] | None = None,
    top: int = 5,
) -> tuple[ColumnDiagnosis, ...]:
    """Explain the worst columns (or the given ones) in words, with something to try for each finding.

    Args:
        real: the real training table.
        synthetic: the synthetic table.
        schema: column kinds (inferred from ``real`` when omitted).
        fidelity: the fidelity result of these tables (computed when omitted); gives the scores, the order and
            whether each gap is beyond noise.
        columns: columns to explain (default: the ``top`` worst).
        top: how many of the worst columns to explain when ``columns`` is omitted.

    Returns:
        One :class:`ColumnDiagnosis` per column, worst first.
    """
    schema = schema or infer_schema(real)
    scores = {c.column: c for c in (fidelity.columns if fidelity else compare_tables(real, synthetic, schema).columns)}
    if columns is None:
        columns = [c for c, _ in sorted(scores.items(), key=lambda kv: (kv[1].score, kv[0]))][:top]
    names = [c for c in columns if c in scores]
    sub = schema.select(names)
    r = coerce_to_schema(real[names], sub)
    s = coerce_to_schema(synthetic[names], sub)
    out = []
    for name in names:
        score = scores[name]
        findings = diagnose_column(r[name], s[name], score.kind)
        gap = fidelity.gap(name) if fidelity else None
        real_gap = gap.is_real if gap else None
        noise = gap is not None and (real_gap is False or gap.difference >= 0)
        if not findings and noise:
            assert gap is not None
            summary = (
                f"{name} is as close to train as fresh real data ({score.metric} {score.score:.3f}, holdout "
                f"{gap.reference:.3f}): nothing to fix"
            )
        elif not findings and score.score < 0.999:
            findings = (
                Finding(
                    "shape",
                    f"no single cause: the distribution of {name} differs a little everywhere "
                    f"({score.metric} {score.score:.3f})",
                    1.0 - score.score,
                    SUGGESTIONS["shape"],
                ),
            )
            summary = findings[0].message
        elif not findings:
            summary = f"{name} matches the real distribution ({score.metric} {score.score:.3f})"
        else:
            summary = findings[0].message
            if noise and findings[0].check == "bucket":
                # The shape score reads the bucket as one more category, as fresh data's unseen tail reads: "fresh
                # real data differs as much" stood under a headline calling the column distinguishable.
                assert gap is not None
                summary += (
                    f" (the {score.metric} is near fresh real data's, {gap.reference:.3f}, but fresh rows hold real "
                    "categories, not the placeholder)"
                )
            elif noise:
                assert gap is not None
                summary += f" (yet fresh real data differs as much: holdout {gap.reference:.3f})"
        out.append(ColumnDiagnosis(name, score.kind, score.metric, score.score, findings, real_gap, summary, noise))
    return tuple(out)


def diagnose_pairs(
    fidelity: FidelityResult, *, top: int = 5, real: pd.DataFrame | None = None
) -> tuple[PairDiagnosis, ...]:
    """The pairs whose relationship is kept worst, in words.

    Args:
        fidelity: a fidelity result.
        top: how many pairs.
        real: the real table scored (train): each message then says how many of its rows hold both values, and
            pairs too few rows hold together are left out (:mod:`synth.evaluation.fidelity.pair_support`; its
            :meth:`~synth.evaluation.fidelity.pair_support.RankedPairs.note` names them).

    Returns:
        One :class:`PairDiagnosis` per pair, worst first.
    """
    measure_names = {
        "Pearson": "Pearson r",
        "Spearman": "Spearman ρ",
        "CorrelationRatio": "correlation ratio η",
        "CramersV": "Cramér's V",
    }
    ranked = rank_pairs(fidelity, real) if real is not None else None
    out = []
    for p in (ranked.ranked if ranked is not None else fidelity.worst_pairs())[:top]:
        message = _pair_message(p, measure_names)
        fresh = fidelity.holdout_pair_score(p.column_a, p.column_b)
        if fresh is not None:
            message += f"; fresh real data scores {fresh:.3f}"
        rows = ranked.rows(p) if ranked is not None else None
        if ranked is not None:
            message += f"; {rows:,} of {ranked.n_rows:,} real rows hold both values"
        out.append(PairDiagnosis(p.column_a, p.column_b, p.score, message, SUGGESTIONS["association"], rows))
    return tuple(out)


def _pair_message(p: PairScore, names: dict[str, str]) -> str:
    measure = names.get(p.association, p.association)
    if abs(p.synthetic) < abs(p.real) - 0.05:
        verb = "weakens"
    elif abs(p.synthetic) > abs(p.real) + 0.05:
        verb = "strengthens"
    else:
        verb = "keeps the strength of, but not the shape of,"
    return (
        f"{p.column_a} × {p.column_b}: {measure} {p.real:.2f} in real vs {p.synthetic:.2f} in synthetic — the "
        f"synthetic table {verb} this relationship ({p.metric} {p.score:.3f})"
    )
