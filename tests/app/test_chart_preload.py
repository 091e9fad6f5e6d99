"""The chart library is asked for in the browser's idle time once a model is fitted (ui/preload.py)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP, fit, goto, start
from ui import preload


def preload_scripts(at: AppTest) -> list[str]:
    bodies = [str(getattr(e.proto, "body", "")) for e in at.get("html")]
    return [b for b in bodies if "__synthChartsPreloaded" in b]


def test_streamlit_ships_one_chart_module_that_the_script_imports() -> None:
    chunk = preload.plotly_chunk()
    assert chunk is not None, "this Streamlit build has no PlotlyChart chunk: charts would load on first use only"
    assert (preload._STATIC_JS / chunk).is_file()
    body = preload.script(chunk)
    assert f'new URL("./{chunk}", entry.src)' in body and "requestIdleCallback" in body


@pytest.mark.parametrize(
    "name",
    [
        'PlotlyChart.x.js"); alert(1); ("',
        "PlotlyChart.x.js</script><script>alert(1)</script>",
        "../PlotlyChart.x.js",
        "https://evil.example/PlotlyChart.x.js",
        "Other.x.js",
    ],
)
def test_only_a_plain_chunk_name_reaches_the_script(name: str) -> None:
    with pytest.raises(ValueError, match="not a Streamlit chart module name"):
        preload.script(name)


def test_the_library_is_asked_for_once_a_model_is_fitted_and_never_before() -> None:
    at = start()
    assert not preload_scripts(at), "no model yet: nothing to draw charts of"
    fit(at, "independent")
    # AppTest draws the sidebar on a first run only: a new session that starts with the fitted model shows it.
    after = AppTest.from_file(APP, default_timeout=120)
    for key in ("dataset", "fitted"):
        after.session_state[key] = at.session_state[key]
    after.run()
    assert not after.exception, after.exception
    scripts = preload_scripts(after)
    assert len(scripts) == 1 and scripts[0] == preload.script(preload.plotly_chunk() or "")
    assert all(e.proto.unsafe_allow_javascript for e in after.get("html") if "__synthChartsPreloaded" in e.proto.body)


def test_the_library_is_asked_for_in_the_run_that_fits() -> None:
    # The Fit button's run sends the sidebar before the page fits: the browser loads the module during the fit.
    at = start()
    goto(at, "synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["independent"]).run()
    fitting = AppTest.from_file(APP, default_timeout=120)
    fitting.session_state["dataset"] = at.session_state["dataset"]
    fitting.session_state["fit_button"] = True  # the button's value in the run its click starts
    fitting.session_state["fitted"] = None
    fitting.run()
    assert len(preload_scripts(fitting)) == 1
