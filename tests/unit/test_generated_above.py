"""Text keys that fill their format keep the real width: they continue above the real keys (session 21).

Before: the shop table's ``ORD-100000`` … ``ORD-104999`` came back as ``ORD-1021506`` and its 5-digit zip codes as
6 digits, as the same-width scheme kept at most 64 unused endings and a dense format has few or none.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synth.generated import REGENERATION_SUMMARY, GeneratedColumns, keys_at
from synth.generated_above import start_above
from synth.generated_shapes import (
    MAX_LISTED_SHARE,
    MAX_SUFFIXES,
    ROOM_TIMES,
    kept_endings,
    same_width_capacity,
    usual_template,
)
from synth.schema import ColumnKind, ColumnSpec, Schema

_KEY = Schema((ColumnSpec("k", ColumnKind.IDENTIFIER),))


def _fit(values: list[str]) -> GeneratedColumns:
    return GeneratedColumns.fit(pd.Series(values, name="k").to_frame(), _KEY)


def _streamed(generated: GeneratedColumns, n: int, block: int, key: int = 3) -> np.ndarray:
    parts = [generated.block_identifiers(a, min(block, n - a), n, key)["k"] for a in range(0, n, block)]
    return np.concatenate(parts)


@given(st.integers(-1, 10**18))
def test_the_start_is_above_the_largest_key_rounded_to_two_significant_digits(largest: int) -> None:
    """The start is never the largest real key nor the one after it (which would name the largest), and tells it
    only to two significant digits: every largest key of its step-wide range gives the same start."""
    start = start_above(largest)
    step = max(10, 10 ** (len(str(largest + 1)) - 2))
    assert largest + 2 <= start <= largest + 1 + step and start % step == 0
    assert len(str(start).rstrip("0")) <= 2, "two significant digits"
    low = (largest + 1) // step * step - 1  # the smallest largest key of the range
    assert start_above(low) == start_above(low + step - 1) == start, "the whole range gives one start"


def test_the_start_rule_examples() -> None:
    """The figures the docstrings and README quote: the clinic's visit ids, Bike Sharing's instant, ORD-104999."""
    assert [start_above(k) for k in (54_000, 17_379, 4_999, 49, 0)] == [55_000, 18_000, 5_100, 60, 10]
    with pytest.raises(ValueError, match="at least -1"):
        start_above(-2)


def test_shop_order_ids_continue_above_the_real_ones_in_their_width() -> None:
    real = [f"ORD-{100000 + i}" for i in range(5_000)]
    generated = _fit(real)
    above = generated.plans[0].detail["above"]
    assert above["starts"][0] == start_above(4_999) == 5_100, "the rank of ORD-104999 in ORD-109999, rounded up"
    single = generated.sample(4_000, np.random.default_rng(0))["k"]
    assert single.is_unique and not set(single) & set(real)
    assert all(re.fullmatch(r"ORD-10[5-9]\d{3}", v) for v in single), single[:3].tolist()
    assert min(single) == "ORD-105100"
    assert "ORD-105100 after ORD-104999" in REGENERATION_SUMMARY  # the Data page's example
    # More keys than ORD-105100 … ORD-109999 hold: the literal 0 becomes a slot, still ten characters.
    more = generated.sample(20_000, np.random.default_rng(0))["k"]
    assert more.is_unique and not set(more) & set(real) and all(re.fullmatch(r"ORD-1\d{5}", v) for v in more)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block=st.integers(1, 5_000), n=st.integers(1, 5_000))
def test_streamed_order_ids_are_the_sampled_ones_at_any_block_size(block: int, n: int) -> None:
    generated = _fit([f"ORD-{100000 + i}" for i in range(5_000)])
    single = generated.sample(n, np.random.default_rng(1))["k"].to_numpy()
    assert (_streamed(generated, n, block) == single).all()


def test_dense_zip_codes_keep_five_digits_and_are_never_real() -> None:
    real = [f"{z:05d}" for z in np.random.default_rng(20).integers(500, 99_999, 5_000)]
    generated = _fit(real)
    shaped = generated.plans[0].detail["same_width"]
    # 5,000 of 100,000 zip codes leave 6,076 4-digit endings free, of which two thirds (4,050) are kept, ten zip
    # codes each: room for 8.1× the real rows, where ten times would need 5,000 endings (500 before session 23).
    free = 10**4 - len({z[-4:] for z in real})
    kept = int(free * MAX_LISTED_SHARE)
    assert len(shaped["suffixes"]) == kept < ROOM_TIMES * len(real) // 10 and shaped["tail"] == 4
    room = same_width_capacity(shaped)
    assert room == 10 * kept
    for n in (len(real), room):
        for out in (generated.sample(n, np.random.default_rng(2))["k"], pd.Series(_streamed(generated, n, 7_777))):
            assert out.is_unique and not set(out) & set(real)
            assert out.str.fullmatch(r"\d{5}").all()
    # Beyond what the kept endings hold, one more digit (stated in the README).
    wide = generated.sample(room + 1, np.random.default_rng(2))["k"]
    assert wide.is_unique and not set(wide) & set(real) and wide.str.len().gt(5).all()


@pytest.mark.parametrize("times", [1, 3, 10])
def test_the_walks_zip_codes_keep_five_digits_up_to_ten_times_the_training_rows(times: int) -> None:
    """The walk's orders.csv: 4,000 training zip codes (``benchmarks.walk_tables``) came back with six digits in any
    sample beyond 4,000 rows (session 22); a fit now keeps endings for :data:`ROOM_TIMES` × the rows."""
    real = [f"{z:05d}" for z in np.random.default_rng(7).integers(500, 99_999, 4_000)]
    generated = _fit(real)
    shaped = generated.plans[0].detail["same_width"]
    assert ROOM_TIMES == 10 and len(shaped["suffixes"]) == 4_000, "ten times the 400 endings 4,000 rows need"
    n = times * len(real)
    for out in (generated.sample(n, np.random.default_rng(2))["k"], pd.Series(_streamed(generated, n, 9_973))):
        assert out.is_unique and not set(out) & set(real)
        assert out.str.fullmatch(r"\d{5}").all(), "the real width"
        if times == ROOM_TIMES:
            # The file lists no unused ending that a sample of ten times the real rows does not show anyway.
            assert set(out.str[-4:]) == set(shaped["suffixes"])


def test_a_repeated_dense_key_keeps_endings_for_its_distinct_values_only() -> None:
    """A repeated key draws about as many distinct keys as it holds, so that is all the kept endings make room for."""
    codes = [f"{z:05d}" for z in np.random.default_rng(21).integers(500, 99_999, 4_000)]
    real = pd.Series(codes * 2, name="k")  # each twice: repeated
    plan = GeneratedColumns.fit(real.to_frame(), _KEY).plans[0]
    needed = plan.detail["distinct"]
    # Endings of four digits, ten zip codes each: room for ten times the distinct codes, not for ten times every row.
    assert len(plan.detail["same_width"]["suffixes"]) == -(-ROOM_TIMES * needed // 10) < ROOM_TIMES * len(real) // 10
    out = GeneratedColumns((plan,)).sample(len(real), np.random.default_rng(0))["k"]
    assert not set(out) & set(codes) and all(re.fullmatch(r"\d{5}", v) for v in out)


@given(free=st.integers(0, 10**6), needed=st.integers(0, 10**6), rest=st.integers(1, 10**4))
def test_a_fit_keeps_enough_endings_but_never_every_free_one(free: int, needed: int, rest: int) -> None:
    kept = kept_endings(free, needed, rest)
    cap = int(free * MAX_LISTED_SHARE)
    assert kept == free if free <= MAX_SUFFIXES else MAX_SUFFIXES <= kept <= max(MAX_SUFFIXES, cap) < free
    if free > MAX_SUFFIXES:
        wanted = ROOM_TIMES * needed
        assert kept * rest >= min(wanted, cap * rest), "room for ten times the keys needed when the cap allows it"
        assert kept <= max(MAX_SUFFIXES, -(-wanted // rest)), "and no more: no ending such a sample does not need"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ-#", min_size=0, max_size=4),
    width=st.integers(2, 5),
    lo_share=st.floats(0, 0.9),
    density=st.floats(0.05, 1.0),
    n=st.integers(1, 2_500),
    block=st.integers(1, 3_000),
    seed=st.integers(0, 2**16),
)
def test_sequential_keys_keep_their_width_whenever_it_holds_them_above_the_real_ones(
    prefix: str, width: int, lo_share: float, density: float, n: int, block: int, seed: int
) -> None:
    """For any prefix, width and density: never a real key; the real width whenever the numbers above the largest
    real one (rounded to two significant digits) hold the keys; else one more digit; sampled and streamed alike."""
    space = 10**width
    lo = int(lo_share * space)
    numbers = np.arange(lo, space)
    used = np.random.default_rng(seed).random(len(numbers)) < density
    if used.sum() < 5:
        used[:5] = True
    real = [f"{prefix}{v:0{width}d}" for v in numbers[used]]
    n = min(n, space * 10 // 4)  # one more digit holds them (else a separator and more digits)
    block = max(block, -(-n // 50))  # at most 50 blocks: one-row blocks of a short table, not of 2,500 rows
    generated = _fit(real)
    fits = space - start_above(int(numbers[used].max())) >= n
    single = generated.sample(n, np.random.default_rng(seed))["k"]
    streamed = pd.Series(_streamed(generated, n, block))
    widths = set()
    for out in (single, streamed):
        assert out.is_unique and not set(out) & set(real)
        assert out.str.startswith(prefix).all() and out.str[len(prefix) :].str.isdigit().all()
        widths |= set(out.str.len())
    assert widths == {len(real[0])} if fits else widths <= {len(real[0]), len(real[0]) + 1}
    assert len(set(single.str.len())) == 1 and set(single.str.len()) == set(streamed.str.len())


def test_repeated_text_keys_in_a_dense_format_keep_their_width_too() -> None:
    real = pd.Series([f"C{i % 450:03d}" for i in range(3_000)], name="k")  # C000 … C449, six or seven times
    generated = GeneratedColumns.fit(real.to_frame(), _KEY)
    plan = generated.plans[0]
    assert "distinct" in plan.detail, "a repeated key"
    single = generated.sample(3_000, np.random.default_rng(0))["k"]
    pool = pd.Series(keys_at(plan, np.arange(single.nunique(), dtype=np.uint64), single.nunique(), 5))
    for out in (single, pool):
        assert not set(out) & set(real) and all(re.fullmatch(r"C(4[6-9]|[5-9]\d)\d", v) for v in out), out[:3].tolist()


@pytest.mark.parametrize("n", [1, 89, 90, 91])
def test_the_width_changes_only_where_the_room_above_runs_out(n: int) -> None:
    real = [f"K{i:03d}" for i in range(900)]  # K000 … K899: K910 … K999 are above the start (910)
    out = _fit(real).sample(n, np.random.default_rng(0))["k"]
    assert not set(out) & set(real) and out.is_unique
    assert set(out.str.len()) == ({4} if n <= 90 else {5})


def test_the_model_file_inventory_states_the_bound_and_the_rounding() -> None:
    """The Synthesize page's inventory: the bound's rounding is the one pinned above, the missing rates' the stored
    step (it said 5% while fits rounded to 1%)."""
    from synth.generated import MISSING_RATE_STEP
    from synth.synthesizers.inventory import COMMON_ITEMS

    item = next(i for i in COMMON_ITEMS if i.name == "Generated columns")
    assert f"rounded to {MISSING_RATE_STEP:.0%}" in item.protection
    assert "rounded to two significant digits" in item.protection and "bound" in item.content
    assert "(never that key nor the next one)" in item.protection
    # The claims themselves: two significant digits, and neither the largest key nor the next (for all keys: above).
    assert [start_above(k) for k in (54_000, 4_999)] == [55_000, 5_100]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    keys=st.lists(st.integers(0, 10**12), min_size=1, max_size=200, unique=True),
    floats=st.booleans(),
    n=st.integers(1, 500),
    block=st.integers(1, 500),
)
def test_numeric_keys_start_above_a_rounded_bound_never_naming_the_largest_key(
    keys: list[int], floats: bool, n: int, block: int
) -> None:
    """An attack on the stored start: it is never the largest real key nor the one after it (either would name
    the largest key); every new key is above every real one, unique, sampled and streamed alike, and in the width
    of the largest real key whenever the numbers from the start hold the keys (Bike Sharing's 1 … 17,379 came back
    from 100,000 before session 22)."""
    column = pd.Series(keys, name="k", dtype=float if floats else np.int64)
    if floats:  # a key column with a missing value is stored as floats
        column = pd.concat([column, pd.Series([np.nan], name="k")], ignore_index=True)
    generated = GeneratedColumns.fit(column.to_frame(), _KEY)
    start, largest = generated.plans[0].detail["start"], max(keys)
    assert start not in (largest, largest + 1) and start >= largest + 2
    single = generated.sample(n, np.random.default_rng(0))["k"].dropna().astype(np.int64)
    streamed = pd.Series(_streamed(generated, n, block))
    assert (streamed == np.arange(start, start + n)).all()
    for out in (single, streamed):
        assert out.is_unique and out.min() > largest
        if start + n <= 10 ** len(str(largest)):
            assert set(out.astype(str).str.len()) == {len(str(largest))}, "the real width"


@pytest.mark.parametrize(
    ("keys", "start"),
    [(np.arange(50_001, 54_001), 55_000), (np.arange(1, 17_380), 18_000), (np.arange(100_000, 105_000), 110_000)],
)
def test_numeric_keys_of_the_walk_tables_keep_their_width(keys: np.ndarray, start: int) -> None:
    """The clinic's visit ids, Bike Sharing's instant and the shop's order numbers (README figures): a sample of the
    real size keeps the largest real key's width."""
    generated = GeneratedColumns.fit(pd.DataFrame({"k": keys}), _KEY)
    out = generated.sample(len(keys), np.random.default_rng(0))["k"]
    assert generated.plans[0].detail["start"] == start == out.min()
    assert set(out.astype(str).str.len()) == {len(str(keys.max()))} and not set(out) & set(keys)
    assert "55000 after 54000" in REGENERATION_SUMMARY and start_above(54_000) == 55_000  # the Data page's example


def test_numeric_keys_below_zero_or_missing_start_at_ten_or_one() -> None:
    """The edges of the numeric start (``synth.generated._numeric_start``): negative keys count as -1, none as 1."""
    negative = GeneratedColumns.fit(pd.DataFrame({"k": [-30, -4, -7]}), _KEY)
    missing = GeneratedColumns.fit(pd.DataFrame({"k": [np.nan, np.nan]}), _KEY)
    assert negative.plans[0].detail["start"] == 10 and missing.plans[0].detail["start"] == 1
    # 2e17 - 2 as a float is 2e17 (floats that large are 32 apart), whose start would be 2.1e17.
    exact = GeneratedColumns.fit(pd.DataFrame({"k": np.array([5, 2 * 10**17 - 2], dtype=np.int64)}), _KEY)
    assert exact.plans[0].detail["start"] == 2 * 10**17, "whole numbers read exactly, not as floats"


def test_keys_numbered_in_order_continue_above_so_no_held_out_key_comes_back() -> None:
    """Every seventh number (a survey's R1000000, R1000007, …) split 80/20: drawn among the real keys with unused
    endings, 11 of 2,000 synthetic respondents had a held-out respondent's id (session 25's walk). Above the
    largest key, none does; random keys in a wide format still take unused endings (none is dense)."""
    from synth.generated_above import DENSE_RANKS, rank_density

    ids = pd.Series([f"R{1_000_000 + 7 * i}" for i in range(2_500)])
    held = ids.sample(500, random_state=0)
    train = ids.drop(held.index)
    numbers = train.str[1:].astype(int)
    base = usual_template(train)
    assert rank_density(train, base) == pytest.approx(2_000 / (numbers.max() - numbers.min() + 1))
    schema = Schema((ColumnSpec("respondent_id", ColumnKind.IDENTIFIER),))
    plan = GeneratedColumns.fit(pd.DataFrame({"respondent_id": train.to_numpy()}), schema).plans[0]
    assert plan.detail["same_width"] is None and plan.detail["above"] is not None
    syn = GeneratedColumns((plan,)).sample(20_000, np.random.default_rng(0))["respondent_id"]
    assert syn.str.len().eq(8).all() and syn.is_unique
    assert not syn.isin(set(ids)).any()
    assert syn.min() > ids.max()

    rng = np.random.default_rng(1)
    random_ids = pd.Series([f"C{v:08d}" for v in rng.choice(10**8, 3_000, replace=False)])
    assert rank_density(random_ids, usual_template(random_ids)) < DENSE_RANKS
    plan = GeneratedColumns.fit(
        pd.DataFrame({"customer": random_ids}), Schema((ColumnSpec("customer", ColumnKind.IDENTIFIER),))
    ).plans[0]
    assert isinstance(plan.detail["same_width"], dict)
