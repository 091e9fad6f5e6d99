"""Saving fitted synthesizers to a file that loading can never execute code from.

A model file is a zip archive with two members:

* ``manifest.json``: the format version, the synthesizer's registered name, its parameters and its learned
  state as plain JSON, in which every numpy array is replaced by a reference into
* ``arrays.npz``: the arrays, read back with ``np.load(..., allow_pickle=False)``, so object arrays (which
  need pickle) cannot be smuggled in.

Learned state may hold JSON scalars, strings, lists, tuples, dicts, sets, numpy arrays and scalars,
timestamps, :class:`~synth.schema.ColumnKind` values, and frozen dataclasses of an explicit allow-list
(:func:`register_state_type`). Loading builds only those; an unknown tag or type name is an error, never an
import. A model file holds what the model learned from the training data (category labels, and for CART the
training values it draws from), so treat it as carefully as the data itself.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth.generated import GeneratedColumns, _Plan
from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.synthesizers.marginals import CategoricalMarginal, ColumnMarginal, Marginals, NumericMarginal

FORMAT = "synth-model"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ARRAYS = "arrays.npz"
#: A manifest larger than this is refused rather than parsed.
MAX_MANIFEST_BYTES = 256 * 1024 * 1024

_TYPES: dict[str, type] = {}


class ModelFileError(ValueError):
    """A file is not a synth model file, or one this version cannot read."""


def _type_key(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def register_state_type(*classes: type) -> None:
    """Allow frozen dataclasses in saved model state; loading builds only registered types."""
    for cls in classes:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} is not a dataclass")
        _TYPES[_type_key(cls)] = cls


register_state_type(
    Schema,
    ColumnSpec,
    GeneratedColumns,
    _Plan,
    Marginals,
    ColumnMarginal,
    NumericMarginal,
    CategoricalMarginal,
)


class Encoder:
    """Turns learned state into JSON-compatible values, collecting numpy arrays on the side."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def encode(self, value: Any) -> Any:
        if isinstance(value, ColumnKind):  # before str: a ColumnKind is a str too
            return {"$": "kind", "v": value.value}
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
        if isinstance(value, np.ndarray):
            return self._array(value)
        if isinstance(value, np.generic):
            return self._scalar(value)
        if value is pd.NaT:
            return {"$": "nat"}
        if value is pd.NA:
            return {"$": "na"}
        if isinstance(value, pd.Timestamp):
            return {"$": "ts", "v": value.isoformat(), "tz": None if value.tz is None else str(value.tz)}
        if isinstance(value, tuple):
            return {"$": "tuple", "v": [self.encode(v) for v in value]}
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, frozenset | set):
            tag = "frozenset" if isinstance(value, frozenset) else "set"
            return {"$": tag, "v": [self.encode(v) for v in value]}
        if isinstance(value, dict):
            return {"$": "dict", "v": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            key = _type_key(type(value))
            if key not in _TYPES:
                raise TypeError(f"cannot save a {type(value).__name__}: it is not a registered state type")
            fields = {f.name: self.encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
            return {"$": "dc", "type": key, "v": fields}
        raise TypeError(f"cannot save a value of type {type(value).__name__}")

    def _array(self, value: np.ndarray) -> Any:
        if value.dtype.hasobject:
            if value.ndim != 1:
                raise TypeError("cannot save an object array with more than one dimension")
            return {"$": "objarray", "v": [self.encode(v) for v in value.tolist()]}
        key = f"a{len(self.arrays)}"
        self.arrays[key] = value
        return {"$": "array", "key": key}

    def _scalar(self, value: np.generic) -> Any:
        if isinstance(value, np.datetime64 | np.timedelta64):
            return {"$": "np", "dtype": value.dtype.str, "v": int(value.view("int64"))}
        if value.dtype.hasobject:
            raise TypeError("cannot save a numpy object scalar")
        return {"$": "np", "dtype": value.dtype.str, "v": self.encode(value.item())}


class Decoder:
    """Rebuilds learned state from :class:`Encoder` output; builds only allow-listed types."""

    def __init__(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.arrays = arrays

    def decode(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | str | int | float):
            return value
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict) or "$" not in value:
            raise ModelFileError("the model file holds a value this version cannot read")
        tag = value["$"]
        inner: Any = value.get("v")
        if tag == "kind":
            return ColumnKind(inner)
        if tag == "float":
            if inner not in ("nan", "inf", "-inf"):
                raise ModelFileError(f"bad number in the model file: {inner!r}")
            return float(inner)
        if tag == "array":
            key = str(value.get("key"))
            if key not in self.arrays:
                raise ModelFileError(f"the model file lacks the array {key!r}")
            return self.arrays[key]
        if tag == "objarray":
            out = np.empty(len(inner), dtype=object)
            out[:] = [self.decode(v) for v in inner]
            return out
        if tag == "np":
            dtype = np.dtype(value["dtype"])
            if dtype.hasobject:
                raise ModelFileError("object scalars are not allowed in a model file")
            if dtype.kind in "mM":
                return np.array(int(inner), dtype="int64").view(dtype)[()]
            return dtype.type(self.decode(inner))
        if tag == "nat":
            return pd.NaT
        if tag == "na":
            return pd.NA
        if tag == "ts":
            ts = pd.Timestamp(inner)
            tz = value.get("tz")
            return ts.tz_convert(tz) if tz is not None and ts.tz is not None else ts
        if tag == "tuple":
            return tuple(self.decode(v) for v in inner)
        if tag == "frozenset":
            return frozenset(self.decode(v) for v in inner)
        if tag == "set":
            return {self.decode(v) for v in inner}
        if tag == "dict":
            return {self.decode(k): self.decode(v) for k, v in inner}
        if tag == "dc":
            cls = _TYPES.get(value.get("type", ""))
            if cls is None:
                raise ModelFileError(f"the model file names an unknown type {value.get('type')!r}")
            return cls(**{k: self.decode(v) for k, v in inner.items()})
        raise ModelFileError(f"the model file holds an unknown tag {tag!r}")


def encode_dtype(dtype: Any) -> Any:
    """A JSON description of a pandas/numpy dtype."""
    if isinstance(dtype, pd.CategoricalDtype):
        return {"category": [_plain(c) for c in dtype.categories.tolist()], "ordered": bool(dtype.ordered)}
    return str(dtype)


def decode_dtype(desc: Any) -> Any:
    if isinstance(desc, dict):
        return pd.CategoricalDtype(desc["category"], ordered=bool(desc["ordered"]))
    if not isinstance(desc, str):
        raise ModelFileError("bad dtype in the model file")
    try:
        return pd.api.types.pandas_dtype(desc)
    except TypeError as exc:
        raise ModelFileError(f"the model file names an unknown dtype {desc!r}") from exc


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def write_archive(path: str | Path, manifest: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``manifest`` and ``arrays`` to ``path`` (a zip), replacing it only once fully written."""
    target = Path(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as npz:  # the .npz layout, written with pickling switched off
        for key, array in arrays.items():
            with npz.open(f"{key}.npy", "w") as member:
                np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
    text = json.dumps(manifest, allow_nan=False, separators=(",", ":"))
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, text)
        zf.writestr(ARRAYS, buffer.getvalue())
    tmp.replace(target)


def read_archive(path: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read a model file's manifest and arrays, checking its format; never unpickles."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if MANIFEST not in names or ARRAYS not in names:
                raise ModelFileError(f"{path} is not a synth model file (no {MANIFEST} or {ARRAYS} inside)")
            if zf.getinfo(MANIFEST).file_size > MAX_MANIFEST_BYTES:
                raise ModelFileError(f"{path} has an implausibly large manifest")
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
            with np.load(io.BytesIO(zf.read(ARRAYS)), allow_pickle=False) as npz:
                arrays = {key: npz[key] for key in npz.files}
    except zipfile.BadZipFile as exc:
        raise ModelFileError(f"{path} is not a synth model file (not a zip archive)") from exc
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelFileError(f"{path} has an unreadable manifest: {exc}") from exc
    except ValueError as exc:  # np.load refuses object arrays without pickle
        raise ModelFileError(f"{path} holds arrays that cannot be read safely: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a synth model file")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} was written by a newer version of synth (format {version}); this one reads up to {FORMAT_VERSION}"
        )
    return manifest, arrays
