"""The race's pick follows the honest headline, and real-only work is done once per race.

Real fits on a seeded 3,000-row slice of Adult: a Gaussian copula keeps every column's shape (high
sdmetrics-style quality, a green privacy light) but a classifier spots its rows; sequential CART is not detected.
"""

from __future__ import annotations

import dataclasses
import itertools

import pandas as pd
import pytest

import synth
from synth.evaluation import fidelity
from synth.evaluation.context import ContextError, EvaluationContext
from synth.evaluation.reference import RealReference
from synth.evaluation.utility import tstr
from synth.report import Contender, race
from synth.report.evaluation import evaluate_table
from tests.conftest import FAST_RACE as FAST


@pytest.fixture(scope="module")
def copula_vs_cart(split_small: tuple[pd.DataFrame, pd.DataFrame, synth.Schema]) -> synth.report.RaceResult:
    train, holdout, schema = split_small
    # CART with leaves of 20 rows: its privacy light is amber here, the trap's premise. At its defaults it turned
    # green on this slice once the outcome (income) was visited first (session 6), and the old rule then picked
    # it too. Labelled as the default is, so the reasons read the same.
    # exact_rules off in both: the test is about the pick, and its premise is a copula a classifier spots; with
    # exact rules the copula computes education from education-num and is no longer the clear trap on this slice.
    cart = Contender("cart", params={"min_samples_leaf": 20, "exact_rules": False}, label="Sequential CART")
    # The mixture by sex: since session 29 a lone small level of the mixture column joins its nearest level, and
    # the default mixture on this slice reads AUC 0.59 (0.62 before), no longer clearly detected; mixed by sex it
    # reads 0.70, detected, at 0.938 quality against the holdout's 0.950.
    copula = Contender("gaussian_copula", params={"exact_rules": False, "stratify": "sex"}, label="Gaussian copula")
    return race(train, holdout, [copula, cart], schema=schema, settings=FAST)


def test_the_pick_is_the_undetected_run_not_the_flattering_one(copula_vs_cart: synth.report.RaceResult) -> None:
    copula, cart = (r.evaluation for r in copula_vs_cart.runs)
    assert copula is not None and cart is not None
    # The trap: the copula scores well on the averaged quality and has the milder privacy light, so the old rule
    # (mildest light, then highest quality) picked it; yet a classifier tells its rows apart.
    # Its averaged quality reads within a point and a half of fresh real data's (0.940 against the holdout's 0.950,
    # scored at the holdout's row count since session 26; above 0.95 scored at every row before).
    reference = copula.fidelity.reference
    assert copula.quality is not None and reference is not None
    assert copula.quality > reference.overall - 0.015
    assert _level(copula.privacy_level) < _level(cart.privacy_level)
    # (0.68 against the slice's 750 holdout rows, 0.7+ against 2,250 training rows before session 15)
    assert copula.clearly_detected and copula.discriminator_auc is not None and copula.discriminator_auc > 0.6
    assert not cart.clearly_detected
    assert set(copula_vs_cart.pareto) == {"Gaussian copula", "Sequential CART"}
    assert copula_vs_cart.recommended == "Sequential CART"
    reason = copula_vs_cart.reason
    assert "trivariate accuracy" in reason and "discriminator AUC" in reason
    assert "Gaussian copula (a classifier detects it" in reason
    assert f"{cart.privacy_level} privacy verdict" in reason


def test_the_leaderboard_leads_with_the_honest_headline(copula_vs_cart: synth.report.RaceResult) -> None:
    board = copula_vs_cart.leaderboard()
    for order in ("univariate", "bivariate", "trivariate"):
        for _, row in board.iterrows():
            lo, hi = row[f"{order}_interval"]
            assert lo <= row[f"{order}_accuracy"] <= hi
    ceilings = copula_vs_cart.ceilings
    assert all(v is not None and 0.5 < v <= 1 for v in ceilings.values())
    # The ceiling is the same for every run (one holdout): shown once above the board.
    assert list(board["trivariate_ceiling"].unique()) == [ceilings["trivariate"]]
    assert board["quality"].notna().all()  # sdmetrics-style quality stays, for published numbers
    assert board.loc[0, "honest_fidelity"] < board.loc[1, "honest_fidelity"]


def test_sharing_real_only_work_does_not_change_any_score(
    split_small: tuple[pd.DataFrame, pd.DataFrame, synth.Schema], copula_vs_cart: synth.report.RaceResult
) -> None:
    train, holdout, schema = split_small
    run = copula_vs_cart.runs[1]
    assert run.synthetic is not None and run.evaluation is not None
    alone = evaluate_table(train, run.synthetic, holdout, schema=schema, settings=FAST)
    shared, own = run.evaluation.headline(), alone.headline()
    assert shared.keys() == own.keys()
    for key, value in own.items():
        if isinstance(value, float):
            assert shared[key] == pytest.approx(value, rel=1e-6, abs=1e-9), key
        else:
            assert shared[key] == value, key


def test_real_only_references_are_computed_once_per_race(
    split_small: tuple[pd.DataFrame, pd.DataFrame, synth.Schema], monkeypatch: pytest.MonkeyPatch
) -> None:
    train, holdout, schema = split_small
    fits: list[int] = []
    fit_models = tstr._fit_models
    monkeypatch.setattr(tstr, "_fit_models", lambda *a, **k: fits.append(1) or fit_models(*a, **k))
    aucs: list[int] = []
    auc = fidelity.discriminator._auc
    monkeypatch.setattr(fidelity.discriminator, "_auc", lambda *a, **k: aucs.append(1) or auc(*a, **k))
    contenders = [Contender("independent", random_state=s) for s in range(3)]
    # The full cross-validated detection is opt-in: switched on here so that its real-vs-real part is counted too.
    settings = dataclasses.replace(FAST, detection=True)
    result = race(train, holdout, contenders, schema=schema, n_rows=800, settings=settings)
    assert all(r.ok and not r.evaluation.errors for r in result.runs if r.evaluation is not None)
    assert len(fits) == 1 + 3  # one TRTR fit for the race, one TSTR fit per run
    assert len(aucs) == 1 + 3  # one real-vs-real discriminator, one per run
    assert result.reference is not None
    computed = result.reference.computed
    assert computed["trtr_models"] == 1 and computed["detection_reference"] == 1
    assert computed["discriminator_reference"] == 1 and computed["encoder"] == 1
    assert computed["privacy"] == 2  # the holdout's neighbours in train, and the isolation of the targets


def test_a_context_refuses_a_reference_of_other_tables(
    split_small: tuple[pd.DataFrame, pd.DataFrame, synth.Schema],
) -> None:
    train, holdout, schema = split_small
    reference = RealReference(train, holdout, schema)
    with pytest.raises(ContextError, match="other real tables"):
        EvaluationContext(train.copy(), train, holdout, schema, reference=reference)
    ctx = EvaluationContext(train, train, holdout, schema, reference=reference)
    assert ctx.encoder is ctx.encoder and reference.computed["encoder"] == 1


def _level(level: str) -> int:
    return {"green": 0, "amber": 1, "grey": 2, "red": 3}[level]


def test_runs_on_the_same_spot_of_the_pareto_chart_share_one_label() -> None:
    from synth.plots.race import _shared_labels

    x_range, y_range = (0.0, 0.8), (0.0, 1.05)  # 600 pixels per unit of risk on the narrowest plot
    shown = _shared_labels(
        [("Sequential CART", 0.72, 1.0), ("Pruned CART", 0.721, 1.0), ("DP network", 0.66, 0.03)], x_range, y_range
    )
    assert shown == {"Sequential CART": "Sequential CART · Pruned CART", "Pruned CART": "", "DP network": "DP network"}
    apart = _shared_labels([("A", 0.1, 0.9), ("B", 0.5, 0.9)], x_range, y_range)
    assert apart == {"A": "A", "B": "B"}
    # 0.03 apart is 18 pixels even on the narrowest plot: two markers, two names (on leader lines if need be).
    near = _shared_labels([("A", 0.70, 0.9), ("B", 0.73, 0.9)], x_range, y_range)
    assert near == {"A": "A", "B": "B"}


def test_a_pick_made_after_more_faithful_runs_were_passed_over_does_not_claim_to_be_the_most_faithful() -> None:
    """On a messy table the DP network (fidelity 0.11) was recommended over CART runs at 1.00 whose privacy verdict
    was red, and the sentence called it "the most faithful of the front"."""
    from types import SimpleNamespace

    from synth.report.race import recommend

    def run(label: str, fidelity: float, level: str) -> SimpleNamespace:
        score = SimpleNamespace(order=3, value=fidelity, interval=None, reference=0.8)
        evaluation = SimpleNamespace(
            honest_fidelity=fidelity,
            privacy_level=level,
            clearly_detected=False,
            breaks_rules_clearly=False,
            changes_people_clearly=False,
            people_words=lambda: "",
            worst_rule=None,
            discriminator_auc=0.5,
            fidelity_level="distinguishable",
            fidelity_headline=None,
            accuracy=SimpleNamespace(orders=[score]),
            discriminator=SimpleNamespace(auc=0.5, reference_auc=0.5),
            verdict=None,
        )
        return SimpleNamespace(label=label, evaluation=evaluation)

    runs = [run("CART", 1.0, "red"), run("DP", 0.11, "green")]
    pick, reason = recommend(runs, ["CART", "DP"])  # type: ignore[arg-type]
    assert pick == "DP" and "most faithful run left on the front" in reason and "CART (red privacy verdict)" in reason
    pick, reason = recommend(runs[:1], ["CART"])  # type: ignore[arg-type]
    assert pick == "CART" and "the most faithful of the front" in reason


def test_the_pick_states_the_interval_its_verdict_reads() -> None:
    """A race on Adult recommended Pruned CART as "as good as fresh real data (trivariate accuracy 0.938, 95% CI
    0.935–0.941, vs 0.942 for the real holdout ...)": the table's own interval excluded the holdout's figure while
    the verdict, rightly, read the paired difference, whose interval held 0. The sentence now states the
    difference and its interval, so a claim of "within noise" is one a reader can check in the same sentence."""
    import re
    from types import SimpleNamespace

    from synth.evaluation.results import Interval
    from synth.report.race import recommend

    def run(label: str, gap: float, gap_iv: tuple[float, float], level: str) -> SimpleNamespace:
        score = SimpleNamespace(
            order=3,
            value=0.942 + gap,
            interval=Interval(0.935, 0.941),
            reference=0.942,
            gap=gap,
            gap_interval=Interval(*gap_iv),
        )
        evaluation = SimpleNamespace(
            honest_fidelity=0.98,
            privacy_level="green",
            clearly_detected=False,
            breaks_rules_clearly=False,
            changes_people_clearly=False,
            people_words=lambda: "",
            worst_rule=None,
            discriminator_auc=0.52,
            fidelity_level=level,
            fidelity_headline=None,
            accuracy=SimpleNamespace(orders=[score]),
            discriminator=SimpleNamespace(auc=0.52, reference_auc=0.51),
            verdict=None,
        )
        return SimpleNamespace(label=label, evaluation=evaluation)

    number = r"([+\u2212]\d\.\d{4})"  # true minus signs, as every user-facing number
    for gap_iv, level, words in (
        ((-0.009, 0.0002), "as_good_as_real", "within noise"),  # an end printed "+0.000" could read either way
        ((-0.012, -0.0002), "close", "beyond noise"),
        ((0.0001, 0.0173), "as_good_as_real", "above it beyond noise"),  # a copula on a small table, walked
    ):
        _, reason = recommend([run("Pruned CART", -0.004, gap_iv, level)], ["Pruned CART"])  # type: ignore[arg-type]
        found = re.search(rf"a difference of {number} with 95% CI {number} to {number}, ([a-z ]+);", reason)
        assert found is not None, reason
        low, high = (float(found.group(g).replace("\u2212", "-")) for g in (2, 3))
        assert (low, high) == gap_iv and found.group(4) == words
        # What the sentence claims agrees with the interval it prints.
        assert ("as good as fresh real data" in reason) == (low <= 0 <= high or low > 0)
        assert "0.935–0.941" not in reason


def _drawn_names(fig: object, width: float, height: float) -> tuple[dict[str, tuple[float, ...]], list[tuple]]:
    """The box of every run's name and of every marker on a Pareto chart, in pixels of a plot ``width × height``,
    read back from the figure as plotly draws it (``xshift`` right, ``yshift`` up; ``ax`` right, ``ay`` down)."""
    from synth.plots.labels import text_size

    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range  # type: ignore[attr-defined]

    def pixel(x: float, y: float) -> tuple[float, float]:
        return (x - x0) / (x1 - x0) * width, (y1 - y) / (y1 - y0) * height

    names = {}
    for note in fig.layout.annotations:  # type: ignore[attr-defined]
        if note.xref != "x":
            continue  # the key under a numbered chart
        px, py = pixel(note.x, note.y)
        if note.showarrow:
            cx, cy = px + note.ax, py + note.ay
        else:
            cx, cy = px + note.xshift, py - note.yshift
        w, h = text_size(note.text)
        names[note.text] = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    markers = []
    for trace in fig.data:  # type: ignore[attr-defined]
        radius = trace.marker.size * (0.68 if trace.marker.symbol == "star" else 0.5)
        for x, y in zip(trace.x, trace.y, strict=True):
            px, py = pixel(x, y)
            markers.append((px - radius, py - radius, px + radius, py + radius))
    return names, markers


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_every_name_on_the_pareto_chart_is_inside_the_plot_and_clear_of_the_others_and_of_the_markers() -> None:
    """The leaderboard chart clipped the right-most run's name at the edge ("DP Bayesian networ"), printed the
    recommended run's name under its star, and printed the names of runs drawn close together (CART and Pruned
    CART, the DP networks at several ε) over each other. Each name is now an annotation placed clear of every
    other name and every marker, inside the plot, at every width the page stretches the chart to."""
    from types import SimpleNamespace

    from synth.plots.race import PLOT_SIZE, pareto_scatter

    def run(label: str, risk: float, fidelity: float) -> SimpleNamespace:
        return SimpleNamespace(label=label, evaluation=SimpleNamespace(privacy_risk=risk, honest_fidelity=fidelity))

    runs = [
        run("Gaussian copula", 0.05, 0.74),
        run("Sequential CART", 0.10, 0.98),
        run("Pruned CART", 0.107, 0.975),  # beside Sequential CART
        run("DP Bayesian network (epsilon=0.5)", 0.02, 0.40),
        run("DP Bayesian network (epsilon=1)", 0.025, 0.44),
        run("DP Bayesian network (epsilon=5)", 0.03, 0.47),
        run("Independent marginals", 0.0, 0.42),  # on the left edge
        run("DP Bayesian network", 0.26, 0.16),  # the right-most run
    ]
    result = SimpleNamespace(
        runs=runs,
        pareto=("Independent marginals", "DP Bayesian network (epsilon=0.5)", "Gaussian copula", "Sequential CART"),
        recommended="Sequential CART",
    )
    fig = pareto_scatter(result)  # type: ignore[arg-type]
    key = [n for n in fig.layout.annotations if n.xref == "paper"]
    named = {n.text for n in fig.layout.annotations if n.xref == "x"}
    # Every run is named on the chart, or numbered there and named in the key under it.
    for r in runs:
        assert r.label in named or any(r.label in k.text for k in key), r.label
    assert "Sequential CART" in named  # the recommended run keeps its name
    for width in (PLOT_SIZE.widths[0], 700.0, 1000.0, PLOT_SIZE.widths[1]):
        for height in PLOT_SIZE.heights:
            names, markers = _drawn_names(fig, width, height)
            for a, b in itertools.combinations(names, 2):
                assert not _overlap(names[a], names[b]), (a, b, width)
            for name, box in names.items():
                assert not any(_overlap(box, m) for m in markers), (name, width)
                assert box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height, (name, width, box)
    x_low, x_high = fig.layout.xaxis.range
    y_low, y_high = fig.layout.yaxis.range
    assert x_low == 0 and x_high > 0.26 * 1.05
    assert y_low < 0.16 and y_high > 0.98


def test_names_of_runs_far_apart_sit_next_to_their_points() -> None:
    from types import SimpleNamespace

    from synth.plots.race import pareto_scatter

    def run(label: str, risk: float, fidelity: float) -> SimpleNamespace:
        return SimpleNamespace(label=label, evaluation=SimpleNamespace(privacy_risk=risk, honest_fidelity=fidelity))

    runs = [run("Gaussian copula", 0.05, 0.74), run("Pruned CART", 0.22, 1.0), run("DP Bayesian network", 0.26, 0.16)]
    result = SimpleNamespace(runs=runs, pareto=("Gaussian copula", "Pruned CART"), recommended="Pruned CART")
    fig = pareto_scatter(result)  # type: ignore[arg-type]
    notes = {n.text: n for n in fig.layout.annotations}
    assert set(notes) == {r.label for r in runs}
    for r in runs:
        note = notes[r.label]
        assert not note.showarrow and (note.x, note.y) == (r.evaluation.privacy_risk, r.evaluation.honest_fidelity)
        assert abs(note.xshift) + abs(note.yshift) < 120  # touching the marker: no leader line needed
    assert notes["Pruned CART"].yshift < 0  # at the top of the plot: below its star
    assert notes["DP Bayesian network"].xshift < 0  # the right-most run: leftwards


def test_a_pile_of_runs_is_numbered_on_the_pareto_chart_and_named_in_a_key_under_it() -> None:
    """Five CART settings within a percent of each other: their names cannot all sit by their markers, so the
    ones that cannot are numbered and the key under the chart pairs each number with its run."""
    import re
    from types import SimpleNamespace

    from synth.plots.race import HEIGHT, KEY_LINE, pareto_scatter

    def run(label: str, risk: float, fidelity: float) -> SimpleNamespace:
        return SimpleNamespace(label=label, evaluation=SimpleNamespace(privacy_risk=risk, honest_fidelity=fidelity))

    runs = [
        run(f"Sequential CART (min_samples_leaf={k})", 0.28 + 0.004 * i, 0.97 + 0.005 * (i % 2))
        for i, k in enumerate((5, 10, 20, 40, 80))
    ]
    runs.append(run("DP Bayesian network", 0.02, 0.3))
    result = SimpleNamespace(runs=runs, pareto=("DP Bayesian network", runs[0].label), recommended=runs[0].label)
    fig = pareto_scatter(result)  # type: ignore[arg-type]
    on_chart = [n.text for n in fig.layout.annotations if n.xref == "x"]
    (key,) = [n.text for n in fig.layout.annotations if n.xref == "paper"]
    pairs = dict(re.findall(r"<b>(\d+)</b> ([^<]+?)(?=\s{4}|<br>|$)", key))
    assert pairs and all(number in on_chart for number in pairs)
    # Markers on one spot share a name ("A · B"); every run is named once, on the chart or in the key.
    texts = [t for t in on_chart if not t.isdigit()] + list(pairs.values())
    assert sorted(name for t in texts for name in t.split(" · ")) == sorted(r.label for r in runs)
    rows = key.count("<br>") + 1
    assert fig.layout.height == HEIGHT + KEY_LINE * rows + 9  # the figure grows by the key; the plot does not


def test_the_privacy_risk_has_a_range_that_holds_its_worst_part_and_the_chart_draws_it() -> None:
    """A race on 1,000 rows drew Pruned CART at twice Sequential CART's privacy risk (22% against 10%) as if that
    were a ranking; each part of the risk has an interval, and the worst part lies between the highest low end and
    the highest high end."""
    from types import SimpleNamespace

    from synth.plots.race import pareto_scatter
    from synth.report.evaluation import TableEvaluation

    def risk(value: float, low: float, high: float) -> SimpleNamespace:
        return SimpleNamespace(value=value, low=low, high=high)

    attacks = SimpleNamespace(
        results=[
            SimpleNamespace(criterion="singling_out", measured=True, beats_baseline=True, risk=risk(0.22, 0.05, 0.40)),
            SimpleNamespace(criterion="inference", measured=True, beats_baseline=True, risk=risk(0.08, 0.0, 0.15)),
            # not measured
            SimpleNamespace(criterion="linkability", measured=False, beats_baseline=True, risk=risk(0.9, 0.8, 1.0)),
        ]
    )
    privacy = SimpleNamespace(
        dcr_share_full_excess=0.02,
        dcr_share_full_excess_interval=(-0.01, 0.06),
        membership=SimpleNamespace(auc=SimpleNamespace(value=0.53, low=0.49, high=0.57), people=None),  # no person
    )
    ev = SimpleNamespace(privacy=privacy, attacks=attacks)
    low, high = TableEvaluation.privacy_risk_interval.fget(ev)  # type: ignore[attr-defined]
    # The worst part is singling out (0.22; closeness 0.02, membership 2·0.03): its interval, the highest ends.
    assert (low, high) == pytest.approx((0.05, 0.40))

    def run(label: str, value: float, span: tuple[float, float] | None) -> SimpleNamespace:
        evaluation = SimpleNamespace(privacy_risk=value, honest_fidelity=0.99, privacy_risk_interval=span)
        return SimpleNamespace(label=label, evaluation=evaluation)

    result = SimpleNamespace(
        runs=[run("Pruned CART", 0.22, (0.05, 0.40)), run("Sequential CART", 0.10, (0.02, 0.18))],
        pareto=("Sequential CART",),
        recommended="Sequential CART",
    )
    fig = pareto_scatter(result)  # type: ignore[arg-type]
    drawn = {trace.name: trace.error_x for trace in fig.data if trace.error_x is not None and trace.error_x.array}
    assert list(drawn["dominated"].array) == pytest.approx([0.18]) and list(
        drawn["dominated"].arrayminus
    ) == pytest.approx([0.17])
    assert list(drawn["Pareto front"].array) == pytest.approx([0.08])
    assert fig.layout.xaxis.range[1] > 0.40  # the widest whisker fits
