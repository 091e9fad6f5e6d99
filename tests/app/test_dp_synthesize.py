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
    assert "capital_gain (always 0)" in warning and "age" not in warning
    at.number_input(key="param_privbayes_epsilon").set_value(3.0)
    at.button(key="fit_button").click().run()
    assert not [w for w in at.warning if "privacy noise hid" in w.value], "at ε = 3 every domain is learned"
    at.number_input(key="param_privbayes_epsilon").set_value(0.1)
    at.button(key="fit_button").click().run()
    assert not at.exception, at.exception
    (warning,) = [w.value for w in at.warning if "privacy noise hid" in w.value]
    assert "ε = 0.1" in warning and "age" in warning and "Treat as public" in warning


def test_declared_orders_are_offered_for_the_dp_network_and_kept_in_samples() -> None:
    import numpy as np
    import pandas as pd

    from tests.app.helpers import goto, sample, upload

    rng = np.random.default_rng(0)
    n = 800
    signup = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    table = pd.DataFrame(
        {
            "plan": rng.choice(["basic", "pro"], n),
            "signup": signup.strftime("%Y-%m-%d"),
            "last_order": (signup + pd.to_timedelta(rng.integers(0, 300, n), unit="D")).strftime("%Y-%m-%d"),
        }
    )
    at = upload(start(), "customers.csv", table.to_csv(index=False).encode())
    goto(at, "synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["privbayes"]).run()
    offered = at.multiselect(key="orders_privbayes")
    assert "signup ≤ last_order" in offered.options and "last_order ≤ signup" in offered.options
    assert not [o for o in offered.options if "plan" in o], "only dates with dates, numbers with numbers"
    offered.set_value(["signup ≤ last_order"])
    at.number_input(key="param_privbayes_epsilon").set_value(3.0)
    at.button(key="fit_button").click().run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "never checked against the data: signup ≤ last_order" in captions
    sample(at)
    syn = at.session_state["synthetic"].df
    first, then = pd.to_datetime(syn["signup"]), pd.to_datetime(syn["last_order"])
    both = first.notna() & then.notna()  # a private date may come out missing now and then (its missing code)
    assert both.mean() > 0.9 and (first[both] <= then[both]).all()
