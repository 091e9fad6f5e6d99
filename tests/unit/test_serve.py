"""``make run``'s entry point (:mod:`ui.serve`): libraries loaded before the server starts, arguments passed on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter (the test process has loaded everything already): Streamlit's CLI replaced by a probe that
# reports what it was handed and which libraries were loaded by then.
PROBE = """
import json, sys
from streamlit.web import cli
def probe():
    wanted = ("synth", "ui.cached", "ui.state", "sklearn.tree", "scipy.stats")
    lazy = sorted(set(sys.modules["synth"]._MODULE_OF.values()) - set(sys.modules))  # synth's names, not yet loaded
    print(json.dumps({"argv": sys.argv, "loaded": [m for m in wanted if m in sys.modules], "lazy": lazy}))
    return 0
cli.main = probe
sys.argv = ["serve", "--server.port", "8765", "--server.headless", "true"]
import ui.serve
ui.serve.main()
"""


def test_serve_loads_the_dashboards_libraries_then_runs_the_app_with_the_given_options() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["argv"] == ["streamlit", "run", "app.py", "--server.port", "8765", "--server.headless", "true"]
    assert seen["loaded"] == ["synth", "ui.cached", "ui.state", "sklearn.tree", "scipy.stats"]
    assert seen["lazy"] == []


def _data_page_computes(monkeypatch: Any) -> list[str]:
    """What the first Data page of the demo computes (not found in the caches), by name."""
    import synth
    from ui import cached, state

    computed: list[str] = []
    for name in ("audit", "infer_schema", "split"):
        real = getattr(synth, name)
        monkeypatch.setattr(synth, name, lambda *a, _f=real, _n=name, **k: computed.append(_n) or _f(*a, **k))
    ds = state.new_dataset(*cached.demo_table(), table_id=state.DEMO_ID)
    cached.column_stats(ds.id, ds.df)
    cached.audit(ds.key, ds.df, ds.schema, ds.train)
    monkeypatch.undo()
    return computed


def _clear_demo_caches() -> None:
    from ui import cached

    for wrapper in (cached.infer_schema, cached.split, cached.audit, cached.column_stats, cached.entity_candidates):
        wrapper.clear()


def test_the_server_computes_the_demo_pages_results_before_the_first_visitor(monkeypatch: Any) -> None:
    """``ui.serve.warm`` fills the caches the first Data page reads: that visitor found them all computed (the
    first page of a fresh server came 0.5 s sooner, benchmarks/bench_first_load.py)."""
    import pytest
    from streamlit.runtime import Runtime

    import ui.serve

    _clear_demo_caches()
    assert sorted(_data_page_computes(pytest.MonkeyPatch())) == ["audit", "infer_schema", "split"]  # the premise
    _clear_demo_caches()
    monkeypatch.setattr(Runtime, "exists", staticmethod(lambda: True))
    ui.serve.warm(timeout=5)
    assert _data_page_computes(pytest.MonkeyPatch()) == []


def test_warming_never_touches_the_server_when_it_fails_or_no_runtime_comes(monkeypatch: Any, caplog: Any) -> None:
    from streamlit.runtime import Runtime

    import ui.serve
    import ui.state

    called: list[int] = []
    monkeypatch.setattr(ui.state, "warm_demo", lambda: called.append(1))
    monkeypatch.setattr(Runtime, "exists", staticmethod(lambda: False))
    ui.serve.warm(timeout=0.2)
    assert called == []  # no runtime: its caches are not the sessions' ones, so nothing is computed
    monkeypatch.setattr(Runtime, "exists", staticmethod(lambda: True))
    monkeypatch.setattr(ui.state, "warm_demo", lambda: 1 / 0)
    ui.serve.warm(timeout=1)  # raises nothing
    assert "warming the demo table's caches failed" in caplog.text
