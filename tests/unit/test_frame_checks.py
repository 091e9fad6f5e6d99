"""A notebook's own DataFrame holding what no file gives (two columns of one name, list or dict cells, complex
numbers, year-1 ``datetime64[s]`` dates) is refused by the first calls a notebook makes, ``synth.infer_schema``,
``synth.audit`` and every synthesizer's ``fit``, with the project's error naming the column, its rows and what to
do (:mod:`synth.io.frame_checks`). Before, each stopped with pandas' own error (``AttributeError``, ``TypeError:
unhashable type``, ``No matching signature found``, ``OutOfBoundsDatetime``), and CART dropped complex numbers'
imaginary parts without a word.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.io.frame_checks import check_frame
from tests.unit.conformance.contract import NAMES, make

N = 60


def _table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"age": rng.integers(18, 90, N), "city": rng.choice(["Oslo", "Lima", "Pune"], N)})


def _year_one() -> pd.Series:
    days = (np.arange(N) * 86_400).astype("timedelta64[s]")
    return pd.Series(np.array(["2020-01-01"] * N, dtype="datetime64[s]") + days).where(np.arange(N) % 10 != 3)


def _hostile() -> dict[str, tuple[pd.DataFrame, str]]:
    """Each frame and what its message must say (the column, the rows from 1, what to do)."""
    base = _table()
    dates = _year_one()
    dates.iloc[[3, 7]] = np.datetime64("0001-01-01", "s")
    return {
        "same name twice": (
            base.assign(income=1.0).set_axis(["a", "a", "income"], axis=1),
            r"names the same column more than once: 'a'\. Give every column a distinct name",
        ),
        "lists": (
            base.assign(tags=[["x"] if i in (2, 40) else "x" for i in range(N)]),
            r"column 'tags' holds 2 value\(s\) that are list objects, not single values, in row\(s\) 3, 41 .*dumps",
        ),
        "dicts": (
            base.assign(meta=[{"k": i % 3} for i in range(N)]),
            r"column 'meta' holds 60 value\(s\) that are dict objects.* 1, 2, 3, 4, 5 and 55 more",
        ),
        "complex numbers": (
            base.assign(z=np.arange(N) * 1j),
            r"column 'z' holds 60 complex number\(s\) in row\(s\) 1, 2, 3, 4, 5 and 55 more .*real and imaginary",
        ),
        "numbered columns": (
            base.set_axis([0, 1], axis=1),
            r"column names must be text, and 2 are not \(0, 1\)\. Name the columns \(df\.columns = ",
        ),
        "year-1 dates": (
            base.assign(when=dates),
            r"column 'when' holds 2 date\(s\) before 1677-09-21 or after 2262-04-11 in row\(s\) 4, 8 .*empty",
        ),
    }


CASES = list(_hostile())


@pytest.mark.parametrize("case", CASES)
def test_infer_schema_refuses_the_frame_naming_what_to_do(case: str) -> None:
    frame, message = _hostile()[case]
    with pytest.raises(synth.TableReadError, match=message):
        synth.infer_schema(frame)


@pytest.mark.parametrize("case", CASES)
def test_audit_refuses_the_frame_with_the_same_words(case: str) -> None:
    """The schema comes from the clean table (a notebook's earlier frame): audit is then the first call."""
    frame, message = _hostile()[case]
    schema = synth.infer_schema(_table())
    with pytest.raises(synth.TableReadError, match=message):
        synth.audit(frame, schema, synthesizers=())


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("case", CASES)
def test_every_synthesizer_refuses_the_frame_at_fit(name: str, case: str) -> None:
    frame, message = _hostile()[case]
    model = make(name)
    with pytest.raises(synth.SynthesizerError, match=message):
        model.fit(frame)
    assert not hasattr(model, "schema_")  # nothing half-fitted


def test_a_refused_refit_keeps_the_fitted_model() -> None:
    """Nothing already loaded is lost: the model fitted before samples as it did."""
    model = make("cart").fit(_table())
    before = model.sample(30, seed=3)
    with pytest.raises(synth.SynthesizerError, match="list objects"):
        model.fit(_table().assign(tags=[[i] for i in range(N)]))
    pd.testing.assert_frame_equal(model.sample(30, seed=3), before)


def test_columns_a_given_schema_leaves_out_may_hold_anything() -> None:
    """A fit given a schema learns its columns only: a list column beside them was and stays no obstacle."""
    frame = _table().assign(tags=[[i] for i in range(N)])
    schema = synth.infer_schema(_table())
    sample = make("independent").fit(frame, schema).sample(10, seed=0)
    assert list(sample.columns) == ["age", "city"]


def test_a_schema_naming_a_duplicated_column_is_refused() -> None:
    frame = _table().set_axis(["age", "age"], axis=1)
    schema = synth.infer_schema(_table())
    with pytest.raises(synth.SynthesizerError, match="names the same column more than once: 'age'"):
        make("independent").fit(frame, schema)


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([("a", 1), ("b", 2)] * (N // 2)),  # tuples are single values
        pd.Series([1, "x"] * (N // 2)),
        pd.Series(np.array(["2020-01-01", "NaT"] * (N // 2), dtype="datetime64[s]")),
        pd.Series(pd.to_datetime(["1677-09-22", "2262-04-10"] * (N // 2)).as_unit("s")).dt.tz_localize("UTC"),
        pd.Series(np.arange(N, dtype=np.float32)),
    ],
)
def test_values_every_step_reads_pass(column: pd.Series) -> None:
    frame = _table()
    frame["v"] = column
    check_frame(frame)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["text", 7, 2.5, None, ["list"], {"k": 1}, {1, 2}]), min_size=1, max_size=40))
def test_the_message_names_exactly_the_rows_that_hold_containers(values: list[object]) -> None:
    frame = pd.DataFrame({"x": range(len(values)), "v": pd.Series(values, dtype=object)})
    nested = [i for i, v in enumerate(values) if isinstance(v, list | dict | set)]
    if not nested:
        check_frame(frame)
        return
    with pytest.raises(synth.TableReadError) as caught:
        check_frame(frame)
    shown = ", ".join(str(i + 1) for i in nested[:5]) + (f" and {len(nested) - 5} more" if len(nested) > 5 else "")
    assert f"holds {len(nested)} value(s)" in str(caught.value) and f"in row(s) {shown} (rows" in str(caught.value)
    assert caught.value.code == "nested_values"
