"""AppTest: several synthesizers fitted at once, sampling from a chosen one, progress estimate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.app.helpers import fit, goto, start, upload
from ui.progress import MIN_STEPS_FOR_ESTIMATE, remaining_seconds, timing_words


def test_fit_two_synthesizers_and_sample_from_either() -> None:
    at = goto(start(), "synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["independent", "gaussian_copula"]).run()
    at.button(key="fit_button").click().run()
    assert not at.exception
    models = at.session_state["fitted_models"]
    assert [m.name for m in models] == ["independent", "gaussian_copula"]
    assert all(m.model.is_fitted for m in models)
    assert at.session_state["fitted"].name == "gaussian_copula"

    goto(at, "sample")
    picker = at.selectbox[0]
    assert picker.label == "Model to sample from"
    picker.set_value(models[0].id).run()
    at.button(key="sample_button").click().run()
    assert not at.exception
    assert at.session_state["synthetic"].model_label == "Independent marginals"

    picker = at.selectbox[0]
    picker.set_value(models[1].id).run()
    at.button(key="sample_button").click().run()
    runs = at.session_state["synthetic_runs"]
    assert [r.model_label for r in runs] == ["Independent marginals", "Gaussian copula"]


def test_no_synthesizer_chosen_says_what_to_do() -> None:
    at = goto(start(), "synthesize")
    at.multiselect(key="synthesizer_choice").set_value([]).run()
    assert not at.exception
    assert any("at least one synthesizer" in i.value for i in at.info)


def test_refitting_a_synthesizer_replaces_only_its_own_model() -> None:
    at = goto(start(), "synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["independent", "gaussian_copula"]).run()
    at.button(key="fit_button").click().run()
    first = {m.name: m.id for m in at.session_state["fitted_models"]}
    at.multiselect(key="synthesizer_choice").set_value(["independent"]).run()
    at.button(key="fit_button").click().run()
    second = {m.name: m.id for m in at.session_state["fitted_models"]}
    assert second["gaussian_copula"] == first["gaussian_copula"]
    assert second["independent"] != first["independent"]


@pytest.mark.parametrize(
    ("fraction", "elapsed", "expected"),
    [(0.0, 5.0, None), (0.5, 0.1, None), (0.5, 4.0, 4.0), (0.25, 3.0, 9.0), (1.0, 2.0, 0.0)],
)
def test_remaining_time_estimate(fraction: float, elapsed: float, expected: float | None) -> None:
    assert remaining_seconds(fraction, elapsed) == expected


def test_the_time_left_waits_for_enough_steps() -> None:
    """Three coarse steps give no estimate (one step's pace says nothing of the next); a finer bar does."""
    assert timing_words(1 / 3, 3.0, steps=1) == "3.0 s"
    assert timing_words(2 / 3, 6.0, steps=MIN_STEPS_FOR_ESTIMATE - 1) == "6.0 s"
    assert timing_words(0.5, 4.0, steps=MIN_STEPS_FOR_ESTIMATE) == "4.0 s, about 4 s left"


def test_download_a_fitted_model_and_load_it_back() -> None:
    from ui import model_files

    at = goto(start(), "synthesize")
    at.button(key="fit_button").click().run()
    fitted = at.session_state["fitted"]
    data = model_files.to_bytes(fitted.model)
    assert data[:2] == b"PK", "a zip archive"

    fresh = goto(start(), "synthesize")
    fresh.file_uploader(key="model_upload").set_value(("model.synth", data, "application/zip")).run()
    assert not fresh.exception and not fresh.error
    loaded = fresh.session_state["fitted"]
    assert loaded.label == "Pruned CART (loaded)"  # the page's default synthesizer
    ours = fitted.model.sample(200, seed=4)
    theirs = loaded.model.sample(200, seed=4)
    assert ours.equals(theirs)


def test_a_file_that_is_not_a_model_is_refused() -> None:
    at = goto(start(), "synthesize")
    at.button(key="fit_button").click().run()
    before = at.session_state["fitted"]
    at.file_uploader(key="model_upload").set_value(("evil.synth", b"PK\x03\x04 not really", "application/zip")).run()
    assert not at.exception
    assert any("evil.synth could not be loaded" in e.value for e in at.error)
    assert at.session_state["fitted"] is before


def test_the_model_file_inventory_is_visible_text_next_to_the_download() -> None:
    at = goto(start(), "synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["cart"]).run()
    at.button(key="fit_button").click().run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "What the Sequential CART model file holds from the training data" in text
    model = at.session_state["fitted"].model
    for item in model.artifact_inventory():
        assert f"**{item.name}**" in text and item.protection in text
    assert "Donor values" in text and "min_samples_leaf" in text
    # Adult has no key, personal data or timestamp: the list says so instead of what such a file may hold.
    assert "**Generated columns**" not in text and "IBAN" not in text and "Faker" not in text
    absent = "\n".join(c.value for c in at.caption if c.value.startswith("Nothing of these kinds"))
    assert "Generated columns" in absent and "Time-of-day columns" in absent


def test_the_copulas_mixture_column_and_the_networks_key_column_can_be_named() -> None:
    at = goto(start(), "synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["gaussian_copula", "privbayes"]).run()
    stratify = at.selectbox(key="param_gaussian_copula_stratify")
    assert {"auto", "none", "sex", "income"} <= set(stratify.options)
    assert "age" not in stratify.options, "only categorical and yes/no columns are offered"
    stratify.set_value("income")
    at.selectbox(key="param_privbayes_key_column").set_value("income")
    at.button(key="fit_button").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    models = {m.name: m.model for m in at.session_state["fitted_models"]}
    assert models["gaussian_copula"].stratify_by_ == ("income",)
    assert models["privbayes"].network()[0] == ("income", [])


def test_a_small_default_reads_as_itself_not_zero() -> None:
    """Pruned CART's fixed pruning threshold (2e-4) must not read 0.000 on the page, nor step by 0.01."""
    at = goto(start(), "synthesize")
    box = at.number_input(key="param_pruned_cart_prune")
    assert box.value == 2e-4
    assert box.proto.format == "%.1e" and box.proto.step == 1e-4


def test_the_exact_rules_a_model_found_are_listed_under_it() -> None:
    rng = np.random.default_rng(0)
    n = 400
    date = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
    a, b = rng.integers(0, 50, n), rng.integers(0, 80, n)
    table = pd.DataFrame(
        {"date": date.strftime("%Y-%m-%d"), "yr": date.year - 2021, "mnth": date.month, "a": a, "b": b, "total": a + b}
    )
    at = upload(start(), "rules.csv", table.to_csv(index=False).encode())
    fit(at, "independent")  # no rules: no caption
    assert not any("Exact rules" in c.value for c in at.caption)
    fit(at, "gaussian_copula")
    shown = [c.value for c in at.caption if "Exact rules" in c.value]
    assert len(shown) == 1, [c.value for c in at.caption]
    for rule in ("yr = year of date − 2021", "mnth = month of date", "total = a + b"):
        assert rule in shown[0], shown[0]


def test_the_orders_a_model_keeps_are_listed_under_it() -> None:
    rng = np.random.default_rng(0)
    n = 600
    people = rng.integers(5, 3_000, n)
    table = pd.DataFrame(
        {
            "region": rng.choice(["north", "south"], n),
            "people": people,
            "households": np.maximum(1, np.round(people * rng.uniform(0.2, 0.5, n))).astype(int),
        }
    )
    at = upload(start(), "blocks.csv", table.to_csv(index=False).encode())
    fit(at, "independent")  # keeps no order: no caption
    assert not any("Orders kept" in c.value for c in at.caption)
    fit(at, "pruned_cart")
    shown = [c.value for c in at.caption if "Orders kept" in c.value]
    assert len(shown) == 1 and "households ≤ people" in shown[0], [c.value for c in at.caption]


def test_the_ranges_a_model_keeps_are_listed_under_it() -> None:
    from tests.unit.test_category_ranges import offices

    at = upload(start(), "offices.csv", offices(800).to_csv(index=False).encode())
    fit(at, "independent")  # keeps no range: no caption
    assert not any("Ranges kept" in c.value for c in at.caption)
    fit(at, "gaussian_copula")
    shown = [c.value for c in at.caption if "Ranges kept" in c.value]
    assert len(shown) == 1, [c.value for c in at.caption]
    assert "office_lat and office_lon within each office's range (3 offices)" in shown[0], shown[0]
    holds = [m.value for m in at.markdown if "**Category ranges**" in m.value]
    assert holds, "the model file's list does not name the ranges"


def test_the_columns_a_model_keeps_missing_together_are_listed_under_it() -> None:
    from tests.unit.test_missing_together import coordinates

    at = upload(start(), "coordinates.csv", coordinates(800).to_csv(index=False).encode())
    fit(at, "independent")  # keeps no group: no caption
    assert not any("Missing together" in c.value for c in at.caption)
    fit(at, "cart")
    shown = [c.value for c in at.caption if "Missing together" in c.value]
    assert len(shown) == 1, [c.value for c in at.caption]
    assert "office_lat and office_lon (missing on the same rows)" in shown[0], shown[0]
    holds = [m.value for m in at.markdown if "**Missing together**" in m.value]
    assert holds, "the model file's list does not name the groups"


def test_the_pairs_a_model_never_draws_are_listed_under_it() -> None:
    from tests.unit.test_zero_pairs import planted

    at = upload(start(), "households.csv", planted().to_csv(index=False).encode())
    fit(at, "independent")  # keeps no pair: no caption
    assert not any("Never together" in c.value for c in at.caption)
    fit(at, "pruned_cart")
    shown = [c.value for c in at.caption if "Never together" in c.value]
    assert len(shown) == 1, [c.value for c in at.caption]
    assert "role = husband with sex = female (never together in a training row)" in shown[0], shown[0]
    holds = [m.value for m in at.markdown if "**Impossible pairs**" in m.value]
    assert holds, "the model file's list does not name the pairs"


def test_the_calendar_a_model_keeps_is_listed_under_it() -> None:
    import numpy as np

    from tests.unit.test_calendar_pairs import _dated

    table = _dated(np.random.default_rng(10), 800, leap=False)
    at = upload(start(), "visits.csv", table.to_csv(index=False).encode())
    for name in ("independent", "cart"):  # (the independent marginals keep it too since session 30)
        fit(at, name)
        shown = [c.value for c in at.caption if "**Calendar:**" in c.value]
        assert len(shown) == 1, (name, [c.value for c in at.caption])
        assert "day never past the last day of month (no 29–31 feb; no 31 apr, jun, sep, nov)" in shown[0]
        assert any("**Calendar**" in m.value for m in at.markdown), "the model file's list does not name the calendar"


def test_the_main_settings_show_and_the_rest_fold_into_advanced() -> None:
    """Pruned CART showed fifteen settings in a row, among them 'Pruning strength', which it ignores unless
    'Pruning per row' is 0. The settings an analyst is expected to touch stay in view; the rest (defaults chosen
    by measurement) fold into 'Advanced settings', and a fit still reads them."""
    at = goto(start(), "synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["pruned_cart"]).run()
    (advanced,) = [e for e in at.expander if e.label.startswith("Advanced settings")]
    folded = {w.key for w in advanced.checkbox} | {w.key for w in advanced.number_input}
    assert {"param_pruned_cart_refine", "param_pruned_cart_prune"} <= folded
    assert "param_pruned_cart_min_samples_leaf" not in folded
    assert at.number_input(key="param_pruned_cart_min_samples_leaf").value == 40
    at.checkbox(key="param_pruned_cart_refine").uncheck()
    at.number_input(key="param_pruned_cart_min_samples_leaf").set_value(60)
    at.button(key="fit_button").click().run()
    assert not at.exception
    params = at.session_state["fitted"].params
    assert params["refine"] is False and params["min_samples_leaf"] == 60


def test_fitted_models_show_the_seed_and_only_the_settings_changed_from_the_defaults() -> None:
    # Every setting printed ("random_state=0, min_samples_leaf=40, prune_per_row=3.5, …") ran past the page's edge
    # and two models differing in one setting looked alike.
    at = goto(start(), "synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["independent", "cart"]).run()
    at.number_input(key="param_cart_min_samples_leaf").set_value(20)  # inside the form: sent with the submit
    at.button(key="fit_button").click().run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "fit time (s)" in d.value.columns).set_index("model")
    assert table.loc["Independent marginals", "settings"] == "seed 0; defaults"
    assert table.loc["Sequential CART", "settings"] == "seed 0; min_samples_leaf = 20"


def test_what_one_synthetic_person_shares_is_said_under_the_model() -> None:
    from benchmarks import walk_tables

    table = walk_tables.clinic(n=600, patients=150)[["patient_id", "sex", "department"]]
    at = upload(start(), "visits.csv", table.to_csv(index=False).encode())
    fit(at, "independent")
    shown = [c.value for c in at.caption if "One person per id" in c.value]
    assert len(shown) == 1 and "rows of one patient_id share the drawn sex" in shown[0], [c.value for c in at.caption]


def test_the_fit_holds_the_people_the_data_page_keeps_together() -> None:
    """Two notions of person in one table: the finder's patient_id, and household_id picked on the Data page. The
    fit holds the households (their region), and told no person on the Data page it holds nothing."""
    from tests.unit.test_person_column import households

    at = upload(start(), "visits.csv", households().to_csv(index=False).encode())
    assert at.session_state["dataset"].split_by == "patient_id"  # the finder's suggestion
    box = next(s for s in at.selectbox if s.label == "Keep each person's rows together")
    box.select_index(box.options.index("by household_id")).run()
    assert not at.exception, at.exception
    assert at.session_state["dataset"].split_by == "household_id"
    fit(at, "independent")
    people = at.session_state["fitted"].model.people_
    assert people is not None and people.entity == "household_id" and people.modelled == ("region",)
    shown = [c.value for c in at.caption if "One person per id" in c.value]
    assert len(shown) == 1 and "rows of one household_id share the drawn region" in shown[0], shown
    goto(at, "data")
    box = next(s for s in at.selectbox if s.label == "Keep each person's rows together")
    box.select_index(0).run()  # "no: every row is its own person"
    assert not at.exception, at.exception
    assert at.session_state["dataset"].split_by is None
    fit(at, "independent")
    assert at.session_state["fitted"].model.people_ is None
    assert not [c.value for c in at.caption if "One person per id" in c.value]
