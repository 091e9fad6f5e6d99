"""What an evaluation computes from the real tables alone, computed once and shared by every synthetic table.

A race scores several synthetic tables against the same (train, holdout, schema). Much of each evaluation does
not look at the synthetic table at all: the coerced real tables and the classifier encoder fitted on train, the
TRTR models (train on real, test on real), the real-vs-real references of detection and of the discriminator,
the holdout's neighbours in train. A :class:`RealReference` holds those for one (train, holdout, schema); every
:class:`~synth.evaluation.context.EvaluationContext` built with ``reference=`` reads and stores them there
(:meth:`EvaluationContext.real_once`), so a race of N runs computes each of them once instead of N times.

``computed`` counts how often each real-only result was built; the tests use it to prove the sharing (e.g. one
TRTR fit per race).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

from synth.evaluation.once import build_once
from synth.schema import Schema, infer_schema

T = TypeVar("T")


class RealReference:
    """The real tables of a race and everything computed from them alone, built lazily and once.

    Args:
        train: the real training table every synthesizer fitted on.
        holdout: real rows none of them saw, or None.
        schema: column kinds; inferred once from ``train`` when omitted.
        seed: seed of the evaluations that share this reference (a context with another seed gets its own
            real-only results: they depend on the seed).
    """

    def __init__(
        self, train: pd.DataFrame, holdout: pd.DataFrame | None = None, schema: Schema | None = None, *, seed: int = 0
    ) -> None:
        self.train = train
        self.holdout = holdout if holdout is not None and len(holdout) else None
        self.schema = schema if schema is not None else infer_schema(train)
        self.seed = seed
        self.computed: Counter[str] = Counter()
        self._cache: dict[str, Any] = {}
        self._lock = threading.RLock()  # guards _cache and _locks; each result has its own lock (see once)
        self._locks: dict[str, threading.RLock] = {}

    def covers(self, train: pd.DataFrame, holdout: pd.DataFrame | None, schema: Schema | None) -> bool:
        """True when an evaluation of these tables may share this reference (the very same objects)."""
        same_holdout = (holdout is None or len(holdout) == 0) if self.holdout is None else holdout is self.holdout
        return train is self.train and same_holdout and (schema is None or schema == self.schema)

    def once(self, name: str, build: Callable[[], T]) -> T:
        """The real-only result ``name``, built on first use (thread-safe) and shared afterwards.

        ``name`` must spell out everything the result depends on besides (train, holdout, schema, seed). Each
        name has a lock of its own: two threads asking for the same result build it once (the second waits), while
        different results build at the same time (a page's background scores run side by side).
        """

        def record(key: str, value: T) -> None:
            self.computed[key.split(":", 1)[0]] += 1
            self._cache[key] = value

        return build_once(self._lock, self._locks, self._cache, name, build, record)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"], state["_locks"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._locks = {}
