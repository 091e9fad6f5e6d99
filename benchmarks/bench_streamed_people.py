"""A person's rows in a table written in blocks: across blocks (before session 38) or within one (now).

The walk's clinic table (:func:`benchmarks.walk_tables.clinic`, 4,000 visits, the person ``patient_id``) is fitted
with CART (seed 0) and streamed to ``--rows`` rows (default 1,000,000) in the default blocks of 65,536 rows
(:func:`synth.sampling.iter_rows`, seed 1) twice: ``before`` with the person column laid out over the whole table as
every other repeated key is (``synth.sampling.repeated.members``), ``after`` with each block's own people
(``local_members``). Printed per side: people, those with two or more rows, the share of those whose rows fall in
more than one block, the share whose rows hold more than one value (mean over the held columns, and the worst
column), and the seconds it took::

    .venv/bin/python -m benchmarks.bench_streamed_people [--rows 1000000] [--out results/streamed_people.json]

(``--out`` defaults to ``benchmarks/results/streamed_people.json``.)
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import walk_tables
from benchmarks.bench_people import varying


@contextmanager
def _laid_over_the_table(on: bool) -> Iterator[None]:
    """The person column laid out over the whole table (as before session 38) while ``on``."""
    from synth.sampling import repeated

    local = repeated.local_members

    def whole(first: int, n: int, total: int, present: int, k: int, key: int, plan: object) -> np.ndarray:
        ends = repeated._ends(plan, int(plan.detail["distinct"]), k, present, key)  # type: ignore[attr-defined]
        return repeated.members(first, n, total, present, k, key, ends)

    if on:
        repeated.local_members = whole  # type: ignore[assignment]
    try:
        yield
    finally:
        repeated.local_members = local


def measure(rows: int) -> list[dict[str, object]]:
    import synth
    from synth.sampling import SampleSpec, iter_rows

    model = synth.create("cart", random_state=0).fit(walk_tables.clinic())
    people = model.people_
    assert people is not None
    out: list[dict[str, object]] = []
    for when in ("before", "after"):
        t0 = time.perf_counter()
        with _laid_over_the_table(when == "before"):
            blocks = [b.assign(_block=i) for i, b in enumerate(iter_rows(model, SampleSpec(rows, 1)))]
        seconds = time.perf_counter() - t0
        table = pd.concat(blocks, ignore_index=True)
        named = table[table[people.entity].notna()]
        sizes = named.groupby(people.entity).size()
        repeated = sizes[sizes > 1].index
        spans = named[named[people.entity].isin(repeated)].groupby(people.entity)["_block"].nunique()
        shares = varying(table, people.entity, list(people.held))
        out.append(
            {
                "when": when,
                "rows": rows,
                "blocks": len(blocks),
                "people": len(sizes),
                "people_2plus": len(repeated),
                "in_several_blocks": round(float((spans > 1).mean()), 4),
                "varying_mean": round(float(np.mean(list(shares.values()))), 4),
                "varying_worst": max(shares.items(), key=lambda kv: kv[1]),
                "seconds": round(seconds, 1),
            }
        )
        print(out[-1], flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/streamed_people.json"))
    args = parser.parse_args()
    rows = measure(args.rows)
    print(pd.DataFrame(rows).to_string(index=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2, default=str))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
