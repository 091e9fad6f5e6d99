"""``make run``'s entry point (:mod:`ui.serve`): libraries loaded before the server starts, arguments passed on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
