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

The bytes depend only on the model (no time stamps, sets in one canonical order), so saving the
same model twice gives the same file; files written before that (with time stamps) load as before.

A model file is also untrusted input: :func:`read_archive` bounds the manifest (``MAX_MANIFEST_BYTES``,
``MAX_JSON_DEPTH``) and checks every array's header (allowed dtypes, declared shape against
``MAX_ARRAY_BYTES``) before reading its data; :func:`synth.load_model` then has each synthesizer check its state
(``_check_state``, see :mod:`synth.synthesizers.state_checks`) before anything compiled reads it.
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
from synth.schema import ColumnKind, ColumnSpec, NumberFormat, Schema
from synth.synthesizers.marginals import CategoricalMarginal, ColumnMarginal, Marginals, NumericMarginal

FORMAT = "synth-model"
FORMAT_VERSION = 1
#: The first format version: no synth ever wrote a file below it, so a lower one (0, -5) is an altered file.
MIN_FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ARRAYS = "arrays.npz"
# Limits on what a model file may make this process allocate. They are module attributes so a caller who
# trusts a larger file can raise them (the error message names the one to raise).
#: A manifest larger than this (uncompressed) is refused rather than parsed.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
#: The arrays together may hold at most this many bytes once loaded.
MAX_ARRAY_BYTES = 1024 * 1024 * 1024
#: At most this many arrays.
MAX_ARRAYS = 100_000
#: The manifest's JSON may nest at most this deep (a saved model nests about 15 levels).
MAX_JSON_DEPTH = 100
#: A model archive has two members; a few more are tolerated, thousands are not.
MAX_ARCHIVE_MEMBERS = 16
_NPZ_OVERHEAD = 16 * 1024 * 1024  # zip and .npy headers around the array bytes
_MAX_NPY_HEADER = 10_000
_MAX_ITEMSIZE = 1024 * 1024
_ARRAY_KINDS = "biufcmMUS"  # numbers, booleans, datetimes, fixed-width text: never objects or raw bytes

#: Every member's time stamp: the earliest a zip can hold, so saving the same model twice gives the same bytes.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

_TYPES: dict[str, type] = {}


class ModelFileError(ValueError):
    """A file is not a synth model file, or one this version cannot read."""


class ModelLimitError(ModelFileError):
    """A model file exceeds a size limit; ``limit`` names the module attribute to raise if the file is trusted.

    Attributes:
        limit: the limit's name (e.g. ``"MAX_ARRAY_BYTES"``).
        value: the size found (at the point the limit was exceeded).
        maximum: the limit's value.
    """

    def __init__(self, message: str, *, limit: str = "", value: int = 0, maximum: int = 0) -> None:
        super().__init__(message)
        self.limit = limit
        self.value = value
        self.maximum = maximum

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self),), self.__dict__)


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
    NumberFormat,
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
            # float(): a numpy float is a float too, and numpy 2 writes its repr as 'np.float64(inf)', which no
            # loader reads (a column of inf and missing values, learned as a constant, saved a file load refused).
            return value if math.isfinite(value) else {"$": "float", "v": repr(float(value))}
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
            # A set's iteration order depends on insertion history and, for strings, on the process's hash seed:
            # written in a canonical order, equal sets give equal bytes. (Loading builds a set, so order is free.)
            items = sorted((self.encode(v) for v in value), key=lambda item: json.dumps(item, sort_keys=True))
            return {"$": tag, "v": items}
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


#: Files saved before the encoder wrote ``repr(float(x))`` hold a numpy float's repr for a non-finite value.
_OLD_FLOATS = {f"np.float{bits}({text})": text for bits in (16, 32, 64) for text in ("nan", "inf", "-inf")}


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
            inner = _OLD_FLOATS.get(inner, inner) if isinstance(inner, str) else inner
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
            if dtype.kind not in _ARRAY_KINDS or dtype.fields is not None or dtype.itemsize > _MAX_ITEMSIZE:
                raise ModelFileError(f"a scalar of dtype {dtype} is not allowed in a model file")
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
            with npz.open(_member(f"{key}.npy", zipfile.ZIP_STORED), "w") as member:
                np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
    # Keys stay in the order the code writes them (fixed: dict literals, dataclass fields; data dicts are lists of
    # pairs, whose order is state), which tests that craft a manifest read.
    text = json.dumps(manifest, allow_nan=False, separators=(",", ":"))
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        zf.writestr(_member(MANIFEST, zipfile.ZIP_DEFLATED), text)
        zf.writestr(_member(ARRAYS, zipfile.ZIP_DEFLATED), buffer.getvalue())
    tmp.replace(target)


def _member(name: str, compression: int) -> zipfile.ZipInfo:
    """A zip member header that depends only on ``name``: the same model gives the same bytes.

    ``ZipFile.writestr`` with a bare name stamps the wall-clock time (and ``ZipInfo`` the host's system), so
    two saves of one model differed; the zip epoch, Unix and ``rw-------`` are fixed instead.
    """
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.compress_type = compression
    info.create_system = 3  # Unix, whichever system writes the file
    info.external_attr = 0o600 << 16
    return info


def read_archive(path: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read a model file's manifest and arrays, checking its format; never unpickles.

    Nothing is trusted before it is bounded: the manifest is read up to :data:`MAX_MANIFEST_BYTES` and its
    nesting up to :data:`MAX_JSON_DEPTH`; each array's header (dtype, shape) is read and checked against the
    allowed kinds and :data:`MAX_ARRAY_BYTES` before its data is read, so a small compressed file cannot
    expand into gigabytes.

    Raises:
        ModelLimitError: the file exceeds one of the limits (the message names it and how to raise it).
        ModelFileError: the file is not a readable synth model file.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ARCHIVE_MEMBERS:
                raise ModelFileError(f"{path} is not a synth model file ({len(infos)} members in the archive)")
            names = {info.filename for info in infos}
            if MANIFEST not in names or ARRAYS not in names:
                raise ModelFileError(f"{path} is not a synth model file (no {MANIFEST} or {ARRAYS} inside)")
            text = _read_member(zf, MANIFEST, MAX_MANIFEST_BYTES, "MAX_MANIFEST_BYTES", path)
            manifest = json.loads(text.decode("utf-8"))
            del text
            check_depth(manifest, path)
            npz = _read_member(zf, ARRAYS, MAX_ARRAY_BYTES + _NPZ_OVERHEAD, "MAX_ARRAY_BYTES", path)
        arrays = _read_npz(npz, path)
    except ModelFileError:
        raise
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelFileError(f"{path} has an unreadable manifest: {exc}") from exc
    except MemoryError as exc:
        raise ModelLimitError(
            f"{path} needs more memory than this process has to load.", limit="memory", value=0, maximum=0
        ) from exc
    except Exception as exc:  # zipfile, zlib, lzma, struct errors on a damaged archive: it is data, not ours
        detail = " ".join(str(exc).split())[:100] or type(exc).__name__
        raise ModelFileError(
            f"{path} is not a synth model file or is damaged: its archive cannot be read ({detail})"
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a synth model file")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < MIN_FORMAT_VERSION:
        raise ModelFileError(
            f"{path} declares format version {version!r}, which no version of synth writes (versions are whole "
            f"numbers from {MIN_FORMAT_VERSION}): the file was altered or is not a synth model file. Save the model "
            "again from its fit."
        )
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} was written by a newer version of synth (format {version}); this one reads up to "
            f"{FORMAT_VERSION}: upgrade synth to load it, or save the model again with this version"
        )
    return manifest, arrays


def _limit_error(path: Any, what: str, value: int, limit_name: str) -> ModelLimitError:
    maximum = int(globals()[limit_name])
    return ModelLimitError(
        f"{path}: {what} ({value:,}) is over the limit of {maximum:,}. If you trust this file, raise "
        f"synth.synthesizers.persist.{limit_name} before loading it.",
        limit=limit_name,
        value=value,
        maximum=maximum,
    )


def _read_member(zf: zipfile.ZipFile, name: str, limit: int, limit_name: str, path: Any) -> bytes:
    """A member's bytes, reading at most ``limit`` + 1 of them whatever its header declares."""
    with zf.open(name) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise _limit_error(path, f"{name} uncompressed is over {limit:,} bytes", len(data), limit_name)
    return data


def _read_npz(npz: bytes, path: Any) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz``, each header checked (kind, shape, total bytes) before its data is read."""
    arrays: dict[str, np.ndarray] = {}
    total = 0
    with zipfile.ZipFile(io.BytesIO(npz)) as inner:
        infos = inner.infolist()
        if len(infos) > MAX_ARRAYS:
            raise _limit_error(path, "the number of arrays", len(infos), "MAX_ARRAYS")
        for info in infos:
            if not info.filename.endswith(".npy"):
                raise ModelFileError(f"{path} holds an unexpected member {info.filename!r} in {ARRAYS}")
            key = info.filename[: -len(".npy")]
            with inner.open(info) as fp:
                version = np.lib.format.read_magic(fp)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp, max_header_size=_MAX_NPY_HEADER)
                elif version in ((2, 0), (3, 0)):
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp, max_header_size=_MAX_NPY_HEADER)
                else:
                    raise ModelFileError(f"{path}: array {key!r} has an unknown .npy version {version}")
                _check_array_dtype(dtype, key, path)
                count = math.prod(int(n) for n in shape)  # Python ints: a giant shape cannot overflow
                nbytes = count * dtype.itemsize
                total += nbytes
                if total > MAX_ARRAY_BYTES:
                    raise _limit_error(
                        path, f"the arrays' total size in bytes (reached at {key!r})", total, "MAX_ARRAY_BYTES"
                    )
                if nbytes > info.file_size:  # the member cannot hold it (zipfile enforces the declared size)
                    raise ModelFileError(f"{path}: array {key!r} declares {nbytes:,} bytes but holds fewer")
                buffer = bytearray(nbytes)
                view = memoryview(buffer)
                done = 0
                while done < nbytes:
                    got = fp.readinto(view[done:])  # type: ignore[attr-defined]
                    if not got:
                        raise ModelFileError(f"{path}: array {key!r} is truncated ({done:,} of {nbytes:,} bytes)")
                    done += got
            arrays[key] = np.frombuffer(buffer, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    return arrays


def _check_array_dtype(dtype: np.dtype, key: str, path: Any) -> None:
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in _ARRAY_KINDS:
        raise ModelFileError(
            f"{path}: array {key!r} has a dtype a model file may not hold ({dtype}): it cannot be read safely"
        )
    if dtype.itemsize == 0 or dtype.itemsize > _MAX_ITEMSIZE:
        raise ModelFileError(f"{path}: array {key!r} has an implausible item size ({dtype.itemsize})")


def check_depth(value: Any, path: Any = "the model file") -> None:
    """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _limit_error(path, "the manifest's nesting depth", depth, "MAX_JSON_DEPTH")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
