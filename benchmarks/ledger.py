"""A seeded bank-transactions ledger in German layout: the table session 29's browser walk brought.

4,000 bookings of 300 account holders (3–40 each: ``holder_id`` is the person), each holder's name, IBAN and
e-mail on every row, booking minute and value date (0–3 days later), amounts and balances written "1.234,56 €",
25 merchant categories of which 4 are rare (missing for transfers), a channel, a fraud flag at 0.4%, and a free-text
``purpose`` whose numbers vary ("Rechnung 48213", "Miete Mai", "Überweisung an Lea"): the column that
:mod:`synth.schema.text_templates` learns as word patterns (``python -m benchmarks.bench_text_templates``).

Writing it as CSV (``python -m benchmarks.ledger OUT.csv``) gives the file the walks uploaded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import GERMAN_SURNAMES

FIRST = [
    "Anna",
    "Lukas",
    "Marie",
    "Jonas",
    "Sophie",
    "Felix",
    "Laura",
    "Paul",
    "Lea",
    "Tim",
    "Julia",
    "Max",
    "Hannah",
    "Leon",
    "Emma",
    "Ben",
    "Mia",
    "Finn",
    "Lena",
    "Noah",
    "Sarah",
    "Elias",
    "Clara",
    "David",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    *GERMAN_SURNAMES,
    "Schröder",
    "Neumann",
    "Schwarz",
    "Braun",
    "Zimmermann",
    "Krüger",
]
CATEGORIES = [
    "Lebensmittel",
    "Restaurant",
    "Tankstelle",
    "Drogerie",
    "Kleidung",
    "Elektronik",
    "Online-Handel",
    "Apotheke",
    "Baumarkt",
    "Möbel",
    "Reisen",
    "Hotel",
    "Bahn",
    "ÖPNV",
    "Streaming",
    "Telefon",
    "Versicherung",
    "Strom",
    "Miete",
    "Fitness",
    "Bücher",
    "Kino",
    "Juwelier",
    "Casino",
    "Auktionshaus",
]
CATEGORY_WEIGHTS = [14, 10, 7, 6, 6, 4, 9, 3, 3, 2, 3, 2, 3, 4, 3, 3, 3, 3, 4, 3, 2, 0.2, 0.15, 0.12, 0.12]
TRANSFER_PURPOSES = [
    "Miete {m}",
    "Rechnung {n}",
    "Überweisung an {name}",
    "Nebenkosten {m}",
    "Taschengeld {m}",
    "Darlehen Rate {k}",
]
DEBIT_PURPOSES = ["Lastschrift {cat} {m}", "Beitrag {m}", "Vertrag {n}"]
MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


def _iban(rng: np.random.Generator) -> str:
    bban = "".join(str(d) for d in rng.integers(0, 10, 18))
    check = 98 - int(bban + "131400") % 97  # "DE" is 13 14; mod-97 check digits
    text = f"DE{check:02d}{bban}"
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _german(x: float) -> str:
    text = f"{abs(x):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return ("-" if x < 0 else "") + text + " €"


def _rows_per_holder(rng: np.random.Generator, holders: int, rows: int) -> np.ndarray:
    counts = rng.integers(3, 41, holders)
    while counts.sum() != rows:
        i = rng.integers(holders)
        if counts.sum() > rows and counts[i] > 3:
            counts[i] -= 1
        elif counts.sum() < rows and counts[i] < 40:
            counts[i] += 1
    return counts


def ledger(rows: int = 4000, holders: int = 300, seed: int = 2029) -> pd.DataFrame:
    """The ledger, seeded (the walk's table at the defaults)."""
    rng = np.random.default_rng(seed)
    people = []
    for h in range(holders):
        first, last = str(rng.choice(FIRST)), str(rng.choice(LAST))
        plain = last.replace("ü", "ue").replace("ö", "oe").lower()
        domain = rng.choice(["web.de", "gmx.de", "posteo.de", "t-online.de"])
        people.append(
            {
                "holder_id": f"K{100000 + h * 37}",
                "holder_name": f"{first} {last}",
                "iban": _iban(rng),
                "email": f"{first.lower()}.{plain}{rng.integers(1, 99)}@{domain}",
                "balance": float(np.round(rng.lognormal(7.5, 1.0), 2)),
            }
        )
    weights = np.asarray(CATEGORY_WEIGHTS) / sum(CATEGORY_WEIGHTS)
    out = []
    for person, count in zip(people, _rows_per_holder(rng, holders, rows), strict=True):
        balance = person["balance"]
        times = np.sort(pd.Timestamp("2024-01-02").value + rng.integers(0, 364 * 86400, count) * 10**9)
        for t in times:
            booked = pd.Timestamp(t).floor("min")
            channel = rng.choice(["card", "transfer", "direct debit"], p=[0.6, 0.25, 0.15])
            month = MONTHS[booked.month - 1]
            category: str | None
            if channel == "card":
                category = str(rng.choice(CATEGORIES, p=weights))
                amount = -float(np.round(rng.lognormal(3.3, 0.9), 2))
                purpose = f"{category} {rng.integers(1000, 9999)}"
                days = int(rng.choice([0, 1, 2, 3], p=[0.3, 0.45, 0.2, 0.05]))
            elif channel == "transfer":
                category = None
                if rng.random() < 0.3:
                    amount = float(np.round(rng.lognormal(7.6, 0.4), 2))
                    purpose = f"Gehalt {month}"
                else:
                    amount = -float(np.round(rng.lognormal(5.5, 1.0), 2))
                    purpose = str(rng.choice(TRANSFER_PURPOSES)).format(
                        m=month, n=rng.integers(1000, 99999), name=rng.choice(FIRST), k=rng.integers(1, 36)
                    )
                days = int(rng.choice([0, 1], p=[0.6, 0.4]))
            else:
                category = str(rng.choice(["Versicherung", "Strom", "Telefon", "Streaming", "Fitness", "Miete"]))
                amount = -float(np.round(rng.lognormal(4.0, 0.8), 2))
                purpose = str(rng.choice(DEBIT_PURPOSES)).format(cat=category, m=month, n=rng.integers(1000, 99999))
                days = int(rng.choice([0, 1, 2], p=[0.2, 0.5, 0.3]))
            balance = round(balance + amount, 2)
            out.append(
                {
                    "holder_id": person["holder_id"],
                    "holder_name": person["holder_name"],
                    "iban": person["iban"],
                    "email": person["email"],
                    "booked_at": booked.strftime("%Y-%m-%d %H:%M"),
                    "value_date": (booked.normalize() + pd.Timedelta(days=days)).strftime("%Y-%m-%d"),
                    "amount": amount,
                    "merchant_category": category,
                    "channel": channel,
                    "balance_after": balance,
                    "purpose": purpose,
                    "fraud": int(rng.random() < 0.004),
                }
            )
    table = pd.DataFrame(out).sample(frac=1, random_state=7).sort_values("booked_at", kind="stable")
    table = table.reset_index(drop=True)
    table["amount"] = table["amount"].map(_german)
    table["balance_after"] = table["balance_after"].map(_german)
    return table


def main(argv: list[str]) -> Path:
    """Write the ledger at its defaults as CSV to ``argv[0]`` (default ``ledger.csv``), its folder made first when
    it does not exist; the path."""
    out = Path(argv[0] if argv else "ledger.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    ledger().to_csv(out, index=False)
    return out


if __name__ == "__main__":
    print(main(sys.argv[1:]))
