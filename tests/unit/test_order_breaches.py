"""Declared orders checked against the training rows for the data holder's eyes: an order declared the wrong way
round (last_login ≤ signup) drew every synthetic row with the two dates on the same day, and nothing said so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.schema import ColumnKind
from synth.synthesizers.declared_orders import order_breaches


def customers(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    """Signups over three years, a last login 0–400 days later, and two numbers with min ≤ max."""
    rng = np.random.default_rng(seed)
    signup = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 1100, n), unit="D")
    low = rng.integers(0, 50, n)
    return pd.DataFrame(
        {
            "signup": signup,
            "last_login": signup + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
            "segment": rng.choice(["retail", "business"], n),
            "min_order": low,
            "max_order": low + rng.integers(0, 30, n),
        }
    )


def test_an_order_declared_the_wrong_way_round_is_named_with_the_one_that_holds() -> None:
    df = customers()
    schema = synth.infer_schema(df)
    (message,) = order_breaches(df, [("last_login", "signup")], schema)
    broken = int((df.last_login > df.signup).sum())
    assert f"broken by {broken:,} of the {len(df):,} training rows" in message
    assert "Most rows have signup ≤ last_login: declare that instead" in message
    assert order_breaches(df, [("signup", "last_login")], schema) == []  # the order that holds says nothing


def test_what_the_message_says_of_a_reversed_order_is_what_the_dp_network_draws() -> None:
    """The message claims that, as declared, most synthetic rows come out with the two equal or nearly so."""
    df = customers()
    schema = synth.infer_schema(df)
    model = synth.create("privbayes", random_state=0, epsilon=3.0, declared_orders=[("last_login", "signup")])
    syn = model.fit(df, schema).sample(1000, seed=1)
    gap = (pd.to_datetime(syn.signup) - pd.to_datetime(syn.last_login)).dt.days
    assert (gap.abs() <= 1).mean() > 0.8, gap.describe()
    # and the order as declared (the right way round) keeps the real spread of gaps
    right = synth.create("privbayes", random_state=0, epsilon=3.0, declared_orders=[("signup", "last_login")])
    kept = right.fit(df, schema).sample(1000, seed=1)
    assert ((pd.to_datetime(kept.last_login) - pd.to_datetime(kept.signup)).dt.days > 30).mean() > 0.5


def test_a_few_broken_rows_are_counted_and_a_pair_declared_both_ways_is_named() -> None:
    df = customers()
    df.loc[:4, "max_order"] = df.loc[:4, "min_order"] - 1  # five rows break min ≤ max
    schema = synth.infer_schema(df)
    (numbers,) = order_breaches(df, [("min_order", "max_order")], schema)
    assert "broken by 5 of the 1,500 training rows" in numbers and "fix or drop those rows" in numbers
    assert "max_order below min_order" in numbers
    both = order_breaches(df, [("signup", "last_login"), ("last_login", "signup")], schema)
    assert any("both declared" in m and "equal" in m for m in both)


def test_the_check_is_not_written_into_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The count is un-noised: it is for the holder's eyes, never part of what the DP network releases."""
    from synth.synthesizers import declared_orders

    def refuse(*args: object, **kwargs: object) -> list[str]:
        raise AssertionError("a fit read the rows for its order check")

    monkeypatch.setattr(declared_orders, "order_breaches", refuse)
    df = customers(400)
    model = synth.create("privbayes", random_state=0, declared_orders=[("last_login", "signup")])
    model.fit(df, synth.infer_schema(df))
    assert not any("broken by" in w for w in model.fit_warnings())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-5, 5), st.integers(-5, 5) | st.none()), min_size=3, max_size=40))
def test_a_message_comes_exactly_when_some_row_breaks_the_order(rows: list[tuple[int, int | None]]) -> None:
    df = pd.DataFrame({"a": [float(a) for a, _ in rows], "b": [np.nan if b is None else float(b) for _, b in rows]})
    schema = synth.infer_schema(df)
    schema = schema.with_column("a", kind=ColumnKind.DISCRETE).with_column("b", kind=ColumnKind.DISCRETE)
    messages = order_breaches(df, [("a", "b")], schema)
    both = df.dropna()
    broken = int((both.a > both.b).sum())
    assert bool(messages) == (broken > 0)
    if broken:
        assert f"broken by {broken:,} of the {len(both):,} training rows" in messages[0]
