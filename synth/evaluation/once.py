"""Build-once memoisation with a lock per name, shared by the evaluation context and the real-only reference."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def build_once(
    guard: threading.RLock,
    locks: dict[str, threading.RLock],
    cache: dict[str, Any],
    name: str,
    build: Callable[[], T],
    record: Callable[[str, T], None],
) -> T:
    """``cache[name]``, built by ``build()`` on first use and handed to ``record`` (under ``guard``) to keep.

    ``guard`` protects ``cache`` and ``locks``; each name gets a lock of its own from ``locks``, so two threads
    asking for the same value build it once (the second waits), while different values build at the same time.
    ``record`` counts the build and stores the value, or declines to (an owner closed meanwhile).
    """
    with guard:
        if name in cache:
            found: T = cache[name]
            return found
        lock = locks.setdefault(name, threading.RLock())
    with lock:
        with guard:
            if name in cache:
                done: T = cache[name]
                return done
        value = build()
        with guard:
            record(name, value)
        return value
