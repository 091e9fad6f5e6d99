"""Numbers at the limits of floating point: one rule for every registered synthesizer, at fit.

A number column holding inf / -inf, or values whose range (largest − smallest) overflows, is refused with the
project's error naming the column and its rows (:mod:`synth.synthesizers.input_checks`). Before, CART stopped
with scikit-learn's "Input X contains infinity" (an internal error), the Gaussian copula dropped the infinite
values without a word, and from ±1e308 saved a model it then refused to load as "damaged or altered".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
from synth.schema import ColumnKind
from tests.unit.conformance.contract import NAMES, make


def _table(a: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"a": a, "b": [i % 5 for i in range(len(a))]})


def _infinite(n: int = 300) -> pd.DataFrame:
    return _table([np.inf if i % 7 == 0 else (-np.inf if i == 3 else float(i) + 0.5) for i in range(n)])


@pytest.mark.parametrize("name", NAMES)
def test_infinite_values_are_refused_naming_the_column_and_rows(name: str) -> None:
    model = make(name)
    with pytest.raises(
        synth.SynthesizerError, match=r"column 'a' holds 44 infinite .* row\(s\) 1, 4, 8, 15, 22 and 39"
    ):
        model.fit(_infinite())
    assert not hasattr(model, "schema_")  # nothing half-fitted


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("big", [1e308, 3e38, 1.01e38])
def test_numbers_beyond_the_limit_are_refused_at_fit(name: str, big: float) -> None:
    """±1e308: the range overflows; 3e38: a CART tree's 32-bit split overflows; just above 1e38: the rule's edge."""
    table = _table([big * (1 if i % 2 else -1) if i < 6 else float(i) for i in range(300)])
    with pytest.raises(synth.SynthesizerError, match=r"column 'a' holds 6 value\(s\) beyond ±1e\+38 .* 1, 2, 3, 4, 5"):
        make(name).fit(table)


@pytest.mark.parametrize("name", NAMES)
def test_the_widest_range_floats_hold_is_learned_saved_and_read_back(name: str, tmp_path: Path) -> None:
    """±1e38 (the limit itself) is learned by every synthesizer: fitted, saved, read back, sampled finite."""
    table = _table([1e38 * np.sin(i) for i in range(299)] + [-1e38])
    schema = synth.Schema((synth.ColumnSpec("a", ColumnKind.CONTINUOUS), synth.ColumnSpec("b", ColumnKind.DISCRETE)))
    make(name).fit(table, schema).save(tmp_path / "m.synth")
    syn = synth.load_model(tmp_path / "m.synth").sample(200, seed=0)
    assert np.isfinite(syn["a"].dropna()).all() and syn["a"].notna().any()


def test_an_integer_column_with_a_missing_value_is_checked_too() -> None:
    table = _table([float(i) for i in range(300)])
    table["a"] = table["a"].astype("Float64")
    table.loc[5, "a"] = np.inf
    table.loc[6, "a"] = pd.NA
    with pytest.raises(synth.SynthesizerError, match=r"1 infinite value\(s\) .* row\(s\) 6 \(data rows"):
        make("independent").fit(table)


def test_the_cli_reports_an_infinite_csv_value_as_a_user_error(tmp_path: Path) -> None:
    from synth.cli import main

    path = tmp_path / "x_inf.csv"
    path.write_text("a,b\n" + "".join(f"{'inf' if i % 7 == 0 else i},{i % 5}\n" for i in range(300)))
    code = main(["fit", str(path), "-s", "gaussian_copula", "-o", str(tmp_path / "m.synth")])
    assert code not in (0, 70)
    assert not (tmp_path / "m.synth").exists()


@pytest.mark.parametrize("big", [1e300, 1e15, np.inf])
def test_a_numeric_identifier_too_large_for_new_keys_is_refused_at_fit(big: float, tmp_path: Path) -> None:
    """Keys up to 3e302 once fitted and saved a model whose new keys (from 1e303) no 64-bit number holds: the file
    was then refused on load as damaged. An infinite key stopped the fit with an OverflowError."""
    table = _table([float(i) for i in range(299)] + [big])
    schema = synth.Schema((synth.ColumnSpec("a", ColumnKind.IDENTIFIER), synth.ColumnSpec("b", ColumnKind.DISCRETE)))
    with pytest.raises(synth.SynthesizerError, match=r"column 'a' .*row\(s\) 300\b"):
        make("cart").fit(table, schema)


@pytest.mark.parametrize(("keys", "start"), [(np.arange(300) * 10**15, 10**18), (np.arange(300) * 1e12, 3e14)])
def test_the_largest_numeric_identifier_keys_are_still_regenerated(
    keys: np.ndarray, start: float, tmp_path: Path
) -> None:
    """Whole-number keys up to 1e18 - 1,000 (new keys from 1e18) and float keys up to 2.99e14 (from 3e14: above
    the largest rounded to two significant digits, no longer the power of ten above it)."""
    table = _table(list(keys))
    assert table["a"].dtype == keys.dtype
    if keys.dtype.kind == "i":
        table.loc[len(table) - 1, "a"] = 10**18 - 1_000  # near the largest whole-number key allowed
    schema = synth.Schema((synth.ColumnSpec("a", ColumnKind.IDENTIFIER), synth.ColumnSpec("b", ColumnKind.DISCRETE)))
    make("cart").fit(table, schema).save(tmp_path / "m.synth")
    generated = synth.load_model(tmp_path / "m.synth").sample(1_000, seed=0)["a"]
    assert generated.is_unique and generated.min() >= start
