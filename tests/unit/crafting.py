"""Crafting model files for the tests that attack the loader: walk a saved manifest, change it, write it back."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def read_model(path: Path) -> tuple[dict[str, Any], bytes]:
    """A saved model's manifest (parsed) and its arrays (raw)."""
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json")), zf.read("arrays.npz")


def unpacked(path: Path) -> bytes:
    """Every member of a model file (a zip holding JSON and a zip of arrays), uncompressed: what a reader sees."""
    out = b""
    with zipfile.ZipFile(path) as outer:
        for member in outer.namelist():
            data = outer.read(member)
            if data[:2] == b"PK":
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    data = b"".join(inner.read(m) for m in inner.namelist())
            out += data
    return out


def write_model(path: Path, manifest: dict[str, Any], arrays: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("arrays.npz", arrays)
    return path


def edit_state(path: Path, out: Path, change: Callable[[dict[str, Any], dict[str, Any]], None]) -> Path:
    """A copy of the model file at ``path``, written to ``out``, after ``change(state, manifest)``: ``state`` maps
    the fitted model's attribute names to their saved values (change them in place), ``manifest`` is the whole
    parsed manifest (to drop or add attributes)."""
    manifest, arrays = read_model(path)
    change(dict(manifest["fitted"]["model"]["v"]), manifest)
    return write_model(out, manifest, arrays)


def each_state(value: Any, type_name: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Call ``change`` on the fields of every saved dataclass of class ``type_name`` in ``value`` (a manifest or
    part of one)."""
    if isinstance(value, dict):
        if value.get("$") == "dc" and str(value.get("type", "")).endswith(f".{type_name}"):
            change(value["v"])
        for v in value.values():
            each_state(v, type_name, change)
    elif isinstance(value, list):
        for v in value:
            each_state(v, type_name, change)


def each_cart_step(value: Any, change: Callable[[dict[str, Any]], None]) -> None:
    """Call ``change`` on the fields of every saved CART step in ``value`` (a manifest or part of one)."""
    each_state(value, "CartStep", change)


def replaced_after(path: Path, out: Path, field: str, old: str, new: str) -> Path:
    """A copy of the model file at ``path`` whose manifest has the first ``old`` after the key ``field``
    replaced by ``new`` (a name swapped inside one learned attribute), written to ``out``."""
    with zipfile.ZipFile(path) as zf:
        text, arrays = zf.read("manifest.json").decode(), zf.read("arrays.npz")
    at = text.index(f'"{field}"')
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("manifest.json", text[:at] + text[at:].replace(old, new, 1))
        zf.writestr("arrays.npz", arrays)
    return out
