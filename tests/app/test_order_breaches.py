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


def _fitted(at: AppTest) -> list[tuple[str, tuple]]:
    return [(m.name, tuple(map(tuple, m.params.get("declared_orders", ())))) for m in at.session_state["fitted_models"]]


def test_the_synthesize_page_names_a_reversed_order_and_fits_it_only_when_pressed_again() -> None:
    """The widget sits in the fit form, so its warning is drawn only when Fit is pressed: that first press names the
    breach and fits nothing; a second with the same orders fits them as declared."""
    at = _page("synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["privbayes"]).run()
    at.multiselect(key="orders_privbayes").set_value(["last_login ≤ signup"])
    at.button(key="fit_button").click().run()
    assert not at.exception, at.exception
    under_widget, stopped = _breaches(at)
    assert "Most rows have signup ≤ last" in under_widget and "declare that instead" in under_widget
    assert stopped.startswith("**DP Bayesian network was not fitted:**") and "press “Fit” again" in stopped
    assert _fitted(at) == []
    at.button(key="fit_button").click().run()  # pressed again, the same orders: fitted as declared
    assert not at.exception, at.exception
    assert _fitted(at) == [("privbayes", (("last_login", "signup"),))]
    assert len(_breaches(at)) == 1, "the warning under the widget stays; the fit was not stopped"
    at.multiselect(key="orders_privbayes").set_value(["signup ≤ last_login"])
    at.button(key="fit_button").click().run()
    assert _breaches(at) == []
    assert _fitted(at)[-1] == ("privbayes", (("signup", "last_login"),))


def test_a_new_breach_is_stopped_again_after_one_was_fitted_anyway() -> None:
    at = _page("synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["privbayes"]).run()
    at.multiselect(key="orders_privbayes").set_value(["last_login ≤ signup"])
    at.button(key="fit_button").click().run()
    at.button(key="fit_button").click().run()
    assert len(_fitted(at)) == 1
    both = ["last_login ≤ signup", "signup ≤ last_login"]  # another set of orders, also broken
    at.multiselect(key="orders_privbayes").set_value(both)
    at.button(key="fit_button").click().run()
    assert not at.exception, at.exception
    assert len(_fitted(at)) == 1 and any("was not fitted" in w for w in _breaches(at))


def test_the_race_page_names_a_reversed_order_before_the_race() -> None:
    at = _page("race")
    at.multiselect(key="race_synths").set_value(["privbayes"]).run()
    at.multiselect(key="race_declared_orders").set_value(["last_login ≤ signup"]).run()
    assert not at.exception, at.exception
    (warning,) = _breaches(at)
    assert "declare that instead" in warning
