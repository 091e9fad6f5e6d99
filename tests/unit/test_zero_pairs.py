"""Pairs of values no training row holds (:mod:`synth.synthesizers.zero_pairs`): found only where both values are
common and the pair would be common were the columns independent, never drawn by CART, Pruned CART or the copula
(plain or conditioned), stored as common values only, refused when a file's pairs are altered, and leaving the
samples of tables without such a pair as they were."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers.persist import ModelFileError
from synth.synthesizers.zero_pairs import (
    MIN_EXPECTED,
    ZeroPair,
    describe_zeros,
    search_zero_pairs,
    zero_rows,
)
from tests.unit.crafting import each_state, edit_state

MODELS = ["cart", "pruned_cart", "gaussian_copula"]
PLANTED = ZeroPair("role", "husband", "sex", "female")


def planted(n: int = 900, seed: int = 0, levels: tuple[int, int] = (3, 2)) -> pd.DataFrame:
    """A role and a sex drawn independently but that no row holds the first role with the first sex (the planted
    zero), a whole-number day and an amount unrelated to either."""
    rng = np.random.default_rng(seed)
    roles = np.asarray(["husband", "child", "lodger", "parent"][: levels[0]], dtype=object)
    sexes = np.asarray(["female", "male", "other"][: levels[1]], dtype=object)
    role = rng.choice(roles, n)
    sex = rng.choice(sexes, n)
    clash = (role == roles[0]) & (sex == sexes[0])
    sex[clash] = rng.choice(sexes[1:], int(clash.sum()))
    return pd.DataFrame(
        {
            "role": role,
            "sex": sex,
            "day": rng.integers(1, 8, n),
            "amount": rng.gamma(2.0, 40.0, n).round(2),
        }
    )


def _held(frame: pd.DataFrame, pair: ZeroPair) -> int:
    return int(((frame[pair.first] == pair.first_value) & (frame[pair.second] == pair.second_value)).sum())


#: The planted pair in 5,000 rows sampled at seed 1 with the pairs taken out of the fitted model. The trees split on
#: role and the copula stratifies by it (auto) and keep it; the copula unmixed draws the two nearly independently.
BEFORE = {"cart": 0, "pruned_cart": 0, "gaussian_copula": 0, "gaussian_copula:stratify=none": 559}


@pytest.mark.parametrize("spec", [*MODELS, "gaussian_copula:stratify=none"])
def test_no_synthetic_row_holds_the_planted_pair(spec: str) -> None:
    from benchmarks.common import synthesizer_spec

    table = planted()
    name, params = synthesizer_spec(spec)
    model = synth.create(name, random_state=0, **params).fit(table)
    assert PLANTED in model.zero_pairs_
    out = model.sample(5_000, seed=1)
    assert _held(out, PLANTED) == 0
    assert not zero_rows(out, model.zero_pairs_).any()
    # The rest of the table keeps its shares: husbands are still a third, women still about a third. The rows the
    # unmixed copula drew with the pair (11%) are drawn again from its distribution without it, which has fewer
    # husbands (24% against 32%): a model that misses the dependence keeps the pair at that price.
    tolerance = 0.04 if BEFORE[spec] == 0 else 0.1
    assert abs((out.role == "husband").mean() - (table.role == "husband").mean()) < tolerance
    assert abs((out.sex == "female").mean() - (table.sex == "female").mean()) < tolerance
    model.zero_pairs_ = ()
    assert _held(model.sample(5_000, seed=1), PLANTED) == BEFORE[spec]


@pytest.mark.parametrize("name", MODELS)
def test_conditioned_rows_keep_the_pairs(name: str) -> None:
    model = synth.create(name, random_state=0).fit(planted())
    for conditions, other in [({"role": "husband"}, "sex"), ({"sex": "female"}, "role")]:
        out = model.sample(2_000, seed=3, conditions=conditions)
        column = next(iter(conditions))
        assert (out[column] == conditions[column]).all()
        assert _held(out, PLANTED) == 0, conditions
        assert out[other].nunique() >= 1


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    seed = draw(st.integers(0, 10_000))
    n = draw(st.integers(500, 1_000))
    levels = (draw(st.integers(2, 4)), draw(st.integers(2, 3)))
    return planted(n, seed, levels)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables(), name=st.sampled_from(MODELS))
def test_no_model_draws_a_pair_it_stored(table: pd.DataFrame, name: str) -> None:
    model = synth.create(name, random_state=0).fit(table)
    # the planted pair is stored whenever it is common enough to be: both values on 20 rows, expected on 20
    n_role, n_sex = (table.role == "husband").sum(), (table.sex == "female").sum()
    assert (PLANTED in model.zero_pairs_) == (n_role * n_sex / len(table) >= MIN_EXPECTED)
    out = model.sample(1_500, seed=2)
    assert not zero_rows(out, model.zero_pairs_).any()
    for pair in model.zero_pairs_:
        assert _held(table, pair) == 0 and _held(out, pair) == 0


@st.composite
def labelled(draw: st.DrawFn) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Up to four columns of a few labels or whole numbers, some cells emptied, some rows missing, and maybe a
    person per row."""
    seed = draw(st.integers(0, 10_000))
    n = draw(st.integers(40, 400))
    rng = np.random.default_rng(seed)
    columns: dict[str, Any] = {}
    for k in range(draw(st.integers(2, 4))):
        levels = int(rng.integers(2, 6))
        if rng.random() < 0.5:
            values: np.ndarray = rng.integers(0, levels, n).astype(float)
        else:
            values = rng.choice(np.asarray([f"v{j}" for j in range(levels)], dtype=object), n)
        cut = rng.integers(0, levels)
        keep = values != (float(cut) if values.dtype == float else f"v{cut}")
        if k and rng.random() < 0.5:  # an emptied cell with the previous column
            values = np.where((columns[f"c{k - 1}"] == columns[f"c{k - 1}"][0]) & ~keep, None, values)
        if rng.random() < 0.2:
            values = np.where(rng.random(n) < 0.1, None if values.dtype == object else np.nan, values)
        columns[f"c{k}"] = values
    people = rng.integers(0, max(2, n // draw(st.integers(1, 4))), n) if draw(st.booleans()) else None
    return pd.DataFrame(columns), people


@settings(max_examples=80, deadline=None)
@given(case=labelled(), min_rows=st.integers(1, 30), min_expected=st.floats(0.5, 30))
def test_every_pair_found_is_absent_common_and_expected_and_none_is_missed(
    case: tuple[pd.DataFrame, np.ndarray | None], min_rows: int, min_expected: float
) -> None:
    table, people = case
    found = {f.pair: f.expected for f in search_zero_pairs(dict(table.items()), min_rows, min_expected, people)}

    def holders(column: str, value: Any) -> int:
        rows = (table[column] == value).to_numpy()
        return int(rows.sum()) if people is None else len(np.unique(people[rows]))

    for a, b in itertools.combinations(table.columns, 2):
        both = table[[a, b]].dropna()
        for va, vb in itertools.product(table[a].dropna().unique(), table[b].dropna().unique()):
            expected = (both[a] == va).sum() * (both[b] == vb).sum() / max(len(both), 1)
            should = (
                len(both) > 0
                and ((both[a] == va) & (both[b] == vb)).sum() == 0
                and expected >= min_expected
                and holders(a, va) >= min_rows
                and holders(b, vb) >= min_rows
            )
            stored = ZeroPair(a, _plain(va), b, _plain(vb))
            assert (stored in found) == should, (stored, expected)
            if should:
                assert found[stored] == pytest.approx(expected)


def _plain(value: Any) -> Any:
    value = value.item() if isinstance(value, np.generic) else value
    return int(value) if isinstance(value, float) else value


def test_a_value_one_person_holds_is_no_member_of_a_pair() -> None:
    """Attack: one patient's diagnosis on 30 visits, never on the common ward. Counted in rows the pair is a zero
    (expected on 27 rows) and the file would name the patient's diagnosis; counted in people the diagnosis is held
    by one, and no pair names it."""
    rng = np.random.default_rng(4)
    n = 1_000
    visits = pd.DataFrame(
        {
            "patient_id": [f"P{k:04d}" for k in rng.integers(0, 400, n)],
            "ward": rng.choice(["A", "B"], n, p=[0.9, 0.1]),
            "diagnosis": rng.choice(["flu", "cold", "sprain"], n),
        }
    )
    visits.loc[:29, ["patient_id", "ward", "diagnosis"]] = ["P9999", "B", "xenoglossia"]
    pair = ZeroPair("ward", "A", "diagnosis", "xenoglossia")
    rows = synth.create("cart", random_state=0, min_category_rows=1).fit(visits, person_column=None)
    assert pair in rows.zero_pairs_ or ZeroPair("diagnosis", "xenoglossia", "ward", "A") in rows.zero_pairs_
    for name in MODELS:
        model = synth.create(name, random_state=0, min_category_rows=1).fit(visits, person_column="patient_id")
        named = {v for z in model.zero_pairs_ for v in (z.first_value, z.second_value)}
        assert "xenoglossia" not in named, name


def test_a_value_on_fewer_than_min_rows_is_no_member_of_a_pair() -> None:
    """The rows rule on its own (the expected count is set aside): a value held by 19 rows is stored in no pair,
    one held by 20 is."""
    for rows, stored in [(19, False), (20, True)]:
        table = pd.DataFrame({"a": ["x"] * rows + ["y"] * 200, "b": ["p"] * rows + ["q"] * 100 + ["p"] * 100})
        found = [f.pair for f in search_zero_pairs(dict(table.items()), 20, 0.0)]
        assert (ZeroPair("a", "x", "b", "q") in found) is stored, rows


@pytest.mark.parametrize("name", MODELS)
def test_the_model_file_holds_only_common_values_for_the_pairs(name: str, tmp_path: Path) -> None:
    """Attack: the texts and numbers the saved pairs add are labels and whole numbers each held by 20 or more
    training rows."""
    from tests.unit.test_model_files import _archive, _walk

    table = planted()
    model = synth.create(name, random_state=0).fit(table)
    assert model.zero_pairs_, "no pair: the attack would prove nothing"
    _, manifest, _ = _archive(model, tmp_path / "with.synth")
    pairs = model.zero_pairs_
    model.zero_pairs_ = ()
    _, manifest_0, _ = _archive(model, tmp_path / "without.synth")
    added = {v for v in _walk(manifest) if isinstance(v, str)} - {v for v in _walk(manifest_0) if isinstance(v, str)}
    assert added, "the pairs were not saved"
    counts = {str(v): int(c) for col in table for v, c in table[col].value_counts().items()}
    for value in added:
        assert value in table.columns or value.isidentifier() or "." in value or counts.get(value, 0) >= 20, value
    for pair in pairs:
        assert (table[pair.first] == pair.first_value).sum() >= 20
        assert (table[pair.second] == pair.second_value).sum() >= 20


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda z: z.update(first_value="nobody"), "does not hold"),
        (lambda z: z.update(first="nowhere"), "does not draw"),
        (lambda z: z.update(second=z["first"]), "one column twice"),
        (lambda z: z.update(second="amount", second_value=12.5), "does not hold"),
        (lambda z: z.update(second="day", second_value=99), "does not hold"),
        (lambda z: z.update(second_value=True), "does not hold"),
    ],
)
@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
def test_an_altered_pair_is_refused_on_load(name: str, change: Any, message: str, tmp_path: Path) -> None:
    model = synth.create(name, random_state=0).fit(planted())
    assert model.zero_pairs_
    model.save(tmp_path / "m.synth")
    synth.load_model(tmp_path / "m.synth")  # the file as saved loads

    def alter(state: dict[str, Any], manifest: dict[str, Any]) -> None:
        each_state(manifest, "ZeroPair", change)

    edit_state(tmp_path / "m.synth", tmp_path / "bad.synth", alter)
    with pytest.raises(ModelFileError, match=f"zero_pairs_.*{message}"):
        synth.load_model(tmp_path / "bad.synth")


def test_a_pair_stored_twice_is_refused(tmp_path: Path) -> None:
    model = synth.create("cart", random_state=0).fit(planted())
    model.zero_pairs_ = (*model.zero_pairs_, model.zero_pairs_[0])
    model.save(tmp_path / "m.synth")
    with pytest.raises(ModelFileError, match="stored twice"):
        synth.load_model(tmp_path / "m.synth")


def _digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16]


#: Seeded samples (fit seed 0, 800 rows at seed 5) of a table with no zero pair, hashed before zero pairs existed
#: (commit 7abcd90): a table without a pair samples byte for byte as it did. Plain CART is fitted with the setting
#: it had then (linear-score splits off; on by default since): the digest pins the zero-pair step, not that default.
UNCHANGED = {
    "cart": "ffc25437af8b5440",
    "pruned_cart": "a1dd0770464b1343",
    "gaussian_copula": "36f6bdd9f35e3500",
}


@pytest.mark.parametrize("name", MODELS)
def test_a_table_without_a_zero_pair_samples_as_before(name: str) -> None:
    table = planted(levels=(3, 2)).assign(sex=lambda t: np.random.default_rng(1).choice(["female", "male"], len(t)))
    then = {"linear_splits": False} if name == "cart" else {}
    model = synth.create(name, random_state=0, **then).fit(table)
    assert model.zero_pairs_ == ()
    assert _digest(model.sample(800, seed=5)) == UNCHANGED[name]


def test_the_dp_network_keeps_no_pair() -> None:
    model = synth.create("privbayes", random_state=0, epsilon=1.0).fit(planted())
    assert not hasattr(model, "zero_pairs_")


@pytest.mark.parametrize("name", MODELS)
def test_the_pairs_are_described_and_listed_in_the_model_file_inventory(name: str) -> None:
    model = synth.create(name, random_state=0).fit(planted())
    assert describe_zeros(model) == "role = husband with sex = female (never together in a training row)."
    assert "Impossible pairs" in [item.name for item in model.artifact_inventory()]
    assert describe_zeros(synth.create(name, random_state=0).fit(planted()[["day", "amount"]])) is None
