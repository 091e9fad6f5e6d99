"""Fuzzing the readers and the model loader: every mutated input loads or raises the project's error.

Each case runs in a worker subprocess under a 1.5 GB address-space limit with a per-case timeout
(:mod:`tests.fuzz.harness`); a worker that dies (a signal, the memory limit) or hangs is restarted and the
case fails. Hypothesis draws the mutations with a fixed seed (``derandomize``), so a run is reproducible and
a failure shrinks to a small case. ``SYNTH_FUZZ_EXAMPLES`` sets the cases per format (default 300: about two
thousand in all, a few minutes); ``benchmarks/bench_fuzz.py`` runs many more.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz import corpus
from tests.fuzz.harness import WorkerPool

EXAMPLES = int(os.environ.get("SYNTH_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(timeout=30.0)
    yield workers
    workers.close()


def _check(pool: WorkerPool, fmt: str, ops: list[tuple[str, int, int, int]]) -> None:
    kind, name, data = corpus.build(fmt, ops)
    outcome = pool.run(kind, name, data)
    assert outcome.ok, f"{fmt} {ops}: {outcome.outcome} {outcome.detail}"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl"])
def test_mutated_text_tables_load_or_raise_the_projects_error(pool: WorkerPool, fmt: str) -> None:
    @FUZZ
    @given(ops=corpus.st.lists(corpus.op_strategy, min_size=1, max_size=3))
    def case(ops: list[tuple[str, int, int, int]]) -> None:
        _check(pool, fmt, ops)

    case()


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_mutated_binary_tables_load_or_raise_the_projects_error(pool: WorkerPool, fmt: str) -> None:
    @FUZZ
    @given(ops=corpus.st.lists(corpus.op_strategy, min_size=1, max_size=3))
    def case(ops: list[tuple[str, int, int, int]]) -> None:
        _check(pool, fmt, ops)

    case()


def test_every_synthesizer_of_the_default_install_has_its_model_file_fuzzed() -> None:
    """A model file is an input a user uploads; the default synthesizer's was missing from the corpus."""
    import synth
    from synth.synthesizers.registry import is_peer

    assert set(corpus.MODEL_NAMES) == {n for n in synth.available() if not is_peer(n)}


@pytest.mark.parametrize("fmt", corpus.MODEL_NAMES)
def test_mutated_model_files_load_or_raise_the_projects_error(pool: WorkerPool, fmt: str) -> None:
    @settings(FUZZ, max_examples=max(EXAMPLES // 2, 10))
    @given(ops=corpus.st.lists(corpus.op_strategy, min_size=1, max_size=3))
    def case(ops: list[tuple[str, int, int, int]]) -> None:
        _check(pool, fmt, ops)

    case()


def test_the_harness_records_a_dying_worker_as_a_failure_and_restarts() -> None:
    workers = WorkerPool(timeout=30.0, memory_limit=1_500_000_000)
    try:
        died = workers.run("crash", "x", b"")
        assert not died.ok and died.outcome == "died"
        again = workers.run("table", "ok.csv", b"a,b\n1,2\n")
        assert again.ok and again.outcome == "loaded" and workers.restarts == 1
        workers.timeout = 3.0
        hung = workers.run("hang", "x", b"")
        assert not hung.ok and hung.outcome == "timeout" and workers.restarts == 2
    finally:
        workers.close()
