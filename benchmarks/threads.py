"""One BLAS/OpenMP thread per process unless ``SYNTH_BENCH_THREADS`` says how many: imported first, before numpy.

BLAS libraries read their thread count once, when numpy loads them, so a benchmark imports this module before
anything that imports numpy; its repeats then time and draw the same way whatever else the machine runs. A script
run by path (``python benchmarks/bench_x.py``) first puts the repository on ``sys.path`` to find this module.
"""

from __future__ import annotations

import os

THREADS = os.environ.get("SYNTH_BENCH_THREADS", "1")
#: The variables the BLAS and OpenMP builds numpy, scikit-learn and numexpr may load read their thread count from.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
for _var in THREAD_VARIABLES:
    os.environ[_var] = THREADS
