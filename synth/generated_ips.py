"""Generated IP addresses as varied as the real ones, in the real column's kinds of range, never a real address.

Why
    Fakes came from the three IPv4 documentation ranges alone (RFC 5737: 762 addresses), so the hr walk's 2,400
    synthetic logins held 721 distinct addresses where the real ones held 2,397, and every one read ``192.0.2.x``
    where the real column held private office addresses (``10.…``, ``172.16-31.…``, ``192.168.…``). Counts of
    distinct addresses, a join on them or a check "is this an internal address?" all answered otherwise than on
    the real table.

What a fit keeps (:func:`ip_ranges`)
    The share of IPv6 addresses; for IPv4, the share of each kind of range the real addresses lie in (the three
    private ranges of RFC 1918, and "public" for every other address) that about
    :data:`~synth.generated_layouts.MIN_LAYOUT_ROWS` rows hold, and in each some blocks of addresses (aligned
    blocks of 256, 64 or 16, whichever holds the most) that *no* real address of any IP column lies in, chosen at
    random among the unused ones and never all of them once there are more than
    :data:`~synth.generated_shapes.MAX_SUFFIXES` (:func:`synth.generated_shapes.kept_endings`, as for a key's
    unused endings); and how many distinct addresses the rows hold. Public addresses are real hosts: their rows get
    blocks of the ranges no host has, the documentation ranges and the benchmarking range (RFC 2544,
    198.18.0.0/15). The file holds block numbers that no real address is in, and shares.

At sample (:func:`fake_ips_in`)
    Each row draws a kind of range by share and an address of one of its kept blocks, distinct ones while the blocks
    hold them (as many distinct addresses as the real share gives for the rows drawn; a repeated address, one
    office's gateway, repeats); IPv6 rows get random addresses in the documentation prefix 2001:db8::/32 (RFC 3849).
    Every IPv4 address lies in a block no real address is in, so none is real.
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_layouts import MIN_LAYOUT_ROWS, SHARE_STEP
from synth.generated_shapes import UNIQUE_SHARE, kept_endings, repeat_pool, repeated_count

#: Kinds of IPv4 range and the networks each covers; "public" rows are drawn in ranges no real host has.
RANGES: dict[str, tuple[str, ...]] = {
    "10/8": ("10.0.0.0/8",),
    "172.16/12": ("172.16.0.0/12",),
    "192.168/16": ("192.168.0.0/16",),
    "public": ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15"),
}
#: Sizes of the blocks a fit may keep, the largest first (a tie keeps the larger block).
BLOCK_SIZES = (256, 64, 16)
#: The prefix IPv6 fakes are drawn in (RFC 3849: documentation only).
IPV6_PREFIX = "2001:db8:"


def _networks(kind: str) -> list[tuple[int, int]]:
    """(first address, size) of each network of a kind of range."""
    return [(int(net.network_address), net.num_addresses) for net in map(ipaddress.IPv4Network, RANGES[kind])]


def _parse(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each value as an IPv4 number (-1 when it is not IPv4), and whether it is IPv6. Dotted quads are read at
    once (a million in a second, where :mod:`ipaddress` took eight); the rest one by one."""
    text = pd.Series(text.to_numpy(dtype=object), dtype=object).astype(str).str.strip()
    quad = text.str.fullmatch(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}").to_numpy(dtype=bool)
    numbers = _octets(text[quad].tolist())
    valid = (numbers <= 255).all(axis=1)
    v4 = np.full(len(text), -1, dtype=np.int64)
    v4[np.flatnonzero(quad)[valid]] = numbers[valid] @ np.array([2**24, 2**16, 2**8, 1], dtype=np.int64)
    v6 = np.zeros(len(text), dtype=bool)
    for i in np.flatnonzero(~quad & text.str.contains(":", regex=False).to_numpy()):
        try:
            v6[i] = ipaddress.ip_address(text.iloc[i]).version == 6
        except ValueError:
            continue
    return v4, v6


def _octets(quads: list[str]) -> np.ndarray:
    """The four numbers of dotted quads (each ``\\d{1,3}`` four times, dots between), as an ``(n, 4)`` array: read
    off their code points column by column (``str.split`` on a million took two seconds)."""
    out = np.zeros((len(quads), 4), dtype=np.int64)
    if not quads:
        return out
    codes = np.array(quads, dtype="<U15").view(np.uint32).reshape(len(quads), 15).astype(np.int64)
    place = np.zeros(len(quads), dtype=np.int64)
    rows = np.arange(len(quads))
    for column in codes.T:
        digit = (column >= 48) & (column <= 57)
        out[rows[digit], place[digit]] = out[rows[digit], place[digit]] * 10 + column[digit] - 48
        place += column == 46
    return out


def _kind_of(v4: np.ndarray) -> np.ndarray:
    """The kind of range (a key of :data:`RANGES`) of each IPv4 number; "public" for every other address."""
    out = np.full(len(v4), "public", dtype=object)
    for kind in ("10/8", "172.16/12", "192.168/16"):
        for first, size in _networks(kind):
            out[(v4 >= first) & (v4 < first + size)] = kind
    return out


def ip_ranges(present: pd.Series, others: pd.Series | None = None) -> dict[str, Any] | None:
    """What generation keeps of an IP column (see the module docstring), or None when no value is an address.
    ``others``: real values of other IP columns, whose blocks are taken too."""
    text = present.dropna().astype(str)
    v4, v6 = _parse(text)
    found = int((v4 >= 0).sum() + v6.sum())
    if found == 0:
        return None
    taken = v4[v4 >= 0]
    if others is not None:
        other_v4, _ = _parse(others.dropna().astype(str))
        taken = np.concatenate([taken, other_v4[other_v4 >= 0]])
    taken = np.sort(pd.unique(taken))  # once: each block size reads its used blocks off it in one pass
    kinds = _kind_of(v4)
    rng = np.random.default_rng(0)
    blocks: list[list[Any]] = []
    for kind in RANGES:
        rows = int(((v4 >= 0) & (kinds == kind)).sum())
        if rows < MIN_LAYOUT_ROWS:
            continue  # its rows are drawn among the other kinds
        distinct = len(pd.unique(v4[kinds == kind]))
        needed = rows if distinct >= UNIQUE_SHARE * rows else distinct
        best: tuple[int, int, list[int]] | None = None
        for size in BLOCK_SIZES:
            free = _free_blocks(kind, size, taken)
            kept = kept_endings(len(free), needed, size)
            if kept and (best is None or kept * size > best[0]):
                best = (kept * size, size, sorted(rng.choice(free, size=kept, replace=False).tolist()))
        if best is not None:
            blocks.append([rows / found, kind, best[1], best[2]])
    v6_share = float(v6.sum() / found) if v6.sum() >= MIN_LAYOUT_ROWS else 0.0  # else drawn as IPv4
    total = sum(b[0] for b in blocks) + v6_share
    if total <= 0:
        return None
    for block in blocks:
        block[0] = _step(block[0] / total)
    out: dict[str, Any] = {"blocks": [b for b in blocks if b[0] > 0], "v6": _step(v6_share / total)}
    distinct_all = int(text.nunique())
    if distinct_all < UNIQUE_SHARE * len(text):  # an address repeated across rows (an office's gateway)
        out["distinct"], out["rows"] = distinct_all, len(text)
    return out if out["blocks"] or out["v6"] > 0 else None


def _step(share: float) -> float:
    return float(round(share / SHARE_STEP) * SHARE_STEP)


def _free_blocks(kind: str, size: int, taken: np.ndarray) -> np.ndarray:
    """Numbers (address // ``size``) of the blocks of a kind of range that no ``taken`` address (sorted, distinct)
    lies in, leaving out each network's first and last block (its network and broadcast addresses)."""
    out = []
    blocks = taken // size
    used = blocks[np.r_[True, blocks[1:] != blocks[:-1]]] if len(blocks) else blocks
    for first, span in _networks(kind):
        numbers = np.arange(first // size + 1, (first + span) // size - 1, dtype=np.int64)
        out.append(numbers[~np.isin(numbers, used)])
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def stored_ip_ranges(stored: Any) -> tuple[np.ndarray, list[tuple[int, np.ndarray]], int | None, int] | None:
    """Probabilities (each kept kind of range, then IPv6), each kind's block size and blocks, and the real
    distinct and row counts, from a plan's ``ip_ranges``; None when they are not as :func:`ip_ranges` writes them
    (a model file is input: every block must lie inside the networks of its kind, so no crafted file makes fakes
    of real public addresses)."""
    if not isinstance(stored, dict) or not isinstance(stored.get("blocks"), list):
        return None
    shares: list[float] = []
    kinds: list[tuple[int, np.ndarray]] = []
    for entry in stored["blocks"]:
        if not (isinstance(entry, list) and len(entry) == 4 and entry[1] in RANGES and entry[2] in BLOCK_SIZES):
            return None
        share, kind, size, numbers = entry
        if not _share_ok(share) or not isinstance(numbers, list) or not numbers:
            return None
        if not all(isinstance(b, int) and not isinstance(b, bool) for b in numbers):
            return None
        array = np.array(numbers, dtype=np.int64)
        inside = np.zeros(len(array), dtype=bool)
        for first, span in _networks(kind):
            inside |= (array * size >= first) & ((array + 1) * size <= first + span)
        if not inside.all():
            return None
        shares.append(float(share))
        kinds.append((int(size), array))
    v6 = stored.get("v6", 0.0)
    if not _share_ok(v6):
        return None
    weights = np.array([*shares, float(v6)], dtype=np.float64)
    if weights.sum() <= 0:
        return None
    distinct, rows = stored.get("distinct"), stored.get("rows")
    if distinct is None:
        return weights / weights.sum(), kinds, None, 0
    if not (isinstance(distinct, int) and isinstance(rows, int)) or isinstance(distinct, bool) or distinct <= 0:
        return None
    if isinstance(rows, bool) or rows <= 0:
        return None
    return weights / weights.sum(), kinds, distinct, rows


def _share_ok(share: Any) -> bool:
    return isinstance(share, int | float) and not isinstance(share, bool) and math.isfinite(share) and 0 <= share <= 1


def fake_ips_in(stored: Any, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` addresses in the kept blocks and the real IPv6 share, as distinct as the real column (see the module
    docstring); raises ValueError when ``stored`` is not valid (:func:`stored_ip_ranges`)."""
    checked = stored_ip_ranges(stored)
    if checked is None:
        raise ValueError("not IP ranges")
    probs, kinds, distinct, rows = checked
    k = n if distinct is None else repeated_count(distinct, rows, n)
    which = rng.choice(len(probs), size=k, p=probs)
    pool = np.empty(k, dtype=object)
    for j, (size, numbers) in enumerate(kinds):
        at = np.flatnonzero(which == j)
        if len(at):
            pool[at] = _dotted(_addresses(size, numbers, len(at), rng))
    at = np.flatnonzero(which == len(kinds))
    if len(at):
        groups = rng.integers(0, 0x10000, (len(at), 6))
        pool[at] = [IPV6_PREFIX + ":".join(f"{g:x}" for g in row) for row in groups]
    return pool if k == n else repeat_pool(pool, n, rng)


def _addresses(size: int, numbers: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` addresses of the blocks ``numbers`` of ``size``: distinct while the blocks hold them."""
    capacity = len(numbers) * size
    index = rng.choice(capacity, size=min(k, capacity), replace=False)
    if k > capacity:
        index = np.concatenate([index, rng.integers(0, capacity, k - capacity)])
    return numbers[index // size] * size + index % size


def _dotted(numbers: np.ndarray) -> np.ndarray:
    """IPv4 numbers written as dotted quads."""
    octets = [pd.Series((numbers >> shift) & 255).astype(str) for shift in (24, 16, 8, 0)]
    return (octets[0] + "." + octets[1] + "." + octets[2] + "." + octets[3]).to_numpy(dtype=object)
