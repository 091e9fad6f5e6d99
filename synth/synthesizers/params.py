"""A synthesizer's declared parameters: what each one accepts (checked before a fit and when a model file is
loaded) and what a widget needs to draw it, plus the rare-category parameter every model without a formal
guarantee gets. Split from :mod:`synth.synthesizers.base`; the names stay importable from there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from synth.synthesizers.errors import SynthesizerError
from synth.synthesizers.rare_categories import DEFAULT_MIN_ROWS


@dataclass(frozen=True)
class Param:
    """One tunable parameter: enough to validate it and to draw a widget for it."""

    name: str
    kind: Literal["int", "float", "choice", "bool"]
    default: Any
    help: str
    label: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = ()
    #: A choice that may instead name columns of the table ('fraud', 'a,b' or a list): which columns exist is
    #: only known at fit, where the synthesizer checks the names.
    names_columns: bool = False

    def check(self, value: Any) -> None:
        """Raise :class:`SynthesizerError` unless ``value`` is valid for this parameter."""
        if self.kind == "bool":
            if not isinstance(value, bool | np.bool_):
                raise SynthesizerError(f"{self.name} must be true or false, got {value!r}")
            return
        if self.kind == "choice":
            if self.names_columns and not (isinstance(value, str) and value in self.choices):
                if not column_names(value):
                    raise SynthesizerError(
                        f"{self.name} must be one of {list(self.choices)} or name columns (e.g. 'a' or 'a,b'), "
                        f"got {value!r}"
                    )
                return
            if value not in self.choices:
                raise SynthesizerError(f"{self.name} must be one of {list(self.choices)}, got {value!r}")
            return
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise SynthesizerError(f"{self.name} must be a number, got {value!r}")
        if not math.isfinite(float(value)):
            raise SynthesizerError(f"{self.name} must be a finite number, got {value!r}")
        if self.kind == "int" and float(value) != int(value):
            raise SynthesizerError(f"{self.name} must be a whole number, got {value!r}")
        if self.low is not None and value < self.low:
            raise SynthesizerError(f"{self.name} must be at least {self.low}, got {value!r}")
        if self.high is not None and value > self.high:
            raise SynthesizerError(f"{self.name} must be at most {self.high}, got {value!r}")


def column_names(value: object) -> tuple[str, ...]:
    """Column names from a value naming columns ('fraud', 'relationship,income' or a list); () if it names none."""
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return ()
    if not items or not all(isinstance(v, str) and v.strip() for v in items):
        return ()
    return tuple(dict.fromkeys(str(v).strip() for v in items))


#: Added to the parameters of every synthesizer without a formal guarantee (see
#: :mod:`synth.synthesizers.rare_categories`); a DP synthesizer picks its categories under its guarantee.
MIN_CATEGORY_ROWS = Param(
    "min_category_rows",
    "int",
    DEFAULT_MIN_ROWS,
    "Categories held by fewer training rows than this are never emitted as they are: they are learned as one "
    "bucket, '(other)', so no rare real value reaches the synthetic table or the model file. 1 keeps every "
    "category as it is.",
    label="Hide categories rarer than",
    low=1,
    high=1_000_000,
)
