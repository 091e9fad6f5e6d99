"""Synthesizers, registered by name. Importing this package registers every built-in synthesizer."""

from synth.synthesizers import gaussian_copula, independent
from synth.synthesizers.base import Param, Synthesizer, SynthesizerError
from synth.synthesizers.registry import available, create, get, register

__all__ = [
    "Param",
    "Synthesizer",
    "SynthesizerError",
    "available",
    "create",
    "gaussian_copula",
    "get",
    "independent",
    "register",
]
