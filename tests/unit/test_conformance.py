"""The synthesizer contract, checked for every registered synthesizer on a small mixed table.

Shapes and dtypes, categories, integers, datetimes, bounds, missing values, seeds, conditions, rebalancing,
save/load, identifiers, cancel and parameter validation. A synthesizer added with ``@register`` is checked
here without any change to this file.
"""

from __future__ import annotations

import copy
import io
import json
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import synth
from synth.schema import ColumnKind
from synth.synthesizers import get, persist
from synth.synthesizers.base import Param, Synthesizer, largest_remainder
from synth.synthesizers.dp import mechanisms
from synth.synthesizers.dp.domains import OTHER
from synth.synthesizers.marginals import pooled_bounds
from synth.synthesizers.peers import PeerError
from synth.synthesizers.registry import is_peer

# Peer synthesizers (other libraries, synth/synthesizers/peers/) are offered, and so checked here, only when their
# extra is installed; their cases carry the `peers` mark (deselect with -m "not peers").
PEER_NAMES = [n for n in synth.available() if is_peer(n)]
NAMES = [pytest.param(n, marks=pytest.mark.peers) if n in PEER_NAMES else n for n in synth.available()]
FITTED_NAMES = synth.available()
# Neural peers fit for seconds to minutes each: the property tests below (30 fits per synthesizer) leave them out;
# the adapter's mapping on small mixed tables is covered by the copula peer and tests/unit/test_peers*.py.
NEURAL_PEERS = {"sdv_ctgan", "sdv_tvae", "mostlyai_argn"}
#: Where a peer's model, trained briefly on 400 rows, misses a quality bound of this suite (reported, not hidden).
PEER_QUALITY_GAPS = {
    ("missing_rates", "sdv_ctgan"): "CTGAN after 30 epochs on 400 rows misses missing rates by more than 5 points",
    ("missing_rates", "sdv_tvae"): "TVAE after 30 epochs on 400 rows misses missing rates by more than 5 points",
    ("conditioned_seeded", "sdv_tvae"): "TVAE after 30 epochs on 400 rows never draws flag=True (a collapsed mode): "
    "the condition is refused as too rare for this model",
    ("rebalancing", "sdv_tvae"): "TVAE after 30 epochs on 400 rows never draws flag=True or some colours: the "
    "rebalanced values are refused as too rare for this model",
}


def names_for(test: str) -> list[Any]:
    """NAMES for one test, with the known peer quality gaps marked xfail and neural peers left out of the
    property tests."""
    out: list[Any] = []
    for name in synth.available():
        marks: list[Any] = [pytest.mark.peers] if name in PEER_NAMES else []
        if (test, name) in PEER_QUALITY_GAPS:
            marks.append(pytest.mark.xfail(reason=PEER_QUALITY_GAPS[test, name], strict=False))
        if test == "property" and name in NEURAL_PEERS:
            continue
        out.append(pytest.param(name, marks=marks) if marks else name)
    return out


# The contract is about structure, not about how much noise a privacy budget adds: on a 400-row table the
# DP model gets a budget that lets its missing rates and conditional shares be checked with tight bounds, and
# treats the labels and ranges seen as public (its private domains are attacked in tests/unit/test_dp_*.py).
CONTRACT_PARAMS: dict[str, dict[str, Any]] = {
    "privbayes": {"epsilon": 50.0, "public_domain": "categories and ranges"},
    # Peers: enough training for the missing rates and conditional shares checked here, no more.
    "sdv_ctgan": {"epochs": 30},
    "sdv_tvae": {"epochs": 30},
    "mostlyai_argn": {"max_epochs": 10},
}


def make(name: str, **params: Any) -> Synthesizer:
    return synth.create(name, **{**CONTRACT_PARAMS.get(name, {}), **params})


def mixed_table(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Continuous, integer, nullable integer, categorical, boolean, datetime, missing values, identifiers."""
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2])
    x = rng.normal(50.0, 8.0, n) + np.where(colour == "red", 15.0, 0.0)
    x[rng.random(n) < 0.1] = np.nan
    count = pd.array(rng.poisson(3, n), dtype="Int64")
    count[rng.random(n) < 0.08] = pd.NA
    city = rng.choice(np.array(["Paris", "Lyon", "Nice", None], dtype=object), n, p=[0.5, 0.25, 0.15, 0.1])
    return pd.DataFrame(
        {
            "id": np.arange(5000, 5000 + n),
            "code": [f"C{v:06d}" for v in rng.choice(10**6, n, replace=False)],
            "x": x,
            "age": rng.integers(18, 91, n),
            "count": count,
            "colour": colour,
            "city": city,
            "flag": rng.random(n) < np.where(colour == "blue", 0.8, 0.2),
            "when": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
            "signup": (pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")).strftime(
                "%d/%m/%Y"
            ),
        }
    )


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    return mixed_table()


@pytest.fixture(scope="module")
def schema(real: pd.DataFrame) -> synth.Schema:
    return synth.infer_schema(real)


@pytest.fixture(scope="module")
def fitted(real: pd.DataFrame, schema: synth.Schema) -> dict[str, Synthesizer]:
    return {name: make(name).fit(real, schema) for name in FITTED_NAMES}


@pytest.fixture(scope="module")
def samples(fitted: dict[str, Synthesizer]) -> dict[str, pd.DataFrame]:
    return {name: model.sample(3000, seed=11) for name, model in fitted.items()}


def test_the_mixed_table_has_every_kind(schema: synth.Schema) -> None:
    kinds = schema.kinds()
    assert kinds["id"] is ColumnKind.IDENTIFIER and kinds["code"] is ColumnKind.IDENTIFIER
    assert kinds["x"] is ColumnKind.CONTINUOUS
    assert kinds["age"] is ColumnKind.DISCRETE and kinds["count"] is ColumnKind.DISCRETE
    assert kinds["colour"] is ColumnKind.CATEGORICAL and kinds["city"] is ColumnKind.CATEGORICAL
    assert kinds["flag"] is ColumnKind.BOOLEAN
    assert kinds["when"] is ColumnKind.DATETIME and kinds["signup"] is ColumnKind.DATETIME


def test_every_synthesizer_is_described() -> None:
    assert {"cart", "privbayes", "gaussian_copula", "independent"} <= set(FITTED_NAMES)
    for name in FITTED_NAMES:
        cls = get(name)
        assert cls.name == name and cls.label and cls.description
        assert all(p.help for p in cls.params), f"{name}: every parameter needs help text"
        declared = {p.name for p in cls.params}
        assert set(cls.main_params or ()) <= declared, f"{name}: main_params names a parameter it does not declare"
        main, advanced = cls.split_params()
        assert {p.name for p in main + advanced} == declared and len(main) + len(advanced) == len(declared)
        # The fitted-models list shows only what differs from the defaults.
        defaults = {p.name: p.default for p in cls.params}
        assert cls.changed_params({"random_state": 3, **defaults}) == {}
        for p in cls.params:
            other = next((v for v in (*p.choices, not p.default, 1, 7, 0.25, 99) if v != p.default), None)
            changed = cls.changed_params({**defaults, p.name: other, "not_a_parameter": 1})
            assert changed == {p.name: other}, (name, p.name, changed)


# ----------------------------------------------------------------------------- shape of the output
@pytest.mark.parametrize("name", NAMES)
def test_columns_and_dtypes_equal_the_real_tables(name: str, real: pd.DataFrame, samples: dict) -> None:
    syn = samples[name]
    assert syn.shape == (3000, real.shape[1])
    assert list(syn.columns) == list(real.columns)
    assert syn.index.equals(pd.RangeIndex(3000))
    assert dict(syn.dtypes) == dict(real.dtypes)


@pytest.mark.parametrize("name", NAMES)
def test_only_categories_seen_in_training(name: str, real: pd.DataFrame, samples: dict) -> None:
    syn = samples[name]
    # PrivBayes cannot know labels without noise: labels under its noisy threshold come out as "(other)".
    invented = {OTHER} if name == "privbayes" else set()
    for column in ("colour", "city", "flag"):
        assert set(syn[column].dropna()) <= set(real[column].dropna()) | invented, column


@pytest.mark.parametrize("name", NAMES)
def test_integers_stay_integers_and_datetimes_datetimes(name: str, real: pd.DataFrame, samples: dict) -> None:
    syn = samples[name]
    for column in ("age", "count"):
        values = syn[column].dropna().to_numpy(dtype=float)
        assert np.array_equal(values, np.round(values)), column
    assert pd.api.types.is_datetime64_any_dtype(syn["when"])
    assert (syn["when"].dt.normalize() == syn["when"]).all(), "whole days stay whole days"
    signup = pd.to_datetime(syn["signup"], format="%d/%m/%Y", errors="coerce")
    assert signup.notna().all(), "dates stored as text come back as text in the same format"


@pytest.mark.parametrize("name", NAMES)
def test_bounds_respected(name: str, real: pd.DataFrame, samples: dict) -> None:
    syn = samples[name]
    for column in ("x", "age", "count", "when"):
        values = syn[column].dropna()
        assert values.min() >= real[column].min() and values.max() <= real[column].max(), column
    fake, true = (pd.to_datetime(t["signup"], format="%d/%m/%Y") for t in (syn, real))
    assert fake.min() >= true.min() and fake.max() <= true.max()


@pytest.mark.parametrize("name", names_for("missing_rates"))
def test_missing_rates_close_to_real(name: str, real: pd.DataFrame, samples: dict) -> None:
    syn = samples[name]
    for column in real.columns:
        rate = real[column].isna().mean()
        if rate == 0:
            assert syn[column].notna().all(), f"{column} is never missing in the real table"
        else:
            assert syn[column].isna().mean() == pytest.approx(rate, abs=0.05), column


@pytest.mark.parametrize("name", NAMES)
def test_identifiers_unique_and_not_copied(name: str, real: pd.DataFrame, samples: dict) -> None:
    syn = samples[name]
    for column in ("id", "code"):
        assert syn[column].is_unique, column
        assert not set(syn[column]) & set(real[column]), f"{column}: a real identifier was reused"


@pytest.mark.parametrize("name", NAMES)
def test_a_table_with_nothing_to_learn(name: str) -> None:
    frame = pd.DataFrame({"id": np.arange(100), "country": ["FR"] * 100})
    syn = make(name).fit(frame).sample(30, seed=0, conditions={"country": "FR"})
    assert syn["country"].eq("FR").all() and syn["id"].min() >= 100 and syn["id"].is_unique


# ----------------------------------------------------------------------------- seeds
@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_table_other_seed_other_table(name: str, fitted: dict) -> None:
    model = fitted[name]
    a, b, c = model.sample(300, seed=7), model.sample(300, seed=7), model.sample(300, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


@pytest.mark.parametrize("name", NAMES)
def test_seed_none_continues_the_generator(name: str, real: pd.DataFrame, schema: synth.Schema, tmp_path: Path) -> None:
    one = make(name, random_state=3).fit(real, schema)
    if name == "privbayes":  # its DP noise is fresh in every fit, never from random_state: use a saved copy
        one.save(tmp_path / "model.synth")
        two = synth.synthesizers.load_model(tmp_path / "model.synth")
    else:
        two = make(name, random_state=3).fit(real, schema)
    first, second = one.sample(200), one.sample(200)
    assert not first.equals(second), "seed=None must move on, not repeat"
    pd.testing.assert_frame_equal(two.sample(200), first)
    pd.testing.assert_frame_equal(two.sample(200), second)


# ----------------------------------------------------------------------------- conditions
@pytest.mark.parametrize("name", NAMES)
def test_conditions_on_several_columns(name: str, fitted: dict) -> None:
    model = fitted[name]
    conditions = {
        "colour": "red",
        "x": (55.0, 75.0),
        "city": ["Paris", None],
        "when": ("2023-03-01", None),
        "signup": (None, pd.Timestamp("2023-06-30")),
    }
    syn = model.sample(200, seed=1, conditions=conditions)
    assert len(syn) == 200
    assert (syn["colour"] == "red").all()
    assert syn["x"].between(55.0, 75.0).all()
    assert (syn["city"].isna() | (syn["city"] == "Paris")).all()
    assert (syn["when"] >= pd.Timestamp("2023-03-01")).all()
    assert (pd.to_datetime(syn["signup"], format="%d/%m/%Y") <= pd.Timestamp("2023-06-30")).all()
    missing = model.sample(50, seed=2, conditions={"x": None})
    assert missing["x"].isna().all()


@pytest.mark.parametrize("name", names_for("conditioned_seeded"))
def test_conditioned_tables_are_seeded(name: str, fitted: dict) -> None:
    model = fitted[name]
    a = model.sample(100, seed=4, conditions={"flag": True})
    pd.testing.assert_frame_equal(a, model.sample(100, seed=4, conditions={"flag": True}))
    assert a["flag"].all()


@pytest.mark.parametrize("name", NAMES)
def test_impossible_conditions_fail_at_once_with_the_reason(name: str, fitted: dict) -> None:
    model = fitted[name]
    start = time.perf_counter()
    with pytest.raises(synth.SynthesizerError, match="'purple' never occurs in colour"):
        model.sample(10, conditions={"colour": "purple"})
    # The range shown runs between the means of the 5th to 9th smallest and largest ages (19.6 and 88.4, whole
    # numbers rounded): the real extremes (18 and 90) are not kept, nor any one person's age. The DP network's
    # range is its own, released under its guarantee.
    with pytest.raises(
        synth.SynthesizerError, match=r"age ranges from (20\.0 to 88\.0|18\.0 to 90\.0 in the model's di)"
    ):
        model.sample(10, conditions={"age": (200, 300)})
    with pytest.raises(synth.SynthesizerError, match="whole numbers"):
        model.sample(10, conditions={"age": 30.5})
    with pytest.raises(synth.SynthesizerError, match="never missing"):
        model.sample(10, conditions={"age": None})
    with pytest.raises(synth.SynthesizerError, match="no such column"):
        model.sample(10, conditions={"nope": 1})
    with pytest.raises(synth.SynthesizerError, match="generated fresh"):
        model.sample(10, conditions={"id": 5000})
    with pytest.raises(synth.SynthesizerError, match="ranges apply to numbers and dates"):
        model.sample(10, conditions={"colour": ("a", "b")})
    assert time.perf_counter() - start < 1.0, "the impossibility check must not draw rows"


@pytest.mark.parametrize("name", NAMES)
def test_a_point_condition_is_met_exactly_or_refused_after_bounded_draws(
    name: str, real: pd.DataFrame, schema: synth.Schema
) -> None:
    model = make(name).fit(real, schema)
    model.max_condition_draws = 20_000  # type: ignore[misc]
    values = np.sort(real["x"].dropna().unique())
    between = float((values[10] + values[11]) / 2)  # within the bounds, never a real value
    start = time.perf_counter()
    try:
        syn = model.sample(10, seed=0, conditions={"x": (between, between)})
    except synth.SynthesizerError as exc:  # a model that never outputs new values gives the point no probability
        assert re.match(r"^0 of [\d,]+ draws matched .*x", str(exc)), str(exc)
    else:  # a model with a continuous density conditions on the point itself
        assert (syn["x"] == between).all()
    assert time.perf_counter() - start < 30
    model.sample(5, seed=0)  # still usable afterwards


# ----------------------------------------------------------------------------- rebalancing
@pytest.mark.parametrize("name", names_for("rebalancing"))
def test_rebalancing_gives_the_target_shares(name: str, fitted: dict) -> None:
    model = fitted[name]
    syn = model.sample(1000, seed=3, rebalance={"colour": {"blue": 0.5, "green": 0.3, "red": 0.2}})
    assert syn["colour"].value_counts().to_dict() == {"blue": 500, "green": 300, "red": 200}
    assert not syn["colour"].head(50).eq(syn["colour"].iloc[0]).all(), "groups are shuffled together"
    three_to_one = model.sample(10, seed=3, rebalance={"flag": {True: 0.75, False: 0.25}})
    assert three_to_one["flag"].sum() in (7, 8)


@pytest.mark.parametrize("name", names_for("rebalancing"))
def test_rebalancing_keeps_other_columns_conditional_on_the_value(name: str, fitted: dict) -> None:
    model = fitted[name]
    plain = model.sample(4000, seed=5)
    rebalanced = model.sample(4000, seed=6, rebalance={"colour": {"blue": 0.5, "red": 0.5}})
    for colour in ("blue", "red"):
        expected = plain.loc[plain["colour"] == colour, "x"].mean()
        got = rebalanced.loc[rebalanced["colour"] == colour, "x"].mean()
        assert got == pytest.approx(expected, abs=1.5), colour


@pytest.mark.parametrize("name", NAMES)
def test_rebalancing_checks_its_input(name: str, fitted: dict) -> None:
    model = fitted[name]
    with pytest.raises(synth.SynthesizerError, match="never occurs"):
        model.sample(10, rebalance={"colour": {"purple": 1.0}})
    with pytest.raises(synth.SynthesizerError, match="all zero"):
        model.sample(10, rebalance={"colour": {"red": 0.0}})
    with pytest.raises(synth.SynthesizerError, match="one column"):
        model.sample(10, rebalance={"colour": {"red": 1.0}, "flag": {True: 1.0}})
    with pytest.raises(synth.SynthesizerError, match="both condition on and rebalance"):
        model.sample(10, conditions={"colour": "red"}, rebalance={"colour": {"red": 1.0}})
    with pytest.raises(synth.SynthesizerError, match="sum to 4, not 1"):
        model.sample(10, rebalance={"flag": {True: 3, False: 1}})


def test_largest_remainder_counts_sum_to_n() -> None:
    counts = largest_remainder(np.array([1 / 3, 1 / 3, 1 / 3]), 10)
    assert counts.sum() == 10 and sorted(counts.tolist()) == [3, 3, 4]
    assert largest_remainder(np.array([0.25, 0.75]), 8).tolist() == [2, 6]


# ----------------------------------------------------------------------------- save / load
@pytest.mark.parametrize("name", NAMES)
def test_save_load_round_trip_gives_identical_samples(
    name: str, real: pd.DataFrame, schema: synth.Schema, tmp_path: Path
) -> None:
    model = make(name, random_state=5).fit(real, schema)
    model.sample(50)  # the generator has moved on: the file keeps where it is
    path = tmp_path / f"{name}.synth"
    if name in PEER_NAMES:  # a peer library's model is pickle or torch files: refused, with the reason
        with pytest.raises(PeerError, match="cannot be saved"):
            model.save(path)
        assert not path.exists()
        return
    model.save(path)
    loaded = synth.load_model(path)
    assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
    pd.testing.assert_frame_equal(loaded.sample(500, seed=9), model.sample(500, seed=9))
    pd.testing.assert_frame_equal(loaded.sample(300), model.sample(300))
    conditions = {"colour": "red"}
    pd.testing.assert_frame_equal(
        loaded.sample(50, seed=1, conditions=conditions), model.sample(50, seed=1, conditions=conditions)
    )
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["arrays.npz", "manifest.json"]
        manifest = json.loads(zf.read("manifest.json"))
        with np.load(io.BytesIO(zf.read("arrays.npz")), allow_pickle=False) as arrays:
            assert all(arrays[key].dtype != object for key in arrays.files)
    assert manifest["synthesizer"] == name


SAVED_NAMES = [n for n in synth.available() if n not in PEER_NAMES]  # peers' models cannot be saved (above)


@pytest.mark.parametrize("name", SAVED_NAMES)
def test_a_model_file_depends_only_on_the_model(
    name: str, real: pd.DataFrame, schema: synth.Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saving a model twice (a year apart on the clock) and saving a second fit made with the same seed give the
    same bytes. (Members used to carry the wall-clock time of the save.)"""
    # PrivBayes draws its DP noise from fresh OS entropy for every fit, by design: pinned here so that two of its
    # fits can be compared at all. Its first two saves below are of one fit, as they are.
    monkeypatch.setattr(mechanisms, "private_rng", lambda: np.random.default_rng(3))
    first = make(name, random_state=5).fit(real, schema)
    second = make(name, random_state=5).fit(real, schema)
    first.save(tmp_path / "a.synth")
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 400 * 86_400)  # what zipfile stamps a member with
    first.save(tmp_path / "b.synth")
    second.save(tmp_path / "c.synth")
    saved = [(tmp_path / f"{x}.synth").read_bytes() for x in "abc"]
    assert saved[0] == saved[1] == saved[2]


def test_equal_sets_are_saved_in_one_order() -> None:
    """A set's iteration order follows its insertion history (and a string's hash seed); the file does not."""
    one, other = {1, 9}, {9, 1}  # 1 and 9 share a slot in a small set: the later one iterates second
    assert list(one) != list(other)  # the premise: equal sets, different orders
    for kind in (set, frozenset):
        assert persist.Encoder().encode(kind(one)) == persist.Encoder().encode(kind(other))
    assert persist.Decoder({}).decode(persist.Encoder().encode(frozenset(other))) == frozenset(one)


def test_a_file_written_with_time_stamps_and_other_key_orders_still_loads(
    real: pd.DataFrame, schema: synth.Schema, tmp_path: Path
) -> None:
    """Files written before saving became byte-reproducible (wall-clock stamps) load and sample as before, and so
    does a manifest whose objects list their keys in another order."""
    model = make("cart", random_state=5).fit(real, schema)
    path = tmp_path / "old.synth"
    model.save(path)

    def reverse_keys(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: reverse_keys(value[k]) for k in reversed(list(value))}
        return [reverse_keys(v) for v in value] if isinstance(value, list) else value

    with zipfile.ZipFile(path) as zf:
        manifest, arrays = reverse_keys(json.loads(zf.read("manifest.json"))), zf.read("arrays.npz")
    path.unlink()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:  # the writer before the change
        zf.writestr("manifest.json", json.dumps(manifest, separators=(",", ":")))
        zf.writestr("arrays.npz", arrays)
    assert zipfile.ZipFile(path).getinfo("manifest.json").date_time != (1980, 1, 1, 0, 0, 0)
    pd.testing.assert_frame_equal(synth.load_model(path).sample(200, seed=3), model.sample(200, seed=3))


@pytest.mark.parametrize("name", SAVED_NAMES)
def test_a_table_of_constant_columns_is_saved_and_read_back(name: str, tmp_path: Path) -> None:
    """Found by fitting, saving and loading random tables: a table whose only modelled column is constant gave CART
    no columns of its own, and the file check refused "no columns" as damage, so the model it wrote could not be
    read back."""
    table = pd.DataFrame({"level": [7.0] * 200, "id": [f"u{i}" for i in range(200)]})
    model = make(name, random_state=0).fit(table)
    model.save(tmp_path / "m.synth")
    loaded = synth.load_model(tmp_path / "m.synth")
    pd.testing.assert_frame_equal(loaded.sample(50, seed=1), model.sample(50, seed=1))
    assert (loaded.sample(20, seed=2)["level"] == 7.0).all()


_COLUMN_TYPES = ("number", "count", "category", "postcode", "flag", "date", "constant", "spike")


def _random_table(seed: int, n: int, types: list[str], missing: list[float]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns: dict[str, pd.Series] = {}
    for j, (kind, share) in enumerate(zip(types, missing, strict=True)):
        values: Any
        if kind == "number":
            values = rng.normal(rng.normal(), 10.0 ** rng.integers(-3, 6), n)
        elif kind == "count":
            values = rng.integers(-5, int(rng.choice([3, 50, 10**6])), n).astype(float)
        elif kind == "category":
            values = rng.choice(list("abcde")[: int(rng.integers(1, 6))], n).astype(object)
        elif kind == "postcode":
            values = np.array([f"{x:05d}" for x in rng.integers(0, 3_000, n)], dtype=object)
        elif kind == "flag":
            values = (rng.random(n) < rng.random()).astype(object)
        elif kind == "date":
            values = (pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")).to_numpy()
        elif kind == "constant":
            values = np.full(n, 7.0)
        else:
            values = np.where(rng.random(n) < 0.9, 0.0, rng.lognormal(5, 2, n))
        column = pd.Series(values)
        column[rng.random(n) < share] = None
        columns[f"c{j}_{kind}"] = column
    return pd.DataFrame(columns)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(seed=0, n=300, columns=[("constant", 0.0)])  # CART with no columns of its own
@given(
    seed=st.integers(0, 2**16),
    n=st.sampled_from([3, 8, 30, 300]),
    columns=st.lists(
        st.tuples(st.sampled_from(_COLUMN_TYPES), st.sampled_from([0.0, 0.05, 0.5, 0.95])), min_size=1, max_size=5
    ),
)
def test_every_model_a_fit_writes_is_read_back(seed: int, n: int, columns: list[tuple[str, float]]) -> None:
    """The file check refuses only what no fit produces: for any table a synthesizer accepts, the model it saves
    loads and draws the same rows. (Two checks were stricter than the fits: a boosted refiner's +inf threshold on
    missing values, and CART with no columns of its own.)"""
    import tempfile

    table = _random_table(seed, n, [c[0] for c in columns], [c[1] for c in columns])
    for name in (n for n in synth.available() if n not in PEER_NAMES):
        try:
            model = make(name, random_state=seed).fit(table)
        except synth.SynthesizerError:
            continue  # refused with the project's own error (too few rows, nothing to learn): not this test's claim
        with tempfile.TemporaryDirectory() as folder:
            model.save(Path(folder) / "m.synth")
            loaded = synth.load_model(Path(folder) / "m.synth")
        pd.testing.assert_frame_equal(loaded.sample(40, seed=1), model.sample(40, seed=1))


def _rewrite(path: Path, edit: Callable[[dict], None]) -> None:
    with zipfile.ZipFile(path) as zf:
        manifest, arrays = json.loads(zf.read("manifest.json")), zf.read("arrays.npz")
    edit(manifest)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("arrays.npz", arrays)


def test_loading_refuses_anything_but_a_model_file(real: pd.DataFrame, tmp_path: Path) -> None:
    not_zip = tmp_path / "x.synth"
    not_zip.write_bytes(b"\x80\x04 certainly not a model")
    with pytest.raises(synth.ModelFileError, match="not a zip"):
        synth.load_model(not_zip)

    good = tmp_path / "good.synth"
    synth.create("independent").fit(real).save(good)

    def foreign_type(manifest: dict) -> None:
        manifest["fitted"]["generated"] = {"$": "dc", "type": "os.system", "v": {}}

    bad = tmp_path / "type.synth"
    bad.write_bytes(good.read_bytes())
    _rewrite(bad, foreign_type)
    with pytest.raises(synth.ModelFileError, match=r"unknown type 'os\.system'"):
        synth.load_model(bad)

    def unknown_model(manifest: dict) -> None:
        manifest["synthesizer"] = "evil"

    bad.write_bytes(good.read_bytes())
    _rewrite(bad, unknown_model)
    with pytest.raises(synth.ModelFileError, match="unknown synthesizer"):
        synth.load_model(bad)

    pickled = tmp_path / "pickle.synth"
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(pickled, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "synth-model", "format_version": 1}))
        npz = io.BytesIO()
        with zipfile.ZipFile(npz, "w") as arrays:
            arrays.writestr("a0.npy", buffer.getvalue())
        zf.writestr("arrays.npz", npz.getvalue())
    with pytest.raises(synth.ModelFileError, match="cannot be read safely"):
        synth.load_model(pickled)


def test_an_unfitted_model_cannot_be_saved(tmp_path: Path) -> None:
    with pytest.raises(synth.SynthesizerError, match="not fitted"):
        synth.create("cart").save(tmp_path / "m.synth")


# ----------------------------------------------------------------------------- cancel
class CancelAt:
    """A progress callback that cancels at its ``stop``-th call (never when ``stop`` is None)."""

    def __init__(self, stop: int | None) -> None:
        self.stop = stop
        self.calls = 0

    def __call__(self, fraction: float, message: str, /) -> None:
        assert 0.0 <= fraction <= 1.0 and message
        self.calls += 1
        if self.stop is not None and self.calls >= self.stop:
            raise synth.Cancelled


@pytest.mark.parametrize("name", NAMES)
def test_cancel_at_any_point_leaves_the_model_as_it_was(name: str, real: pd.DataFrame, schema: synth.Schema) -> None:
    counter = CancelAt(None)
    make(name).fit(real, schema, progress=counter)
    assert counter.calls >= 3, "a fit reports progress as it goes"
    fresh = make(name)
    for stop in range(1, counter.calls):
        with pytest.raises(synth.Cancelled):
            fresh.fit(real, schema, progress=CancelAt(stop))
        assert not fresh.is_fitted
        assert sorted(vars(fresh)) == sorted(vars(make(name))), "no learned attribute is left behind"

    fitted = make(name, random_state=2).fit(real, schema)
    before_state = dict(vars(fitted))
    expected = copy.deepcopy(fitted).sample(100)  # (a second fit would differ for a DP model: fresh noise)
    other = real.sample(frac=0.5, random_state=1).reset_index(drop=True)
    with pytest.raises(synth.Cancelled):
        fitted.fit(other, progress=CancelAt(counter.calls - 1))
    assert vars(fitted).keys() == before_state.keys()
    assert all(vars(fitted)[k] is v for k, v in before_state.items())
    pd.testing.assert_frame_equal(fitted.sample(100), expected)


@pytest.mark.parametrize("name", NAMES)
def test_a_cancelled_sample_does_not_advance_the_generator(name: str, real: pd.DataFrame, schema: synth.Schema) -> None:
    one = make(name, random_state=4).fit(real, schema)
    two = copy.deepcopy(one)  # (a second fit would differ for a DP model: fresh noise)
    with pytest.raises(synth.Cancelled):
        one.sample(500, progress=CancelAt(2))
    pd.testing.assert_frame_equal(one.sample(100), two.sample(100))


# ----------------------------------------------------------------------------- parameters
def _invalid_values(param: Param) -> list[Any]:
    if param.kind == "bool":
        return ["yes", 1]
    if param.kind == "choice":
        # A choice that may name columns takes any name at creation (the fit checks it: see below).
        return [None, 3] if param.names_columns else ["no such choice", None]
    bad: list[Any] = ["ten", None, True, float("nan")]
    if param.low is not None:
        bad.append(param.low - 1)
    if param.high is not None:
        bad.append(param.high + 1)
    if param.kind == "int":
        bad.append((param.low or 0) + 1.5)
    return bad


@pytest.mark.parametrize("name", NAMES)
def test_parameters_are_validated(name: str, real: pd.DataFrame) -> None:
    cls = get(name)
    for param in cls.params:
        param.check(param.default)
        for value in _invalid_values(param):
            with pytest.raises(synth.SynthesizerError, match=param.name):
                synth.create(name, **{param.name: value})
        # Set directly on the object, a bad value is caught when fitting, before any work.
        model = cls(**{param.name: _invalid_values(param)[0]})
        with pytest.raises(synth.SynthesizerError, match=param.name):
            model.fit(real)
        assert not model.is_fitted
        if param.names_columns:
            model = synth.create(name, **{param.name: "no such column"})
            with pytest.raises(synth.SynthesizerError, match="no such column"):
                model.fit(real)
            assert not model.is_fitted
    with pytest.raises(synth.SynthesizerError, match="no parameter 'bogus'"):
        synth.create(name, bogus=1)
    with pytest.raises(synth.SynthesizerError, match="random_state"):
        synth.create(name, random_state=-1)


@pytest.mark.parametrize("name", NAMES)
def test_scikit_learn_get_params_set_params_and_clone(name: str, fitted: dict) -> None:
    """README: synthesizers follow scikit-learn's rules. get_params(deep=...) once raised TypeError and there was
    no set_params, so sklearn.base.clone failed on every synthesizer."""
    from sklearn.base import clone

    model = make(name, random_state=7)
    params = model.get_params(deep=False)
    assert model.get_params(deep=True) == params == model.get_params() == model.get_params(False)
    with pytest.raises(TypeError):
        model.get_params(deeep=True)
    assert {"random_state", *(p.name for p in get(name).params)} <= set(params)
    twin = clone(model)
    assert type(twin) is type(model) and twin is not model and twin.get_params() == params
    fitted_twin = clone(fitted[name])  # a clone is unfitted, with the same settings
    assert not fitted_twin.is_fitted and fitted_twin.get_params() == fitted[name].get_params()

    fresh = synth.create(name)
    assert fresh.set_params(**params) is fresh and fresh.get_params() == params
    assert not fresh.is_fitted  # set_params never fits
    with pytest.raises(synth.SynthesizerError, match="no parameter 'bogus'"):
        fresh.set_params(bogus=1)
    with pytest.raises(synth.SynthesizerError, match="random_state"):
        fresh.set_params(random_state=-1)
    for param in get(name).params:
        with pytest.raises(synth.SynthesizerError, match=param.name):
            fresh.set_params(**{param.name: _invalid_values(param)[0]})
    assert fresh.get_params() == params  # a refused call changes nothing


@pytest.mark.parametrize("name", NAMES)
def test_set_params_on_a_fitted_model_forgets_the_fit_only_when_a_setting_changes(name: str, fitted: dict) -> None:
    """A fitted model re-configured would otherwise pair new settings with a model learned under others (a DP
    model's privacy statement quoting an ε it was not fitted with)."""
    model = copy.deepcopy(fitted[name])
    assert model.set_params(**model.get_params()).is_fitted
    model.sample(5, seed=0)
    model.set_params(random_state=model.random_state + 1)
    assert not model.is_fitted and not [k for k in vars(model) if k.endswith("_")]
    with pytest.raises(synth.SynthesizerError, match="not fitted"):
        model.sample(5)


@pytest.mark.parametrize("name", NAMES)
def test_sample_arguments_are_validated(name: str, fitted: dict, real: pd.DataFrame) -> None:
    with pytest.raises(synth.SynthesizerError, match="not fitted"):
        make(name).sample(10)
    for n in (0, -1, 2.5, True):
        with pytest.raises(synth.SynthesizerError, match="number of rows"):
            fitted[name].sample(n)
    with pytest.raises(synth.SynthesizerError, match="seed"):
        fitted[name].sample(10, seed=-3)
    with pytest.raises(synth.SynthesizerError, match="at least 2 rows"):
        make(name).fit(real.head(1))


# ----------------------------------------------------------------------------- any mixed table
_KINDS = ("float", "float_missing", "int", "int_missing", "category", "category_missing", "bool", "date")


def _column(kind: str, n: int, rng: np.random.Generator) -> Any:
    if kind.startswith("float"):
        values = rng.normal(rng.uniform(-100, 100), rng.uniform(0.1, 50), n)
    elif kind.startswith("int"):
        values = rng.integers(-5, int(rng.integers(1, 200)), n).astype(float)
    elif kind.startswith("category"):
        labels = np.array(["a", "b", "c", "d", "e"][: int(rng.integers(2, 6))], dtype=object)
        values = labels[rng.integers(0, len(labels), n)]
    elif kind == "bool":
        return rng.random(n) < rng.uniform(0.1, 0.9)
    else:
        return pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="D")
    if kind.endswith("missing"):
        values = np.asarray(values, dtype=object if kind.startswith("category") else float)
        values[rng.random(n) < 0.2] = None if kind.startswith("category") else np.nan
    if kind.startswith("int"):
        return pd.array(values, dtype="Int64") if kind.endswith("missing") else values.astype(np.int64)
    return values


@st.composite
def mixed_frames(draw: st.DrawFn) -> pd.DataFrame:
    kinds = draw(st.lists(st.sampled_from(_KINDS), min_size=1, max_size=6))
    n = draw(st.integers(min_value=8, max_value=60))
    rng = np.random.default_rng(draw(st.integers(min_value=0, max_value=2**32 - 1)))
    return pd.DataFrame({f"{kind}_{i}": _column(kind, n, rng) for i, kind in enumerate(kinds)})


@pytest.mark.parametrize("name", names_for("property"))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=mixed_frames(), seed=st.integers(min_value=0, max_value=1000))
def test_any_small_mixed_table_gives_conforming_output(name: str, frame: pd.DataFrame, seed: int) -> None:
    schema = synth.infer_schema(frame)
    try:
        syn = make(name).fit(frame, schema).sample(25, seed=seed)
    except PeerError:  # another library may refuse a tiny table: with our error, naming it
        assert name in PEER_NAMES
        return
    assert list(syn.columns) == list(frame.columns)
    assert dict(syn.dtypes) == dict(frame.dtypes)
    for spec in schema:
        real, fake = frame[spec.name], syn[spec.name]
        if real.notna().all():
            assert fake.notna().all(), spec.name
        if spec.kind is ColumnKind.CATEGORICAL and name != "privbayes":
            counts = real.value_counts()
            # Categories held by fewer than 5 rows are only ever emitted as the "(other)" bucket.
            assert set(fake.dropna()) <= set(counts.index[counts >= 5]) | {"(other)"}, spec.name
        elif spec.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.CONSTANT):
            assert set(fake.dropna()) <= set(real.dropna()), spec.name
        elif spec.kind.is_modelled and fake.notna().any():
            assert fake.min() >= real.min() and fake.max() <= real.max(), spec.name


@pytest.mark.parametrize("name", names_for("property"))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=mixed_frames(), data=st.data())
def test_any_condition_on_a_seen_value_is_met_or_refused_with_the_draw_count(
    name: str, frame: pd.DataFrame, data: st.DataObject
) -> None:
    schema = synth.infer_schema(frame)
    candidates = [c for c in schema if c.kind.is_modelled and frame[c.name].notna().any()]
    assume(candidates)
    spec = data.draw(st.sampled_from(candidates))
    value = data.draw(st.sampled_from(sorted(frame[spec.name].dropna().unique().tolist())))
    ranged = spec.kind in (ColumnKind.CONTINUOUS, ColumnKind.DATETIME)
    condition = (value, None) if ranged else value
    try:
        model = make(name).fit(frame, schema)
    except PeerError:  # another library may refuse a tiny table: with our error, naming it
        assert name in PEER_NAMES
        return
    model.max_condition_draws = 5_000  # type: ignore[misc]
    try:
        syn = model.sample(10, seed=0, conditions={spec.name: condition})
    except synth.SynthesizerError as exc:
        message = str(exc)
        if "never occurs" in message:  # a rare category: learned only as "(other)"
            assert spec.kind is ColumnKind.CATEGORICAL and (frame[spec.name] == value).sum() < 5, message
        elif "ranges from" in message:  # beyond the range kept (means of 5 values inside the 4 most extreme)
            dom = model._domain(spec.name)
            assert value < dom.low or value > dom.high, message
            if spec.kind is ColumnKind.CONTINUOUS:
                assert (dom.low, dom.high) == pooled_bounds(frame[spec.name].to_numpy(dtype=float)), message
        elif "fewer than 5 values" in message:  # no range is kept: its ends would be one person's values
            assert frame[spec.name].notna().sum() < 5, message
        else:
            assert "draws matched" in message
        return
    column = syn[spec.name]
    assert (column >= value).all() if ranged else (column == value).all()


def ordered_table(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """A table with what models compute or keep beyond plain columns: a date that follows another, a number
    bounded by another, a total of two parts, and a plan to condition on."""
    rng = np.random.default_rng(seed)
    signup = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    people = rng.integers(5, 3_000, n)
    part_a, part_b = rng.poisson(20, n), rng.poisson(60, n)
    return pd.DataFrame(
        {
            "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2]),
            "signup": signup,
            "renewal": signup + pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
            "people": people,
            "households": np.maximum(1, np.round(people * rng.uniform(0.2, 0.5, n))).astype(int),
            "part_a": part_a,
            "part_b": part_b,
            "total": part_a + part_b,
        }
    )


@pytest.mark.parametrize("name", [n for n in FITTED_NAMES if n not in PEER_NAMES])
def test_conditioned_rows_are_drawn_like_plain_ones(name: str) -> None:
    """What a model keeps in plain sampling it keeps under a condition: every column of conditioned rows stays in
    the range plain rows cover, and every order plain rows keep, conditioned rows keep. (Session 9's date gaps
    broke this: conditioned rows read a gap as a date.)"""
    table = ordered_table()
    model = make(name, random_state=0).fit(table)
    plain = model.sample(3_000, seed=1)
    conditioned = model.sample(600, seed=2, conditions={"plan": "pro"})
    assert (conditioned["plan"] == "pro").all()
    for column in ("signup", "renewal", "people", "households", "part_a", "part_b", "total"):
        low, high = plain[column].min(), plain[column].max()
        span = high - low
        assert conditioned[column].min() >= low - 0.1 * span and conditioned[column].max() <= high + 0.1 * span, column
    for low_col, high_col in (("signup", "renewal"), ("households", "people")):
        if (plain[low_col] <= plain[high_col]).all():
            assert (conditioned[low_col] <= conditioned[high_col]).all(), (low_col, high_col)
    if (plain["total"] == plain["part_a"] + plain["part_b"]).all():
        assert (conditioned["total"] == conditioned["part_a"] + conditioned["part_b"]).all()
