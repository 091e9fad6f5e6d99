"""A day of the month never past its month's length (:mod:`synth.synthesizers.calendar_pairs`): no model draws
Bank Marketing's "31 jun" (plain or conditioned), on any small table with a day and a month column either; a table
whose rows break the calendar keeps no calendar; a table without day and month columns samples byte for byte as
before; the DP network keeps it from its schema and released labels alone; altered files are refused."""

from __future__ import annotations

import calendar
import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers.calendar_pairs import describe_calendar, find_calendar, month_of, public_calendar_pairs
from synth.synthesizers.persist import ModelFileError
from synth.synthesizers.zero_pairs import ZeroPair
from tests.unit.crafting import each_state, edit_state

MODELS = ["cart", "pruned_cart", "gaussian_copula", "independent"]
BANK = Path("/work/shared/datasets/bank_marketing.csv")
ABBR = {m: calendar.month_abbr[m].lower() for m in range(1, 13)}  # (the C locale's English: jan … dec)


def impossible(frame: pd.DataFrame, day: str = "day", month: str = "month", months: Any = None) -> int:
    """Rows whose day is past its month's length in a leap year, the month read by ``months`` (label → 1–12;
    Bank's English abbreviations by default): the test's own calendar, not the module's."""
    names = {v: k for k, v in ABBR.items()} if months is None else months
    m = frame[month].map(names)
    d = pd.to_numeric(frame[day], errors="coerce")
    length = m.map(lambda k: calendar.monthrange(2024, int(k))[1] if pd.notna(k) else np.nan)
    return int((d > length).sum())


@pytest.fixture(scope="module")
def bank() -> pd.DataFrame:
    if not BANK.exists():
        pytest.skip("the shared Bank Marketing table is not on this machine")
    train, _ = synth.split(pd.read_csv(BANK), holdout=0.2, seed=0)
    return train


#: Whether a model conditioned on month = "jun" or day = 31 draws an impossible date without the calendar (3,000
#: rows at seed 2): CART 5 and 29 rows, Pruned CART 9 and 496; the copula, stratified by month, none; the
#: independent marginals, drawing the day on its own, 39 and 996. Unconditioned (20,000 rows at seed 1) every model
#: draws some: CART 4, Pruned CART 41, the copula 5, the independent marginals 93.
CONDITIONED_BEFORE = {"cart": True, "pruned_cart": True, "gaussian_copula": False, "independent": True}


@pytest.mark.parametrize("name", MODELS)
def test_no_synthetic_bank_row_holds_an_impossible_date(bank: pd.DataFrame, name: str) -> None:
    assert impossible(bank) == 0
    model = synth.create(name, random_state=0).fit(bank)
    assert set(model.calendar_pairs_) == {
        *(ZeroPair("day", d, "month", "feb") for d in (29, 30, 31)),  # no training row is a 29th of February
        *(ZeroPair("day", 31, "month", m) for m in ("apr", "jun", "sep", "nov")),
    }
    out = model.sample(20_000, seed=1)
    assert impossible(out) == 0
    assert (out.day == 31).sum() > 100 and (out.month == "jun").sum() > 1_000  # the 31st and June still drawn
    jun = model.sample(3_000, seed=2, conditions={"month": "jun"})
    assert (jun.month == "jun").all() and impossible(jun) == 0 and jun.day.max() == 30
    last = model.sample(3_000, seed=2, conditions={"day": 31})
    assert (last.day == 31).all() and impossible(last) == 0
    stored = model.calendar_pairs_
    model.calendar_pairs_ = ()
    assert impossible(model.sample(20_000, seed=1)) > 0
    conditioned = [model.sample(3_000, seed=2, conditions=c) for c in ({"month": "jun"}, {"day": 31})]
    assert all(impossible(c) > 0 for c in conditioned) is CONDITIONED_BEFORE[name]
    model.calendar_pairs_ = stored


def test_the_dp_network_keeps_the_calendar_from_its_released_labels(bank: pd.DataFrame) -> None:
    model = synth.create("privbayes", random_state=0, epsilon=3.0, public_domain="categories").fit(bank)
    # The 29th of February is the rows' say, which the network does not read: allowed.
    assert set(model.calendar_pairs_) == {
        *(ZeroPair("day", d, "month", "feb") for d in (30, 31)),
        *(ZeroPair("day", 31, "month", m) for m in ("apr", "jun", "sep", "nov")),
    }
    assert impossible(model.sample(20_000, seed=1)) == 0
    jun = model.sample(2_000, seed=2, conditions={"month": "jun"})
    assert (jun.month == "jun").all() and impossible(jun) == 0
    # How many impossible dates the network draws on Bank without the calendar depends on its noise (none under the
    # tests' seeded noise, 37 of 20,000 in a benchmark fit); on a table of days drawn within their month's length it
    # draws 47 of 20,000 here without the calendar, none with it.
    dated = synth.create("privbayes", random_state=0, public_domain="categories").fit(
        _dated(np.random.default_rng(9), 800)
    )
    assert impossible(dated.sample(20_000, seed=1)) == 0
    dated.calendar_pairs_ = ()
    assert impossible(dated.sample(20_000, seed=1)) > 0


def test_the_dp_networks_calendar_reads_no_row() -> None:
    """Its pairs are a function of the schema and the released domains only: a table whose rows hold "31 jun"
    gives the same rule (the rows are never asked), and so does one whose days are all within the first week."""
    rng = np.random.default_rng(0)
    months = rng.choice(list(ABBR.values()), 600)
    bad = pd.DataFrame({"day": rng.integers(1, 32, 600), "month": months, "x": rng.normal(size=600)})
    assert impossible(bad) > 0
    early = bad.assign(day=rng.integers(1, 8, 600))
    schema = synth.infer_schema(bad)
    fits = [synth.create("privbayes", random_state=0, public_domain="categories").fit(t, schema) for t in (bad, early)]
    pairs = fits[0].calendar_pairs_
    assert pairs == fits[1].calendar_pairs_ == public_calendar_pairs(fits[0].schema_, fits[0].domain_)
    assert len(pairs) == 6


def test_rows_that_break_the_calendar_keep_no_calendar() -> None:
    """Bad data (three rows on the 31st of June) is the user's to see: no rule hides it, and the model may draw it."""
    table = _dated(np.random.default_rng(3), 800)
    assert find_calendar(table, synth.infer_schema(table))  # the clean table keeps one
    table.loc[:2, ["day", "month"]] = [31, "jun"]
    model = synth.create("cart", random_state=0).fit(table)
    assert model.calendar_pairs_ == ()
    assert describe_calendar(model) is None


def test_the_29th_of_february_is_allowed_when_a_row_holds_it() -> None:
    table = _dated(np.random.default_rng(4), 800, leap=False)
    schema = synth.infer_schema(table)
    assert ZeroPair("day", 29, "month", "feb") in find_calendar(table, schema)
    table.loc[0, ["day", "month"]] = [29, "feb"]
    pairs = find_calendar(table, schema)
    assert ZeroPair("day", 29, "month", "feb") not in pairs and ZeroPair("day", 30, "month", "feb") in pairs


def _dated(rng: np.random.Generator, n: int, leap: bool = True, labels: Any = None, day: str = "day") -> pd.DataFrame:
    """Valid dates as a day and a month column (labels: month number → label), and an amount that rises with the
    month (so trees split on it)."""
    months = rng.integers(1, 13, n)
    lengths = np.asarray([calendar.monthrange(2024 if leap else 2023, m)[1] for m in range(1, 13)])[months - 1]
    days = (rng.random(n) * lengths).astype(np.int64) + 1
    label = ABBR if labels is None else labels
    return pd.DataFrame(
        {day: days, "month": [label[m] for m in months], "amount": (months * 10 + rng.gamma(2, 5, n)).round(2)}
    )


#: Month labels a table may use, each a map month → label.
STYLES = {
    "english": ABBR,
    "English full": {m: calendar.month_name[m] for m in range(1, 13)},
    "German": dict(enumerate(["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"], 1)),
    "French": dict(
        enumerate(
            ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."], 1
        )
    ),
    "Spanish": dict(enumerate(["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"], 1)),
    "numbers": {m: m for m in range(1, 13)},
}


@st.composite
def dated_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, str, dict[Any, int]]:
    style = draw(st.sampled_from(sorted(STYLES)))
    day = draw(st.sampled_from(["day", "Tag", "DD", "jour", "n"]))  # "n": a day by content (28+ of the 31 days)
    n = draw(st.integers(300, 700))
    table = _dated(np.random.default_rng(draw(st.integers(0, 10_000))), n, draw(st.booleans()), STYLES[style], day)
    return table, day, {v: k for k, v in STYLES[style].items()}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=dated_tables(), name=st.sampled_from(MODELS))
def test_no_model_draws_a_day_past_its_months_length(case: tuple[pd.DataFrame, str, dict[Any, int]], name: str) -> None:
    table, day, months = case
    model = synth.create(name, random_state=0).fit(table)
    held = {(int(d), months[m]) for d, m in zip(table[day], table.month, strict=True)}
    # Every label's days past its month's length, the 29th of February only when no row holds it; none more.
    expected = {
        (d, label)
        for label, m in months.items()
        for d in range(29, 32)
        if d > calendar.monthrange(2024, m)[1] or (m == 2 and d == 29 and (29, 2) not in held)
    }
    assert {(p.first_value, p.second_value) for p in model.calendar_pairs_} == expected
    assert {(p.first, p.second) for p in model.calendar_pairs_} == {(day, "month")}
    out = model.sample(1_500, seed=2)
    assert impossible(out, day, "month", months) == 0
    if (29, 2) not in held:  # (a leap year's calendar above allows it)
        assert not ((out[day] == 29) & (out.month.map(months) == 2)).any()


@pytest.mark.parametrize(
    ("value", "month"),
    [
        *[("jun", 6), ("JUNE", 6), ("Juni", 6), ("juin", 6), ("junio", 6), ("giugno", 6), ("févr.", 2), ("Mär", 3)],
        *[("mrz", 3), ("okt", 10), ("dez", 12), ("sept", 9), ("juil", 7), ("jui", None), ("june 5", None), (6, None)],
    ],
)
def test_month_names_and_abbreviations_are_read_in_several_languages(value: Any, month: int | None) -> None:
    """ "jui" is French for both June and July: no month. A number is a month only by its column's name."""
    assert month_of(value) == month


def test_columns_that_are_no_day_or_month_keep_no_calendar() -> None:
    rng = np.random.default_rng(5)
    n = 900
    months = rng.integers(1, 13, n)
    table = pd.DataFrame(
        {
            "score": rng.integers(1, 20, n),  # whole numbers within 1–31, 19 values, no day's name
            "length_mm": months,  # 1–12, "mm" inside a name is millimetres
            "size": months,  # 1–12 without a month's name
            "month": rng.choice(["spring", "summer"], n),  # named like a month, labels that name none
        }
    )
    assert find_calendar(table, synth.infer_schema(table)) == ()
    numbered = table.assign(month=months, day=(rng.random(n) * 28).astype(int) + 1)
    assert len(find_calendar(numbered, synth.infer_schema(numbered))) == 7  # 1–12 named month, days named day


def test_two_dates_pair_their_day_and_month_by_name() -> None:
    rng = np.random.default_rng(6)
    a, b = _dated(rng, 700, day="birth_day"), _dated(rng, 700, day="visit_day")
    table = pd.DataFrame(
        {
            "birth_day": a.birth_day,
            "birth_month": a.month,
            "visit_day": b.visit_day,
            "visit_month": b.month,
        }
    )
    pairs = find_calendar(table, synth.infer_schema(table))
    assert {(p.first, p.second) for p in pairs} == {("birth_day", "birth_month"), ("visit_day", "visit_month")}


def _digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16]


#: Seeded samples (fit seed 0, 800 rows at seed 5) of a table with no day or month column, hashed on the commit
#: before the calendar (540b4cf; the independent marginals' on a0f415e, before theirs): such a table samples byte for
#: byte as it did.
UNCHANGED = {
    "cart": "d807d61190297434",
    "pruned_cart": "ff8d703f3dd938ed",
    "gaussian_copula": "90838c4bced0d96d",
    "independent": "16d174084aee9a4a",
}


def _undated() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 700
    return pd.DataFrame(
        {
            "team": rng.choice(["red", "blue", "green"], n),
            "visits": rng.integers(1, 32, n),  # 1–31, but there is no month column
            "amount": rng.gamma(2.0, 30.0, n).round(2),
        }
    )


@pytest.mark.parametrize("name", MODELS)
def test_a_table_without_day_and_month_samples_as_before(name: str) -> None:
    model = synth.create(name, random_state=0).fit(_undated())
    assert model.calendar_pairs_ == ()
    assert _digest(model.sample(800, seed=5)) == UNCHANGED[name]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda z: z.update(first_value=30), "forbids a day its month has"),  # 30 June is a date
        (lambda z: z.update(first_value=15), "forbids a day its month has"),
        (lambda z: z.update(first_value=31.0), "forbids a day its month has"),
        (lambda z: z.update(second_value="jul"), "forbids a day its month has"),  # 31 July is a date
        (lambda z: z.update(second_value="smarch"), "no month"),
        (lambda z: z.update(first="nowhere"), "does not draw"),
        (lambda z: z.update(first="month"), "no day column"),
        (lambda z: z.update(first="amount"), "forbids a day|no day"),
    ],
)
@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula", "independent"])
def test_an_altered_calendar_is_refused_on_load(name: str, change: Any, message: str, tmp_path: Path) -> None:
    model = synth.create(name, random_state=0).fit(_dated(np.random.default_rng(8), 800))
    assert ZeroPair("day", 31, "month", "jun") in model.calendar_pairs_
    model.save(tmp_path / "m.synth")
    assert synth.load_model(tmp_path / "m.synth").calendar_pairs_ == model.calendar_pairs_  # the file as saved loads

    def alter(state: dict[str, Any], manifest: dict[str, Any]) -> None:
        def one(z: dict[str, Any]) -> None:
            if z["first_value"] == 31 and z["second_value"] == "jun":
                change(z)

        each_state(state["calendar_pairs_"], "ZeroPair", one)

    edit_state(tmp_path / "m.synth", tmp_path / "bad.synth", alter)
    with pytest.raises(ModelFileError, match=f"calendar_pairs_.*({message})"):
        synth.load_model(tmp_path / "bad.synth")


def test_a_dp_networks_calendar_must_be_the_one_its_schema_gives(tmp_path: Path) -> None:
    table = _dated(np.random.default_rng(9), 800)
    model = synth.create("privbayes", random_state=0, public_domain="categories").fit(table)
    assert model.calendar_pairs_
    model.calendar_pairs_ = model.calendar_pairs_[1:]  # a pair dropped: a day the calendar forbids comes back
    model.save(tmp_path / "m.synth")
    with pytest.raises(ModelFileError, match="calendar_pairs_ are not those"):
        synth.load_model(tmp_path / "m.synth")


@pytest.mark.parametrize("name", [*MODELS, "privbayes"])
def test_the_calendar_is_described_and_listed_in_the_model_file_inventory(name: str) -> None:
    params = {"public_domain": "categories"} if name == "privbayes" else {}
    model = synth.create(name, random_state=0, **params).fit(_dated(np.random.default_rng(10), 800, leap=False))
    first_feb = 30 if name == "privbayes" else 29
    assert describe_calendar(model) == (
        f"day never past the last day of month (no {first_feb}–31 feb; no 31 apr, jun, sep, nov)."
    )
    assert "Calendar" in [item.name for item in model.artifact_inventory()]


@pytest.mark.parametrize("name", ["cart", "privbayes"])
def test_a_file_saved_before_the_calendar_loads_and_samples(name: str, tmp_path: Path) -> None:
    params = {"public_domain": "categories"} if name == "privbayes" else {}
    model = synth.create(name, random_state=0, **params).fit(_dated(np.random.default_rng(11), 800))
    assert model.calendar_pairs_
    del model.calendar_pairs_
    model.save(tmp_path / "old.synth")
    loaded = synth.load_model(tmp_path / "old.synth")
    assert "calendar_pairs_" not in vars(loaded) and describe_calendar(loaded) is None
    assert len(loaded.sample(200, seed=1)) == 200
