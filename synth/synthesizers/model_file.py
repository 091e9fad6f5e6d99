"""Saving a fitted synthesizer: its learned state (every public attribute ending in ``_`` that the base does not
own) and the model file, a zip of a JSON manifest and numpy arrays with no pickle (:class:`ModelFile`, a base of
:class:`synth.synthesizers.base.Synthesizer`; :func:`synth.synthesizers.loading.load_model` reads it back).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from synth.synthesizers import persist
from synth.synthesizers.errors import SynthesizerError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from synth.generated import GeneratedColumns
    from synth.schema import Schema
    from synth.synthesizers.column_domain import ColumnDomain

# Learned attributes owned by the base; every other public attribute ending in "_" is the model's state.
_BASE_STATE = frozenset({"schema_", "reference_", "generated_", "n_train_rows_", "rng_", "domain_"})


class ModelFile:
    """The learned state of a synthesizer and its model file."""

    if TYPE_CHECKING:  # set by Synthesizer.fit; declared here for the type checker only (no class attributes)
        name: ClassVar[str]
        label: ClassVar[str]
        schema_: Schema
        reference_: pd.DataFrame
        generated_: GeneratedColumns
        domain_: tuple[ColumnDomain, ...]
        n_train_rows_: int
        rng_: np.random.Generator

        @property
        def is_fitted(self) -> bool: ...

        def get_params(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...

    def _get_state(self) -> dict[str, Any]:
        """The model's own learned state: every public attribute ending in ``_`` the base does not own."""
        return {
            k: v for k, v in vars(self).items() if k.endswith("_") and not k.startswith("_") and k not in _BASE_STATE
        }

    def _set_state(self, state: Mapping[str, Any]) -> None:
        for key, value in state.items():
            if not (isinstance(key, str) and key.endswith("_") and not key.startswith("_")):
                raise persist.ModelFileError(f"the model file names a bad attribute {key!r}")
            setattr(self, key, value)

    def _check_state(self) -> None:
        """Called by :func:`load_model` after ``_set_state``: raise ``ModelFileError`` for state a fit could not
        have produced. Models whose state reaches compiled code without bounds checks must override it."""
        return None

    def save(self, path: str | Path) -> None:
        """Write the fitted model to ``path``: a zip of a JSON manifest and numpy arrays, no pickle.

        The file holds what the model learned from the training data; keep it as safe as the data. Its bytes
        depend only on the model: saving twice, or saving two fits made with one seed, gives the same file.
        """
        if not self.is_fitted:
            raise SynthesizerError(f"{self.label} is not fitted yet: nothing to save")
        from synth import __version__

        enc = persist.Encoder()
        fitted = {
            "schema": enc.encode(self.schema_),
            "reference": [[str(c), persist.encode_dtype(t)] for c, t in self.reference_.dtypes.items()],
            "generated": enc.encode(self.generated_),
            "domain": enc.encode(self.domain_),
            "n_train_rows": int(self.n_train_rows_),
            "rng": enc.encode(self.rng_.bit_generator.state),
            "model": enc.encode(self._get_state()),
        }
        manifest = {
            "format": persist.FORMAT,
            "format_version": persist.FORMAT_VERSION,
            "synth_version": __version__,
            "synthesizer": self.name,
            "params": enc.encode(self.get_params()),
            "fitted": fitted,
        }
        persist.write_archive(path, manifest, enc.arrays)
