"""The seeded tables of the session-20 and -21 browser walks, built here so that every figure measured on them
can be reproduced from a clean clone (they were scripts in a scratch folder).

* :func:`shop_orders`: 5,000 e-commerce orders (session 20): text money and percent, tz-aware order times, later
  ship and delivery dates, zip codes with leading zeros, Unicode names and e-mails, a 200-level product category, a
  rare chargeback class (about 0.5%) and missing values.
* :func:`clinic`: 4,000 clinic visits (session 21): repeated patient ids, names, NHS-style numbers, UK phone
  numbers and postcodes, dates of birth as DD/MM/YYYY, visit times between 08:00 and 17:59, a discharge date on or
  after the visit's day, 12 departments, 231 diagnosis codes, costs as "£1,234.50", a rare readmission class, free
  text and missing values.
* :func:`hr`: 3,000 employees (session 22): version-4 UUIDs, names and work e-mails, IBANs, dates of birth as
  DD.MM.YYYY, office coordinates around three cities (missing for remote staff), salaries as "€72,100.00" (all to
  the nearest 100), bonuses as "7.5%", booleans as True/False and Yes/No, a rating with missing values, a rare
  leaver class (1.3%) with its termination date, private IP addresses and free-text notes.
* :func:`survey`: 2,500 survey responses (session 23), byte for byte the walk's ``survey.csv``: Likert answers, an
  app rating and frequency only for app users, four time shares summing to 100, a weight, and a rare speeder flag
  (0.6%) whose rows alone took under 60 seconds.
* :func:`visits`: about 3,600 hospital visits of 1,200 patients (session 38), each visit's age computed from the
  patient's date of birth and the admission, a cost growing with the age, ten patients with 15–30 visits.
* :func:`card_records` / :func:`card_transactions`: 6,000 card payments of 700 bank accounts as nested JSON Lines
  records (session 40): repeated IBANs, JavaScript timestamps, a list column, a 0.3% fraud flag.

Writing them (``python -m benchmarks.walk_tables DIR``: CSV, the transactions as JSON Lines) gives the files the walks
uploaded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd


def shop_orders(n: int = 5_000, seed: int = 20) -> pd.DataFrame:
    """The session-20 shop table (``orders.csv``)."""
    rng = np.random.default_rng(seed)
    first = ["José", "Zoë", "Ærin", "Łukasz", "Søren", "Mårten", "Élodie", "Nguyễn", "Renée", "Björn", "Anaïs"]
    first += ["Chloé", "Dmitri", "Oğuz", "Siobhán"]
    last = ["García", "Müller", "Øster", "Dvořák", "Nowak", "O'Brien", "Smith", "Lê", "Ibáñez", "Kowalczyk"]
    cust = rng.integers(0, 1800, n)
    names = np.array([f"{first[i % 15]} {last[(i * 7) % 10]}" for i in range(1800)])
    start = pd.Timestamp("2025-01-01", tz="Europe/Berlin")
    ts = start + pd.to_timedelta(np.sort(rng.uniform(0, 330 * 86400, n)), unit="s")
    cat = rng.zipf(1.4, n) % 200
    qty = rng.poisson(1.5, n) + 1
    price = np.round(np.exp(rng.normal(3.2, 0.8, n)), 2)
    disc = rng.choice([0, 5, 10, 15, 25], n, p=[0.6, 0.15, 0.12, 0.08, 0.05])
    total = np.round(qty * price * (1 - disc / 100), 2)
    express = rng.random(n) < 0.2 + 0.3 * (total > 100)
    ship = ts + pd.to_timedelta(np.where(express, rng.uniform(0.2, 1.5, n), rng.uniform(1, 6, n)), unit="D")
    delivered = ship + pd.to_timedelta(rng.uniform(0.5, 4, n), unit="D")
    zipc = np.array([f"{z:05d}" for z in rng.integers(500, 99999, n)])
    charge = rng.random(n) < 0.004 + 0.02 * (total > 300)
    notes = ["", "", "", "leave at door", "call before delivery", "gift – please wrap 🎁", "Rückruf erwünscht"]
    notes = rng.choice([*notes, "fragile!!"], n)
    df = pd.DataFrame(
        {
            "order_id": [f"ORD-{100000 + i}" for i in range(n)],
            "customer": names[cust],
            "email": [f"{names[c].split()[0].lower()}.{c}@example.org" for c in cust],
            "ordered_at": ts.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "shipped_at": pd.Series(ship.strftime("%Y-%m-%d %H:%M")).where(rng.random(n) > 0.05),
            "delivered_on": pd.Series(delivered.strftime("%d/%m/%Y")).where(rng.random(n) > 0.08),
            "zip": zipc,
            "category": [f"cat-{c:03d}" for c in cat],
            "quantity": qty,
            "unit_price": [f"${p:,.2f}" for p in price],
            "discount": [f"{d}%" for d in disc],
            "total": total,
            "express": np.where(express, "yes", "no"),
            "note": notes,
            "chargeback": np.where(charge, "Y", "N"),
        }
    )
    df.loc[rng.random(n) < 0.03, "quantity"] = np.nan
    return df


DEPARTMENTS = ["Cardiology", "A&E", "Orthopaedics", "Oncology", "Paediatrics", "Dermatology", "Neurology", "Gastro"]
DEPARTMENTS += ["Renal", "Respiratory", "Maternity", "Ophthalmology"]


def clinic(n: int = 4_000, patients: int = 1_300, seed: int = 21) -> pd.DataFrame:
    """The session-21 clinic table (``clinic.csv``)."""
    from faker import Faker

    rng = np.random.default_rng(seed)
    fk = Faker("en_GB")
    fk.seed_instance(seed)
    pats = pd.DataFrame(
        {
            "patient_id": [f"P{x:06d}" for x in rng.choice(900000, patients, replace=False) + 100000],
            "name": [fk.name() for _ in range(patients)],
            "nhs_number": [
                f"{rng.integers(100, 999)} {rng.integers(100, 999)} {rng.integers(1000, 9999)}" for _ in range(patients)
            ],
            "phone": [fk.phone_number() for _ in range(patients)],
            "postcode": [fk.postcode() for _ in range(patients)],
            "date_of_birth": [
                fk.date_of_birth(minimum_age=1, maximum_age=95).strftime("%d/%m/%Y") for _ in range(patients)
            ],
            "sex": rng.choice(["F", "M"], patients),
            "smoker": rng.choice(["yes", "no", None], patients, p=[0.18, 0.7, 0.12]),
        }
    )
    w = rng.pareto(1.8, patients) + 1
    df = pats.iloc[rng.choice(patients, n, p=w / w.sum())].reset_index(drop=True)
    df.insert(0, "visit_id", np.arange(1, n + 1) + 50000)
    start = pd.Timestamp("2023-01-01")
    visit = start + pd.to_timedelta(rng.integers(0, 700, n), "D") + pd.to_timedelta(rng.integers(480, 1080, n), "min")
    shares = [0.1, 0.25, 0.1, 0.06, 0.08, 0.07, 0.05, 0.07, 0.04, 0.08, 0.06, 0.04]
    dept = rng.choice(DEPARTMENTS, n, p=shares)
    stay = np.where(dept == "A&E", rng.poisson(0.4, n), rng.negative_binomial(2, 0.35, n))
    df["visit_time"] = visit.strftime("%Y-%m-%d %H:%M")
    df["discharge_date"] = (visit.normalize() + pd.to_timedelta(stay, "D")).strftime("%Y-%m-%d")
    df["department"] = dept
    codes = [f"{c}{rng.integers(0, 99):02d}.{rng.integers(0, 9)}" for c in rng.choice(list("ABCDEFGIJKMNRS"), 300)]
    weights = rng.pareto(1.0, 300) + 0.05
    df["diagnosis"] = rng.choice(codes, n, p=weights / weights.sum())
    df["length_of_stay"] = stay
    cost = 180 + stay * rng.normal(900, 150, n) + (dept == "Oncology") * 2500 + rng.gamma(2, 60, n)
    df["cost"] = [f"£{c:,.2f}" for c in cost]
    bmi = rng.normal(27, 5, n).round(1)
    bmi[rng.random(n) < 0.2] = np.nan
    df["bmi"] = bmi
    born = pd.to_datetime(df["date_of_birth"], format="%d/%m/%Y")
    age = ((pd.Series(visit) - born).dt.days / 365.25).astype(int)
    readmitted = rng.random(n) < 0.002 + 0.03 * (stay > 6) + 0.01 * (age > 75)
    df["readmitted_30d"] = np.where(readmitted, "yes", "no")
    df["notes"] = [fk.sentence(nb_words=8) if rng.random() < 0.3 else None for _ in range(n)]
    return df


def hr(n: int = 3_000, seed: int = 7) -> pd.DataFrame:
    """The session-22 HR table (``hr.csv``)."""
    import uuid

    from faker import Faker

    rng = np.random.default_rng(seed)
    fk = Faker("en_GB")
    fk.seed_instance(seed)
    offices = {"Berlin": (52.52, 13.405), "Madrid": (40.4168, -3.7038), "London": (51.5072, -0.1276)}
    offices["Remote"] = (np.nan, np.nan)
    office = rng.choice(list(offices), n, p=[0.4, 0.25, 0.25, 0.1])
    depts = ["Engineering", "Sales", "Finance", "HR", "Legal", "Support", "Marketing", "Ops"]
    dept = rng.choice(depts, n, p=[0.3, 0.2, 0.1, 0.05, 0.03, 0.15, 0.1, 0.07])
    level = rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.25, 0.3, 0.2, 0.15, 0.07, 0.03])
    gender = rng.choice(["F", "M", "X"], n, p=[0.45, 0.53, 0.02])
    age = np.clip((22 + level * 4 + rng.normal(0, 6, n)).round(), 20, 67).astype(int)
    base = dict(zip(depts, [60000, 45000, 55000, 42000, 70000, 35000, 47000, 40000], strict=True))
    salary = np.array([base[d] for d in dept]) * (1 + 0.22 * (level - 1)) * np.where(gender == "F", 0.95, 1.0)
    salary = (salary * rng.lognormal(0, 0.08, n) / 100).round() * 100
    bonus = np.where(np.isin(dept, ["Sales"]), rng.uniform(5, 20, n), rng.uniform(0, 8, n)).round(1)
    hire = pd.Timestamp("2012-01-01") + pd.to_timedelta(rng.integers(0, 365 * 12, n), unit="D")
    leaver = rng.random(n) < 0.012
    term = pd.Series(pd.NaT, index=range(n))
    term[leaver] = hire[leaver] + pd.to_timedelta(rng.integers(60, 900, leaver.sum()), unit="D")
    lat = np.array([offices[o][0] for o in office]) + rng.normal(0, 0.03, n)
    lon = np.array([offices[o][1] for o in office]) + rng.normal(0, 0.05, n)
    rating = rng.choice(["Below", "Meets", "Exceeds", "Outstanding"], n, p=[0.1, 0.6, 0.25, 0.05])
    names = [fk.name() for _ in range(n)]
    born = pd.Timestamp("2025-01-01")
    df = pd.DataFrame(
        {
            "employee_uuid": [
                str(uuid.UUID(int=int(rng.integers(0, 2**62)) << 64 | int(rng.integers(0, 2**62)), version=4))
                for _ in range(n)
            ],
            "full_name": names,
            "work_email": [nm.lower().replace(" ", ".").replace("'", "") + "@acme-corp.de" for nm in names],
            "iban": [fk.iban() for _ in range(n)],
            "date_of_birth": [
                (born - pd.Timedelta(days=int(a * 365.25 + rng.integers(0, 365)))).strftime("%d.%m.%Y") for a in age
            ],
            "gender": gender,
            "office": office,
            "office_lat": np.round(lat, 5),
            "office_lon": np.round(lon, 5),
            "department": dept,
            "level": [f"L{v}" for v in level],
            "hire_date": hire.strftime("%Y-%m-%d"),
            "termination_date": term.dt.strftime("%Y-%m-%d"),
            "salary_eur": [f"€{v:,.2f}" for v in salary],
            "bonus_pct": [f"{b}%" for b in bonus],
            "remote_ok": np.where(office == "Remote", True, rng.random(n) < 0.3),
            "is_manager": np.where(level >= 4, "Yes", "No"),
            "rating": rating,
            "left_company": leaver.astype(int),
            "commute_km": np.where(office == "Remote", 0, rng.lognormal(2.3, 0.8, n).round(1)),
            "last_login_ip": [fk.ipv4_private() for _ in range(n)],
            "manager_notes": [
                fk.sentence(nb_words=int(rng.integers(4, 12))) if rng.random() < 0.6 else None for _ in range(n)
            ],
        }
    )
    df.loc[rng.random(n) < 0.04, "commute_km"] = np.nan
    df.loc[rng.random(n) < 0.02, "rating"] = None
    return df


def survey(n: int = 2_500, seed: int = 23) -> pd.DataFrame:
    """The session-23 survey table (``survey.csv``): Likert answers, a 0-10 score with missing values, an app rating
    and frequency only for app users, four time shares summing to 100, start and submit times, a survey weight and
    a rare speeder flag (about 0.6%) whose rows have a short ``duration_s`` (20-59 s against a median of ~500)."""
    rng = np.random.default_rng(seed)
    likert = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    bands = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
    age_band = rng.choice(bands, n, p=[0.12, 0.24, 0.22, 0.18, 0.14, 0.10])
    countries = ["UK", "US", "DE", "FR", "ES", "IT", "NL", "SE", "PL", "IE", "PT", "BE", "AT", "DK", "FI", "NO"]
    countries += ["CZ", "GR"]
    shares = np.array([30, 25, 10, 8, 6, 5, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 0.6, 0.4]) / 100
    country = rng.choice(countries, n, p=shares)
    sat = np.clip(np.round(rng.normal(3.6, 1.0, n)), 1, 5).astype(int)
    nps = np.clip(np.round(sat * 2 + rng.normal(0, 1.5, n)), 0, 10).astype(int)
    uses_app = rng.random(n) < 0.55
    app_rating = np.where(uses_app, np.clip(np.round(rng.normal(3.8, 0.9, n)), 1, 5), np.nan)
    app_freq = np.where(uses_app, rng.choice(["Daily", "Weekly", "Monthly"], n, p=[0.4, 0.45, 0.15]), None)
    alloc = np.round(rng.dirichlet([3, 2, 1.5, 1], n) * 100).astype(int)
    alloc[:, 3] = 100 - alloc[:, :3].sum(1)
    alloc[:, 0] += np.minimum(alloc[:, 3], 0)  # rounding overshot 100: the work share gives the point back
    alloc[:, 3] = np.maximum(alloc[:, 3], 0)
    started = pd.Timestamp("2026-03-02 08:00") + pd.to_timedelta(np.sort(rng.uniform(0, 21 * 86400, n)), unit="s")
    dur = np.round(np.exp(rng.normal(6.2, 0.6, n))).astype(int)
    flag = rng.random(n) < 0.006
    dur = np.where(flag, rng.integers(20, 60, n), dur)
    submitted = started + pd.to_timedelta(dur, unit="s")
    comments = ["", "", "", "Great service", "App keeps crashing", "Too expensive", "Support was slow"]
    comments = rng.choice([*comments, "Love the new features!", "n/a"], n)
    comments[comments == "n/a"] = ""  # read as missing: the walk's file holds it blank
    weight = np.round(rng.lognormal(0, 0.3, n), 4)
    df = pd.DataFrame(
        {
            "respondent_id": [f"R{1000000 + i * 7}" for i in range(n)],
            "started": started.strftime("%Y-%m-%d %H:%M:%S"),
            "submitted": submitted.strftime("%Y-%m-%d %H:%M:%S"),
            "duration_s": dur,
            "age_band": age_band,
            "country": country,
            "q1_satisfied": [likert[s - 1] for s in sat],
            "q2_recommend_0_10": nps,
            "q3_uses_app": np.where(uses_app, "Yes", "No"),
            "q4_app_rating": app_rating,
            "q5_app_frequency": app_freq,
            "pct_work": alloc[:, 0],
            "pct_family": alloc[:, 1],
            "pct_leisure": alloc[:, 2],
            "pct_other": alloc[:, 3],
            "comment": comments,
            "weight": weight,
            "speeder_flag": np.where(flag, 1, 0),
        }
    )
    df.loc[rng.random(n) < 0.04, "q2_recommend_0_10"] = np.nan
    return df


def visits(patients: int = 1_200, seed: int = 0, frequent: int = 10) -> pd.DataFrame:
    """Hospital visits of patients (session 38; about 3,600 rows): a patient id, sex and date of birth (one per
    patient), each visit's admission to the minute, the **age** on that day (whole years: the birthday not reached
    yet counting one less) and a cost that grows with the age; the first ``frequent`` patients visit 15–30 times, so
    that their birth dates are held by one person on many rows (pooled before a fit learns them)."""
    from synth.synthesizers.elapsed_rounded import completed_years

    rng = np.random.default_rng(seed)
    born = pd.Timestamp("1930-01-01") + pd.to_timedelta(rng.integers(0, 365 * 75, patients), unit="D")
    count = rng.geometric(0.35, patients)
    count[:frequent] = rng.integers(15, 30, frequent)
    who = np.repeat(np.arange(patients), count)
    admitted = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365 * 1440, len(who)), unit="min")
    dob = pd.DatetimeIndex(born[who])
    age = completed_years(admitted.to_numpy().view(np.int64), dob.to_numpy().view(np.int64)).astype(int)
    return pd.DataFrame(
        {
            "patient_id": [f"P{100000 + i}" for i in who],
            "sex": rng.choice(["F", "M"], patients)[who],
            "dob": dob.strftime("%Y-%m-%d"),
            "admitted": admitted.strftime("%Y-%m-%d %H:%M"),
            "age": age,
            "cost": np.round(rng.lognormal(7, 0.5, len(who)) * (1 + age / 30), 2),
        }
    )


def card_records(n: int = 6_000, accounts: int = 700, seed: int = 40) -> list[dict[str, object]]:
    """Card transactions as an API exports them (session 40), nested records for JSON Lines: a UUID, a time to the
    millisecond written as JavaScript's ``toISOString`` (``2025-05-04T12:18:08.830Z``), the account (an IBAN that
    repeats on each of its payments, its holder, e-mail, country and opening date), the amount and its currency,
    the merchant (name, category code, city), a category, a list of tags, a rare fraud flag (about 0.3%) and a note
    missing on 80% of rows. Accounts are as active as a gamma(0.8) draw says: most pay a few times, some often."""
    import uuid

    from faker import Faker

    rng = np.random.default_rng(seed)
    fake = Faker(["en_GB", "fr_FR", "nl_NL"])
    Faker.seed(seed)
    holders = []
    for i in range(accounts):
        locale = ("en_GB", "fr_FR", "nl_NL")[i % 3]
        f = fake[locale]
        opened = f.date_between("-10y", "-1y")
        holders.append((f.iban(), f.name(), f.email(), locale[-2:], str(opened)))
    codes = {"5411": "groceries", "5812": "restaurants", "5541": "fuel", "4111": "transport", "5999": "shopping"}
    codes |= {"5732": "electronics", "7011": "hotels", "4511": "flights"}
    scale = {"5411": 40, "5812": 30, "5541": 60, "4111": 5, "5999": 50, "5732": 300, "7011": 180, "4511": 350}
    merchants = [(fake.company(), code, fake.city()) for code in codes for _ in range(12)]
    activity = rng.gamma(0.8, 1.0, accounts)
    notes = ["split with friends", "refund pending", "birthday gift", "work expense", "disputed"]
    start = np.datetime64("2025-01-01T00:00:00")
    records: list[dict[str, object]] = []
    for _ in range(n):
        iban, holder, email, country, opened = holders[int(rng.choice(accounts, p=activity / activity.sum()))]
        name, code, city = merchants[int(rng.integers(len(merchants)))]
        amount = round(float(rng.lognormal(np.log(scale[code]), 0.6)), 2)
        fraud = bool(rng.random() < 0.003)
        amount = round(amount * 6, 2) if fraud else amount
        when = str(start + np.timedelta64(int(rng.integers(0, 365 * 86_400_000)), "ms")) + "Z"
        tags = ["card"] + (["contactless"] if amount < 50 and rng.random() < 0.7 else [])
        tags += ["abroad"] if rng.random() < 0.1 else []
        uid = uuid.UUID(int=int(rng.integers(0, 2**62)) << 64 | int(rng.integers(0, 2**62)), version=4)
        records.append(
            {
                "txn_id": str(uid),
                "timestamp": when,
                "account": {"iban": iban, "holder": holder, "email": email, "country": country, "opened": opened},
                "amount": {"value": -amount, "currency": "GBP" if country == "GB" else "EUR"},
                "merchant": {"name": name, "mcc": code, "city": city},
                "category": codes[code],
                "tags": tags,
                "is_fraud": fraud,
                "note": None if rng.random() < 0.8 else notes[int(rng.integers(len(notes)))],
            }
        )
    return records


def card_transactions(n: int = 6_000, accounts: int = 700, seed: int = 40) -> pd.DataFrame:
    """:func:`card_records` as the reader gives them (``synth.read_table`` of the JSON Lines file: nested fields as
    ``account.iban`` and so on, the tags as JSON text)."""
    import json

    from synth.io import read_table

    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in card_records(n, accounts, seed))
    return read_table(lines.encode("utf-8"), name="transactions.jsonl")


def main(argv: list[str]) -> list[Path]:
    """Write the five tables as CSV into the folder ``argv[0]`` (default: here), made first when it does not exist
    (the session 30 walk's ``python -m benchmarks.walk_tables /tmp/walk`` failed on a fresh folder); the paths."""
    folder = Path(argv[0] if argv else ".")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in (("orders", shop_orders), ("clinic", clinic), ("hr", hr), ("survey", survey), ("visits", visits)):
        make().to_csv(folder / f"{name}.csv", index=False)
        written.append(folder / f"{name}.csv")
    import json

    with (folder / "transactions.jsonl").open("w", encoding="utf-8") as out:  # nested records, as an API exports
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in card_records())
    written.append(folder / "transactions.jsonl")
    return written


if __name__ == "__main__":
    for path in main(sys.argv[1:]):
        print(path)
