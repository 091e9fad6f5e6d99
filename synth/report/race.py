"""Race synthesizers: fit several synthesizers and settings on the same train split, sample each, score each.

One run failing (a bad parameter, a fit error, an evaluation error) records its error in its row and the race
goes on. The leaderboard leads with the Compare page's honest headline: 1-, 2- and 3-way marginal accuracy with
their intervals (the same-size real holdout is the ceiling: what fresh real data gets) and the discriminator AUC
(with its real-vs-real reference); then sdmetrics-style quality with its interval (kept for comparison with
published numbers, never used to rank), pair trends, detection AUC, TSTR vs TRTR, closeness, membership attack,
the three attack risks, rare values copied, fit and sample seconds and peak memory.

The Pareto front of fidelity and privacy risk and the recommended pick are :mod:`synth.report.race_pick`'s.
All real-only work (the TRTR models, the real-vs-real references, the holdout's neighbours in train) is computed
once per race: every run's evaluation context shares one :class:`~synth.evaluation.reference.RealReference`.

Peak memory is the growth of the process's resident memory during fit and sample, sampled every 20 ms
(:mod:`synth.report.memory`; not :mod:`tracemalloc`, whose start and stop crashed the process beside other
threads); what another thread allocates at the same time is counted too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pandas as pd

from synth.evaluation.context import EvaluationContext
from synth.evaluation.reference import RealReference
from synth.evaluation.results import to_jsonable
from synth.progress import Cancelled, ProgressCallback, ensure, scaled
from synth.report.evaluation import EvaluationSettings, TableEvaluation, evaluate_context
from synth.report.memory import peak_memory
from synth.report.race_pick import FIDELITY_AXIS, pareto_front, recommend
from synth.report.race_time import FIT_SHARE
from synth.schema import Schema, infer_schema
from synth.synthesizers import create
from synth.synthesizers.base import Synthesizer
from synth.synthesizers.people import FIND_PERSON, PersonColumn
from synth.synthesizers.registry import available, get, is_peer

Status = Literal["ok", "failed"]
#: The parameter naming the domains a user declares public (the DP network's).
PUBLIC_DOMAINS = "public_domains"
#: The parameter naming the orders a user declares (``(lower, higher)`` column pairs; the DP network's).
DECLARED_ORDERS = "declared_orders"


class RaceError(ValueError):
    """The race cannot start: no contender, or a train/holdout that cannot be scored."""


@dataclass(frozen=True)
class Contender:
    """One entry of the race: a registered synthesizer with its parameters.

    Attributes:
        name: registry name (``cart``, ``privbayes``, ...).
        params: parameters other than ``random_state``.
        label: the name shown in the leaderboard (``"<Label> k=v"`` when empty).
        random_state: the fit's seed.
    """

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""
    random_state: int = 0

    @property
    def display(self) -> str:
        if self.label:
            return self.label
        try:
            base = get(self.name).label
        except KeyError:
            base = self.name
        args = ", ".join(f"{k}={v}" for k, v in self.params.items() if k not in (PUBLIC_DOMAINS, DECLARED_ORDERS))
        declared = self.params.get(PUBLIC_DOMAINS)
        if declared:  # named or counted, never printed: a codebook's label lists would run past the board and chart
            named = ", ".join(map(str, declared)) if len(declared) <= 3 else f"{len(declared)} columns"
            args += f"{'; ' if args else ''}public domains of {named}"
        orders = self.params.get(DECLARED_ORDERS)
        if orders:  # two written out, more counted: the label stays short enough for the board and the chart
            said = ", ".join(" ≤ ".join(map(str, pair)) for pair in orders) if len(orders) <= 2 else f"{len(orders)}"
            args += f"{'; ' if args else ''}orders {said}"
        return f"{base} ({args})" if args else base

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(
            {"name": self.name, "params": dict(self.params), "label": self.display, "random_state": self.random_state}
        )


def takes_public_domains(name: str) -> bool:
    """Whether the registered synthesizer ``name`` takes declared public domains (the DP network)."""
    return bool(getattr(get(name), "declares_domains", False))


def with_public_domains(contenders: Sequence[Contender], texts: Mapping[str, str]) -> list[Contender]:
    """Every contender whose synthesizer takes public domains (:func:`takes_public_domains`) with ``texts``, a
    column's public domain as a user types it ("0–10", "F, M, (missing)"), as its ``public_domains``; the others
    unchanged, so a declaration never reaches a synthesizer that does not take one. Empty texts declare nothing.

    The texts are parsed when each run starts (:func:`parsed_public_domains`), inside its own error handling: text
    that is not a range fails the runs that took it, in their rows, and the others run.
    """
    declared = {column: text for column, text in texts.items() if str(text).strip()}
    return _declared(contenders, PUBLIC_DOMAINS, declared, takes_public_domains)


def takes_declared_orders(name: str) -> bool:
    """Whether the registered synthesizer ``name`` takes declared orders (the DP network)."""
    return bool(getattr(get(name), "declares_orders", False))


def with_declared_orders(contenders: Sequence[Contender], orders: Sequence[Sequence[str]]) -> list[Contender]:
    """Every contender whose synthesizer takes declared orders (:func:`takes_declared_orders`) with ``orders``,
    ``(lower, higher)`` column pairs such as ``("signup", "last_order")``, as its ``declared_orders``; the others
    unchanged. No orders declares nothing.

    The pairs are checked against the schema by each DP run's fit, inside its own error handling: a pair that
    names a column the table lacks, or joins a date with a number, fails the runs that took it, in their rows.
    """
    declared = [tuple(str(column) for column in pair) for pair in orders]  # a malformed pair fails its runs' fits
    return _declared(contenders, DECLARED_ORDERS, declared, takes_declared_orders)


def _declared(
    contenders: Sequence[Contender], param: str, declared: Any, takes: Callable[[str], bool]
) -> list[Contender]:
    """``contenders`` with ``declared`` as their ``param`` where ``takes(name)``; all unchanged when it is empty."""
    if not declared:
        return list(contenders)
    return [replace(c, params={**c.params, param: declared}) if takes(c.name) else c for c in contenders]


def parsed_public_domains(contender: Contender, train: pd.DataFrame, schema: Schema) -> Contender:
    """``contender`` with the public domains it holds as text parsed as the Synthesize page parses them
    (:func:`~synth.synthesizers.dp.declared_text.parse_public_domains`; a label typed as the training column
    holds it, a number for a numeric column); domains already given as values are kept, a contender without text
    is returned as it is.

    Raises:
        PublicDomainError: text that is not a range or a label list, naming the column and what to write.
    """
    declared = contender.params.get(PUBLIC_DOMAINS)
    if not isinstance(declared, Mapping) or not any(isinstance(v, str) for v in declared.values()):
        return contender
    from synth.synthesizers.dp.declared_text import parse_public_domains

    texts = {column: v for column, v in declared.items() if isinstance(v, str)}
    parsed = parse_public_domains(texts, schema, {str(c): t for c, t in train.dtypes.items()})
    # In the order declared; an empty text declares nothing (the parse leaves it out).
    domains = {c: parsed[c] if c in texts else v for c, v in declared.items() if c not in texts or c in parsed}
    params = {k: v for k, v in contender.params.items() if k != PUBLIC_DOMAINS}
    return replace(contender, params={**params, **({PUBLIC_DOMAINS: domains} if domains else {})})


def default_contenders() -> list[Contender]:
    """Every offered synthesizer with its default settings; peer synthesizers (other libraries, minutes per fit
    at their defaults) only when named."""
    return [Contender(name) for name in available() if not is_peer(name)]


def sweep(name: str, param: str, values: Sequence[Any], **fixed: Any) -> list[Contender]:
    """Several settings of one synthesizer, e.g. ``sweep("cart", "min_samples_leaf", [5, 40, 200])``."""
    return [Contender(name, {**fixed, param: v}) for v in values]


@dataclass(frozen=True, eq=False)
class RunResult:
    """One contender's fit, sample and scores (or its error).

    Attributes:
        contender: what was raced.
        label: its unique name in this race.
        status: ``ok`` or ``failed``.
        error: why it failed (fit or sample), empty when it did not.
        fit_seconds / sample_seconds: wall-clock times.
        peak_mb: peak growth of resident memory during fit and sample (``None`` where it cannot be read).
        n_rows: synthetic rows sampled.
        sample_seed: the seed of the sample.
        evaluation: the scores (``None`` when the run failed before scoring).
        synthetic: the synthetic table (not serialised).
        model: the fitted synthesizer (not serialised).
    """

    contender: Contender
    label: str
    status: Status
    error: str = ""
    fit_seconds: float | None = None
    sample_seconds: float | None = None
    peak_mb: float | None = None
    n_rows: int = 0
    sample_seed: int = 1
    evaluation: TableEvaluation | None = None
    synthetic: pd.DataFrame | None = field(default=None, repr=False)
    model: Synthesizer | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def fit_warnings(self) -> tuple[str, ...]:
        """What the fit said a user should know before trusting its samples (a column learned mostly as the
        rare-category bucket, a DP domain lost to the noise); empty without a model (an uploaded table)."""
        return () if self.model is None else tuple(self.model.fit_warnings())

    def row(self) -> dict[str, Any]:
        """The leaderboard row: label, status, headline scores, timings."""
        scores = self.evaluation.headline() if self.evaluation is not None else {}
        return to_jsonable(
            {
                "label": self.label,
                "synthesizer": self.contender.name,
                "status": self.status,
                "error": self.error,
                **scores,
                "fit_seconds": self.fit_seconds,
                "sample_seconds": self.sample_seconds,
                "peak_mb": self.peak_mb,
                "fit_warnings": " ".join(self.fit_warnings),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "contender": self.contender.to_dict(),
            "status": self.status,
            "error": self.error,
            "fit_seconds": to_jsonable(self.fit_seconds),
            "sample_seconds": to_jsonable(self.sample_seconds),
            "peak_mb": to_jsonable(self.peak_mb),
            "n_rows": self.n_rows,
            "sample_seed": self.sample_seed,
            "fit_warnings": list(self.fit_warnings),
            "evaluation": None if self.evaluation is None else self.evaluation.to_dict(),
        }


@dataclass(frozen=True, eq=False)
class RaceResult:
    """The leaderboard, its Pareto front and the recommended pick.

    Attributes:
        runs: one per contender, in race order.
        pareto: labels of the runs on the privacy-vs-fidelity front.
        recommended: label of the recommended run (empty when no run succeeded).
        reason: the recommendation in one sentence.
        settings: how each table was scored.
        reference: the real-only results every run shared (not serialised).
    """

    runs: tuple[RunResult, ...]
    pareto: tuple[str, ...]
    recommended: str
    reason: str
    settings: EvaluationSettings
    reference: RealReference | None = field(default=None, repr=False)

    @property
    def ceilings(self) -> dict[str, float | None]:
        """The holdout's 1-, 2- and 3-way accuracy: what fresh real data gets (shown once, above the board)."""
        for r in self.runs:
            ev = r.evaluation
            if ev is not None and ev.accuracy is not None:
                orders = ((1, "univariate"), (2, "bivariate"), (3, "trivariate"))
                return {name: getattr(ev.accuracy_order(k), "reference", None) for k, name in orders}
        return {"univariate": None, "bivariate": None, "trivariate": None}

    def run(self, label: str) -> RunResult:
        for r in self.runs:
            if r.label == label:
                return r
        raise KeyError(label)

    def leaderboard(self) -> pd.DataFrame:
        """One row per run (JSON-ready values), failed runs with their error."""
        rows = [
            {**r.row(), "pareto": r.label in self.pareto, "recommended": r.label == self.recommended} for r in self.runs
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": [r.to_dict() for r in self.runs],
            "leaderboard": [r.row() for r in self.runs],
            "pareto": list(self.pareto),
            "recommended": self.recommended,
            "reason": self.reason,
            "ceilings": to_jsonable(self.ceilings),
            "fidelity_axis": FIDELITY_AXIS,
            "settings": self.settings.to_dict(),
        }


def unique_labels(contenders: Sequence[Contender]) -> list[str]:
    seen: dict[str, int] = {}
    labels = []
    for c in contenders:
        base = c.display
        seen[base] = seen.get(base, 0) + 1
        labels.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return labels


def _fit_and_sample(
    contender: Contender,
    train: pd.DataFrame,
    schema: Schema,
    n_rows: int,
    seed: int,
    progress: ProgressCallback,
    person_column: PersonColumn = FIND_PERSON,
) -> tuple[Synthesizer, pd.DataFrame, float, float, float | None]:
    """Fit and sample one contender, timing each and measuring peak memory across both.

    Not with :mod:`tracemalloc`: starting and stopping it beside other threads crashed the process on CPython
    3.11 (see :mod:`synth.report.memory`).
    """
    with peak_memory() as peak:
        model = create(contender.name, random_state=contender.random_state, **dict(contender.params))
        t0 = time.perf_counter()
        model.fit(train, schema, progress=scaled(progress, 0.0, 0.8), person_column=person_column)
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        syn = model.sample(n_rows, seed=seed, progress=scaled(progress, 0.8, 1.0))
        sample_s = time.perf_counter() - t0
    peak_mb = peak.mb
    return model, syn, fit_s, sample_s, peak_mb


def race(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    contenders: Sequence[Contender] | None = None,
    *,
    schema: Schema | None = None,
    n_rows: int | None = None,
    sample_seed: int = 1,
    settings: EvaluationSettings | None = None,
    progress: ProgressCallback | None = None,
    run_progress: Callable[[int, str], ProgressCallback] | None = None,
    on_result: Callable[[RunResult], None] | None = None,
    reference: RealReference | None = None,
    person_column: PersonColumn = FIND_PERSON,
) -> RaceResult:
    """Fit, sample and score every contender on the same split.

    Args:
        train: the real training table (every contender fits on it).
        holdout: real rows no contender sees; the reference of every score.
        contenders: what to race; every registered synthesizer with defaults when omitted.
        schema: column kinds (inferred from ``train`` when omitted).
        n_rows: synthetic rows per run (``len(train)`` when omitted).
        sample_seed: the seed of every sample.
        settings: how each table is scored.
        progress: the whole race, called with (fraction, message).
        run_progress: ``(run index, label) → callback`` for one run's own progress bar.
        on_result: called with each :class:`RunResult` as soon as it is ready (a UI shows partial results).
        reference: real-only results to share with other races on the same tables (e.g. reproducing a
            manifest run by run); used when it holds these very tables, schema and seed, else a new one is made.
        person_column: the column naming whose row each row is, as the split took it (the Data page's choice):
            every fit holds its people (``Synthesizer.fit``'s argument; None holds none) and every score's privacy
            checks attack them. Left out, each fit finds the column itself and so do the scores.

    Returns:
        A :class:`RaceResult`. A :class:`synth.Cancelled` raised by a progress callback stops the race.

    Raises:
        RaceError: no contender, or too few rows to fit and score.
    """
    contenders = list(default_contenders() if contenders is None else contenders)
    if not contenders:
        raise RaceError("Nothing to race: choose at least one synthesizer.")
    if len(train) < 2 or len(holdout) < 100:
        raise RaceError(
            f"A race needs at least 2 training rows and 100 holdout rows (got {len(train)} and {len(holdout)}): "
            "load a larger table or enlarge the holdout."
        )
    settings = settings or EvaluationSettings()
    schema = schema or infer_schema(train)
    n_rows = int(n_rows or len(train))
    # What depends on the real tables alone is computed once and shared by every run's evaluation.
    if reference is None or not reference.covers(train, holdout, schema) or reference.seed != settings.seed:
        reference = RealReference(train, holdout, schema, seed=settings.seed)
    overall = ensure(progress)
    runs: list[RunResult] = []
    labels = unique_labels(contenders)
    for i, (contender, label) in enumerate(zip(contenders, labels, strict=True)):
        start, stop = i / len(contenders), (i + 1) / len(contenders)
        own = run_progress(i, label) if run_progress is not None else None

        def report(
            fraction: float, message: str, /, _own: Any = own, _a: float = start, _b: float = stop, _name: str = label
        ) -> None:
            if _own is not None:
                _own(fraction, message)
            overall(_a + (_b - _a) * fraction, f"{_name}: {message}")

        result = _run_one(contender, label, reference, n_rows, sample_seed, settings, report, person_column)
        runs.append(result)
        if on_result is not None:
            on_result(result)
    overall(1.0, "race finished")
    return finish(runs, settings, reference=reference)


def finish(
    runs: Sequence[RunResult], settings: EvaluationSettings, *, reference: RealReference | None = None
) -> RaceResult:
    """The front and the pick for a set of runs (also used to add an external table's row to a race)."""
    points = {}
    for r in runs:
        ev = r.evaluation
        if r.ok and ev is not None and ev.honest_fidelity is not None and ev.privacy_risk is not None:
            points[r.label] = (ev.honest_fidelity, ev.privacy_risk)
    front = pareto_front(points)
    pick, reason = recommend(runs, front)
    return RaceResult(tuple(runs), tuple(front), pick, reason, settings, reference)


def _run_one(
    contender: Contender,
    label: str,
    reference: RealReference,
    n_rows: int,
    sample_seed: int,
    settings: EvaluationSettings,
    report: ProgressCallback,
    person_column: PersonColumn = FIND_PERSON,
) -> RunResult:
    train, schema = reference.train, reference.schema
    try:
        # Parsed here, not before the race: a declaration that is not one fails this run in its row, not the race.
        contender = parsed_public_domains(contender, train, schema)
        model, syn, fit_s, sample_s, peak = _fit_and_sample(
            contender, train, schema, n_rows, sample_seed, scaled(report, 0.0, FIT_SHARE), person_column
        )
    except Cancelled:
        raise
    except Exception as exc:  # one failing run is reported in its row and the race goes on
        report(1.0, "failed")
        return RunResult(contender, label, "failed", error=f"{type(exc).__name__}: {exc}", sample_seed=sample_seed)
    try:
        # The scores take the person the fit was told (the Data page's choice: None, each row its own person).
        context = EvaluationContext(
            train, syn, reference.holdout, schema, seed=settings.seed, reference=reference, person_column=person_column
        )
    except Cancelled:
        raise
    except Exception as exc:  # e.g. a sample that lacks columns: its row says so and the race goes on
        report(1.0, "failed")
        return RunResult(contender, label, "failed", error=f"{type(exc).__name__}: {exc}", sample_seed=sample_seed)
    evaluation = evaluate_context(
        context, settings=settings, progress=scaled(report, FIT_SHARE, 1.0), model=contender.name
    )
    return RunResult(
        contender,
        label,
        "ok",
        fit_seconds=fit_s,
        sample_seconds=sample_s,
        peak_mb=peak,
        n_rows=n_rows,
        sample_seed=sample_seed,
        evaluation=evaluation,
        synthetic=syn,
        model=model,
    )
