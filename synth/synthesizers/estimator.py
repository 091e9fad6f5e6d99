"""scikit-learn's estimator protocol for synthesizers: ``get_params(deep=True)``, ``set_params(**params)``.

Every synthesizer's parameters are its constructor's keyword arguments (``random_state``, the declared
:class:`~synth.synthesizers.params.Param` list, and any a subclass's ``__init__`` adds, such as PrivBayes'
``public_domains``), stored unchanged as attributes of the same name. So ``sklearn.base.clone`` and
grid-search tooling can copy and re-configure one: ``type(m)(**m.get_params(deep=False))`` is an unfitted twin.

``set_params`` checks the names and values (the class's ``check_params``, the same check a fit makes), sets
them, and returns the synthesizer; it never fits. A fitted synthesizer forgets its fit when a parameter changes:
its learned state described other settings (a DP model's privacy statement would quote an ε it was not fitted
with, and a saved file would pair the new settings with the old model).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from synth.synthesizers.errors import SynthesizerError

if TYPE_CHECKING:
    from synth.synthesizers.base import Synthesizer


def accepting_deep(get_params: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """A subclass's ``get_params(self)`` written without scikit-learn's ``deep`` argument, made to take it.

    A synthesizer's parameters hold no estimators, so ``deep`` changes nothing: the same dict either way."""
    if "deep" in inspect.signature(get_params).parameters:
        return get_params

    @functools.wraps(get_params)
    def with_deep(self: Synthesizer, deep: bool = True) -> dict[str, Any]:
        return get_params(self)

    return with_deep


def check_deep(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """``get_params``' arguments: at most ``deep``, as Python would check ``get_params(self, deep=True)``."""
    inspect.signature(_deep_only).bind(*args, **kwargs)


def _deep_only(deep: bool = True) -> None:
    """The signature :func:`check_deep` binds against."""


def init_param_names(cls: type) -> list[str]:
    """The keyword arguments of every ``__init__`` along the class's bases (``**params`` left out), in order."""
    names: list[str] = []
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD and p.name not in names:
                names.append(p.name)
    return names


def set_params(model: Synthesizer, params: Mapping[str, Any]) -> Synthesizer:
    """Set ``params`` on ``model`` after checking names and values; forget a fit if a value changed."""
    current = model.get_params(deep=False)
    unknown = [k for k in params if k not in current]
    if unknown:
        raise SynthesizerError(
            f"{model.label} has no parameter {', '.join(map(repr, unknown))}; it takes {', '.join(current)}"
        )
    type(model).check_params(params)
    changed = any(params[k] is not current[k] and _differs(params[k], current[k]) for k in params)
    if changed and model.is_fitted:
        for key in [k for k in vars(model) if k.endswith("_") and not k.startswith("__")]:
            delattr(model, key)
    for key, value in params.items():
        setattr(model, key, value)
    return model


def _differs(a: Any, b: Any) -> bool:
    try:
        return bool(a != b)
    except (TypeError, ValueError):  # values without a plain equality (arrays): treated as changed
        return True
