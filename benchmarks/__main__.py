"""Run every benchmark: `python -m benchmarks` (or `make bench`). Each prints its table and writes JSON.

Pass names to run only some, e.g. `python -m benchmarks synthesizers privacy`. `--quick` is passed on to the
benchmarks that have a quick mode; the others (most: one table, minutes each) are skipped and listed, unless named,
when they run in full. Passed to every one, `--quick` stopped each without it at its argument parser.
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
    failed, skipped = [], []
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        passed = flags
        if "--quick" in flags and '"--quick"' not in script.read_text(encoding="utf-8"):
            if name not in wanted:
                skipped.append(name)
                continue
            passed = [f for f in flags if f != "--quick"]  # named: run in full
        print(f"\n=== {name} ===", flush=True)
        result = subprocess.run([sys.executable, "-m", f"benchmarks.{script.stem}", *passed], cwd=HERE.parent)
        if result.returncode:
            failed.append(name)
    if skipped:
        print(f"\nno quick mode, skipped (name one to run it in full): {', '.join(skipped)}")
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
