"""Exact lookups keyed by two columns (synth.synthesizers.derived.pair_lookup, derived_search.pair_rules):
``workingday`` from ``holiday`` and ``weekday``, a function of neither alone. Found only where it holds on every
training row and chance cannot explain it, satisfied by every synthetic row, listing no pair of values held by
fewer rows than the model stores, read back from files only when well formed."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.schema import coerce_to_schema
from synth.synthesizers.derived import DerivedRule, apply_rules, describe_rules, pair_lookup, rules_of
from synth.synthesizers.derived_search import PAIR_VALUES, find_rules
from synth.synthesizers.persist import ModelFileError

RULED = ("cart", "pruned_cart", "gaussian_copula")
DAYS = np.array(["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"])


def _working(weekday: Any, holiday: Any) -> np.ndarray:
    """The real rule: a day off on weekends and holidays."""
    off = np.isin(np.asarray(weekday), ["Sat", "Sun"]) | (np.asarray(holiday) == "yes")
    return np.where(off, "off", "work")


def _calendar(n: int, seed: int, rare: int = 2) -> pd.DataFrame:
    """Bike Sharing's three calendar flags without a date: holidays mostly on Mondays, ``rare`` on Wednesdays
    (fewer rows than a model stores), and the working day a function of the two."""
    rng = np.random.default_rng(seed)
    weekday = rng.choice(DAYS, n)
    holiday = np.where((weekday == "Mon") & (rng.random(n) < 0.15), "yes", "no")
    holiday[rng.choice(np.flatnonzero(weekday == "Wed"), rare, replace=False)] = "yes"
    return pd.DataFrame(
        {
            "weekday": weekday,
            "holiday": holiday,
            "workingday": _working(weekday, holiday),
            "station": rng.choice(["north", "south", "east"], n),
            "temp": rng.normal(15, 8, n).round(1),
        }
    )


def _rules(table: pd.DataFrame, threshold: int = 5) -> dict[str, DerivedRule]:
    schema = synth.infer_schema(table)
    data = coerce_to_schema(table, schema)[schema.modelled]
    return {r.output: r for r in find_rules(data, schema.select(schema.modelled), threshold)}


def test_the_working_day_is_a_lookup_of_the_holiday_and_the_weekday() -> None:
    rule = _rules(_calendar(1500, 0))["workingday"]
    assert rule.kind == "lookup" and not rule.partial
    # Holiday first: a rare Wednesday holiday, not listed, takes the holidays' output (off), where the Wednesdays'
    # would be wrong (work).
    assert rule.inputs == ("holiday", "weekday")
    assert dict(zip(rule.keys, rule.values, strict=True)) == {
        **{("no", d): ("off" if d in ("Sat", "Sun") else "work") for d in DAYS},
        ("yes", "Mon"): "off",
    }
    assert rule.describe() == "workingday = a lookup of holiday and weekday (8 pairs of values)"


@pytest.mark.parametrize("name", RULED)
def test_without_exact_rules_the_working_day_contradicts_its_inputs(name: str) -> None:
    """The failure the rule fixes, pinned so the tests below can fail."""
    syn = synth.create(name, exact_rules=False, random_state=0).fit(_calendar(1500, 0)).sample(3000, seed=1)
    assert (syn["workingday"] != _working(syn["weekday"], syn["holiday"])).sum() > 10


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), n=st.integers(700, 2000), name=st.sampled_from(RULED))
def test_every_synthetic_row_satisfies_a_two_column_rule(seed: int, n: int, name: str) -> None:
    model = synth.create(name, random_state=seed).fit(_calendar(n, seed))
    assert [r.inputs for r in rules_of(model)] == [("holiday", "weekday")]
    syn = model.sample(3000, seed=seed + 1)
    assert (syn["workingday"] == _working(syn["weekday"], syn["holiday"])).all()
    assert "workingday = a lookup of holiday and weekday" in (describe_rules(model) or "")


def test_a_pair_the_table_does_not_list_takes_its_first_values_most_common_output() -> None:
    """Documented fallback: an unlisted pair (too rare to store, or never seen) takes the output most listed pairs
    with its first value give; a first value not listed is matched as a one-column lookup matches (the nearest
    number, the first listed label)."""
    keys = ((0, 0), (0, 1), (0, 2), (2, 0))
    values = ("A", "B", "B", "C")
    first = pd.Series([0.0, 0.0, 0.0, 3.0, 2.0, 2.0])  # drawn numbers may come back as floats
    second = pd.Series([0, 2, 7, 0, 0, 1])
    assert pair_lookup(first, second, keys, values).tolist() == ["A", "B", "B", "C", "C", "C"]
    labels = (("no", "Mon"), ("no", "Sat"), ("yes", "Mon"))
    got = pair_lookup(pd.Series(["yes", "no", "maybe"]), pd.Series(["Sun", "Sun", "Mon"]), labels, ("w", "o", "o"))
    assert got.tolist() == ["o", "w", "w"]  # (no: w and o tie, the first listed wins; maybe: the first label, no)
    # A model applies the same rule: a Sunday holiday, never seen in training, is a day off.
    model = synth.create("gaussian_copula").fit(_calendar(1500, 0))
    frame = pd.DataFrame({"weekday": ["Sun", "Wed", "Fri"], "holiday": ["yes", "yes", "no"], "workingday": "?"})
    frame["station"], frame["temp"] = "north", 10.0
    assert apply_rules(frame, rules_of(model))["workingday"].tolist() == ["off", "off", "work"]


@pytest.mark.parametrize("name", RULED)
def test_a_rare_pair_of_values_is_never_written_in_the_model_file(name: str, tmp_path: Path) -> None:
    """The attack: two Wednesday holidays, each value common on its own but the pair held by 2 rows. A table of
    every pair would write it into the file; it is left out (the rule still holds on those rows by the fallback)."""
    model = synth.create(name).fit(_calendar(1500, 1))
    path = tmp_path / "m.synth"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        manifest = archive.read("manifest.json").decode()

    def written(a: str, b: str) -> bool:
        return re.search(rf'\[\s*"{a}"\s*,\s*"{b}"\s*\]', manifest) is not None

    assert written("yes", "Mon")  # the common holidays are listed, so the scan would find the rare ones
    assert not written("yes", "Wed") and not written("Wed", "yes")
    syn = model.sample(3000, seed=2)
    assert (syn["workingday"] == _working(syn["weekday"], syn["holiday"])).all()


def test_a_pair_held_by_the_threshold_is_listed_and_one_row_fewer_is_not() -> None:
    for rare, listed in ((5, True), (4, False)):
        rule = _rules(_calendar(1500, 2, rare=rare), threshold=5)["workingday"]
        pairs = {frozenset(k) for k in rule.keys}  # (listing every pair, the table keeps the columns' order)
        assert ({"yes", "Wed"} in pairs) is listed and {"yes", "Mon"} in pairs


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(20, 600),
    ranges=st.lists(st.integers(2, 6), min_size=3, max_size=6),
)
def test_no_rule_is_found_among_independent_few_valued_columns(seed: int, n: int, ranges: list[int]) -> None:
    """Few-valued labels and numbers drawn independently, at the most lenient threshold (every pair may be
    listed): a pair of columns that happens to fix a third on a few rows is what the chance bound and the
    chi-square test refuse."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({f"n{i}": rng.integers(0, k, n) for i, k in enumerate(ranges)})
    for i, k in enumerate(ranges):
        table[f"c{i}"] = rng.choice([f"v{j}" for j in range(k)], n)
    assert _rules(table, threshold=1) == {}


@pytest.mark.parametrize(("rows", "found"), [(3, False), (12, True)])
def test_a_function_of_a_pair_needs_enough_rows_to_rule_out_chance(rows: int, found: bool) -> None:
    """A random table from 16 pairs of values to a flag, each pair held by ``rows`` rows: with 3 (48 rows, 32 past
    the first of their pair) an independent flag would match it with probability above the chance bound, so it is
    no rule; with 12 it is one."""
    rng = np.random.default_rng(9)
    table_of = rng.choice(["x", "y"], 16)
    pair = np.repeat(np.arange(16), rows)
    table = pd.DataFrame({"a": pair // 4, "b": [f"b{v}" for v in pair % 4], "c": table_of[pair]})
    table = table.sample(frac=1.0, random_state=9).reset_index(drop=True)
    assert ("c" in _rules(table, threshold=1)) is found


def test_a_rule_broken_on_one_row_is_not_found() -> None:
    table = _calendar(1500, 3)
    table.loc[int(np.flatnonzero(table["weekday"] == "Tue")[0]), "workingday"] = "off"
    assert "workingday" not in _rules(table)


def test_a_one_column_rule_is_preferred_and_columns_of_many_values_are_no_keys() -> None:
    table = _calendar(3000, 4, rare=0)
    table["daycode"] = table["weekday"] + "/" + table["holiday"]  # one column holding the pair: a plain lookup
    assert _rules(table)["workingday"].inputs == ("daycode",)
    for hours, found in ((PAIR_VALUES, True), (PAIR_VALUES + 1, False)):
        table["hour"] = np.random.default_rng(40).integers(0, hours, 3000)
        table["shift"] = np.where((table["hour"] < 4) | (table["holiday"] == "yes"), "night", "day")
        # An hour of more values than a key may hold is never paired (the search stays small).
        assert ("shift" in _rules(table)) is found


def test_the_search_finds_one_pair_among_40_few_valued_columns() -> None:
    """40 few-valued columns × 20,000 rows (the pair search adds 0.02–0.06 s here; timed in
    benchmarks/bench_pair_rules.py, never here): the one true two-column rule and no false one."""
    rng = np.random.default_rng(0)
    n = 20_000
    cols = {f"k{i}": rng.integers(0, 2 + i % 6, n) for i in range(40)}
    cols["out"] = np.where((cols["k3"] == 1) & (cols["k8"] > 0), "yes", "no")
    table = pd.DataFrame(cols)
    rules = list(_rules(table, threshold=10).values())
    assert [(r.output, r.inputs) for r in rules] == [("out", ("k3", "k8"))]


def _pay(holiday: Any, shift: Any) -> np.ndarray:
    return np.where((np.asarray(holiday) == "yes") | (np.asarray(shift) == "night"), "double", "normal")


def _partly_dated(seed: int) -> pd.DataFrame:
    """Days, a few of them rare and flagged unlike their neighbours: the holiday is a *partial* lookup of the day,
    the weekday a part of it, and the working day a function of the two (of the day too, but only partially); the
    pay a function of the holiday and a shift drawn on its own."""
    rng = np.random.default_rng(seed)
    common = pd.date_range("2022-01-03", periods=70, freq="D")
    rare = common[4::9] + pd.Timedelta(hours=12)  # between two common days: never listed
    days = pd.DatetimeIndex(np.concatenate([np.repeat(common.to_numpy(), 25), np.repeat(rare.to_numpy(), 2)]))
    weekday = DAYS[(days.dayofweek.to_numpy() + 1) % 7]
    holiday = np.where(days.isin(rare) | ((days.dayofweek == 0) & (days.day <= 7)), "yes", "no")
    table = pd.DataFrame(
        {"day": days, "weekday": weekday, "holiday": holiday, "workingday": _working(weekday, holiday)}
    )
    table["shift"] = rng.choice(["day", "night"], len(table))
    table["pay"] = _pay(table["holiday"], table["shift"])
    table["temp"] = rng.normal(15, 8, len(table)).round(1)
    return table.sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.mark.parametrize("name", RULED)
def test_a_two_column_lookup_reads_a_partly_computed_column(name: str) -> None:
    """``holiday`` is computed only on the days its table lists (the model draws it on the rare ones); the working
    day and the pay read it as finally written, so every row keeps their rules: CART computes them after the day is
    drawn, though the pay's inputs (two two-valued columns) are visited before it."""
    model = synth.create(name, random_state=0).fit(_partly_dated(6))
    rules = {r.output: r for r in rules_of(model)}
    assert rules["holiday"].partial and rules["holiday"].inputs == ("day",)
    assert rules["workingday"].inputs == ("holiday", "weekday") and not rules["workingday"].partial
    syn = model.sample(3000, seed=1)
    assert rules["pay"].inputs == ("holiday", "shift")
    assert (syn["workingday"] == _working(syn["weekday"], syn["holiday"])).all()
    assert (syn["pay"] == _pay(syn["holiday"], syn["shift"])).all()
    if name != "gaussian_copula":
        where = {c.name: j for j, c in enumerate(model.columns_)}
        assert max(where["holiday"], where["shift"]) < where["day"] < where["pay"]
        assert where["workingday"] > max(where["day"], where["holiday"], where["weekday"])


def _edit(path: Path, out: Path, change, output: str = "workingday") -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        arrays = archive.read("arrays.npz")
    for rule in dict(manifest["fitted"]["model"]["v"])["rules_"]["v"]:
        if rule["v"]["output"] == output:
            change(rule["v"])
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("arrays.npz", arrays)


def _tuple(*items: Any) -> dict[str, Any]:
    return {"$": "tuple", "v": list(items)}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["keys"]["v"].__setitem__(0, _tuple("yes", "Wed", "x")), "not distinct pairs"),
        (lambda r: r["keys"]["v"].__setitem__(1, r["keys"]["v"][0]), "not distinct pairs"),
        (lambda r: r["values"]["v"].__setitem__(0, _tuple("off", "work")), "not distinct pairs"),
        (lambda r: r.__setitem__("partial", True), "partial lookup of two columns"),
        (lambda r: r.__setitem__("inputs", _tuple("temp", "weekday")), "not two columns of labels"),
        (lambda r: r.__setitem__("inputs", _tuple("weekday", "weekday")), "not two columns of labels"),
        (lambda r: r.__setitem__("inputs", _tuple("holiday", "weekday", "station")), "expected one"),
    ],
)
@pytest.mark.parametrize("name", ["pruned_cart", "gaussian_copula"])
def test_a_crafted_two_column_lookup_is_refused_on_load(name: str, change: Any, message: str, tmp_path: Path) -> None:
    model = synth.create(name).fit(_calendar(1200, 7))
    model.save(tmp_path / "m.synth")
    assert rules_of(synth.load_model(tmp_path / "m.synth")) == rules_of(model)
    _edit(tmp_path / "m.synth", tmp_path / "bad.synth", change)
    with pytest.raises(ModelFileError, match=message):
        synth.load_model(tmp_path / "bad.synth")


def test_a_rule_reading_a_partly_computed_column_before_its_input_is_drawn_is_refused(tmp_path: Path) -> None:
    """In CART the working day must come after the column the holiday is partly looked up from, or it would read
    the holiday's tree draw before the lookup overwrites it: a file whose holiday is looked up from a column drawn
    after the working day is refused."""
    model = synth.create("pruned_cart", random_state=0).fit(_partly_dated(8))
    model.save(tmp_path / "m.synth")
    names = [c.name for c in model.columns_]
    later = names[names.index("workingday") + 1 :]
    assert "temp" in later  # (drawn after the working day in this model)

    def from_temp(rule: dict[str, Any]) -> None:
        rule["inputs"] = _tuple("temp")

    _edit(tmp_path / "m.synth", tmp_path / "bad.synth", from_temp, output="holiday")
    with pytest.raises(ModelFileError, match="'workingday' is visited before its inputs"):
        synth.load_model(tmp_path / "bad.synth")
