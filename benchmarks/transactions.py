"""A realistic card-transactions table with a 0.5% fraud flag: the rare-event test bed (seeded, no download).

The shape follows what fraud tables look like: a skewed mix of states, a year of dates with a weekly and
seasonal rhythm, log-normal amounts that depend on the merchant category, customers of all ages, and fraud
that is rarer than 1 in 100 but not random: it favours online purchases at night, larger amounts and a few
categories. Identifiers and e-mail addresses make the table look like a real export (and are never learned).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STATES = (
    ("CA", 0.16),
    ("TX", 0.12),
    ("FL", 0.09),
    ("NY", 0.08),
    ("PA", 0.05),
    ("IL", 0.05),
    ("OH", 0.045),
    ("GA", 0.04),
    ("NC", 0.04),
    ("MI", 0.035),
    ("NJ", 0.03),
    ("VA", 0.03),
    ("WA", 0.03),
    ("AZ", 0.03),
    ("MA", 0.025),
    ("TN", 0.025),
    ("IN", 0.02),
    ("MO", 0.02),
    ("MD", 0.02),
    ("WI", 0.02),
    ("CO", 0.02),
    ("MN", 0.02),
    ("OR", 0.015),
    ("NV", 0.015),
    ("UT", 0.01),
)
CATEGORIES = (
    ("grocery", 0.25, 3.4),
    ("restaurants", 0.17, 3.3),
    ("fuel", 0.12, 3.7),
    ("retail", 0.15, 4.0),
    ("electronics", 0.06, 5.2),
    ("travel", 0.05, 5.6),
    ("entertainment", 0.08, 3.8),
    ("health", 0.07, 4.1),
    ("jewelry", 0.01, 6.0),
    ("gift_cards", 0.04, 4.3),
)
FRAUD_RATE = 0.005


def make_transactions(n: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """``n`` card transactions of 2023 with a ``fraud`` flag on about 0.5% of them (exactly ``round(0.5% n)``).

    Columns: ``transaction_id`` (identifier), ``email`` (PII), ``state``, ``date`` (day grain), ``hour``,
    ``channel`` (online / in_store / contactless), ``merchant_category``, ``amount`` (dollars, 2 decimals),
    ``customer_age``, ``card_type``, ``fraud`` (bool).
    """
    rng = np.random.default_rng(seed)
    state_names, state_p = zip(*STATES, strict=True)
    state = rng.choice(state_names, n, p=np.asarray(state_p) / sum(state_p))
    # Dates: more in December and on weekends.
    days = pd.date_range("2023-01-01", "2023-12-31", freq="D")
    weight = 1.0 + 0.35 * (days.month == 12) + 0.2 * (days.dayofweek >= 5)
    date = rng.choice(days.to_numpy(), n, p=weight / weight.sum())
    age = np.clip(np.round(rng.gamma(6.0, 7.0, n) + 16), 18, 92).astype(int)
    channel = np.where(
        rng.random(n) < np.clip(0.55 - 0.005 * (age - 18), 0.1, 0.6),
        "online",
        rng.choice(["in_store", "contactless"], n, p=[0.6, 0.4]),
    )
    cat_names, cat_p, cat_mu = zip(*CATEGORIES, strict=True)
    cat_idx = rng.choice(len(cat_names), n, p=np.asarray(cat_p) / sum(cat_p))
    category = np.asarray(cat_names, dtype=object)[cat_idx]
    hour = np.where(
        rng.random(n) < 0.85, np.clip(np.round(rng.normal(14, 4, n)), 6, 23), rng.integers(0, 24, n)
    ).astype(int)
    log_amount = np.asarray(cat_mu)[cat_idx] + rng.normal(0.0, 0.8, n) + 0.1 * (channel == "online")
    card = rng.choice(["debit", "credit", "prepaid"], n, p=[0.55, 0.4, 0.05])
    # Fraud: a score from night hours, online, large amounts, risky categories and prepaid cards; the top
    # FRAUD_RATE share of noisy scores is fraud, so the rate is exact and the signal is real but imperfect.
    risky = np.isin(category, ["electronics", "jewelry", "gift_cards", "travel"])
    night = (hour <= 4) | (hour >= 23)
    score = (
        1.4 * night
        + 1.0 * (channel == "online")
        + 0.6 * (log_amount - 4.0)
        + 1.0 * risky
        + 0.8 * (card == "prepaid")
        + rng.gumbel(0.0, 0.5, n)
    )
    n_fraud = max(1, round(FRAUD_RATE * n))
    fraud = np.zeros(n, dtype=bool)
    fraud[np.argsort(-score)[:n_fraud]] = True
    # Fraudsters push amounts up a little further.
    log_amount = log_amount + 0.5 * fraud
    amount = np.round(np.exp(log_amount), 2)
    ids = rng.choice(10**9, n, replace=False)
    return pd.DataFrame(
        {
            "transaction_id": [f"T{v:09d}" for v in ids],
            "email": [f"customer{v % 977_351}@example.com" for v in rng.permutation(ids)],
            "state": state,
            "date": pd.to_datetime(date),
            "hour": hour,
            "channel": channel,
            "merchant_category": category,
            "amount": amount,
            "customer_age": age,
            "card_type": card,
            "fraud": fraud,
        }
    )
