"""Columns that are generated, never learned value by value: identifiers, PII, free text and constants.

Identifiers are regenerated in the real format and stay unique, and no real identifier is reused. PII is
replaced by realistic fake values from Faker (seeded), so no real name, email or phone number can reach
the synthetic table.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

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


@dataclass(frozen=True)
class _Plan:
    name: str
    kind: ColumnKind
    missing_rate: float
    detail: dict[str, Any] = field(default_factory=dict)


def _shape(value: str) -> str:
    """A format template: digits → 9, letters → A/a, the rest kept."""
    return re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", re.sub(r"\d", "9", value)))


@dataclass(frozen=True)
class GeneratedColumns:
    """What the shared base needs to generate the non-modelled columns of a schema."""

    plans: tuple[_Plan, ...] = ()

    @classmethod
    def fit(cls, data: pd.DataFrame, schema: Schema) -> GeneratedColumns:
        plans = []
        for spec in schema:
            if spec.kind.is_modelled:
                continue
            col = data[spec.name]
            missing = float(col.isna().mean())
            present = col.dropna()
            detail: dict[str, Any] = {}
            if spec.kind is ColumnKind.CONSTANT:
                detail["value"] = present.iloc[0] if len(present) else None
            elif spec.kind is ColumnKind.IDENTIFIER:
                if pd.api.types.is_numeric_dtype(col):
                    detail["numeric"] = True
                    detail["start"] = int(np.nanmax(present.to_numpy(dtype=float))) + 1 if len(present) else 1
                else:
                    shapes = present.astype(str).map(_shape)
                    detail["numeric"] = False
                    detail["template"] = shapes.mode().iloc[0] if len(shapes) else "A99999999"
                    detail["avoid"] = frozenset(present.astype(str))
            elif spec.kind is ColumnKind.PII:
                detail["provider"] = PII_PROVIDERS.get(spec.pii_type or "", "pystr")
            elif spec.kind is ColumnKind.TEXT:
                lengths = present.astype(str).str.len()
                detail["max_chars"] = int(max(20, min(400, lengths.median() if len(lengths) else 80)))
            plans.append(_Plan(spec.name, spec.kind, missing, detail))
        return cls(tuple(plans))

    def sample(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        out: dict[str, Any] = {}
        for plan in self.plans:
            values = self._values(plan, n, rng)
            if plan.missing_rate > 0 and plan.kind is not ColumnKind.IDENTIFIER:
                values = pd.Series(values, dtype=object)
                values[rng.random(n) < plan.missing_rate] = None
            out[plan.name] = values
        return pd.DataFrame(out, index=pd.RangeIndex(n))

    @staticmethod
    def _values(plan: _Plan, n: int, rng: np.random.Generator) -> Any:
        if plan.kind is ColumnKind.CONSTANT:
            return pd.Series([plan.detail["value"]] * n, dtype=object)
        if plan.kind is ColumnKind.IDENTIFIER:
            if plan.detail["numeric"]:
                # New keys above every real key: unique, and none of them is a real person's key.
                return np.arange(plan.detail["start"], plan.detail["start"] + n, dtype=np.int64)
            return _fresh_identifiers(plan.detail["template"], plan.detail["avoid"], n, rng)
        faker = _faker(rng)
        if plan.kind is ColumnKind.PII:
            provider = getattr(faker, plan.detail["provider"])
            return [provider() for _ in range(n)]
        max_chars = plan.detail["max_chars"]
        return [faker.text(max_nb_chars=max_chars) for _ in range(n)]


def _faker(rng: np.random.Generator) -> Any:
    from faker import Faker

    faker = Faker()
    faker.seed_instance(int(rng.integers(0, 2**31 - 1)))
    return faker


def _fresh_identifiers(template: str, avoid: frozenset[str], n: int, rng: np.random.Generator) -> list[str]:
    """Unique strings in ``template``'s format (9 → digit, A/a → letter) that are not real identifiers."""
    slots = [i for i, ch in enumerate(template) if ch in "9Aa"]
    alphabet = {"9": string.digits, "A": string.ascii_uppercase, "a": string.ascii_lowercase}
    capacity = 1.0
    for i in slots:
        capacity *= len(alphabet[template[i]])
    if capacity < 4 * (n + len(avoid)):
        # The real format cannot hold enough fresh keys: extend it with a numeric suffix.
        template = template + "-" + "9" * max(6, len(str(n + len(avoid))) + 2)
        slots = [i for i, ch in enumerate(template) if ch in "9Aa"]
    chars = np.array(list(template), dtype="<U1")
    seen: set[str] = set(avoid)
    result: list[str] = []
    while len(result) < n:
        need = n - len(result)
        draws = np.tile(chars, (need, 1))
        for i in slots:
            pool = np.array(list(alphabet[template[i]]), dtype="<U1")
            draws[:, i] = pool[rng.integers(0, len(pool), need)]
        for value in ("".join(row) for row in draws):
            if value not in seen:
                seen.add(value)
                result.append(value)
    return result
