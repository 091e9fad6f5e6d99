"""AppTest: an order declared for the DP network the wrong way round is named on the page before the fit (Synthesize)
and the race (Race), with the order the training rows keep; the right way round says nothing."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.helpers import goto, start, upload
from tests.unit.test_order_breaches import customers


def _page(page: str) -> AppTest:
    table = customers(600)
    at = upload(
        start(), "customers.csv", table.assign(signup=table.signup.dt.strftime("%Y-%m-%d")).to_csv(index=False).encode()
    )
    goto(at, page)
    return at


def _breaches(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "is broken by" in w.value]


def test_the_synthesize_page_names_a_reversed_order() -> None:
    at = _page("synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["privbayes"]).run()
    at.multiselect(key="orders_privbayes").set_value(["last_login ≤ signup"])
    at.button(key="fit_button").click().run()
    assert not at.exception, at.exception
    (warning,) = _breaches(at)
    assert "Most rows have signup ≤ last" in warning and "declare that instead" in warning
    at.multiselect(key="orders_privbayes").set_value(["signup ≤ last_login"])
    at.button(key="fit_button").click().run()
    assert _breaches(at) == []


def test_the_race_page_names_a_reversed_order_before_the_race() -> None:
    at = _page("race")
    at.multiselect(key="race_synths").set_value(["privbayes"]).run()
    at.multiselect(key="race_declared_orders").set_value(["last_login ≤ signup"]).run()
    assert not at.exception, at.exception
    (warning,) = _breaches(at)
    assert "declare that instead" in warning
