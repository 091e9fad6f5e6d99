"""Public domains typed as text for the DP network (synth/synthesizers/dp/declared_text.py): what a user types is
what the model declares, bad text is refused with what to write, and a declared range keeps a column the privacy
noise would hide."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import synth
from synth.synthesizers.dp.declared_text import declarable_columns, parse_public_domains
from synth.synthesizers.dp.domains import PublicDomainError


def answers(n: int = 1_200, seed: int = 0) -> pd.DataFrame:
    """Eight answers on a 0–10 scale, a 0–100 percentage and a region: at ε = 1 the DP network releases each
    number's range in decades at best (1–10, 10–100), or no range (missing in every synthetic row)."""
    rng = np.random.default_rng(seed)
    out: dict[str, object] = {f"q{i}": rng.integers(0, 11, n) for i in range(1, 9)}
    out["pct_work"] = rng.integers(0, 101, n)
    out["region"] = rng.choice(["north", "south", "east", "west"], n)
    return pd.DataFrame(out)


SCHEMA = synth.infer_schema(answers())


@given(
    low=st.floats(-1e9, 1e9, allow_nan=False),
    width=st.floats(0, 1e9, allow_nan=False),
    separator=st.sampled_from(["–", " – ", " to ", "..", ", ", " - ", ";"]),
)
def test_any_range_typed_with_any_separator_is_the_range_declared(low: float, width: float, separator: str) -> None:
    high = low + width
    parsed = parse_public_domains({"pct_work": f"{low!r}{separator}{high!r}"}, SCHEMA)
    assert parsed == {"pct_work": (low, high)}


def test_dates_labels_and_missing_are_typed_as_the_column_holds_them() -> None:
    table = pd.DataFrame(
        {
            "day": pd.date_range("2021-01-01", periods=200, freq="D").strftime("%Y-%m-%d"),
            "grade": np.tile([1, 2, 3, 4], 50),
            "plan": np.tile(["basic", "pro"], 100),
        }
    )
    schema = synth.infer_schema(table).with_column("grade", kind=synth.ColumnKind.CATEGORICAL)
    dtypes = {str(c): t for c, t in table.dtypes.items()}
    parsed = parse_public_domains(
        {"day": "2021-01-01 to 2021-12-31", "grade": "1, 2, 3, 4, 5", "plan": "basic, pro, (missing)"}, schema, dtypes
    )
    assert parsed == {"day": ("2021-01-01", "2021-12-31"), "grade": [1, 2, 3, 4, 5], "plan": ["basic", "pro", None]}
    assert declarable_columns(schema) == ["day", "grade", "plan"]
    assert parse_public_domains({"day": "", "plan": "   "}, schema) == {}, "an empty row declares nothing"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("10", "two values, low and high, e.g. 0–120"),
        ("ten to 0", "'ten' is not a number"),
        ("1,000 to 5,000", "two values"),  # thousands separators read as more ends
        ("10 to 0", "low ≤ high"),
        ("0 to inf", "finite"),
        ("0 to 1e300", "beyond"),
    ],
)
def test_text_that_is_not_a_range_is_refused_with_what_to_write(text: str, says: str) -> None:
    with pytest.raises(PublicDomainError, match=None) as caught:
        parse_public_domains({"pct_work": text}, SCHEMA)
    assert says in str(caught.value) and "pct_work" in str(caught.value), caught.value


def test_labels_and_dates_that_cannot_be_read_are_refused() -> None:
    table = pd.DataFrame({"day": ["2021-01-01", "2021-02-01"] * 60, "plan": ["a", "b"] * 60})
    schema = synth.infer_schema(table)
    for texts, says in (
        ({"day": "soon to later"}, "'soon' is not a date"),
        ({"plan": "a,,b"}, "separated by commas"),
        ({"nope": "0–1"}, "not a column"),
    ):
        with pytest.raises(PublicDomainError) as caught:
            parse_public_domains(texts, schema)
        assert says in str(caught.value), caught.value


def _fit(declared: dict[str, str] | None, seed: int = 0) -> tuple[pd.DataFrame, object]:
    train, _ = synth.split(answers(), holdout=0.2, seed=0)
    params = {} if declared is None else {"public_domains": parse_public_domains(declared, SCHEMA)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = synth.create("privbayes", random_state=seed, **params).fit(train, SCHEMA)
    return model.sample(len(train), seed=1), model


def test_a_declared_range_keeps_the_column_the_noise_hides_and_leaves_the_others_private() -> None:
    def whole_scale(values: pd.Series, high: int) -> bool:
        return bool(values.min() == 0 and values.max() == high)  # False for a column missing in every row

    private, _ = _fit(None)
    # Premise: at ε = 1 the noise hides each range, or releases it in decades only (1–10, 10–100: the scale's low
    # end, under the noise, lost).
    assert not whole_scale(private["q1"], 10) and not whole_scale(private["pct_work"], 100), "premise"
    declared, model = _fit({"q1": "0–10", "pct_work": "0 to 100"})
    for name, high in (("q1", 10), ("pct_work", 100)):
        values = declared[name]
        assert values.notna().all() and values.between(0, high).all() and values.nunique() > high // 2, name
        assert whole_scale(values, high), name
    assert not whole_scale(declared["q2"], 10), "an undeclared column stays private (and coarse or hidden at this ε)"
    assert set(model.public_columns_) >= {"q1", "pct_work"} and "q2" not in model.public_columns_  # type: ignore[attr-defined]


def test_a_model_with_typed_domains_saves_and_loads_to_the_same_samples(tmp_path: object) -> None:
    from pathlib import Path

    _, model = _fit({"q1": "0–10", "region": "north, south, east, west"}, seed=2)
    path = Path(str(tmp_path)) / "dp.synth"
    model.save(path)  # type: ignore[attr-defined]
    loaded = synth.load_model(path)
    assert loaded.get_params()["public_domains"] == {"q1": (0.0, 10.0), "region": ["north", "south", "east", "west"]}
    pd.testing.assert_frame_equal(loaded.sample(200, seed=4), model.sample(200, seed=4))  # type: ignore[attr-defined]


def test_training_values_outside_a_typed_range_stop_the_fit_with_the_real_span() -> None:
    with pytest.raises(PublicDomainError) as caught:
        _fit({"pct_work": "0–50"})
    assert "outside its declared public bounds" in str(caught.value)
