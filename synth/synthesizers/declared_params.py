"""The parameter side of the synthesizer contract: declared parameters, scikit-learn's ``get_params`` /
``set_params``, checking values, and what a saved model of a class holds (:class:`DeclaredParams`, a base of
:class:`synth.synthesizers.base.Synthesizer`).

``__init__`` only stores parameters (scikit-learn's rule): the declared ones, with their defaults, and
``random_state``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from synth.synthesizers.errors import SynthesizerError
from synth.synthesizers.estimator import accepting_deep, check_deep, init_param_names, set_params
from synth.synthesizers.inventory import ArtifactItem, absent_items, held_items
from synth.synthesizers.params import MIN_CATEGORY_ROWS, Param

if TYPE_CHECKING:
    from synth.synthesizers.base import Synthesizer


class DeclaredParams:
    """What every synthesizer declares about itself, and its parameters.

    Class attributes:
        name: registry key.
        label: name shown to users.
        description: one or two sentences on what the model does and when to use it.
        params: the declared parameter space (widgets are generated from it).
        main_params: the names of the parameters an analyst is expected to set (the rest are shown as advanced);
            None: all of them.
        guarantee: a formal privacy guarantee in plain words, or None when the model gives none.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    params: ClassVar[tuple[Param, ...]] = ()
    main_params: ClassVar[tuple[str, ...] | None] = None
    guarantee: ClassVar[str | None] = None

    #: Rejection sampling for conditions draws at least this many candidate rows before giving up (and up
    #: to ten per requested row when more rows are asked for).
    max_condition_draws: ClassVar[int] = 200_000

    @classmethod
    def _complete_declaration(cls) -> None:
        """Called for every subclass of :class:`~synth.synthesizers.base.Synthesizer` (by its
        ``__init_subclass__``; not for the base itself, whose ``params`` stay empty)."""
        if "get_params" in cls.__dict__:  # an override written as get_params(self) still takes deep=
            cls.get_params = accepting_deep(cls.__dict__["get_params"])  # type: ignore[method-assign]
        if cls.guarantee is None and all(p.name != MIN_CATEGORY_ROWS.name for p in cls.params):
            cls.params = (*cls.params, MIN_CATEGORY_ROWS)

    @classmethod
    def split_params(cls) -> tuple[tuple[Param, ...], tuple[Param, ...]]:
        """(main, advanced): the declared parameters an analyst is expected to set, and the rest, in declared
        order (pages show the second group folded)."""
        if cls.main_params is None:
            return cls.params, ()
        main = tuple(p for p in cls.params if p.name in cls.main_params)
        return main, tuple(p for p in cls.params if p.name not in cls.main_params)

    @classmethod
    def changed_params(cls, params: Mapping[str, Any]) -> dict[str, Any]:
        """The declared parameters in ``params`` whose value differs from their default, in declared order
        (``random_state`` and names the model does not declare are left out): what a list of fitted models
        shows, where every setting printed ran past the page with nothing to tell two models apart."""
        return {p.name: params[p.name] for p in cls.params if p.name in params and params[p.name] != p.default}

    def __init__(self, *, random_state: int | None = 0, **params: Any) -> None:
        declared = {p.name: p for p in self.params}
        unknown = set(params) - set(declared)
        if unknown:
            raise TypeError(f"{type(self).__name__} got unknown parameters: {', '.join(sorted(unknown))}")
        self.random_state = random_state
        for p in self.params:
            setattr(self, p.name, params.get(p.name, p.default))

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> None:
        """Raise :class:`SynthesizerError` if any parameter is unknown or out of its declared range."""
        declared = {p.name: p for p in cls.params}
        for key, value in params.items():
            if key == "random_state":
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0
                ):
                    raise SynthesizerError(f"random_state must be a whole number ≥ 0 or None, got {value!r}")
                continue
            if key not in declared:
                raise SynthesizerError(
                    f"{cls.label} has no parameter {key!r}; it takes {', '.join(declared) or 'none'}"
                )
            declared[key].check(value)

    def artifact_inventory(self) -> tuple[ArtifactItem, ...]:
        """What this model's file holds that came from the real data (see :mod:`synth.synthesizers.inventory`):
        the items every file holds, then the synthesizer's own ``artifacts``; once fitted, only those its fit
        filled, with its generated columns named (:func:`~synth.synthesizers.inventory.held_items`)."""
        return held_items(self)

    def absent_artifacts(self) -> tuple[str, ...]:
        """The names of the items this class may hold that this fit left empty (none before fitting)."""
        return absent_items(self)

    def get_params(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """``get_params(deep=True)``: the constructor's arguments as set (scikit-learn's protocol,
        :mod:`synth.synthesizers.estimator`): ``random_state``, the declared parameters, and any keyword a
        subclass's ``__init__`` adds. ``deep`` changes nothing (no parameter holds an estimator); any other
        argument is a TypeError. (Typed loosely so overrides written as ``get_params(self)`` still type-check.)"""
        check_deep(args, kwargs)
        declared = {"random_state": self.random_state, **{p.name: getattr(self, p.name) for p in self.params}}
        return {**declared, **{k: getattr(self, k) for k in init_param_names(type(self)) if k not in declared}}

    def set_params(self, **params: Any) -> Synthesizer:
        """Set parameters by name (checked as a fit checks them) and return ``self``; never fits. A fitted
        synthesizer whose settings change forgets its fit (see :mod:`synth.synthesizers.estimator`)."""
        return set_params(self, params)  # type: ignore[arg-type]  # a DeclaredParams is always a Synthesizer

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"
