"""Do generated phone numbers and postcodes keep the real column's mix of layouts? (:mod:`synth.generated_layouts`)

For the clinic walk table (:func:`benchmarks.walk_tables.clinic`: Faker's UK phone numbers, NHS-style numbers and
UK postcodes) and seeded Faker tables of phone numbers (US, German, French, a UK/US mix) and postcodes (UK,
Canada, the Netherlands): per column, the layouts (:func:`synth.generated_formats._shape`) real values hold, the
layouts a fit keeps, the share of synthetic values in the most common layout, and the total variation distance
(TVD) between the real and the synthetic layout histograms, before (the usual layout alone, as a fit made before
session 25 stored it) and after; the share of synthetic values equal to a real one (always 0); and the fit time of
the column's generated plan. Writes ``benchmarks/results/bench_layouts.json``::

    PYTHONPATH=. python -m benchmarks.bench_layouts
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.common import ROOT, machine, write_results
from synth.generated import GeneratedColumns, _Plan
from synth.generated_formats import _shape
from synth.schema import ColumnKind, ColumnSpec, Schema

ROWS = 4_000
SYNTHETIC = 20_000


def faker_column(method: str, parts: dict[str, int], seed: int = 0) -> pd.Series:
    """``method`` (``phone_number``, ``postcode``) of Faker's ``parts`` (locale → rows), shuffled."""
    from faker import Faker

    values: list[str] = []
    for code, rows in parts.items():
        faker = Faker(code)
        faker.seed_instance(seed)
        values += [str(getattr(faker, method)()) for _ in range(rows)]
    return pd.Series(values, dtype=object).iloc[np.random.default_rng(seed).permutation(len(values))]


def tvd(a: pd.Series, b: pd.Series) -> float:
    pa = a.astype(str).map(_shape).value_counts(normalize=True)
    pb = b.astype(str).map(_shape).value_counts(normalize=True)
    return float(0.5 * pa.subtract(pb, fill_value=0.0).abs().sum())


def measure(label: str, column: pd.Series, pii_type: str) -> dict[str, Any]:
    real = column.dropna().astype(str).reset_index(drop=True)
    schema = Schema((ColumnSpec("v", ColumnKind.PII, pii_type=pii_type),))
    frame = pd.DataFrame({"v": real})
    start = time.perf_counter()
    after = GeneratedColumns.fit(frame, schema)
    seconds = time.perf_counter() - start
    plan = after.plans[0]
    usual_only = {k: v for k, v in plan.detail.items() if k != "layouts"}
    before = GeneratedColumns((_Plan(plan.name, plan.kind, plan.missing_rate, usual_only),))
    out: dict[str, Any] = {"table": label, "type": pii_type, "rows": len(real), "fit_s": round(seconds, 3)}
    shapes = real.map(_shape).value_counts(normalize=True)
    out["real_layouts"] = len(shapes)
    out["real_layouts_2pct"] = int((shapes >= 0.02).sum())
    out["real_top_share"] = round(float(shapes.iloc[0]), 3)
    out["kept_layouts"] = 1 + max(len(plan.detail.get("layouts", [])) - 1, 0) if "same_width" in plan.detail else 0
    for name, model in (("before", before), ("after", after)):
        syn = model.sample(SYNTHETIC, np.random.default_rng(1))["v"].astype(str)
        out[f"{name}_top_share"] = round(float(syn.map(_shape).value_counts(normalize=True).iloc[0]), 3)
        out[f"{name}_tvd"] = round(tvd(real, syn), 3)
        out[f"{name}_real_share"] = float(syn.isin(set(real)).mean())
    return out


def main() -> int:
    from benchmarks.walk_tables import clinic

    visits = clinic()
    cases: list[tuple[str, pd.Series, str]] = [
        ("clinic phone", visits.drop_duplicates("patient_id")["phone"], "phone"),
        ("clinic nhs_number", visits.drop_duplicates("patient_id")["nhs_number"], "phone"),
        ("clinic postcode", visits.drop_duplicates("patient_id")["postcode"], "postcode"),
        ("en_US phones", faker_column("phone_number", {"en_US": ROWS}), "phone"),
        ("de_DE phones", faker_column("phone_number", {"de_DE": ROWS}), "phone"),
        ("fr_FR phones", faker_column("phone_number", {"fr_FR": ROWS}), "phone"),
        ("en_GB+en_US phones", faker_column("phone_number", {"en_GB": ROWS // 2, "en_US": ROWS // 2}), "phone"),
        ("en_GB postcodes", faker_column("postcode", {"en_GB": ROWS}), "postcode"),
        ("en_CA postcodes", faker_column("postcode", {"en_CA": ROWS}), "postcode"),
        ("nl_NL postcodes", faker_column("postcode", {"nl_NL": ROWS}), "postcode"),
    ]
    rows = [measure(label, column, pii_type) for label, column, pii_type in cases]
    header = (
        f"{'column':22s} {'rows':>5s} {'layouts':>7s} {'≥2%':>4s} {'kept':>4s} {'real top':>8s} "
        f"{'top before→after':>16s} {'TVD before→after':>16s} {'real values':>11s} {'fit s':>6s}"
    )
    print(header)
    for r in rows:
        print(
            f"{r['table']:22s} {r['rows']:5d} {r['real_layouts']:7d} {r['real_layouts_2pct']:4d} "
            f"{r['kept_layouts']:4d} "
            f"{r['real_top_share']:8.3f} {r['before_top_share']:7.3f} → {r['after_top_share']:.3f} "
            f"{r['before_tvd']:7.3f} → {r['after_tvd']:.3f} {r['after_real_share']:11.3f} {r['fit_s']:6.2f}"
        )
    write_results(ROOT / "benchmarks" / "results" / "bench_layouts.json", {"machine": machine(), "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
