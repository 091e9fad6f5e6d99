"""Do regenerated names and street addresses keep the real column's locale? (:mod:`synth.generated_locales`)

For seeded Faker tables (German, Spanish, Japanese, a UK / India mix) and the session-21 clinic table's UK names:
the schema's reading of each column, the locales a fit keeps, and the share of generated values whose own measured
locale is one the real column has, before (en_US lists, the fallback) and after. Then rows/s of a million names and
addresses, en_US (before) and de_DE (after).

    PYTHONPATH=. python -m benchmarks.bench_locales
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from synth.generated import GeneratedColumns, fake_values
from synth.generated_locales import _address_likelihoods, _name_likelihoods
from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.schema.inference import infer_schema


def faker_table(parts: dict[str, int], seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Names and street addresses of ``parts`` (locale → rows), shuffled; and each row's locale."""
    from faker import Faker

    names: list[str] = []
    streets: list[str] = []
    truth: list[str] = []
    for code, rows in parts.items():
        faker = Faker(code)
        faker.seed_instance(seed)
        names += [faker.name() for _ in range(rows)]
        streets += [" ".join(faker.street_address().replace("\n", ", ").split()) for _ in range(rows)]
        truth += [code] * rows
    order = np.random.default_rng(seed).permutation(len(names))
    df = pd.DataFrame({"name": names, "address": streets}).iloc[order].reset_index(drop=True)
    return df, np.array(truth, dtype=object)[order]


def measured(pii_type: str, values: list[str]) -> np.ndarray:
    """Each value's most likely locale on its own (no mixture weights), "?" when none of its words is known."""
    if pii_type == "address":
        locales, lik, known = _address_likelihoods(values)
    else:
        locales, lik, known = _name_likelihoods(pii_type, values)
    out = np.array(locales, dtype=object)[np.argmax(lik, axis=1)]
    out[~known] = "?"
    return out


def matching(pii_type: str, generated: np.ndarray, real_locales: set[str]) -> float:
    return float(np.isin(measured(pii_type, [str(v) for v in generated]), list(real_locales)).mean())


def locale_rows(label: str, df: pd.DataFrame, truth: np.ndarray | None, n: int = 2_000) -> None:
    inferred = {s.name: (s.kind.value, s.pii_type) for s in infer_schema(df)}
    for column in [c for c in ("name", "address") if c in df]:
        schema = Schema((ColumnSpec(column, ColumnKind.PII, pii_type=column),))
        fitted = GeneratedColumns.fit(df[[column]], schema)
        kept = fitted.plans[0].detail.get("locales")
        real = set(truth) if truth is not None else set(measured(column, df[column].dropna().astype(str).tolist()))
        before = fake_values(column, n, np.random.default_rng(1))
        after = fitted.sample(n, np.random.default_rng(1))[column].to_numpy(dtype=object)
        right = "" if truth is None else f"{np.mean(measured(column, df[column].tolist()) == truth):.1%}"
        print(
            f"{label:10s} {column:8s} schema {inferred[column]}; kept {kept}; generated in a real locale "
            f"{matching(column, before, real):.1%} -> {matching(column, after, real):.1%}; real values "
            f"measured right {right}; e.g. {after[:2].tolist()}"
        )


def speed(n: int = 1_000_000) -> None:
    for pii_type in ("name", "address"):
        mixes = (("en_US (before)", None), ("de_DE", {"de_DE": 1.0}), ("en_GB+en_IN", {"en_GB": 0.6, "en_IN": 0.4}))
        for label, locales in mixes:
            fake_values(pii_type, 1_000, np.random.default_rng(0), locales=locales)  # imports and caches
            times = []
            for _ in range(3):  # best of three: the machine is shared
                start = time.perf_counter()
                fake_values(pii_type, n, np.random.default_rng(0), locales=locales)
                times.append(time.perf_counter() - start)
            print(f"{pii_type:8s} {label:15s} {n:,} in {min(times):.2f} s = {n / min(times):,.0f} rows/s (best of 3)")


def main() -> int:
    from benchmarks.walk_tables import clinic

    for label, parts in (
        ("de_DE", {"de_DE": 2_000}),
        ("es_ES", {"es_ES": 2_000}),
        ("ja_JP", {"ja_JP": 2_000}),
        ("UK/India", {"en_GB": 1_200, "en_IN": 800}),
    ):
        df, truth = faker_table(parts)
        locale_rows(label, df, truth)
    locale_rows("clinic", clinic()[["name"]], np.full(4_000, "en_GB", dtype=object))
    speed()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
