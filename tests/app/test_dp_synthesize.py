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
    hidden = warning.split(" hold one value")[0]  # the columns listed, not the advice after them
    assert "capital_gain (always 0)" in hidden and "age" not in hidden
    at.number_input(key="param_privbayes_epsilon").set_value(3.0)
    at.button(key="fit_button").click().run()
    assert not [w for w in at.warning if "privacy noise hid" in w.value], "at ε = 3 every domain is learned"
    at.number_input(key="param_privbayes_epsilon").set_value(0.1)
    at.button(key="fit_button").click().run()
    assert not at.exception, at.exception
    (warning,) = [w.value for w in at.warning if "privacy noise hid" in w.value]
    assert "ε = 0.1" in warning and "age" in warning.split(" hold one value")[0] and "Treat as public" in warning
    assert "Public ranges and labels" in warning, "the warning names the per-column declaration the page offers"


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


def _answers_page() -> object:
    from tests.app.helpers import goto, upload
    from tests.unit.test_declared_text import answers

    at = upload(start(), "answers.csv", answers().to_csv(index=False).encode())
    goto(at, "synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["privbayes"]).run()
    return at


def _type(at: object, texts: dict[int, str]) -> None:
    """Type into the public-domain editor's rows (AppTest sets an editor through its edit state)."""
    at.session_state["public_privbayes"] = {  # type: ignore[attr-defined]
        "edited_rows": {row: {"public domain": text} for row, text in texts.items()},
        "added_rows": [],
        "deleted_rows": [],
    }


def test_public_ranges_typed_per_column_are_declared_and_keep_those_columns() -> None:
    from tests.app.helpers import sample

    at = _answers_page()
    (editor,) = [e for e in at.dataframe if list(e.value.columns) == ["column", "kind", "public domain"]]
    rows = list(editor.value["column"])
    assert rows[:2] == ["q1", "q2"] and "pct_work" in rows and (editor.value["public domain"] == "").all()
    _type(at, {rows.index("q1"): "0–10", rows.index("pct_work"): "0 to 100"})
    at.button(key="fit_button").click().run()
    assert not at.exception, at.exception
    model = at.session_state["fitted"].model
    assert model.get_params()["public_domains"] == {"q1": (0.0, 10.0), "pct_work": (0.0, 100.0)}
    captions = " ".join(c.value for c in at.caption)
    assert "Treated as public (not protected by ε)" in captions and "q1" in captions
    # The fitted models' list tells a model with declared domains from one without ("seed 0; defaults" for both).
    (fitted,) = [d.value for d in at.dataframe if "settings" in d.value.columns]
    assert list(fitted["settings"]) == ["seed 0; public_domains = q1 0–10; pct_work 0–100"], fitted
    sample(at)
    syn = at.session_state["synthetic"].df
    assert syn["q1"].between(0, 10).all() and syn["pct_work"].between(0, 100).all()
    # The undeclared answer stays private: at ε = 1 its range is lost to the noise, or released in decades (1–10).
    assert not (syn["q2"].min() == 0 and syn["q2"].max() == 10) and "q2" not in model.public_columns_


def test_a_typed_range_that_is_not_one_is_an_error_and_the_page_keeps_its_models() -> None:
    at = _answers_page()
    at.button(key="fit_button").click().run()  # a first model, everything private
    first = at.session_state["fitted"]
    assert first is not None and first.model.get_params()["public_domains"] is None
    (editor,) = [e for e in at.dataframe if list(e.value.columns) == ["column", "kind", "public domain"]]
    _type(at, {list(editor.value["column"]).index("pct_work"): "ten to 0"})
    at.button(key="fit_button").click().run()
    assert not at.exception, at.exception
    (error,) = [e.value for e in at.error]
    assert (
        "could not be fitted" in error and "'ten' is not a number" in error and "Models fitted before are kept" in error
    )
    assert at.session_state["fitted"].id == first.id and len(at.session_state["fitted_models"]) == 1
