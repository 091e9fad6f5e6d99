"""Start-up time: ``import synth``, the synthesizer registry and ``synth --help`` in fresh interpreters.

Each command runs ``--repeats`` times in a new process for every source tree given (alternately, so a shared
machine's load falls on all of them alike), and the table gives the median wall seconds and the median CPU seconds
(user + system of the child): on a loaded machine wall time depends on what else runs, CPU time much less.
``import pandas`` is the floor every command that reads a table pays.

Usage::

    .venv/bin/python -m benchmarks.bench_startup                          # this checkout
    .venv/bin/python -m benchmarks.bench_startup --tree /tmp/old --tree .  # before / after, alternated
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.common import ROOT, machine, write_results

COMMANDS = {
    "import synth": ["-c", "import synth"],
    "import synth.synthesizers": ["-c", "import synth.synthesizers"],
    "synth --help": ["-m", "synth.cli", "--help"],
    "synth fit --help": ["-m", "synth.cli", "fit", "--help"],
    "import pandas (floor)": ["-c", "import pandas"],
}


def timed(args: list[str], tree: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh interpreter running ``args`` with ``tree`` first on the path."""
    import time

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(tree.resolve())}  # the child runs in /tmp: "." must mean here
    subprocess.run([sys.executable, *args], env=env, cwd="/tmp", capture_output=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", type=Path, help="a source tree to time (default: this one)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    trees: list[Path] = args.tree or [ROOT]
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {(c, str(t)): [] for c in COMMANDS for t in trees}
    for _ in range(args.repeats):
        for command, argv in COMMANDS.items():
            for tree in trees:
                runs[(command, str(tree))].append(timed(argv, tree))
    rows = []
    for (command, tree), times in runs.items():
        wall = statistics.median(t[0] for t in times)
        cpu = statistics.median(t[1] for t in times)
        rows.append({"command": command, "tree": tree, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3)})
        print(f"{command:28s} {tree:30s} wall {wall:5.2f} s   CPU {cpu:5.2f} s")
    write_results(ROOT / "benchmarks" / "results" / "startup.json", {"machine": machine(), "rows": rows})


if __name__ == "__main__":
    main()
