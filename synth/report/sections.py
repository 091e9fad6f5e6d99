"""The HTML report's building blocks: escaping and number formatting, tables, inline charts, and the
race, fidelity, utility, privacy and verdict sections of :func:`synth.report.html.build_report`.

Kept apart from :mod:`synth.report.html` (which assembles the page and the JSON) so each stays short; every
name here is also importable from :mod:`synth.report.html`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from synth.evaluation.fidelity.distributions import TAIL_ROWS, column_distributions
from synth.evaluation.privacy.attack_result import AttackResult
from synth.evaluation.privacy.people_membership import PEOPLE_COLUMNS, PersonMembership, people_rows
from synth.evaluation.privacy.verdict_criteria import CriterionVerdict
from synth.evaluation.results import number, percent, with_interval
from synth.evaluation.utility.efficacy_table import EFFICACY_COLUMNS, efficacy_rows
from synth.evaluation.utility.rare_class import gap_words
from synth.evaluation.utility.tstr import UtilityResult
from synth.plots.fidelity import association_heatmaps, distribution_figure, score_bars
from synth.plots.privacy import attack_risks, dcr_histogram
from synth.plots.safety import escape_figure_text
from synth.plots.utility import utility_bars
from synth.report.evaluation import TableEvaluation
from synth.report.leaderboard import VIEWS, leaderboard_text, view_columns
from synth.report.race import RaceResult, RunResult
from synth.report.race_pick import FIDELITY_WORDS
from synth.report.suppression import suppress
from synth.schema import Schema

if TYPE_CHECKING:  # html imports this module; the options type is only needed for annotations
    from synth.report.html import ReportOptions


def _e(x: Any) -> str:
    return html.escape(str(x))


def _num(x: Any, digits: int = 3, pct: bool = False) -> str:
    """A number as every user-facing text writes it (true minus signs, never "−0.000"); "—" when missing."""
    if x is None or (isinstance(x, float) and x != x):
        return "—"
    return percent(float(x)) if pct else number(float(x), digits)


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
        # User text (column names, labels, an external table's file name) shown as text, as on the pages: plotly
        # draws <a href> and <span style> in titles, ticks, legends and hover text of a shared report too.
        escape_figure_text(fig)
        div: str = pio.to_html(
            fig, include_plotlyjs=False, full_html=False, div_id=f"fig{self.count}", config={"displaylogo": False}
        )
        return f'<div class="chart">{div}</div>'


def race_tables(result: RaceResult) -> str:
    """The leaderboard as the Race page shows it: one table per view of :data:`VIEWS`, each led by the run, every
    cell written by :func:`~synth.report.leaderboard.leaderboard_text` (the report once formatted it itself, and
    the two disagreed on digits and signs for the same run)."""
    board = leaderboard_text(result)
    parts = []
    for view in VIEWS:
        columns = view_columns(board, view)
        parts.append(f"<h3>{_e(view)}</h3>" + _table(columns, board[columns].to_numpy().tolist()))
    return "\n".join(parts)


def _with_interval(score: Any) -> str:
    """An accuracy with its interval, as the leaderboard's accuracy cells write it."""
    if score is None:
        return "—"
    return with_interval(score.value, score.interval)


def ceilings_note(result: RaceResult) -> str:
    """The holdout's accuracy, once above the board: what fresh real data of the same size gets."""
    c = result.ceilings
    if all(v is None for v in c.values()):
        return ""
    return (
        "<p><b>Fresh real data</b> (the real holdout against train, same size): univariate "
        f"{_num(c['univariate'])}, bivariate {_num(c['bivariate'])}, trivariate {_num(c['trivariate'])}: the "
        f"ceiling of each accuracy column. {html.escape(FIDELITY_WORDS)} The sdmetrics-style "
        "quality is shown for comparison with published numbers and does not rank the runs.</p>"
    )


def _rules_table(ev: TableEvaluation) -> str:
    """The rules every real row holds (a weekday of its date, a total of its parts) and how often the run's rows
    break each, in words: column names, a lookup's count of values, a date part's offset (as Synthesize lists
    them), never a lookup's table."""
    if not ev.exact_rules:
        return ""
    rows = [[b.rule, f"{b.checked:,}", f"{b.broken:,}", f"{b.share:.1%}"] for b in ev.exact_rules]
    return "<p><b>Columns the real table computes from others</b> (rules every real training row holds):</p>" + _table(
        ["rule", "synthetic rows checked", "breaking it", "share"], rows
    )


def _people_table(ev: TableEvaluation) -> str:
    """The columns every real person keeps across their rows and how often the run's people change each (a patient
    with two birth dates), with the rows per person on each side: column names and shares, never a value."""
    found = ev.person_values
    if found is None:
        return ""
    rows = [
        [c.column, f"{c.real_share:.1%}", "—" if c.synthetic_share is None else f"{c.synthetic_share:.1%}"]
        for c in found.columns
    ]
    return (
        f"<p><b>Values a person keeps across their rows</b> (people with two or more rows: {found.real_people:,} "
        f"real, {found.real_rows_per_person:.1f} rows per {_e(found.person)}; {found.synthetic_people:,} synthetic, "
        f"{found.synthetic_rows_per_person:.1f}; rows sharing their {_e(found.person)} with another row: "
        f"{found.real_repeated_rows:.0%} real, {found.synthetic_repeated_rows:.0%} synthetic):</p>"
        + _table(["column", "real people changing it", "synthetic people changing it"], rows)
    )


def _fidelity_section(
    ev: TableEvaluation,
    run: RunResult,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema,
    options: ReportOptions,
    fig: _Figures,
    person_column: str | None = None,
) -> tuple[str, int]:
    fid = ev.fidelity
    if fid is None:
        return f"<p>Fidelity could not be scored: {_e(ev.errors.get('fidelity', 'not run'))}</p>", 0
    ref = fid.reference
    headline = ev.fidelity_headline
    honest = ""
    if headline is not None and ev.accuracy is not None:
        acc_rows = [
            [
                {1: "univariate", 2: "bivariate", 3: "trivariate"}[o.order],
                _with_interval(o),
                _num(o.reference),
                o.verdict(),
            ]
            for o in ev.accuracy.orders
        ]
        disc = ev.discriminator
        honest = (
            f"<p><b>{_e(headline.sentence)}</b></p>"
            + _table(["accuracy (1 − TVD of binned marginals)", "synthetic (95% CI)", "real holdout", "gap"], acc_rows)
            + (f"<p><b>Discriminator:</b> {_e(disc.verdict())}.</p>" if disc is not None else "")
            + _rules_table(ev)
            + _people_table(ev)
        )
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
        honest,
        "<p>sdmetrics-style scores (for comparison with published numbers) are 1 when the synthetic table's "
        "column distributions and pairwise associations match the "
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
    if fid.pairs_note:
        parts.append(f"<p>{_e(fid.pairs_note)}</p>")
    parts.append(fig(association_heatmaps(fid.association_real, fid.association_synthetic)))
    suppressed = 0
    if run.synthetic is not None:
        shown = [c.column for c in cols[: options.max_distributions]]
        # the axes end inside the k most extreme real values too, so no axis states an extreme a blank bar hides
        # (people, with a person column: one person's many rows at the top are one value); with one, a bar is
        # hidden when fewer than k people hold it, however many rows they have there (suppression.suppress)
        dists = column_distributions(
            train,
            run.synthetic[shown],
            holdout,
            schema=schema.select(shown),
            columns=shown,
            tail_rows=max(options.k, TAIL_ROWS),
            person_column=person_column,
            cell_people=person_column is not None,
        )
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
    rows = [list(row.values()) for row in efficacy_rows(u)]
    notes = "".join(f"<li>{_e(n)}</li>" for n in u.notes)
    return "\n".join(
        [
            f"<p>Models trained on synthetic rows (TSTR) and on real training rows (TRTR) predict "
            f"<b>{_e(u.target)}</b> on the real holdout. A TSTR close to TRTR means the synthetic table teaches "
            f"what the real one does. Top-5 feature overlap: {_num(u.top_overlap, pct=True)}.</p>",
            _headline_gap(u),
            _table(EFFICACY_COLUMNS, rows),
            f"<ul>{notes}</ul>" if notes else "",
            fig(utility_bars(u)),
        ]
    )


def _headline_gap(u: UtilityResult) -> str:
    """The headline score's gap judged in words (:func:`gap_words`), or nothing without an interval."""
    head = u.headline
    words = gap_words(head, u.shown_class, u.target)
    if not words:
        return ""
    return f"<p>Headline ({_e(head.model)}, {_e(head.metric)}): {_e(words)}.</p>"


def _privacy_section(ev: TableEvaluation, fig: _Figures) -> str:
    p = ev.privacy
    if p is None:
        return f"<p>Privacy could not be measured: {_e(ev.errors.get('privacy', 'not run'))}</p>"
    parts = [
        f'<p class="muted">Measured by {_e(ev.privacy_source)}.</p>' if ev.privacy_source else "",
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
            f"signal)"
            + (
                f"; the strongest attack ({_e(p.membership.headline.label)}) catches {_num(tpr, pct=True)} of "
                "members at a 1% false-positive rate"
                if tpr is not None and p.membership.headline is not None
                else ""
            )
            + ".</p>"
        )
        people = p.membership.people
        if people is not None and people.headline is not None:
            parts.append(_people_membership(people))
    if ev.attacks is not None:
        rows = _attacks_rows(ev.attacks.results)
        known = ", ".join(ev.attacks.attacker.known)
        parts += [
            f"<p>Attacker model: knows {_e(known) or 'nothing'}; secret {_e(ev.attacks.attacker.secret) or '—'}.</p>",
            _table(["attack", "success on train", "on holdout (control)", "at random", "risk (95% CI)"], rows),
            fig(attack_risks(ev.attacks.results)),
        ]
    return "\n".join(parts)


def _people_membership(people: PersonMembership) -> str:
    """The Privacy page's person-level membership: the strongest attack, its advantage, the four aggregations and
    who was scored (:mod:`ui.privacy_people` draws the same figures)."""
    head = people.headline
    assert head is not None
    # Beside the row figure, which counts a person with many rows many times: what GDPR asks.
    return "\n".join(
        [
            f"<p><b>Membership over people</b> (a member is a {_e(people.column)} with any row in training, scored "
            "by all their rows together; the figure above counts rows): could an attacker tell that this person was "
            f"in the training data? Strongest attack: AUC {_num(head.auc.value)} (95% CI "
            f"{_num(head.auc_boot_low)}–{_num(head.auc_boot_high)}, people resampled; 0.5 = no signal), advantage "
            f"{_num(head.advantage)} (95% CI {_num(head.advantage_low)}–{_num(head.advantage_high)}; 0 = no "
            f"signal), {_e(head.label)}; {people.n_members:,} training vs {people.n_non_members:,} holdout "
            "people.</p>",
            _table(
                PEOPLE_COLUMNS,
                [[f"{v:,}" if isinstance(v, int) else v for v in row.values()] for row in people_rows(people)],
            ),
            f'<p class="muted">{_e(people.describe())}.</p>',
        ]
    )


def _attacks_rows(results: Sequence[AttackResult]) -> list[list[str]]:
    """The attack table's rows: success on train, holdout and at random, and the risk with its interval."""
    return [
        [
            r.label,
            _num(r.main.observed, pct=True),  # observed shares: the risk's sign follows them, not Wilson centres
            _num(r.control.observed, pct=True),
            _num(r.baseline.observed, pct=True),
            f"{_num(r.risk.value, pct=True)} ({_num(r.risk.low, pct=True)}–{_num(r.risk.high, pct=True)})",
        ]
        if r.measured
        # No targets: its 0% rates and 0–0 risk are placeholders, not a measured absence of risk.
        else [r.label, "—", "—", "—", f"not run: {r.not_run_reason}"]
        for r in results
    ]


def _light(c: CriterionVerdict) -> str:
    """A criterion's light and level; "(unclear)" after a green one past the amber line within noise."""
    return f"{c.light} {c.level}" + (" (unclear)" if c.unsettled else "")


def _verdict_section(result: RaceResult, ev: TableEvaluation | None) -> str:
    parts = [f'<p class="pick">{_e(result.reason)}</p>']
    if ev is not None and ev.verdict is not None:
        v = ev.verdict
        parts.append(f'<p class="level-{v.level}"><b>{v.light} {_e(v.headline)}</b></p>')
        if ev.privacy_source:
            parts.append(f'<p class="muted">Privacy measured by {_e(ev.privacy_source)}.</p>')
        parts.append(
            _table(
                ["criterion", "light", "measured", "thresholds"],
                [[c.label, _light(c), c.value, c.threshold] for c in v.criteria],
            )
        )
        parts.append("<ul>" + "".join(f"<li>{_e(a)}</li>" for a in v.advice) + "</ul>")
    return "\n".join(parts)
