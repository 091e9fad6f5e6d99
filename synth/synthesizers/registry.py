"""Name → synthesizer class. A new synthesizer is one module plus ``@register``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from synth.synthesizers.base import Synthesizer

_REGISTRY: dict[str, type[Synthesizer]] = {}

S = TypeVar("S", bound="type[Synthesizer]")


def register(cls: S) -> S:
    """Class decorator: make a synthesizer available under ``cls.name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"a synthesizer named {cls.name!r} is already registered")
    _REGISTRY[cls.name] = cls
    return cls


def available() -> list[str]:
    """Names of the registered synthesizers, in registration order."""
    return list(_REGISTRY)


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
