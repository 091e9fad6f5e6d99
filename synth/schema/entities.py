"""Whose row is each row? The column that names the person behind rows that repeat one (a patient's visits).

Why
    A clinic table holds 4,000 visits of 1,145 patients. Split by row, 89% of the holdout's visits belonged to a
    patient with other visits in train: the "people the model never saw" that every privacy and fidelity score is
    measured against had mostly been seen. Privacy figures moved with it (Pruned CART's excess closeness to the
    full train read 0.105 split by row and 0.009 split by patient, on the session-23 walk's clinic table).

What counts
    An identifier column (a patient id, a health number read as a key), or personal data that names one person (an
    e-mail address, a social security or card number, a phone number, a name), that repeats (at most 95% of its
    present values distinct), is not a key pointing at another key of the table (a ``manager_id`` names someone
    else), holds at least :data:`MIN_PEOPLE` values, no value on more than :data:`MAX_PERSON_SHARE` of the rows
    and at most :data:`MAX_ROWS_PER_PERSON` rows per value on average (a ``store_id`` is no person), and whose
    name does not say place (a ``zip`` or ``postcode`` read as a key names where, not who). An identifier whose name
    says person (patient, customer, user, ...) comes first, then personal data, then other identifiers, each in
    table order: a ``patient_id`` before the ``nhs_number`` that repeats with it, an e-mail before a name two
    customers may share, and before a code that repeats by chance (50,000 shop orders: a key-like ``zip`` repeated
    on 21% of rows, 1.3 rows a value, and was picked over the e-mail that names the customer, session 24). An account
    ``holder_id`` says person too (a bank ledger's e-mail was offered before it, session 29). A column that a better
    one outranks is no person when that better one differs on every row (a unique ``customer_id`` or e-mail: each
    row is its own customer, and a repeated name is customers who share it, session 32).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Final, Literal, TypeAlias

import pandas as pd

from synth.schema.kinds import ColumnKind, Schema


class _Find(Enum):
    FIND = "find"


#: ``person_column`` when the caller does not say: the column naming the person is found (:func:`entity_column`);
#: None says "no person" (each row is its own), as the Data page's "no" does.
FIND_PERSON: Final = _Find.FIND
#: What a fit or an evaluation is told of the person: a column's name, None (each row is its own person), or
#: :data:`FIND_PERSON`.
PersonColumn: TypeAlias = str | Literal[_Find.FIND] | None

#: A person needs at least this many distinct values to be split on.
MIN_PEOPLE = 20
#: No one value may hold more than this share of the rows (the holdout is built from whole people).
MAX_PERSON_SHARE = 0.2
#: A person holds at most this many rows on average (a store or a product holds more).
MAX_ROWS_PER_PERSON = 50
#: At most this share of a person column's present values are distinct (it repeats).
MAX_DISTINCT_SHARE = 0.95
#: A column distinct on (nearly) every row and present on this share of them names each row's person alone.
ROW_KEY_PRESENT = 0.95
#: Personal data that names one person, best first.
PERSON_PII = ("email", "ssn", "card", "phone", "name")
_PERSON_WORDS = re.compile(
    r"(patient|customer|client|user|member|person|people|employee|account|subscriber|student|respondent|citizen|"
    r"applicant|borrower|policy|guest|donor|participant|subject|household|cardholder|passenger|resident|voter|"
    r"visitor|buyer|owner|holder|learner|consumer|individual|case)",
    re.IGNORECASE,
)
#: Names of codes for a place, never a person, however they repeat.
_PLACE_WORDS = re.compile(
    r"(?:^|[^a-z])(zip|zipcode|zip_code|postal|postcode|post_code|plz|pincode|pin_code|cep)(?:$|[^a-z])", re.IGNORECASE
)


@dataclass(frozen=True)
class Entity:
    """The column naming the person behind each row.

    Attributes:
        column: its name.
        people: distinct present values.
        rows: rows where it is present.
    """

    column: str
    people: int
    rows: int
    outranked_by: str | None = None  # a column naming the person better that differs on every row

    @property
    def rows_per_person(self) -> float:
        return self.rows / self.people if self.people else 0.0

    def describe(self) -> str:
        said = (
            f"{self.column} repeats ({self.people:,} values, {self.rows_per_person:.1f} rows each on average): "
            "the holdout takes each value's rows whole, so no one in it was seen in training"
        )
        if self.outranked_by is not None:
            said += (
                f"; but {self.outranked_by} differs on every row, so rows sharing a {self.column} may be different "
                "people, kept together as one"
            )
        return said


def entity_candidates(df: pd.DataFrame, schema: Schema) -> tuple[Entity, ...]:
    """Every column that could name the person behind repeated rows, best first (see the module docstring)."""
    from synth.generated_references import find_reference

    found: list[tuple[tuple[int, int, int], Entity]] = []
    row_key: tuple[int, str] = (2 + len(PERSON_PII), "")  # the best column naming a person on every row alone
    for position, spec in enumerate(schema):
        if spec.name not in df.columns:
            continue
        worded = _PERSON_WORDS.search(spec.name) is not None
        if spec.kind is ColumnKind.IDENTIFIER and not _PLACE_WORDS.search(spec.name):
            rank = 0 if worded else 1 + len(PERSON_PII)
        elif spec.kind is ColumnKind.PII and spec.pii_type in PERSON_PII:
            rank = 1 + PERSON_PII.index(spec.pii_type)
        else:
            continue
        present = df[spec.name].dropna()
        if not len(present):
            continue
        counts = present.astype(str).value_counts()
        people = len(counts)
        if people > MAX_DISTINCT_SHARE * len(present) and len(present) >= ROW_KEY_PRESENT * len(df):
            row_key = (rank, spec.name) if rank < row_key[0] else row_key
        if people < MIN_PEOPLE or people > MAX_DISTINCT_SHARE * len(present):
            continue
        if counts.iloc[0] > MAX_PERSON_SHARE * len(df) or len(present) > MAX_ROWS_PER_PERSON * people:
            continue
        if spec.kind is ColumnKind.IDENTIFIER and find_reference(spec.name, df, schema):
            continue  # a manager_id points at another row's person
        found.append(((rank, 0 if worded else 1, position), Entity(spec.name, people, len(present))))
    # A column that names the person better and differs on every row says each row is its own person: the session-32
    # walk's customers table (a unique customer_id, 300 names on 3,000 rows) was split "by name", namesakes as one.
    # Such a candidate stays on offer, last and never suggested (the analyst may know the names are people).
    ranked = [
        ((rank > row_key[0], rank, unworded, at), e if rank <= row_key[0] else replace(e, outranked_by=row_key[1]))
        for (rank, unworded, at), e in found
    ]
    return tuple(entity for _, entity in sorted(ranked, key=lambda item: item[0]))


def suggested_entity(candidates: Sequence[Entity]) -> Entity | None:
    """The candidate to split by without being asked: the first that no better column outranks."""
    return next((e for e in candidates if e.outranked_by is None), None)


def entity_column(df: pd.DataFrame, schema: Schema) -> Entity | None:
    """The best column naming the person behind repeated rows, or None when each row is its own person."""
    return suggested_entity(entity_candidates(df, schema))
