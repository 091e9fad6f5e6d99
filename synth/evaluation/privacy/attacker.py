"""The attacker model: what an attacker knows about a person (quasi-identifiers) and what they want to learn."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from synth.evaluation.privacy.common import PrivacyInputError
from synth.evaluation.results import to_jsonable
from synth.evaluation.utility.targets import default_target
from synth.schema import Schema


class AttackerModelError(PrivacyInputError):
    """An attacker model the attacks cannot run with (the message says how to fix it)."""


_DEMOGRAPHIC = {
    "age",
    "sex",
    "gender",
    "race",
    "ethnicity",
    "ethnic",
    "marital",
    "country",
    "nationality",
    "citizenship",
    "zip",
    "zipcode",
    "postcode",
    "postal",
    "birth",
    "dob",
    "birthdate",
    "birthday",
    "city",
    "region",
    "religion",
    # The same in the languages of the tables users bring (a German loans table's geburtsdatum was passed over for
    # its first low-cardinality columns): German, French, Spanish, Italian, Dutch.
    "alter",
    "geschlecht",
    "plz",
    "postleitzahl",
    "wohnort",
    "familienstand",
    "nationalität",
    "staatsangehörigkeit",
    "sexe",
    "âge",
    "nationalité",
    "pays",
    "ville",
    "edad",
    "sexo",
    "género",
    "genero",
    "nacionalidad",
    "país",
    "pais",
    "ciudad",
    "età",
    "sesso",
    "nazionalità",
    "città",
    "leeftijd",
    "geslacht",
    "woonplaats",
    "nationaliteit",
}
#: Word beginnings of compound names: geburtsdatum, geburtsjahr, geboortedatum, date_de_naissance, fecha_nacimiento.
_DEMOGRAPHIC_STEMS = ("geburt", "geboorte", "naissance", "nacimiento", "nascita", "birth")
_SECRET_LIKE = {
    "income",
    "salary",
    "wage",
    "wages",
    "diagnosis",
    "disease",
    "outcome",
    "target",
    "label",
    "class",
    "hiv",
    "cancer",
    "fraud",
    "churn",
    "health",
    # German, French, Spanish, Italian, Dutch
    "einkommen",
    "gehalt",
    "lohn",
    "diagnose",
    "krankheit",
    "revenu",
    "salaire",
    "maladie",
    "ingresos",
    "salario",
    "enfermedad",
    "diagnóstico",
    "reddito",
    "stipendio",
    "diagnosi",
    "malattia",
    "inkomen",
    "salaris",
    "ziekte",
}
MAX_DEFAULT_KNOWN = 5
LOW_CARDINALITY = 20


def _tokens(name: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return {t for t in re.split(r"[\W_]+", spaced.lower()) if t}  # letters of any script: staatsangehörigkeit


def _demographic(name: str) -> bool:
    """Whether a column's name reads as a demographic (age, sex, birth date, postcode, ... in six languages)."""
    tokens = _tokens(name)
    return bool(tokens & _DEMOGRAPHIC) or any(t.startswith(_DEMOGRAPHIC_STEMS) for t in tokens)


@dataclass(frozen=True)
class AttackerModel:
    """What the attacker knows about a person and what they want to learn.

    Attributes:
        known: quasi-identifiers: columns the attacker already knows about their target.
        secret: the column they want to learn.
        link_a / link_b: the two column groups of the linkability attack; empty means ``known`` and every
            other learned column except the secret.
        is_default: whether the columns were chosen by :func:`default_attacker_model`, not by the user.
        note: how the columns were chosen, in words.
    """

    known: tuple[str, ...]
    secret: str
    link_a: tuple[str, ...] = ()
    link_b: tuple[str, ...] = ()
    is_default: bool = False
    note: str = ""

    def linkability_groups(self, columns: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The two column groups linked by the linkability attack, among ``columns``."""
        a = self.link_a or self.known
        b = self.link_b or tuple(c for c in columns if c not in a and c != self.secret)
        return tuple(a), tuple(b)

    def validate(self, schema: Schema, train: pd.DataFrame | None = None) -> None:
        """Raise :class:`AttackerModelError` with a user-facing message when the attacks cannot run.

        Args:
            schema: the table's schema; known and secret columns must be learned columns of it.
            train: the training table, to check that the secret has values.
        """
        learned = set(schema.modelled)
        if not self.known:
            raise AttackerModelError(
                "Pick at least one column the attacker knows (a quasi-identifier such as age or postcode): "
                "the linkability and inference attacks start from what the attacker knows."
            )
        if not self.secret:
            raise AttackerModelError("Pick the secret column: the value the attacker wants to learn.")
        if self.secret in self.known:
            raise AttackerModelError(
                f"'{self.secret}' is both known to the attacker and the secret they want to learn. Remove it "
                "from the known columns, or pick another secret."
            )
        unknown = [c for c in (*self.known, self.secret, *self.link_a, *self.link_b) if c not in learned]
        if unknown:
            raise AttackerModelError(
                f"Column(s) {', '.join(repr(c) for c in dict.fromkeys(unknown))} are not learned columns of this "
                "table (identifiers, personal data, free text and constants are generated, not learned). Pick "
                "learned columns."
            )
        if train is not None and self.secret in train.columns and train[self.secret].notna().sum() == 0:
            raise AttackerModelError(
                f"The secret column '{self.secret}' has no values in the training data, so there is nothing to "
                "infer. Pick another secret."
            )
        a, b = self.linkability_groups(schema.modelled)
        if not a or not b:
            raise AttackerModelError(
                "The linkability attack needs two non-empty column groups. Choose columns for both groups, "
                "or leave some learned columns out of the known ones."
            )
        both = sorted(set(a) & set(b))
        if both:
            raise AttackerModelError(
                f"Column(s) {', '.join(repr(c) for c in both)} are in both linkability groups; each column "
                "can be in one group only."
            )

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


def default_attacker_model(schema: Schema, df: pd.DataFrame | None = None) -> AttackerModel:
    """The attacker model from the schema's flags, or sensible defaults when nothing is flagged.

    Known columns: the columns flagged quasi-identifier; else the demographic-looking ones (age, sex, race,
    marital status, country, postcode, ..., also in German, French, Spanish, Italian and Dutch); else the first few
    low-cardinality columns. Secret: the first column flagged sensitive; else a target-looking one (income, salary,
    diagnosis, ...); else the column ML efficacy would predict by default
    (:func:`~synth.evaluation.utility.targets.default_target`).

    Args:
        schema: the table's schema (with the flags set on the Data page).
        df: the table, used to measure cardinality for the fallback.
    """
    learned = schema.modelled
    if not learned:
        return AttackerModel((), "", is_default=True, note="the table has no learned columns")
    notes = []
    flagged_secret = [c for c in schema.sensitive if c in learned]
    flagged_known = [c for c in schema.quasi_identifiers if c in learned]
    if flagged_secret:
        secret = flagged_secret[0]
        notes.append(f"secret '{secret}' is flagged sensitive")
    else:
        secret_like = [c for c in learned if _tokens(c) & _SECRET_LIKE and c not in flagged_known]
        rest = [c for c in learned if c not in flagged_known] or learned
        # Else the column ML efficacy would predict (an outcome's name, else the last class with few values
        # missing): the last categorical column was the survey walk's free-text comment, missing on 44% of rows,
        # beside q1_satisfied.
        predicted = None if secret_like else default_target(schema, rest, df)
        secret = secret_like[0] if secret_like else predicted or rest[-1]
        notes.append(f"secret '{secret}' is a default (no column is flagged sensitive)")
    if flagged_known:
        known = [c for c in flagged_known if c != secret]
        notes.append("known columns are the flagged quasi-identifiers")
    else:
        known = [c for c in learned if _demographic(c) and c != secret][:MAX_DEFAULT_KNOWN]
        if len(known) < 2:

            def distinct(c: str) -> int:
                return int(df[c].nunique()) if df is not None and c in df.columns else LOW_CARDINALITY

            low = [c for c in learned if c != secret and c not in known and distinct(c) <= LOW_CARDINALITY]
            known = (known + low)[:MAX_DEFAULT_KNOWN]
            notes.append("known columns are defaults: the first low-cardinality columns")
        else:
            notes.append("known columns are defaults: the demographic-looking columns")
    is_default = not (flagged_known and flagged_secret)
    return AttackerModel(tuple(known), secret, is_default=is_default, note="; ".join(notes))
