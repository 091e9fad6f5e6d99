"""Name → synthesizer class. A new synthesizer is one module plus ``@register``."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from synth.synthesizers.errors import SynthesizerError

if TYPE_CHECKING:
    from synth.synthesizers.base import Synthesizer

_REGISTRY: dict[str, type[Synthesizer]] = {}

S = TypeVar("S", bound="type[Synthesizer]")


_EXPERIMENTAL: set[str] = set()
# Peer synthesizers (other libraries behind our contract): name → (module that must be importable, pip extra).
_PEERS: dict[str, tuple[str, str]] = {}


def register(cls: S) -> S:
    """Class decorator: make a synthesizer available under ``cls.name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"a synthesizer named {cls.name!r} is already registered")
    _REGISTRY[cls.name] = cls
    return cls


def experimental(cls: S) -> S:
    """Class decorator: creatable by name (``synth.create``) but not offered (:func:`available`, the pages).

    For a synthesizer under evaluation that has not yet passed the privacy suites run over every offered one.
    """
    register(cls)
    _EXPERIMENTAL.add(cls.name)
    return cls


def peer(module: str, extra: str) -> Callable[[S], S]:
    """Class decorator for a synthesizer that wraps another library (``module``, installed by the pip ``extra``).

    It is offered (:func:`available`) only when ``module`` can be found, which is checked without importing it:
    the peer's module imports its library only when a model is fitted, so ``import synth`` stays light.
    """

    def decorate(cls: S) -> S:
        register(cls)
        _PEERS[cls.name] = (module, extra)
        return cls

    return decorate


def installed(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it (only its parent package, if dotted)."""
    if module in sys.modules:
        return True
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a missing parent package; a module object without a spec
        return False


def is_peer(name: str) -> bool:
    """Whether ``name`` wraps another library (registered with :func:`peer`)."""
    return name in _PEERS


def missing_extra(name: str) -> str | None:
    """For a peer synthesizer whose library is not installed: the pip extra that installs it; else None."""
    if name not in _PEERS:
        return None
    module, extra = _PEERS[name]
    return None if installed(module) else extra


def available(include_experimental: bool = False) -> list[str]:
    """Names of the offered synthesizers, in registration order (experimental ones only when asked; peers only
    when their library is installed)."""
    return [
        n
        for n in _REGISTRY
        if (include_experimental or n not in _EXPERIMENTAL) and (n not in _PEERS or missing_extra(n) is None)
    ]


def get(name: str) -> type[Synthesizer]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no synthesizer named {name!r}; available: {', '.join(_REGISTRY)}") from None


def label_of(name: str) -> str:
    """The synthesizer's label as the pages show it ("Pruned CART"), or the name itself when none is registered."""
    return _REGISTRY[name].label if name in _REGISTRY else name


def create(name: str, **params: Any) -> Synthesizer:
    """Create an unfitted synthesizer by name, with parameters checked against its declared spec.

    Raises:
        SynthesizerError: no synthesizer has that name (the message lists the offered ones), its library is not
            installed, or a parameter is out of range.
    """
    if not isinstance(name, str) or name not in _REGISTRY:  # a typo is the user's: the project's error, not KeyError
        raise SynthesizerError(
            f"no synthesizer named {name!r}: choose one of {', '.join(available())} (synth.available() lists them)"
        )
    cls = get(name)
    extra = missing_extra(name)
    if extra is not None:
        raise SynthesizerError(
            f"{cls.label} needs the optional extra {extra!r}, which is not installed: "
            f'pip install -e ".[{extra}]" (or pip install "synth-explorer[{extra}]")'
        )
    cls.check_params(params)
    return cls(**params)
