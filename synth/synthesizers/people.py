"""One synthetic person, one set of person-level values: rows sharing a generated id share what a real person's do.

Why
    The clinic walk table holds 4,000 visits of 1,145 patients; a patient's name, NHS number, phone, postcode, date
    of birth, sex and smoking status are the same on all of their visits. Every model draws rows independently and
    generated personal data is drawn row by row, so in a synthetic sample every patient with two or more visits had
    several names, numbers and dates of birth, and about 80% of them both sexes (session 23; the shop's customers
    likewise, and its e-mail, the customer itself, never repeated at all: 3,997 addresses on 4,000 orders).

At fit (:func:`find_people`)
    The column naming the person: the one the fit is told (``fit(person_column=...)``: the column the Data page
    splits by, so the model holds the people the privacy checks attack), else the one
    :func:`synth.schema.entities.entity_column` finds; told none, no person. Then the names of the columns at
    least :data:`HOLD_SHARE` of the real people with two or more rows hold one value in (missing counts as a value):
    generated personal data and modelled columns; of the columns an exact rule, end date, composition or order
    between two dates ties together, only those held whole (``sex`` looked up from ``date_of_birth``: both taken
    from one row, which keeps the rule; an ``enrolled`` date before each visit is left as drawn, as another row's
    value could break the order). Only names are kept, plus, for a person named by personal data (an e-mail), how
    many distinct values its rows hold and how unevenly, as a repeated key keeps them (:mod:`synth.generated_spread`).
    Another key the people hold is held too; one that is each person's alone (a holder's IBAN: every value's rows
    are one person's) is a *key* of the person, drawn unique row by row (``GeneratedColumns.without_repeats``) so
    that each synthetic person's first row gives them their own (drawn as a repeated key of its own, as it was
    before session 29, a ledger's synthetic holder had up to 40 IBANs and each IBAN several holders).
    A model with a privacy guarantee reads nothing of this from the rows: it gets none.

At sample (:func:`hold_people`)
    Each synthetic person's rows take the held columns from one of its rows: its first, which is a random one, as
    rows are drawn independently; every held column from that same row, so an e-mail made from the row's name still
    follows it and columns drawn together stay together. A conditioned column keeps its condition (the value is one
    a row drew under it); a rebalanced column is left as drawn, so its shares stay exact.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from synth.generated_shapes import repeat_pool, repeated_count
from synth.generated_spread import check_spread, pool_counts, rows_per_key_spread
from synth.schema.entities import FIND_PERSON as FIND_PERSON
from synth.schema.entities import PersonColumn as PersonColumn
from synth.schema.entities import entity_column
from synth.schema.kinds import ColumnKind, Schema
from synth.synthesizers import persist
from synth.synthesizers.errors import SynthesizerError

if TYPE_CHECKING:
    from synth.synthesizers.base import Synthesizer

#: A column is held per person when at least this share of the real people with two or more rows hold one value.
HOLD_SHARE = 0.99
#: At least this many real people must have two or more rows for a column to be judged at all.
MIN_REPEATED_PEOPLE = 20
#: Kinds of column that can name a person: the generated ones, which a fit never learns and can repeat per person.
PERSON_KINDS = (ColumnKind.IDENTIFIER, ColumnKind.PII)


@dataclass(frozen=True)
class People:
    """What a fit keeps to give each synthetic person one set of person-level values (see the module docstring).

    Attributes:
        entity: the column naming the person (an identifier or personal data: generated, never learned).
        generated: generated columns (personal data, keys) held per person.
        keys: those of ``generated`` that are keys each person holds alone: drawn unique, so one per person.
        modelled: modelled columns held per person.
        distinct / rows / spread: for an entity of personal data only (an identifier repeats by itself): its
            distinct present values, its present rows, and how unevenly rows fall on them (None when too few).
    """

    entity: str
    generated: tuple[str, ...] = ()
    modelled: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    distinct: int = 0
    rows: int = 0
    spread: dict[str, list[float]] | None = None

    @property
    def held(self) -> tuple[str, ...]:
        return self.generated + self.modelled


persist.register_state_type(People)  # saved in model files; loading builds only registered types


def rule_groups(model: Synthesizer) -> list[frozenset[str]]:
    """The columns of each exact rule, end date, composition and order between dates of ``model``: each holds on
    every row, so on rows whose columns of it all come from one row too, and may break on rows where some do not."""
    from synth.synthesizers.compositions import compositions_of
    from synth.synthesizers.derived import rules_of

    groups = [frozenset((rule.output, *rule.inputs)) for rule in (*rules_of(model), *getattr(model, "elapsed_", ()))]
    for pair in (*getattr(model, "elapsed_followers_", ()), *getattr(model, "time_orders_", ())):
        groups.append(frozenset(str(c) for c in pair[:2]))
    groups.extend(frozenset(composition[0]) for composition in compositions_of(model))
    return groups


def _whole_groups(held: tuple[str, ...], groups: list[frozenset[str]]) -> tuple[str, ...]:
    """``held`` without the columns of every group that is not held whole (until none is left half held)."""
    kept = set(held)
    while True:
        broken = [g for g in groups if g & kept and not g <= kept]
        if not broken:
            return tuple(c for c in held if c in kept)
        kept -= frozenset().union(*broken)


def constant_columns(data: pd.DataFrame, entity: str, columns: list[str]) -> tuple[str, ...]:
    """The ``columns`` that at least :data:`HOLD_SHARE` of the people of ``entity`` with two or more rows hold one
    value in (missing counts as a value); none when fewer than :data:`MIN_REPEATED_PEOPLE` people repeat."""
    codes = pd.factorize(data[entity])[0]
    present = codes >= 0
    sizes = np.bincount(codes[present])
    repeated = present & (sizes[np.where(present, codes, 0)] > 1)
    if int((sizes > 1).sum()) < MIN_REPEATED_PEOPLE:
        return ()
    person = codes[repeated]
    order = np.argsort(person, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(person[order]) != 0])
    out = []
    for name in columns:
        values = pd.factorize(data[name].to_numpy()[repeated], use_na_sentinel=False)[0][order]
        one = np.minimum.reduceat(values, starts) == np.maximum.reduceat(values, starts)
        if one.mean() >= HOLD_SHARE:
            out.append(name)
    return tuple(out)


def check_person_column(person_column: PersonColumn, schema: Schema) -> None:
    """Raise :class:`SynthesizerError` for a ``person_column`` a fit on ``schema``'s table cannot hold people by: a
    column the table lacks, or one of a kind that names no person. Only identifiers and personal data do (a
    modelled column is drawn row by row; :func:`~synth.schema.entities.entity_column` offers no other kind); told
    by the user, one the finder passes over (a key-like ``zip``, a column repeating on too few rows) is taken."""
    if not isinstance(person_column, str):
        return
    if person_column not in schema.names:
        shown = ", ".join(schema.names[:8]) + (", …" if len(schema.names) > 8 else "")
        raise SynthesizerError(
            f"the person column {person_column!r} is not a column of the table (columns: {shown}): name the column "
            "that says whose row each row is, or none"
        )
    kind = schema[person_column].kind
    if kind not in PERSON_KINDS:
        raise SynthesizerError(
            f"the person column {person_column!r} is a {kind.value} column, which names no person: only an "
            "identifier or personal data can (the model regenerates those, and can repeat one per person); mark it "
            "as an identifier in the schema, or name another column"
        )


def find_people(
    data: pd.DataFrame, schema: Schema, model: Synthesizer, person_column: PersonColumn = FIND_PERSON
) -> People | None:
    """What :func:`hold_people` needs, learned from the training ``data`` (see the module docstring); None for a
    model with a privacy guarantee, a table without a person column (or told none), or one whose people hold
    nothing constant. ``person_column`` is checked by :func:`check_person_column` before the fit."""
    if model.guarantee is not None:  # the rows are read outside any privacy budget: a DP model reads none of this
        return None
    if person_column is FIND_PERSON:
        found = entity_column(data, schema)
        person_column = None if found is None else found.column
    if person_column is None or not data[person_column].notna().any():  # no one named: each row is its own person
        return None
    candidates = [
        s.name
        for s in schema
        if s.name != person_column and s.name in data.columns and (s.kind in PERSON_KINDS or s.kind.is_modelled)
    ]
    held = _whole_groups(constant_columns(data, person_column, candidates), rule_groups(model))
    keys = tuple(
        c for c in held if schema[c].kind is ColumnKind.IDENTIFIER and constant_columns(data, c, [person_column])
    )
    entity = schema[person_column]
    repeats: dict[str, Any] = {}
    if entity.kind is ColumnKind.PII:  # personal data is drawn once a row: the fit keeps how it repeats
        present = data[person_column].dropna().astype(str)
        repeats = {"distinct": int(present.nunique()), "rows": len(present), "spread": rows_per_key_spread(present)}
    if not held and not repeats:
        return None
    return People(
        person_column,
        tuple(c for c in held if schema[c].kind in PERSON_KINDS),
        tuple(c for c in held if schema[c].kind.is_modelled),
        keys,
        **repeats,
    )


def hold_people(
    frame: pd.DataFrame, people: People | None, rng: np.random.Generator, keep: Collection[str] = ()
) -> pd.DataFrame:
    """``frame`` with each synthetic person's rows holding one row's values of the held columns (not ``keep``: the
    rebalanced ones); an entity of personal data first repeated as the real one does."""
    if people is None or people.entity not in frame.columns:
        return frame
    entity = frame[people.entity]
    rows = np.flatnonzero(entity.notna().to_numpy())
    held = [c for c in people.held if c in frame.columns and c not in keep]
    if not len(rows) or not (held or people.distinct):
        return frame
    out = frame.copy(deep=False)  # held columns are replaced whole: the others need no copy
    if people.distinct:  # personal data names the person: rows are shared out among k people as the real ones are
        k = repeated_count(people.distinct, people.rows, len(rows))
        detail = {"distinct": people.distinct, "rows": people.rows, "spread": people.spread}
        member = repeat_pool(np.arange(k), len(rows), rng, pool_counts(detail, k, len(rows), rng))
        out[people.entity] = entity.take(_first_rows(len(frame), rows, member)).set_axis(entity.index)
    # Grouped by the value itself: two people drawn the same e-mail are one person, with one name.
    source = _first_rows(len(frame), rows, pd.factorize(out[people.entity].to_numpy()[rows])[0])
    for name in held:
        out[name] = frame[name].take(source).set_axis(frame.index)  # the dtype kept
    return out


def _first_rows(n: int, rows: np.ndarray, member: np.ndarray) -> np.ndarray:
    """For each of ``n`` rows, the row its values come from: for ``rows``, the first row of its ``member`` (rows are
    drawn independently, so that is a random one of theirs); every other row, itself."""
    _, at, person = np.unique(member, return_index=True, return_inverse=True)
    source = np.arange(n)
    source[rows] = rows[at[person]]
    return source


def describe_people(model: Any) -> str | None:
    """What the model holds per synthetic person, in words (the Synthesize page), or None when it holds nothing."""
    people = getattr(model, "people_", None)
    if people is None:
        return None
    parts = []
    if people.generated:
        parts.append(f"the generated {', '.join(people.generated)}")
    if people.modelled:
        parts.append(f"the drawn {', '.join(people.modelled)}")
    repeats = (
        f"{people.entity} repeats across rows as the real one does ({people.distinct:,} values on {people.rows:,} "
        "rows), and "
        if people.distinct
        else ""
    )
    if not parts:
        return f"{repeats.removesuffix(', and ')}."
    return (
        f"{repeats}rows of one {people.entity} share {' and '.join(parts)}, as at least {HOLD_SHARE:.0%} of the real "
        f"people's rows do (each person's first row gives them)."
    )


def check_people(model: Any) -> None:
    """Raise :class:`~synth.synthesizers.persist.ModelFileError` for a ``people_`` a fit could not have written."""
    people = getattr(model, "people_", None)
    if people is None:
        return
    if not isinstance(people, People):
        raise persist.ModelFileError("its person columns are not what a fit writes")
    schema = model.schema_
    kinds = {s.name: s.kind for s in schema}
    if model.guarantee is not None:
        raise persist.ModelFileError(f"{model.label} keeps no person columns: it reads nothing of them from the rows")
    if kinds.get(people.entity) not in PERSON_KINDS:
        raise persist.ModelFileError(f"its person column {people.entity!r} is not a generated column of its schema")
    for name in people.generated:
        if kinds.get(name) not in PERSON_KINDS or name == people.entity:
            raise persist.ModelFileError(f"its held column {name!r} is not a generated column of its schema")
    for name in people.keys:
        if name not in people.generated or kinds.get(name) is not ColumnKind.IDENTIFIER:
            raise persist.ModelFileError(f"its person's key {name!r} is not a held identifier of its schema")
    for name in people.modelled:
        kind = kinds.get(name)
        if kind is None or not kind.is_modelled:
            raise persist.ModelFileError(f"its held column {name!r} is not a modelled column of its schema")
    counts = (people.distinct, people.rows)
    if any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in counts) or people.distinct > people.rows:
        raise persist.ModelFileError("its person column's counts are not what a fit writes")
    if (people.distinct > 0) != (kinds[people.entity] is ColumnKind.PII):
        raise persist.ModelFileError("its person column's counts are not what a fit writes")
    if people.spread is not None:
        try:
            check_spread(people.spread)
        except Exception as exc:
            raise persist.ModelFileError(f"its person column's spread is not what a fit writes ({exc})") from exc
