"""Runs fuzz cases in worker subprocesses: a per-case timeout, and a fresh worker after any death or hang."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = ("loaded", "project_error")


@dataclass
class Outcome:
    kind: str
    name: str
    outcome: str  # loaded, project_error, unexpected, other, died, timeout
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome in ALLOWED


class WorkerPool:
    """One worker process at a time, restarted after it dies or overruns a case's timeout."""

    def __init__(self, timeout: float = 20.0, memory_limit: int = 1_500_000_000) -> None:
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.cases = 0

    def _start(self) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "SYNTH_FUZZ_MEMORY": str(self.memory_limit),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "PYTHONFAULTHANDLER": "1",
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.worker"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        ready = self._read_line(proc, 120.0)
        if ready is None or not json.loads(ready).get("ready"):
            proc.kill()
            raise RuntimeError("the fuzz worker did not start")
        return proc

    @staticmethod
    def _read_line(proc: subprocess.Popen[bytes], timeout: float) -> bytes | None:
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        buffer = b""
        fd = proc.stdout.fileno()
        while not buffer.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            buffer += chunk
        return buffer

    def run(self, kind: str, name: str, data: bytes) -> Outcome:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        proc = self.proc
        assert proc.stdin is not None
        self.cases += 1
        try:
            proc.stdin.write(json.dumps({"kind": kind, "name": name, "size": len(data)}).encode() + b"\n" + data)
            proc.stdin.flush()
        except BrokenPipeError:
            pass
        line = self._read_line(proc, self.timeout)
        if line is not None:
            detail = json.loads(line)
            return Outcome(kind, name, detail.pop("outcome"), detail)
        try:  # silent: either it died (its pipe closed) or it hangs
            proc.wait(timeout=2.0)
            outcome = "died"
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            outcome = "timeout"
        self.proc = None
        self.restarts += 1
        return Outcome(kind, name, outcome, {"returncode": proc.returncode})

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None
