"""Generated card numbers: the real networks and layouts by share, every one passing the Luhn check, no digit of a
real number in the model."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from synth.generated import GeneratedColumns
from synth.generated_cards import NETWORKS, SEPARATORS, card_layouts, cards_at, network_of, stored_card_layouts
from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.schema.pii import luhn_ok

#: Faker's card types and the network each is read as.
FAKER_TYPES = {"visa16": "visa", "mastercard": "mastercard", "amex": "amex"}


def _grouped(number: str) -> str:
    """A number as printed on the card: 4-4-4-4, American Express 4-6-5."""
    cuts = (4, 6, 5) if len(number) == 15 else (4,) * (len(number) // 4)
    ends = np.cumsum((0, *cuts))
    return " ".join(number[a:b] for a, b in itertools.pairwise(ends))


def _real_cards(shares: dict[str, float], grouped_share: float, n: int, seed: int) -> pd.Series:
    faker = Faker("en_US")
    faker.seed_instance(seed)
    rng = np.random.default_rng(seed)
    kinds = rng.choice(list(shares), n, p=list(shares.values()))
    numbers = [faker.credit_card_number(card_type=str(kind)) for kind in kinds]
    grouped = rng.random(n) < grouped_share
    return pd.Series([_grouped(v) if g else v for v, g in zip(numbers, grouped, strict=True)], name="card")


def _layout(value: str) -> tuple[str, tuple[int, ...]]:
    separator = " " if " " in value else "-" if "-" in value else ""
    return separator, tuple(len(g) for g in value.split(separator)) if separator else (len(value),)


def _fit(real: pd.Series) -> GeneratedColumns:
    return GeneratedColumns.fit(real.to_frame(), Schema((ColumnSpec("card", ColumnKind.PII, pii_type="card"),)))


def test_cards_keep_the_real_networks_and_layouts_by_share_and_pass_the_check() -> None:
    """Cards came back as 16 plain Visa digits whatever the column held: here 60% Visa, 30% Mastercard, 10%
    American Express, 70% grouped as printed; the generated numbers hold each network and layout at its share
    (within 3 points over 20,000 rows), every one passes the Luhn check and none is a real number."""
    real = _real_cards({"visa16": 0.6, "mastercard": 0.3, "amex": 0.1}, 0.7, 3_000, seed=1)
    generated = _fit(real).sample(20_000, np.random.default_rng(2))["card"]
    assert all(luhn_ok(v.replace(" ", "")) for v in generated)
    assert not set(generated) & set(real)

    def shares(values: pd.Series) -> pd.Series:
        keys = [(network_of(v.replace(" ", "")), *_layout(v)) for v in values]
        return pd.Series(keys).value_counts(normalize=True)

    want, got = shares(real), shares(generated)
    assert set(got.index) == set(want.index)
    assert (got - want).abs().max() < 0.03, pd.concat([want, got], axis=1)
    assert got[("amex", " ", (4, 6, 5))] > 0.05 and got[("mastercard", "", (16,))] > 0.05


def test_the_model_keeps_networks_layouts_and_shares_and_no_digit_of_a_number() -> None:
    """The attack: read the stored plan for any run of four digits (a card number's group) or any real group —
    the plan holds network names, separators, group lengths and shares only."""
    real = _real_cards({"visa16": 0.5, "mastercard": 0.5}, 1.0, 1_000, seed=3)
    (plan,) = _fit(real).plans
    for network, separator, lengths, share in plan.detail["cards"]:
        assert network in NETWORKS and separator in SEPARATORS and isinstance(share, float)
        assert all(isinstance(k, int) and k <= 19 for k in lengths)
        assert abs(share * 100 - round(share * 100)) < 1e-9  # a share to 1%, no digits beyond
    stored = json.dumps(plan.detail)
    groups = {g for v in real for g in v.split(" ")}
    assert not any(f'"{g}"' in stored or re.search(rf"(?<![.\d]){g}", stored) for g in groups)
    assert {entry[0] for entry in plan.detail["cards"]} == {"visa", "mastercard"}


def test_a_column_that_is_not_mostly_cards_keeps_no_layout_and_draws_as_before() -> None:
    """Below half card numbers, or no network common enough, nothing is kept: the 16-digit Visa fakes as before."""
    mixed = pd.Series(["not a card"] * 600 + list(_real_cards({"visa16": 1.0}, 0.0, 400, seed=4)))
    assert card_layouts(mixed) is None
    few = _real_cards({"visa16": 1.0}, 0.0, 15, seed=5)  # 15 rows: under 20 rows a layout is not kept
    assert card_layouts(few) is None
    generated = _fit(few).sample(50, np.random.default_rng(0))["card"]
    assert all(len(v) == 16 and v.startswith("4") and luhn_ok(v) for v in generated)


@pytest.mark.parametrize(
    "stored",
    [
        [["visa", " ", [4, 4, 4, 4], float("nan")]],
        [["visa", " ", [4, 4, 4, 4], True]],
        [["nope", " ", [4, 4, 4, 4], 1.0]],
        [["visa", "/", [4, 4, 4, 4], 1.0]],
        [["visa", "", [4, 4, 4, 4], 1.0]],  # groups without a separator
        [["visa", " ", [40, 40], 1.0]],  # 80 digits
        [["visa", " ", [4, -4, 4, 12], 1.0]],
        [["visa", " ", [4, 4, 4, 4], 0.0]],
        [["visa", " ", [4, 4, 4, 4]]],
        {"cards": []},
        [],
        "visa",
    ],
)
def test_a_crafted_card_plan_falls_back_to_the_default_fakes(stored: object) -> None:
    """A model file is input: a plan not as the fit writes it is refused by the reader and the column is drawn
    as before (16-digit Visa numbers), never a crash or a number of a crafted shape."""
    from synth.generated_pii import fake_values

    assert stored_card_layouts(stored) is None
    with pytest.raises(ValueError, match="stored layouts"):
        cards_at(stored, 3, np.random.default_rng(0))
    values = fake_values("card", 20, np.random.default_rng(0), cards=stored)
    assert all(len(v) == 16 and v.startswith("4") and luhn_ok(v) for v in values)


@settings(max_examples=80, deadline=None)
@given(
    plans=st.lists(
        st.tuples(
            st.sampled_from(sorted(NETWORKS)),
            st.sampled_from(SEPARATORS),
            st.lists(st.integers(1, 8), min_size=1, max_size=5),
            st.floats(0.01, 1.0),
        ),
        min_size=1,
        max_size=4,
    ),
    seed=st.integers(0, 2**16),
)
def test_every_drawn_number_is_of_its_network_and_layout_and_passes_the_check(
    plans: list[tuple[str, str, list[int], float]], seed: int
) -> None:
    """For any valid plan (13–19 digits in all), each number starts in its network's issuer ranges, is written in
    one of the plan's layouts, and passes the Luhn check."""
    stored = []
    for network, separator, groups, share in plans:
        groups = groups if separator else [sum(groups)]
        if 13 <= sum(groups) <= 19:
            stored.append([network, separator, groups, share])
    if not stored:
        return
    layouts = {(network, separator, tuple(groups)) for network, separator, groups, _ in stored}
    values = cards_at(stored, 200, np.random.default_rng(seed))
    for value in values:
        separator, groups = _layout(value)
        digits = value.replace(separator, "") if separator else value
        assert luhn_ok(digits)
        assert (network_of(digits), separator, groups) in layouts, (value, layouts)
