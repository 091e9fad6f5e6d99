"""The fuzz corpus: small valid files of every format, and the mutations an attacker (or a bad disk) makes.

Mutations are described by plain tuples drawn by hypothesis (so failures shrink and replay) and applied by
:func:`mutate`: generic byte damage (truncation, bit flips, interesting bytes, repeated or deleted spans) and
format-aware damage (a zip member's content mutated and re-zipped, declared sizes made giant, a zip bomb
member added, a spreadsheet cell moved to the far corner, JSON nested thousands deep, a model array's value
or declared shape replaced).
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import struct
import zipfile
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st

KINDS = {"csv": "table", "tsv": "table", "xlsx": "table", "parquet": "table", "json": "table", "jsonl": "table"}
#: Every synthesizer of the default install (a test checks none is missing: the default, Pruned CART, was).
MODEL_NAMES = ("cart", "pruned_cart", "privbayes", "gaussian_copula", "independent")
INTERESTING = (b"\x00", b"\xff", b"\x7f", b"\x80", b"9999999999", b"-1", b'"', b",", b"\n", b"[", b"{", b"NaN")


def _table(seed: int = 0, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "city": rng.choice(["Oslo", "Lima", "Pune", "Kyiv"], n),
            "income": rng.normal(40_000, 8_000, n).round(2),
            "joined": (pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")).astype(str),
            "flag": rng.choice(["yes", "no"], n),
        }
    )


@functools.cache
def seeds() -> dict[str, bytes]:
    """One valid file per format (and one model file per synthesizer), built once per process."""
    df = _table()
    out: dict[str, bytes] = {
        "csv": df.to_csv(index=False).encode(),
        "tsv": df.to_csv(index=False, sep="\t").encode(),
        "json": df.to_json(orient="records").encode(),
        "jsonl": df.to_json(orient="records", lines=True).encode(),
    }
    buffer = io.BytesIO()
    df.to_excel(buffer, index=False)
    out["xlsx"] = buffer.getvalue()
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), buffer)
    out["parquet"] = buffer.getvalue()
    return out


@functools.cache
def model_seeds() -> dict[str, bytes]:
    import tempfile
    from pathlib import Path

    import synth

    df = _table(1, 300)
    # A stay recorded to the minute with its whole days: the models' rounded elapsed rule is in every file too.
    rng = np.random.default_rng(2)
    admitted = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**5, 300), unit="min"))
    discharged = admitted + pd.to_timedelta(rng.integers(10, 6 * 1440, 300), unit="min")
    df["admitted"], df["discharged"] = admitted.dt.strftime("%Y-%m-%d %H:%M"), discharged.dt.strftime("%Y-%m-%d %H:%M")
    df["stay_days"] = (discharged - admitted).dt.days
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in MODEL_NAMES:
            params: dict[str, Any] = {"min_samples_leaf": 5} if name == "cart" else {}
            path = Path(tmp) / f"{name}.synth"
            synth.create(name, random_state=0, **params).fit(df).save(path)
            out[name] = path.read_bytes()
    return out


# ---------------------------------------------------------------------------------------------- mutations
GENERIC = ("truncate", "flip", "interesting", "delete", "repeat")
ZIP_OPS = ("member", "giant_size", "bomb")
op_strategy = st.tuples(
    st.sampled_from(GENERIC + ZIP_OPS + ("deep", "far_cell", "model_value", "model_shape")),
    st.integers(0, 2**31 - 1),
    st.integers(0, 2**31 - 1),
    st.integers(1, 64),
)


def case_strategy(formats: tuple[str, ...]) -> st.SearchStrategy[tuple[str, list[tuple[str, int, int, int]]]]:
    return st.tuples(st.sampled_from(formats), st.lists(op_strategy, min_size=1, max_size=3))


def build(fmt: str, ops: list[tuple[str, int, int, int]]) -> tuple[str, str, bytes]:
    """(kind, name, bytes) of the seed of ``fmt`` after the mutations ``ops``."""
    if fmt in MODEL_NAMES:
        data, kind, name = model_seeds()[fmt], "model", f"{fmt}.synth"
    else:
        data, kind, name = seeds()[fmt], "table", f"case.{fmt}"
    for op in ops:
        data = mutate(data, op, fmt)
    return kind, name, data


def mutate(data: bytes, op: tuple[str, int, int, int], fmt: str) -> bytes:
    name, a, b, k = op
    if not data and name != "deep":
        return data
    n = max(len(data), 1)
    is_zip = data[:4] == b"PK\x03\x04"
    if name == "truncate":
        return data[: a % n]
    if name == "flip":
        out = bytearray(data)
        rng = np.random.default_rng(a)
        for pos in rng.integers(0, n, size=min(k, 16)):
            if pos < len(out):
                out[pos] ^= 1 << int(rng.integers(0, 8))
        return bytes(out)
    if name == "interesting":
        pos = a % n
        value = INTERESTING[b % len(INTERESTING)]
        return data[:pos] + value + data[pos + len(value) :]
    if name == "delete":
        pos = a % n
        return data[:pos] + data[pos + k * (b % 64 + 1) :]
    if name == "repeat":
        pos = a % n
        span = data[pos : pos + k]
        return data[:pos] + span * (b % 2000 + 2) + data[pos:]
    if name == "deep":
        depth = 100 + b % 200_000
        if fmt in ("json", "jsonl"):
            return b'[{"a": ' + b"[" * depth + b"]" * depth + b"}]"
        if is_zip and fmt in MODEL_NAMES:
            return _edit_member(
                data,
                "manifest.json",
                lambda m: m.replace(b'"params":', b'"x":' + b"[" * depth + b"]" * depth + b',"params":', 1),
            )
        return b"[" * depth + data
    if is_zip and name == "member":
        return _mutate_member(data, a, b, k, fmt)
    if is_zip and name == "giant_size":
        return _giant_declared_size(data, a)
    if is_zip and name == "bomb":
        return _add_bomb(data, a, fmt)
    if is_zip and name == "far_cell" and fmt == "xlsx":
        return _far_cell(data, a, b)
    if is_zip and fmt in MODEL_NAMES and name in ("model_value", "model_shape"):
        return _model_array(data, name, a, b)
    if fmt == "parquet":  # most damage to a Parquet file that matters is in its footer
        pos = max(n - 1 - (a % min(n, 2048)), 0)
        out = bytearray(data)
        out[pos] ^= 1 << (b % 8)
        return bytes(out)
    return data


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info.filename)) for info in zf.infolist()]


def _zip(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        for name, content in members:
            zf.writestr(name, content)
    return out.getvalue()


def _edit_member(data: bytes, member: str, edit: Any) -> bytes:
    try:
        members = _members(data)
    except Exception:  # damaged by an earlier mutation: leave it as it is
        return data
    return _zip([(i.filename, edit(c) if i.filename == member else c) for i, c in members])


def _mutate_member(data: bytes, a: int, b: int, k: int, fmt: str) -> bytes:
    try:
        members = _members(data)
    except Exception:  # damaged by an earlier mutation: leave it as it is
        return data
    index = a % len(members)
    info, content = members[index]
    if info.filename.endswith(".npz"):  # a model's arrays: damage one array file inside
        try:
            inner = _members(content)
        except Exception:  # damaged by an earlier mutation
            inner = []
        j = b % max(len(inner), 1)
        inner_list = [(i.filename, c) for i, c in inner]
        if inner_list:
            name, blob = inner_list[j]
            inner_list[j] = (name, mutate(blob, ("flip", a, b, k), "npy"))
        content = _zip(inner_list, zipfile.ZIP_STORED)
    else:
        op = GENERIC[b % len(GENERIC)]
        content = mutate(content, (op, a // 7, b // 5, k), "member")
    return _zip([(i.filename, content if n == index else c) for n, (i, c) in enumerate(members)])


def _giant_declared_size(data: bytes, a: int) -> bytes:
    """Patch the uncompressed size in one central-directory entry to 4 GB - 1 (a lie about a member's size)."""
    out = bytearray(data)
    starts = [i for i in range(len(out) - 4) if out[i : i + 4] == b"PK\x01\x02"]
    if not starts:
        return data
    pos = starts[a % len(starts)] + 24
    if pos + 4 <= len(out):
        out[pos : pos + 4] = struct.pack("<I", 0xFFFFFFFF - (a % 1000))
    return bytes(out)


def _add_bomb(data: bytes, a: int, fmt: str) -> bytes:
    """Replace a member with megabytes of deflated zeros (a few KB compressed)."""
    size = (4 + a % 60) * 1024 * 1024
    try:
        members = _members(data)
    except Exception:  # damaged by an earlier mutation: leave it as it is
        return data
    if fmt in MODEL_NAMES:
        target, bomb = "arrays.npz", _npz_bomb(size)
    else:
        target, bomb = members[a % len(members)][0].filename, _space_bomb(size)
    return _zip_precompressed(members, target, bomb)


@functools.cache
def _npz_bomb(size: int) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.zeros(size, dtype=np.uint8))
    return _zip([("a0.npy", buffer.getvalue())])


@functools.cache
def _space_bomb(size: int) -> bytes:
    """``size`` spaces, deflated once per size (compressing megabytes per case would dominate the run)."""
    return _zip([("x", b" " * size)])


def _zip_precompressed(members: list[tuple[zipfile.ZipInfo, bytes]], target: str, bomb_zip: bytes) -> bytes:
    """The archive with ``target``'s content replaced by the (already deflated) single member of ``bomb_zip``."""
    with zipfile.ZipFile(io.BytesIO(bomb_zip)) as source:
        info = source.infolist()[0]
        raw = source.fp
        assert raw is not None
        raw.seek(info.header_offset + 26)
        name_len, extra_len = struct.unpack("<HH", raw.read(4))
        raw.seek(info.header_offset + 30 + name_len + extra_len)
        compressed = raw.read(info.compress_size)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for member, content in members:
            if member.filename != target:
                zf.writestr(member.filename, content)
                continue
            entry = zipfile.ZipInfo(target)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.file_size, entry.CRC, entry.compress_size = info.file_size, info.CRC, len(compressed)
            # Write the header and the already-deflated bytes as they are (zipfile has no public call for it).
            zf.fp.write(entry.FileHeader())  # type: ignore[union-attr]
            entry.header_offset = zf.fp.tell() - len(entry.FileHeader())  # type: ignore[union-attr]
            zf.fp.write(compressed)  # type: ignore[union-attr]
            zf.filelist.append(entry)
            zf.NameToInfo[target] = entry
            zf.start_dir = zf.fp.tell()  # type: ignore[union-attr]
    return out.getvalue()


def _far_cell(data: bytes, a: int, b: int) -> bytes:
    col = ["XFD", "ZZ", "AAA", "B"][a % 4]
    row = [1_048_576, 50_000, 2_000_000, 10**12][b % 4]
    cell = f'<row r="{row}"><c r="{col}{row}" t="n"><v>1</v></c></row>'.encode()
    dim = f'<dimension ref="A1:{col}{row}"'.encode()

    def edit(x: bytes) -> bytes:
        x = x.replace(b"</sheetData>", cell + b"</sheetData>", 1)
        start = x.find(b"<dimension ref=")
        if start >= 0:
            end = x.find(b'"', x.find(b'"', start) + 1)
            x = x[:start] + dim + x[end + 1 :]
        return x

    return _edit_member(data, "xl/worksheets/sheet1.xml", edit)


def _model_array(data: bytes, op: str, a: int, b: int) -> bytes:
    """Replace one value of one array (by an extreme one) or one array's declared shape (by a giant one)."""
    try:
        members = dict((i.filename, c) for i, c in _members(data))
        with np.load(io.BytesIO(members["arrays.npz"]), allow_pickle=False) as npz:
            arrays = {key: npz[key].copy() for key in npz.files}
    except Exception:
        return data
    keys = sorted(arrays)
    if not keys:
        return data
    key = keys[a % len(keys)]
    arr = arrays[key]
    blobs = {}
    for name, value in arrays.items():
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, value)
        blobs[f"{name}.npy"] = buffer.getvalue()
    if op == "model_value" and arr.size and arr.dtype.kind in "biuf":
        extremes = [10**12, -(10**12), -1, 0, 2**31, np.nan, np.inf, -np.inf, 1e308]
        value = extremes[b % len(extremes)]
        flat = arr.reshape(-1).copy()
        with np.errstate(all="ignore"):  # out-of-range values wrap, as a bit-level edit would
            flat[b % flat.size] = np.asarray(value, dtype=np.float64).astype(arr.dtype)
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, flat.reshape(arr.shape))
        blobs[f"{key}.npy"] = buffer.getvalue()
    elif op == "model_shape":
        header = {
            "descr": np.lib.format.dtype_to_descr(arr.dtype),
            "fortran_order": False,
            "shape": (10 ** (3 + b % 16), *arr.shape[1:]),
        }
        buffer = io.BytesIO()
        np.lib.format.write_array_header_1_0(buffer, header)
        blobs[f"{key}.npy"] = buffer.getvalue() + arr.tobytes()
    members["arrays.npz"] = _zip(list(blobs.items()), zipfile.ZIP_STORED)
    return _zip(list(members.items()))


def gzip_of(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def manifest_of(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return dict(json.loads(zf.read("manifest.json")))
