"""MOSTLY AI's TabularARGN (mostlyai-engine) as a peer: ``pip install -e ".[mostlyai]"``.

Runs the engine's own pipeline (``split`` → ``analyze`` → ``encode`` → ``train``, then ``generate``) in a
temporary workspace directory. Nothing here imports the engine (or torch) until a model is fitted.

Seeds: the engine seeds itself through ``set_random_state`` (``random``, numpy, torch and an environment
variable its workers read); the fit uses one seed drawn from ``random_state``, each sample one drawn from the
sample's seed, and :func:`~synth.synthesizers.peers.base.seeded` restores the global state afterwards.

Progress and cancel: the engine reports training steps through its ``update_progress`` callback; they are
mapped onto the fit's progress, and a cancel raised there stops training at the next step. Sampling reports
and cancels the same way.

The workspace holds what the engine learned: once training ends, the copy of the training rows and their
encoding are deleted from it, so only the engine's statistics and network weights remain until the fitted
model is discarded.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from synth.progress import ProgressCallback, scaled
from synth.synthesizers.inventory import ArtifactItem
from synth.synthesizers.params import Param
from synth.synthesizers.peers.base import PEER_CODEC_ITEM, PeerCodec, PeerError, PeerSynthesizer
from synth.synthesizers.registry import peer

EXTRA = "mostlyai"
#: Tested versions: (lowest, first untested).
SUPPORTED = ("2.3", "3")
#: Workspace folders that hold training rows (deleted once the model is trained; generation does not read them).
TRAINING_COPIES = ("OriginalData",)


class EngineWorkspace:
    """The engine's working directory for one fitted model: deleted with it; a deep copy copies the directory
    (so a copied model never shares, or outlives, another model's files)."""

    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="synth-argn-")
        self.path = Path(self._directory.name)

    def cleanup(self) -> None:
        self._directory.cleanup()

    def __deepcopy__(self, memo: dict[int, Any]) -> EngineWorkspace:
        copy = EngineWorkspace()
        shutil.copytree(self.path, copy.path, dirs_exist_ok=True)
        return copy


def engine_progress(progress: ProgressCallback, message: str) -> Any:
    """The engine's ``update_progress(total=, completed=, ...)`` as our ``progress(fraction, message)``."""

    def update(
        total: int | None = None, completed: int | None = None, advance: int | None = None, **_: Any
    ) -> dict[str, Any] | None:
        if total and completed is not None:
            progress(min(max(completed / total, 0.0), 1.0), message)
        return None

    return update


@peer("mostlyai.engine", EXTRA)
class TabularARGN(PeerSynthesizer):
    name = "mostlyai_argn"
    label = "TabularARGN, MOSTLY AI engine (peer)"
    description = (
        "MOSTLY AI's autoregressive network (TabularARGN) run by the open-source mostlyai-engine with torch on "
        "the CPU (installed with the `mostlyai` extra). About a minute and a half on 25,000 rows on two cores. "
        "It cannot be saved."
    )
    extra = EXTRA
    module = "mostlyai.engine"
    distribution = "mostlyai-engine"
    supported = SUPPORTED
    cannot_save = (
        "the engine keeps its model as torch files in a working directory, and a synth model file holds only "
        "JSON and numpy arrays. Sample what you need while the model is fitted, or refit it with the same seed."
    )
    artifacts = (
        PEER_CODEC_ITEM,
        ArtifactItem(
            "Engine workspace (temporary directory, deleted with the model)",
            "the engine's column statistics (category labels, numeric bins and ranges: after the engine's own "
            "protection of rare values and extremes, unless 'Engine value protection' is off) and the network "
            "weights trained on the rows",
            "values",
            "The copy of the training rows the engine makes is deleted as soon as training ends; the rest is "
            "never written by synth and is removed when the fitted model is discarded.",
        ),
    )
    params = (
        Param(
            "max_epochs",
            "int",
            100,
            "Most passes over the training rows; the engine stops earlier when its validation loss stops improving.",
            label="Most epochs",
            low=1,
            high=1000,
        ),
        Param(
            "max_training_minutes",
            "float",
            10.0,
            "Training stops after this many minutes whatever the epochs.",
            label="Most training minutes",
            low=0.1,
            high=600.0,
        ),
        Param(
            "model_size",
            "choice",
            "MOSTLY_AI/Medium",
            "The engine's network size.",
            label="Network size",
            choices=("MOSTLY_AI/Small", "MOSTLY_AI/Medium", "MOSTLY_AI/Large"),
        ),
        Param(
            "value_protection",
            "bool",
            True,
            "The engine's own protection of rare categories and extreme values (on by default).",
            label="Engine value protection",
        ),
    )
    max_epochs: int
    max_training_minutes: float
    model_size: str
    value_protection: bool

    def _fit_library(
        self, library: ModuleType, frame: pd.DataFrame, codec: PeerCodec, seed: int, progress: ProgressCallback
    ) -> Any:
        workspace = EngineWorkspace()
        path = workspace.path
        try:
            library.set_random_state(seed)
            encoding = {
                codec.key(i): "TABULAR_CATEGORICAL" if col.is_label else "TABULAR_NUMERIC_AUTO"
                for i, col in enumerate(codec.columns)
            }
            progress(0.02, "the engine reads the table")
            library.split(tgt_data=frame, tgt_encoding_types=encoding, model_type="TABULAR", workspace_dir=path)
            progress(0.05, "the engine analyses the columns")
            library.analyze(value_protection=bool(self.value_protection), workspace_dir=path)
            progress(0.08, "the engine encodes the table")
            library.encode(workspace_dir=path)
            library.train(
                model=self.model_size,
                max_epochs=float(self.max_epochs),
                max_training_time=float(self.max_training_minutes),
                device="cpu",
                workspace_dir=path,
                update_progress=engine_progress(scaled(progress, 0.1, 0.98), "training TabularARGN"),
            )
        except BaseException:
            workspace.cleanup()
            raise
        for folder in TRAINING_COPIES:  # generation reads only the model store
            shutil.rmtree(path / folder, ignore_errors=True)
        return workspace

    def _sample_library(self, n: int, seed: int, progress: ProgressCallback) -> pd.DataFrame:
        library, _ = self.import_library()
        path = self.peer_model_.path
        if not (path / "ModelStore").is_dir():
            raise PeerError(f"{self.label}'s working directory {path} is gone: fit the model again")
        out = path / "SyntheticData"
        shutil.rmtree(out, ignore_errors=True)
        library.set_random_state(seed)
        library.generate(
            sample_size=n,
            device="cpu",
            rare_category_replacement_method="SAMPLE",
            workspace_dir=path,
            update_progress=engine_progress(progress, "TabularARGN generates rows"),
        )
        files = sorted(out.glob("*.parquet"))
        if not files:
            raise PeerError(f"{self.label} generated no rows")
        frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        shutil.rmtree(out, ignore_errors=True)
        return frame
