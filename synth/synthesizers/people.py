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

from collections.abc import Collection, Iterable
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
#: An age rule as a person holds it: (date of birth, later date, age).
AgeRule = tuple[str, str, str]
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
        ages: (date of birth, later date, age) of each age rule whose date of birth is held (in ``modelled``) while
            the later date is not: the age is computed again on every row from the held birth and the row's own
            later date (see :func:`hold_ages`).
    """

    entity: str
    generated: tuple[str, ...] = ()
    modelled: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    distinct: int = 0
    rows: int = 0
    spread: dict[str, list[float]] | None = None
    ages: tuple[AgeRule, ...] = ()

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
    constant = constant_columns(data, person_column, candidates)
    groups = rule_groups(model)
    ages = _age_rules(model, constant, groups)
    recomputed = {age for _, _, age in ages}
    # An age rule's date of birth is held without its later date and age: the age is computed again after the hold.
    groups = [g for g in groups if g not in {frozenset(a) for a in ages}]
    held = _whole_groups(tuple(c for c in constant if c not in recomputed), groups)
    ages = tuple(a for a in ages if a[0] in held)
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
        ages=ages,
    )


def _age_rules(model: Synthesizer, constant: tuple[str, ...], groups: list[frozenset[str]]) -> tuple[AgeRule, ...]:
    """(date of birth, later date, age) of each of ``model``'s age rules whose date of birth its people hold
    (``constant``) and whose later date they do not: a patient's birth date is one, their age at each visit is not.
    Held whole with the visit date, the birth date would come from one visit's row, its age from another's (3.9% of a
    claims table's synthetic visits kept their own age); left as drawn, a patient had several birthdays. An age
    another rule, order or composition also reads is left to those groups (computing it again would break them)."""
    from synth.synthesizers.elapsed import elapsed_of
    from synth.synthesizers.elapsed_rounded import AGE

    found = []
    for rule in elapsed_of(model):
        if rule.part != AGE:
            continue
        birth, (later, age) = rule.output, rule.inputs
        own = frozenset((birth, later, age))
        if birth in constant and later not in constant and not any(age in g for g in groups if g != own):
            found.append((birth, later, age))
    return tuple(found)


def ages_among(people: People | None, columns: Iterable[Any]) -> tuple[str, ...]:
    """The computed ages of ``people`` named by ``columns`` (a sample's conditions or rebalanced columns; a joint
    rebalancing names a tuple): their date of birth is then left as drawn, so that each row keeps its condition and
    its own age rule (a person's visits may then carry several birth dates)."""
    if people is None or not people.ages:
        return ()
    names: set[str] = set()
    for column in columns:
        names.update(column if isinstance(column, tuple) else (column,))
    return tuple(age for _, _, age in people.ages if age in names)


def hold_people(
    frame: pd.DataFrame,
    people: People | None,
    rng: np.random.Generator,
    keep: Collection[str] = (),
    pinned: Collection[str] = (),
    schema: Schema | None = None,
) -> pd.DataFrame:
    """``frame`` with each synthetic person's rows holding one row's values of the held columns (not ``keep``: the
    rebalanced ones and conditioned ages); an entity of personal data first repeated as the real one does. Rows are
    first dealt to people by their drawn person-level values (:func:`_dealt`): the entity moves, or, with ``pinned``
    (columns bound to their rows' positions: a streamed block's keys, the entity among them), every other column
    does. ``schema``: the model's, to read dates and numbers written as text (``27/09/1946``, ``£1,234.50``) as
    values; without it they are read as they are stored."""
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
    drawn = {birth for birth, _, age in people.ages if age in keep}  # a fixed age: its birth stays with it
    births = [birth for birth, _, _ in people.ages if birth in held and birth not in drawn]
    # Each person's rows are rows drawn with like person-level values, so that holding them changes little.
    # Grouped by the value itself: two people drawn the same e-mail are one person, with one name.
    codes = pd.factorize(out[people.entity].to_numpy()[rows])[0]
    modelled = [c for c in held if c in people.modelled and c not in drawn]
    values = _values(frame, modelled, schema)
    keys = _deal_keys(values, modelled, births)
    out, codes = _dealt(out, people.entity, codes, keys, values, rows, rng, pinned)
    source = _first_rows(len(frame), rows, codes)
    for name in held:  # each column read before it is written: no copy needed
        if name not in drawn:
            out[name] = out[name].take(source).set_axis(frame.index)  # the dtype kept
    return hold_ages(out, people, rows, keep, schema)


def _values(frame: pd.DataFrame, names: Collection[str], schema: Schema | None) -> pd.DataFrame:
    """``frame``'s columns ``names`` as values: dates and numbers written as text read back with the schema's
    formats (:func:`~synth.schema.conformance.coerce_to_schema`: dates as UTC instants); as stored without one."""
    from synth.schema.conformance import coerce_to_schema

    names = [n for n in names if n in frame.columns]
    if schema is None:
        return frame[names]
    return coerce_to_schema(frame[names], schema.select([n for n in names if n in schema.names]))


def hold_ages(
    frame: pd.DataFrame, people: People, rows: np.ndarray, keep: Collection[str] = (), schema: Schema | None = None
) -> pd.DataFrame:
    """``frame`` (people held) with each age of ``people.ages`` computed again on ``rows`` (those naming a person)
    from the held date of birth and the row's own later date: the whole calendar years between them, as the real
    rows hold (the dates read as values with ``schema``'s formats, as the fit read them). A row missing either date
    or its age keeps what was drawn; an age in ``keep`` is left as drawn."""
    from synth.synthesizers.elapsed_rounded import completed_years
    from synth.synthesizers.instants import datetime_ns

    out = frame
    for birth, later, age in people.ages:
        if age in keep or not {birth, later, age} <= set(frame.columns):
            continue
        dates = _values(frame, [birth, later], schema)
        born, no_birth = datetime_ns(dates[birth])
        seen, no_later = datetime_ns(dates[later])
        column = frame[age]
        if not pd.api.types.is_numeric_dtype(column):  # written with a number format: read back, it is text
            continue
        at = rows[~(no_birth[rows] | no_later[rows] | column.isna().to_numpy()[rows])]
        if not len(at):
            continue
        values = column.to_numpy(dtype=float, na_value=np.nan).copy()
        values[at] = completed_years(seen[at], born[at])
        out = out.copy(deep=False) if out is frame else out
        out[age] = pd.Series(values, index=frame.index).astype(column.dtype)
    return out


def _deal_keys(values: pd.DataFrame, modelled: list[str], births: list[str]) -> list[str]:
    """The held modelled columns rows are dealt to people by, most significant first: categories with the fewest
    values first (a person's run of rows then seldom crosses from one to the next), then the dates of birth whose
    ages are computed, then the other numbers and dates (only the first of them can keep its rows close)."""
    measured = [c for c in modelled if _is_measure(values[c])]
    levels = sorted((c for c in modelled if c not in measured), key=lambda c: values[c].nunique(dropna=False))
    return [*levels, *births, *(c for c in measured if c not in births)]


def _is_measure(column: pd.Series) -> bool:
    """Numbers and dates, sorted by value (booleans are levels)."""
    dtype = column.dtype
    is_bool = pd.api.types.is_bool_dtype(dtype)
    return not is_bool and (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype))


def _dealt(
    frame: pd.DataFrame,
    entity: str,
    codes: np.ndarray,
    keys: list[str],
    values: pd.DataFrame,
    rows: np.ndarray,
    rng: np.random.Generator,
    pinned: Collection[str],
) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` with its ``rows`` (those naming a person, ``codes`` their person) dealt to the people again, and the
    rows' people then: each person, in a random order, takes one run of the rows sorted by ``keys`` (their ``values``;
    missing last), as many rows as before; ``frame`` itself without keys. Rows are drawn independently, so a person's
    rows took one row's held values and kept the rest drawn with others: a later visit's ages, costs and diagnoses went
    with another visit's birth date and sex (a computed age lost its link with the visit's cost, 0.46 → 0.15). Dealt so,
    a person's rows are rows drawn for people like them. The entity's values move to the rows; with ``pinned``, the
    rows' other values move to the positions of their person instead, those columns staying put."""
    if not keys:
        return frame, codes
    counts = np.bincount(codes)
    order = rng.permutation(len(counts))
    sorted_rows = rows[np.lexsort([_sort_key(values[c].iloc[rows]) for c in reversed(keys)])]
    source = np.arange(len(frame))
    out = frame.copy(deep=False)
    if not pinned:
        first = rows[np.unique(codes, return_index=True)[1]]  # each person's first row
        dealt = np.repeat(order, counts[order])  # the person of each row in sorted order
        source[sorted_rows] = first[dealt]
        out[entity] = frame[entity].take(source).set_axis(frame.index)
        moved = np.empty_like(codes)
        moved[np.searchsorted(rows, sorted_rows)] = dealt
        return out, moved
    grouped = rows[np.argsort(codes, kind="stable")]  # each person's positions, one run per person
    starts = np.cumsum(counts) - counts
    within = np.arange(len(rows)) - np.repeat(np.cumsum(counts[order]) - counts[order], counts[order])
    source[grouped[np.repeat(starts[order], counts[order]) + within]] = sorted_rows
    for name in frame.columns:
        if name not in pinned:
            out[name] = frame[name].take(source).set_axis(frame.index)
    return out, codes


def _sort_key(column: pd.Series) -> np.ndarray:
    """Values to sort rows by: numbers and dates as floats, levels as their codes in sorted order; missing last."""
    from synth.synthesizers.instants import float_ns

    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        values = float_ns(column)
    elif _is_measure(column):
        values = column.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            codes = pd.factorize(column.to_numpy(), sort=True)[0]
        except TypeError:  # levels of several types (text and numbers) do not sort among themselves: as text
            codes = pd.factorize(column.astype(str).to_numpy(), sort=True)[0]
            codes[column.isna().to_numpy()] = -1
        values = np.where(codes < 0, np.inf, codes.astype(float))
    return np.where(np.isnan(values), np.inf, values)


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
    ages = "".join(
        f" Each row's {age} is computed again from the person's {birth} and the row's own {later}, as every real "
        "row's is."
        for birth, later, age in people.ages
    )
    return (
        f"{repeats}rows of one {people.entity} share {' and '.join(parts)}, as at least {HOLD_SHARE:.0%} of the real "
        f"people's rows do (each person's first row gives them).{ages}"
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
    for rule in people.ages:
        if not (isinstance(rule, tuple) and len(rule) == 3 and all(isinstance(c, str) for c in rule)):
            raise persist.ModelFileError(f"its computed ages are not what a fit writes: {rule!r:.200}")
        birth, later, age = rule
        if birth not in people.modelled or kinds[birth] is not ColumnKind.DATETIME:
            raise persist.ModelFileError(f"its computed age's date of birth {birth!r} is not a held date of its schema")
        if later in people.held or kinds.get(later) is not ColumnKind.DATETIME:
            raise persist.ModelFileError(f"its computed age's later date {later!r} is not a date of its schema")
        if age in people.held or age not in kinds or not kinds[age].is_numeric:
            raise persist.ModelFileError(f"its computed age {age!r} is not a number column of its schema")
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
