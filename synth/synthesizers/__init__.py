"""Synthesizers, registered by name. Importing this package registers every built-in synthesizer."""

# Registration order is the order users see: the baselines first, then the richer models.
from synth.synthesizers import gaussian_copula, independent  # noqa: I001
from synth.synthesizers import cart, privbayes
from synth.synthesizers import pruned_cart
from synth.synthesizers import peers  # other libraries' models, offered when their extra is installed
from synth.synthesizers.base import Param, Synthesizer, SynthesizerError, load_model
from synth.synthesizers.persist import ModelFileError
from synth.synthesizers.registry import available, create, get, register

__all__ = [
    "ModelFileError",
    "Param",
    "Synthesizer",
    "SynthesizerError",
    "available",
    "cart",
    "create",
    "gaussian_copula",
    "get",
    "independent",
    "load_model",
    "peers",
    "privbayes",
    "pruned_cart",
    "register",
]
