"""The messy customer table of the session-33 walk, drawn at any size from its recipe (one population per seed).

3,000 customers: an id, name, e-mail and phone (identifiers and PII), signup date and last login, country,
segment, age / balance / transactions with 10% missing each, churned ("yes" 18%) and fraud (0.5% of rows, a
fixed count). Every column is drawn independently of the others (last login follows signup), so nothing a model
learns ties a row to one customer. ``customers(3000, 7)`` is the walk's table; other sizes and seeds give more
rows of the same population: fresh real rows a synthesizer never saw.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FIRST = "Anna Ben Clara David Eva Felix Greta Hugo Ida Jonas Karin Luca Mia Noah Olga Paul Rosa Sven Tina Yusuf"
LAST = "Müller Schmidt Garcia Rossi Dubois Nowak Jensen Silva Kowalski Smith Brown Martin Weber Novak Costa"
FRAUD_SHARE = 0.005


def customers(n: int = 3000, seed: int = 7) -> pd.DataFrame:
    """``n`` customers drawn by the walk's recipe with ``seed`` (3,000 and 7: the walk's own table)."""
    rng = np.random.default_rng(seed)
    fn, ln = rng.choice(FIRST.split(), n), rng.choice(LAST.split(), n)
    names = [f"{a} {b}" for a, b in zip(fn, ln, strict=True)]
    domains = ["gmail.com", "web.de", "example.org", "yahoo.fr"]
    emails = [
        f"{a.lower()}.{b.lower().replace('ü', 'ue')}{rng.integers(1, 999)}@{rng.choice(domains)}"
        for a, b in zip(fn, ln, strict=True)
    ]
    phones = [
        f"+{rng.choice([49, 33, 39, 44])} {rng.integers(100, 999)} {rng.integers(1000000, 9999999)}" for _ in range(n)
    ]
    country = rng.choice(
        ["Germany", "France", "Italy", "United Kingdom", "Poland", "Spain"], n, p=[0.35, 0.2, 0.15, 0.15, 0.1, 0.05]
    )
    signup = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="D")
    last_login = signup + pd.to_timedelta(rng.integers(0, 400 * 86400, n), unit="s")
    age = rng.integers(18, 85, n).astype(float)
    balance = np.round(rng.lognormal(7, 1.2, n), 2)
    txn = rng.poisson(12, n).astype(float)
    segment = rng.choice(["retail", "premium", "business"], n, p=[0.7, 0.2, 0.1])
    fraud = np.zeros(n, int)
    fraud[rng.choice(n, round(FRAUD_SHARE * n), replace=False)] = 1
    churned = np.where(rng.random(n) < 0.18, "yes", "no")
    df = pd.DataFrame(
        {
            "customer_id": [f"C{100000 + i}" for i in range(n)],
            "name": names,
            "email": emails,
            "phone": phones,
            "signup_date": signup.strftime("%Y-%m-%d"),
            "last_login": last_login.strftime("%Y-%m-%d %H:%M:%S"),
            "country": country,
            "segment": segment,
            "age": age,
            "balance_eur": balance,
            "transactions": txn,
            "churned": churned,
            "fraud": fraud,
        }
    )
    for c in ["age", "balance_eur", "transactions"]:
        df.loc[rng.random(n) < 0.10, c] = np.nan
    return df
