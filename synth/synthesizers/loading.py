"""Reading a model file back into a fitted synthesizer (the writing half is :meth:`Synthesizer.save`).

Split from :mod:`synth.synthesizers.base`, from where :func:`load_model` stays importable. The file format and
its safety limits are :mod:`synth.synthesizers.persist`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth.schema import Schema
from synth.synthesizers import persist, registry
from synth.synthesizers.errors import SynthesizerError

if TYPE_CHECKING:  # base imports this module; the class is found through the registry at run time
    from synth.synthesizers.base import Synthesizer


def load_model(path: str | Path) -> Synthesizer:
    """Read a model written by :meth:`Synthesizer.save`. Loading never executes code from the file.

    Raises:
        synth.synthesizers.persist.ModelFileError: the file is not a readable synth model file.
        SynthesizerError: the file names parameters that are not valid.
    """
    manifest, arrays = persist.read_archive(path)
    dec = persist.Decoder(arrays)
    try:
        cls = registry.get(str(manifest["synthesizer"]))
    except KeyError as exc:
        raise persist.ModelFileError(f"{path} holds an unknown synthesizer {manifest.get('synthesizer')!r}") from exc
    try:
        params = dec.decode(manifest["params"])
        fitted = manifest["fitted"]
        if not isinstance(params, dict) or not isinstance(fitted, dict):
            raise persist.ModelFileError(f"{path} is not a synth model file")
        cls.check_params(params)
        model = cls(**params)
        schema = dec.decode(fitted["schema"])
        if not isinstance(schema, Schema):
            raise persist.ModelFileError(f"{path} holds no schema")
        model.schema_ = schema
        model.reference_ = pd.DataFrame(
            {str(c): pd.Series([], dtype=persist.decode_dtype(t)) for c, t in fitted["reference"]}
        )
        model.generated_ = dec.decode(fitted["generated"])
        model.domain_ = dec.decode(fitted["domain"])
        model.n_train_rows_ = int(fitted["n_train_rows"])
        rng_state = dec.decode(fitted["rng"])
        if not isinstance(rng_state, dict) or rng_state.get("bit_generator") != "PCG64":
            raise persist.ModelFileError(f"{path} holds an unknown random generator")
        rng = np.random.default_rng()
        rng.bit_generator.state = rng_state
        model.rng_ = rng
        state = dec.decode(fitted["model"])
        if not isinstance(state, dict):
            raise persist.ModelFileError(f"{path} holds no model state")
        model._set_state(state)
        try:
            model._check_state()  # before anything compiled (a tree, a solver) touches the arrays
        except persist.ModelFileError as exc:
            raise persist.ModelFileError(f"{path}: {exc}") from exc
        model.sample(2, seed=0)  # every array is in range: a consistent model can draw from itself
    except (persist.ModelFileError, SynthesizerError):
        raise
    except Exception as exc:  # a model file is data: whatever is wrong with it is reported, never raised as is
        raise persist.ModelFileError(f"{path} is damaged or not a synth model file: {exc!r}") from exc
    return model
