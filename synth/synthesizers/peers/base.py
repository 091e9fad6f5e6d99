"""What every peer synthesizer (another library's model behind our contract) shares.

A peer is a :class:`~synth.synthesizers.base.Synthesizer` like ours: the base validates input, hides rare
categories, regenerates identifiers and PII, conditions by rejection and conforms the output. The peer adds:

* a lazy import of its library (:func:`import_peer`): the library is imported when a model is fitted, never
  when ``synth`` is imported, and a missing library or an untested version is a :class:`PeerError` naming the
  pip extra that installs a tested one;
* a :class:`PeerCodec` that hands the library a plain table (columns renamed ``col0``, ``col1``...; categories
  as opaque tokens; datetimes as whole days or seconds) and turns its output back into our columns, inside the
  training range;
* seeding: ``random_state`` becomes one integer seed for the library's fit and one per sample, and the global
  generators the libraries use (``random``, numpy's legacy one, torch's) are restored afterwards, so fitting a
  peer never changes another model's randomness;
* errors: whatever the library raises while fitting or sampling (a bad table, running out of memory) becomes a
  :class:`PeerError` that names the model; a cancel (:class:`synth.Cancelled`) passes through untouched;
* saving: peers cannot be saved. Their libraries write models with pickle, which a synth model file never
  holds (loading must never run code from a file), and their state holds real values (see ``artifacts``).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import os
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from synth.progress import Cancelled, ProgressCallback
from synth.schema import ColumnKind, Schema
from synth.schema.dates import DAY_NS
from synth.synthesizers.base import Synthesizer
from synth.synthesizers.errors import SynthesizerError
from synth.synthesizers.inventory import ArtifactItem
from synth.synthesizers.marginals import sorted_values

_SECOND_NS = 10**9
#: Seeds handed to a library are drawn below this (torch and numpy's legacy seeding take 32-bit seeds).
_SEED_BOUND = 2**31 - 1


class PeerError(SynthesizerError):
    """A peer synthesizer's library is missing, of an untested version, or failed; the message says what to do."""


def version_tuple(version: str) -> tuple[int, ...]:
    """The leading release numbers of a version string ("1.17.4.dev0" → (1, 17, 4)); () if there are none."""
    match = re.match(r"\d+(?:\.\d+)*", version.strip())
    return tuple(int(p) for p in match.group(0).split(".")) if match else ()


def import_peer(
    module: str, *, distribution: str, extra: str, label: str, supported: tuple[str, str]
) -> tuple[ModuleType, str]:
    """Import a peer's library and check its version.

    Args:
        module: the import name (``"sdv.single_table"``).
        distribution: the pip name whose version is checked (``"sdv"``).
        extra: our pip extra that installs a tested version.
        label: the synthesizer's name as users see it.
        supported: ``(lowest, first unsupported)`` versions.

    Returns:
        The module and the installed version.

    Raises:
        PeerError: the library is not installed, fails to import, or its version is outside ``supported``.
    """
    install = f'pip install -e ".[{extra}]"'
    try:
        imported = importlib.import_module(module)
    except Exception as exc:  # a broken install raises anything while importing
        missing = getattr(exc, "name", None)
        if isinstance(exc, ImportError) and (missing is None or module == missing or module.startswith(f"{missing}.")):
            raise PeerError(f"{label} needs {distribution}, which is not installed ({exc}): {install}") from exc
        raise PeerError(
            f"{label} could not import {distribution}: it or a library it needs is broken or of a mismatched "
            f"version ({type(exc).__name__}: {exc}); reinstall with {install}"
        ) from exc
    version = getattr(sys.modules.get(distribution.replace("-", ".")), "__version__", None)
    if not isinstance(version, str):
        try:
            version = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            version = str(getattr(imported, "__version__", "unknown"))
    low, high = supported
    have = version_tuple(version)
    if not have or not (version_tuple(low) <= have < version_tuple(high)):
        raise PeerError(
            f"{label} is tested with {distribution} {low} up to (not including) {high}, but {version} is "
            f"installed: {install} installs a tested version"
        )
    return imported, version


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Seed the global generators peer libraries draw from, and put them back as they were afterwards."""
    py_state = random.getstate()
    np_state = np.random.get_state()  # noqa: NPY002
    env_seed = os.environ.get("MOSTLYAI_ENGINE_SEED")
    torch = sys.modules.get("torch")
    with contextlib.ExitStack() as stack:
        if torch is not None:
            stack.enter_context(torch.random.fork_rng(devices=[]))
            torch.manual_seed(seed)
        random.seed(seed)
        np.random.seed(seed)  # noqa: NPY002 - the libraries use the legacy global generator
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)  # noqa: NPY002
            if env_seed is None:
                os.environ.pop("MOSTLYAI_ENGINE_SEED", None)
            else:
                os.environ["MOSTLYAI_ENGINE_SEED"] = env_seed


def failure(label: str, step: str, exc: BaseException, extra: str) -> PeerError:
    """The error for a library that failed while fitting or sampling, with what to try."""
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, MemoryError) or "out of memory" in str(exc).lower():
        return PeerError(
            f"{label} ran out of memory while {step} ({text}); try fewer training rows or epochs, or another "
            "synthesizer. Nothing else was changed."
        )
    return PeerError(
        f"{label} failed while {step} ({text}). This is an error inside the {extra} library on this table; "
        "other synthesizers are not affected."
    )


@dataclass(frozen=True)
class PeerColumn:
    """How one modelled column is handed to a peer library and read back.

    Attributes:
        name: our column name (the library sees ``col<i>``).
        kind: its kind.
        labels: categorical and boolean columns: the values, sorted; the library sees ``v<i>`` for ``labels[i]``.
        unit_ns: datetimes: the library sees whole multiples of this many nanoseconds (a day or a second
            when every value is one) as numbers.
        low / high: numeric and datetime columns: the training range (in units for datetimes); output is
            clipped to it.
    """

    name: str
    kind: ColumnKind
    labels: tuple[Any, ...] = ()
    unit_ns: int = 1
    low: float = float("nan")
    high: float = float("nan")

    @property
    def is_label(self) -> bool:
        return self.kind not in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME)


@dataclass(frozen=True)
class PeerCodec:
    """Our modelled columns ↔ the plain table a peer library learns."""

    columns: tuple[PeerColumn, ...]

    @staticmethod
    def key(i: int) -> str:
        return f"col{i}"

    @classmethod
    def fit(cls, data: pd.DataFrame, schema: Schema) -> PeerCodec:
        specs = []
        for spec in schema:
            series = data[spec.name]
            if spec.kind is ColumnKind.DATETIME:
                ns = _datetime_ns(series)
                present = ns[~np.isnan(ns)]
                whole = present.astype(np.int64) if len(present) else np.zeros(0, np.int64)
                unit = DAY_NS if np.all(whole % DAY_NS == 0) else _SECOND_NS if np.all(whole % _SECOND_NS == 0) else 1
                values = whole // unit
                low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 0.0)
                specs.append(PeerColumn(spec.name, spec.kind, unit_ns=unit, low=low, high=high))
            elif spec.kind in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE):
                numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
                present = numbers[~np.isnan(numbers)]
                low, high = (float(present.min()), float(present.max())) if len(present) else (0.0, 0.0)
                specs.append(PeerColumn(spec.name, spec.kind, low=low, high=high))
            else:
                labels = tuple(sorted_values(pd.unique(series.dropna())))
                specs.append(PeerColumn(spec.name, spec.kind, labels=labels))
        return cls(tuple(specs))

    def encode(self, data: pd.DataFrame) -> pd.DataFrame:
        """The table the library learns: numbers as floats (NaN missing), categories as tokens (None missing)."""
        out: dict[str, Any] = {}
        for i, col in enumerate(self.columns):
            series = data[col.name]
            if col.kind is ColumnKind.DATETIME:
                ns = _datetime_ns(series)
                out[self.key(i)] = np.where(np.isnan(ns), np.nan, np.floor_divide(np.nan_to_num(ns), col.unit_ns))
            elif col.is_label:
                codes = {label: f"v{j}" for j, label in enumerate(col.labels)}
                out[self.key(i)] = pd.Series(
                    [None if _missing(v) else codes[v] for v in series], index=series.index, dtype=object
                )
            else:
                out[self.key(i)] = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        return pd.DataFrame(out, index=data.index).reset_index(drop=True)

    def decode(self, raw: pd.DataFrame, n: int) -> pd.DataFrame:
        """Our columns from the library's output: labels back, numbers clipped to the training range."""
        if len(raw) < n:
            raise PeerError(f"the peer library returned {len(raw)} rows where {n} were asked for")
        raw = raw.iloc[:n].reset_index(drop=True)
        out: dict[str, Any] = {}
        for i, col in enumerate(self.columns):
            values = raw[self.key(i)]
            if col.is_label:
                lookup = {f"v{j}": label for j, label in enumerate(col.labels)}
                out[col.name] = pd.Series([lookup.get(v) for v in values], dtype=object)  # unknown → missing
                continue
            numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            numbers = np.where(np.isnan(numbers), np.nan, np.clip(numbers, col.low, col.high))
            if col.kind is ColumnKind.DATETIME:
                units = np.round(numbers)
                ns = np.where(np.isnan(units), 0, units).astype(np.int64) * col.unit_ns
                stamps = ns.astype("datetime64[ns]")
                stamps[np.isnan(units)] = np.datetime64("NaT")
                out[col.name] = stamps
            else:
                out[col.name] = numbers
        return pd.DataFrame(out, index=pd.RangeIndex(n))


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def _datetime_ns(series: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(series, errors="coerce")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    ns = stamps.astype("datetime64[ns]").astype("int64").to_numpy().astype(float)
    ns[stamps.isna().to_numpy()] = np.nan
    return ns


#: What the fitted object of every peer holds in memory (peers are never saved, see ``cannot_save``).
PEER_CODEC_ITEM = ArtifactItem(
    "Column codec (in memory only)",
    "per modelled column, the category labels seen and the exact smallest and largest training value",
    "values",
    "Used to translate the library's output back and clip it to the training range. Never written to a file: "
    "peer models cannot be saved.",
)


class PeerSynthesizer(Synthesizer):
    """Base of the synthesizers that wrap another library.

    Class attributes (besides the :class:`Synthesizer` ones):
        extra: our pip extra that installs the library.
        module: what :func:`import_peer` imports; ``distribution``: its pip name (for the version check).
        supported: ``(lowest, first unsupported)`` tested versions.
        cannot_save: why a fitted model cannot be saved (shown instead of a download).
    """

    extra: ClassVar[str]
    module: ClassVar[str]
    distribution: ClassVar[str]
    supported: ClassVar[tuple[str, str]]
    cannot_save: ClassVar[str]

    @classmethod
    def import_library(cls) -> tuple[ModuleType, str]:
        return import_peer(
            cls.module, distribution=cls.distribution, extra=cls.extra, label=cls.label, supported=cls.supported
        )

    # ------------------------------------------------------------ contract
    def _fit(self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback) -> None:
        library, version = self.import_library()
        codec = PeerCodec.fit(data, schema)
        if not codec.columns:  # every column is generated or constant: nothing for the library to learn
            self.peer_model_: Any = None
            self.codec_, self.library_version_ = codec, version
            return
        progress(0.0, f"handing the table to {self.distribution} {version}")
        frame = codec.encode(data)
        seed = int(rng.integers(_SEED_BOUND))
        self.library_version_ = version  # read by adapters whose calls differ between versions
        try:
            with seeded(seed):
                model = self._fit_library(library, frame, codec, seed, progress)
        except (Cancelled, PeerError):
            raise
        except Exception as exc:  # MemoryError is an Exception too
            raise failure(self.label, "fitting", exc, self.extra) from exc
        self.peer_model_ = model
        self.codec_ = codec
        progress(1.0, f"{self.label} fitted")

    def _sample(self, n: int, rng: np.random.Generator, progress: ProgressCallback) -> pd.DataFrame:
        if not self.codec_.columns:
            return pd.DataFrame(index=pd.RangeIndex(n))
        seed = int(rng.integers(_SEED_BOUND))
        try:
            with seeded(seed):
                raw = self._sample_library(n, seed, progress)
        except (Cancelled, PeerError):
            raise
        except Exception as exc:
            raise failure(self.label, "sampling", exc, self.extra) from exc
        return self.codec_.decode(raw, n)

    def save(self, path: str | Path) -> None:
        """Refused: see ``cannot_save``. Nothing is written."""
        raise PeerError(f"{self.label} cannot be saved: {self.cannot_save}")

    # ------------------------------------------------------ for subclasses
    def _fit_library(
        self, library: ModuleType, frame: pd.DataFrame, codec: PeerCodec, seed: int, progress: ProgressCallback
    ) -> Any:
        """Fit the library on ``frame`` (columns ``col<i>``) and return its fitted object."""
        raise NotImplementedError

    def _sample_library(self, n: int, seed: int, progress: ProgressCallback) -> pd.DataFrame:
        """Draw ``n`` rows (columns ``col<i>``) from ``self.peer_model_``, seeded with ``seed``."""
        raise NotImplementedError
