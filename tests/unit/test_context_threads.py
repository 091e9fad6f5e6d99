"""The evaluation context builds each preparation once even when threads ask at the same time, and builds
different preparations side by side (what Compare's background prefetch relies on)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from synth.evaluation.context import EvaluationContext
from synth.evaluation.reference import RealReference


def context() -> EvaluationContext:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=200), "c": rng.choice(list("abc"), 200)})
    return EvaluationContext(df.iloc[:100], df.iloc[100:150], df.iloc[150:])


def test_threads_asking_for_the_same_preparation_build_it_once() -> None:
    ctx = context()
    calls: list[int] = []

    def build(_: EvaluationContext) -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(ctx.extension("slow", build))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 6
    assert len(calls) == 1 and ctx.prepared["ext:slow"] == 1


def test_different_preparations_build_at_the_same_time() -> None:
    ctx = context()
    inside = threading.Barrier(2, timeout=5)

    def build(_: EvaluationContext) -> str:
        inside.wait()  # only passes when the other preparation is being built at the same moment
        return "done"

    first = ctx.prefetch("a", build)
    assert first is not None
    assert ctx.extension("b", build) == "done"
    first.join(5)
    assert ctx.extension("a", build) == "done" and ctx.prepared["ext:a"] == 1


def test_prefetch_starts_once_and_the_caller_waits_for_its_result() -> None:
    ctx = context()
    calls: list[int] = []

    def build(_: EvaluationContext) -> int:
        calls.append(1)
        time.sleep(0.1)
        return 7

    thread = ctx.prefetch("x", build)
    assert thread is not None and ctx.prefetch("x", build) is None
    assert ctx.extension("x", build) == 7  # waits for the background build instead of building again
    thread.join(5)
    assert len(calls) == 1
    assert ctx.prefetch("x", build) is None, "nothing starts once the value is built"


def test_an_error_in_the_background_reaches_the_caller() -> None:
    ctx = context()

    def build(_: EvaluationContext) -> int:
        raise ValueError("no column to compare")

    thread = ctx.prefetch("bad", build)
    assert thread is not None
    thread.join(5)
    with pytest.raises(ValueError, match="no column to compare"):
        ctx.extension("bad", build)


def test_a_context_still_pickles() -> None:
    import pickle

    ctx = context()
    ctx.extension("v", lambda c: 3)
    copy = pickle.loads(pickle.dumps(ctx))
    assert copy.extension("v", lambda c: 4) == 3
    assert copy.extension("w", lambda c: 5) == 5


def test_a_build_that_ends_after_close_is_not_kept_and_nothing_starts_after() -> None:
    # "Forget my data" closes the context while a prefetch may still be building from the tables.
    ctx = context()
    started, release = threading.Event(), threading.Event()

    def build(_: EvaluationContext) -> str:
        started.set()
        release.wait(5)
        return "built from the tables"

    thread = ctx.prefetch("slow", build)
    assert thread is not None and started.wait(5)
    ctx.close()
    release.set()
    thread.join(5)
    assert ctx._cache == {}, "the late result is not kept on a closed context"
    assert ctx.prefetch("other", build) is None, "a closed context starts no new work"


# ----------------------------------------------------------------------------- the shared real reference
def shared_reference() -> tuple[RealReference, EvaluationContext, EvaluationContext]:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=300), "c": rng.choice(list("abc"), 300)})
    train, holdout = df.iloc[:100], df.iloc[250:]
    ref = RealReference(train, holdout)
    first = EvaluationContext(train, df.iloc[100:150], holdout, ref.schema, reference=ref)
    second = EvaluationContext(train, df.iloc[150:250], holdout, ref.schema, reference=ref)
    return ref, first, second


def test_two_runs_sharing_a_reference_build_a_real_only_result_once_even_at_the_same_time() -> None:
    ref, first, second = shared_reference()
    calls: list[int] = []

    def build() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 11

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda c=c: results.append(c.real_once("slow", build)))
        for c in (first, second, first, second)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [11] * 4 and len(calls) == 1 and ref.computed["slow"] == 1


def test_different_real_only_results_build_at_the_same_time() -> None:
    # A run's background scores (the discriminator's real reference, the encoder...) run side by side: one lock
    # for the whole reference would make the second wait for the first, and the barrier would time out.
    _, first, second = shared_reference()
    inside = threading.Barrier(2, timeout=5)

    def build() -> str:
        inside.wait()
        return "done"

    other = threading.Thread(target=lambda: first.real_once("a", build))
    other.start()
    assert second.real_once("b", build) == "done"
    other.join(5)
    assert first.real_once("a", build) == "done"


def test_a_shared_reference_still_pickles() -> None:
    import pickle

    ref, first, _ = shared_reference()
    first.real_once("v", lambda: 3)
    copy = pickle.loads(pickle.dumps(ref))
    assert copy.once("v", lambda: 4) == 3 and copy.once("w", lambda: 5) == 5


def test_several_prefetched_builds_run_in_order_in_one_thread_and_each_once() -> None:
    ctx = context()
    ran: list[tuple[str, str]] = []
    release = threading.Event()

    def build(name: str) -> Callable[[EvaluationContext], str]:
        def run(_: EvaluationContext) -> str:
            if name == "a":
                release.wait(5)  # hold the thread on its first build while the caller takes the last one itself
            ran.append((name, threading.current_thread().name))
            return name

        return run

    thread = ctx.prefetch("a", build("a"), ("b", build("b")), ("c", build("c")))
    assert thread is not None
    assert ctx.prefetch("b", build("b")) is None, "b is already under way"
    assert ctx.extension("c", build("c")) == "c"  # not reached by the thread yet: the caller builds it
    release.set()
    thread.join(5)
    assert [n for n, _ in ran] == ["c", "a", "b"]
    background = {t for n, t in ran if n != "c"}
    assert len(background) == 1 and threading.current_thread().name not in background, "a and b in one thread"
    assert all(ctx.prepared[f"ext:{n}"] == 1 for n in "abc"), "c was not built again by the thread"


def test_a_closed_context_starts_nothing_and_stops_between_builds() -> None:
    ctx = context()
    ran: list[str] = []
    first_running, go_on = threading.Event(), threading.Event()

    def first(_: EvaluationContext) -> str:
        first_running.set()
        go_on.wait(5)
        ran.append("first")
        return "first"

    def second(_: EvaluationContext) -> str:
        ran.append("second")
        return "second"

    thread = ctx.prefetch("first", first, ("second", second))
    assert thread is not None and first_running.wait(5)
    ctx.close()
    go_on.set()
    thread.join(5)
    assert ran == ["first"], "the thread stops once its context is closed"
    assert ctx.prefetch("third", second) is None


def test_the_ml_thread_limit_leaves_blas_alone_so_other_threads_blas_calls_are_safe() -> None:
    # OpenBLAS has one thread count per process; changing it while another thread multiplies matrices can crash
    # the process (it did, in this suite). The limit may only touch OpenMP, whose setting is per thread.
    from threadpoolctl import threadpool_info

    from synth.evaluation.features import thread_limit

    def blas_threads() -> list[int]:
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    with thread_limit(1):
        inside = blas_threads()
    assert inside == before and blas_threads() == before


def test_blas_in_one_thread_survives_ml_thread_limits_in_another() -> None:
    from synth.evaluation.features import thread_limit

    stop = threading.Event()
    failures: list[BaseException] = []
    rng = np.random.default_rng(0)
    a = rng.random((400, 400), dtype=np.float32)

    def multiply() -> None:
        try:
            while not stop.is_set():
                float((a @ a).sum())
        except BaseException as exc:
            failures.append(exc)

    worker = threading.Thread(target=multiply)
    worker.start()
    try:
        for _ in range(30):
            with thread_limit(1):
                time.sleep(0.001)
    finally:
        stop.set()
        worker.join(10)
    assert not failures
