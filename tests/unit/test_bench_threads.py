"""``benchmarks/threads.py``: the benchmarks that import it first run with one BLAS thread (``SYNTH_BENCH_THREADS``
unset), whether run as a module (``python -m benchmarks.bench_x``) or by path (``python benchmarks/bench_x.py``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHES = [
    "bench_inference_risk",
    "bench_singling_extrapolation",
    "bench_singling_coverage",
    "bench_discriminator_columns",
    "bench_discriminator_sides",
    "bench_frontier",
    "bench_synthesizers",
    "bench_tstr_reference",
]
# The BLAS thread count numpy's libraries settled on, once the code before it has run (--help exits at parse time).
BLAS_THREADS = """
import runpy, sys
{before}
from threadpoolctl import threadpool_info
blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
print(max(blas) if blas else "no blas")
"""


def _env(**extra: str) -> dict[str, str]:
    """The environment without any thread setting or PYTHONPATH: what a user's shell may well have."""
    drop = {"PYTHONPATH", "SYNTH_BENCH_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


def _blas_threads(before: str) -> str:
    code = BLAS_THREADS.format(before=before)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("bench", BENCHES)
def test_a_bench_runs_by_path_from_anywhere(bench: str, tmp_path: Path) -> None:
    script = ROOT / "benchmarks" / f"{bench}.py"
    done = subprocess.run(
        [sys.executable, str(script), "--help"], cwd=tmp_path, env=_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:")


@pytest.mark.parametrize("bench", BENCHES)
def test_a_bench_run_as_a_module_has_one_blas_thread(bench: str) -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: numpy's default is one thread already, so the count cannot tell")
    assert _blas_threads("import numpy") not in ("1", "no blas"), "premise: numpy alone uses more than one thread"
    run_as_main = (
        f"sys.argv = ['{bench}', '--help']\n"
        f"try:\n    runpy.run_module('benchmarks.{bench}', run_name='__main__')\nexcept SystemExit:\n    pass"
    )
    assert _blas_threads(run_as_main) == "1"


def test_no_bench_sets_its_own_thread_variables() -> None:
    # threads.py is the one place a benchmark's process sets them: a copied preamble drifts from it unseen.
    own = re.compile(r"^\s*os\.environ\[_var\] = ", re.M)
    benches = [p for p in (ROOT / "benchmarks").glob("*.py") if p.name != "threads.py"]
    copies = [p.name for p in benches if own.search(p.read_text())]
    assert copies == []
