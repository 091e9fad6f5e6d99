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

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from synth.audit import AuditReport
from synth.evaluation.fidelity.distributions import column_distributions
from synth.evaluation.results import to_jsonable
from synth.plots.fidelity import association_heatmaps, distribution_figure, score_bars
from synth.plots.privacy import attack_risks, dcr_histogram
from synth.plots.race import pareto_scatter
from synth.plots.utility import utility_bars
from synth.report.evaluation import TableEvaluation
from synth.report.manifest import table_fingerprint
from synth.report.race import RaceResult, RunResult
from synth.report.suppression import DEFAULT_K, suppress
from synth.schema import Schema

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
        k: real-data cells (histogram bars, categories) under ``k`` rows are suppressed; 1 turns it off.
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


def _e(x: Any) -> str:
    return html.escape(str(x))


def _num(x: Any, digits: int = 3, pct: bool = False) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "—"
    return f"{x:.1%}" if pct else f"{x:.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class _Figures:
    """Turns figures into divs; plotly.js itself is written once, in the page head."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, fig: go.Figure) -> str:
        self.count += 1
        div: str = pio.to_html(
            fig, include_plotlyjs=False, full_html=False, div_id=f"fig{self.count}", config={"displaylogo": False}
        )
        return f'<div class="chart">{div}</div>'


def _leaderboard_rows(result: RaceResult) -> list[list[str]]:
    rows = []
    for r in result.runs:
        ev = r.evaluation
        if ev is None:
            rows.append([r.label, f"failed: {r.error}", *["—"] * 13])
            continue
        iv = ev.quality_interval
        tstr = f"{_num(ev.tstr)} vs {_num(ev.trtr)}" if ev.tstr is not None else "—"
        mark = " ★" if r.label == result.recommended else (" (front)" if r.label in result.pareto else "")
        rows.append(
            [
                r.label + mark,
                f"{_num(ev.quality)} ({_num(iv[0])}–{_num(iv[1])})" if iv else _num(ev.quality),
                _num(ev.pair_trends),
                _num(ev.detection_auc),
                tstr,
                _num(ev.closeness, pct=True),
                _num(ev.membership_tpr_low_fpr, pct=True),
                _num(ev.attack_risk("singling_out"), pct=True),
                _num(ev.attack_risk("linkability"), pct=True),
                _num(ev.attack_risk("inference"), pct=True),
                _num(ev.rare_values_copied, pct=True),
                _num(r.fit_seconds, 2),
                _num(r.sample_seconds, 2),
                _num(r.peak_mb, 0),
                ev.privacy_level,
            ]
        )
    return rows


LEADERBOARD_HEADER = (
    "run",
    "quality (95% CI)",
    "pair trends",
    "detection AUC",
    "TSTR vs TRTR",
    "closeness (DCR share)",
    "membership TPR @ low FPR",
    "singling out",
    "linkability",
    "inference",
    "rare values copied",
    "fit s",
    "sample s",
    "peak MB",
    "privacy light",
)


def _fidelity_section(
    ev: TableEvaluation,
    run: RunResult,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema,
    options: ReportOptions,
    fig: _Figures,
) -> tuple[str, int]:
    fid = ev.fidelity
    if fid is None:
        return f"<p>Fidelity could not be scored: {_e(ev.errors.get('fidelity', 'not run'))}</p>", 0
    ref = fid.reference
    rows = []
    for name, val, iv, refval in (
        ("overall", fid.overall, fid.scores.overall_interval, ref.overall if ref else None),
        ("column shapes", fid.column_shapes, fid.scores.column_shapes_interval, ref.column_shapes if ref else None),
        (
            "pair trends",
            fid.column_pair_trends,
            fid.scores.column_pair_trends_interval,
            ref.column_pair_trends if ref else None,
        ),
    ):
        rows.append([name, _num(val), iv.format() if iv else "—", _num(refval)])
    parts = [
        "<p>Scores are 1 when the synthetic table's column distributions and pairwise associations match the "
        "real training table's. The real holdout, scored the same way, is the yardstick: fresh real data of "
        "the same source rarely scores 1 either.</p>",
        _table(["score", "synthetic", "95% interval", "real holdout"], rows),
    ]
    if ev.detection is not None:
        d = ev.detection
        ref_auc = f"; real holdout vs train: {_num(d.reference_auc)}" if d.reference_auc is not None else ""
        parts.append(
            f"<p><b>Detection:</b> AUC {_num(d.auc)} (0.5 = indistinguishable{ref_auc}). {_e(d.verdict())}.</p>"
        )
    cols = sorted(fid.scores.columns, key=lambda c: c.score)
    parts.append(
        fig(
            score_bars(
                [c.column for c in cols],
                [c.score for c in cols],
                [ref.column(c.column).score for c in cols] if ref else None,
                intervals=[c.interval for c in cols],
            )
        )
    )
    parts.append(fig(association_heatmaps(fid.association_real, fid.association_synthetic)))
    suppressed = 0
    if run.synthetic is not None:
        shown = [c.column for c in cols[: options.max_distributions]]
        dists = column_distributions(train[shown], run.synthetic[shown], holdout[shown], schema=schema.select(shown))
        for dist in dists:
            safe, n = suppress(dist, options.k)
            suppressed += n
            score = fid.scores.column(dist.column).score
            parts.append(fig(distribution_figure(safe, score=score, metric="shape score")))
    return "\n".join(parts), suppressed


def _utility_section(ev: TableEvaluation, fig: _Figures) -> str:
    u = ev.utility
    if u is None:
        why = ev.errors.get("utility", "no column to predict, or switched off")
        return f"<p>ML utility was not measured: {_e(why)}</p>"
    rows = [
        [
            s.model,
            s.metric,
            _num(s.trtr),
            _num(s.tstr),
            s.difference_interval.format() if s.difference_interval else "—",
            _num(s.baseline),
        ]
        for s in u.scores
    ]
    notes = "".join(f"<li>{_e(n)}</li>" for n in u.notes)
    return "\n".join(
        [
            f"<p>Models trained on synthetic rows (TSTR) and on real training rows (TRTR) predict "
            f"<b>{_e(u.target)}</b> on the real holdout. A TSTR close to TRTR means the synthetic table teaches "
            f"what the real one does. Top-5 feature overlap: {_num(u.top_overlap, pct=True)}.</p>",
            _table(["model", "metric", "TRTR", "TSTR", "difference 95% CI", "trivial baseline"], rows),
            f"<ul>{notes}</ul>" if notes else "",
            fig(utility_bars(u)),
        ]
    )


def _privacy_section(ev: TableEvaluation, fig: _Figures) -> str:
    p = ev.privacy
    if p is None:
        return f"<p>Privacy could not be measured: {_e(ev.errors.get('privacy', 'not run'))}</p>"
    parts = [
        f"<p>{p.exact_copies:,} synthetic rows copy a training row exactly ({_num(p.exact_copy_rate, pct=True)}; "
        f"the holdout copies {_num(p.holdout_exact_copy_rate, pct=True)} by coincidence). "
        f"{_num(p.dcr_share_full, pct=True)} of synthetic rows are closer to train than to the holdout "
        f"(ideal {_num(p.dcr_share_full_expected, pct=True)}).</p>",
        fig(dcr_histogram(p.dcr_synthetic, p.dcr_holdout)),
    ]
    if p.membership is not None:
        a = p.membership.auc
        tpr = ev.membership_tpr_low_fpr
        parts.append(
            f"<p><b>Membership inference:</b> AUC {_num(a.value)} (95% CI {_num(a.low)}–{_num(a.high)}; 0.5 = no "
            f"signal)" + (f"; TPR at low FPR {_num(tpr, pct=True)}" if tpr is not None else "") + ".</p>"
        )
    if ev.attacks is not None:
        rows = [
            [
                r.label,
                _num(r.main.value, pct=True),
                _num(r.control.value, pct=True),
                _num(r.baseline.value, pct=True),
                f"{_num(r.risk.value, pct=True)} ({_num(r.risk.low, pct=True)}–{_num(r.risk.high, pct=True)})",
            ]
            for r in ev.attacks.results
        ]
        known = ", ".join(ev.attacks.attacker.known)
        parts += [
            f"<p>Attacker model: knows {_e(known) or 'nothing'}; secret {_e(ev.attacks.attacker.secret) or '—'}.</p>",
            _table(["attack", "success on train", "on holdout (control)", "at random", "risk (95% CI)"], rows),
            fig(attack_risks(ev.attacks.results)),
        ]
    return "\n".join(parts)


def _verdict_section(result: RaceResult, ev: TableEvaluation | None) -> str:
    parts = [f'<p class="pick">{_e(result.reason)}</p>']
    if ev is not None and ev.verdict is not None:
        v = ev.verdict
        parts.append(f'<p class="level-{v.level}"><b>{v.light} {_e(v.headline)}</b></p>')
        parts.append(
            _table(
                ["criterion", "light", "measured", "thresholds"],
                [[c.label, f"{c.light} {c.level}", c.value, c.threshold] for c in v.criteria],
            )
        )
        parts.append("<ul>" + "".join(f"<li>{_e(a)}</li>" for a in v.advice) + "</ul>")
    return "\n".join(parts)


def _not_copies(synthetic: pd.DataFrame, train: pd.DataFrame, limit: int = 1000) -> pd.DataFrame:
    """Synthetic rows (of the first ``limit``) equal to no training row: a copied row would be a real row printed."""
    cols = [c for c in synthetic.columns if c in train.columns]
    head = synthetic.head(limit)
    try:
        seen = pd.util.hash_pandas_object(train[cols].astype(str), index=False).to_numpy()
        mine = pd.util.hash_pandas_object(head[cols].astype(str), index=False).to_numpy()
    except TypeError:  # unhashable cells: show none rather than risk a copy
        return head.iloc[:0]
    return head[~np.isin(mine, seen)]


def _audit_json(audit: AuditReport | None, detailed: bool) -> Any:
    if audit is None:
        return None
    out = to_jsonable(audit)
    if not detailed:
        for finding in out.get("findings", []):
            finding.pop("detail", None)
    return out


def _strip_examples(obj: Any) -> Any:
    """The JSON without attack examples (singling-out predicates hold real values)."""
    if isinstance(obj, dict):
        return {k: ([] if k == "examples" else _strip_examples(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_strip_examples(v) for v in obj]
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
    """
    options = options or ReportOptions()
    fig = _Figures()
    label = focus or result.recommended or next((r.label for r in result.runs if r.ok), "")
    run = next((r for r in result.runs if r.label == label), None)
    ev = run.evaluation if run is not None else None
    fp = table_fingerprint(data)
    sections: dict[str, str] = {}
    sections["summary"] = (
        f"<p><b>{_e(name)}</b>: {fp['rows']:,} rows × {fp['columns']} columns; trained on {len(train):,} rows, "
        f"{len(holdout):,} real rows held out as the reference. Fingerprint (SHA-256): <code>{fp['sha256']}</code>."
        "</p>"
        f'<p class="note">Privacy-safe report: real-data histogram bars and categories under {options.k} rows are '
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
            json.dumps(to_jsonable(dict(r.contender.params))) or "defaults",
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
        _table(LEADERBOARD_HEADER, _leaderboard_rows(result))
        + "<p class='muted'>Privacy risk on the chart is the worst of: closeness above its ideal, membership "
        "advantage 2·(AUC − 0.5), and the three attack risks. The front holds the runs no other run beats on both "
        "axes. Peak MB is traced memory during fit and sample.</p>" + fig(pareto_scatter(result))
    )
    suppressed = 0
    focus_note = f"<p class='muted'>Details of <b>{_e(label)}</b>.</p>"
    if ev is not None and run is not None:
        body, suppressed = _fidelity_section(ev, run, train, holdout, schema, options, fig)
        sections["fidelity"] = focus_note + body
        sections["utility"] = focus_note + _utility_section(ev, fig)
        sections["privacy"] = focus_note + _privacy_section(ev, fig)
    else:
        for key in ("fidelity", "utility", "privacy"):
            sections[key] = "<p>No run finished with scores.</p>"
    sections["verdict"] = _verdict_section(result, ev)
    rows_html = ""
    if run is not None and run.synthetic is not None:
        shown = _not_copies(run.synthetic, train).head(5)
        rows_html += "<h3>Synthetic rows (5 that copy no training row)</h3>" + shown.to_html(index=False, border=0)
    if options.include_real_rows:
        rows_html += "<h3>Real training rows (5, shown because asked for)</h3>" + train.head(5).to_html(
            index=False, border=0
        )
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
        "suppression": {"k": options.k, "suppressed_cells": suppressed},
        "include_real_rows": options.include_real_rows,
        **(extra or {}),
    }
    if not options.include_real_rows:
        data_json = _strip_examples(data_json)
    return Report(page, to_jsonable(data_json), suppressed)
