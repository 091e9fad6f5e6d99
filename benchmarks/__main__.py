"""Run every benchmark: `python -m benchmarks` (or `make bench`). Each prints its table and writes JSON.

Pass names to run only some, e.g. `python -m benchmarks synthesizers privacy`; `--quick` is passed on.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    flags = [a for a in argv if a.startswith("-")]
    wanted = {a for a in argv if not a.startswith("-")}
    scripts = sorted(HERE.glob("bench_*.py"))
    failed = []
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"\n=== {name} ===", flush=True)
        result = subprocess.run([sys.executable, "-m", f"benchmarks.{script.stem}", *flags], cwd=HERE.parent)
        if result.returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
