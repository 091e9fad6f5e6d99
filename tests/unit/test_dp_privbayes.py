"""PrivBayes's privacy promises, attacked: private noise, a model file with nothing exact in it, declared domains."""

from __future__ import annotations

import contextlib
import io
import json
import secrets
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.schema import ColumnKind
from synth.synthesizers.base import load_model
from synth.synthesizers.cart import MISSING
from synth.synthesizers.dp import domains as dpd
from synth.synthesizers.dp import mechanisms
from synth.synthesizers.dp.accountant import Budget, BudgetError
from synth.synthesizers.privbayes import PrivBayes

CANARY_LABEL = "Zed-canary-label"
CANARY_NUMBER = 987654.321


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 3000
    colour = rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2]).astype(object)
    colour[0] = CANARY_LABEL  # row 0 holds a label nobody else has: first appearance would put it first
    amount = np.round(rng.gamma(2.0, 50.0, n), 3)
    amount[0] = CANARY_NUMBER  # and the exact maximum
    when = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    return pd.DataFrame(
        {
            "colour": colour,
            "size": rng.choice(["S", "M", "L"], n),
            "age": rng.integers(18, 80, n),
            "amount": amount,
            "when": when,
        }
    )


def test_two_fits_with_the_same_seed_release_different_noise(table: pd.DataFrame) -> None:
    a = PrivBayes(epsilon=1.0, random_state=0, public_domain="categories and ranges").fit(table)
    b = PrivBayes(epsilon=1.0, random_state=0, public_domain="categories and ranges").fit(table)
    first = {t.child: t.cumulative for t in a.tables_}
    second = {t.child: t.cumulative for t in b.tables_}
    assert a.noisy_rows_ != b.noisy_rows_
    assert any(first[c].shape != second[c].shape or not np.array_equal(first[c], second[c]) for c in first), (
        "the noise must not be a function of random_state"
    )


def test_noise_replayed_from_the_seed_does_not_recover_the_model(
    table: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The old attack: rebuild the generator from random_state and replay the fit. Under the old code this
    # reproduced the model exactly (so the noise could be subtracted); now it must not.
    real = PrivBayes(epsilon=1.0, random_state=7).fit(table)
    monkeypatch.setattr(mechanisms, "private_rng", lambda: np.random.default_rng(7))
    replayed = PrivBayes(epsilon=1.0, random_state=7).fit(table)
    assert replayed.noisy_rows_ != real.noisy_rows_
    replay_again = PrivBayes(epsilon=1.0, random_state=7).fit(table)
    assert replay_again.noisy_rows_ == replayed.noisy_rows_, "the replay itself is deterministic"


def test_a_loaded_model_holds_no_fit_generator_and_samples_by_seed(table: pd.DataFrame, tmp_path: Path) -> None:
    model = PrivBayes(epsilon=1.0, random_state=3).fit(table)
    path = tmp_path / "pb.synth"
    model.save(path)
    loaded = load_model(path)
    # The only generator is the sampling one, untouched by fitting: its state is that of a fresh seed-3 one.
    assert loaded.rng_.bit_generator.state == np.random.default_rng(3).bit_generator.state
    generators = [k for k, v in vars(loaded).items() if isinstance(v, np.random.Generator | np.random.BitGenerator)]
    assert generators == ["rng_"]
    pd.testing.assert_frame_equal(loaded.sample(500, seed=11), model.sample(500, seed=11))
    pd.testing.assert_frame_equal(load_model(path).sample(500, seed=11), loaded.sample(500, seed=11))


def _file_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("manifest.json").decode("utf-8")


def _all_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return b"".join(zf.read(name) for name in zf.namelist())


def _stored_numbers(path: Path) -> set[float]:
    """Every number in a model file: JSON numbers of the manifest and every element of its numeric arrays."""
    found: set[float] = set()

    def walk(value: object) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int | float):
            found.add(float(value))
        elif isinstance(value, str):
            with contextlib.suppress(ValueError):
                found.add(float(value))
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    walk(json.loads(_file_text(path)))
    with zipfile.ZipFile(path) as zf, np.load(io.BytesIO(zf.read("arrays.npz"))) as npz:
        for key in npz.files:
            if npz[key].dtype.kind in "iuf":
                found.update(npz[key].astype(float).ravel().tolist())
    return found


def test_the_model_file_holds_no_rare_label_no_exact_extreme_and_no_data_order(
    table: pd.DataFrame, tmp_path: Path
) -> None:
    model = PrivBayes(epsilon=1.0).fit(table)
    path = tmp_path / "pb.synth"
    model.save(path)
    raw = _all_bytes(path)
    assert CANARY_LABEL.encode() not in raw
    numbers = _stored_numbers(path)
    assert len(numbers) > 20, "the scan sees the model's numbers"
    for exact in (CANARY_NUMBER, float(table["amount"].min()), float(np.sort(table["amount"])[-2]), len(table)):
        assert exact not in numbers, exact
    loaded = load_model(path)
    for col in loaded.columns_:  # every stored label order is sorted, never first appearance
        if col.categorical:
            named = [c for c in col.categories if c not in (MISSING, dpd.OTHER)]
            assert named == sorted(named, key=dpd.label_key)
    colour = next(d for d in loaded.domain_ if d.name == "colour")
    assert CANARY_LABEL not in colour.values and colour.values[-1] == dpd.OTHER
    amount = next(d for d in loaded.domain_ if d.name == "amount")
    assert amount.high < CANARY_NUMBER / 2, "the outlier does not set the released range"
    assert loaded.n_train_rows_ == round(model.noisy_rows_)
    assert any(c.reason for c in synth.infer_schema(table)) and not any(c.reason for c in loaded.schema_)
    manifest = json.loads(_file_text(path))
    assert "ledger_" in json.dumps(manifest["fitted"]["model"])


def test_the_canary_label_never_reaches_the_synthetic_table(table: pd.DataFrame) -> None:
    for _ in range(5):
        syn = PrivBayes(epsilon=10.0).fit(table).sample(5000, seed=0)
        assert CANARY_LABEL not in set(syn["colour"])
        assert syn["amount"].max() < CANARY_NUMBER / 2


def test_the_ledger_adds_up_to_epsilon_and_delta_is_zero_when_labels_are_public(table: pd.DataFrame) -> None:
    private = PrivBayes(epsilon=2.0).fit(table)
    assert sum(e for _, e, _ in private.ledger_) == pytest.approx(2.0)
    assert sum(d for _, _, d in private.ledger_) == pytest.approx(PrivBayes.delta)
    assert {w for w, _, _ in private.ledger_} == {
        "row count",
        "weekday tests",
        "time-of-day tests",
        "domains",
        "structure",
        "tables",
    }  # "when", stored as datetimes: its format cannot say whether it holds times, so the rows are tested
    declared = {"colour": ["blue", "green", "red", CANARY_LABEL], "size": ["S", "M", "L"]}
    public = PrivBayes(epsilon=2.0, public_domains=declared).fit(table)
    assert sum(d for _, _, d in public.ledger_) == 0.0
    assert public.columns_[0].categories == tuple(sorted(declared["colour"], key=dpd.label_key))
    statement = public.privacy_statement()
    assert "(2, 0)-differential privacy" in statement and "colour, size" in statement
    budget = Budget(1.0)
    budget.spend("a", 0.6)
    with pytest.raises(BudgetError, match="ε spent"):
        budget.spend("b", 0.5)


def test_declared_bounds_shape_the_bins_and_are_kept(table: pd.DataFrame) -> None:
    model = PrivBayes(epsilon=1.0, public_domains={"age": (0, 100), "amount": (0.0, 1e6)}).fit(table)
    age = next(c for c in model.columns_ if c.name == "age")
    assert age.low.min() == 0 and age.high.max() == 100
    syn = model.sample(2000, seed=0)
    assert syn["age"].between(0, 100).all()


@pytest.mark.parametrize(
    ("declared", "match"),
    [
        ({"age": (30, 60)}, r"'age' holds .* outside its declared public bounds \(30, 60\).*Widen"),
        ({"colour": ["red", "green"]}, r"'colour' holds .* outside its declared public labels.*'blue'"),
        ({"nope": ["x"]}, "not a column"),
        ({"age": ["x", "y", "z"]}, r"\(low, high\) pair"),
        ({"colour": "red"}, "list of its labels"),
        ({"age": (5, 1)}, "low ≤ high"),
        # Beyond what a fit accepts in the data (±1e38): the bounds once became bins and samples past it.
        ({"age": (0, 1e39)}, r"bounds of 'age' reach beyond ±1e\+38 .*rescale.*leave 'age' out of public_domains"),
        ({"age": (-1e39, 50)}, r"bounds of 'age' reach beyond ±1e\+38"),
        ({"age": (0, float("inf"))}, r"'age' must be two finite values.*leave 'age' out of public_domains"),
        ({"age": (float("nan"), 50)}, r"'age' must be two finite values.*declare the range"),
    ],
)
def test_a_bad_declared_domain_is_a_clear_error_and_loses_nothing(
    table: pd.DataFrame, declared: dict[str, object], match: str
) -> None:
    fitted = PrivBayes(epsilon=1.0).fit(table)
    before = fitted.tables_
    fitted.public_domains = declared
    with pytest.raises(dpd.PublicDomainError, match=match):
        fitted.fit(table)
    assert fitted.tables_ is before and fitted.public_domains == declared
    assert issubclass(dpd.PublicDomainError, synth.SynthesizerError)


def test_private_ranges_cover_the_bulk_and_ignore_an_outlier() -> None:
    rng = np.random.default_rng(1)
    x = np.append(rng.normal(1990.0, 8.0, 20_000).round(), 1e9)  # years, and one absurd value
    for _ in range(20):
        low, high = dpd.private_range(x, ColumnKind.DISCRETE, 0.5, mechanisms.private_rng(), integer=True)
        inside = ((x >= low) & (x <= high)).mean()
        assert inside > 0.9 and high < 1e6, (low, high)


def test_a_label_held_by_one_row_is_never_released() -> None:
    labels = pd.Series(["a"] * 500 + ["b"] * 500 + ["only-me"], dtype=object)
    for _ in range(300):
        cats = dpd.private_categories(labels, 0.5, 1e-6, mechanisms.private_rng())
        assert "only-me" not in cats and cats[-1] == dpd.OTHER
        assert cats[:-1] == ("a", "b")


def test_dp_randomness_is_fresh_os_entropy(
    os_entropy_rng: Callable[[], np.random.Generator], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The product's generator, not the tests' seeded stand-in (this test read the stand-in, whose streams differ
    too): 128 bits of ``secrets`` per generator, so no two are alike."""
    real, bits = secrets.randbits, []
    monkeypatch.setattr(secrets, "randbits", lambda k: bits.append(k) or real(k))
    draws = {float(os_entropy_rng().random()) for _ in range(50)}
    assert len(draws) == 50 and bits == [128] * 50


@settings(max_examples=40, deadline=None)
@given(
    low=st.integers(-1000, 1000),
    width=st.integers(0, 5000),
    n_bins=st.integers(2, 30),
    integer=st.booleans(),
    values=st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=1, max_size=50),
    quantiles=st.booleans(),
)
def test_every_value_lands_in_a_bin_that_holds_it_after_clipping(
    low: int, width: int, n_bins: int, integer: bool, values: list[float], quantiles: bool
) -> None:
    lo, hi = float(low), float(low + width)
    x = np.round(np.asarray(values)) if integer else np.asarray(values)
    heavy = np.unique(np.clip(x[:2], lo, hi).round())
    edges = None
    if quantiles and hi > lo:
        edges = dpd.quantile_edges(x, lo, hi, max(n_bins - len(heavy), 1), 1.0, np.random.default_rng(0))
    dom = dpd.make_bins(lo, hi, heavy, n_bins, integer, edges)
    codes = dpd.numeric_codes(x, dom)
    v = np.clip(x, lo, hi)
    assert (codes >= 0).all() and (codes < len(dom.bins_low)).all()
    if integer:
        assert (dom.bins_low[codes] <= v).all() and (v <= dom.bins_high[codes]).all()
    else:
        assert (dom.bins_low[codes] <= v + 1e-9).all() and (v <= dom.bins_high[codes] + 1e-9).all()


def test_the_inventory_names_every_dp_part_of_the_file() -> None:
    names = {item.name for item in PrivBayes().artifact_inventory()}
    assert {"Noisy row count", "Private column domains", "Network and probability tables"} <= names
    assert "Model state (not itemised)" not in names


def test_a_domain_lost_to_the_noise_is_said_not_silently_sampled(table: pd.DataFrame, tmp_path: Path) -> None:
    # At a tiny ε every cell of a range falls under the noisy threshold: the model writes one value for everyone.
    tiny = PrivBayes(epsilon=0.01, random_state=0).fit(table)
    syn = tiny.sample(500, seed=1)
    collapsed = tiny.collapsed_columns()
    assert collapsed, "at ε = 0.01 on 3,000 rows some private domain collapses"
    for name, value in collapsed.items():
        assert syn[name].nunique(dropna=True) <= 1, f"{name} is said to hold one value"
        if value is not None and pd.api.types.is_numeric_dtype(syn[name]):
            assert (syn[name].dropna() == value).all()
    (warning,) = tiny.fit_warnings()
    assert all(name in warning for name in collapsed) and "ε = 0.01" in warning
    # A column that varies in the synthetic table is never named.
    varying = [c for c in syn.columns if syn[c].nunique(dropna=True) > 1]
    assert not set(varying) & set(collapsed)
    # With a budget that can see the domains, nothing collapses and nothing is said.
    ample = PrivBayes(epsilon=50.0, random_state=0).fit(table)
    assert ample.collapsed_columns() == {} and ample.fit_warnings() == ()
    # Said from the released model alone: a model loaded from its file (no training data anywhere) says the same.
    path = tmp_path / "tiny.synth"
    tiny.save(path)
    loaded = load_model(path)
    assert loaded.collapsed_columns() == collapsed and loaded.fit_warnings() == tiny.fit_warnings()
    # Public ranges are never "lost to the noise".
    public = PrivBayes(epsilon=0.01, public_domain="categories and ranges", random_state=0).fit(table)
    assert public.collapsed_columns() == {}


@pytest.mark.parametrize("epsilon", [1.0, 3.0])
def test_dates_of_a_few_thousand_rows_over_two_years_keep_their_range(epsilon: float) -> None:
    """With 30-day cells every date column this size collapsed to 1970-01-01 (Bike Sharing's in 9 fits of 10):
    yearly cells hold enough rows to pass the noisy threshold, and the range is still released by it alone."""
    rng = np.random.default_rng(5)
    n = 3_000
    day = pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    table = pd.DataFrame({"day": day.strftime("%Y-%m-%d"), "plan": rng.choice(["a", "b", "c"], n)})
    model = PrivBayes(epsilon=epsilon, random_state=0).fit(table)
    assert not model.fit_warnings(), model.fit_warnings()
    out = pd.to_datetime(model.sample(2_000, seed=1)["day"])
    assert out.min() >= pd.Timestamp("2021-01-01") and out.max() <= pd.Timestamp("2023-12-31")
    assert out.nunique() > 100  # a spread of dates, not one
    # The deciles of the synthetic dates sit within two months of the real ones.
    real = pd.to_datetime(table["day"])
    gaps = (out.quantile(np.linspace(0.1, 0.9, 9)) - real.quantile(np.linspace(0.1, 0.9, 9))).abs()
    assert (gaps < pd.Timedelta(days=62)).all(), gaps
