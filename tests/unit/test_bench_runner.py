"""`python -m benchmarks` (benchmarks/__main__.py): `--quick` reaches only the benchmarks that take it; the rest are
skipped and listed, or run in full when named. Passed to every one, it stopped each without a quick mode at its
argument parser, so `python -m benchmarks --quick` failed most of them."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from benchmarks import __main__ as runner


def _runs(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> tuple[dict[str, list[str]], int]:
    calls: dict[str, list[str]] = {}

    def fake_run(cmd: list[str], **_: Any) -> subprocess.CompletedProcess[bytes]:
        calls[cmd[2].removeprefix("benchmarks.bench_")] = cmd[3:]
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(runner.subprocess, "run", fake_run)
    return calls, runner.main(argv)


def test_quick_reaches_only_the_benchmarks_that_take_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls, code = _runs(monkeypatch, ["--quick"])
    assert code == 0
    assert calls["split"] == ["--quick"] and calls["large_sample"] == ["--quick"]
    assert "dp_declared" not in calls and "closeness" not in calls, "no quick mode: skipped"
    assert all(args == ["--quick"] for args in calls.values())
    assert "no quick mode, skipped" in capsys.readouterr().out


def test_a_named_benchmark_without_a_quick_mode_runs_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    calls, _ = _runs(monkeypatch, ["dp_declared", "split", "--quick"])
    assert calls == {"dp_declared": [], "split": ["--quick"]}


def test_every_benchmark_runs_without_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    calls, _ = _runs(monkeypatch, [])
    assert len(calls) == len(list(runner.HERE.glob("bench_*.py"))) and all(args == [] for args in calls.values())
