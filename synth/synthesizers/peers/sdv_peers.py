"""SDV's single-table synthesizers (GaussianCopula, CTGAN, TVAE) as peers: ``pip install -e ".[sdv]"``.

Nothing here imports SDV (or torch, which it pulls in) until a model is fitted. The table SDV sees is built by
:class:`~synth.synthesizers.peers.base.PeerCodec`; its metadata is written from our schema (categories and
booleans as ``categorical``, numbers and datetimes as ``numerical`` floats), never detected by SDV.

Seeds: the fit runs with the global generators seeded from ``random_state`` (SDV documents reproducible sampling
only, so a fit is reproducible as far as torch on the CPU is); each sample first resets SDV's sampling state
and then sets the model's random state from the sample's seed.

Progress and cancel: SDV reports nothing while it fits, so progress moves at the start and the end of a fit,
and a cancel takes effect once the library returns.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
from collections.abc import Iterator
from types import ModuleType
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from synth.progress import ProgressCallback
from synth.synthesizers.inventory import ArtifactItem
from synth.synthesizers.params import Param
from synth.synthesizers.peers.base import PEER_CODEC_ITEM, PeerCodec, PeerError, PeerSynthesizer, version_tuple
from synth.synthesizers.registry import peer

EXTRA = "sdv"
#: Tested versions: (lowest, first untested). 2.0 runs in tests/unit/test_peers_real.py; the 1.x calls (a frame in,
#: a frame out) only against the fake library of tests/peer_fakes.py.
SUPPORTED = ("1.17", "2.1")
#: The one table's name in SDV's metadata.
TABLE = "table"

_SDV_STATE = ArtifactItem(
    "SDV model (in memory only)",
    "SDV's fitted object: its data transformers (category labels and frequencies, each column's exact minimum "
    "and maximum, rounding) and the model's parameters (copula: each column's fitted distribution and the "
    "correlation matrix; CTGAN/TVAE: network weights trained on the rows)",
    "values",
    "SDV saves this object with pickle, which a synth model file never holds, so it is never written by synth; "
    "it lives as long as the fitted model in this session.",
)

EPOCHS_HELP = (
    "Passes over the training rows. SDV's default is 300; each pass takes seconds on a few thousand rows on a "
    "laptop CPU and minutes on 50,000 rows, and the fit cannot be interrupted before it ends."
)


@contextlib.contextmanager
def rdt_fit_state(seed: int) -> Iterator[None]:
    """SDV's data transformers (rdt) draw while fitting from one RandomState shared by the whole process (a class
    attribute, ``BaseTransformer.INITIAL_FIT_STATE``), so a fit depended on every fit before it in the process:
    give it one seeded from ``random_state`` for this fit, and put the shared one back."""
    try:
        base = importlib.import_module("rdt.transformers.base").BaseTransformer
    except (ImportError, AttributeError):
        yield
        return
    if not hasattr(base, "INITIAL_FIT_STATE"):
        yield
        return
    shared = base.INITIAL_FIT_STATE
    base.INITIAL_FIT_STATE = np.random.RandomState(seed)
    try:
        yield
    finally:
        base.INITIAL_FIT_STATE = shared


def metadata_for(codec: PeerCodec) -> Any:
    """SDV metadata written from our schema (never detected): categories as categorical, the rest numerical."""
    metadata_module = importlib.import_module("sdv.metadata")
    columns = {
        codec.key(i): {"sdtype": "categorical" if col.is_label else "numerical"} for i, col in enumerate(codec.columns)
    }
    return metadata_module.Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {TABLE: {"columns": columns}}}
    )


class _SDVPeer(PeerSynthesizer):
    """One SDV single-table synthesizer class behind our contract."""

    extra = EXTRA
    module = "sdv.single_table"
    distribution = "sdv"
    supported = SUPPORTED
    cannot_save = (
        "SDV writes its models with pickle, and a synth model file never holds pickle (loading a file must never "
        "run code from it). Sample what you need while the model is fitted, or refit it with the same seed."
    )
    artifacts = (PEER_CODEC_ITEM, _SDV_STATE)

    #: The SDV class in ``sdv.single_table``.
    sdv_class: ClassVar[str]

    def _sdv_params(self) -> dict[str, Any]:
        """Keyword arguments for the SDV class besides the metadata."""
        return {}

    def _fit_library(
        self, library: ModuleType, frame: pd.DataFrame, codec: PeerCodec, seed: int, progress: ProgressCallback
    ) -> Any:
        cls = getattr(library, self.sdv_class, None)
        if cls is None:
            raise PeerError(f'this SDV has no {self.sdv_class}: pip install -e ".[{EXTRA}]"')
        params = self._sdv_params()
        accepted = inspect.signature(cls).parameters
        if "enable_gpu" in accepted:  # the same result on every machine: synth fits on the CPU
            params["enable_gpu"] = False
        progress(0.05, f"fitting SDV's {self.sdv_class} (no progress is reported until it ends)")
        with rdt_fit_state(seed):
            model = cls(metadata_for(codec), **params)
            model.fit({TABLE: frame} if self._takes_tables() else frame)
        return model

    def _takes_tables(self) -> bool:
        """SDV 2 fits on ``{table name: frame}`` and samples such a dict; SDV 1 on the frame itself."""
        return version_tuple(self.library_version_)[:1] >= (2,)

    def _sample_library(self, n: int, seed: int, progress: ProgressCallback) -> pd.DataFrame:
        model = self.peer_model_
        model.reset_sampling()  # SDV's data transformers restart from their fixed seed
        model._set_random_state(seed)  # SDV's own hook (its sample() seeds the model with a constant otherwise)
        sampled = model.sample(num_rows=n)
        if isinstance(sampled, dict):  # SDV 2: {table name: frame}
            sampled = sampled[TABLE]
        return sampled


@peer("sdv", EXTRA)
class SDVGaussianCopula(_SDVPeer):
    name = "sdv_gaussian_copula"
    label = "SDV Gaussian copula (peer)"
    description = (
        "SDV's GaussianCopulaSynthesizer, run by the SDV library (installed with the `sdv` extra): fits each "
        "column's distribution and their correlations. Use it to compare with ours; it cannot be saved."
    )
    sdv_class = "GaussianCopulaSynthesizer"
    params = (
        Param(
            "default_distribution",
            "choice",
            "beta",
            "The family SDV fits to every numeric column ('beta' is SDV's default).",
            label="Column distribution",
            choices=("beta", "truncnorm", "norm", "uniform", "gamma", "gaussian_kde"),
        ),
    )
    default_distribution: str

    def _sdv_params(self) -> dict[str, Any]:
        return {"default_distribution": self.default_distribution}


class _SDVNeuralPeer(_SDVPeer):
    """SDV's torch synthesizers: the number of training epochs is their one parameter here."""

    params = (Param("epochs", "int", 300, EPOCHS_HELP, label="Epochs", low=1, high=10_000),)
    epochs: int

    def _sdv_params(self) -> dict[str, Any]:
        return {"epochs": int(self.epochs)}


@peer("sdv", EXTRA)
class SDVCTGAN(_SDVNeuralPeer):
    name = "sdv_ctgan"
    label = "SDV CTGAN (peer)"
    description = (
        "SDV's CTGANSynthesizer, a conditional GAN run by the SDV library with torch on the CPU (installed with "
        "the `sdv` extra). Slow: minutes per 50,000 rows at the default 300 epochs. It cannot be saved."
    )
    sdv_class = "CTGANSynthesizer"


@peer("sdv", EXTRA)
class SDVTVAE(_SDVNeuralPeer):
    name = "sdv_tvae"
    label = "SDV TVAE (peer)"
    description = (
        "SDV's TVAESynthesizer, a variational autoencoder run by the SDV library with torch on the CPU "
        "(installed with the `sdv` extra). Faster than CTGAN, still minutes on large tables. It cannot be saved."
    )
    sdv_class = "TVAESynthesizer"
