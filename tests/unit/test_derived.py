"""Exact derived-column rules (synth.synthesizers.derived, derived_search): found only where they hold on every row
and chance cannot explain them, satisfied by every synthetic row, saved and checked in model files, met by filtering
under conditions, and never a way for a rare real value into the model file."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.schema import coerce_to_schema
from synth.synthesizers.derived import DerivedRule, describe_rules, rules_of
from synth.synthesizers.derived_search import find_rules
from synth.synthesizers.persist import ModelFileError

RULED = ("cart", "pruned_cart", "gaussian_copula")


def _bike_like(n: int, seed: int) -> pd.DataFrame:
    """A date with its year (offset), month, weekday counted from Sunday (a relabelling), a flag that is a lookup
    of a 6-valued code, and a total of two counts: the shapes of Bike Sharing's derived columns."""
    rng = np.random.default_rng(seed)
    date = pd.Timestamp("2011-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    station = rng.choice(["north", "south", "east", "west", "hub", "pier"], n)
    casual = rng.poisson(rng.uniform(2, 40, n))
    registered = rng.poisson(rng.uniform(10, 200, n))
    return pd.DataFrame(
        {
            "dteday": date,
            "yr": date.year - 2011,
            "mnth": date.month,
            "weekday": (date.weekday + 1) % 7,
            "station": station,
            "coastal": np.where(np.isin(station, ["pier", "hub"]), "yes", "no"),
            "temp": rng.normal(15, 8, n).round(2),
            "casual": casual,
            "registered": registered,
            "cnt": casual + registered,
        }
    )


def _rules(table: pd.DataFrame, threshold: int = 5) -> dict[str, DerivedRule]:
    schema = synth.infer_schema(table)
    data = coerce_to_schema(table, schema)[schema.modelled]
    return {r.output: r for r in find_rules(data, schema.select(schema.modelled), threshold)}


def _holds(syn: pd.DataFrame) -> dict[str, bool]:
    date = pd.to_datetime(syn["dteday"])
    return {
        "yr": bool((syn["yr"] == date.dt.year - 2011).all()),
        "mnth": bool((syn["mnth"] == date.dt.month).all()),
        "weekday": bool((syn["weekday"] == (date.dt.weekday + 1) % 7).all()),
        "coastal": bool((syn["coastal"] == np.where(syn["station"].isin(["pier", "hub"]), "yes", "no")).all()),
        "cnt": bool((syn["cnt"] == syn["casual"] + syn["registered"]).all()),
    }


def test_the_rules_of_a_bike_sharing_like_table_are_found() -> None:
    rules = _rules(_bike_like(2000, 0))
    assert set(rules) == {"yr", "mnth", "weekday", "coastal", "cnt"}
    assert rules["yr"].kind == "date_part" and rules["yr"].part == "year" and rules["yr"].offset == -2011
    assert rules["mnth"].part == "month" and not rules["mnth"].keys
    assert rules["weekday"].part == "weekday" and rules["weekday"].values == (1, 2, 3, 4, 5, 6, 0)
    assert rules["coastal"].kind == "lookup" and rules["coastal"].inputs == ("station",)
    assert rules["cnt"].kind == "sum" and set(rules["cnt"].inputs) == {"casual", "registered"}


@pytest.mark.parametrize("name", RULED)
def test_without_exact_rules_the_models_break_them(name: str) -> None:
    """The failure rules fix, pinned so the tests below can fail: modelled statistically, the total and the
    weekday contradict their inputs on some rows."""
    table = _bike_like(2000, 0)
    syn = synth.create(name, exact_rules=False).fit(table).sample(2000, seed=1)
    held = _holds(syn)
    assert not held["cnt"] and not held["weekday"], held


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), n=st.integers(300, 1500), name=st.sampled_from(RULED))
def test_every_synthetic_row_satisfies_every_rule(seed: int, n: int, name: str) -> None:
    table = _bike_like(n, seed)
    model = synth.create(name, random_state=seed).fit(table)
    assert {r.output for r in rules_of(model)} == {"yr", "mnth", "weekday", "coastal", "cnt"}
    syn = model.sample(3000, seed=seed + 1)
    assert all(_holds(syn).values()), _holds(syn)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(20, 400),
    ranges=st.lists(st.integers(2, 12), min_size=2, max_size=6),
)
def test_no_rule_is_found_among_independent_random_columns(seed: int, n: int, ranges: list[int]) -> None:
    """Small integer and label columns drawn independently: sums and lookups that hold by chance on a few rows are
    what the chi-square test and the chance bound exist to refuse."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({f"n{i}": rng.integers(0, k, n) for i, k in enumerate(ranges)})
    for i, k in enumerate(ranges[:3]):
        table[f"c{i}"] = rng.choice([f"v{j}" for j in range(k)], n)
    table["when"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 40, n), unit="D")
    table["x"] = rng.normal(size=n).round(1)
    assert _rules(table, threshold=1) == {}


def test_a_function_of_a_near_unique_column_is_not_a_rule() -> None:
    """Every column is 'a function' of one whose values are all different: the independence test refuses it."""
    rng = np.random.default_rng(1)
    n = 3000
    table = pd.DataFrame({"code": rng.permutation(n) // 2, "flag": rng.choice(["a", "b"], n)})
    assert _rules(table, threshold=1) == {}


def test_a_lookup_is_not_stored_when_its_input_holds_a_rare_value(tmp_path: Path) -> None:
    """The attack: B is an exact function of A, and A holds one rare value (one row). A lookup table listing every
    value of A would write it into the model file; it must not be there. The rare row's output is the nearest listed
    value's, so the lookup stands without it."""
    rng = np.random.default_rng(3)
    n = 3000
    code = rng.choice([101, 202, 303, 404, 505, 606], n)
    code[17] = 987_654_321  # one person's value
    day = pd.Timestamp("2020-03-01") + pd.to_timedelta(rng.integers(0, 30, n), unit="D")
    day = day.where(np.arange(n) != 17, pd.Timestamp("1999-09-09"))
    table = pd.DataFrame(
        {
            "code": code,
            "band": np.where(code > 350, "high", "low"),
            "day": day,
            "late": np.where(day.day > 15, "yes", "no"),
            "x": rng.normal(size=n).round(2),
        }
    )
    for name in RULED:
        model = synth.create(name).fit(table)
        band = {r.output: r for r in rules_of(model)}["band"]
        assert band.kind == "lookup" and band.inputs == ("code",) and band.keys == (101, 202, 303, 404, 505, 606)
        path = tmp_path / f"{name}.synth"
        model.save(path)
        with zipfile.ZipFile(path) as archive:
            manifest = archive.read("manifest.json").decode()
            arrays = np.load(archive.open("arrays.npz"), allow_pickle=False)
            numbers = np.concatenate([a.ravel().astype(float) for a in arrays.values() if a.dtype.kind in "fiu"])
        assert "987654321" not in manifest and "1999-09-09" not in manifest
        assert not np.any(numbers == 987_654_321)
        syn = model.sample(2000, seed=1)
        assert (syn["band"] == np.where(syn["code"] > 350, "high", "low")).all()
    # When the nearest listed value would give the rare row another output, the lookup is partial: the rare row is
    # left to the model, and still not listed.
    table.loc[17, "band"] = "low"
    band = _rules(table)["band"]
    assert band.partial and band.keys == (101, 202, 303, 404, 505, 606)


@pytest.mark.parametrize("name", RULED)
def test_a_condition_on_a_computed_column_is_met_by_filtering(name: str) -> None:
    table = _bike_like(2000, 4)
    model = synth.create(name).fit(table)
    syn = model.sample(500, seed=2, conditions={"weekday": 3, "cnt": (50, 120)})
    assert (syn["weekday"] == 3).all() and syn["cnt"].between(50, 120).all()
    assert all(_holds(syn).values())
    mixed = model.sample(300, seed=2, conditions={"station": "pier", "coastal": "yes"})
    assert (mixed["station"] == "pier").all() and all(_holds(mixed).values())
    rebalanced = model.sample(400, seed=3, rebalance={"coastal": {"yes": 0.5, "no": 0.5}})
    assert (rebalanced["coastal"] == "yes").sum() == 200 and all(_holds(rebalanced).values())


@pytest.mark.parametrize("name", RULED)
def test_rules_are_saved_and_a_loaded_model_samples_the_same(name: str, tmp_path: Path) -> None:
    model = synth.create(name).fit(_bike_like(1000, 5))
    path = tmp_path / "m.synth"
    model.save(path)
    loaded = synth.load_model(path)
    assert rules_of(loaded) == rules_of(model) and len(rules_of(model)) == 5
    pd.testing.assert_frame_equal(loaded.sample(300, seed=9), model.sample(300, seed=9))


def _edit(path: Path, out: Path, change) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        arrays = archive.read("arrays.npz")
    change(manifest)
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("arrays.npz", arrays)


def _rules_entry(manifest: dict) -> list:  # type: ignore[type-arg]
    state = dict(manifest["fitted"]["model"]["v"])
    return state["rules_"]["v"]


@pytest.mark.parametrize("name", ["pruned_cart", "gaussian_copula"])
def test_a_file_saved_before_rules_still_loads(name: str, tmp_path: Path) -> None:
    model = synth.create(name, exact_rules=False).fit(_bike_like(800, 6))
    model.save(tmp_path / "new.synth")

    def strip(manifest: dict) -> None:  # type: ignore[type-arg]
        manifest["fitted"]["model"]["v"] = [kv for kv in manifest["fitted"]["model"]["v"] if kv[0] != "rules_"]
        manifest["params"]["v"] = [kv for kv in manifest["params"]["v"] if kv[0] != "exact_rules"]

    _edit(tmp_path / "new.synth", tmp_path / "old.synth", strip)
    old = synth.load_model(tmp_path / "old.synth")
    assert rules_of(old) == () and not hasattr(old, "rules_")
    assert len(old.sample(50, seed=0)) == 50


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("part", "century", "unknown part"),
        ("kind", "quotient", "unknown kind"),
        ("kind", "product", "not distinct numbers"),
        ("decimals", 2, "rounds a rule that is not a product"),
        ("output", "nowhere", "does not draw"),
        ("partial", True, "partial but not a lookup"),
    ],
)
def test_an_altered_rule_is_refused_on_load(field: str, value: object, message: str, tmp_path: Path) -> None:
    model = synth.create("pruned_cart").fit(_bike_like(800, 7))
    model.save(tmp_path / "m.synth")

    def alter(manifest: dict) -> None:  # type: ignore[type-arg]
        for rule in _rules_entry(manifest):
            if rule["v"]["part"] == "month":
                rule["v"][field] = value

    _edit(tmp_path / "m.synth", tmp_path / "bad.synth", alter)
    with pytest.raises(ModelFileError, match=message):
        synth.load_model(tmp_path / "bad.synth")


def test_a_rule_that_reads_a_column_drawn_after_it_is_refused(tmp_path: Path) -> None:
    model = synth.create("cart").fit(_bike_like(800, 8))
    model.save(tmp_path / "m.synth")

    def swap(manifest: dict) -> None:  # type: ignore[type-arg]
        for rule in _rules_entry(manifest):
            if rule["v"]["output"] == "coastal":  # a lookup of temp, which is visited after coastal
                rule["v"]["inputs"]["v"] = ["temp"]

    _edit(tmp_path / "m.synth", tmp_path / "bad.synth", swap)
    with pytest.raises(ModelFileError, match="visited before its inputs"):
        synth.load_model(tmp_path / "bad.synth")


def test_cart_computes_a_derived_column_after_its_inputs_and_keeps_it_as_a_predictor() -> None:
    model = synth.create("pruned_cart").fit(_bike_like(1500, 9))
    where = {c.name: j for j, c in enumerate(model.columns_)}
    with_trees = {model.columns_[s.column].name for s in model.steps_}
    for rule in rules_of(model):
        assert all(where[c] < where[rule.output] for c in rule.inputs)
        assert rule.output not in with_trees
    # A later tree reads a computed column's slot as a predictor, like any other column drawn before it.
    first = min(where[r.output] for r in rules_of(model))
    assert any(s.tree is not None and s.tree.n_features > first for s in model.steps_)


def test_the_rules_decode_a_shared_input_once_per_draw_and_give_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three calendar rules read one date: it is decoded once per draw (not once per rule), and the rows are the ones
    decoding it for every rule gives."""
    import synth.synthesizers.derived as derived

    model = synth.create("pruned_cart", refine=False).fit(_bike_like(1500, 9))
    date = next(c for c in model.columns_ if c.name == "dteday")
    expected = model.sample(2000, seed=3)
    calls = []
    original = type(date).decode

    def counting(self: object, values: np.ndarray, coded: bool = False) -> pd.Series:
        calls.append(getattr(self, "name", None))
        return original(self, values, coded)

    monkeypatch.setattr(type(date), "decode", counting)
    got = model.sample(2000, seed=3)
    pd.testing.assert_frame_equal(got, expected)
    # Once for the rules and once for the output table.
    assert calls.count("dteday") == 2, calls

    uncached = derived.derive_codes

    def without_cache(*args: object, **kwargs: object) -> np.ndarray:
        return uncached(*args[:4])  # type: ignore[arg-type]

    monkeypatch.setattr("synth.synthesizers.cart_sampling.derive_codes", without_cache)
    calls.clear()
    pd.testing.assert_frame_equal(model.sample(2000, seed=3), expected)
    assert calls.count("dteday") == 1 + sum("dteday" in r.inputs for r in rules_of(model))


def test_only_the_cart_family_and_the_copula_take_exact_rules() -> None:
    for name in synth.available():
        has = any(p.name == "exact_rules" for p in synth.synthesizers.get(name).params)
        assert has == (name in RULED), name


def test_the_rules_are_described_in_words() -> None:
    model = synth.create("gaussian_copula").fit(_bike_like(800, 10))
    text = describe_rules(model)
    assert text is not None and text.startswith("5 columns are computed from other columns")
    for part in ("yr = year of dteday − 2011", "mnth = month of dteday", "cnt = casual + registered"):
        assert part in text
    assert describe_rules(synth.create("gaussian_copula", exact_rules=False).fit(_bike_like(800, 10))) is None


def test_the_search_finds_one_sum_among_300_columns() -> None:
    """300 columns × 20,000 rows (the search took about 1.3 s here with products and constant sums, 0.5 s
    without, Adult's 0.03 s; timed in benchmarks/bench_discriminator_columns.py, never here): the screens keep the
    one true rule and no false one."""
    rng = np.random.default_rng(0)
    n = 20_000
    cols: dict[str, np.ndarray] = {}
    for i in range(300):
        cols[f"c{i}"] = [rng.normal(size=n).round(3), rng.integers(0, 50, n), rng.choice(list("abcdefgh"), n)][i % 3]
    cols["total"] = cols["c1"] + cols["c4"]
    table = pd.DataFrame(cols)
    schema = synth.infer_schema(table)
    rules = find_rules(coerce_to_schema(table, schema), schema, 10)
    assert [r.describe() for r in rules] == ["total = c1 + c4"]


def test_a_condition_a_rule_makes_impossible_is_refused_and_says_why() -> None:
    model = synth.create("pruned_cart").fit(_bike_like(1500, 11))
    with pytest.raises(synth.SynthesizerError, match="coastal: computed from other columns by an exact rule"):
        model.sample(20, seed=0, conditions={"station": "pier", "coastal": "no"})


@pytest.mark.parametrize("name", RULED)
def test_a_partial_lookup_lists_only_common_dates_and_computes_their_rows(name: str, tmp_path: Path) -> None:
    """A flag that is a function of the date, where a few dates are rare and flagged unlike their neighbours: the
    nearest listed date would give them the wrong flag, so the lookup is partial. It lists only dates held by
    enough rows (no rare date in the file), computes every row whose date it lists, and leaves the rest modelled."""
    rng = np.random.default_rng(12)
    common = pd.date_range("2022-01-01", periods=60, freq="D")
    rare = common[5::12] + pd.Timedelta(hours=12)  # between two common days: rare, never listed
    days = np.concatenate([np.repeat(common.to_numpy(), 40), np.repeat(rare.to_numpy(), 2)])
    table = pd.DataFrame({"day": days})
    table["flag"] = np.where(table["day"].isin(rare) | (table["day"].dt.dayofweek == 0), "yes", "no")
    table["x"] = rng.normal(size=len(table)).round(2)
    table = table.sample(frac=1.0, random_state=0).reset_index(drop=True)
    model = synth.create(name).fit(table)
    rule = {r.output: r for r in rules_of(model)}["flag"]
    assert rule.kind == "lookup" and rule.partial and len(rule.keys) == 60
    assert not set(rule.keys) & set(rare)
    model.save(tmp_path / "m.synth")
    with zipfile.ZipFile(tmp_path / "m.synth") as archive:
        manifest = archive.read("manifest.json").decode()
    assert not any(d.isoformat() in manifest for d in rare)
    syn = model.sample(3000, seed=1)
    day = pd.to_datetime(syn["day"])
    listed = day.isin(common)
    assert listed.mean() > 0.5
    assert (syn.loc[listed, "flag"] == np.where(day[listed].dt.dayofweek == 0, "yes", "no")).all()


def test_the_hour_and_quarter_of_a_timestamp_written_as_text_are_found() -> None:
    rng = np.random.default_rng(13)
    n = 3000
    when = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h")
    table = pd.DataFrame(
        {
            "when": when.strftime("%Y-%m-%d %H:00"),  # date-like text: the schema reads it as a datetime
            "hr": when.hour,
            "q": when.quarter.map({1: "Q1", 2: "Q2", 3: "Q3", 4: "Q4"}),
            "load": rng.gamma(2.0, 10.0, n).round(1),
        }
    )
    rules = _rules(table)
    assert rules["hr"].part == "hour" and rules["hr"].offset == 0 and not rules["hr"].keys
    assert rules["q"].part == "quarter" and rules["q"].values == ("Q1", "Q2", "Q3", "Q4")
    syn = synth.create("pruned_cart").fit(table).sample(2000, seed=1)
    stamp = pd.to_datetime(syn["when"])
    assert (syn["hr"] == stamp.dt.hour).all()
    assert (syn["q"] == "Q" + stamp.dt.quarter.astype(str)).all()
