"""Short free text learned as word patterns: how much of the real wording a sample keeps, and that its numbers
are never a real value's.

The seeded ledger of :mod:`benchmarks.ledger` (4,000 bookings of 300 holders) has a ``purpose`` column of
payment purposes ("Rechnung 48213", "Miete Mai"), which the schema reads as short text in word patterns
(:mod:`synth.schema.text_templates`). Every synthesizer without a formal guarantee is fitted on the whole ledger
(seed 0, the holder as the person) and samples 4,000 rows (seed 1). Reported per model: how many of the real
table's words (digit-free tokens) the sample holds, the share of synthetic rows written in at least one real word,
the share of rows pooled as "(other)" (patterns held by fewer than k people), the patterns kept, how many sampled
values carry redrawn digits and how many of those equal a real value (the promise: none), and the total variation
distance between the real and the synthetic pattern shares, and the share of sampled values written in a real
value's layout (its shape: letters, digits and the rest, place by place), of all rows and of the rows in no real
pattern (the "(other)" ones). Before this, the column was an identifier: no real word survived.

Usage::

    .venv/bin/python -m benchmarks.bench_text_templates      # writes benchmarks/results/text_templates.json
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

import synth
from benchmarks.common import ROOT, machine, write_results
from benchmarks.ledger import ledger
from synth.generated_formats import _shape
from synth.schema.text_templates import templates_of

MODELS = ["independent", "gaussian_copula", "cart", "pruned_cart"]


def _tvd(real: pd.Series, synthetic: pd.Series) -> float:
    a, b = real.value_counts(normalize=True), synthetic.value_counts(normalize=True)
    index = a.index.union(b.index)
    return float(0.5 * np.abs(a.reindex(index, fill_value=0) - b.reindex(index, fill_value=0)).sum())


def measure(table: pd.DataFrame, name: str) -> dict[str, object]:
    schema = synth.infer_schema(table)
    if not schema["purpose"].templated:
        raise RuntimeError("the ledger's purpose column was not read as word patterns")
    real = set(table["purpose"])
    words = {w for v in real for w in v.split() if not any(c.isdigit() for c in w)}
    model = synth.create(name, random_state=0)
    start = time.perf_counter()
    model.fit(table, schema, person_column="holder_id")
    fit_s = time.perf_counter() - start
    sample = model.sample(len(table), seed=1)["purpose"].dropna().astype(str)
    patterns = templates_of(sample)
    with_digits = sample[patterns.str.contains("###", regex=False)]
    layouts, real_layouts = sample.map(_shape), {_shape(v) for v in real}
    made_up = ~patterns.isin(set(templates_of(table["purpose"].dropna().astype(str))))
    return {
        "model": name,
        "real_words_kept": len({w for v in sample for w in v.split()} & words),
        "real_words": len(words),
        "rows_with_a_real_word": float(sample.map(lambda v: any(w in words for w in v.split())).mean()),
        "pooled_share": float(dict(model.bucketed_).get("purpose", 0.0)),
        "patterns_kept": len(model.templates_[0].templates),
        "values_with_digits": len(with_digits),
        "real_values_among_them": int(with_digits.isin(real).sum()),
        "pattern_tvd": _tvd(templates_of(table["purpose"]), patterns),
        "layout_match": float(layouts.isin(real_layouts).mean()),
        "other_layout_match": float(layouts[made_up].isin(real_layouts).mean()) if made_up.any() else None,
        "fit_s": fit_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "text_templates.json")
    args = parser.parse_args()
    table = ledger()
    rows = [measure(table, name) for name in MODELS]
    print(f"ledger: {len(table):,} rows, purpose {table['purpose'].nunique():,} distinct values")
    print(
        f"{'model':<16}{'real words':>12}{'rows w/ word':>14}{'(other)':>9}{'patterns':>10}{'digits':>8}"
        f"{'real':>6}{'TVD':>7}{'layout':>8}{'(other)':>9}{'fit s':>7}"
    )
    for r in rows:
        print(
            f"{r['model']:<16}{r['real_words_kept']:>5} of {r['real_words']:<4}{r['rows_with_a_real_word']:>14.1%}"
            f"{r['pooled_share']:>9.1%}{r['patterns_kept']:>10}{r['values_with_digits']:>8}"
            f"{r['real_values_among_them']:>6}{r['pattern_tvd']:>7.3f}{r['layout_match']:>8.1%}"
            f"{r['other_layout_match'] or 0.0:>9.1%}{r['fit_s']:>7.1f}"
        )
    write_results(args.out, {"machine": machine(), "rows": rows})


if __name__ == "__main__":
    main()
