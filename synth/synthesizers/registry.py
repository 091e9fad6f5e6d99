"""Name → synthesizer class. A new synthesizer is one module plus ``@register``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from synth.synthesizers.base import Synthesizer

_REGISTRY: dict[str, type[Synthesizer]] = {}

S = TypeVar("S", bound="type[Synthesizer]")


_EXPERIMENTAL: set[str] = set()


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


def available(include_experimental: bool = False) -> list[str]:
    """Names of the offered synthesizers, in registration order (experimental ones only when asked)."""
    return [n for n in _REGISTRY if include_experimental or n not in _EXPERIMENTAL]


def get(name: str) -> type[Synthesizer]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no synthesizer named {name!r}; available: {', '.join(_REGISTRY)}") from None


def create(name: str, **params: Any) -> Synthesizer:
    """Create an unfitted synthesizer by name, with parameters checked against its declared spec."""
    cls = get(name)
    cls.check_params(params)
    return cls(**params)
