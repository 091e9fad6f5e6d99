"""Reading a model file back into a fitted synthesizer (the writing half is :meth:`Synthesizer.save`).

Split from :mod:`synth.synthesizers.base`, from where :func:`load_model` stays importable. The file format and
its safety limits are :mod:`synth.synthesizers.persist`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from synth.generated_spread import check_spreads
from synth.schema import Schema
from synth.synthesizers import persist, registry
from synth.synthesizers.compositions import check_compositions
from synth.synthesizers.elapsed import check_elapsed
from synth.synthesizers.errors import SynthesizerError
from synth.synthesizers.people import check_people
from synth.synthesizers.row_offsets import check_row_offsets
from synth.synthesizers.text_templates import check_templates
from synth.synthesizers.time_of_day import check_times
from synth.synthesizers.weekdays import check_weekdays

if TYPE_CHECKING:  # base imports this module; the class is found through the registry at run time
    from synth.synthesizers.base import Synthesizer


def load_model(path: str | Path) -> Synthesizer:
    """Read a model written by :meth:`Synthesizer.save`. Loading never executes code from the file.

    Raises:
        synth.synthesizers.persist.ModelFileError: the file is not a readable synth model file, or it was altered
            (parameters out of range included: a fit never writes them), the message saying which part.
    """
    manifest, arrays = persist.read_archive(path)
    dec = persist.Decoder(arrays)
    try:
        cls = registry.get(str(manifest["synthesizer"]))
    except KeyError as exc:
        raise persist.ModelFileError(f"{path} holds an unknown synthesizer {manifest.get('synthesizer')!r}") from exc
    step = "its parameters"
    try:
        params = dec.decode(manifest["params"])
        fitted = manifest["fitted"]
        if not isinstance(params, dict) or not isinstance(fitted, dict):
            raise persist.ModelFileError(f"{path} is not a synth model file")
        cls.check_params(params)
        model = cls(**params)
        step = "its schema"
        schema = dec.decode(fitted["schema"])
        if not isinstance(schema, Schema):
            raise persist.ModelFileError(f"{path} holds no schema")
        model.schema_ = schema
        step = "its column types"
        model.reference_ = pd.DataFrame(
            {str(c): pd.Series([], dtype=persist.decode_dtype(t)) for c, t in fitted["reference"]}
        )
        step = "its generated columns"
        model.generated_ = dec.decode(fitted["generated"])
        check_spreads(getattr(model.generated_, "plans", ()))  # a small test draw may not reach them
        step = "its column ranges"
        model.domain_ = dec.decode(fitted["domain"])
        step = "its number of training rows"
        model.n_train_rows_ = int(fitted["n_train_rows"])
        step = "its random generator's state"
        rng_state = dec.decode(fitted["rng"])
        if not isinstance(rng_state, dict) or rng_state.get("bit_generator") != "PCG64":
            raise persist.ModelFileError(f"{path} holds an unknown random generator")
        rng = np.random.default_rng()
        rng.bit_generator.state = rng_state
        model.rng_ = rng
        step = "its model state"
        state = dec.decode(fitted["model"])
        if not isinstance(state, dict):
            raise persist.ModelFileError(f"{path} holds no model state")
        model._set_state(state)
        try:
            check_times(model)
            check_row_offsets(model)
            check_elapsed(model)
            check_compositions(model)
            check_weekdays(model)
            check_people(model)
            check_templates(model)
            model._check_state()  # before anything compiled (a tree, a solver) touches the arrays
        except persist.ModelFileError as exc:
            raise persist.ModelFileError(f"{path}: {exc}") from exc
        model.bucketed_ = _bucketed(getattr(model, "bucketed_", ()), schema, path)
        people = getattr(model, "rare_people_", None)  # named in the pooled note: a column of the schema, or None
        if people is not None and (not isinstance(people, str) or people not in schema.names):
            raise persist.ModelFileError(f"{path} names the people it counted wrongly (rare_people_): {people!r:.200}")
        few = getattr(model, "few_people_", ())  # columns learned as missing, named in a fit warning
        if not isinstance(few, list | tuple) or not all(isinstance(c, str) and c in schema.names for c in few):
            raise persist.ModelFileError(
                f"{path} names its columns few people hold wrongly (few_people_): {few!r:.200}"
            )
        if few:
            model.few_people_ = tuple(few)
        step = "a test draw from the model"
        model.sample(2, seed=0)  # every array is in range: a consistent model can draw from itself
    except persist.ModelFileError:
        raise
    except SynthesizerError as exc:  # e.g. a parameter out of range: a fit never writes one, so the file was edited
        raise persist.ModelFileError(
            f"{path} is damaged or was altered: {step}: not what a fit writes ({exc})"
        ) from exc
    except Exception as exc:  # a model file is data: whatever is wrong with it is reported, never raised as is
        raise persist.ModelFileError(
            f"{path} is damaged or was altered: {step} cannot be read ({_detail(exc)})"
        ) from exc
    return model


def _detail(exc: BaseException) -> str:
    """A low-level error's own words, short (its type is noise to a user: the step already says what failed)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 100 else text[:99] + "…"


def _bucketed(value: Any, schema: Schema, path: str | Path) -> tuple[tuple[str, float], ...]:
    """A file's ``bucketed_`` (the columns its fit warns about, :func:`~synth.synthesizers.rare_categories.
    bucketed_shares`) checked before a page formats it: (schema column, share in [0, 1]) pairs, or a ModelFileError."""
    names = set(schema.names)
    ok = isinstance(value, list | tuple) and len(value) <= len(names)
    pairs = []
    for item in value if ok else ():
        if not (isinstance(item, list | tuple) and len(item) == 2 and item[0] in names):
            ok = False
            break
        share = item[1]
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0.0 <= float(share) <= 1.0:
            ok = False
            break
        pairs.append((str(item[0]), float(share)))
    if not ok:
        raise persist.ModelFileError(f"{path} names its rare-category columns wrongly (bucketed_): {value!r:.200}")
    return tuple(pairs)
