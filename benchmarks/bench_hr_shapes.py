"""Do an HR table's UUIDs and round salaries come back looking like the real ones? (session 22)

The session-22 walk (:func:`benchmarks.walk_tables.hr`) found every synthesizer writing ``employee_uuid`` as
``00000000-0000-0092-5668-7054051b61m3`` (letters beyond f, leading zeros) and salaries recorded to the nearest
100 (``€72,100.00``) as ``€57,732.00``. For each synthesizer this fits the 2,400 training rows of
``synth.split(df, holdout=0.2, seed=0)``, samples 3,000 rows and prints:

* ``uuid``: share of generated ``employee_uuid`` values in the real layout (hex, version 4), distinct first eight
  characters, and how many equal a real one;
* ``salary``: share of synthetic salaries on the real grain (multiples of 100), and the real share (1.0).

    python -m benchmarks.bench_hr_shapes [--csv hr.csv] [--only cart,gaussian_copula] [--out results.json]

``--csv`` reads a written table instead of building it (to measure an older checkout, whose walk_tables may lack
it: ``PYTHONPATH=<old tree> python benchmarks/bench_hr_shapes.py --csv hr.csv``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after PYTHONPATH: an older tree can be measured

import pandas as pd

import synth

UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"
MODELS = ("independent", "gaussian_copula", "privbayes", "cart", "pruned_cart")


def _money(values: pd.Series) -> pd.Series:
    return values.dropna().astype(str).str.replace(r"[€,]", "", regex=True).astype(float)


def measure(df: pd.DataFrame, models: list[str], rows: int = 3_000) -> list[dict[str, object]]:
    train, _ = synth.split(df, holdout=0.2, seed=0)
    out = []
    for name in models:
        start = time.perf_counter()
        model = synth.create(name, random_state=0).fit(train)
        sample = model.sample(rows, seed=1)
        keys = sample["employee_uuid"].astype(str)
        salary = _money(sample["salary_eur"])
        out.append(
            {
                "synthesizer": name,
                "uuid_layout": float(keys.str.fullmatch(UUID4).mean()),
                "uuid_distinct_first8": int(keys.str[:8].nunique()),
                "uuid_real": int(keys.isin(set(df["employee_uuid"])).sum()),
                # None: no salary drawn (PrivBayes writes a column whose range its noise hid as missing, and warns)
                "salary_on_grain": float((salary % 100 == 0).mean()) if len(salary) else None,
                "seconds": round(time.perf_counter() - start, 2),
            }
        )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", type=Path, help="the HR table as written by benchmarks.walk_tables")
    parser.add_argument("--only", help="comma-separated synthesizers (default: %(default)s)", default=",".join(MODELS))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/hr_shapes.json"))
    args = parser.parse_args(argv)
    if args.csv is not None:
        from synth.io.reader import read_table

        df = read_table(args.csv)
    else:
        from benchmarks.walk_tables import hr

        df = hr()
    real = _money(df["salary_eur"])
    print(f"real: {len(df):,} rows; salaries on the grain of 100: {(real % 100 == 0).mean():.0%}")
    rows = measure(df, args.only.split(","))
    print(
        f"{'synthesizer':<16} {'uuid layout':>11} {'first 8 distinct':>16} {'real':>5} {'salary on 100s':>14} {'s':>6}"
    )
    for r in rows:
        print(
            f"{r['synthesizer']:<16} {r['uuid_layout']:>11.1%} {r['uuid_distinct_first8']:>16,} {r['uuid_real']:>5}"
            f" {'none drawn' if r['salary_on_grain'] is None else format(r['salary_on_grain'], '.1%'):>14}"
            f" {r['seconds']:>6}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
