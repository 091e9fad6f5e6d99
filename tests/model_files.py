"""Taking a saved model file apart and putting an altered one back together (attack tests and the fuzzer)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from synth.synthesizers import persist


def read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Manifest and arrays, read with plain numpy (no checks): the attacker's view of a valid file."""
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read(persist.MANIFEST))
        with np.load(io.BytesIO(zf.read(persist.ARRAYS)), allow_pickle=False) as npz:
            arrays = {key: npz[key].copy() for key in npz.files}
    return manifest, arrays


def write(path: Path, manifest: dict[str, Any], arrays: dict[str, np.ndarray]) -> Path:
    persist.write_archive(path, manifest, arrays)
    return path


def write_raw(path: Path, manifest_text: bytes, npz: bytes, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        zf.writestr(persist.MANIFEST, manifest_text)
        zf.writestr(persist.ARRAYS, npz)
    return path


def dataclasses_named(manifest: Any, suffix: str) -> Iterator[dict[str, Any]]:
    """The field dicts of every saved dataclass whose type name ends with ``suffix`` (e.g. ``"FlatTree"``)."""
    stack = [manifest]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("$") == "dc" and str(item.get("type", "")).endswith(suffix):
                yield item["v"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def array_key(fields: dict[str, Any], name: str) -> str:
    ref = fields[name]
    assert ref["$"] == "array", ref
    return str(ref["key"])


def npy_header_only(shape: tuple[int, ...], dtype: str = "<f8") -> bytes:
    """A ``.npy`` whose header declares ``shape`` but which holds no data: a 'giant declared size'."""
    buffer = io.BytesIO()
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def npz_of(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()
