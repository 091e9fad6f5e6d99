"""Which columns of a synthetic table hold numbers finer than any real value of the column, read from the table itself.

The Sample page used to name every column whose model kept no decimals (a ``Synthesizer.unrounded_note``), whatever
the sample held: an HR table's salary_eur was named "to the nearest 100" while every synthetic salary was a multiple
of 100 (CART rounds such draws to cells of many real rows). Here each synthetic value's own places are counted
and compared with the places the real column was recorded at (``ColumnSpec.decimals``, the fewest at which every
real value is exact), so a column is named only when the table a user downloads shows it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth.schema import Schema
from synth.schema.conformance import read_numbers
from synth.schema.number_text import MAX_DECIMALS
from synth.schema.recorded_places import value_places

if TYPE_CHECKING:
    from synth.synthesizers.base import Synthesizer

__all__ = ["FinerColumn", "finer_columns", "finer_note"]


@dataclass(frozen=True)
class FinerColumn:
    """One column whose synthetic values have more decimals than its real ones: how many places the real values are
    recorded at (negative: a grain, -2 for hundreds), how many of the synthetic values are finer, and the most places
    one of them has (None: more than :data:`~synth.schema.number_text.MAX_DECIMALS`)."""

    column: str
    recorded: int
    finer: int
    present: int
    most_places: int | None

    @property
    def share(self) -> float:
        return self.finer / self.present if self.present else 0.0

    def to_dict(self) -> dict[str, object]:
        return {**dataclasses.asdict(self), "share": self.share}


def finer_columns(synthetic: pd.DataFrame, schema: Schema) -> tuple[FinerColumn, ...]:
    """The numeric columns of ``synthetic`` holding a value with more decimals than ``schema`` records for the real
    column (text numbers read in their layout, "$12.345" as 12.345), in the schema's order."""
    found = []
    for spec in schema:
        if spec.decimals is None or not spec.kind.is_numeric or spec.name not in synthetic.columns:
            continue
        numbers = read_numbers(synthetic[spec.name], spec).to_numpy(dtype=np.float64)
        numbers = numbers[np.isfinite(numbers)]
        if not len(numbers):
            continue
        places = value_places(numbers)
        finer = places > spec.decimals
        if finer.any():
            most: int | None = int(places.max())
            if most is not None and most > MAX_DECIMALS:
                most = None
            found.append(FinerColumn(spec.name, int(spec.decimals), int(finer.sum()), len(numbers), most))
    return tuple(found)


def _real(places: int) -> str:
    """How the real values of a column recorded at ``places`` are written, as the note says it."""
    if places < 0:
        return f"real values are multiples of {10**-places:,}"
    return f"real values have {places} decimal{'s' if places != 1 else ''}"


def finer_note(synthetic: pd.DataFrame, schema: Schema, model: Synthesizer | None = None) -> str | None:
    """One paragraph naming the columns of ``synthetic`` whose values are finer than any real value of the column,
    each with its share of such values and the real precision, and why in a user's words; None when there is none.

    ``model``: the synthesizer that drew the table. Where it kept no decimals for a column the real one records
    (CART's guard against rounding onto rare real values, ``Synthesizer._output_schema``), the note says so; any
    other finer column is said to be written unrounded."""
    columns = finer_columns(synthetic, schema)
    if not columns:
        return None
    label = getattr(model, "label", None) or "The model"
    written = getattr(model, "schema_", None)
    guarded = {
        c.column
        for c in columns
        if written is not None and c.column in written.names and written[c.column].decimals is None
    }
    named = "; ".join(f"{c.column} ({_share(c.share)} of values; {_real(c.recorded)})" for c in columns)
    note = f"{named}. These synthetic values are finer than any real value of their column."
    if guarded:
        note += (
            f" {label} keeps extra digits where rounding could recreate a rare real value: it draws such a number "
            "from a band around rare real values, and rounded to the real precision a draw could land exactly on one "
            "of them."
        )
    rest = [c.column for c in columns if c.column not in guarded]
    if rest:
        note += f" {label} writes {', '.join(rest)} without rounding {'it' if len(rest) == 1 else 'them'}."
    return note


def _share(share: float) -> str:
    """A share as the note writes it: "<1%" rather than "0%" for a few values."""
    return "<1%" if 0 < share < 0.005 else f"{share:.0%}"
