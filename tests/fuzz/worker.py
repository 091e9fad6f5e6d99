"""A fuzz worker: loads one hostile input after another in this process, under a memory limit.

Run as ``python -m tests.fuzz.worker``. It reads cases from stdin (a JSON header line, then the bytes) and
writes one JSON line per case: ``{"outcome": "loaded" | "project_error" | "unexpected" | "other", ...}``.
"loaded" and "project_error" are the two allowed outcomes; "unexpected" is a TableReadError built by the
readers' catch-all from an exception nobody anticipated (still a failure for the fuzzer); "other" is any other
exception. A signal death or a hang is seen by the parent (:mod:`tests.fuzz.harness`), which restarts it.

The limits are lowered to fit the worker's address-space limit: a case that stays within them must load
within the memory limit, so a bomb that gets past a check shows up as a death or a MemoryError.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

MEMORY_LIMIT = int(os.environ.get("SYNTH_FUZZ_MEMORY", str(1_500_000_000)))
LIMITS = {"max_bytes": 32 * 1024 * 1024, "max_cells": 5_000_000, "max_uncompressed_bytes": 128 * 1024 * 1024}


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    import synth
    from synth.synthesizers import persist

    persist.MAX_ARRAY_BYTES = 128 * 1024 * 1024
    persist.MAX_MANIFEST_BYTES = 16 * 1024 * 1024
    stdin, stdout = sys.stdin.buffer, sys.stdout
    tmp = Path(tempfile.mkdtemp(prefix="synth-fuzz-"))
    stdout.write(json.dumps({"ready": True}) + "\n")
    stdout.flush()
    while True:
        line = stdin.readline()
        if not line:
            return
        header = json.loads(line)
        data = stdin.read(header["size"])
        start = time.perf_counter()
        result = run_case(synth, header["kind"], header["name"], data, tmp)
        result["seconds"] = round(time.perf_counter() - start, 3)
        stdout.write(json.dumps(result) + "\n")
        stdout.flush()


def run_case(synth: Any, kind: str, name: str, data: bytes, tmp: Path) -> dict[str, Any]:
    if kind == "crash":  # the harness's own test: a real segmentation fault
        import faulthandler

        faulthandler._sigsegv()
    if kind == "hang":
        time.sleep(3600)
    try:
        if kind == "model":
            path = tmp / "case.synth"
            path.write_bytes(data)
            model = synth.load_model(path)
            try:
                rows = len(model.sample(20, seed=1))
            except synth.SynthesizerError:  # e.g. a condition no row meets: the project's own error
                rows = -1
            return {"outcome": "loaded", "rows": rows}
        df = synth.read_table(data, name=name, **LIMITS)
        return {"outcome": "loaded", "shape": list(df.shape)}
    except (synth.ModelFileError, synth.SynthesizerError) as exc:
        return {"outcome": "project_error", "type": type(exc).__name__}
    except synth.TableReadError as exc:
        if exc.code == "unexpected":
            return {"outcome": "unexpected", "message": str(exc)[:500], "trace": _cause(exc)}
        return {"outcome": "project_error", "type": type(exc).__name__, "code": exc.code}
    except BaseException as exc:  # the finding: anything else escaped
        return {"outcome": "other", "type": type(exc).__name__, "message": str(exc)[:500], "trace": _cause(exc)}


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    return "".join(traceback.format_exception(cause))[-1500:]


if __name__ == "__main__":
    main()
