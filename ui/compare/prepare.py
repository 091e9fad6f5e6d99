"""What the Columns section of Compare draws first, built once per run and kept on its evaluation context: the
diagnosis of the worst columns, the score bars and the worst columns' distribution charts.

The Sample page's background lane (:func:`ui.cached.prefetch_compare`) builds them right after the column scores,
so the first visit to the section only draws; the page builds them itself (the same names, through
:func:`ui.figures.once`) when it gets there first. Nothing here makes a Streamlit call: it runs in that lane.
"""

from __future__ import annotations

import plotly.graph_objects as go

from synth import plots
from synth.evaluation.context import EvaluationContext
from synth.evaluation.date_parts import DatePart, part_distribution
from synth.evaluation.fidelity.accuracy import AccuracyResult, MarginalScore
from synth.evaluation.fidelity.diagnosis import ColumnDiagnosis, diagnose
from synth.evaluation.fidelity.distributions import ColumnDistribution
from synth.evaluation.fidelity.results import ColumnScore
from synth.evaluation.fidelity.scores import FidelityResult
from ui import figures

# Distribution charts drawn at first: a plotly chart costs the browser about a tenth of a second to draw, most of
# a cached page render once the scores are cached; the slider shows more (every column is scored regardless).
DEFAULT_SHOWN = 2


def diagnoses(context: EvaluationContext, result: FidelityResult) -> tuple[ColumnDiagnosis, ...]:
    """Why the worst columns differ, in words (five at most)."""
    return context.extension(
        "compare:diagnosis",
        lambda c: tuple(diagnose(c.train, c.synthetic, schema=c.schema, fidelity=result, top=5)),
    )


def reference_scores(result: FidelityResult) -> dict[str, float]:
    return {c.column: c.score for c in result.reference.columns} if result.reference else {}


def score_bars(context: EvaluationContext, result: FidelityResult) -> go.Figure:
    """Every column's score, worst first, with the holdout's as ticks."""
    worst, ref = result.worst_columns(), reference_scores(result)
    return figures.once(
        context,
        "score_bars",
        lambda: plots.score_bars(
            [c.column for c in worst],
            [c.score for c in worst],
            [ref.get(c.column, float("nan")) for c in worst] if result.reference else None,
            intervals=[c.interval for c in worst],
        ),
    )


def distribution(
    context: EvaluationContext, result: FidelityResult, dists: dict[str, ColumnDistribution], score: ColumnScore
) -> go.Figure:
    """One column's distribution, real beside synthetic, titled with its score and the holdout's."""
    return figures.once(
        context,
        f"distribution:{score.column}",
        lambda: plots.distribution_figure(
            dists[score.column],
            score=score.score,
            metric=score.metric,
            reference=reference_scores(result).get(score.column),
        ),
    )


def columns_section(context: EvaluationContext, result: FidelityResult, dists: tuple[ColumnDistribution, ...]) -> bool:
    """Build the section's diagnosis and first figures ahead of the page (True once done)."""
    diagnoses(context, result)
    score_bars(context, result)
    by_column = {d.column: d for d in dists}
    for score in result.worst_columns()[:DEFAULT_SHOWN]:
        if score.column in by_column:
            distribution(context, result, by_column, score)
    return True


def part_charts(context: EvaluationContext, accuracy: AccuracyResult) -> list[go.Figure]:
    """A chart per time of day or weekday with a pattern in the real rows (:attr:`EvaluationContext.date_parts`),
    titled with its accuracy and the holdout's: a timestamp's own chart spans weeks per bar and hides them."""
    scores = {m.columns[0]: m for m in accuracy.columns}
    out = []
    for part in context.date_parts:
        score = scores.get(part.name)

        def build(part: DatePart = part, score: MarginalScore | None = score) -> go.Figure:
            dist = part_distribution(part, [context.coerced(r)[part.column] for r in context.roles])
            return plots.distribution_figure(
                dist,
                score=None if score is None else score.accuracy,
                metric="accuracy",
                reference=None if score is None else score.reference,
            )

        out.append(figures.once(context, f"part:{part.name}", build))
    return out
