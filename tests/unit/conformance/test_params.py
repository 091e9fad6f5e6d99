"""Settings and arguments: parameters validated at creation and at fit, scikit-learn's get_params/set_params/clone,
and sample's arguments.
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest

import synth
from synth.synthesizers import get
from synth.synthesizers.base import Param
from tests.unit.conformance.contract import NAMES, make


# ----------------------------------------------------------------------------- parameters
def _invalid_values(param: Param) -> list[Any]:
    if param.kind == "bool":
        return ["yes", 1]
    if param.kind == "choice":
        # A choice that may name columns takes any name at creation (the fit checks it: see below).
        return [None, 3] if param.names_columns else ["no such choice", None]
    bad: list[Any] = ["ten", None, True, float("nan")]
    if param.low is not None:
        bad.append(param.low - 1)
    if param.high is not None:
        bad.append(param.high + 1)
    if param.kind == "int":
        bad.append((param.low or 0) + 1.5)
    return bad


@pytest.mark.parametrize("name", NAMES)
def test_parameters_are_validated(name: str, real: pd.DataFrame) -> None:
    cls = get(name)
    for param in cls.params:
        param.check(param.default)
        for value in _invalid_values(param):
            with pytest.raises(synth.SynthesizerError, match=param.name):
                synth.create(name, **{param.name: value})
        # Set directly on the object, a bad value is caught when fitting, before any work.
        model = cls(**{param.name: _invalid_values(param)[0]})
        with pytest.raises(synth.SynthesizerError, match=param.name):
            model.fit(real)
        assert not model.is_fitted
        if param.names_columns:
            model = synth.create(name, **{param.name: "no such column"})
            with pytest.raises(synth.SynthesizerError, match="no such column"):
                model.fit(real)
            assert not model.is_fitted
    with pytest.raises(synth.SynthesizerError, match="no parameter 'bogus'"):
        synth.create(name, bogus=1)
    with pytest.raises(synth.SynthesizerError, match="random_state"):
        synth.create(name, random_state=-1)


@pytest.mark.parametrize("name", ["nope", "CART", "", None, ["cart"]])
def test_an_unknown_name_is_refused_listing_the_synthesizers_offered(name: Any) -> None:
    """A typo (or not a name at all) gets the project's error listing what can be created, not a KeyError."""
    with pytest.raises(synth.SynthesizerError, match=r"no synthesizer named .*: choose one of") as caught:
        synth.create(name)
    assert all(offered in str(caught.value) for offered in synth.available())


@pytest.mark.parametrize("name", NAMES)
def test_scikit_learn_get_params_set_params_and_clone(name: str, fitted: dict) -> None:
    """README: synthesizers follow scikit-learn's rules. get_params(deep=...) once raised TypeError and there was
    no set_params, so sklearn.base.clone failed on every synthesizer."""
    from sklearn.base import clone

    model = make(name, random_state=7)
    params = model.get_params(deep=False)
    assert model.get_params(deep=True) == params == model.get_params() == model.get_params(False)
    with pytest.raises(TypeError):
        model.get_params(deeep=True)
    assert {"random_state", *(p.name for p in get(name).params)} <= set(params)
    twin = clone(model)
    assert type(twin) is type(model) and twin is not model and twin.get_params() == params
    fitted_twin = clone(fitted[name])  # a clone is unfitted, with the same settings
    assert not fitted_twin.is_fitted and fitted_twin.get_params() == fitted[name].get_params()

    fresh = synth.create(name)
    assert fresh.set_params(**params) is fresh and fresh.get_params() == params
    assert not fresh.is_fitted  # set_params never fits
    with pytest.raises(synth.SynthesizerError, match="no parameter 'bogus'"):
        fresh.set_params(bogus=1)
    with pytest.raises(synth.SynthesizerError, match="random_state"):
        fresh.set_params(random_state=-1)
    for param in get(name).params:
        with pytest.raises(synth.SynthesizerError, match=param.name):
            fresh.set_params(**{param.name: _invalid_values(param)[0]})
    assert fresh.get_params() == params  # a refused call changes nothing


@pytest.mark.parametrize("name", NAMES)
def test_set_params_on_a_fitted_model_forgets_the_fit_only_when_a_setting_changes(name: str, fitted: dict) -> None:
    """A fitted model re-configured would otherwise pair new settings with a model learned under others (a DP
    model's privacy statement quoting an ε it was not fitted with)."""
    model = copy.deepcopy(fitted[name])
    assert model.set_params(**model.get_params()).is_fitted
    model.sample(5, seed=0)
    model.set_params(random_state=model.random_state + 1)
    assert not model.is_fitted and not [k for k in vars(model) if k.endswith("_")]
    with pytest.raises(synth.SynthesizerError, match="not fitted"):
        model.sample(5)


@pytest.mark.parametrize("name", NAMES)
def test_sample_arguments_are_validated(name: str, fitted: dict, real: pd.DataFrame) -> None:
    with pytest.raises(synth.SynthesizerError, match="not fitted"):
        make(name).sample(10)
    for n in (0, -1, 2.5, True):
        with pytest.raises(synth.SynthesizerError, match="number of rows"):
            fitted[name].sample(n)
    with pytest.raises(synth.SynthesizerError, match="seed"):
        fitted[name].sample(10, seed=-3)
    # A notebook's typo, sample(10**12), was NumPy's MemoryError ("Unable to allocate 29.1 TiB"): refused at once.
    with pytest.raises(synth.SynthesizerError, match=r"write them to a file in blocks.*write_table"):
        fitted[name].sample(10**12)
    with pytest.raises(synth.SynthesizerError, match="at least 2 rows"):
        make(name).fit(real.head(1))


def test_the_rare_category_setting_is_added_to_each_synthesizer_not_to_the_base() -> None:
    """The declaration is completed per subclass of Synthesizer (DeclaredParams._complete_declaration, called from
    Synthesizer.__init_subclass__): the abstract base keeps no parameter, every model without a formal guarantee
    gets ``min_category_rows`` once, and one with a guarantee (its own rare-value rule) does not."""
    from synth.synthesizers.base import Synthesizer
    from synth.synthesizers.params import MIN_CATEGORY_ROWS

    assert Synthesizer.params == ()
    for name in synth.available():
        cls = get(name)
        names = [p.name for p in cls.params]
        assert names.count(MIN_CATEGORY_ROWS.name) == (1 if cls.guarantee is None else 0), name
