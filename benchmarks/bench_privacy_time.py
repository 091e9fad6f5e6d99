"""How long the Privacy page's verdict and the Report page's "add this run" take on the walk tables, step by step.

The browser walks measured the Privacy verdict at 8–22 s and the Report's add at 14–19 s (a progress bar stalled
~12 s) on the hr and clinic tables (2,000–3,000 rows) with CART; this times what those pages run, outside the
browser, in the order a user's walk runs it (Sample → Compare → Privacy → Report):

* ``compare`` — Compare's headline and fidelity on the run's evaluation context (the page's prefetch: accuracy,
  discriminator, fidelity), which fills the session's :class:`~synth.RealReference` the report can reuse;
* the Privacy page's checks, exactly the page's calls (:mod:`ui.privacy_checks`, run inline): ``copies``,
  ``closeness``, ``distances``, ``rare_values``, ``membership`` (with the shadow model), the singling-out attacks
  and the linkability and inference attacks of the default attacker model, then the ``verdict``; ``privacy_total``
  sums them (the verdict shows when the last has finished);
* ``report_add`` — what the Report's add runs after the Privacy page (:func:`ui.report_privacy.current_row`: the
  page's checks reused, fidelity and utility scored with the session's reference) and ``report_add_fresh`` the
  same scoring on a context of its own (what the add ran before session 26); both must give the same evaluation;
* ``report_write`` — the report the page then writes (manifest, data card, HTML), twice: the first time in a
  process and again (the page rewrites it on every change of its options).

Figures are the median of ``--repeats`` runs; the machine's load average is printed and kept beside them.

Usage::

    python -m benchmarks.bench_privacy_time    # hr and clinic, 3 repeats: benchmarks/results/privacy_time.json
    python -m benchmarks.bench_privacy_time --repeats 1 --tables hr
    python -m benchmarks.bench_privacy_time --profile 40   # also cProfile one walk a table: the 40 costliest calls
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("SYNTH_BACKGROUND_INLINE", "1")  # the page's checks run in this thread, one after another
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import synth  # noqa: E402
from benchmarks import walk_tables  # noqa: E402
from benchmarks.common import machine, tree_commit, write_results  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "privacy_time.json"
TABLES = ("hr", "clinic")
T = TypeVar("T")


@dataclasses.dataclass
class Walk:
    """One user's tables and run, as the app holds them (split by the person column it finds, CART, seed 1)."""

    name: str
    data: Any
    schema: Any
    train: Any
    holdout: Any
    split_by: str | None
    model: Any
    synthetic: Any


def prepared(name: str) -> Walk:
    """The walk table read as the walk uploaded it, split and fitted with the app's defaults."""
    from synth.schema.entities import entity_candidates, suggested_entity

    csv = getattr(walk_tables, name)().to_csv(index=False).encode("utf-8")
    data = synth.read_table(csv, name=f"{name}.csv")
    schema = synth.infer_schema(data)
    person = suggested_entity(entity_candidates(data, schema))
    by = person.column if person else None
    train, holdout = synth.split(data, holdout=0.2, seed=0, by=by)
    model = synth.create("cart").fit(train, schema, person_column=by)
    return Walk(name, data, schema, train, holdout, by, model, model.sample(len(train), seed=1))


def timed(times: dict[str, float], key: str, call: Callable[[], T]) -> T:
    start = time.perf_counter()
    value = call()
    times[key] = time.perf_counter() - start
    return value


def one_walk(walk: Walk) -> tuple[dict[str, float], dict[str, Any]]:
    """Every step's seconds on fresh session objects, and what they gave (for the sameness checks)."""
    from synth.evaluation.context import EvaluationContext
    from synth.evaluation.privacy.inputs import PrivacyInputs
    from synth.report.external import evaluate_run
    from ui import cached, privacy_attacker, privacy_checks
    from ui.cached_race import RACE_SETTINGS
    from ui.privacy_job import PrivacyJob

    times: dict[str, float] = {}
    train, holdout, schema, syn, by = walk.train, walk.holdout, walk.schema, walk.synthetic, walk.split_by
    reference = synth.RealReference(train, holdout, schema)
    context = EvaluationContext(train, syn, holdout, schema, reference=reference, person_column=by)

    def compare() -> None:
        for page_score in (cached._page_accuracy, cached._page_discriminator, cached._page_fidelity):
            page_score(context)

    timed(times, "compare", compare)

    # The Privacy page (ui.state.privacy_inputs / privacy_job, then the page's submits in its order).
    spec = (walk.model.name, dict(sorted(walk.model.get_params().items())))
    inputs = timed(
        times,
        "inputs",
        lambda: PrivacyInputs(train, holdout, syn, schema, synthesizer=spec, person_column=by),
    )
    job = PrivacyJob()
    privacy_checks.submit_base(job, inputs, (train, syn, holdout), schema)
    learned = [c for c in schema.modelled if c in syn.columns]
    chosen = privacy_attacker._defaults(walk, learned)  # type: ignore[arg-type]  # reads .schema and .train
    tasks = privacy_checks.submit_verdict_attacks(job, inputs, chosen.attacker, chosen.n_attacks, None)
    for task in job.tasks.values():
        if task.status != "done":
            raise RuntimeError(f"{task.name}: {task.error}")
        times[task.name.split("|")[0] + ("" if "|" not in task.name else f"|{task.name.split('|')[2]}")] = task.seconds
    results = [r for t in tasks for r in t.result.results]
    verdict = timed(
        times,
        "verdict",
        lambda: privacy_checks.verdict_of(
            job,
            walk.model.name,
            tasks,
            list(chosen.known),
            job.get("distances").result,  # type: ignore[union-attr]
            job.get("membership").result,  # type: ignore[union-attr]
            job.get("rare_values").result,  # type: ignore[union-attr]
            results,
        ),
    )
    times["privacy_total"] = times["inputs"] + sum(t.seconds for t in job.tasks.values()) + times["verdict"]

    # The Report's add after the Privacy page: its checks are done; fidelity and utility are scored now.
    settings = dataclasses.replace(RACE_SETTINGS, privacy=False)
    shared = "reference" in inspect.signature(evaluate_run).parameters

    def add(with_reference: bool) -> Any:
        extra = {"reference": reference} if with_reference else {}
        return evaluate_run(
            train, holdout, walk.model, syn, sample_seed=1, schema=schema, settings=settings, person_column=by, **extra
        )

    row = timed(times, "report_add", lambda: add(shared))
    fresh = timed(times, "report_add_fresh", lambda: add(False))
    same = row.run.evaluation.to_dict() == fresh.run.evaluation.to_dict()
    times["report_write_first"], times["report_write_again"] = report_write(walk, row)
    return times, {"verdict": verdict.level, "same_with_reference": same, "shared": shared}


def report_write(walk: Walk, row: Any) -> tuple[float, float]:
    """Seconds to write the report of the race holding ``row`` (as :func:`ui.cached_race.report`), twice."""
    from synth.report.card import data_card
    from synth.report.html import ReportOptions, build_report
    from synth.report.manifest import build_manifest
    from synth.report.race import finish

    race = finish([row.run], row.run.evaluation.settings)
    focus = race.runs[0].label

    def write() -> None:
        manifest = build_manifest(
            walk.data, walk.schema, race, holdout=0.2, split_seed=0, split_by=walk.split_by, name=walk.name
        )
        card = data_card(race.run(focus), walk.data, name=walk.name, split="80% train", intended_use="testing")
        build_report(
            name=walk.name,
            data=walk.data,
            schema=walk.schema,
            train=walk.train,
            holdout=walk.holdout,
            result=race,
            audit=None,
            focus=focus,
            options=ReportOptions(),
            extra={"card": card.to_dict(), "manifest": manifest},
        )

    seconds = []
    for _ in range(2):
        start = time.perf_counter()
        write()
        seconds.append(time.perf_counter() - start)
    return seconds[0], seconds[1]


def profiled(walk: Walk, lines: int) -> None:
    """One more walk under cProfile (slower than the timed ones), its costliest calls by cumulative and own time."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.runcall(one_walk, walk)
    print(f"--- {walk.name}: one walk under cProfile")
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)


STEPS = (
    ("compare", "Compare's headline and fidelity (fills the session's reference)"),
    ("inputs", "privacy inputs"),
    ("copies", "copies"),
    ("closeness", "closeness share"),
    ("distances", "distance panel"),
    ("rare_values", "rare values"),
    ("membership", "membership attacks (shadow model included)"),
    ("attacks|('singling_out',)", "singling out"),
    ("attacks|('linkability', 'inference')", "linkability and inference"),
    ("verdict", "verdict"),
    ("privacy_total", "Privacy page, every check to the verdict"),
    ("report_add", "Report add after Privacy (as the page runs it)"),
    ("report_add_fresh", "Report add, the run scored on its own"),
    ("report_write_first", "report written, first time"),
    ("report_write_again", "report written again"),
)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=TABLES)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--profile", type=int, default=0, help="print this many calls of a cProfile'd walk a table")
    args = parser.parse_args(argv)
    import ui.cached  # noqa: F401  (streamlit's loggers are set up on import)

    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)  # "no runtime": none needed
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    payload: dict[str, Any] = {"commit": tree_commit(ROOT), "repeats": args.repeats, "tables": {}}
    for name in args.tables:
        walk = prepared(name)
        runs = [one_walk(walk) for _ in range(args.repeats)]
        if args.profile:
            profiled(walk, args.profile)
        steps = {key: statistics.median(times[key] for times, _ in runs) for key in runs[0][0]}
        checks = runs[-1][1]
        payload["tables"][name] = {
            "rows": {"train": len(walk.train), "holdout": len(walk.holdout), "synthetic": len(walk.synthetic)},
            "seconds": {k: round(v, 3) for k, v in steps.items()},
            **checks,
        }
    payload["machine"] = {**machine(), "load_average_at_start": load_before}
    print(f"load average {load_before} at the start, {payload['machine']['load_average']} at the end")
    names = list(payload["tables"])
    print(f"{'step':52}" + "".join(f"{n:>10}" for n in names))
    for key, label in STEPS:
        cells = [payload["tables"][n]["seconds"].get(key) for n in names]
        print(f"{label:52}" + "".join(f"{c:>9.2f}s" if c is not None else f"{'-':>10}" for c in cells))
    for n in names:
        t = payload["tables"][n]
        print(
            f"{n}: verdict {t['verdict']}; the report add shares the session's reference: {t['shared']}, "
            f"same scores as on its own: {t['same_with_reference']}"
        )
    write_results(args.out, payload)
    return payload


if __name__ == "__main__":
    main()
