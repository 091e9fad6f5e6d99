"""Peer synthesizers (synth/synthesizers/peers/) without their libraries: our adapter's side of the contract.

Minimal fake ``sdv`` and ``mostlyai.engine`` modules, injected into ``sys.modules``, behave like the libraries'
APIs as the adapters use them (the real libraries run in tests/unit/test_peers_real.py when installed). They
check what the adapters hand over (metadata from our schema, seeds, parameters), what they do with what comes
back, and every failure path: library missing, untested version, a fit that fails or runs out of memory.
"""

from __future__ import annotations

import copy
import gc
import json
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
from synth.progress import Cancelled
from synth.synthesizers import registry
from synth.synthesizers.peers import argn, sdv_peers
from synth.synthesizers.peers.base import PeerCodec, PeerError, version_tuple
from tests.peer_fakes import FakeCTGAN, FakeEngine, FakeSDVSynthesizer, install_fake_engine, install_fake_sdv
from tests.unit.conformance.contract import mixed_table

SDV_NAMES = ("sdv_gaussian_copula", "sdv_ctgan", "sdv_tvae")
HEAVY = ("torch", "sdv", "ctgan", "copulas", "rdt", "mostlyai.engine", "transformers")


@pytest.fixture
def fake_sdv(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    return install_fake_sdv(monkeypatch)


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    return install_fake_engine(monkeypatch)


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    return mixed_table(300, seed=3)


# ---------------------------------------------------------------------------------------- light by default
def test_import_synth_and_available_import_no_peer_library() -> None:
    code = (
        "import json, sys, synth; names = synth.available(); "
        "print(json.dumps({'names': names, 'loaded': sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'sdv', 'ctgan', 'copulas', 'rdt', 'transformers') or m.startswith('mostlyai.engine'))}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["loaded"] == [], f"importing synth imported {result['loaded']}"
    assert "cart" in result["names"]


def test_a_peer_is_offered_only_when_its_library_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry._PEERS, "sdv_ctgan", ("synth_no_such_library", "sdv"))
    monkeypatch.delitem(sys.modules, "synth_no_such_library", raising=False)
    assert "sdv_ctgan" not in synth.available()
    assert "sdv_ctgan" not in synth.available(include_experimental=True)
    with pytest.raises(synth.SynthesizerError, match=r'pip install -e "\.\[sdv\]"'):
        synth.create("sdv_ctgan")


def test_installed_does_not_import_and_tolerates_odd_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not registry.installed("synth_no_such_library.sub")
    odd = types.ModuleType("synth_odd_module")
    odd.__spec__ = None
    monkeypatch.setitem(sys.modules, "synth_odd_module", odd)
    assert registry.installed("synth_odd_module")


def test_fakes_make_the_peers_available(fake_sdv: types.ModuleType, fake_engine: FakeEngine) -> None:
    names = synth.available()
    assert set(SDV_NAMES) | {"mostlyai_argn"} <= set(names)
    for name in (*SDV_NAMES, "mostlyai_argn"):
        cls = synth.synthesizers.get(name)
        assert "(peer)" in cls.label and cls.description and all(p.help for p in cls.params)


# ----------------------------------------------------------------------------------------------- versions
@pytest.mark.parametrize(
    ("version", "ok"), [("1.17.0", True), ("1.38.2.dev0", True), ("2.0.0", True), ("1.16.9", False), ("2.1.0", False)]
)
def test_an_untested_sdv_version_is_refused_naming_the_extra(
    fake_sdv: types.ModuleType, real: pd.DataFrame, version: str, ok: bool
) -> None:
    fake_sdv.__version__ = version  # type: ignore[attr-defined]
    model = synth.create("sdv_gaussian_copula")
    if ok:  # SDV 1 fits on a frame and samples one; SDV 2 uses {table: frame} both ways (the fake checks which)
        assert len(model.fit(real).sample(20, seed=0)) == 20
        return
    with pytest.raises(PeerError, match=rf"{version} is installed: pip install -e \"\.\[sdv\]\""):
        model.fit(real)
    assert not model.is_fitted


def test_a_library_that_fails_to_import_is_reported(
    fake_sdv: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sdv.single_table", None)  # import raises ImportError
    with pytest.raises(PeerError, match=r"needs sdv, which is not installed.*\.\[sdv\]"):
        synth.create("sdv_ctgan").fit(mixed_table(50))


def test_version_parsing() -> None:
    assert version_tuple("1.17.4.dev0") == (1, 17, 4)
    assert version_tuple("2.5.0+cpu") == (2, 5, 0)
    assert version_tuple("unknown") == ()


# -------------------------------------------------------------------------------------------------- SDV
def test_metadata_comes_from_our_schema_and_parameters_reach_sdv(
    fake_sdv: types.ModuleType, real: pd.DataFrame
) -> None:
    schema = synth.infer_schema(real)
    synth.create("sdv_ctgan", epochs=7).fit(real, schema)
    built = FakeSDVSynthesizer.instances[-1]
    assert built.params == {"epochs": 7, "enable_gpu": False}
    columns = built.metadata.spec["tables"]["table"]["columns"]
    modelled = schema.select(schema.modelled)
    assert len(columns) == len(modelled.names)  # identifiers never reach the library
    kinds = [c.kind for c in modelled]
    for (key, spec), kind in zip(columns.items(), kinds, strict=True):
        expected = "categorical" if kind in (synth.ColumnKind.CATEGORICAL, synth.ColumnKind.BOOLEAN) else "numerical"
        assert spec["sdtype"] == expected, (key, kind)
    assert set(built.data.columns) == set(columns)
    label_columns = [k for k, s in columns.items() if s["sdtype"] == "categorical"]
    tokens = set(pd.unique(built.data[label_columns].to_numpy().ravel()))
    assert {t for t in tokens if t is not None} <= {f"v{i}" for i in range(10)}, "labels reach SDV as tokens"
    synth.create("sdv_tvae", epochs=3).fit(real, schema)
    assert FakeSDVSynthesizer.instances[-1].params == {"epochs": 3}, "enable_gpu only where the class takes it"


@pytest.mark.parametrize("name", SDV_NAMES)
def test_sdv_peer_output_follows_the_contract(fake_sdv: types.ModuleType, real: pd.DataFrame, name: str) -> None:
    model = synth.create(name, random_state=4).fit(real)
    syn = model.sample(500, seed=1)
    assert list(syn.columns) == list(real.columns) and dict(syn.dtypes) == dict(real.dtypes)
    for column in ("colour", "city", "flag"):
        assert set(syn[column].dropna()) <= set(real[column].dropna())
    assert set(syn["id"]).isdisjoint(real["id"]), "identifiers are generated by synth, not copied"
    pd.testing.assert_frame_equal(syn, model.sample(500, seed=1))
    assert not syn.equals(model.sample(500, seed=2))
    again = synth.create(name, random_state=4).fit(real).sample(500, seed=1)
    pd.testing.assert_frame_equal(syn, again)


def test_random_state_seeds_the_library_and_global_generators_are_restored(
    fake_sdv: types.ModuleType, real: pd.DataFrame
) -> None:
    np.random.seed(123)  # noqa: NPY002
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    synth.create("sdv_gaussian_copula", random_state=1).fit(real)
    draw_one = FakeSDVSynthesizer.instances[-1].fit_draw
    assert np.array_equal(np.random.get_state()[1], before), "fitting a peer leaves numpy's global state alone"  # noqa: NPY002
    synth.create("sdv_gaussian_copula", random_state=1).fit(real)
    synth.create("sdv_gaussian_copula", random_state=2).fit(real)
    assert FakeSDVSynthesizer.instances[-2].fit_draw == draw_one
    assert FakeSDVSynthesizer.instances[-1].fit_draw != draw_one


def test_conditions_work_by_rejection(fake_sdv: types.ModuleType, real: pd.DataFrame) -> None:
    model = synth.create("sdv_gaussian_copula").fit(real)
    syn = model.sample(200, seed=0, conditions={"colour": "blue", "age": (30, 60)})
    assert (syn["colour"] == "blue").all() and syn["age"].between(30, 60).all()
    with pytest.raises(synth.SynthesizerError, match="purple"):
        model.sample(10, conditions={"colour": "purple"})


def test_a_peer_cannot_be_saved_and_writes_nothing(
    fake_sdv: types.ModuleType, real: pd.DataFrame, tmp_path: Path
) -> None:
    model = synth.create("sdv_gaussian_copula").fit(real)
    with pytest.raises(PeerError, match=r"cannot be saved.*pickle"):
        model.save(tmp_path / "m.synth")
    assert list(tmp_path.iterdir()) == []
    inventory = model.artifact_inventory()
    assert any(item.derivation == "values" and "never written" in item.protection.lower() for item in inventory)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (MemoryError(), "ran out of memory while fitting"),
        (RuntimeError("CUDA out of memory. Tried to allocate 2 GiB"), "ran out of memory"),
        (ValueError("Invalid values in column col3"), r"failed while fitting \(ValueError: Invalid values"),
    ],
)
def test_a_failing_fit_is_our_error_and_keeps_the_fitted_model(
    fake_sdv: types.ModuleType, real: pd.DataFrame, error: BaseException, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = synth.create("sdv_ctgan", epochs=2).fit(real)
    before = model.sample(50, seed=3)
    monkeypatch.setattr(FakeCTGAN, "fail_with", error)
    with pytest.raises(PeerError, match=message) as info:
        model.fit(real)
    assert "SDV CTGAN" in str(info.value)
    pd.testing.assert_frame_equal(model.sample(50, seed=3), before)


def test_a_cancel_passes_through_a_peer_fit(fake_sdv: types.ModuleType, real: pd.DataFrame) -> None:
    def cancel(fraction: float, message: str) -> None:
        if "fitting SDV" in message:
            raise Cancelled

    model = synth.create("sdv_ctgan")
    with pytest.raises(Cancelled):
        model.fit(real, progress=cancel)
    assert sorted(vars(model)) == sorted(vars(synth.create("sdv_ctgan")))


# ---------------------------------------------------------------------------------------- mostlyai engine
def test_argn_runs_the_engine_pipeline_with_our_settings(fake_engine: FakeEngine, real: pd.DataFrame) -> None:
    seen: list[float] = []
    model = synth.create("mostlyai_argn", max_epochs=5, model_size="MOSTLY_AI/Small", random_state=9)
    model.fit(real, progress=lambda f, m: seen.append(f))
    steps = [name for name, _ in fake_engine.calls]
    assert steps == ["split", "analyze", "encode", "train"]
    train = dict(fake_engine.calls)["train"]
    assert train["model"] == "MOSTLY_AI/Small" and train["max_epochs"] == 5.0 and train["device"] == "cpu"
    split = dict(fake_engine.calls)["split"]
    assert set(split["tgt_encoding_types"].values()) == {"TABULAR_CATEGORICAL", "TABULAR_NUMERIC_AUTO"}
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert len({round(f, 3) for f in seen if 0.1 <= f <= 0.98}) >= fake_engine.train_steps, "training steps reported"
    workspace = model.peer_model_.path
    assert not (workspace / "OriginalData").exists(), "the engine's copy of the training rows is deleted"
    syn = model.sample(400, seed=2)
    assert dict(syn.dtypes) == dict(real.dtypes) and len(syn) == 400
    pd.testing.assert_frame_equal(syn, model.sample(400, seed=2))
    assert not syn.equals(model.sample(400, seed=5))
    assert dict(fake_engine.calls)["generate"]["rare_category_replacement_method"] == "SAMPLE"
    twin = copy.deepcopy(model)
    assert twin.peer_model_.path != workspace
    del model
    gc.collect()
    assert not workspace.exists(), "the workspace goes with the model"
    pd.testing.assert_frame_equal(twin.sample(400, seed=2), syn)


def test_argn_cancel_during_training_leaves_the_model_as_it_was(fake_engine: FakeEngine, real: pd.DataFrame) -> None:
    model = synth.create("mostlyai_argn", random_state=1).fit(real)
    before = model.sample(100, seed=0)

    def cancel(fraction: float, message: str) -> None:
        if message == "training TabularARGN" and fraction > 0.5:
            raise Cancelled

    with pytest.raises(Cancelled):
        model.fit(mixed_table(200, seed=8), progress=cancel)
    pd.testing.assert_frame_equal(model.sample(100, seed=0), before)


def test_argn_untested_version(fake_engine: FakeEngine, real: pd.DataFrame) -> None:
    fake_engine.__version__ = "1.7.1"
    with pytest.raises(PeerError, match=r"mostlyai-engine 2\.3 .*1\.7\.1 is installed.*\.\[mostlyai\]"):
        synth.create("mostlyai_argn").fit(real)


# ----------------------------------------------------------------------------------------------- the codec
def test_codec_round_trip_keeps_labels_days_and_range() -> None:
    frame = mixed_table(120, seed=5)
    schema = synth.infer_schema(frame)
    modelled = schema.select(schema.modelled)
    from synth.schema import coerce_to_schema

    data = coerce_to_schema(frame, schema)[modelled.names]
    codec = PeerCodec.fit(data, modelled)
    encoded = codec.encode(data)
    when = codec.columns[modelled.names.index("when")]
    assert when.unit_ns == 86_400 * 10**9, "whole days are handed over as days"
    back = codec.decode(encoded, len(encoded))
    for column in ("colour", "city", "flag", "x", "age", "when"):
        left, right = back[column], data[column]
        assert left.isna().equals(right.isna()), column
        if column == "when":
            assert (left.dropna().to_numpy() == right.dropna().to_numpy()).all()
        else:
            assert list(left.dropna()) == list(right.dropna()), column
    wild = encoded.copy()
    wild[codec.key(modelled.names.index("x"))] = 1e9
    wild[codec.key(modelled.names.index("colour"))] = "v99"  # a token the library invented
    out = codec.decode(wild, 10)
    assert (out["x"] == data["x"].max()).all() and out["colour"].isna().all()
    with pytest.raises(PeerError, match="returned 3 rows where 5"):
        codec.decode(encoded.head(3), 5)


def test_the_modules_import_no_library() -> None:
    assert sdv_peers.EXTRA == "sdv" and argn.EXTRA == "mostlyai"


def test_a_broken_install_is_not_reported_as_missing(fake_engine: FakeEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real_import = importlib.import_module

    def broken(name: str, package: str | None = None) -> types.ModuleType:
        if name == "mostlyai.engine":  # e.g. transformers failing on a torchvision built for another torch
            raise ModuleNotFoundError("Could not import module 'PreTrainedModel'", name="transformers.modeling_utils")
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(PeerError, match=r"could not import mostlyai-engine: it or a library it needs is broken"):
        synth.create("mostlyai_argn").fit(mixed_table(50))


# --------------------------------------------------------------------------------------------------- race
def test_a_race_names_peers_only_when_asked_and_a_failing_peer_is_one_failed_row(
    fake_sdv: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synth.report import Contender
    from synth.report.race import default_contenders

    assert not any(registry.is_peer(c.name) for c in default_contenders()), "peers are minutes per fit: opt-in"
    monkeypatch.setattr(FakeCTGAN, "fail_with", MemoryError())
    table = mixed_table(500, seed=1)
    train, holdout = synth.split(table, holdout=0.4, seed=0)
    result = synth.race(
        train,
        holdout,
        [Contender("independent"), Contender("sdv_ctgan", {"epochs": 2}), Contender("sdv_gaussian_copula")],
    )
    status = {r.contender.name: (r.status, r.error) for r in result.runs}
    assert status["independent"][0] == "ok" and status["sdv_gaussian_copula"][0] == "ok"
    assert status["sdv_ctgan"][0] == "failed" and "ran out of memory" in status["sdv_ctgan"][1]


def test_a_table_with_nothing_to_learn_never_reaches_the_library(fake_sdv: types.ModuleType) -> None:
    frame = pd.DataFrame({"id": np.arange(100), "country": ["FR"] * 100})
    model = synth.create("sdv_ctgan").fit(frame)
    assert FakeSDVSynthesizer.instances == [], "an empty table is not handed to SDV"
    syn = model.sample(30, seed=0, conditions={"country": "FR"})
    assert syn["country"].eq("FR").all() and syn["id"].min() >= 100
