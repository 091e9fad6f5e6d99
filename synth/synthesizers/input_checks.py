"""Numbers every synthesizer can learn: the shared rule for values at the limits of floating point.

A number column read from a file may hold ``inf`` / ``-inf`` (CSV's ``inf``, ``1e999``) or values so large
that their range is no longer a number (``-1e308`` to ``1e308``) or that CART's 32-bit trees cannot hold (over
3.4e38). No synthesizer learns either: CART's trees stopped with scikit-learn's "Input X contains infinity" (an
internal error), the Gaussian copula dropped the infinite values without a word and saved, from ±1e308, a model
it then refused to load. The rule, for every synthesizer, at fit (:meth:`synth.synthesizers.base.Synthesizer.fit`):
such a column is refused with a :class:`~synth.synthesizers.errors.SynthesizerError` naming it, its rows and what
to do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.io.frame_checks import row_numbers as _rows
from synth.schema import ColumnKind, Schema
from synth.synthesizers.errors import SynthesizerError

#: The largest magnitude every synthesizer learns: CART's trees (scikit-learn) compute in 32-bit floats, whose
#: largest value is 3.4e38, and a range from -1e38 to 1e38 still has a width they hold. Beyond it (up to
#: 1.8e308) the width of a column's range, or a tree's split, overflows.
MAX_MAGNITUDE = 1e38

#: Numeric identifiers are regenerated as 64-bit whole numbers from above the largest real key (rounded to two
#: significant digits; the power of ten above it before session 22, when these limits were set), and keys pointing
#: outside their table from ten times that: from keys of 1e18 on, past the largest such number (9.2e18).
MAX_KEY = 1e18
#: The same for keys stored as floats (a column with missing keys): from 1e15 on, new keys (pointing outside: ten
#: times their start) would pass 2**53, past which a float no longer tells consecutive whole numbers apart.
MAX_FLOAT_KEY = 1e15


def check_finite_numbers(data: pd.DataFrame, schema: Schema) -> None:
    """Refuse a number column holding infinite values, or values beyond ±:data:`MAX_MAGNITUDE` (whose range,
    largest − smallest, can overflow); and a numeric identifier holding infinite values or keys from
    :data:`MAX_KEY` on (new keys would not fit 64-bit whole numbers).

    Rows are numbered from 1 in the order of ``data`` (a file's data rows under its header)."""
    for spec in schema:
        key = spec.kind is ColumnKind.IDENTIFIER
        if not (spec.kind.is_numeric or key) or spec.name not in data.columns:
            continue
        column = data[spec.name]
        if not pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            continue
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        infinite = np.flatnonzero(np.isinf(values))
        if len(infinite):
            raise SynthesizerError(
                f"column {spec.name!r} holds {len(infinite)} infinite value(s) (inf or -inf) in row(s) "
                f"{_rows(infinite)} (data rows counted from 1): a synthesizer learns finite numbers only. Replace "
                "them with a number, or leave those cells empty to have them treated as missing."
            )
        if key:
            floats = pd.api.types.is_float_dtype(column.dtype)
            limit, holder = (
                (MAX_FLOAT_KEY, "64-bit decimals hold exactly") if floats else (MAX_KEY, "64-bit whole numbers hold")
            )
            beyond = np.flatnonzero(np.abs(values) >= limit)
            if len(beyond):
                raise SynthesizerError(
                    f"column {spec.name!r} is an identifier whose numbers reach {limit:.0e} (row(s) "
                    f"{_rows(beyond)}, data rows counted from 1): new keys start above "
                    f"the largest, beyond what {holder}. Store the keys as text (e.g. with a letter prefix) or "
                    "remove the column."
                )
            continue
        beyond = np.flatnonzero(np.abs(values) > MAX_MAGNITUDE)
        if len(beyond):
            worst = values[beyond[np.argmax(np.abs(values[beyond]))]]
            raise SynthesizerError(
                f"column {spec.name!r} holds {len(beyond)} value(s) beyond ±{MAX_MAGNITUDE:.0e} (e.g. {worst:.6g}) "
                f"in row(s) {_rows(beyond)} (data rows counted from 1): numbers that large overflow a synthesizer's "
                "arithmetic (their range, or the 32-bit floats of CART's trees), so none can learn them. Rescale "
                "the column (e.g. store it in other units) or remove the extreme values."
            )
