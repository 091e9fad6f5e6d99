"""How many of Faker's locales' street addresses the schema reads as personal data (``pii_type == "address"``).

For every Faker locale with its own address provider (``faker.providers.address.<locale>``; locales that only
inherit another's are left out, their addresses are the same), 300 seeded street addresses and 300 seeded full
addresses are repeated as households are (1,500 rows each, several rows per address: the layout of
``tests/unit/test_addresses.py``), and the table is read by ``synth.infer_schema``. A locale is *found* when both
columns read as addresses; an address column read as a category is learned and its shared addresses come back as
they were. Prints the locales missed and the counts; writes JSON (``--out``).

    PYTHONPATH=. python -m benchmarks.bench_addresses [--out benchmarks/results/addresses.json]

``PYTHONPATH`` pointing at another tree's ``synth`` (``git archive <commit> synth``) measures that tree.
"""

from __future__ import annotations

import argparse
import pkgutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
ADDRESSES = 300
ROWS = 1_500


def own_address_locales() -> list[str]:
    """Faker's locales with an address provider of their own, in Faker's order."""
    import faker.providers.address as providers
    from faker.config import AVAILABLE_LOCALES

    own = {m.name for m in pkgutil.iter_modules(providers.__path__)}
    return [code for code in AVAILABLE_LOCALES if code in own]


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


def measure() -> dict[str, Any]:
    import faker

    from synth.schema import ColumnKind, infer_schema

    per_locale: dict[str, dict[str, str]] = {}
    for locale in own_address_locales():
        schema = infer_schema(households(locale))
        per_locale[locale] = {
            column: (
                "address"
                if schema[column].kind is ColumnKind.PII and schema[column].pii_type == "address"
                else f"{schema[column].kind.value} {schema[column].pii_type or ''}".strip()
            )
            for column in ("street", "address")
        }
    found = [loc for loc, read in per_locale.items() if all(v == "address" for v in read.values())]
    return {
        "faker": faker.VERSION,
        "locales": len(per_locale),
        "found": len(found),
        "street_found": sum(read["street"] == "address" for read in per_locale.values()),
        "address_found": sum(read["address"] == "address" for read in per_locale.values()),
        "missed": {loc: read for loc, read in per_locale.items() if loc not in found},
    }


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
    if args.out is not None:
        from benchmarks.common import machine, write_results

        write_results(args.out, {**result, "machine": machine()})


if __name__ == "__main__":
    main()
