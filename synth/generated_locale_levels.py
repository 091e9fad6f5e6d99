"""Names and addresses follow the row's country: a UK customer gets a British name, a German one a German street.

Each generated name or address drew its locale by the column's shares alone (:mod:`synth.generated_locales`), so a
customer table whose real names are British, German and French by its ``country`` column paired "UK" with
"Heinz-Dieter Zimmer, Drago-Jopich-Platz 17, 61327 Bremen" on 60% of rows. At fit, the locale measured for each
sampled row (:func:`synth.generated_locales.measured_locales`) is set beside every categorical or boolean modelled
column; the column whose levels best predict it is kept when :data:`MIN_AGREEMENT` of the rows hold their level's
most common locale (and :data:`MIN_GAIN` more than hold the column's most common one). The model file keeps that
column's name and, per level of at least :data:`~synth.generated_locales.MIN_LOCALE_ROWS` measured rows, the shares
of the locales that many of its rows hold, rounded to 1%: aggregates of 20 rows or more, and level labels the file
holds anyway (the fit reads the table after rare categories became "(other)", so a level is a category label of the
model's own domain). At sample time each row draws its locale from its level's shares; a row whose level is
missing or not kept draws from the column's.

Never for the DP network: its per-level shares would be an aggregate of the rows released without noise (see the
README's "Differential privacy: what the DP Bayesian network covers").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synth.generated_locales import LOCALE_TYPES, MIN_LOCALE_ROWS, SHARE_STEP
from synth.schema import ColumnKind, Schema

#: A column is followed only when at least this share of measured rows hold their level's most common locale.
MIN_AGREEMENT = 0.9
#: ... and at least this much more than hold the column's most common locale (else the levels add nothing).
MIN_GAIN = 0.05


def _level_shares(levels: pd.Series, which: pd.Series, codes: list[str]) -> dict[Any, dict[str, float]]:
    """Per level of at least :data:`MIN_LOCALE_ROWS` rows, the shares of the locales at least that many of its rows
    hold, rounded to :data:`SHARE_STEP` (missing levels left out)."""
    out: dict[Any, dict[str, float]] = {}
    table = pd.crosstab(levels, which)
    columns = [codes[int(j)] for j in np.asarray(table.columns, dtype=int)]
    for level, counts in table.iterrows():
        if counts.sum() < MIN_LOCALE_ROWS:
            continue
        kept = {code: float(c) for code, c in zip(columns, counts.tolist(), strict=True) if c >= MIN_LOCALE_ROWS}
        total = sum(kept.values())
        shares = {code: float(round(c / total / SHARE_STEP) * SHARE_STEP) for code, c in kept.items()}
        shares = {code: s for code, s in shares.items() if s > 0}
        if shares:
            out[level.item() if isinstance(level, np.generic) else level] = shares
    return out


def _agreement(levels: pd.Series, which: pd.Series, codes: list[str], by_level: dict[Any, dict[str, float]]) -> float:
    """Share of rows whose locale is the one their stored shares make most likely (their level's, else the most
    common overall)."""
    usual = codes.index(str(pd.Series([codes[i] for i in which]).mode().iloc[0]))
    best = {level: codes.index(max(shares, key=shares.__getitem__)) for level, shares in by_level.items()}
    predicted = levels.map(best).fillna(usual).astype(int)
    return float((predicted.to_numpy() == which.to_numpy()).mean())


def locale_levels(
    pii_type: str | None,
    measured: tuple[tuple[str, ...], pd.Series, float] | None,
    shares: dict[str, float] | None,
    data: pd.DataFrame,
    schema: Schema,
) -> dict[str, Any] | None:
    """The categorical or boolean modelled column whose levels best predict a name / address column's locale
    (``measured``: its :func:`~synth.generated_locales.measured_locales`, ``shares``: the kept locales), with its
    levels' locale shares: ``{"column": name, "levels": {level: {locale: share}}}``; None when the column keeps
    fewer than two locales or no column's levels predict them (see the module docstring)."""
    if pii_type not in LOCALE_TYPES or measured is None or not shares or len(shares) < 2:
        return None
    locales, which, _ = measured
    codes = list(shares)
    # Rows whose locale is one the column keeps, as an index in ``codes``.
    position = {locales.index(code): j for j, code in enumerate(codes)}
    return predicting_levels(which[which.isin(list(position))].map(position), codes, data, schema)


def predicting_levels(kept: pd.Series, codes: list[str], data: pd.DataFrame, schema: Schema) -> dict[str, Any] | None:
    """The categorical or boolean modelled column of ``data`` whose levels best predict ``kept`` (per row of
    ``data``'s index, a position in ``codes``: a locale, an IBAN's country layout), with its levels' shares of the
    codes: ``{"column": name, "levels": {level: {code: share}}}``; None when no column's levels predict them (see
    the module docstring)."""
    if kept.empty:
        return None
    usual = float(kept.value_counts(normalize=True).max())
    best: tuple[float, dict[str, Any]] | None = None
    for spec in schema:
        if spec.kind not in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN) or spec.name not in data:
            continue
        levels = data[spec.name].loc[kept.index]
        by_level = _level_shares(levels, kept, codes)
        if not by_level:
            continue
        agreement = _agreement(levels, kept, codes, by_level)
        if agreement >= MIN_AGREEMENT and agreement >= usual + MIN_GAIN and (best is None or agreement > best[0]):
            best = (agreement, {"column": spec.name, "levels": by_level})
    return None if best is None else best[1]


def row_shares(stored: Any, codes: list[str], probs: np.ndarray, body: pd.DataFrame | None) -> np.ndarray:
    """Each row's locale shares (``len(body)`` × ``codes``) from its level's stored shares, ``probs`` (the column's)
    where its level is missing or not kept or its shares are not valid (a model file is input: unknown locales,
    shares that are not finite non-negative numbers, or all zero); ``probs`` itself when ``stored`` or ``body`` says
    nothing of the rows."""
    if body is None or not isinstance(stored, dict) or not isinstance(stored.get("levels"), dict):
        return probs
    column = stored.get("column")
    if not isinstance(column, str) or column not in body.columns:
        return probs
    labels: list[Any] = []
    table = [probs]
    for level, shares in stored["levels"].items():
        if not isinstance(shares, dict) or not shares or any(code not in codes for code in shares):
            continue
        try:
            row = np.array([float(shares.get(code, 0.0)) for code in codes])
        except (TypeError, ValueError):
            continue
        if np.isfinite(row).all() and (row >= 0).all() and row.sum() > 0:
            labels.append(level)
            table.append(row / row.sum())
    if not labels:
        return probs
    index = pd.Index(labels, dtype=object)
    if not index.is_unique:  # labels equal as values (True and 1): which one a row holds is unknown
        return probs
    at = index.get_indexer(pd.Index(body[column].to_numpy(), dtype=object))
    return np.vstack(table)[at + 1]  # -1 (not a kept level) → the column's shares in row 0
