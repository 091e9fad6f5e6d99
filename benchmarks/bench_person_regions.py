"""What counting people in the models' region rules costs (session 29, :mod:`synth.synthesizers.person_leaves`).

Tables (seeded, :mod:`benchmarks.walk_tables`, as :mod:`benchmarks.bench_people` takes them): the walk's clinic
(``patient_id``) and shop (``email``), each split 80/20 by person (seed 0). Each synthesizer is fitted on the 80%
(seed 0, told the person) twice: ``rows`` with the region rules counting rows as before session 29 (the fit's
person hidden from them alone: rare values are still pooled and people still held), ``people`` as it fits now. Each
samples as many rows as it learned (seed 1). Printed: Compare's accuracy (the holdout's in brackets), the DCR share
(ideal 0.5) and its full-train form against its ideal, and the rules kept (lookups, category ranges, missing groups,
copula components)::

    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_person_regions [--only cart] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.bench_people import MODELS, TABLES


@contextmanager
def rows_counted(model: Any) -> Iterator[None]:
    """The model's region rules count rows: its ``_fit_people`` is hidden from ``_output_schema`` and ``_fit``."""
    cls = type(model)
    saved = {name: getattr(cls, name) for name in ("_output_schema", "_fit")}

    def hidden(name: str) -> Any:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            people = vars(self).pop("_fit_people", None)
            try:
                return saved[name](self, *args, **kwargs)
            finally:
                self._fit_people = people

        return call

    for name in saved:
        setattr(cls, name, hidden(name))
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(cls, name, method)


def measure(only: list[str]) -> list[dict[str, object]]:
    import synth

    rows: list[dict[str, object]] = []
    for table, (build, entity) in TABLES.items():
        frame = build()
        train, holdout = synth.split(frame, holdout=0.2, seed=0, by=entity)
        for name in only:
            for counted in ("rows", "people"):
                model = synth.create(name, random_state=0)
                t0 = time.perf_counter()
                if counted == "rows":
                    with rows_counted(model):
                        model.fit(train, person_column=entity)
                else:
                    model.fit(train, person_column=entity)
                fit_s = time.perf_counter() - t0
                sample = model.sample(len(train), seed=1)
                acc = synth.evaluate_accuracy(train, sample, holdout=holdout, schema=model.schema_)
                privacy = synth.evaluate_privacy(train, sample, holdout=holdout, schema=model.schema_, membership=False)
                rows.append(
                    {
                        "table": table,
                        "model": name,
                        "counted": counted,
                        "accuracy": round(float(acc.overall), 4),
                        "holdout_accuracy": None if acc.overall_reference is None else round(acc.overall_reference, 4),
                        "dcr_share": round(float(privacy.dcr_share), 4),
                        "dcr_share_full": round(float(privacy.dcr_share_full), 4),
                        "dcr_share_full_expected": round(float(privacy.dcr_share_full_expected), 4),
                        "lookups": len(getattr(model, "rules_", ())),
                        "ranges": len(getattr(model, "category_ranges_", ())),
                        "groups": len(getattr(model, "missing_groups_", ())),
                        "components": len(getattr(model, "components_", ())) or None,
                        "fit_s": round(fit_s, 2),
                    }
                )
                print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(MODELS))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/person_regions.json"))
    args = parser.parse_args()
    rows = measure([m for m in args.only.split(",") if m])
    print(pd.DataFrame(rows).to_string(index=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2, default=str))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
