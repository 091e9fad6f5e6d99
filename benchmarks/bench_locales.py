"""Do regenerated names and street addresses keep the real column's locale? (:mod:`synth.generated_locales`)

For seeded Faker tables (German, Spanish, Japanese, a UK / India mix) and the session-21 clinic table's UK names:
the schema's reading of each column, the locales a fit keeps, and the share of generated values whose own measured
locale is one the real column has, before (en_US lists, the fallback) and after. Then rows/s of a million names and
addresses, en_US (before) and de_DE (after).

Then every locale with an address provider of its own (as :mod:`benchmarks.bench_addresses` lists them): 300 seeded
Faker street addresses and 300 full addresses (``address()``, with city and postcode, its lines joined by ", " as a
CSV holds them), drawn with seed 7 (the vocabulary is made with seed 0, so these are values it never saw). For each,
the share of values whose own measured locale is the true one or one counted identical to it (de is de_DE, en_CA's
streets are en_US's), and the largest locale a fit keeps for 1,500 rows drawn from them. Prints a table per locale
and writes JSON (``--out``).

Whole addresses (``--whole``, :mod:`synth.generated_full_addresses`): for columns of 600 rows of seven locales,
a seeded share (0, 25, 50, 75, 100%) of them whole Faker addresses and the rest street lines, the share a fit reads
against the real one, for three seeds; the same for every locale's street and whole columns; then rows/s of a
million whole addresses beside street lines.

    PYTHONPATH=. python -m benchmarks.bench_locales [--out benchmarks/results/locales.json] [--full-only]
    PYTHONPATH=. python -m benchmarks.bench_locales --whole
    PYTHONPATH=. python -m benchmarks.bench_locales --by-country [--table customers.csv]

By country (``--by-country``, :mod:`synth.generated_locale_levels`): CART fitted on a customer table whose names are
British, German and French by its ``country`` column (en_GB / de_DE / fr_FR, 50/30/20%), the share of 3,000
synthetic rows whose name's (and address's) measured locale is its country's most common one, with the stored
per-country shares (after) and without them (before); then rows/s of the generated columns of a million rows.

``PYTHONPATH`` pointing at another tree's ``synth`` (``git archive <commit> synth``) measures that tree.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path
from typing import Any

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


#: Values per locale and kind, and the seed they are drawn with (the vocabulary's is 0).
PER_LOCALE = 300
PER_LOCALE_SEED = 7


def counted_as(code: str) -> str:
    """The locale ``code``'s addresses are measured as: Faker's language-only "de", "en" … are de_DE, en_US …, and
    a locale whose seeded street addresses are another's (en_CA, fil_PH) counts as that one."""
    from synth.generated_locales import _VOCAB_SAMPLE, _address_index, _street_pool

    if "_" not in code:
        code = "en_US" if code == "en" else f"{code}_{code.upper()}"
    locales = _address_index()[0]
    if code in locales:
        return code
    pool = _street_pool(code, _VOCAB_SAMPLE, 0)
    return next((other for other in locales if _street_pool(other, _VOCAB_SAMPLE, 0) == pool), code)


def per_locale_addresses() -> dict[str, Any]:
    """Street and full addresses of every locale: the share measured right and the fit's largest locale."""
    from faker import Faker

    from benchmarks.bench_addresses import largest_locale, own_address_locales

    table: dict[str, Any] = {}
    for code in own_address_locales():
        truth = counted_as(code)
        row: dict[str, Any] = {"counted_as": truth}
        for kind in ("street", "full"):
            fake = Faker(code)
            fake.seed_instance(PER_LOCALE_SEED)
            draw = fake.address if kind == "full" else fake.street_address
            values = [
                " ".join(", ".join(line.strip() for line in draw().split("\n")).split()) for _ in range(PER_LOCALE)
            ]
            column = pd.Series(np.random.default_rng(1).choice(values, 1_500))
            top = largest_locale(column)
            row[kind] = {"right": round(float(np.mean(measured("address", values) == truth)), 4), "fit": top}
        table[code] = row
        print(
            f"{code:7s} as {truth:6s} street {row['street']['right']:6.1%} fit {row['street']['fit']:6s}"
            f"{'' if row['street']['fit'] == truth else ' WRONG':6s}   full {row['full']['right']:6.1%} "
            f"fit {row['full']['fit']:6s}{'' if row['full']['fit'] == truth else ' WRONG'}",
            flush=True,
        )
    summary: dict[str, Any] = {"locales": len(table)}
    for kind in ("street", "full"):
        wrong = [code for code, row in table.items() if row[kind]["fit"] != row["counted_as"]]
        summary[kind] = {
            "mean_right": round(float(np.mean([row[kind]["right"] for row in table.values()])), 4),
            "fit_wrong": wrong,
        }
        print(
            f"{kind:6s} addresses: mean share measured right {summary[kind]['mean_right']:.1%}; the fit's largest "
            f"locale wrong for {len(wrong)} of {len(table)}: {', '.join(wrong) or 'none'}"
        )
    return {"summary": summary, "per_locale": table}


#: The locales the whole-address section mixes street and whole columns of.
WHOLE_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "ja_JP", "no_NO", "es_ES")


def whole_column(code: str, n: int, seed: int, share: float, sep: str = ", ") -> pd.Series:
    """``n`` Faker addresses of a locale, a seeded ``share`` of them whole (lines joined by ``sep``)."""
    from faker import Faker

    faker = Faker(code)
    faker.seed_instance(seed)
    rng = np.random.default_rng(seed)
    return pd.Series(
        [
            sep.join(" ".join(line.split()) for line in faker.address().split("\n") if line.strip())
            if rng.random() < share
            else " ".join(faker.street_address().replace("\n", ", ").split())
            for _ in range(n)
        ],
        name="address",
    )


def read_whole(values: pd.Series) -> tuple[float, str | None]:
    """The share of whole addresses a fit reads, and its separator."""
    schema = Schema((ColumnSpec("address", ColumnKind.PII, pii_type="address"),))
    stored = GeneratedColumns.fit(values.to_frame(), schema).plans[0].detail.get("whole_addresses")
    return (0.0, None) if stored is None else (stored["share"], stored["sep"])


def whole_addresses() -> dict[str, Any]:
    """The share of whole addresses read against the real one, per locale and share, and over every locale."""
    from benchmarks.bench_addresses import own_address_locales

    errors: dict[str, float] = {}
    for code in WHOLE_LOCALES:
        worst = 0.0
        for share in (0.0, 0.25, 0.5, 0.75, 1.0):
            for seed in (1, 2, 3):
                real = whole_column(code, 600, seed, share)
                # The real share: the rows whole_column drew whole (its draws, one per row, in the same order).
                truth = float((np.random.default_rng(seed).random(600) < share).mean())
                read, _ = read_whole(real)
                worst = max(worst, abs(read - truth))
        errors[code] = round(worst, 3)
        print(f"whole {code}: largest error of the share read over 5 shares x 3 seeds {worst:.3f}", flush=True)
    every: dict[str, Any] = {}
    for code in own_address_locales():
        street, _ = read_whole(whole_column(code, 300, PER_LOCALE_SEED, 0.0))
        whole, sep = read_whole(whole_column(code, 300, PER_LOCALE_SEED, 1.0))
        every[code] = {"street": street, "whole": whole, "sep": sep}
    missed = [f"{c} {r['whole']:.0%}" for c, r in every.items() if r["whole"] < 0.9]
    false = [f"{c} {r['street']:.0%}" for c, r in every.items() if r["street"] > 0.05]
    print(
        f"every locale ({len(every)}): whole columns read >= 90% whole for {len(every) - len(missed)} "
        f"(not: {', '.join(missed) or 'none'}); street columns read > 5% "
        f"whole for {len(false)} ({', '.join(false) or 'none'})"
    )
    return {"largest_error": errors, "every_locale": every}


def whole_speed(n: int = 1_000_000) -> None:
    """Rows/s of a million addresses: street lines (as before) and whole ones, de_DE and en_US."""
    for label, locales, whole in (
        ("de_DE street", {"de_DE": 1.0}, None),
        ("de_DE whole", {"de_DE": 1.0}, {"share": 1.0, "sep": ", "}),
        ("de_DE half", {"de_DE": 1.0}, {"share": 0.5, "sep": ", "}),
        ("en_US street", None, None),
        ("en_US whole", None, {"share": 1.0, "sep": ", "}),
    ):
        fake_values("address", 1_000, np.random.default_rng(0), locales=locales, whole_addresses=whole)
        times = []
        for _ in range(3):  # best of three: the machine is shared
            start = time.perf_counter()
            fake_values("address", n, np.random.default_rng(0), locales=locales, whole_addresses=whole)
            times.append(time.perf_counter() - start)
        print(f"address {label:13s} {n:,} in {min(times):.2f} s = {n / min(times):,.0f} rows/s (best of 3)")


def by_country(path: Path) -> None:
    """Names and addresses against their row's country, before and after (see the module docstring)."""
    from dataclasses import replace

    from synth.generated import GeneratedColumns
    from synth.generated_locales import measured_locales
    from synth.synthesizers.registry import create

    real = pd.read_csv(path)
    model = create("cart", random_state=0).fit(real)
    after = model.generated_
    before = GeneratedColumns(
        tuple(replace(p, detail={k: v for k, v in p.detail.items() if k != "locale_levels"}) for p in after.plans)
    )
    for plan in after.plans:
        if "locale_levels" in plan.detail:
            print(f"{plan.name}: follows {plan.detail['locale_levels']}")
    for label, generated in (("before", before), ("after", after)):
        model.generated_ = generated
        synthetic = model.sample(3_000, seed=1)
        for column in ("name", "address"):
            measured = measured_locales(column, synthetic[column])
            if measured is None:
                continue
            locales, which, _ = measured
            known = which[which >= 0]
            truth = {"UK": "en_GB", "DE": "de_DE", "FR": "fr_FR"}
            code = pd.Series(np.asarray(locales)[known.to_numpy()], index=known.index)
            agree = float((code == synthetic["country"].loc[known.index].map(truth)).mean())
            print(f"{label:6s} {column:8s} rows whose locale is their country's: {agree:.1%} (measured {len(known):,})")
        body = pd.DataFrame({"country": np.resize(synthetic["country"].to_numpy(), 1_000_000)})
        times = []
        for _ in range(3):  # best of three: the machine is shared
            start = time.perf_counter()
            generated.sample(len(body), np.random.default_rng(0), body)
            times.append(time.perf_counter() - start)
        print(f"{label:6s} generated columns of 1,000,000 rows: {len(body) / min(times):,.0f} rows/s (best of 3)")


def main() -> int:
    from benchmarks.walk_tables import clinic

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="write the per-locale table as JSON here")
    parser.add_argument("--full-only", action="store_true", help="only the per-locale street and full addresses")
    parser.add_argument("--whole", action="store_true", help="only the share of whole addresses read and its speed")
    parser.add_argument("--by-country", action="store_true", help="only names and addresses against the country")
    parser.add_argument("--table", type=Path, default=Path("/work/scratch/s27/walk/tables/customers.csv"))
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    if args.by_country:
        by_country(args.table)
        return 0
    if args.whole:
        whole_addresses()
        whole_speed()
        return 0
    result = per_locale_addresses()
    if args.out is not None:
        import faker

        from benchmarks.common import machine, write_results

        write_results(args.out, {"faker": faker.VERSION, **result, "machine": machine()})
    if args.full_only:
        return 0

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
