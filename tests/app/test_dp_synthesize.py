"""The Synthesize page offers PrivBayes's domain settings and says what ε covers in the fitted model."""

from __future__ import annotations

from tests.app.helpers import fit, start


def test_dp_settings_are_offered_and_the_fitted_model_states_its_coverage() -> None:
    at = start()
    at = fit(at, "privbayes")
    assert at.selectbox(key="param_privbayes_public_domain").value == "none"
    assert at.number_input(key="param_privbayes_domain_share").value == 0.4
    captions = " ".join(c.value for c in at.caption)
    assert "What ε covers in this model" in captions and "domains: ε" in captions
    assert "Treated as public" not in captions, "nothing is declared public by default"
    at.selectbox(key="param_privbayes_public_domain").set_value("categories")  # inside the form: one submit
    at.button(key="fit_button").click().run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Treated as public (not protected by ε)" in captions


def test_a_domain_lost_to_the_noise_is_a_warning_on_the_page() -> None:
    at = start()
    at = fit(at, "privbayes")  # ε = 1: capital gain and loss (zero for 9 in 10 people) come out all zero
    (warning,) = [w.value for w in at.warning if "privacy noise hid" in w.value]
    assert "capital_gain (always 0.0)" in warning and "age" not in warning
    at.number_input(key="param_privbayes_epsilon").set_value(3.0)
    at.button(key="fit_button").click().run()
    assert not [w for w in at.warning if "privacy noise hid" in w.value], "at ε = 3 every domain is learned"
    at.number_input(key="param_privbayes_epsilon").set_value(0.1)
    at.button(key="fit_button").click().run()
    assert not at.exception, at.exception
    (warning,) = [w.value for w in at.warning if "privacy noise hid" in w.value]
    assert "ε = 0.1" in warning and "age" in warning and "Treat as public" in warning
