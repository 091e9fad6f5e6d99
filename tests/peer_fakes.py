"""Minimal fake ``sdv`` and ``mostlyai.engine`` modules that behave like the libraries' APIs as the peer adapters
(synth/synthesizers/peers/) use them, so our side of the mapping is tested without the libraries installed."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest


# ------------------------------------------------------------------------------------------- fake libraries
class FakeMetadata:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    @classmethod
    def load_from_dict(cls, spec: dict[str, Any]) -> FakeMetadata:
        return cls(spec)


class FakeSDVSynthesizer:
    """Learns the rows; samples them with replacement from a numpy RandomState seeded like SDV's model."""

    instances: list[FakeSDVSynthesizer] = []  # noqa: RUF012 - a record of what the adapter built
    fail_with: BaseException | None = None

    def __init__(self, metadata: FakeMetadata, enforce_min_max_values: bool = True, **params: Any) -> None:
        self.metadata = metadata
        self.params = params
        self.seed: int | None = None
        FakeSDVSynthesizer.instances.append(self)

    @staticmethod
    def takes_tables() -> bool:
        """Like SDV 2: fit on ``{table: frame}`` and sample such a dict (SDV 1: the frame itself)."""
        return not sys.modules["sdv"].__version__.startswith("1.")

    def fit(self, data: pd.DataFrame | dict[str, pd.DataFrame]) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        if self.takes_tables():
            assert isinstance(data, dict) and len(data) == 1, "SDV 2 takes {table name: frame}"
            ((name, data),) = data.items()
            assert name in self.metadata.spec["tables"]
        assert isinstance(data, pd.DataFrame)
        ((columns,),) = ([t["columns"] for t in self.metadata.spec["tables"].values()],)
        assert list(columns) == list(data.columns), "metadata names exactly the table's columns"
        self.data = data.copy()
        self.fit_draw = float(np.random.random())  # noqa: NPY002 - SDV draws from the global generator

    def reset_sampling(self) -> None:
        self.seed = None

    def _set_random_state(self, seed: int) -> None:
        self.seed = seed

    def sample(self, num_rows: int) -> pd.DataFrame | dict[str, pd.DataFrame]:
        rng = np.random.RandomState(self.seed if self.seed is not None else 73)
        rows = self.data.iloc[rng.randint(0, len(self.data), num_rows)].reset_index(drop=True)
        return {next(iter(self.metadata.spec["tables"])): rows} if self.takes_tables() else rows


class FakeGaussianCopula(FakeSDVSynthesizer):
    def __init__(self, metadata: FakeMetadata, default_distribution: str = "beta", enable_gpu: bool = True) -> None:
        super().__init__(metadata, default_distribution=default_distribution, enable_gpu=enable_gpu)


class FakeCTGAN(FakeSDVSynthesizer):
    def __init__(self, metadata: FakeMetadata, epochs: int = 300, enable_gpu: bool = True) -> None:
        super().__init__(metadata, epochs=epochs, enable_gpu=enable_gpu)


class FakeTVAE(FakeSDVSynthesizer):  # an older signature: no enable_gpu
    def __init__(self, metadata: FakeMetadata, epochs: int = 300) -> None:
        super().__init__(metadata, epochs=epochs)


def install_fake_sdv(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """Put a fake ``sdv`` (2.0.0) in ``sys.modules`` for the test's duration."""
    root = types.ModuleType("sdv")
    root.__version__ = "2.0.0"  # type: ignore[attr-defined]
    single = types.ModuleType("sdv.single_table")
    single.GaussianCopulaSynthesizer = FakeGaussianCopula  # type: ignore[attr-defined]
    single.CTGANSynthesizer = FakeCTGAN  # type: ignore[attr-defined]
    single.TVAESynthesizer = FakeTVAE  # type: ignore[attr-defined]
    meta = types.ModuleType("sdv.metadata")
    meta.Metadata = FakeMetadata  # type: ignore[attr-defined]
    root.single_table, root.metadata = single, meta  # type: ignore[attr-defined]
    for name, module in (("sdv", root), ("sdv.single_table", single), ("sdv.metadata", meta)):
        monkeypatch.setitem(sys.modules, name, module)
    FakeSDVSynthesizer.instances = []
    for cls in (FakeSDVSynthesizer, FakeGaussianCopula, FakeCTGAN, FakeTVAE):
        monkeypatch.setattr(cls, "fail_with", None)
    return root


class FakeEngine(types.ModuleType):
    """split/analyze/encode/train/generate over a workspace directory, like mostlyai.engine."""

    def __init__(self) -> None:
        super().__init__("mostlyai.engine")
        self.__version__ = "2.5.0"
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.seed: int | None = None
        self.train_steps = 10

    def set_random_state(self, random_state: int | None = None) -> None:
        self.seed = random_state

    def split(self, tgt_data: pd.DataFrame, *, workspace_dir: Path, **kwargs: Any) -> None:
        self.calls.append(("split", kwargs))
        (workspace_dir / "OriginalData" / "tgt-data").mkdir(parents=True)
        tgt_data.to_parquet(workspace_dir / "OriginalData" / "tgt-data" / "part.parquet")

    def analyze(self, *, workspace_dir: Path, **kwargs: Any) -> None:
        self.calls.append(("analyze", kwargs))
        (workspace_dir / "ModelStore").mkdir()

    def encode(self, *, workspace_dir: Path, **kwargs: Any) -> None:
        self.calls.append(("encode", kwargs))

    def train(self, *, workspace_dir: Path, update_progress: Any, **kwargs: Any) -> None:
        self.calls.append(("train", kwargs))
        data = pd.read_parquet(workspace_dir / "OriginalData" / "tgt-data" / "part.parquet")
        for step in range(self.train_steps + 1):
            update_progress(total=self.train_steps, completed=step)
        data.to_parquet(workspace_dir / "ModelStore" / "weights.parquet")  # the fake's "model"

    def generate(self, *, sample_size: int, workspace_dir: Path, update_progress: Any, **kwargs: Any) -> None:
        self.calls.append(("generate", kwargs))
        data = pd.read_parquet(workspace_dir / "ModelStore" / "weights.parquet")
        rng = np.random.RandomState(self.seed)
        update_progress(total=1, completed=0)
        (workspace_dir / "SyntheticData").mkdir()
        rows = data.iloc[rng.randint(0, len(data), sample_size)]
        rows.iloc[: sample_size // 2].to_parquet(workspace_dir / "SyntheticData" / "part.000000.parquet")
        rows.iloc[sample_size // 2 :].to_parquet(workspace_dir / "SyntheticData" / "part.000001.parquet")
        update_progress(total=1, completed=1)


def install_fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    """Put a fake ``mostlyai.engine`` (2.5.0) in ``sys.modules`` for the test's duration."""
    engine = FakeEngine()
    parent = types.ModuleType("mostlyai")
    parent.engine = engine  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mostlyai", parent)
    monkeypatch.setitem(sys.modules, "mostlyai.engine", engine)
    return engine
