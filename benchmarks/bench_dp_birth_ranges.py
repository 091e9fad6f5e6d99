"""How much of the real dates of birth the DP network's released range covers, on the walks' clinic and HR tables
(:mod:`benchmarks.walk_tables`), for a share of a date's domain ε spent on its range (session 24).

Per table, ``--fits`` fits at ε (default 1; fresh noise each fit, as a user gets), each sampled with as many rows as
the table (seed = fit number). Printed: the real years, the fits whose released ``date_of_birth`` range holds at
least 95% of the real rows, the mean share of real rows inside the released range, the mean 5-year histogram accuracy
(1 − TVD over 1920–2030 in 5-year bins) and the first released ranges::

    PYTHONPATH=<tree> .venv/bin/python benchmarks/bench_dp_birth_ranges.py [--share 0.333] [--year-grid 0.25]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import synth
from benchmarks import walk_tables
from synth.schema.conformance import parse_datetimes
from synth.synthesizers.dp import encoding, ranges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--share", type=float, default=encoding.DATE_RANGE_SHARE, help="a date's range share")
    parser.add_argument("--year-grid", type=float, default=ranges.YEAR_GRID_SHARE, help="YEAR_GRID_SHARE")
    parser.add_argument("--fits", type=int, default=20)
    parser.add_argument("--epsilon", type=float, default=1.0)
    args = parser.parse_args()
    encoding.DATE_RANGE_SHARE = args.share
    ranges.YEAR_GRID_SHARE = args.year_grid
    start = time.perf_counter()
    for name in ("clinic", "hr"):
        real = getattr(walk_tables, name)()
        schema = synth.infer_schema(real)
        fmt = schema["date_of_birth"].datetime_format
        born = parse_datetimes(real["date_of_birth"], fmt)
        covered, shown, accuracy = [], [], []
        for k in range(args.fits):
            model = synth.create("privbayes", epsilon=args.epsilon, random_state=0).fit(real, schema)
            dom = next(d for d in model.domain_ if d.name == "date_of_birth")
            ok = dom.low is not None and dom.low < dom.high
            covered.append(float(born.between(dom.low, dom.high).mean()) if ok else 0.0)
            shown.append(f"{dom.low:%Y}-{dom.high:%Y}" if ok else "none")
            drawn = parse_datetimes(model.sample(len(real), seed=k)["date_of_birth"], fmt)
            bins = np.arange(1920, 2031, 5)
            a, _ = np.histogram(born.dt.year.dropna(), bins)
            b, _ = np.histogram(drawn.dt.year.dropna(), bins)
            accuracy.append(1 - 0.5 * np.abs(a / a.sum() - b / max(b.sum(), 1)).sum())
        cov = np.asarray(covered)
        print(
            f"{name}: share {args.share:.3f}, year grid {args.year_grid}, real {born.min():%Y}-{born.max():%Y}: "
            f"range holds >= 95% of rows in {int((cov >= 0.95).sum())}/{args.fits} fits, mean {cov.mean():.3f}, "
            f"5-year accuracy {np.mean(accuracy):.3f}; ranges {', '.join(shown[:6])}",
            flush=True,
        )
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
