"""Deprecated alias: the metrics moved to :mod:`synth.evaluation` (fidelity/, utility/, privacy/).

Kept so that notebooks written against ``synth.metrics`` keep working for one release; import the public
functions from :mod:`synth` instead.
"""

import warnings

from synth.evaluation.fidelity.detection import DetectionResult, evaluate_detection
from synth.evaluation.fidelity.scores import FidelityResult, evaluate_fidelity
from synth.evaluation.privacy.distances import PrivacyResult, evaluate_privacy
from synth.evaluation.utility.tstr import UtilityResult, evaluate_utility

warnings.warn(
    "synth.metrics is deprecated; use synth.evaluate_fidelity / evaluate_privacy / evaluate_utility "
    "(the modules live in synth.evaluation)",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "DetectionResult",
    "FidelityResult",
    "PrivacyResult",
    "UtilityResult",
    "evaluate_detection",
    "evaluate_fidelity",
    "evaluate_privacy",
    "evaluate_utility",
]
