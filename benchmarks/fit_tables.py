"""Seeded tables for the fit-cost calibration (``benchmarks/calibrate_fit.py``), named by a short spec.

Adult's columns and the wide tables of numbers cannot show what a user's table often holds: generated columns
(text keys, phone numbers, e-mails, names) whose format is learned from every value, categories with hundreds of
labels, dates written as text and missing values. :func:`customers` holds all of them, in switchable amounts;
:func:`hr` is the messy HR table of the session-18 walk-through (kept as a check, never fitted to) and
:func:`many_labels` a table of four categories of 12 to 900 zipf-distributed labels.

Specs (:func:`table`): ``adult:<rows>:<columns>`` (a seeded row sample of Adult, with replacement above its size,
and its first columns), ``wide:<rows>:<numbers>`` (:func:`benchmarks.common.wide_table`),
``customers:<rows>:<generated 0/1>:<labels>``, ``hr:<rows>``, ``labels:<rows>``, ``shared:<stem>`` (a table of
``shared/datasets``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import GERMAN_SURNAMES

ROOT = Path(__file__).resolve().parent.parent
ADULT = ROOT / "assets" / "adult.csv.gz"
SHARED = ROOT.parent / "shared" / "datasets"


def _words(k: int, kind: str) -> list[str]:
    """``k`` distinct made-up words (``"Kobara town"``): labels, not keys, to the schema inference, which reads
    a prefix and digits (``city_0042``) as an identifier."""
    syllables = [a + b for a in "bdfgklmnprstvz" for b in "aeiou"]
    words = [
        (syllables[i % 70] + syllables[(i // 70) % 70] + syllables[(i * 7 + 3) % 70]).capitalize() for i in range(k)
    ]
    return [f"{w} {kind}" for w in words]


def _zipf(rng: np.random.Generator, labels: list[str], n: int, power: float = 0.9) -> np.ndarray:
    weights = 1.0 / np.arange(1, len(labels) + 1) ** power
    return rng.choice(labels, n, p=weights / weights.sum())


def _text_dates(days: np.ndarray, fmt: str, missing: np.ndarray) -> pd.Series:
    dates = (pd.Timestamp("2010-01-01") + pd.to_timedelta(days, unit="D")).strftime(fmt)
    return pd.Series(dates, dtype=object).where(~missing, None)


def customers(rows: int, generated: bool, labels: int, seed: int = 0) -> pd.DataFrame:
    """A customer table of ``rows`` rows: dates as text (day.month.year, some missing), categories of 4, 6 (some
    missing) and 25 labels, a city of ``labels`` and a product of ``labels // 2`` zipf-distributed labels, three
    numbers (one missing in 8% of rows); with ``generated``, also a text key, a text account reference, a phone
    number, an e-mail and a name."""
    rng = np.random.default_rng(seed)
    n = rows
    spend = np.round(np.exp(rng.normal(4.0, 1.0, n)), 2)
    signup = rng.integers(0, 4_000, n)
    out: dict[str, object] = {}
    if generated:
        first = ["Ann", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kim", "Lea", "Mo", "Nia"]
        last = ["Adams", "Baker", "Clark", "Diaz", "Evans", "Ford", "Gray", "Hill", "Ito", "Jones", "King", "Lee"]
        fn, ln = rng.choice(first, n), rng.choice(last, n)
        out["customer_id"] = [f"C-{v:07d}" for v in rng.permutation(n) + 1_000]
        out["account_ref"] = [f"AC{v:08d}" for v in rng.choice(10**8, n, replace=False)]
        out["phone"] = [
            f"+44 20 {a} {b}" for a, b in zip(rng.integers(1000, 9999, n), rng.integers(1000, 9999, n), strict=True)
        ]
        out["email"] = [f"{a.lower()}.{b.lower()}{i}@shop.example" for i, (a, b) in enumerate(zip(fn, ln, strict=True))]
        out["full_name"] = [f"{a} {b}" for a, b in zip(fn, ln, strict=True)]
    out["signup_date"] = _text_dates(signup, "%d.%m.%Y", rng.random(n) < 0.05)
    out["last_order"] = _text_dates(signup + rng.integers(0, 900, n), "%d.%m.%Y", rng.random(n) < 0.2)
    out["plan"] = rng.choice(["free", "basic", "plus", "pro"], n, p=[0.5, 0.3, 0.15, 0.05])
    out["channel"] = pd.Series(rng.choice(["web", "app", "shop", "phone", "mail", "partner"], n)).where(
        rng.random(n) > 0.1, None
    )
    out["country"] = _zipf(rng, _words(25, "land"), n)
    out["city"] = _zipf(rng, _words(labels, "town"), n)
    out["product"] = _zipf(rng, _words(max(labels // 2, 2), "ware"), n)
    out["spend"] = spend
    out["visits"] = rng.poisson(2 + np.log1p(spend), n)
    out["rating"] = pd.Series(np.round(rng.normal(3.6, 0.9, n).clip(1, 5) * 2) / 2).where(rng.random(n) > 0.08)
    return pd.DataFrame(out)


def hr(rows: int = 3_000, seed: int = 18) -> pd.DataFrame:
    """The messy HR table of the session-18 walk-through (``scratch/s18/walk/make_hr.py``, as it reads back from its
    CSV: dates as day.month.year text): text employee and manager keys, names, e-mails, phone numbers, two dates
    with missing values, 148 job titles, a salary with a few huge outliers, notes."""
    rng = np.random.default_rng(seed)
    n = rows
    first = [
        "Anna",
        "Bruno",
        "Chiara",
        "Dieter",
        "Elena",
        "Farid",
        "Greta",
        "Hugo",
        "Ingrid",
        "Jonas",
        "Karin",
        "Luca",
        "Marta",
        "Nils",
        "Olga",
        "Pavel",
    ]
    first += ["Quentin", "Rosa", "Sven", "Tanja", "Ulrich", "Vera", "Wim", "Xenia", "Yusuf", "Zoe"]
    last = [
        "Müller",
        "Schmidt",
        "Rossi",
        "Novak",
        "Dubois",
        "García",
        "Kowalski",
        "Jensen",
        "Nilsson",
        "Ivanova",
        "O'Brien",
        "Smith",
        "Bianchi",
    ]
    last += ["Horvat", *GERMAN_SURNAMES]
    fn, ln = rng.choice(first, n), rng.choice(last, n)
    names = [f"{a} {b}" for a, b in zip(fn, ln, strict=True)]
    emails = [
        f"{a.lower()}.{b.lower().replace(chr(39), '')}{i}@acme-corp.example"
        for i, (a, b) in enumerate(zip(fn, ln, strict=True))
    ]
    phones = [f"+49 {rng.integers(30, 899)} {rng.integers(1000000, 9999999)}" for _ in range(n)]
    emp = [f"E{100000 + i:06d}" for i in rng.permutation(n)]
    hire_days = rng.integers(0, 7000, n)
    exit_days = hire_days + rng.integers(30, 4000, n)
    left = rng.random(n) < 0.3
    hired = rng.random(n) > 0.02
    roots = [
        "Engineer",
        "Analyst",
        "Manager",
        "Consultant",
        "Technician",
        "Designer",
        "Accountant",
        "Specialist",
        "Coordinator",
    ]
    roots += ["Administrator", "Developer", "Scientist", "Officer", "Assistant", "Lead"]
    prefixes = ["Junior", "Senior", "Principal", "Associate", "Staff", "Chief", "Head", "Lead", "Regional", "Global"]
    titles = sorted({f"{p} {r}" for p in prefixes for r in roots})[:150]
    weights = 1.0 / np.arange(1, len(titles) + 1) ** 1.1
    title = rng.choice(titles, n, p=weights / weights.sum())
    outliers = np.where(rng.random(n) < 0.01, np.minimum(rng.pareto(1.5, n) + 2, 12), 1)
    salary = np.round(np.exp(rng.normal(11.0, 0.45, n)) * outliers, 2)
    salary[rng.integers(0, n)] = 2_345_678.91
    depts = ["Sales", "R&D", "HR", "Finance", "Operations", "IT", "Legal"]
    dept = pd.Series(rng.choice(depts, n, p=[0.25, 0.25, 0.05, 0.1, 0.2, 0.1, 0.05]))
    mgr = pd.Series(rng.choice(emp[:200], n)).where(rng.random(n) > 0.05, None)
    complaint = (rng.random(n) < 0.006).astype(int)
    pool = ["Excellent performer", "Needs coaching on deadlines", "Relocated from Berlin office", "Remote worker"]
    pool += ["On parental leave 2019", "Promoted twice", "Contact via personal phone only", "", "Transferred"]
    notes = pd.Series(rng.choice(pool, n)).where(rng.random(n) > 0.4, None)
    rating = pd.Series(np.round(rng.normal(3.4, 0.8, n).clip(1, 5), 1)).where(rng.random(n) > 0.07, None)
    dept = dept.where(rng.random(n) >= 0.03, None)
    return pd.DataFrame(
        {
            "employee_id": emp,
            "full_name": names,
            "email": emails,
            "phone": phones,
            "hire_date": _text_dates(hire_days, "%d.%m.%Y", ~hired),
            "exit_date": _text_dates(exit_days, "%d.%m.%Y", ~left),
            "job_title": title,
            "department": dept,
            "salary": salary,
            "bonus_pct": np.round(rng.gamma(2, 3, n), 2),
            "manager_id": mgr,
            "complaint": complaint,
            "performance": rating,
            "notes": notes,
        }
    )


def many_labels(rows: int, seed: int = 0) -> pd.DataFrame:
    """Four zipf-distributed categories of 400, 900, 120 and 12 labels and three numbers."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rows)
    return pd.DataFrame(
        {
            "product": _zipf(rng, _words(400, "ware"), rows),
            "city": _zipf(rng, _words(900, "town"), rows),
            "store": _zipf(rng, _words(120, "shop"), rows),
            "segment": _zipf(rng, _words(12, "group"), rows),
            "price": np.round(np.exp(x + 3), 2),
            "qty": rng.poisson(3, rows),
            "score": np.round(rng.normal(size=rows) + x, 3),
        }
    )


def table(spec: str) -> pd.DataFrame:
    """The table a spec names (see the module's docstring)."""
    import synth
    from benchmarks.common import wide_table

    kind, *args = spec.split(":")
    if kind == "adult":
        full = synth.read_table(ADULT, name="adult.csv")
        rows, columns = int(args[0]), int(args[1])
        pick = np.random.default_rng(0).choice(len(full), size=rows, replace=rows > len(full))
        return full.iloc[np.sort(pick), :columns].reset_index(drop=True)
    if kind == "wide":
        return wide_table(int(args[0]), int(args[1]))
    if kind == "customers":
        return customers(int(args[0]), bool(int(args[1])), int(args[2]))
    if kind == "hr":
        return hr(int(args[0]))
    if kind == "labels":
        return many_labels(int(args[0]))
    if kind == "shared":
        return synth.read_table(SHARED / f"{args[0]}.csv")
    raise ValueError(f"unknown table spec {spec!r}: use adult, wide, customers, hr, labels or shared")
