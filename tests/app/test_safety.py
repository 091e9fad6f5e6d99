"""Server safety, attacked: user-controlled names render as literal text, the "Forget my data" button really
forgets, cached user data expires, and the server's defaults (localhost only, no tracebacks) hold.

The markdown checks render every markdown-bearing element's source with markdown-it (GitHub-flavoured, with
link detection) and fail on any link or image: a page that forgot to escape a name fails them.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from streamlit.runtime.caching.cache_utils import CachedFunc
from streamlit.testing.v1 import AppTest

import synth
from tests.app.helpers import APP, start, upload
from ui import cached, cached_race, cached_rare_events, forget, state
from ui.text import md

ROOT = Path(__file__).resolve().parents[2]
EVIL_LINK = "[x](http://evil.example)"
EVIL_IMAGE = "![i](http://evil.example/i.png)"
EVIL_FILE = "[f](http://evil.example) www.evil.example.csv"
RENDER = MarkdownIt("gfm-like")


def _markdown_sources(at: AppTest) -> list[str]:
    sources: list[str] = []
    for kind in ("markdown", "caption", "success", "error", "info", "warning", "subheader", "header", "title"):
        sources += [str(e.value) for e in getattr(at, kind)]
        sources += [str(e.value) for e in getattr(at.sidebar, kind)]
    return sources


def _assert_no_links_or_images(at: AppTest) -> None:
    for source in _markdown_sources(at):
        html = RENDER.render(source)
        assert "<a " not in html and "<img" not in html, f"markdown injection rendered: {source!r} -> {html!r}"


def _evil_table() -> bytes:
    n = 200
    frame = pd.DataFrame(
        {
            EVIL_LINK: [f"id{i:04d}" for i in range(n)],  # unique: the audit names it as an identifier
            EVIL_IMAGE: ["same"] * n,  # constant: the audit names it too
            "age": [20 + i % 50 for i in range(n)],
            "city": ["Oslo", "Lima", "[c](http://evil.example)", "Pune"] * (n // 4),
        }
    )
    return frame.to_csv(index=False).encode()


def test_escaping_makes_links_and_images_literal_text() -> None:
    for name in (EVIL_LINK, EVIL_IMAGE, EVIL_FILE, "<img src=x onerror=alert(1)>", ":red[alarm] :material/home:"):
        html = RENDER.render(md(name))
        assert "<a " not in html and "<img" not in html
        text = re.sub(r"<[^>]+>", "", html).replace("\u200b", "").strip()
        assert text == name.replace("<", "&lt;").replace(">", "&gt;")


def test_hostile_file_and_column_names_render_as_literal_text() -> None:
    at = upload(start(), EVIL_FILE, _evil_table())
    assert at.session_state["dataset"].name == EVIL_FILE
    sources = _markdown_sources(at)
    assert any(md(EVIL_FILE) in s for s in sources)  # the name is shown, escaped
    assert any(md(EVIL_LINK) in s or md(EVIL_IMAGE) in s for s in sources)  # the audit names the columns
    _assert_no_links_or_images(at)


def test_a_hostile_file_name_in_an_error_message_is_escaped() -> None:
    at = upload(start(), EVIL_FILE, b"a,b\n1,2,3,4\n5,6\n")
    assert at.error and any(md(EVIL_FILE) in e.value for e in at.error)
    _assert_no_links_or_images(at)


def test_forget_my_data_clears_the_session_and_the_caches() -> None:
    # AppTest shows the sidebar on the first run only, so the session is filled in before that run.
    at = AppTest.from_file(APP, default_timeout=120)
    frame = pd.read_csv(io.BytesIO(_evil_table()))
    schema = synth.infer_schema(frame)
    train, holdout = synth.split(frame, holdout=0.2, seed=0)
    ds = state.Dataset("mine.csv", frame, schema, train, holdout)
    model = synth.create("independent").fit(train, schema)
    fitted = state.FittedModel("independent", model.label, {}, model, 0.1, ds.key)
    at.session_state["dataset"] = ds
    at.session_state["fitted"] = fitted
    at.session_state["fitted_models"] = (fitted,)
    at.run()
    assert at.session_state["dataset"].name == "mine.csv"
    cached.infer_schema(frame)  # a cached result computed from this user's table

    at.button(key="forget_my_data_button").click().run()
    assert not at.exception, at.exception
    ds = at.session_state["dataset"]
    assert ds.name == "UCI Adult (demo)" and EVIL_LINK not in ds.df.columns
    assert at.session_state["fitted"] is None and not at.session_state["fitted_models"]
    assert at.session_state["synthetic"] is None and not at.session_state["synthetic_runs"]
    assert at.session_state[forget.FORGOTTEN] is True


def test_forgetting_drops_cached_results_of_user_data(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.read_csv(io.BytesIO(_evil_table()))
    calls: list[int] = []
    real = synth.infer_schema

    def counting(df: pd.DataFrame) -> synth.Schema:
        calls.append(1)
        return real(df)

    monkeypatch.setattr(cached.synth, "infer_schema", counting)
    cached.infer_schema(frame)
    cached.infer_schema(frame)
    assert len(calls) == 1  # the second call was a cache hit
    cached.clear_user_data()
    cached.infer_schema(frame)
    assert len(calls) == 2  # recomputed: the cached result built from the user's table was dropped


def test_every_cache_of_user_data_expires_and_is_cleared_by_forget() -> None:
    modules = (cached, cached_race, cached_rare_events)  # ui.cached and the wrappers split from it
    wrappers = {name: f for module in modules for name, f in vars(module).items() if isinstance(f, CachedFunc)}
    assert len(wrappers) > 10
    for name, wrapper in wrappers.items():
        if name == "demo_table":  # the bundled demo, the same for everyone
            continue
        assert wrapper._info.ttl is not None and wrapper._info.ttl <= 24 * 3600, name
        assert wrapper in cached.USER_DATA_CACHES, f"{name} is not cleared by Forget my data"


def test_server_defaults_listen_locally_and_hide_tracebacks() -> None:
    script = (
        "from streamlit import config; config.get_config_options(force_reparse=True); "
        "print(config.get_option('server.address'), config.get_option('client.showErrorDetails'), "
        "config.get_option('server.fileWatcherType'))"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split()[-3:] == ["127.0.0.1", "none", "none"]  # (no module reloads under a running session)
    dry = subprocess.run(["make", "-n", "-W", "pyproject.toml", "run"], cwd=ROOT, capture_output=True, text=True)
    assert "--server.address 127.0.0.1" in dry.stdout, dry.stdout
    exposed = subprocess.run(["make", "-n", "run", "HOST=0.0.0.0"], cwd=ROOT, capture_output=True, text=True)
    assert "--server.address 0.0.0.0" in exposed.stdout


PLOTLY_LINK = '<a href="https://evil.example/login">Sign in again</a>'


def test_hostile_column_names_and_labels_reach_no_chart_as_markup() -> None:
    # Plotly renders <a href>, <span style> and friends in titles, ticks, legends and hover text.
    import json

    import numpy as np

    from tests.app.helpers import fit, goto, sample

    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            PLOTLY_LINK: rng.choice(['<span style="font-size:400px">X</span>', "plain", "other"], 400),
            "amount": rng.gamma(2.0, 10.0, 400).round(2),
            "group": rng.choice(["a", "b", "c"], 400),
        }
    )
    at = upload(start(), "table.csv", table.to_csv(index=False).encode())
    fit(at)
    sample(at)
    specs: list[str] = []
    for page in ("compare", "privacy", "rare_events"):
        goto(at, page)
        specs += [chart.proto.spec for chart in at.get("plotly_chart")]
        if page == "compare":  # one section at a time: every section's charts, the ML checks' too
            for section in ("Associations", "ML checks"):
                at.segmented_control(key="compare_section").set_value(section).run()
                if section == "ML checks":
                    at.toggle(key="ml_checks").set_value(True).run()
                assert not at.exception, at.exception
                specs += [chart.proto.spec for chart in at.get("plotly_chart")]
        if page == "privacy" and any(w.key == "privacy_section" for w in at.segmented_control):
            # the attacks' charts are in their own section (a table too small for the checks stops before)
            at.segmented_control(key="privacy_section").set_value("Attacks").run()
            assert not at.exception, at.exception
            specs += [chart.proto.spec for chart in at.get("plotly_chart")]
    assert specs, "the pages drew charts"
    strings: list[str] = []

    def walk(obj: object) -> None:
        if isinstance(obj, str):
            strings.append(obj)
        elif isinstance(obj, dict):
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    for spec in specs:
        walk(json.loads(spec))
    assert not [s for s in strings if "<a" in s or "<span" in s]
    assert any("&lt;a href=" in s for s in strings), "the column is charted, its name shown as text"


def test_an_external_table_and_its_report_show_hostile_names_as_text(adult: pd.DataFrame) -> None:
    # Another tool's output, from whoever sent it: its file name and an extra column name are theirs to choose.
    from tests.app.helpers import goto

    part = adult.sample(1500, random_state=1).reset_index(drop=True)
    at = upload(start(), "adult_part.csv", part.to_csv(index=False).encode("utf-8"))
    goto(at, "race")
    hostile = part.sample(800, random_state=2).reset_index(drop=True).drop(columns=["fnlwgt"])
    hostile[EVIL_IMAGE] = 1
    at.file_uploader(key="external_upload").set_value(
        (EVIL_FILE, hostile.to_csv(index=False).encode("utf-8"), "text/csv")
    ).run()
    assert not at.exception, at.exception
    sources = _markdown_sources(at)
    assert any(md(EVIL_FILE) in s for s in sources) and any(md(EVIL_IMAGE) in s for s in sources)
    _assert_no_links_or_images(at)
    goto(at, "report")  # the data card names the run after the file
    assert not at.exception, at.exception
    assert any(md(EVIL_FILE) in s for s in _markdown_sources(at))
    _assert_no_links_or_images(at)


def test_evaluation_contexts_stay_in_their_session_and_go_with_forget() -> None:
    # Compare's scores start on the Sample page, in threads working on the run's context: the contexts (which
    # hold the user's tables) must live in that session alone, and "Forget my data" must drop them.
    from synth.evaluation.context import EvaluationContext
    from tests.app.helpers import fit, sample, start

    first, second = start(), start()
    for at in (first, second):
        sample(fit(at, "independent"))
    mine, theirs = first.session_state["evaluation_contexts"], second.session_state["evaluation_contexts"]
    assert mine is not theirs, "two sessions share one store of evaluation contexts"
    assert len(mine) == 1 and len(theirs) == 1 and not set(mine) & set(theirs)

    # AppTest shows the sidebar (the button) on the first run only: this session holds a context before it.
    at = AppTest.from_file(APP, default_timeout=120)
    frame = pd.read_csv(io.BytesIO(_evil_table()))
    at.session_state["evaluation_contexts"] = {"mine": EvaluationContext(frame, frame)}
    at.run()
    at.button(key="forget_my_data_button").click().run()
    assert not at.exception, at.exception
    assert not at.session_state["evaluation_contexts"], "the forgotten session still holds its contexts"
    assert len(second.session_state["evaluation_contexts"]) == 1, "forgetting one session touched another"
    assert not state.DEFAULTS["evaluation_contexts"], "a context was stored in the defaults every session starts from"
