"""Other libraries' synthesizers behind our contract, offered when their pip extra is installed.

``pip install -e ".[sdv]"`` adds SDV's Gaussian copula, CTGAN and TVAE; ``pip install -e ".[mostlyai]"`` adds
MOSTLY AI's TabularARGN. Importing this package imports neither library (nor torch): each is imported when one
of its models is fitted (see :mod:`synth.synthesizers.peers.base`).
"""

from synth.synthesizers.peers import argn, sdv_peers
from synth.synthesizers.peers.base import PeerError, PeerSynthesizer

__all__ = ["PeerError", "PeerSynthesizer", "argn", "sdv_peers"]
