"""One self-contained HTML report (plotly inline once, opens offline, one file) and the JSON of every metric.

Sections, each an ``<section id=...>``: ``summary`` (dataset), ``schema``, ``audit``, ``settings`` (each
synthesizer's settings and the evaluation's), ``race`` (leaderboard and privacy-vs-fidelity front),
``fidelity``, ``utility``, ``privacy`` (for the chosen run, with intervals and charts), ``verdict``,
``rows`` and ``references``.

Privacy-safe by default: the real-data distributions are small-cell suppressed (:mod:`synth.report.suppression`,
k = 10 unless changed) and the report says how many cells were; no real row is printed unless
``include_real_rows`` is set; the attack examples (singling-out predicates with real values) are dropped from
the JSON unless the same option is set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from plotly.offline import get_plotlyjs

from synth.audit import AuditReport
from synth.evaluation.people import people_column
from synth.evaluation.results import to_jsonable
from synth.plots.race import pareto_scatter
from synth.report.card import params_text
from synth.report.manifest import table_fingerprint
from synth.report.race import RaceResult
from synth.report.sections import (
    _e,
    _fidelity_section,
    _Figures,
    _privacy_section,
    _table,
    _utility_section,
    _verdict_section,
    ceilings_note,
    race_tables,
)
from synth.report.sections import _num as _num  # re-exported: it lived here
from synth.report.suppression import DEFAULT_K
from synth.schema import Schema, coerce_to_schema
from synth.schema.entities import FIND_PERSON, PersonColumn

SECTIONS = (
    "summary",
    "schema",
    "audit",
    "settings",
    "race",
    "fidelity",
    "utility",
    "privacy",
    "verdict",
    "rows",
    "references",
)

REFERENCES = (
    (
        "Column shapes and pair trends",
        "SDV's sdmetrics QualityReport (KS / TV complement; correlation and "
        "contingency similarity), https://docs.sdv.dev/sdmetrics",
    ),
    ("Detection", "Lopez-Paz & Oquab, Revisiting Classifier Two-Sample Tests, ICLR 2017"),
    (
        "ML utility (TSTR vs TRTR)",
        "Esteban, Hyland & Rätsch, Real-valued (Medical) Time Series Generation with Recurrent Conditional GANs, 2017",
    ),
    (
        "Distance to closest record and its holdout reference",
        "Platzer & Reutterer, Holdout-Based Empirical "
        "Assessment of Mixed-Type Synthetic Data, Frontiers in Big Data 2021",
    ),
    (
        "Singling out, linkability, inference",
        "Article 29 Working Party, Opinion 05/2014 on Anonymisation "
        "Techniques (WP216); Giomi et al., A Unified Framework for Quantifying Privacy Risk in Synthetic Data, "
        "PoPETs 2023 (anonymeter)",
    ),
    (
        "Membership inference",
        "Stadler, Oprisanu & Troncoso, Synthetic Data — Anonymisation Groundhog Day, USENIX Security 2022",
    ),
)

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:24px;
color:#222;line-height:1.45}
h1{margin-bottom:0}h2{border-bottom:2px solid #eee;padding-bottom:4px;margin-top:40px}
table{border-collapse:collapse;margin:12px 0;font-size:14px}th,td{border:1px solid #ddd;padding:4px 8px;
text-align:left}th{background:#f6f6f6}.note{background:#fff8e1;border-left:4px solid #f0b400;padding:8px 12px}
.pick{background:#e8f5e9;border-left:4px solid #2ca02c;padding:8px 12px;font-size:1.1em}
.level-green{color:#2ca02c}.level-amber{color:#d98200}.level-red{color:#c62828}.level-grey{color:#888}
.muted{color:#777;font-size:13px}
"""


@dataclass(frozen=True)
class ReportOptions:
    """What the report shows.

    Attributes:
        k: real-data cells (histogram bars, categories) under ``k`` rows (people, with a person column) are
            suppressed; 1 turns it off.
        include_real_rows: print a few real training rows (and keep attack examples in the JSON). Off by default.
        max_distributions: column distributions drawn (the worst-scoring columns first).
        title: the report's title.
    """

    k: int = DEFAULT_K
    include_real_rows: bool = False
    max_distributions: int = 8
    title: str = "Synthetic data report"


@dataclass(frozen=True, eq=False)
class Report:
    """The HTML text, the JSON of every metric, and how many real-data cells were suppressed."""

    html: str
    data: dict[str, Any]
    suppressed_cells: int

    def json_text(self) -> str:
        return json.dumps(self.data, indent=2, allow_nan=False)


def rows_table(frame: pd.DataFrame) -> str:
    """A few rows as an HTML table with every missing value written "—" (pandas writes NaN, NaT or None by the
    column's type: one HR report's rows showed all three) and dates without a midnight clock time."""
    shown = frame.copy()
    for name in shown.columns:
        column = shown[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            present = column.dropna()
            whole_days = bool((present == present.dt.normalize()).all())
            shown[name] = column.dt.strftime("%Y-%m-%d" if whole_days else "%Y-%m-%d %H:%M:%S")
    shown = shown.astype(object).mask(frame.isna().to_numpy(), "—")
    return shown.to_html(index=False, border=0) + "<p class='muted'>— a missing value.</p>"


def _not_copies(
    synthetic: pd.DataFrame, train: pd.DataFrame, schema: Schema, limit: int = 1000
) -> tuple[pd.DataFrame, str]:
    """Synthetic rows (of the first ``limit``) equal to no training row on the learned columns: a copied row would
    be a real row printed; and, for when there is none, why, as a sentence.

    Identifiers, personal data and free text are generated afresh by every synthesizer, so a row copied whole but
    for its new id and name differed from every training row on all columns and was printed as synthetic: real
    people's salaries, dates and departments beside a made-up name. Both tables are read through the schema
    first, so a table read back from CSV ("63517" for 63517.0) is compared by value.
    """
    cols = [c for c in schema.modelled if c in synthetic.columns and c in train.columns]
    head = synthetic.head(limit)
    if head.empty:
        return head, "None: the synthetic table has no rows."
    if not cols:  # nothing learned to compare: every row may be a real one's
        return head.iloc[:0], "None shown: no learned column to compare with the training rows, so any may be real."
    try:
        sub = schema.select(cols)
        seen = pd.util.hash_pandas_object(coerce_to_schema(train[cols], sub).astype(str), index=False).to_numpy()
        mine = pd.util.hash_pandas_object(coerce_to_schema(head[cols], sub).astype(str), index=False).to_numpy()
    except (TypeError, ValueError):  # unhashable or unreadable cells: show none rather than risk a copy
        return head.iloc[:0], "None shown: the rows could not be compared with the training rows."
    # An empty table under "5 that copy no training row" read as a broken report for a fully memorised table.
    every = "every synthetic row" if len(head) == len(synthetic) else f"each of the first {len(head):,} synthetic rows"
    return head[~np.isin(mine, seen)], f"None: {every} copies a training row on the learned columns."


def _synthetic_rows(synthetic: pd.DataFrame, train: pd.DataFrame, schema: Schema, n: int = 5) -> str:
    """The rows section's synthetic rows: up to ``n`` that copy no training row, or why there are none."""
    rows, none = _not_copies(synthetic, train, schema)
    shown = rows.head(n)
    if shown.empty:
        return f"<h3>Synthetic rows that copy no training row</h3><p>{_e(none)}</p>"
    verb = "copies" if len(shown) == 1 else "copy"
    return f"<h3>Synthetic rows ({len(shown)} that {verb} no training row)</h3>" + rows_table(shown)


def _audit_json(audit: AuditReport | None, detailed: bool) -> Any:
    if audit is None:
        return None
    out = to_jsonable(audit)
    if not detailed:
        for finding in out.get("findings", []):
            finding.pop("detail", None)
    return out


def strip_examples(obj: Any) -> Any:
    """The JSON without attack examples: the singling-out predicates that isolated one training person quote that
    person's values ("salary == 66730"). The report and ``synth evaluate`` keep them only when asked."""
    if isinstance(obj, dict):
        return {k: ([] if k == "examples" else strip_examples(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [strip_examples(v) for v in obj]
    return obj


def build_report(
    *,
    name: str,
    data: pd.DataFrame,
    schema: Schema,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    result: RaceResult,
    audit: AuditReport | None = None,
    focus: str | None = None,
    options: ReportOptions | None = None,
    extra: dict[str, Any] | None = None,
    person_column: PersonColumn = FIND_PERSON,
) -> Report:
    """Write the report of a race (a single run is a race of one).

    Args:
        name: the real table's name.
        data: the real table (its fingerprint and shape are shown, never its rows unless opted in).
        schema / train / holdout: the schema and split every run used.
        result: the race.
        audit: the pre-flight audit, if run.
        focus: the run whose details are shown (the recommended one when omitted).
        options: suppression threshold, real rows, ...
        extra: more JSON to store beside the metrics (e.g. the manifest and the card).
        person_column: the column naming whose row each real row is (the one the split took; None: each row its
            own person): the charts' axes end inside the most extreme people, not rows, and a bar or category is
            suppressed when fewer than ``options.k`` people hold it. Found when omitted.
    """
    options = options or ReportOptions()
    fig = _Figures()
    label = focus or result.recommended or next((r.label for r in result.runs if r.ok), "")
    run = next((r for r in result.runs if r.label == label), None)
    ev = run.evaluation if run is not None else None
    fp = table_fingerprint(data)
    if ev is not None and run is not None and person_column is FIND_PERSON:
        person_column = people_column(train, holdout, schema)
    counted = "rows" if person_column is None or person_column is FIND_PERSON else "people"
    sections: dict[str, str] = {}
    sections["summary"] = (
        f"<p><b>{_e(name)}</b>: {fp['rows']:,} rows × {fp['columns']} columns; trained on {len(train):,} rows, "
        f"{len(holdout):,} real rows held out as the reference. Fingerprint (SHA-256): <code>{fp['sha256']}</code>."
        "</p>"
        f'<p class="note">Privacy-safe report: real-data histogram bars and categories under {options.k} {counted} are '
        f"suppressed (SUPPRESSED_PLACEHOLDER cells here), and "
        + (
            "a few real rows are printed because this was asked for."
            if options.include_real_rows
            else "no real row is printed."
        )
        + "</p>"
    )
    # The inference reasons and the audit's details quote values (ranges, rare categories): opt-in only.
    detailed = options.include_real_rows
    sections["schema"] = _table(
        ["column", "kind", "sensitive", "quasi-identifier", *(["why"] if detailed else [])],
        [
            [c.name, c.kind.value, "yes" if c.sensitive else "", "yes" if c.quasi_identifier else ""]
            + ([c.reason] if detailed else [])
            for c in schema
        ],
    )
    if audit is None:
        sections["audit"] = "<p>The pre-flight audit was not run.</p>"
    elif not audit.findings:
        sections["audit"] = "<p>The audit found nothing to report.</p>"
    else:
        sections["audit"] = _table(
            ["severity", "columns", "finding", "suggestion"],
            [
                [f.severity, ", ".join(f.columns), f"{f.title}. {f.detail}" if detailed else f.title, f.suggestion]
                for f in audit.findings
            ],
        ) + ("" if detailed else "<p class='muted'>Details that quote real values are left out.</p>")
    settings_rows = [
        [
            r.label,
            r.contender.name,
            params_text(to_jsonable(dict(r.contender.params))),
            r.contender.random_state,
            r.sample_seed,
            r.n_rows,
        ]
        for r in result.runs
    ]
    sections["settings"] = (
        _table(["run", "synthesizer", "parameters", "fit seed", "sample seed", "rows"], settings_rows)
        + f"<p class='muted'>Evaluation settings: {_e(json.dumps(result.settings.to_dict()))}</p>"
    )
    sections["race"] = (
        ceilings_note(result)
        + race_tables(result)
        + "<p class='muted'>Privacy risk on the chart is the worst of: closeness above its ideal, membership "
        "advantage 2·(AUC − 0.5), and the three attack risks. The front holds the runs no other run beats on both "
        "axes. Peak MB is how much the process's resident memory grew during fit and sample (read every 20 ms).</p>"
        + fig(pareto_scatter(result))
    )
    suppressed = 0
    focus_note = f"<p class='muted'>Details of <b>{_e(label)}</b>.</p>"
    if ev is not None and run is not None:
        person = None if person_column is FIND_PERSON else person_column  # (resolved above)
        body, suppressed = _fidelity_section(ev, run, train, holdout, schema, options, fig, person)
        sections["fidelity"] = focus_note + body
        sections["utility"] = focus_note + _utility_section(ev, fig)
        sections["privacy"] = focus_note + _privacy_section(ev, fig)
    else:
        for key in ("fidelity", "utility", "privacy"):
            sections[key] = "<p>No run finished with scores.</p>"
    sections["verdict"] = _verdict_section(result, ev)
    rows_html = ""
    if run is not None and run.synthetic is not None:
        rows_html += _synthetic_rows(run.synthetic, train, schema)
    if options.include_real_rows:
        rows_html += "<h3>Real training rows (5, shown because asked for)</h3>" + rows_table(train.head(5))
    else:
        rows_html += "<p>Real rows are not printed (turn on “include real rows” to show a few).</p>"
    sections["rows"] = rows_html
    sections["references"] = "<ul>" + "".join(f"<li><b>{_e(k)}</b>: {_e(v)}</li>" for k, v in REFERENCES) + "</ul>"
    sections["summary"] = sections["summary"].replace("SUPPRESSED_PLACEHOLDER", f"{suppressed:,}")

    titles = {
        "summary": "Dataset",
        "schema": "Schema",
        "audit": "Audit findings",
        "settings": "Synthesizer settings",
        "race": "Race",
        "fidelity": "Fidelity",
        "utility": "ML utility",
        "privacy": "Privacy",
        "verdict": "Verdict",
        "rows": "Rows",
        "references": "Methods and references",
    }
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(f'<section id="{key}"><h2>{titles[key]}</h2>{sections[key]}</section>' for key in SECTIONS)
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(options.title)}</title><style>{_CSS}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
        f"<h1>{_e(options.title)}</h1><p class='muted'>Made {created} by synth. {fig.count} charts.</p>"
        f"{body}</body></html>"
    )
    data_json: dict[str, Any] = {
        "dataset": {"name": name, **fp, "train_rows": len(train), "holdout_rows": len(holdout)},
        "schema": schema.to_dict(),
        "audit": _audit_json(audit, detailed),
        "race": result.to_dict(),
        "focus": label,
        "suppression": {"k": options.k, "suppressed_cells": suppressed, "counted": counted},
        "include_real_rows": options.include_real_rows,
        **(extra or {}),
    }
    if not options.include_real_rows:
        data_json = strip_examples(data_json)
    return Report(page, to_jsonable(data_json), suppressed)
