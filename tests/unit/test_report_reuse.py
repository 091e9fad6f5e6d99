"""The Report's add of the session's run does less work for the same figures (session 26: 14–19 s in a walk): the
real-only results Compare computed are reused, the package versions are read once, the bar runs to its end, and
the singling-out prior taken from precomputed logarithms is the one computed before, to the last bit."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

import synth
from synth.report import EvaluationSettings
from synth.report.external import evaluate_run

Split = tuple[pd.DataFrame, pd.DataFrame, synth.Schema]
# The add's own scoring: fidelity and utility, no privacy parts (the Privacy page's are brought in).
SCORING = EvaluationSettings(n_bootstrap=10, privacy=False, utility_rows=1000, discriminator_rows=500)


@pytest.fixture(scope="module")
def run(split_small: Split) -> tuple[synth.Synthesizer, pd.DataFrame]:
    train, _, schema = split_small
    model = synth.create("independent", random_state=3).fit(train, schema)
    return model, model.sample(len(train), seed=7)


def test_the_run_scored_with_the_session_s_reference_reads_the_same_and_computes_no_real_result_twice(
    split_small: Split, run: tuple[synth.Synthesizer, pd.DataFrame]
) -> None:
    train, holdout, schema = split_small
    model, syn = run
    reference = synth.RealReference(train, holdout, schema)
    shared = evaluate_run(
        train, holdout, model, syn, sample_seed=7, schema=schema, settings=SCORING, reference=reference
    )
    alone = evaluate_run(train, holdout, model, syn, sample_seed=7, schema=schema, settings=SCORING)
    assert shared.run.evaluation is not None and alone.run.evaluation is not None
    assert shared.run.evaluation.to_dict() == alone.run.evaluation.to_dict()
    # The real-only results went to the reference (the TRTR models, the discriminator's real-vs-real AUC)...
    built = dict(reference.computed)
    assert built.get("trtr_models") == 1 and built.get("discriminator_reference") == 1, built
    # ...and a second add of a run of the same split builds none of them again.
    again = evaluate_run(
        train, holdout, model, syn, sample_seed=7, schema=schema, settings=SCORING, reference=reference
    )
    assert dict(reference.computed) == built
    assert again.run.evaluation is not None
    assert again.run.evaluation.to_dict() == alone.run.evaluation.to_dict()


def test_a_table_scored_on_some_columns_does_not_take_the_whole_tables_reference(
    split_small: Split, run: tuple[synth.Synthesizer, pd.DataFrame]
) -> None:
    """Scores on fewer columns are another table's: reading the whole table's real-only results would mix them."""
    train, holdout, schema = split_small
    model, syn = run
    reference = synth.RealReference(train, holdout, schema)
    fewer = syn.drop(columns=["fnlwgt"])
    shared = evaluate_run(
        train, holdout, model, fewer, sample_seed=7, schema=schema, settings=SCORING, reference=reference
    )
    alone = evaluate_run(train, holdout, model, fewer, sample_seed=7, schema=schema, settings=SCORING)
    assert not reference.computed
    assert shared.run.evaluation is not None and alone.run.evaluation is not None
    assert shared.run.evaluation.to_dict() == alone.run.evaluation.to_dict()


def test_without_its_privacy_parts_the_scoring_fills_its_bar(
    split_small: Split, run: tuple[synth.Synthesizer, pd.DataFrame]
) -> None:
    """The add scores fidelity and utility only; their parts ended at 57% of the bar, which then jumped to 100%."""
    train, holdout, schema = split_small
    model, syn = run
    seen: list[tuple[float, str]] = []
    evaluate_run(
        train,
        holdout,
        model,
        syn,
        sample_seed=7,
        schema=schema,
        settings=SCORING,
        progress=lambda fraction, message: seen.append((fraction, message)),
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert seen[-2][0] >= 0.95, seen[-3:]  # utility's last report, just before "scored"
    assert max(b - a for a, b in itertools.pairwise(fractions)) < 0.3


def test_the_package_versions_are_read_once_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every report writes a manifest; the versions took ~1 s each time (every installed package's file list)."""
    from importlib import metadata

    from synth.report import manifest

    calls: list[int] = []
    lookup = metadata.packages_distributions

    def counted() -> dict[str, list[str]]:
        calls.append(1)
        return lookup()

    monkeypatch.setattr(metadata, "packages_distributions", counted)
    manifest._installed_versions.cache_clear()
    try:
        first, second = manifest.package_versions(), manifest.package_versions()
    finally:
        manifest._installed_versions.cache_clear()
    assert first == second
    assert first["synth"] == metadata.version("synth-explorer") and first["scipy"] == metadata.version("scipy")
    assert len(calls) <= 1  # only for "synth", which is installed under another name
    first["numpy"] = "changed"
    assert manifest.package_versions()["numpy"] == metadata.version("numpy")  # each caller gets its own copy
