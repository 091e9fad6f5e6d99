"""The race's pick follows the honest headline, and real-only work is done once per race.

Real fits on a seeded 3,000-row slice of Adult: a Gaussian copula keeps every column's shape (high
sdmetrics-style quality, a green privacy light) but a classifier spots its rows; sequential CART is not detected.
"""

from __future__ import annotations

import dataclasses

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
    copula = Contender("gaussian_copula", params={"exact_rules": False}, label="Gaussian copula")
    return race(train, holdout, [copula, cart], schema=schema, settings=FAST)


def test_the_pick_is_the_undetected_run_not_the_flattering_one(copula_vs_cart: synth.report.RaceResult) -> None:
    copula, cart = (r.evaluation for r in copula_vs_cart.runs)
    assert copula is not None and cart is not None
    # The trap: the copula scores well on the averaged quality and has the milder privacy light, so the old rule
    # (mildest light, then highest quality) picked it; yet a classifier tells its rows apart.
    assert copula.quality is not None and copula.quality > 0.95
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

    shown = _shared_labels([("Sequential CART", 0.72, 1.0), ("Pruned CART", 0.721, 1.0), ("DP network", 0.66, 0.03)])
    assert shown == {"Sequential CART": "Sequential CART · Pruned CART", "Pruned CART": "", "DP network": "DP network"}
    apart = _shared_labels([("A", 0.1, 0.9), ("B", 0.5, 0.9)])
    assert apart == {"A": "A", "B": "B"}


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
            discriminator_auc=0.5,
            fidelity_level="distinguishable",
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
            discriminator_auc=0.52,
            fidelity_level=level,
            accuracy=SimpleNamespace(orders=[score]),
            discriminator=SimpleNamespace(auc=0.52, reference_auc=0.51),
            verdict=None,
        )
        return SimpleNamespace(label=label, evaluation=evaluation)

    number = r"([+\u2212]\d\.\d{4})"  # true minus signs, as every user-facing number
    for gap_iv, level, words in (
        ((-0.009, 0.0002), "as_good_as_real", "within noise"),  # an end printed "+0.000" could read either way
        ((-0.012, -0.0002), "close", "beyond noise"),
    ):
        _, reason = recommend([run("Pruned CART", -0.004, gap_iv, level)], ["Pruned CART"])  # type: ignore[arg-type]
        found = re.search(rf"a difference of {number} with 95% CI {number} to {number}, ([a-z ]+);", reason)
        assert found is not None, reason
        low, high = (float(found.group(g).replace("\u2212", "-")) for g in (2, 3))
        assert (low, high) == gap_iv and found.group(4) == words
        # What the sentence claims agrees with the interval it prints.
        assert ("as good as fresh real data" in reason) == (low <= 0 <= high)
        assert "0.935–0.941" not in reason


def test_every_name_on_the_pareto_chart_points_into_the_plot_and_the_star_writes_its_own() -> None:
    """The leaderboard chart clipped the right-most run's name at the edge ("DP Bayesian networ") and printed the
    recommended run's name under its star; names now point away from the edges they are near, the axes leave room,
    and the star's trace writes the recommended name, offset by the star's size."""
    from types import SimpleNamespace

    from synth.plots.race import pareto_scatter

    def run(label: str, risk: float, fidelity: float) -> SimpleNamespace:
        return SimpleNamespace(label=label, evaluation=SimpleNamespace(privacy_risk=risk, honest_fidelity=fidelity))

    runs = [
        run("Gaussian copula", 0.05, 0.74),
        run("Sequential CART", 0.10, 0.98),
        run("Pruned CART", 0.22, 1.0),
        run("DP Bayesian network", 0.26, 0.16),
        run("Independent marginals", 0.0, 0.45),
    ]
    result = SimpleNamespace(
        runs=runs, pareto=("Gaussian copula", "Sequential CART", "Pruned CART"), recommended="Pruned CART"
    )
    fig = pareto_scatter(result)  # type: ignore[arg-type]
    placed = {}
    for trace in fig.data:
        positions = trace.textposition if isinstance(trace.textposition, tuple | list) else [trace.textposition]
        for name, position in zip(trace.text or (), positions * len(trace.text or ()), strict=False):
            if name:
                placed[name] = (trace.name, position)
    assert placed["DP Bayesian network"][1].endswith("left")  # the right-most run
    assert placed["Pruned CART"] == ("recommended", "bottom left")  # top right: below and leftwards, by the star
    assert placed["Sequential CART"][1].startswith("bottom")  # at the top too
    assert placed["Independent marginals"][1] == "top right"  # on the left edge
    assert placed["Gaussian copula"][1] == "top center"  # room on both sides
    x_low, x_high = fig.layout.xaxis.range
    y_low, y_high = fig.layout.yaxis.range
    assert x_low == 0 and x_high > 0.26 * 1.05
    assert y_low < 0.16 and y_high > 1.0


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
            SimpleNamespace(criterion="singling_out", measured=True, risk=risk(0.22, 0.05, 0.40)),
            SimpleNamespace(criterion="inference", measured=True, risk=risk(0.08, 0.0, 0.15)),
            SimpleNamespace(criterion="linkability", measured=False, risk=risk(0.9, 0.8, 1.0)),  # not measured
        ]
    )
    privacy = SimpleNamespace(
        dcr_share_full_excess=0.02,
        dcr_share_full_excess_interval=(-0.01, 0.06),
        membership=SimpleNamespace(auc=SimpleNamespace(value=0.53, low=0.49, high=0.57)),
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
