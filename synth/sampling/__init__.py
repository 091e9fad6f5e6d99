"""Sampling at volume: synthetic tables streamed to Parquet / CSV / partitioned datasets in bounded memory.

    from synth.sampling import write_table
    result = write_table(model, "out.parquet", 100_000_000, seed=1)   # any size: memory stays flat

Rows come in canonical blocks (:mod:`synth.sampling.blocks`) seeded from (run seed, block index), so the output
is identical whatever the chunk size, the number of files or the number of workers (see
:mod:`synth.distributed` for the Dask engine).
"""

from synth.sampling.blocks import BLOCK_ROWS, SampleSpec, block_seed, draw_block, iter_rows
from synth.sampling.where import conditions_from_text, parse_rebalance
from synth.sampling.writers import (
    DEFAULT_CHUNK_ROWS,
    DEFAULT_PARTITION_ROWS,
    OutputError,
    WriteResult,
    output_format,
    write_table,
)

__all__ = [
    "BLOCK_ROWS",
    "DEFAULT_CHUNK_ROWS",
    "DEFAULT_PARTITION_ROWS",
    "OutputError",
    "SampleSpec",
    "WriteResult",
    "block_seed",
    "conditions_from_text",
    "draw_block",
    "iter_rows",
    "output_format",
    "parse_rebalance",
    "write_table",
]
