"""AppTest: the Race page takes the public ranges and labels and the orders a user declares for the DP network (the
Synthesize page's widgets), gives them to every DP run and no other, keeps them while the DP network is taken out
of the race and back, and a declaration that is not one fails the DP runs in their rows while the others are
scored."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.helpers import goto, start, upload
from tests.unit.test_declared_text import answers

EDITOR = "race_public_domains"
ORDERS = "race_declared_orders"


def _race_page(synths: list[str], epsilons: str = "") -> AppTest:
    at = upload(start(), "answers.csv", answers().to_csv(index=False).encode())
    goto(at, "race")
    at.multiselect(key="race_synths").set_value(synths)
    at.text_input(key="race_epsilons").set_value(epsilons).run()
    assert not at.exception, at.exception
    return at


def _editors(at: AppTest) -> list[list[str]]:
    """The public-domain editors on the page, as their column lists."""
    header = ["column", "kind", "public domain"]
    return [list(e.value["column"]) for e in at.dataframe if list(e.value.columns) == header]


def _type(at: AppTest, texts: dict[str, str]) -> None:
    """Type into the editor's rows (AppTest sets an editor through its edit state)."""
    (rows,) = _editors(at)
    at.session_state[EDITOR] = {
        "edited_rows": {rows.index(column): {"public domain": text} for column, text in texts.items()},
        "added_rows": [],
        "deleted_rows": [],
    }


def _run_race(at: AppTest) -> None:
    at.button(key="race_start").click().run()
    assert not at.exception, at.exception
    job = at.session_state["race_job"]
    assert job is not None and job.wait(600)
    at.run()  # the progress fragment adopts the result and reruns the app
    at.run()
    assert not at.exception, at.exception


def _orders_widgets(at: AppTest) -> list:
    return [m for m in at.multiselect if m.key == ORDERS]


def test_the_editor_is_offered_only_when_the_dp_network_races() -> None:
    at = _race_page(["cart"])
    assert _editors(at) == [] and _orders_widgets(at) == []
    at.text_input(key="race_epsilons").set_value("0.5, 3").run()  # the ε sweep alone brings the DP network in
    (rows,) = _editors(at)
    assert rows[:2] == ["q1", "q2"] and "pct_work" in rows and "region" in rows
    (orders,) = _orders_widgets(at)
    assert "q1 ≤ pct_work" in orders.options and orders.value == []
    assert not [o for o in orders.options if "region" in o], "only numbers with numbers (dates with dates)"


def test_declarations_survive_taking_the_dp_network_out_and_back_and_reach_every_dp_run() -> None:
    at = _race_page(["cart", "privbayes"], epsilons="3")
    _type(at, {"q1": "0–10"})
    at.multiselect(key=ORDERS).set_value(["q1 ≤ pct_work"]).run()
    at.multiselect(key="race_synths").set_value(["cart"])
    at.text_input(key="race_epsilons").set_value("").run()
    assert _editors(at) == [] and _orders_widgets(at) == [], "the DP network left the race"
    # A browser's session drops the state of the widgets this run did not draw. AppTest's runner keeps it (its
    # stale-widget cleanup needs a script-run context it lacks), so the test drops it as the browser does.
    for key in (EDITOR, ORDERS):
        del at.session_state[key]
    at.multiselect(key="race_synths").set_value(["cart", "privbayes"])
    at.text_input(key="race_epsilons").set_value("3").run()
    editor = next(e.value for e in at.dataframe if "public domain" in e.value.columns)
    assert dict(zip(editor["column"], editor["public domain"], strict=True))["q1"] == "0–10", "the text is back"
    assert at.multiselect(key=ORDERS).value == ["q1 ≤ pct_work"], "the order is back"
    _run_race(at)
    cart, dp, swept = at.session_state["race"].result.runs
    assert [r.status for r in (cart, dp, swept)] == ["ok", "ok", "ok"]
    for run in (dp, swept):
        params = run.model.get_params()
        assert params["public_domains"] == {"q1": (0.0, 10.0)} and params["declared_orders"] == [("q1", "pct_work")]
        syn = run.synthetic
        both = syn["q1"].notna() & syn["pct_work"].notna()
        assert both.mean() > 0.9 and (syn.loc[both, "q1"] <= syn.loc[both, "pct_work"]).all(), run.label
    assert "declared_orders" not in cart.contender.params and "public_domains" not in cart.contender.params
    assert (cart.synthetic["q1"] > cart.synthetic["pct_work"]).any(), "CART learned no order (none was given)"
    board = next(d.value for d in at.dataframe if "detection AUC" in d.value.columns)
    assert [r.replace(" ★", "") for r in board["run"]] == [
        "Sequential CART",
        "DP Bayesian network (public domains of q1; orders q1 ≤ pct_work)",
        "DP Bayesian network (epsilon=3.0; public domains of q1; orders q1 ≤ pct_work)",
    ]
    # A new table starts with nothing declared: another table's codebook and orders are not this one's.
    upload(at, "answers2.csv", answers(seed=1).to_csv(index=False).encode())
    assert at.session_state["race_domains_typed"] == {} and at.session_state["race_orders_chosen"] == ()


def test_a_declared_range_reaches_every_dp_run_and_not_cart() -> None:
    at = _race_page(["cart", "privbayes"], epsilons="3")
    _type(at, {"q1": "0–10", "region": "north, south, east, west"})
    at.run()
    assert not [w for w in at.warning if "Public ranges and labels" in w.value], "the declaration parses"
    _run_race(at)
    cart, dp, swept = at.session_state["race"].result.runs
    assert [r.status for r in (cart, dp, swept)] == ["ok", "ok", "ok"]
    declared = {"q1": (0.0, 10.0), "region": ["north", "south", "east", "west"]}
    for run in (dp, swept):
        assert run.model.get_params()["public_domains"] == declared
        q1 = run.synthetic["q1"]
        assert q1.notna().all() and q1.between(0, 10).all() and q1.nunique() > 5, "declared: not hidden at ε = 1"
    assert swept.model.get_params()["epsilon"] == 3.0
    assert "public_domains" not in cart.model.get_params() and "public_domains" not in cart.contender.params
    # The board names the DP runs that declared domains.
    board = next(d.value for d in at.dataframe if "detection AUC" in d.value.columns)
    runs = [r.replace(" ★", "") for r in board["run"]]
    assert runs == [
        "Sequential CART",
        "DP Bayesian network (public domains of q1, region)",
        "DP Bayesian network (epsilon=3.0; public domains of q1, region)",
    ]


def test_a_bad_declaration_fails_the_dp_row_and_cart_is_scored() -> None:
    at = _race_page(["cart", "privbayes"])
    _type(at, {"pct_work": "ten to 0"})
    at.run()
    (warning,) = [w.value for w in at.warning if "Public ranges and labels" in w.value]
    assert "'ten' is not a number" in warning and "DP network's runs will fail" in warning
    assert not at.button(key="race_start").disabled, "the other contenders still race"
    _run_race(at)
    board = next(d.value for d in at.dataframe if "detection AUC" in d.value.columns)
    cart, dp = board.to_dict("records")
    assert dp["status"] == "failed" and "PublicDomainError" in dp["error"] and "'ten' is not a number" in dp["error"]
    assert cart["status"] == "ok" and 0 < cart["fidelity"] <= 1 and cart["error"] == ""
