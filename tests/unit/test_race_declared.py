"""Public domains typed and orders chosen for the DP network in a race (synth/report/race.py): they reach every DP
run and no other, the text is parsed at each run's start, and a declaration that is not one fails the DP runs in
their rows while the others are scored."""

from __future__ import annotations

import json

import pytest

import synth
from synth.evaluation.results import to_jsonable
from synth.report import (
    Contender,
    race,
    sweep,
    takes_declared_orders,
    takes_public_domains,
    with_declared_orders,
    with_public_domains,
)
from synth.report.card import data_card, params_text
from synth.report.race import parsed_public_domains
from synth.synthesizers.dp.domains import PublicDomainError
from tests.conftest import FAST_RACE
from tests.unit.test_declared_text import SCHEMA, answers

CODEBOOK = {"q1": "0–10", "pct_work": "0 to 100", "region": "north, south, east, west"}


def test_typed_domains_reach_every_dp_contender_and_no_other() -> None:
    contenders = [Contender("cart"), Contender("privbayes"), *sweep("privbayes", "epsilon", [0.5, 3.0])]
    declared = with_public_domains(contenders, {**CODEBOOK, "q2": "  "})
    assert declared[0] == contenders[0] and "public_domains" not in declared[0].params
    for c in declared[1:]:
        assert c.params["public_domains"] == CODEBOOK, "an empty row declares nothing"
    assert [c.params.get("epsilon") for c in declared[1:]] == [None, 0.5, 3.0], "the sweep's settings are kept"
    assert with_public_domains(contenders, {"q1": ""}) == contenders
    others = ("cart", "pruned_cart", "gaussian_copula", "independent")
    assert takes_public_domains("privbayes") and not any(takes_public_domains(n) for n in others)
    # The label says which DP runs declared domains: the columns, or how many (never the domains: too long).
    assert declared[2].display == "DP Bayesian network (epsilon=0.5; public domains of q1, pct_work, region)"
    many = with_public_domains([Contender("privbayes")], {f"q{i}": "0–10" for i in range(1, 7)})
    assert many[0].display == "DP Bayesian network (public domains of 6 columns)"


def test_text_is_parsed_as_the_synthesize_page_parses_it_and_values_are_kept() -> None:
    train = answers()
    contender = Contender("privbayes", {"epsilon": 2.0, "public_domains": {**CODEBOOK, "q3": (0, 10), "q4": ""}})
    parsed = parsed_public_domains(contender, train, SCHEMA)
    assert parsed.params == {
        "epsilon": 2.0,
        "public_domains": {
            "q1": (0.0, 10.0),
            "pct_work": (0.0, 100.0),
            "region": ["north", "south", "east", "west"],
            "q3": (0, 10),
        },
    }
    assert parsed_public_domains(Contender("cart"), train, SCHEMA) == Contender("cart")
    with pytest.raises(PublicDomainError, match="'ten' is not a number"):
        parsed_public_domains(Contender("privbayes", {"public_domains": {"q1": "ten to 0"}}), train, SCHEMA)


@pytest.fixture(scope="module")
def raced() -> synth.report.RaceResult:
    train, holdout = synth.split(answers(), holdout=0.2, seed=0)
    contenders = with_public_domains(
        [Contender("independent"), Contender("privbayes"), *sweep("privbayes", "epsilon", [3.0])], CODEBOOK
    )
    bad = with_public_domains([Contender("independent"), Contender("privbayes", label="bad")], {"q1": "ten to 0"})
    outside = with_public_domains([Contender("privbayes", label="outside")], {"pct_work": "0–50"})
    return race(train, holdout, [*contenders, *bad, *outside], schema=SCHEMA, n_rows=500, settings=FAST_RACE)


def test_a_declared_range_keeps_its_column_in_every_dp_run(raced: synth.report.RaceResult) -> None:
    plain, dp, swept = raced.runs[:3]
    assert [r.status for r in (plain, dp, swept)] == ["ok", "ok", "ok"]
    expected = {"q1": (0.0, 10.0), "pct_work": (0.0, 100.0), "region": ["north", "south", "east", "west"]}
    for run in (dp, swept):
        assert run.model is not None and run.model.get_params()["public_domains"] == expected
        assert run.contender.params["public_domains"] == expected, "the run records what it fitted"
        assert run.synthetic is not None
        q1 = run.synthetic["q1"]
        assert q1.notna().all() and q1.between(0, 10).all() and q1.nunique() > 5, run.label
        assert "q1" in run.model.public_columns_  # type: ignore[attr-defined]
    assert dp.model is not None and "q2" not in dp.model.public_columns_, "an undeclared column stays private"  # type: ignore[attr-defined]
    assert swept.model is not None and swept.model.get_params()["epsilon"] == 3.0
    assert plain.model is not None and "public_domains" not in plain.model.get_params()
    # The data card and the report's settings table state the declared domains.
    card = data_card(dp, answers())
    assert "public_domains = q1 0–10; pct_work 0–100; region north/south/east/west" in card.to_markdown()
    shown = params_text(to_jsonable(dict(dp.contender.params)))  # as the HTML report's settings table writes it
    assert shown == "public_domains = q1 0–10; pct_work 0–100; region north/south/east/west"


def test_a_bad_declaration_fails_the_dp_runs_in_their_rows_and_the_others_are_scored(
    raced: synth.report.RaceResult,
) -> None:
    other, bad, outside = raced.runs[3:]
    assert (other.status, bad.status, outside.status) == ("ok", "failed", "failed")
    assert bad.error.startswith("PublicDomainError:") and "'ten' is not a number" in bad.error
    assert "outside its declared public bounds" in outside.error, "checked by the fit against the training rows"
    assert other.evaluation is not None and other.evaluation.honest_fidelity is not None
    board = raced.leaderboard()
    assert list(board["status"]) == ["ok", "ok", "ok", "ok", "failed", "failed"]
    assert board.loc[4, "error"] == bad.error
    # The failed run records the text it could not parse (the report's settings table shows it).
    saved = json.loads(json.dumps(raced.to_dict()))
    assert saved["runs"][4]["contender"]["params"] == {"public_domains": {"q1": "ten to 0"}}


def test_declared_orders_reach_every_dp_contender_and_no_other() -> None:
    contenders = [Contender("cart"), Contender("privbayes"), *sweep("privbayes", "epsilon", [0.5, 3.0])]
    declared = with_declared_orders(contenders, [("q1", "pct_work"), ("q2", "q3")])
    assert declared[0] == contenders[0] and "declared_orders" not in declared[0].params
    for c in declared[1:]:
        assert c.params["declared_orders"] == [("q1", "pct_work"), ("q2", "q3")]
    assert [c.params.get("epsilon") for c in declared[1:]] == [None, 0.5, 3.0], "the sweep's settings are kept"
    assert with_declared_orders(contenders, []) == contenders
    others = ("cart", "pruned_cart", "gaussian_copula", "independent")
    assert takes_declared_orders("privbayes") and not any(takes_declared_orders(n) for n in others)
    # The label names the orders (two at most; more are counted), after the public domains.
    both = with_public_domains(declared, {"q1": "0–10"})
    assert both[2].display == "DP Bayesian network (epsilon=0.5; public domains of q1; orders q1 ≤ pct_work, q2 ≤ q3)"
    many = with_declared_orders([Contender("privbayes")], [("q1", "q2"), ("q2", "q3"), ("q3", "q4")])
    assert many[0].display == "DP Bayesian network (orders 3)"


def test_declared_orders_hold_in_every_dp_run_and_a_bad_pair_fails_only_its_dp_runs() -> None:
    train, holdout = synth.split(answers(), holdout=0.2, seed=0)
    ordered = with_public_domains(
        with_declared_orders([Contender("independent"), *sweep("privbayes", "epsilon", [3.0])], [("q1", "pct_work")]),
        {"q1": "0–10"},
    )
    mixed = with_declared_orders([Contender("privbayes", label="mixed")], [("q1", "region")])
    missing = with_declared_orders([Contender("privbayes", label="missing")], [("q1", "nowhere")])
    result = race(train, holdout, [*ordered, *mixed, *missing], schema=SCHEMA, n_rows=500, settings=FAST_RACE)
    plain, dp, mixed_run, missing_run = result.runs
    assert [r.status for r in result.runs] == ["ok", "ok", "failed", "failed"]
    assert dp.model is not None and dp.model.get_params()["declared_orders"] == [("q1", "pct_work")]
    assert dp.contender.params["declared_orders"] == [("q1", "pct_work")], "the run records what it fitted"
    assert dp.synthetic is not None and plain.synthetic is not None
    both = dp.synthetic["q1"].notna() & dp.synthetic["pct_work"].notna()
    assert both.mean() > 0.9 and (dp.synthetic.loc[both, "q1"] <= dp.synthetic.loc[both, "pct_work"]).all()
    assert (plain.synthetic["q1"] > plain.synthetic["pct_work"]).any(), "the premise: undeclared, it is broken"
    assert "declared_orders" not in plain.contender.params
    # The fit's own messages, in the DP rows only.
    assert mixed_run.error.startswith("SynthesizerError:") and "two different dates or two different numbers" in (
        mixed_run.error
    )
    assert missing_run.error == "SynthesizerError: the declared order q1 ≤ nowhere names nowhere, not in the table"
    # The data card and the report's settings table state the orders.
    card = data_card(dp, answers()).to_markdown()
    assert "declared_orders = q1 ≤ pct_work" in card
    shown = params_text(to_jsonable(dict(dp.contender.params)))
    assert shown == "epsilon = 3.0, declared_orders = q1 ≤ pct_work, public_domains = q1 0–10"
    saved = json.loads(json.dumps(result.to_dict()))
    assert saved["runs"][2]["contender"]["params"] == {"declared_orders": [["q1", "region"]]}
