"""Columns that are generated, never learned value by value: identifiers, PII, free text and constants.

Identifiers are regenerated in the real format (literal where all real values agree, e.g. the ``C`` of
``C10090342``), of the same width where the format can hold enough new values
(:mod:`synth.generated_shapes`), unique, or as repeated as the real key (``distinct`` of ``rows`` present
values), with the real missing share. PII is replaced by realistic fake values: seeded pools of names, streets and
phone formats from Faker, combined and re-numbered with numpy, so a million values take about a second; phone
numbers and PII of unknown type are drawn in the real values' own layouts, each by its share
(:mod:`synth.generated_layouts`).

No real identifier or PII value can reach the synthetic table, and a model file holds nothing that tests
whether a value was real: generated values are disjoint from real ones *by construction*, so nothing about
the real values (no value, no hash) needs to be kept to avoid them:

* numeric keys start above the largest real key rounded to two significant digits, in the real width where that
  holds them (visit ids 50,001 … 54,000 continue from 55,000; :func:`synth.generated_above.start_above`): the
  file keeps that start, which is never the largest key nor the one after it;
* text keys, phone numbers and PII of unknown type keep the real format's width and end in slot characters
  no real value ends in (the file keeps the template and some unused endings: as many as a sample of ten times
  the real size needs, never more than two thirds of those found, :func:`synth.generated_shapes.kept_endings`);
  text keys that fill their format (``ORD-100000`` … ``ORD-104999``) continue above the largest real key's rank
  by the same rule (``ORD-105100`` on; the file keeps that start, :mod:`synth.generated_above`); where neither can hold
  enough values, they get one more digit than the real format holds, widened at fit time until no real value
  has that shape (the file keeps only the template);
* e-mails use the reserved ``example.com`` / ``.org`` / ``.net`` domains (RFC 2606), phone numbers the
  fictional ``555-0100``–``555-0199`` lines, IP addresses blocks of their kind of range that no real address is in
  (public ones: the documentation and benchmarking ranges, RFC 5737 and 2544; IPv6 the documentation prefix), social
  security numbers the never-issued ``9xx-01..49-xxxx`` block;
* every key column's values avoid the real values of every other key column too (numeric keys start above the
  largest of them all), and a PII column's those of the other PII columns of its type: a generated manager_id is
  never a real employee_id; key columns that share no real value share no generated one either (numeric ones each
  their own range above that start, text ones of one layout each their own share of its values,
  :mod:`synth.generated_lanes`), while columns that share real values may share them;
* IP addresses keep the real kinds of range (private, public, IPv6) by share in blocks no real address is in, as
  distinct as the real ones (:mod:`synth.generated_ips`);
* names keep the real share of double-barrelled family names, each part from Faker's lists
  (:mod:`synth.generated_double_names`);
* IBANs keep the real countries' layouts by share and get valid check digits (:mod:`synth.generated_ibans`): the
  check digits are computed after the draw, and each value still ends in an ending no real IBAN has;
* card numbers keep the real networks (Visa, Mastercard, American Express, …) and layouts ("5315 8714 8418 5833",
  "3714 496353 98431", unspaced) by share, with issuer prefixes from the networks' public ranges, random digits and
  a valid check digit (:mod:`synth.generated_cards`);
* names, addresses and card numbers are drawn from Faker's lists and random digits; the only input from the
  real column is which of Faker's locales its names or addresses belong to, with their shares (locales of 20 rows
  or more, :mod:`synth.generated_locales`), the share of addresses written whole with postcode and town and the
  separator of their lines (:mod:`synth.generated_full_addresses`), and which card networks and layouts its numbers
  are in, so a coincidence with a real value (a common name) says nothing about the data.

A format's literal characters are learned only from at least :data:`MIN_TEMPLATE_VALUES` distinct values (a
column with fewer gives only the shape: digit, letter, punctuation). Missing rates are stored rounded to
:data:`MISSING_RATE_STEP`; a constant is kept only when at least :data:`MIN_CONSTANT_ROWS` rows hold it.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_above import above_format, prefers_above, start_above
from synth.generated_cards import card_layouts
from synth.generated_case import letter_cases, with_cases
from synth.generated_country_codes import country_codes
from synth.generated_double_names import hyphenated_share
from synth.generated_emails import following_names, pattern_shares

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
from synth.generated_full_addresses import whole_addresses
from synth.generated_ibans import iban_layouts, iban_levels, iban_shares, repeated_ibans_by_level
from synth.generated_ips import ip_ranges

# _Plan is saved in model files as synth.generated._Plan; keys_at and the rest are imported from here too.
from synth.generated_keys import _avoid, _fits_above, _fits_same_width, _on_detail, _spread, draw_keys
from synth.generated_keys import _outside as _outside
from synth.generated_keys import _Plan as _Plan
from synth.generated_keys import keys_at as keys_at
from synth.generated_keys import streamed_keys_at as streamed_keys_at
from synth.generated_lanes import apart, in_lane, key_lanes, most_keys, share_endings
from synth.generated_layouts import layout_formats
from synth.generated_locale_levels import locale_levels
from synth.generated_locales import locale_shares, measured_locales
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
from synth.generated_references import find_reference, pointing_keys
from synth.generated_shapes import (
    ROOM_TIMES,
    UNIQUE_SHARE,
    keys_needed,
    same_width_format,
    usual_template,
)
from synth.generated_spread import rows_per_key_spread
from synth.schema import ColumnKind, ColumnSpec, Schema

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

#: The promise, in one sentence the Data page leads with.
REGENERATION_LEAD = (
    "Identifiers and personal data (PII) are never learned: they are regenerated, never equal to a real value."
)
#: What regeneration keeps of identifier and PII columns, in the words the Data page shows under the lead (folded:
#: as one caption of 14 lines it read as a wall of grey text above the table an analyst came to edit).
REGENERATION_DETAILS = (
    "Keys, phone numbers and PII of unknown type keep the real values' character pattern and width with random "
    "digits and letters (phone numbers and postcodes in each of their common layouts, by share: layouts of 2% and 20 "
    "rows or more), keys that fill their pattern, and number keys, continue above the largest real one rounded "
    "to two significant digits (ORD-105100 after ORD-104999, 55000 after 54000; one more digit only when the "
    "real width cannot hold enough new values), phone numbers "
    "their country codes by share (codes of 20 rows or more); every generated "
    "column keeps its share of missing values (to 1%), and a key repeated across rows (a manager's id) repeats "
    "about as many distinct values, as unevenly (a few customers with many orders); a key holding another key "
    "column's values (manager_id → employee_id) "
    "points at the synthetic rows' keys as often as the real one does. E-mails move to reserved example "
    "domains, the part before the @ made from the row's generated name where the real ones follow their row's "
    "name (anna.schmidt, aschmidt12: each pattern of 20 rows or more by its share); names and addresses come "
    "from Faker's lists of the real values' locales by share (each locale of "
    "20 rows or more: German names stay German; by the row's level where a category column, a country, predicts "
    "them), or English (US) lists when the locale is unknown or mixed, with "
    "the real share of double-barrelled family names (Kaur-Reed; both parts from the lists) and of values written in "
    "capitals or in lower case, and a column of whole "
    "addresses (street, postcode and town on one line) gets whole addresses at its share of rows, every number "
    "redrawn. IBANs keep their "
    "countries' layouts by share and get valid check digits; IP addresses keep their kinds of range (private, "
    "public, IPv6) by share, in blocks of addresses no real one is in, about as many distinct ones as the real "
    "column (public ones move to ranges no host has); card numbers keep their networks and layouts by share with "
    "valid check digits."
)
REGENERATION_SUMMARY = f"{REGENERATION_LEAD} {REGENERATION_DETAILS}"

#: Generated columns' missing rates are stored rounded to this step.
MISSING_RATE_STEP = 0.01
#: A constant column's value is kept only when at least this many rows hold it (else it is left missing).
MIN_CONSTANT_ROWS = 5


def _rounded_rate(rate: float) -> float:
    return float(round(rate / MISSING_RATE_STEP) * MISSING_RATE_STEP)


def _numeric_start(keys: pd.Series) -> int:
    """Where new numeric keys start: :func:`synth.generated_above.start_above` the largest real key (1 for none);
    the largest real key is not kept. A largest key below 0 counts as -1: new keys start at 10."""
    if not len(keys):
        return 1
    # Whole numbers exactly (a float holds 1e18 - 1,000 only to 128), others rounded down.
    largest = int(keys.max()) if pd.api.types.is_integer_dtype(keys.dtype) else math.floor(float(keys.max()))
    return start_above(max(largest, -1))


@dataclass(frozen=True)
class GeneratedColumns:
    """What the shared base needs to generate the non-modelled columns of a schema."""

    plans: tuple[_Plan, ...] = ()

    @classmethod
    def fit(cls, data: pd.DataFrame, schema: Schema, by_level: bool = True) -> GeneratedColumns:
        """Learn, for each identifier / PII / text / constant column, only what generation needs.

        That is the missing rate (rounded to :data:`MISSING_RATE_STEP`), a format template that no real value
        matches, the first new numeric key (above the largest real one, rounded), the typical length of text, and a
        constant held by at least :data:`MIN_CONSTANT_ROWS` rows; never a real identifier or PII value, nor a hash of
        one. ``by_level``: names and addresses may follow a category column's levels
        (:mod:`synth.generated_locale_levels`); False for the DP network, whose file keeps no such table.
        """
        plans = []
        peers = _peer_values(data, schema)
        for spec in schema:
            if spec.kind.is_modelled:
                continue
            col = data[spec.name]
            # The real values of the other key columns (or PII columns of this type): a generated manager_id must
            # not be a real employee_id either (session 18: 63 of an HR table's synthetic managers were).
            others = peers.get(_peer_group(spec, col) or "")
            missing = _rounded_rate(float(col.isna().mean()))
            present = col.dropna()
            detail: dict[str, Any] = {}
            if spec.kind is ColumnKind.CONSTANT:
                detail["value"] = present.iloc[0] if len(present) >= MIN_CONSTANT_ROWS else None
            elif spec.kind is ColumnKind.IDENTIFIER:
                if _is_number(col):
                    detail["numeric"] = True
                    detail["start"] = _numeric_start(present if others is None else others.dropna())
                else:
                    detail["numeric"] = False
                    detail["template"] = disjoint_template(present, others)
                    base = usual_template(present.astype(str))  # once for both same-width schemes
                    detail["same_width"] = same_width_format(present, others, base)
                    detail["above"] = above_format(present, others, base)
                    if prefers_above(present, base, detail["above"], ROOM_TIMES * keys_needed(present)):
                        detail["same_width"] = None  # keys numbered in order continue above them (see there)
                    ibans = iban_layouts(present, others)  # IBANs that pass their check, by country
                    if ibans is not None:
                        detail["ibans"] = ibans
                        follows = iban_levels(present, ibans, data, schema) if by_level else None
                        if follows is not None:  # the country column an account's IBAN follows, by level
                            detail["iban_levels"] = follows
                distinct = int(present.nunique())
                if len(present) and distinct < UNIQUE_SHARE * len(present):  # a key repeated across rows (manager_id)
                    detail["distinct"] = distinct
                    detail["rows"] = len(present)
                    spread = rows_per_key_spread(present)  # how unevenly rows fall on keys: a few quantiles
                    if spread is not None:
                        detail["spread"] = spread
                    detail.update(find_reference(spec.name, data, schema))  # manager_id → employee_id
            elif spec.kind is ColumnKind.PII:
                detail["pii_type"] = spec.pii_type
                detail["provider"] = PII_PROVIDERS.get(spec.pii_type or "", "pystr")
                measured = measured_locales(spec.pii_type, present)  # each sampled row's locale, in memory only
                shares = locale_shares(spec.pii_type, present, measured)  # names' and addresses' locales, not values
                hyphenated = hyphenated_share(spec.pii_type, present)  # double-barrelled family names
                if hyphenated is not None:
                    detail["hyphenated"] = hyphenated
                cases = letter_cases(spec.pii_type, present)  # shares written in capitals / lower case
                if cases is not None:
                    detail["cases"] = cases
                cards = card_layouts(present) if spec.pii_type == "card" else None
                if cards is not None:  # card networks and layouts by share, no digit of a number
                    detail["cards"] = cards
                ranges = ip_ranges(present, others) if spec.pii_type == "ip" else None
                if ranges is not None:  # kinds of range and blocks no real address is in
                    detail["ip_ranges"] = ranges
                if shares:
                    detail["locales"] = shares
                levels = locale_levels(spec.pii_type, measured, shares, data, schema) if by_level else None
                if levels is not None:  # a category column's name and its levels' locale shares (a country's)
                    detail["locale_levels"] = levels
                whole = whole_addresses(spec.pii_type, present, shares)  # share of whole addresses, not values
                if whole is not None:
                    detail["whole_addresses"] = whole
                if spec.pii_type == "email":
                    # Public reserved names, not real values: the ones the real addresses do not use.
                    detail["domains"] = unused_email_domains(present)
                    follow = pattern_shares(
                        data, spec.name, {s.name: s.pii_type for s in schema if s.kind is spec.kind}
                    )
                    if follow is not None:  # how local parts follow the row's name: pattern names and shares
                        detail["email_names"] = follow
                elif spec.pii_type not in _FAKERS or clashes_with_fakes(spec.pii_type, present):
                    detail["template"] = disjoint_template(present, others)
                if searches_layouts(spec):
                    # The real layout ("+49 690 412 9249"), ending in endings no real value has; and the column's
                    # other common layouts with their shares ("(0191) 496 0182" beside "+441314960513").
                    finish = partial(_finished_layout, spec.pii_type, present)
                    usual, layouts = layout_formats(present, others, finish)
                    if usual is not None:
                        detail["same_width"] = usual
                    if usual is not None and layouts:
                        detail["layouts"] = layouts
            elif spec.kind is ColumnKind.TEXT:
                lengths = present.astype(str).str.len()
                detail["max_chars"] = int(max(20, min(400, lengths.median() if len(lengths) else 80)))
            plans.append(_Plan(spec.name, spec.kind, missing, detail))
        lanes: dict[str, int] = {}
        for numeric in (True, False):
            names = [p.name for p in plans if p.kind is ColumnKind.IDENTIFIER and p.detail.get("numeric") is numeric]
            lanes.update(key_lanes(data, names, numeric) if len(names) > 1 else {})
        text_keys = {
            p.name: p.detail for p in plans if p.kind is ColumnKind.IDENTIFIER and p.detail.get("numeric") is False
        }
        share_endings(data, text_keys, lanes, peers.get("text keys"))  # one format for the lanes of one layout
        # Disjoint real key columns get disjoint generated ones (synth.generated_lanes); lane 0 is stored as nothing.
        plans = [
            _Plan(p.name, p.kind, p.missing_rate, {**p.detail, "lane": lanes[p.name]}) if lanes.get(p.name) else p
            for p in plans
        ]
        return cls(tuple(plans))

    def sample(self, n: int, rng: np.random.Generator, body: pd.DataFrame | None = None) -> pd.DataFrame:
        """``n`` rows of the generated columns, with missing values at the stored rates; ``body``: the ``n`` modelled
        rows they join, whose category column names and addresses follow (:mod:`synth.generated_locale_levels`)."""
        out: dict[str, Any] = {}
        pointing = {p.name for p in self.plans if self._referenced(p) is not None}
        # Referenced keys first, so the keys pointing at them (manager_id → employee_id) can draw from them, and
        # names before the e-mails made from them.
        for plan in sorted(self.in_lanes(n).plans, key=lambda p: (p.name in pointing, "email_names" in p.detail)):
            if plan.kind is ColumnKind.IDENTIFIER:
                missing = rng.random(n) < plan.missing_rate if plan.missing_rate > 0 else np.zeros(n, dtype=bool)
                target = self._referenced(plan)
                if target is not None:
                    present = pointing_keys(
                        plan.detail,
                        pd.Series(out[target]),
                        np.flatnonzero(~missing),
                        partial(draw_keys, _outside(plan), rng=rng),
                        rng,
                    )
                else:
                    # The rows' levels only for IBANs that follow one: slicing the body copies every modelled column.
                    rows_of = None
                    if "iban_levels" in plan.detail and body is not None and len(body) == n:
                        rows_of = body.iloc[np.flatnonzero(~missing)]
                    present = draw_keys(plan, int(n - missing.sum()), rng, rows_of)
                values = pd.Series(present) if not missing.any() else _spread(present, missing)
            else:
                values = self._values(
                    plan, n, rng, body if body is not None and len(body) == n else None, self._name_locales(plan)
                )
                if plan.kind is ColumnKind.PII:  # e-mails made from the row's generated name, where the real ones are
                    values = following_names(plan.detail, values, out, rng)
                if plan.missing_rate > 0:
                    values = pd.Series(values, dtype=object)
                    values[rng.random(n) < plan.missing_rate] = None
            out[plan.name] = values
        return pd.DataFrame({p.name: out[p.name] for p in self.plans}, index=pd.RangeIndex(n))

    def follow_levels(self, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """``frame`` with each repeated IBAN key drawn again in its rows' country
        (:func:`synth.generated_ibans.repeated_ibans_by_level`)."""
        return repeated_ibans_by_level(self.plans, frame, rng)

    def without_repeats(self, names: Collection[str]) -> GeneratedColumns:
        """These columns with the keys ``names`` drawn unique, row by row: keys each person holds alone (a holder's
        IBAN), whose rows take their person's first row's value (:mod:`synth.synthesizers.people`)."""
        drop = ("distinct", "rows", "spread", "references", "inside_share", "self_share")
        unique = [
            _Plan(p.name, p.kind, p.missing_rate, {k: v for k, v in p.detail.items() if k not in drop})
            for p in self.plans
        ]
        return GeneratedColumns(tuple(u if p.name in names else p for p, u in zip(self.plans, unique, strict=True)))

    def in_lanes(self, rows: int) -> GeneratedColumns:
        """These columns for a ``rows``-row table, each key moved to its lane (:mod:`synth.generated_lanes`): what a
        sample and every block of a streamed table of ``rows`` rows draw."""
        if not any(p.detail.get("lane") for p in self.plans):
            return self
        keys = [i for i, p in enumerate(self.plans) if p.kind is ColumnKind.IDENTIFIER]
        moved = [in_lane(p.detail, rows) for p in self.plans]
        # Text keys of one layout in lanes of their own: one scheme, each lane its own values (synth.generated_lanes).
        fits = (_fits_same_width, _fits_above)
        laned = apart(
            [moved[i] for i in keys], [most_keys(self.plans[i].detail, rows) for i in keys], *map(_on_detail, fits)
        )
        moved = [dict(zip(keys, laned, strict=True)).get(i, d) for i, d in enumerate(moved)]
        return GeneratedColumns(
            tuple(_Plan(p.name, p.kind, p.missing_rate, moved[i]) for i, p in enumerate(self.plans))
        )

    def _referenced(self, plan: _Plan) -> str | None:
        """The generated unique key column ``plan`` points at, if it points at one (see
        :mod:`synth.generated_references`)."""
        target = plan.detail.get("references")
        if plan.kind is not ColumnKind.IDENTIFIER or "distinct" not in plan.detail or not isinstance(target, str):
            return None
        for other in self.plans:  # a model file naming a column that is not a generated unique key: no pointing
            if other.name == target and other.kind is ColumnKind.IDENTIFIER and "distinct" not in other.detail:
                return target if other.name != plan.name else None
        return None

    def block_identifiers(
        self, first_row: int, n: int, total_rows: int, key: int, body: pd.DataFrame | None = None
    ) -> dict[str, np.ndarray]:
        """Identifier columns of rows ``[first_row, first_row + n)`` of a ``total_rows``-row table.

        For tables drawn in independent blocks (:mod:`synth.sampling`): values are unique over the whole table
        whichever block or worker draws them (numeric keys by offset, formatted ones by a keyed permutation, keyed
        by the column too: :func:`streamed_keys_at`). Repeated keys come from :meth:`block_repeated`. ``body``: the
        block's ``n`` rows, whose country IBANs follow (:func:`synth.generated_ibans.iban_shares`), as in a sample.
        """
        rows = np.arange(first_row, first_row + n, dtype=np.uint64)
        return {
            plan.name: streamed_keys_at(plan, rows, total_rows, key, iban_shares(plan.detail, body))
            for plan in self.in_lanes(total_rows).plans
            if plan.kind is ColumnKind.IDENTIFIER and "distinct" not in plan.detail
        }

    def block_repeated(
        self, first_row: int, n: int, total_rows: int, key: int, local: Collection[str] = ()
    ) -> dict[str, np.ndarray]:
        """Repeated key columns (manager_id, customer_id) of rows ``[first_row, first_row + n)``: each column's
        values (None where missing), drawn from one pool for the whole table (:mod:`synth.sampling.repeated`); the
        ``local`` ones (a person column) from the block's own share of it (:func:`~synth.sampling.repeated.
        local_members`)."""
        from synth.sampling.repeated import repeated_block

        laned = self.in_lanes(total_rows)
        return {
            plan.name: repeated_block(laned, plan, first_row, n, total_rows, key, plan.name in local)
            for plan in laned.plans
            if plan.kind is ColumnKind.IDENTIFIER and "distinct" in plan.detail
        }

    def _name_locales(self, plan: _Plan) -> Any:
        """For an e-mail column, the locales of the table's name column (its people's names: ``Annelene Heser``),
        from which the addresses not made from their row's name take their words; None for other columns or when
        the names are en_US (the e-mails' own lists)."""
        if plan.kind is not ColumnKind.PII or plan.detail.get("pii_type") != "email":
            return None
        for other in self.plans:
            if other.kind is ColumnKind.PII and other.detail.get("pii_type") in ("name", "first_name", "last_name"):
                locales = other.detail.get("locales")
                if isinstance(locales, dict) and set(locales) - {"en_US"}:
                    return locales
        return None

    @staticmethod
    def _values(
        plan: _Plan, n: int, rng: np.random.Generator, body: pd.DataFrame | None = None, name_locales: Any = None
    ) -> Any:
        if plan.kind is ColumnKind.CONSTANT:
            return pd.Series([plan.detail["value"]] * n, dtype=object)
        if plan.kind is ColumnKind.PII:
            values = fake_values(
                plan.detail.get("pii_type"),
                n,
                rng,
                _avoid(plan),
                plan.detail.get("template"),
                domains=plan.detail.get("domains"),
                same_width=plan.detail.get("same_width"),
                layouts=plan.detail.get("layouts"),
                locales=plan.detail.get("locales") or name_locales,
                ip_ranges=plan.detail.get("ip_ranges"),
                hyphenated=plan.detail.get("hyphenated"),
                cards=plan.detail.get("cards"),
                whole_addresses=plan.detail.get("whole_addresses"),
                locale_levels=plan.detail.get("locale_levels"),
                body=body,
            )
            return with_cases(values, plan.detail.get("cases"), rng)  # capitals where the real column has them
        return fake_text(n, rng, plan.detail["max_chars"])


def _is_number(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)


def reads_every_value(spec: ColumnSpec, values: pd.Series) -> bool:
    """Whether :meth:`GeneratedColumns.fit` reads every value of this column to learn its format and the endings
    no real value has (text keys, phone numbers, PII of a type without a faker): the generated columns whose fit
    grows with the rows, as names and e-mails drawn from Faker barely do. The fit-time estimate counts them
    (:func:`synth.audit.calibration.fit_shape`)."""
    if spec.kind is ColumnKind.IDENTIFIER:
        return not _is_number(values)
    # IP columns too: the blocks no real address is in are read off every address (synth.generated_ips).
    return searches_layouts(spec) or (spec.kind is ColumnKind.PII and spec.pii_type == "ip")


def searches_layouts(spec: ColumnSpec) -> bool:
    """Whether :meth:`GeneratedColumns.fit` learns this column's common layouts
    (:func:`synth.generated_layouts.layout_formats`): phone numbers and PII of a type without a faker."""
    return spec.kind is ColumnKind.PII and (spec.pii_type == "phone" or spec.pii_type not in _FAKERS)


def _peer_group(spec: ColumnSpec, col: pd.Series) -> str | None:
    """Which columns' real values a generated column must avoid besides its own: numeric keys, text keys, or the
    PII columns of its type (a second phone column); None for the rest."""
    if spec.kind is ColumnKind.IDENTIFIER:
        return "numeric keys" if _is_number(col) else "text keys"
    if spec.kind is ColumnKind.PII:
        return f"pii:{spec.pii_type}"
    return None


def _peer_values(data: pd.DataFrame, schema: Schema) -> dict[str, pd.Series]:
    """For each group of :func:`_peer_group` with two or more columns, the present real values of them all."""
    groups: dict[str, list[pd.Series]] = {}
    for spec in schema:
        if spec.kind.is_modelled or spec.name not in data:
            continue
        group = _peer_group(spec, data[spec.name])
        if group is not None:
            present = data[spec.name].dropna()
            groups.setdefault(group, []).append(present if group == "numeric keys" else present.astype(str))
    return {group: pd.concat(columns, ignore_index=True) for group, columns in groups.items() if len(columns) > 1}


def _finished_layout(
    pii_type: str | None, present: pd.Series, own: pd.Series | None, shaped: dict[str, Any]
) -> dict[str, Any] | None:
    """A layout's same-width format as stored: a phone number's with its country codes (learned from ``own``, the
    layout's values, or from all of ``present``), None for a layout with no room for a phone number."""
    if pii_type != "phone":
        return shaped
    return country_codes(present, shaped, own) if _phone_like(shaped) else None


def _phone_like(shaped: dict[str, Any]) -> bool:
    """A layout with room for a phone number (at least seven digits)."""
    return sum(1 for is_slot, ch in _parse_template(shaped["template"]) if is_slot and ch in "9N") >= 7
