"""Key columns of one format kept apart, and zip codes kept five digits at any sample size (session 23).

Two parts, no timing (the figures do not depend on the machine):

* ``pairs``: two text key columns of one format whose real values are disjoint (sequential ``ORD-1…`` and
  ``ORD-2…`` numbers, random ``ORD-1…`` order and invoice numbers, two version-4 UUID columns, two columns of
  8-character codes), fitted as identifiers, sampled and streamed (blocks of 997) at 1× and 3× the real rows: how
  many values the two generated columns share, whether each is unique, whether any is real.
* ``zips``: the walk's ``orders.csv`` (``python -m benchmarks.walk_tables DIR``) with ``order_id`` and ``zip`` as
  keys, independent marginals fitted on the 4,000 training rows of ``synth.split(df, holdout=0.2, seed=0)``: the
  model file's size (compressed, and its members uncompressed) and, sampled and streamed at 1×, 3× and 10× the
  training rows, the share of zip codes with five digits.

Usage::

    .venv/bin/python -m benchmarks.bench_key_lanes [--csv orders.csv]
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

import synth
from synth.generated import GeneratedColumns
from synth.schema import ColumnKind, ColumnSpec, Schema

BLOCK = 997
FIVE_DIGITS = r"\d{5}"


def _streamed(generated: GeneratedColumns, n: int) -> dict[str, np.ndarray]:
    blocks = [generated.block_identifiers(a, min(BLOCK, n - a), n, 7) for a in range(0, n, BLOCK)]
    return {c: np.concatenate([b[c] for b in blocks]) for c in blocks[0]}


def pair_tables(n: int = 3_000, seed: int = 23) -> dict[str, pd.DataFrame]:
    """Pairs of disjoint key columns ``a`` and ``b`` of one format, ``n`` rows each."""
    rng = np.random.default_rng(seed)
    numbers = rng.choice(900_000, 2 * n, replace=False) + 100_000
    alphabet = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))
    codes = ["".join(row) for row in alphabet[rng.integers(0, len(alphabet), (2 * n, 8))]]
    ids = [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(2 * n)]
    return {
        "ORD-1…/ORD-2… sequential": pd.DataFrame(
            {"a": [f"ORD-{100_000 + i}" for i in range(n)], "b": [f"ORD-{200_000 + i}" for i in range(n)]}
        ),
        "ORD-1… random": pd.DataFrame({"a": [f"ORD-{v}" for v in numbers[:n]], "b": [f"ORD-{v}" for v in numbers[n:]]}),
        "UUID": pd.DataFrame({"a": ids[:n], "b": ids[n:]}),
        "8-char codes": pd.DataFrame({"a": codes[:n], "b": codes[n:]}),
    }


def pairs() -> None:
    for label, df in pair_tables().items():
        generated = GeneratedColumns.fit(df, Schema(tuple(ColumnSpec(c, ColumnKind.IDENTIFIER) for c in df.columns)))
        real = set(df["a"]) | set(df["b"])
        for times in (1, 3):
            n = times * len(df)
            drawn = {"sampled": generated.sample(n, np.random.default_rng(1)), "streamed": _streamed(generated, n)}
            for how, out in drawn.items():
                a, b = pd.Series(out["a"]), pd.Series(out["b"])
                print(
                    f"{label} {times}x ({how}): {len(set(a) & set(b)):,} of {n:,} values shared, unique "
                    f"{a.is_unique and b.is_unique}, any real {bool((set(a) | set(b)) & real)}, same width "
                    f"{a.str.len().eq(df['a'].str.len().iloc[0]).mean():.0%}, e.g. {a.iloc[0]} / {b.iloc[0]}"
                )


def zips(path: Path) -> None:
    df = synth.read_table(path)
    schema = synth.infer_schema(df)
    for name in ("order_id", "zip"):
        schema = schema.with_column(name, kind=ColumnKind.IDENTIFIER)
    train, _ = synth.split(df, holdout=0.2, seed=0)
    model = synth.create("independent").fit(train, schema)
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "orders.synth"
        model.save(file)
        with zipfile.ZipFile(file) as z:
            unpacked = sum(i.file_size for i in z.infolist())
        print(f"model file: {file.stat().st_size:,} bytes ({unpacked:,} uncompressed)")
    plan = next(p for p in model.generated_.plans if p.name == "zip")
    shaped = plan.detail.get("same_width") or {}
    print(f"zip: {len(shaped.get('suffixes', [])):,} endings kept")
    real = set(train["zip"].astype(str))
    for times in (1, 3, 10):
        n = times * len(train)
        streamed = pd.Series(_streamed(model.generated_, n)["zip"])
        drawn = {"sampled": model.sample(n, seed=1)["zip"], "streamed": streamed}
        for how, out in drawn.items():
            text = out.dropna().astype(str)
            five = text.str.fullmatch(FIVE_DIGITS).mean()
            print(
                f"zip {times}x ({how}, {n:,} rows): {five:.1%} five digits, unique "
                f"{text.is_unique}, any real {bool(set(text) & real)}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, help="the walk's orders.csv (python -m benchmarks.walk_tables DIR)")
    args = parser.parse_args(argv)
    pairs()
    if args.csv:
        zips(args.csv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
