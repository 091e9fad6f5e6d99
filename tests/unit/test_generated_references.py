"""A key that points at another key of the table (manager_id → employee_id) points at the synthetic keys.

Before: manager_id was regenerated on its own, so 0–3% of synthetic manager ids were synthetic employee ids
(against 95–100% in the real table) and the hierarchy was gone. And a fresh key was kept apart only from its own
column's real values: a fresh manager_id in employee_id's format could be a real employee's id.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
from synth.sampling.blocks import SampleSpec, iter_rows


def _staff(seed: int, numeric: bool, n: int = 2000) -> pd.DataFrame:
    """Employees with a manager who is, for 95% of rows, another employee of the table; 2% have none."""
    rng = np.random.default_rng(seed)
    ids = 100_000 + rng.permutation(n)
    employees: np.ndarray = ids if numeric else np.array([f"E{i:06d}" for i in ids], dtype=object)
    managers = rng.choice(employees[: n // 2], 150, replace=False)
    outside_ids = np.arange(200_000, 200_010)
    outside = outside_ids if numeric else np.array([f"E{i}" for i in outside_ids])
    manager = np.where(rng.random(n) < 0.95, rng.choice(managers, n), rng.choice(outside, n)).astype(object)
    manager[employees == manager] = managers[0] if managers[0] != employees[0] else managers[1]
    manager[rng.random(n) < 0.02] = None
    return pd.DataFrame(
        {
            "employee_id": employees,
            "manager_id": pd.Series(manager, dtype="float64" if numeric else object),
            "dept": rng.choice(list("abcd"), n),
            "salary": rng.normal(50_000, 10_000, n).round(2),
        }
    )


def _check_pointing(real: pd.DataFrame, syn: pd.DataFrame, scale: float = 1.0) -> None:
    real_inside = real["manager_id"].dropna().isin(set(real["employee_id"])).mean()
    inside = syn["manager_id"].dropna().isin(set(syn["employee_id"])).mean()
    assert inside == pytest.approx(real_inside, abs=0.04), "synthetic managers are synthetic employees as often"
    assert syn["manager_id"].nunique() == pytest.approx(real["manager_id"].nunique() * scale, rel=0.15)
    assert syn["manager_id"].isna().mean() == pytest.approx(0.02, abs=0.015)
    assert not (syn["manager_id"] == syn["employee_id"]).any(), "nobody manages themself in the real table"
    real_keys = set(real["employee_id"]) | set(real["manager_id"].dropna())
    for col in ("employee_id", "manager_id"):
        assert not set(syn[col].dropna()) & real_keys, f"a synthetic {col} is a real key"


@pytest.mark.parametrize("numeric", [False, True])
def test_a_manager_id_points_at_synthetic_employees(numeric: bool) -> None:
    real = _staff(0, numeric)
    model = synth.create("independent").fit(real)
    _check_pointing(real, model.sample(len(real), seed=1))


def test_the_pointing_survives_a_model_file_and_block_sampling(tmp_path: Path) -> None:
    real = _staff(1, numeric=False)
    model = synth.create("independent").fit(real)
    path = tmp_path / "staff.synth"
    model.save(path)
    loaded = synth.load_model(path)
    assert loaded.sample(500, seed=3).equals(model.sample(500, seed=3))
    text = " ".join(p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file())
    assert not [v for v in real["employee_id"] if v in text], "the model file holds a real key"

    # One pool of managers for the whole streamed table, at any block size: three times the rows, three times the
    # managers (blocks of 400 used to hold five times the real table's managers in a table of its size).
    for n, block_rows, scale in ((6000, 2000, 3.0), (2000, 400, 1.0), (6000, 700, 3.0)):
        blocks = pd.concat(list(iter_rows(loaded, SampleSpec(n, 5, block_rows=block_rows))), ignore_index=True)
        assert blocks["employee_id"].is_unique, "keys are unique over the whole table, across blocks"
        _check_pointing(real, blocks, scale=scale)


def test_numeric_managers_point_at_streamed_employees() -> None:
    real = _staff(3, numeric=True)
    model = synth.create("independent").fit(real)
    blocks = pd.concat(list(iter_rows(model, SampleSpec(2000, 2, block_rows=300))), ignore_index=True)
    _check_pointing(real, blocks)


def test_a_crafted_reference_is_ignored(tmp_path: Path) -> None:
    """A model file naming a column that is not a generated unique key, or a share that is not one, samples the
    key on its own rather than failing."""
    real = _staff(2, numeric=True)
    model = synth.create("independent").fit(real)
    plan = next(p for p in model.generated_.plans if p.name == "manager_id")
    for bad in ({"references": "salary"}, {"references": "manager_id"}, {"inside_share": "lots", "self_share": 9}):
        plan.detail.update(bad)
        syn = model.sample(300, seed=1)
        assert syn["manager_id"].notna().any()
        plan.detail.update({"references": "employee_id", "inside_share": 0.95, "self_share": 0.0})


def test_fresh_keys_equal_no_real_value_of_another_key_column() -> None:
    """Two keys of one format (orders and the customers who placed them): fresh values of either column are
    never a real value of the other."""
    rng = np.random.default_rng(4)
    n = 3000
    numbers = rng.permutation(np.arange(10_000, 20_000))
    orders = np.array([f"K{i}" for i in numbers[:n]], dtype=object)  # 3,000 of K10000–K19999
    customers = np.array([f"K{i}" for i in rng.choice(numbers[n:], 100, replace=False)], dtype=object)[
        rng.integers(0, 100, n)
    ]  # 100 others of that range, each placing about 30 orders: no customer id is an order id
    real = pd.DataFrame({"order_id": orders, "customer_id": customers, "amount": rng.gamma(2.0, 30.0, n).round(2)})
    model = synth.create("independent").fit(real)
    syn = model.sample(20_000, seed=2)
    real_keys = set(orders) | set(customers)
    assert not set(syn["order_id"]) & real_keys
    assert not set(syn["customer_id"]) & real_keys


@pytest.mark.parametrize("numeric", [False, True])
def test_a_column_of_another_keys_values_is_inferred_a_key(numeric: bool) -> None:
    """Learned as values, manager_id (discrete when numeric with missing values, a category when text) would copy
    real employees' ids into the synthetic table."""
    real = _staff(3, numeric)
    rng = np.random.default_rng(3)
    real["age"] = rng.integers(18, 66, len(real))
    real["grade"] = rng.choice(["E100001", "E100002", "E100003"], len(real))  # three codes, not pointing
    if numeric:
        real["employee_id"] = np.arange(1, len(real) + 1)[rng.permutation(len(real))]  # a shuffled run 1…n
        real["manager_id"] = real["employee_id"].where(rng.random(len(real)) < 0.98).sample(frac=1, random_state=0)
        real["manager_id"] = real["manager_id"].to_numpy()
    schema = synth.infer_schema(real)
    assert schema["manager_id"].kind is synth.ColumnKind.IDENTIFIER
    if numeric:  # (text codes are keys by their shape already)
        assert "employee_id" in schema["manager_id"].reason
    assert schema["age"].kind is synth.ColumnKind.DISCRETE, "ages all fall inside a run of numeric keys"
    assert schema["grade"].kind is synth.ColumnKind.CATEGORICAL
    syn = synth.create("pruned_cart").fit(real, schema).sample(len(real), seed=1)
    assert not set(syn["manager_id"].dropna()) & set(real["employee_id"]), "a real employee id in the output"
