"""Demo mode for a room of stakeholders: anonymised column names and a "spot the synthetic row" game.

The game mixes real holdout rows with synthetic rows; viewers guess which are synthetic; their accuracy is set
beside chance (50%) and beside the detection classifier. The holdout rows are real people: the game is for a
table that may be shown in the room, and even then it shows no real identifier or personal data: those columns
of a real row hold values of synthetic rows the game does not show, a real category the synthetic table never
holds is shown as the bucket it was learned as, and every cell is written alike on both sides (dates to the real
values' resolution, numbers to their decimals, missing values blank), so nothing but the data itself tells
real from synthetic.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth.evaluation.results import to_jsonable
from synth.synthesizers.rare_categories import BUCKET_LABELS


def anonymous_names(columns: Sequence[str]) -> dict[str, str]:
    """Column → "Column A", "Column B", … ("Column AA" after Z), in table order."""
    letters = string.ascii_uppercase

    def code(i: int) -> str:
        out = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            out = letters[r] + out
        return out

    return {c: f"Column {code(i)}" for i, c in enumerate(columns)}


def anonymise_text(text: str, names: Mapping[str, str]) -> str:
    """``text`` with every column name standing alone (not inside a longer word or name) replaced by its
    anonymous name; longer names first, so ``age_group`` is not read as ``age``. A name that is also an
    ordinary word is replaced wherever the word stands alone: hiding too much is the safe side."""
    keys = sorted((c for c in names if c), key=len, reverse=True)
    if not keys:
        return text
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(c) for c in keys) + r")(?![\w])")
    return pattern.sub(lambda m: names[m.group(1)], text)


@dataclass(frozen=True, eq=False)
class Game:
    """A shuffled mix of real holdout and synthetic rows, and which is which.

    Attributes:
        rows: the rows to show, numbered 1..n in ``row`` (no hint of their source).
        is_synthetic: per shown row, whether it is synthetic.
        seed: the shuffle's seed.
        shown: ``rows`` as the room sees them: text, every column written alike for real and synthetic rows.
    """

    rows: pd.DataFrame
    is_synthetic: tuple[bool, ...]
    seed: int
    shown: pd.DataFrame = field(default_factory=pd.DataFrame)

    def score(self, guessed_synthetic: Iterable[int]) -> GameScore:
        """Score the room's guess: the set of row numbers (1-based) it thinks are synthetic."""
        guess = set(int(g) for g in guessed_synthetic)
        truth = np.array(self.is_synthetic)
        said = np.array([i + 1 in guess for i in range(len(truth))])
        correct = int((said == truth).sum())
        return GameScore(correct=correct, total=len(truth), accuracy=correct / len(truth) if len(truth) else 0.0)


@dataclass(frozen=True)
class GameScore:
    correct: int
    total: int
    accuracy: float

    def to_dict(self) -> dict[str, object]:
        return to_jsonable(self)


def spot_the_synthetic(
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    n: int = 10,
    seed: int = 0,
    generated: Sequence[str] = (),
) -> Game:
    """``n`` rows, half real holdout and half synthetic (the shared columns), shuffled with ``seed``.

    ``generated`` names the columns a synthesizer regenerates rather than learns (identifiers, personal data,
    free text): a real row shows there the values of a synthetic row that is not in the game, never its own.
    """
    rng = np.random.default_rng(seed)
    cols = [c for c in holdout.columns if c in synthetic.columns]
    n_syn = n // 2
    n_real = n - n_syn
    real = holdout[cols].iloc[rng.choice(len(holdout), size=min(n_real, len(holdout)), replace=False)]
    picked = rng.permutation(len(synthetic))
    syn = synthetic[cols].iloc[picked[: min(n_syn, len(synthetic))]]
    hidden = [c for c in generated if c in cols]
    syn = syn.astype(object)
    if len(picked) - len(syn) < len(real):  # too few synthetic rows to lend values: hidden on both sides
        syn[hidden] = "•••"
    real = _disguise(real.astype(object), synthetic[cols], picked[len(syn) :], hidden)
    mixed = pd.concat([real, syn], ignore_index=True)
    flags = np.array([False] * len(real) + [True] * len(syn))
    order = rng.permutation(len(mixed))
    rows = mixed.iloc[order].reset_index(drop=True)
    rows.insert(0, "row", np.arange(1, len(rows) + 1))
    shown = pd.DataFrame({c: _written(rows[c], holdout[c]) for c in cols})
    shown.insert(0, "row", rows["row"].astype(str))
    return Game(rows=rows, is_synthetic=tuple(bool(x) for x in flags[order]), seed=seed, shown=shown)


def _disguise(real: pd.DataFrame, synthetic: pd.DataFrame, unshown: np.ndarray, generated: list[str]) -> pd.DataFrame:
    """Real rows with no real identifier or personal data, and no category the synthetic rows cannot hold."""
    out = real.copy()
    if generated:
        if len(unshown) >= len(real):
            donors = synthetic.iloc[unshown[: len(real)]]
            for c in generated:
                out[c] = donors[c].astype(object).to_numpy()
        else:  # too few synthetic rows to lend values: hidden (the synthetic rows' too, by the caller)
            for c in generated:
                out[c] = "•••"
    for c in real.columns:
        if c in generated or pd.api.types.is_numeric_dtype(synthetic[c].dtype):
            continue
        held = set(synthetic[c].dropna().astype(str))
        bucket = next((b for b in BUCKET_LABELS if b in held), None)
        if bucket is not None:  # a rare real category, learned as the bucket: shown as the synthetic rows show it
            out[c] = [v if pd.isna(v) or str(v) in held else bucket for v in out[c]]
    return out


def _decimals(values: pd.Series) -> int:
    """The fewest decimals (up to 6) that write every real value exactly."""
    numbers = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    for d in range(7):
        if np.allclose(np.round(numbers, d), numbers, rtol=0, atol=1e-9):
            return d
    return 6


def _written(column: pd.Series, real: pd.Series) -> list[str]:
    """A game column as text, written the way the real column's values are: dates to their resolution,
    numbers to their decimals (no thousands separators: years read 1994), missing values blank."""
    if pd.api.types.is_datetime64_any_dtype(real.dtype) or any(isinstance(v, pd.Timestamp) for v in column):
        dates = pd.to_datetime(pd.Series(column.to_numpy()), errors="coerce")
        present = pd.to_datetime(real.dropna(), errors="coerce").dropna()
        if (present == present.dt.normalize()).all():
            layout = "%Y-%m-%d"
        elif (present.dt.second == 0).all():
            layout = "%Y-%m-%d %H:%M"
        else:
            layout = "%Y-%m-%d %H:%M:%S"
        return ["" if pd.isna(d) else d.strftime(layout) for d in dates]
    if pd.api.types.is_numeric_dtype(real.dtype) and not pd.api.types.is_bool_dtype(real.dtype):
        d = _decimals(real)
        numbers = pd.to_numeric(pd.Series(column.to_numpy()), errors="coerce")
        return ["" if pd.isna(v) else f"{v:.{d}f}" for v in numbers]
    return ["" if _missing(v) else str(v) for v in column]


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False
