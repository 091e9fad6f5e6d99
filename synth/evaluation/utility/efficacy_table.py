"""The ML efficacy table as text, one row per (model, metric): what the Compare page and the HTML report print.

Both used to format it themselves, with a hyphen-minus and a negative zero ("-0.011 to -0.000"); the cells are
now written once, by :func:`synth.evaluation.results.number` and :meth:`Interval.format`.
"""

from __future__ import annotations

from synth.evaluation.results import number
from synth.evaluation.utility.tstr import UtilityResult

#: The table's columns, in order.
EFFICACY_COLUMNS = ("model", "metric", "TRTR", "TSTR", "TSTR − TRTR", "95% interval of the gap", "trivial model")

#: The columns that hold numbers (the page aligns them right, as numbers).
NUMBER_COLUMNS = EFFICACY_COLUMNS[2:]


def efficacy_rows(result: UtilityResult) -> list[dict[str, str]]:
    """One row of text per score: the scores with three decimals and the difference with its sign ("+0.004",
    "−0.011"); true minus signs throughout, and a value that rounds to zero is never "−0.000"."""
    return [
        dict(
            zip(
                EFFICACY_COLUMNS,
                (
                    s.model,
                    s.metric,
                    number(s.trtr),
                    number(s.tstr),
                    number(s.difference, signed=True),
                    s.difference_interval.format() if s.difference_interval is not None else "—",
                    number(s.baseline),
                ),
                strict=True,
            )
        )
        for s in result.scores
    ]
