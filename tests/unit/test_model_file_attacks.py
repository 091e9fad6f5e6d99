"""Hostile model files: loading refuses every one with ModelFileError and never crashes or balloons.

Each test alters one thing in a valid saved model the way an attacker would, and checks that
``synth.load_model`` raises the project's error (naming the limit where one applies). The first test shows
the main attack is real: with the checks switched off, the same file kills the process with SIGSEGV.
"""

from __future__ import annotations

import io
import json
import resource
import signal
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
from synth.synthesizers import persist
from tests import model_files as mf

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "colour": rng.choice(["red", "green", "blue"], n),
            "income": rng.normal(50_000, 9_000, n).round(2),
            "when": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
        }
    )


@pytest.fixture(scope="module")
def cart_file(table: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "cart.synth"
    synth.create("cart", min_samples_leaf=5, random_state=0).fit(table).save(path)
    return path


def _tampered(cart_file: Path, tmp_path: Path, field: str, edit) -> Path:  # type: ignore[no-untyped-def]
    manifest, arrays = mf.read(cart_file)
    tree = next(t for t in mf.dataclasses_named(manifest, "FlatTree") if len(arrays[mf.array_key(t, field)]) > 1)
    key = mf.array_key(tree, field)
    arrays[key] = edit(arrays[key].copy())
    return mf.write(tmp_path / "evil.synth", manifest, arrays)


def _set(index: int, value: float):  # type: ignore[no-untyped-def]
    def edit(a: np.ndarray) -> np.ndarray:
        a[index] = value
        return a

    return edit


def test_a_valid_cart_file_still_loads_and_samples(cart_file: Path) -> None:
    assert len(synth.load_model(cart_file).sample(100, seed=1)) == 100


def test_the_out_of_range_child_attack_is_real_without_the_checks(cart_file: Path, tmp_path: Path) -> None:
    evil = _tampered(cart_file, tmp_path, "children_left", _set(0, 10**12))
    code = (
        "import synth\n"
        "from synth.synthesizers.cart import SequentialCART\n"
        "SequentialCART._check_state = lambda self: None\n"
        f"synth.load_model({str(evil)!r}).sample(50, seed=0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGSEGV, done.stderr.decode()[-2000:]
    with pytest.raises(synth.ModelFileError, match="child outside"):
        synth.load_model(evil)


@pytest.mark.parametrize(
    ("field", "edit", "message"),
    [
        ("children_left", _set(0, 10**12), "child outside"),
        ("children_right", _set(0, -(10**12)), "child|only one child"),
        ("children_left", _set(1, 0), "does not come after its parent|only one child"),  # a cycle: routing never ends
        ("children_left", _set(0, 0), "does not come after its parent"),
        ("feature", _set(0, 10**9), "feature outside"),
        ("feature", _set(0, -5), "feature outside"),
        ("threshold", _set(0, np.nan), "threshold"),
        ("missing_go_to_left", _set(0, 7), "missing_go_to_left"),
        ("children_left", lambda a: a[:-1], "entries"),
        ("children_left", lambda a: a.astype(np.float64), "dtype"),
        ("threshold", lambda a: a.reshape(1, -1), "dimensions"),
    ],
)
def test_tree_arrays_are_checked_before_the_compiled_tree_sees_them(
    cart_file: Path, tmp_path: Path, field: str, edit, message: str
) -> None:  # type: ignore[no-untyped-def]
    evil = _tampered(cart_file, tmp_path, field, edit)
    with pytest.raises(synth.ModelFileError, match=message):
        synth.load_model(evil)


def _tampered_step(cart_file: Path, tmp_path: Path, field: str, edit) -> Path:  # type: ignore[no-untyped-def]
    manifest, arrays = mf.read(cart_file)
    step = next(s for s in mf.dataclasses_named(manifest, "CartStep") if s["tree"] is not None)
    key = mf.array_key(step, field)
    arrays[key] = edit(arrays[key].copy())
    return mf.write(tmp_path / "evil.synth", manifest, arrays)


@pytest.mark.parametrize(
    ("field", "edit", "message"),
    [
        ("offsets", _set(-1, 10**12), "offsets"),
        ("offsets", lambda a: a[::-1].copy(), "offsets"),
        ("offsets", lambda a: np.zeros_like(a), "offsets|without donors"),
        ("donors", _set(0, np.inf), "finite"),
        ("donors", lambda a: a[:0], "no donors|offsets"),
    ],
)
def test_donor_arrays_are_checked(cart_file: Path, tmp_path: Path, field: str, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    evil = _tampered_step(cart_file, tmp_path, field, edit)
    with pytest.raises(synth.ModelFileError, match=message):
        synth.load_model(evil)


def test_category_codes_out_of_range_are_refused(cart_file: Path, tmp_path: Path) -> None:
    manifest, arrays = mf.read(cart_file)
    columns = [c for c in mf.dataclasses_named(manifest, "CartColumn")]
    categorical = {i for i, c in enumerate(reversed(columns)) if c["kind"]["v"] == "categorical"}
    assert categorical
    for step in mf.dataclasses_named(manifest, "CartStep"):
        arrays[mf.array_key(step, "donors")] = arrays[mf.array_key(step, "donors")] + 10**6
    evil = mf.write(tmp_path / "evil.synth", manifest, arrays)
    with pytest.raises(synth.ModelFileError, match=r"category codes|missing indicators"):
        synth.load_model(evil)


@pytest.mark.parametrize("name", ["independent", "gaussian_copula", "privbayes"])
def test_other_models_with_shuffled_array_shapes_are_refused(name: str, table: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "m.synth"
    synth.create(name, random_state=0).fit(table).save(path)
    manifest, arrays = mf.read(path)
    for key, a in arrays.items():
        if a.size > 1 and a.dtype.kind in "fiu":
            arrays[key] = a.ravel()[:1].copy()  # every array cut to one value: shapes no longer fit together
    evil = mf.write(tmp_path / "evil.synth", manifest, arrays)
    with pytest.raises(synth.ModelFileError):
        synth.load_model(evil)


# ----------------------------------------------------------------------------- PrivBayes bin edges
@pytest.fixture(scope="module")
def privbayes_file(table: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "privbayes.synth"
    synth.create("privbayes", epsilon=20, random_state=0).fit(table).save(path)
    return path


def _edges(manifest: dict, arrays: dict[str, np.ndarray], column: str) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    col = next(c for c in mf.dataclasses_named(manifest, "BinnedColumn") if c["name"] == column)
    return arrays[mf.array_key(col, "low")], arrays[mf.array_key(col, "high")]


def _released(manifest: dict, column: str) -> dict:  # type: ignore[type-arg]
    return next(d for d in mf.dataclasses_named(manifest["fitted"]["domain"], "ColumnDomain") if d["name"] == column)


def _set_at(which: int, index: int, value: float):  # type: ignore[no-untyped-def]
    def edit(manifest: dict, low: np.ndarray, high: np.ndarray, column: str) -> None:  # type: ignore[type-arg]
        (low, high)[which][index] = value

    return edit


def _wide(manifest: dict, low: np.ndarray, high: np.ndarray, column: str) -> None:  # type: ignore[type-arg]
    """Ends at ±1e308, the released range moved with them: every edge finite and in order, but a draw from a bin
    of width 2e308 overflows."""
    low[0], high[-1] = -1e308, 1e308
    _released(manifest, column).update(low=-1e308, high=1e308)


@pytest.mark.parametrize(
    ("column", "edit", "message"),
    [
        ("income", _set_at(0, 4, 1e300), "out of order"),
        ("income", _set_at(1, -1, np.inf), "not finite"),
        ("age", _set_at(0, 0, np.nan), "not finite"),
        ("age", _set_at(1, -1, -np.inf), "not finite"),
        ("income", _set_at(1, -1, 1e300), "outside the range the model released"),
        ("age", _set_at(0, 0, -5.0), "outside the range the model released"),
        ("when", _set_at(1, -1, 30_000.0), "outside the range the model released"),
        ("when", _set_at(1, -1, 1e15), "outside the dates"),
        ("income", _wide, "too wide"),
    ],
)
def test_privbayes_bin_edges_are_checked(privbayes_file: Path, tmp_path: Path, column: str, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    """Edges set by hand to 1e300, inf or NaN used to load and sample inf, 1e300 or a whole column of NaN."""
    manifest, arrays = mf.read(privbayes_file)
    edit(manifest, *_edges(manifest, arrays, column), column)
    evil = mf.write(tmp_path / "evil.synth", manifest, arrays)
    with pytest.raises(synth.ModelFileError, match=f"{column}.*{message}"):
        synth.load_model(evil)


def test_a_valid_privbayes_file_samples_inside_its_bins(privbayes_file: Path) -> None:
    syn = synth.load_model(privbayes_file).sample(500, seed=1)
    manifest, arrays = mf.read(privbayes_file)
    for column in ("age", "income"):
        low, high = _edges(manifest, arrays, column)
        assert low.min() <= syn[column].min() and syn[column].max() <= high.max()


@pytest.mark.parametrize("value", [np.nan, np.inf, -1e300, 1e300])
def test_any_float_of_a_privbayes_file_set_to_an_extreme_is_refused_or_harmless(
    privbayes_file: Path, tmp_path: Path, value: float
) -> None:
    """Every float array's first and last entry in turn: the file is refused with ModelFileError, or it loads and
    draws finite values with no numpy warning (the tester's random mutation leaked overflow warnings)."""
    manifest, arrays = mf.read(privbayes_file)
    for key in [k for k, a in arrays.items() if a.dtype.kind == "f" and a.size]:
        for index in (0, -1):
            changed = {k: a.copy() for k, a in arrays.items()}
            changed[key].reshape(-1)[index] = value
            evil = mf.write(tmp_path / f"evil_{key}_{index}.synth", manifest, changed)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    syn = synth.load_model(evil).sample(300, seed=0)
                except synth.ModelFileError:
                    continue
            numbers = syn.select_dtypes("number")
            assert np.isfinite(numbers.to_numpy(dtype=float)[numbers.notna().to_numpy()]).all(), (key, index)


# ----------------------------------------------------------------------------- size bombs
def _limited_memory(code: str, limit: int = 1_500_000_000) -> subprocess.CompletedProcess[bytes]:
    """Run ``code`` in a child under RLIMIT_AS, so a bomb that got through fails loudly instead of swapping."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=120, preexec_fn=limit_memory, env=env
    )


def test_a_giant_declared_array_shape_is_refused_before_reading(cart_file: Path, tmp_path: Path) -> None:
    manifest, _ = mf.read(cart_file)
    npz = mf.npz_of({"a0.npy": mf.npy_header_only((10**12, 10**6))})
    evil = mf.write_raw(tmp_path / "evil.synth", json.dumps(manifest).encode(), npz)
    with pytest.raises(persist.ModelLimitError, match="MAX_ARRAY_BYTES") as info:
        synth.load_model(evil)
    assert info.value.limit == "MAX_ARRAY_BYTES" and info.value.value == 10**18 * 8


def test_a_compressed_zero_bomb_stops_at_the_limit_in_bounded_memory(cart_file: Path, tmp_path: Path) -> None:
    """Arrays of zeros deflate a thousandfold; the second one passes the (lowered) limit and loading stops."""
    manifest, _ = mf.read(cart_file)
    evil = tmp_path / "bomb.synth"
    chunk = np.zeros(48 * 1024 * 1024, dtype=np.uint8)
    members = {}
    for key in ("a0", "a1", "a2"):
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, chunk)
        members[f"{key}.npy"] = buffer.getvalue()
    mf.write_raw(evil, json.dumps(manifest).encode(), mf.npz_of(members, zipfile.ZIP_DEFLATED))
    del members, chunk
    assert evil.stat().st_size < 2 * 1024 * 1024
    code = (
        "import synth\n"
        "from synth.synthesizers import persist\n"
        "persist.MAX_ARRAY_BYTES = 64 * 1024 * 1024\n"
        "try:\n"
        f"    synth.load_model({str(evil)!r})\n"
        "except synth.ModelFileError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
        "print('peak_kb', open('/proc/self/status').read().split('VmHWM:')[1].split()[0])\n"
    )
    done = _limited_memory(code)
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "ModelLimitError" in out and "MAX_ARRAY_BYTES" in out, out
    peak_kb = int(out.rsplit("peak_kb", 1)[1])
    assert peak_kb < 450_000  # the file expands to 144 MB of arrays; loading stopped at the 64 MB limit


def test_a_manifest_bomb_is_refused_at_its_limit(cart_file: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(persist, "MAX_MANIFEST_BYTES", 1000)
    evil = mf.write_raw(tmp_path / "evil.synth", b" " * 10_000_000 + b"{}", mf.npz_of({}))
    with pytest.raises(persist.ModelLimitError, match="MAX_MANIFEST_BYTES"):
        synth.load_model(evil)


@pytest.mark.parametrize("depth", [150, 100_000])
def test_deeply_nested_json_is_a_model_file_error(cart_file: Path, tmp_path: Path, depth: int) -> None:
    manifest, _ = mf.read(cart_file)
    text = json.dumps(manifest).replace('"params":', '"deep":' + "[" * depth + "]" * depth + ',"params":', 1)
    evil = mf.write_raw(tmp_path / "evil.synth", text.encode(), mf.npz_of({}))
    with pytest.raises(synth.ModelFileError, match=r"MAX_JSON_DEPTH|unreadable manifest"):
        synth.load_model(evil)


@pytest.mark.parametrize("descr", ["|O", [("a", "<f8"), ("b", "<i8")], "|V8", "<f8"])
def test_arrays_of_disallowed_dtypes_are_refused(cart_file: Path, tmp_path: Path, descr) -> None:  # type: ignore[no-untyped-def]
    manifest, _ = mf.read(cart_file)
    header = mf.npy_header_only((3,), descr)  # no data: for "<f8" this is a truncation
    npz = mf.npz_of({"a0.npy": header})
    evil = mf.write_raw(tmp_path / "evil.synth", json.dumps(manifest).encode(), npz)
    with pytest.raises(synth.ModelFileError, match=r"dtype|truncated|holds fewer|not allowed"):
        synth.load_model(evil)


def test_a_scalar_of_a_raw_bytes_dtype_is_refused(cart_file: Path, tmp_path: Path) -> None:
    manifest, arrays = mf.read(cart_file)
    manifest["fitted"]["n_train_rows"] = {"$": "np", "dtype": "|V1000000000", "v": 1}
    manifest["params"] = {"$": "np", "dtype": "|V1000000000", "v": 1}
    evil = mf.write(tmp_path / "evil.synth", manifest, arrays)
    with pytest.raises(synth.ModelFileError, match="not allowed"):
        synth.load_model(evil)


@pytest.mark.parametrize(
    "edit",
    [
        lambda m: m["fitted"].__setitem__("n_train_rows", "9" * 10_000),
        lambda m: m["fitted"].__setitem__("rng", {"$": "dict", "v": [["bit_generator", "PCG64"], ["state", 1]]}),
        lambda m: m["fitted"].__setitem__("schema", {"$": "np", "dtype": "<M8[ns]", "v": 10**30}),
        lambda m: m["fitted"].__setitem__("reference", [["a", "not-a-dtype"]]),
        lambda m: m.__setitem__("params", {"$": "dict", "v": [[[1], 2]]}),
    ],
)
def test_damaged_manifest_values_are_model_file_errors(cart_file: Path, tmp_path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    manifest, arrays = mf.read(cart_file)
    edit(manifest)
    evil = mf.write(tmp_path / "evil.synth", manifest, arrays)
    with pytest.raises(synth.ModelFileError):
        synth.load_model(evil)
