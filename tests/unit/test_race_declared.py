"""Public domains typed for the DP network in a race (synth/report/race.py): the text reaches every DP run and no
other, is parsed at each run's start, and a declaration that is not one fails the DP runs in their rows while the
others are scored."""

from __future__ import annotations

import json

import pytest

import synth
from synth.evaluation.results import to_jsonable
from synth.report import Contender, race, sweep, takes_public_domains, with_public_domains
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
