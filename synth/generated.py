"""Columns that are generated, never learned value by value: identifiers, PII, free text and constants.

Identifiers are regenerated in the real format (literal where all real values agree, e.g. the ``C`` of
``C10090342``) and stay unique. PII is replaced by realistic fake values: seeded pools of names, streets and
phone formats from Faker, combined and re-numbered with numpy, so a million values take about a second.

No real identifier or PII value can reach the synthetic table, and a model file holds nothing that tests
whether a value was real: generated values are disjoint from real ones *by construction*, so nothing about
the real values (no value, no hash) needs to be kept to avoid them:

* numeric keys start at the next power of ten above the largest real key (the file keeps that power of
  ten, never the largest key);
* text keys and PII of unknown type get one more digit than the real format holds, widened at fit time
  until no real value has that shape (the file keeps only the template);
* e-mails use the reserved ``example.com`` / ``.org`` / ``.net`` domains (RFC 2606), phone numbers the
  fictional ``555-0100``–``555-0199`` lines, IP addresses the documentation ranges (RFC 5737), social
  security numbers the never-issued ``9xx-01..49-xxxx`` block;
* names, addresses and card numbers are drawn from Faker's lists and random digits with no input from the
  real column, so a coincidence with a real value (a common name) says nothing about the data.

A format's literal characters are learned only from at least :data:`MIN_TEMPLATE_VALUES` distinct values (a
column with fewer gives only the shape: digit, letter, punctuation). Missing rates are stored rounded to
:data:`MISSING_RATE_STEP`; a constant is kept only when at least :data:`MIN_CONSTANT_ROWS` rows hold it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# Re-exported so `from synth.generated import ...` keeps working after the formats and fakes moved out.
from synth.generated_formats import _ALPHABETS as _ALPHABETS
from synth.generated_formats import _FORMAT_SAMPLE as _FORMAT_SAMPLE
from synth.generated_formats import _MAX_EXTRA_DIGITS as _MAX_EXTRA_DIGITS
from synth.generated_formats import _MAX_ROUNDS as _MAX_ROUNDS
from synth.generated_formats import MIN_TEMPLATE_VALUES as MIN_TEMPLATE_VALUES
from synth.generated_formats import _capacity as _capacity
from synth.generated_formats import _fill as _fill
from synth.generated_formats import _parse_template as _parse_template
from synth.generated_formats import _regex as _regex
from synth.generated_formats import _sample_text as _sample_text
from synth.generated_formats import _seen as _seen
from synth.generated_formats import _shape as _shape
from synth.generated_formats import _shape_template as _shape_template
from synth.generated_formats import _template as _template
from synth.generated_formats import _unique_fresh as _unique_fresh
from synth.generated_formats import _widen as _widen
from synth.generated_formats import disjoint_template as disjoint_template
from synth.generated_formats import fresh_identifiers as fresh_identifiers
from synth.generated_formats import hash_values as hash_values
from synth.generated_pii import _FAKERS as _FAKERS
from synth.generated_pii import _PHONE_FORMATS as _PHONE_FORMATS
from synth.generated_pii import _TEST_NETS as _TEST_NETS
from synth.generated_pii import POOL_SIZE as POOL_SIZE
from synth.generated_pii import _choice as _choice
from synth.generated_pii import _digits as _digits
from synth.generated_pii import _fake_addresses as _fake_addresses
from synth.generated_pii import _fake_cards as _fake_cards
from synth.generated_pii import _fake_emails as _fake_emails
from synth.generated_pii import _fake_from_pool as _fake_from_pool
from synth.generated_pii import _fake_ips as _fake_ips
from synth.generated_pii import _fake_names as _fake_names
from synth.generated_pii import _fake_phones as _fake_phones
from synth.generated_pii import _fake_ssns as _fake_ssns
from synth.generated_pii import _faker as _faker
from synth.generated_pii import _join as _join
from synth.generated_pii import _name_lists as _name_lists
from synth.generated_pii import _weighted as _weighted
from synth.generated_pii import clashes_with_fakes as clashes_with_fakes
from synth.generated_pii import fake_text as fake_text
from synth.generated_pii import fake_values as fake_values
from synth.generated_pii import unused_email_domains as unused_email_domains
from synth.schema import ColumnKind, Schema

PII_PROVIDERS: dict[str, str] = {
    "email": "email",
    "phone": "phone_number",
    "name": "name",
    "first_name": "first_name",
    "last_name": "last_name",
    "address": "street_address",
    "ip": "ipv4",
    "card": "credit_card_number",
    "ssn": "ssn",
}
"""PII types (``ColumnSpec.pii_type``) → the Faker provider whose kind of value replaces them."""

#: Generated columns' missing rates are stored rounded to this step.
MISSING_RATE_STEP = 0.05
#: A constant column's value is kept only when at least this many rows hold it (else it is left missing).
MIN_CONSTANT_ROWS = 5


@dataclass(frozen=True)
class _Plan:
    name: str
    kind: ColumnKind
    missing_rate: float
    detail: dict[str, Any] = field(default_factory=dict)


def _rounded_rate(rate: float) -> float:
    return float(round(rate / MISSING_RATE_STEP) * MISSING_RATE_STEP)


def _next_power_of_ten(largest: float) -> int:
    """The first power of ten above ``largest``: new keys start there (the largest real key is not kept)."""
    if largest < 1:
        return 1
    return int(10 ** len(str(int(largest))))


@dataclass(frozen=True)
class GeneratedColumns:
    """What the shared base needs to generate the non-modelled columns of a schema."""

    plans: tuple[_Plan, ...] = ()

    @classmethod
    def fit(cls, data: pd.DataFrame, schema: Schema) -> GeneratedColumns:
        """Learn, for each identifier / PII / text / constant column, only what generation needs.

        That is the missing rate (rounded to :data:`MISSING_RATE_STEP`), a format template that no real value
        matches, the power of ten above the largest numeric key, the typical length of text, and a constant
        held by at least :data:`MIN_CONSTANT_ROWS` rows; never a real identifier or PII value, nor a hash of one.
        """
        plans = []
        for spec in schema:
            if spec.kind.is_modelled:
                continue
            col = data[spec.name]
            missing = _rounded_rate(float(col.isna().mean()))
            present = col.dropna()
            detail: dict[str, Any] = {}
            if spec.kind is ColumnKind.CONSTANT:
                detail["value"] = present.iloc[0] if len(present) >= MIN_CONSTANT_ROWS else None
            elif spec.kind is ColumnKind.IDENTIFIER:
                if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
                    detail["numeric"] = True
                    largest = float(np.nanmax(present.to_numpy(dtype=float))) if len(present) else 0.0
                    detail["start"] = _next_power_of_ten(largest)
                else:
                    detail["numeric"] = False
                    detail["template"] = disjoint_template(present)
            elif spec.kind is ColumnKind.PII:
                detail["pii_type"] = spec.pii_type
                detail["provider"] = PII_PROVIDERS.get(spec.pii_type or "", "pystr")
                if spec.pii_type == "email":
                    # Public reserved names, not real values: the ones the real addresses do not use.
                    detail["domains"] = unused_email_domains(present)
                elif spec.pii_type not in _FAKERS or clashes_with_fakes(spec.pii_type, present):
                    detail["template"] = disjoint_template(present)
            elif spec.kind is ColumnKind.TEXT:
                lengths = present.astype(str).str.len()
                detail["max_chars"] = int(max(20, min(400, lengths.median() if len(lengths) else 80)))
            plans.append(_Plan(spec.name, spec.kind, missing, detail))
        return cls(tuple(plans))

    def sample(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        """``n`` rows of the generated columns, with missing values at the stored rates (not for identifiers)."""
        out: dict[str, Any] = {}
        for plan in self.plans:
            values = self._values(plan, n, rng)
            if plan.missing_rate > 0 and plan.kind is not ColumnKind.IDENTIFIER:
                values = pd.Series(values, dtype=object)
                values[rng.random(n) < plan.missing_rate] = None
            out[plan.name] = values
        return pd.DataFrame(out, index=pd.RangeIndex(n))

    def block_identifiers(self, first_row: int, n: int, total_rows: int, key: int) -> dict[str, np.ndarray]:
        """Identifier columns of rows ``[first_row, first_row + n)`` of a ``total_rows``-row table.

        For tables drawn in independent blocks (:mod:`synth.sampling`): values are unique over the whole table
        whichever block or worker draws them (numeric keys by offset, formatted ones by a keyed permutation).
        """
        from synth.sampling.identifiers import block_identifiers

        out: dict[str, np.ndarray] = {}
        for plan in self.plans:
            if plan.kind is not ColumnKind.IDENTIFIER:
                continue
            if plan.detail["numeric"]:
                start = plan.detail["start"] + first_row
                out[plan.name] = np.arange(start, start + n, dtype=np.int64)
            else:
                out[plan.name] = block_identifiers(plan.detail["template"], _avoid(plan), first_row, n, total_rows, key)
        return out

    @staticmethod
    def _values(plan: _Plan, n: int, rng: np.random.Generator) -> Any:
        if plan.kind is ColumnKind.CONSTANT:
            return pd.Series([plan.detail["value"]] * n, dtype=object)
        if plan.kind is ColumnKind.IDENTIFIER:
            if plan.detail["numeric"]:
                # New keys from a power of ten above every real key: unique, and none of them a real key.
                return np.arange(plan.detail["start"], plan.detail["start"] + n, dtype=np.int64)
            return fresh_identifiers(plan.detail["template"], _avoid(plan), n, rng)
        if plan.kind is ColumnKind.PII:
            return fake_values(
                plan.detail.get("pii_type"),
                n,
                rng,
                _avoid(plan),
                plan.detail.get("template"),
                domains=plan.detail.get("domains"),
            )
        return fake_text(n, rng, plan.detail["max_chars"])


def _avoid(plan: _Plan) -> np.ndarray:
    """Hashes of real values kept by files written before generation became disjoint by construction."""
    avoid = plan.detail.get("avoid")
    if isinstance(avoid, np.ndarray):
        return avoid
    if avoid:  # a set of real values, as an older fit stored them
        return hash_values(list(avoid))
    return np.zeros(0, dtype=np.uint64)
