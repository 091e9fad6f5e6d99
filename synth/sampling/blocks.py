"""Rows in canonical blocks: the unit that makes streamed output independent of chunk size and workers.

A table of ``N`` rows is cut into blocks of :data:`BLOCK_ROWS` rows (the last one shorter). Block ``b`` is one
ordinary :meth:`Synthesizer.sample` call seeded by ``SeedSequence(seed, spawn_key=(b,))``, so row ``i`` always
comes from the same draw, whichever chunk, file or worker asks for it. Chunks, row groups and partitions are
only ways of slicing that sequence; a block that straddles two of them is drawn twice and sliced, never
re-seeded.

Identifier columns are replaced per block by values unique over the whole table
(:meth:`GeneratedColumns.block_identifiers`), and repeated keys by draws from one pool for the whole table
(:mod:`synth.sampling.repeated`), so a streamed table holds as many distinct customers as one sample of its
size. Conditions and rebalancing apply inside every block; rebalanced shares are therefore exact within each
block (largest-remainder rounding per block, under one row per value per block of difference from the shares
asked for).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth.schema.conformance import _values_like
from synth.synthesizers.base import Rebalance, Synthesizer, SynthesizerError
from synth.synthesizers.condition_checks import normalise_conditions
from synth.synthesizers.people import ages_among, hold_people

#: Rows per canonical block. Part of the output's definition: changing it changes every table drawn.
BLOCK_ROWS = 65_536


@dataclass(frozen=True)
class SampleSpec:
    """What to draw: enough, with the model, to reproduce every row.

    Attributes:
        n_rows: rows in the whole table.
        seed: the run seed.
        conditions: the synthesizer's ``conditions=`` mapping, applied in every block.
        rebalance: the synthesizer's ``rebalance=`` mapping, applied in every block.
        block_rows: rows per canonical block; part of the output's definition (the default everywhere is
            :data:`BLOCK_ROWS`; tests use small blocks to stay fast).
    """

    n_rows: int
    seed: int = 0
    conditions: Mapping[str, Any] | None = None
    rebalance: Rebalance | None = field(default=None)
    block_rows: int = BLOCK_ROWS

    def __post_init__(self) -> None:
        if isinstance(self.n_rows, bool) or not isinstance(self.n_rows, int | np.integer) or self.n_rows < 1:
            raise SynthesizerError(f"the number of rows must be a whole number of at least 1, got {self.n_rows!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer) or self.seed < 0:
            raise SynthesizerError(f"the seed must be a whole number ≥ 0, got {self.seed!r}")
        if isinstance(self.block_rows, bool) or not isinstance(self.block_rows, int) or self.block_rows < 1:
            raise SynthesizerError(f"the block size must be a whole number ≥ 1, got {self.block_rows!r}")

    @property
    def n_blocks(self) -> int:
        return -(-int(self.n_rows) // self.block_rows)


def block_seed(seed: int, block: int) -> int:
    """The 128-bit seed of block ``block`` of a run seeded ``seed`` (a child of the run's SeedSequence)."""
    state = np.random.SeedSequence(int(seed), spawn_key=(int(block),)).generate_state(4, dtype=np.uint32)
    return int.from_bytes(state.tobytes(), "little")


def identifier_key(seed: int) -> int:
    """The key of the identifier permutations: one per run, shared by every block (the root of the run's seeds); each
    key column's own derives from it and the column's name (:func:`synth.sampling.identifiers.column_key`)."""
    return int(np.random.SeedSequence(int(seed)).generate_state(1, dtype=np.uint64)[0])


def draw_block(model: Synthesizer, spec: SampleSpec, block: int) -> pd.DataFrame:
    """Block ``block`` of the table: rows ``[block · block_rows, …)`` with a fresh RangeIndex."""
    first = block * spec.block_rows
    size = min(spec.block_rows, int(spec.n_rows) - first)
    if block < 0 or size < 1:
        raise SynthesizerError(f"block {block} is outside a table of {spec.n_rows:,} rows")
    df = model.sample(
        size,
        seed=block_seed(spec.seed, block),
        conditions=spec.conditions or None,
        rebalance=spec.rebalance or None,
    )
    key = identifier_key(spec.seed)
    ids = model.generated_.block_identifiers(first, size, int(spec.n_rows), key, df)
    for name, values in ids.items():
        keys = pd.Series(values, index=df.index)
        df[name] = keys.where(df[name].notna()).astype(df[name].dtype)  # the block's missing keys stay missing
    # Repeated keys replace the block's own draw (its pool was the block's, not the table's), missing values too.
    # A person column's people are the block's own, so that each person's rows are drawn, and held, in one block.
    people = getattr(model, "people_", None)
    local = (people.entity,) if people is not None and not people.distinct else ()
    repeated = model.generated_.block_repeated(first, size, int(spec.n_rows), key, local)
    for name, values in repeated.items():
        reference = model.reference_
        dtype = reference[name].dtype if reference is not None and name in reference.columns else df[name].dtype
        df[name] = _values_like(pd.Series(values, index=df.index), dtype)  # the real column's dtype, as conform
    if people is not None and not people.distinct and people.entity in repeated:
        # The ids are now the table's, not the block's own: rows of one of them share person-level values again.
        # Every row of an id is in this block (synth.sampling.repeated.local_members; unless the table has fewer
        # people than blocks). The rows' keys stay at their positions; the rows move to them. A repeated id needs
        # no draw.
        conditioned = ages_among(people, normalise_conditions(spec.conditions))
        keep = _rebalanced(spec.rebalance) + conditioned
        df = hold_people(df, people, np.random.default_rng(0), keep, {*ids, *repeated}, model.schema_)
    return df


def _rebalanced(rebalance: Rebalance | None) -> tuple[str, ...]:
    """The columns a rebalancing names (a joint one names a tuple of them)."""
    names: list[str] = []
    for key in rebalance or {}:
        names.extend(key if isinstance(key, tuple) else (key,))
    return tuple(names)


def iter_rows(model: Synthesizer, spec: SampleSpec, start: int = 0, stop: int | None = None) -> Iterator[pd.DataFrame]:
    """Rows ``[start, stop)`` of the table, in order, one frame per block they touch (sliced at the ends)."""
    stop = int(spec.n_rows) if stop is None else min(int(stop), int(spec.n_rows))
    if start < 0 or start >= stop:
        return
    for block in range(start // spec.block_rows, (stop - 1) // spec.block_rows + 1):
        first = block * spec.block_rows
        df = draw_block(model, spec, block)
        lo, hi = max(start - first, 0), min(stop - first, len(df))
        yield df if (lo, hi) == (0, len(df)) else df.iloc[lo:hi].reset_index(drop=True)
