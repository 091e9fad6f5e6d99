"""How many of Faker's locales' street addresses the schema reads as personal data (``pii_type == "address"``),
whether their fakes keep the locale, and how many columns that are not addresses it reads as addresses.

For every Faker locale with its own address provider (``faker.providers.address.<locale>``; locales that only
inherit another's are left out, their addresses are the same), 300 seeded street addresses and 300 seeded full
addresses are repeated as households are (1,500 rows each, several rows per address: the layout of
``tests/unit/test_addresses.py``), and the table is read by ``synth.infer_schema``. A locale is *found* when both
columns read as addresses; an address column read as a category is learned and its shared addresses come back as
they were. A column's locale is *recognised* when the largest of its shares
(:func:`synth.generated_locales.locale_shares`, the locales its fakes are drawn from) is the locale's own or one
whose Faker street addresses are the same (de and de_DE); no share at all means fakes from en_US. Beside them, each
locale's seeded cities, companies, sentences, product labels with a size ("Kaffee 500") and quantities ("3 Kaffee"),
300 of each over 1,500 rows, must not read as addresses. Prints the counts and every locale missed; writes JSON
(``--out``).

    PYTHONPATH=. python -m benchmarks.bench_addresses [--out benchmarks/results/addresses.json]

``PYTHONPATH`` pointing at another tree's ``synth`` (``git archive <commit> synth``) measures that tree.
"""

from __future__ import annotations

import argparse
import pkgutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
ADDRESSES = 300
ROWS = 1_500
#: Sizes a product label carries ("Kaffee 500") and counts a quantity opens on ("3 Kaffee"): a name and a number, as
#: a street address without its type.
SIZES = (100, 250, 330, 500, 750, 1000)
COUNTS = tuple(range(1, 25))


def own_address_locales() -> list[str]:
    """Faker's locales with an address provider of their own, in Faker's order."""
    import faker.providers.address as providers
    from faker.config import AVAILABLE_LOCALES

    own = {m.name for m in pkgutil.iter_modules(providers.__path__)}
    return [code for code in AVAILABLE_LOCALES if code in own]


def _households(draw: Callable[[], str], seed: int) -> np.ndarray:
    values = [" ".join(draw().replace("\n", ", ").split()) for _ in range(ADDRESSES)]
    return np.random.default_rng(seed).choice(values, ROWS)


def households(locale: str) -> pd.DataFrame:
    """``street`` and ``address`` columns of ``ROWS`` rows drawn from ``ADDRESSES`` seeded addresses each."""
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(0)
    streets = [fake.street_address().replace("\n", ", ") for _ in range(ADDRESSES)]
    full = [fake.address().replace("\n", ", ") for _ in range(ADDRESSES)]
    return pd.DataFrame(
        {
            "street": np.random.default_rng(0).choice(streets, ROWS),
            "address": np.random.default_rng(1).choice(full, ROWS),
        }
    )


def non_addresses(locale: str) -> pd.DataFrame:
    """The locale's seeded cities, companies, sentences, product labels and quantities, as households are."""
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(0)
    size = iter(np.random.default_rng(2).choice(SIZES, ADDRESSES))  # one per label drawn
    count = iter(np.random.default_rng(3).choice(COUNTS, ADDRESSES))
    draws: dict[str, Callable[[], str]] = {
        "city": fake.city,
        "company": fake.company,
        "sentence": fake.sentence,
        "product": lambda: f"{fake.word().capitalize()} {next(size)}",
        "quantity": lambda: f"{next(count)} {fake.word()}",
    }
    return pd.DataFrame({name: _households(draw, seed) for seed, (name, draw) in enumerate(draws.items())})


def _read(schema: Any, column: str) -> str:
    from synth.schema import ColumnKind

    spec = schema[column]
    if spec.kind is ColumnKind.PII and spec.pii_type == "address":
        return "address"
    return f"{spec.kind.value} {spec.pii_type or ''}".strip()


def _same_streets(a: str, b: str) -> bool:
    from faker import Faker

    seeded = []
    for code in (a, b):
        fake = Faker(code)
        fake.seed_instance(0)
        seeded.append([fake.street_address() for _ in range(20)])
    return seeded[0] == seeded[1]


def largest_locale(column: pd.Series) -> str:
    """The locale holding the largest share of the column's fakes: en_US where no share is kept."""
    from synth.generated_locales import locale_shares

    shares = locale_shares("address", column)
    return "en_US" if not shares else max(shares, key=lambda code: shares[code])


def measure(recognise: bool = True, negatives: bool = True) -> dict[str, Any]:
    """The counts ``main`` prints; ``recognise`` and ``negatives`` off leave out the locales of the fakes and the
    columns that are not addresses (detection alone takes a tenth of the time)."""
    import faker

    from synth.schema import infer_schema

    per_locale: dict[str, dict[str, str]] = {}
    locales: dict[str, dict[str, str]] = {}
    false_addresses: dict[str, list[str]] = {}
    columns = 0
    for locale in own_address_locales():
        table = households(locale)
        schema = infer_schema(table)
        per_locale[locale] = {column: _read(schema, column) for column in ("street", "address")}
        if recognise:
            locales[locale] = {column: largest_locale(table[column]) for column in ("street", "address")}
        if negatives:
            others = non_addresses(locale)
            other_schema = infer_schema(others)
            columns += len(others.columns)
            read = [column for column in others.columns if _read(other_schema, column) == "address"]
            if read:
                false_addresses[locale] = read
    found = [loc for loc, read in per_locale.items() if all(v == "address" for v in read.values())]
    result: dict[str, Any] = {
        "faker": faker.VERSION,
        "locales": len(per_locale),
        "found": len(found),
        "street_found": sum(read["street"] == "address" for read in per_locale.values()),
        "address_found": sum(read["address"] == "address" for read in per_locale.values()),
        "missed": {loc: read for loc, read in per_locale.items() if loc not in found},
    }
    if recognise:
        recognised = {
            column: [loc for loc, top in locales.items() if top[column] == loc or _same_streets(loc, top[column])]
            for column in ("street", "address")
        }
        result["street_locale"] = len(recognised["street"])
        result["address_locale"] = len(recognised["address"])
        result["unrecognised"] = {
            loc: {column: top[column] for column in top if loc not in recognised[column]}
            for loc, top in locales.items()
            if any(loc not in recognised[column] for column in top)
        }
    if negatives:
        result["non_address_columns"] = columns
        result["false_addresses"] = false_addresses
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="write the result as JSON here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    result = measure()
    print(f"Faker {result['faker']}: {result['locales']} locales with their own address provider")
    print(f"found (both columns read as addresses): {result['found']} of {result['locales']}")
    print(f"  street addresses: {result['street_found']}, full addresses: {result['address_found']}")
    for locale, read in result["missed"].items():
        print(f"  missed {locale:8s} street: {read['street']:<22s} address: {read['address']}")
    print(
        f"locale recognised (largest share of the fakes): street addresses {result['street_locale']}, "
        f"full addresses {result['address_locale']} of {result['locales']}"
    )
    for locale, tops in result["unrecognised"].items():
        print(f"  {locale:8s} " + "  ".join(f"{column}: {top}" for column, top in tops.items()))
    wrong = sum(len(columns) for columns in result["false_addresses"].values())
    print(f"non-address columns read as addresses: {wrong} of {result['non_address_columns']}")
    for locale, columns in result["false_addresses"].items():
        print(f"  {locale:8s} {', '.join(columns)}")
    if args.out is not None:
        from benchmarks.common import machine, write_results

        write_results(args.out, {**result, "machine": machine()})


if __name__ == "__main__":
    main()
