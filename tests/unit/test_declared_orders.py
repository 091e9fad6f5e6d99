"""Orders a user declares for the DP network: kept on every synthetic row, never read from the data."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
from synth.synthesizers.base import load_model
from synth.synthesizers.declared_orders import declarable_orders
from synth.synthesizers.persist import ModelFileError

ORDERS = [("signup", "last_order"), ("trial_start", "signup"), ("households", "people")]


def _table(n: int = 2_000, seed: int = 0, reversed_dates: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    signup = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    last = signup + pd.to_timedelta(rng.integers(0, 301, n), unit="D")
    if reversed_dates:  # every row breaks the order the user will declare
        signup, last = last + pd.Timedelta(days=1), signup
    people = rng.integers(5, 3_000, n)
    return pd.DataFrame(
        {
            "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.6, 0.3, 0.1]),
            "signup": signup,
            "last_order": last,
            "trial_start": signup - pd.to_timedelta(rng.integers(0, 30, n), unit="D"),
            "people": people,
            "households": np.maximum(1, np.round(people * rng.uniform(0.2, 0.5, n))).astype(int),
        }
    )


def _broken(table: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(low, high): float((table[low] > table[high]).mean()) for low, high in ORDERS}


def test_without_declarations_the_dp_network_breaks_the_orders() -> None:
    """The premise: the network learns no order (that would read the rows outside ε)."""
    syn = synth.create("privbayes", random_state=0, epsilon=3.0).fit(_table()).sample(3_000, seed=1)
    assert _broken(syn)[("signup", "last_order")] > 0.1


def test_declared_orders_hold_on_every_row_plain_conditioned_and_rebalanced() -> None:
    model = synth.create("privbayes", random_state=0, epsilon=3.0, declared_orders=ORDERS).fit(_table())
    for syn in (
        model.sample(3_000, seed=1),
        model.sample(500, seed=2, conditions={"plan": "pro"}),
        model.sample(500, seed=3, conditions={"people": (None, 1_000)}),
        model.sample(500, seed=4, rebalance={"plan": {"basic": 0.2, "plus": 0.4, "pro": 0.4}}),
    ):
        assert set(_broken(syn).values()) == {0.0}
    statement = model.privacy_statement()
    assert "never checked against the data" in statement and "signup ≤ last_order" in statement


def test_a_declaration_is_never_checked_against_the_rows() -> None:
    """If the fit read the data for an order, a table that breaks it on every row would change something: the
    fit would refuse it, drop the order, or sample rows that break it. None happens: the declaration is taken
    as given, so it reveals nothing about the rows."""
    table = _table(reversed_dates=True)
    assert (table["signup"] > table["last_order"]).all()
    model = synth.create("privbayes", random_state=0, epsilon=3.0, declared_orders=ORDERS[:1]).fit(table)
    assert model.declared_orders_ == (("last_order", "signup", 1.0),)
    assert _broken(model.sample(2_000, seed=1))[("signup", "last_order")] == 0.0


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ([("signup", "nowhere")], "names nowhere, not in the table"),
        ([("signup", "people")], "two different dates or two different numbers"),
        ([("signup", "signup")], "two different dates or two different numbers"),
        ("signup<=last_order", "lists \\(lower, higher\\) pairs"),
        ([("signup", "last_order", "x")], "lists \\(lower, higher\\) pairs"),
    ],
)
def test_a_bad_declaration_is_refused_with_what_may_be_paired(declared: object, message: str) -> None:
    with pytest.raises(synth.SynthesizerError, match=message):
        synth.create("privbayes", random_state=0, declared_orders=declared).fit(_table(300))


def test_only_pairs_of_one_kind_are_offered() -> None:
    pairs = declarable_orders(synth.infer_schema(_table(200)))
    assert ("signup", "last_order") in pairs and ("last_order", "signup") in pairs
    assert ("households", "people") in pairs
    assert not [p for p in pairs if {"signup", "people"} <= set(p) or "plan" in p]


def test_a_crafted_declaration_in_a_model_file_is_refused(tmp_path: Path) -> None:
    model = synth.create("privbayes", random_state=0, declared_orders=ORDERS[:1]).fit(_table(500))
    path = tmp_path / "m.synth"
    model.save(path)
    pd.testing.assert_frame_equal(load_model(path).sample(200, seed=3), model.sample(200, seed=3))
    with zipfile.ZipFile(path) as zf:
        text, arrays = zf.read("manifest.json").decode(), zf.read("arrays.npz")
    at = text.index('"declared_orders_"')
    crafted = tmp_path / "crafted.synth"
    with zipfile.ZipFile(crafted, "w") as zf:  # an order joining a date and a category
        zf.writestr("manifest.json", text[:at] + text[at:].replace('"signup"', '"plan"', 1))
        zf.writestr("arrays.npz", arrays)
    with pytest.raises(ModelFileError, match="declared orders"):
        load_model(crafted)
    assert json.loads(text)  # the untouched file stays valid


def test_a_declared_date_order_is_learned_as_a_gap_and_costs_no_budget() -> None:
    """Drawn apart, the network's dates broke the order on a third of the rows and their pairs scored 0.75
    bivariate accuracy; learned as a gap from the earlier date, the order holds by construction and the gap keeps
    its own distribution, from 0 (the declaration makes 0 a public lower bound) to 300 days."""
    table = _table(3_000, 1)
    plain = synth.create("privbayes", random_state=0, epsilon=3.0).fit(table)
    model = synth.create("privbayes", random_state=0, epsilon=3.0, declared_orders=ORDERS[:2]).fit(table)
    assert {later for later, _, _ in model.order_gaps_} == {"last_order", "signup"}
    assert sum(e for _, e, _ in model.ledger_) == pytest.approx(sum(e for _, e, _ in plain.ledger_))
    syn = model.sample(3_000, seed=1)
    gap = (syn["last_order"] - syn["signup"]).dt.days
    real = (table["last_order"] - table["signup"]).dt.days
    assert gap.min() >= 0 and abs(gap.quantile(0.05) - real.quantile(0.05)) < 25
    assert abs(gap.median() - real.median()) < 25 and gap.max() <= 400
    # A condition on a gapped date is met by filtering, and its domain is a date range.
    late = model.sample(300, seed=2, conditions={"last_order": (pd.Timestamp("2022-06-01"), None)})
    assert (late["last_order"] >= pd.Timestamp("2022-06-01")).all() and (late["signup"] <= late["last_order"]).all()


def test_a_declared_number_order_is_learned_as_a_gap_and_a_crafted_gap_is_refused(tmp_path: Path) -> None:
    table = _table(2_000, 3)
    model = synth.create("privbayes", random_state=0, epsilon=3.0, declared_orders=[("households", "people")])
    model.fit(table)
    assert model.order_gaps_ == (("people", "households", 1.0),)
    syn = model.sample(2_000, seed=1)
    assert (syn["households"] <= syn["people"]).all() and (syn["people"] == syn["people"].round()).all()
    path = tmp_path / "m.synth"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        text, arrays = zf.read("manifest.json").decode(), zf.read("arrays.npz")
    at = text.index('"order_gaps_"')
    crafted = tmp_path / "crafted.synth"
    with zipfile.ZipFile(crafted, "w") as zf:  # a gap nobody declared
        zf.writestr("manifest.json", text[:at] + text[at:].replace('"households"', '"signup"', 1))
        zf.writestr("arrays.npz", arrays)
    with pytest.raises(ModelFileError, match="order gaps"):
        load_model(crafted)


def test_a_gap_beyond_the_calendar_is_clipped_not_an_overflow() -> None:
    """A private range for a gap can reach 10¹⁵ days (a false-positive cell far out on the log grid)."""
    from synth.synthesizers.column_order import shift_dates

    start = pd.Series(pd.to_datetime(["2020-01-01", None, "2021-06-01"]))
    moved = shift_dates(start, np.asarray([1e15, 5.0, -1e15]))
    assert moved.iloc[0].year == 2261 and pd.isna(moved.iloc[1]) and moved.iloc[2].year == 1678
    assert shift_dates(start, np.asarray([1.5, 2.0, np.nan])).iloc[0] == pd.Timestamp("2020-01-02 12:00")
