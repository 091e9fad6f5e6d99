"""The HTML/JSON report, small-cell suppression, the data card and the run manifest."""

from __future__ import annotations

import dataclasses
import html
import json
import math
import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.fidelity.distributions import column_distributions
from synth.evaluation.results import percent
from synth.evaluation.utility.rare_class import gap_words
from synth.report import ColumnCheck, Contender, EvaluationSettings, ExternalResult, RaceResult, race
from synth.report.card import data_card
from synth.report.evaluation import TableEvaluation
from synth.report.html import SECTIONS, ReportOptions, build_report
from synth.report.manifest import ManifestError, build_manifest, csv_sha256, reproduce, table_fingerprint
from synth.report.markdown import literal
from synth.report.privacy_risk import RISK_PARTS
from synth.report.suppression import folded_label, suppress
from tests.conftest import ROOT

FAST = EvaluationSettings(n_bootstrap=20, n_attacks=100, membership_targets=200, utility_rows=1500, detection_rows=800)
HOLDOUT, SEED = 0.25, 3
CONTENDERS = (Contender("cart", {"min_samples_leaf": 1, "smooth_below": 0}), Contender("privbayes", {"epsilon": 1.0}))


def with_atlantis(adult_small: pd.DataFrame) -> pd.DataFrame:
    df = adult_small.copy()
    # A person alone in their country: the report must never name that country.
    df.loc[0, "native_country"] = "Atlantis"
    return df


def raced(table: pd.DataFrame) -> tuple[synth.Schema, pd.DataFrame, pd.DataFrame, RaceResult]:
    """The report's race: CART and PrivBayes ε=1, split, fitted, sampled and scored with fixed seeds."""
    schema = synth.infer_schema(table)
    train, holdout = synth.split(table, holdout=HOLDOUT, seed=SEED)
    result = race(train, holdout, list(CONTENDERS), schema=schema, n_rows=1200, sample_seed=7, settings=FAST)
    return schema, train, holdout, result


def race_numbers(result: RaceResult) -> dict[str, object]:
    """Every number and word of a race's results by its path (JSON's types), but the clock's (fit and sample
    seconds, peak memory), and a hash of each synthetic table."""
    flat: dict[str, object] = {r.label: csv_sha256(r.synthetic) for r in result.runs if r.synthetic is not None}

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k not in ("fit_seconds", "sample_seconds", "peak_mb"):
                    walk(v, f"{path}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")
        else:
            flat[path] = value

    walk(json.loads(json.dumps(result.to_dict())), "")
    return flat


def print_race_numbers() -> None:
    """The module's race set up as the ``setup`` fixture is (its DP noise too), its numbers printed as JSON: run in
    a subprocess by :func:`test_the_race_is_the_same_in_every_process`."""
    from synth.synthesizers.dp import mechanisms
    from tests.conftest import DP_NOISE, fixture_key, read_adult, small_sample

    mechanisms.private_rng = DP_NOISE
    DP_NOISE.restart(fixture_key("setup"))
    print(json.dumps(race_numbers(raced(with_atlantis(small_sample(read_adult())))[3])))


@pytest.fixture(scope="module")
def table(adult_small: pd.DataFrame) -> pd.DataFrame:
    return with_atlantis(adult_small)


@pytest.fixture(scope="module")
def setup(table: pd.DataFrame) -> tuple[synth.Schema, pd.DataFrame, pd.DataFrame, RaceResult]:
    return raced(table)


def _report(table: pd.DataFrame, setup: tuple, **options: object) -> object:
    schema, train, holdout, result = setup
    return build_report(
        name="adult",
        data=table,
        schema=schema,
        train=train,
        holdout=holdout,
        result=result,
        audit=synth.audit(table, schema),
        options=ReportOptions(**options),  # type: ignore[arg-type]
    )


def test_every_section_is_present_with_its_charts(table: pd.DataFrame, setup: tuple) -> None:
    report = _report(table, setup)
    page = report.html  # type: ignore[attr-defined]
    for key in SECTIONS:
        assert f'<section id="{key}">' in page, key
    # plotly.js inline exactly once, and one plot call per chart
    assert page.count("Plotly.newPlot") >= 6
    assert page.count("plotly.js v") <= 2 and "cdn.plot.ly" not in page.split("</script>", 1)[1]
    assert "<script src=" not in page  # nothing fetched: opens offline
    for run in setup[3].runs:
        assert run.label in page
    assert html.escape(setup[3].reason) in page  # as the report writes text (a bucket reason quotes '(other)')
    json.dumps(report.data, allow_nan=False)  # type: ignore[attr-defined]
    # settings as a reader writes them, as on the data card (the race table printed '{"min_samples_leaf": 1, ...}')
    assert "min_samples_leaf = 1, smooth_below = 0" in page and "epsilon = 1.0" in page
    assert "{&quot;min_samples_leaf" not in page and '{"min_samples_leaf' not in page
    # The utility section judges the headline gap in words, not two bare scores (session 33's walk).
    judged = [
        f"Headline ({u.headline.model}, {u.headline.metric}): "
        + html.escape(gap_words(u.headline, u.shown_class, u.target))
        + "."
        for u in (r.evaluation.utility for r in setup[3].runs if r.evaluation is not None)
        if u is not None
    ]
    assert any(j in page for j in judged), judged


def test_the_report_text_has_no_emoji_a_pdf_printer_without_an_emoji_font_would_box(
    table: pd.DataFrame, setup: tuple
) -> None:
    """Session 18 walk: the privacy verdict's lights were coloured-circle emoji; headless Chromium on Debian has
    no emoji font, so the report PDF printed each as an empty box before "Low risk"."""
    page = _report(table, setup).html  # type: ignore[attr-defined]
    text = re.sub(r"<script.*?</script>", "", page, flags=re.S)  # plotly's own code is no text
    assert not sorted({ch for ch in text if ord(ch) >= 0x1F000}), "emoji in the report text"
    assert "● " in text


def test_the_race_table_is_the_leaderboard_cell_for_cell(table: pd.DataFrame, setup: tuple) -> None:
    """The report formatted its race table itself (other digits, other columns, its own interval text) and the Race
    page showed other strings for the same run; both now print :func:`leaderboard_text`, one table per view."""
    from html import unescape

    from synth.evaluation.results import number
    from synth.report.leaderboard import VIEWS, leaderboard_table, leaderboard_text, view_columns

    result = setup[3]
    page = _report(table, setup).html  # type: ignore[attr-defined]
    race = page.split('<section id="race">', 1)[1].split("</section>", 1)[0]
    tables = re.findall(r"<table>.*?</table>", race, flags=re.S)
    board = leaderboard_text(result)
    assert len(tables) == len(VIEWS)
    shown: set[str] = set()
    for view, html_table in zip(VIEWS, tables, strict=True):
        rows = [
            [unescape(c) for c in re.findall(r"<t[hd]>(.*?)</t[hd]>", row, flags=re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", html_table, flags=re.S)
        ]
        columns = view_columns(board, view)
        assert rows[0] == columns, view
        assert rows[1:] == board[columns].to_numpy().tolist(), view
        shown |= set(columns)
    assert shown == set(board.columns), "every leaderboard column is in the report"
    # The text is the shared formatter's, not a copy of the numbers: e.g. the quality of each run to 3 decimals.
    numbers = leaderboard_table(result)
    assert list(board["quality"]) == [number(q) for q in numbers["quality"]]
    # Numbers only: free text (a fit warning quoting a label such as 'Self-emp-inc' or a date) may hold hyphens.
    numbers_text = "".join(board.drop(columns=["run", "error", "fit warnings"]).to_numpy().ravel())
    assert "-" not in numbers_text, "true minus signs only"


def test_real_rows_are_not_printed_unless_asked(table: pd.DataFrame, setup: tuple) -> None:
    train = setup[1]
    # fnlwgt is nearly unique per person: if a real row were printed, its weight would appear.
    weights = {f">{w}<" for w in train["fnlwgt"].head(5)}
    safe = _report(table, setup).html  # type: ignore[attr-defined]
    assert not any(w in safe for w in weights)
    assert "no real row is printed" in safe
    opted = _report(table, setup, include_real_rows=True).html  # type: ignore[attr-defined]
    assert any(w in opted for w in weights)


def test_small_cells_are_suppressed_and_the_report_says_so(table: pd.DataFrame, setup: tuple) -> None:
    report = _report(table, setup, k=10, max_distributions=14)
    page = report.html  # type: ignore[attr-defined]
    assert report.suppressed_cells > 0  # type: ignore[attr-defined]
    assert "under 10 rows are suppressed" in page
    assert f"({report.suppressed_cells:,} cells here)" in page  # type: ignore[attr-defined]
    # The one-person country is in the training data but nowhere in the report or its JSON.
    assert "Atlantis" in set(setup[1]["native_country"]) or "Atlantis" in set(setup[2]["native_country"])
    assert "Atlantis" not in page
    assert "Atlantis" not in json.dumps(report.data)  # type: ignore[attr-defined]
    unsuppressed = _report(table, setup, k=1, max_distributions=14)
    assert unsuppressed.suppressed_cells == 0  # type: ignore[attr-defined]


def test_attack_examples_leave_the_json_unless_real_rows_are_allowed(table: pd.DataFrame, setup: tuple) -> None:
    safe = json.dumps(_report(table, setup).data)  # type: ignore[attr-defined]
    assert re.search(r'"examples": \[[^\]]', safe) is None
    opted = json.dumps(_report(table, setup, include_real_rows=True).data)  # type: ignore[attr-defined]
    assert re.search(r'"examples": \[[^\]]', opted) is not None


@settings(max_examples=25, deadline=None)
@given(k=st.integers(2, 30), seed=st.integers(0, 10_000))
def test_no_shown_real_cell_counts_fewer_than_k_rows(k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    real = pd.DataFrame(
        {
            "c": rng.choice(list("abcdefghij"), n, p=[0.5, 0.2, 0.1, 0.08, 0.05, 0.03, 0.02, 0.01, 0.005, 0.005]),
            "x": rng.exponential(10, n),
        }
    )
    syn = real.sample(frac=1.0, random_state=seed, replace=True).reset_index(drop=True)
    hold = real.sample(150, random_state=seed + 1).reset_index(drop=True)
    for dist in column_distributions(real, syn, hold, schema=synth.infer_schema(real)):
        safe, _ = suppress(dist, k)
        for shares, total in ((safe.real, safe.n_real), (safe.holdout, safe.n_holdout)):
            counts = [round(s * total) for s in shares if not math.isnan(s)]  # type: ignore[union-attr, operator]
            assert all(c == 0 or c >= k for c in counts)
        if not dist.numeric:
            shown = set(safe.labels) - {folded_label(k)}
            for label, share in zip(dist.labels, dist.real, strict=True):
                if 0 < round(share * dist.n_real) < k:
                    assert label not in shown


def test_data_card_states_source_epsilon_scores_limits_and_model_contents(table: pd.DataFrame, setup: tuple) -> None:
    _, _, _, result = setup
    dp = result.runs[1]
    card = data_card(dp, table, name="adult", split=f"{1 - HOLDOUT:.0%} train")
    assert card.epsilon == 1.0 and card.guarantee
    assert card.source["sha256"] == table_fingerprint(table)["sha256"] and card.source["rows"] == len(table)
    assert card.scores["quality"] == dp.evaluation.quality  # type: ignore[union-attr]
    assert card.limitations and card.model_file
    text = card.to_markdown()
    for heading in ("Intended use", "Source", "Synthesizer", "Scores", "Known limitations", "What the model file"):
        assert f"## {heading}" in text
    assert "ε = 1.0" in text
    params = next(line for line in text.splitlines() if line.startswith("- Parameters: "))
    assert "{" not in params and "epsilon = 1.0" in params, params  # not the raw dict "{'epsilon': 1.0, ...}"
    # Known limitations name the columns that fall short of fresh real data beyond noise (an ε = 1 network has some).
    lagging = dp.evaluation.lagging_columns(1)  # type: ignore[union-attr]
    assert lagging and f"{lagging[0][0]} ({lagging[0][1]:.3f} vs holdout {lagging[0][2]:.3f})" in text
    cart = data_card(result.runs[0], table)
    assert cart.epsilon is None and "Differential privacy: none" in cart.to_markdown()
    # Session 18 walk: "ML utility (TSTR vs TRTR): 0.237 vs 0.263" named neither the score nor the target.
    scored = next(r for r in result.runs if r.evaluation is not None and r.evaluation.utility is not None)
    utility = next(line for line in data_card(scored, table).to_markdown().splitlines() if "ML utility" in line)
    target = scored.evaluation.utility.target  # type: ignore[union-attr]
    assert f"predicting {target}" in utility and ("accuracy" in utility or "AUC" in utility or "R²" in utility)
    # Session 33 walk: "ROC AUC predicting fraud: 0.426 vs 0.322" (4 holdout rows of fraud = 1, both below chance)
    # read as a gap in the synthetic table's favour: the card judges the gap as the Compare page's card does.
    u = scored.evaluation.utility  # type: ignore[union-attr]
    judged = gap_words(u.headline, u.shown_class, u.target)
    assert judged and f"{u.headline.tstr:.3f} vs {u.headline.trtr:.3f}; {judged}" in utility, utility


def test_the_card_names_the_checks_that_set_the_privacy_verdict(table: pd.DataFrame, setup: tuple) -> None:
    # Session 20 walk: "Privacy verdict: amber; worst measured risk 36.1%" quoted an inference risk whose interval
    # ran 0-100% (read as noise, green) and said nothing of the singling-out risk of 12.4% that made it amber.
    _, _, _, result = setup
    lines = []
    for run in result.runs:
        verdict = run.evaluation.verdict  # type: ignore[union-attr]
        line = next(x for x in data_card(run, table).to_markdown().splitlines() if x.startswith("- Privacy verdict"))
        lines.append(line)
        # A race scores privacy on a subsample: its verdict says so (session 25: the report's amber beside the
        # Privacy page's green, for the same run).
        assert line.startswith(f"- Privacy verdict (screening on a subsample): {verdict.level}"), line
        assert run.evaluation.privacy_screening and "Privacy measured by screening: " in line, line  # type: ignore[union-attr]
        head = line.split(";")[0]
        named = set(head.split(", set by ", 1)[1].split(", ")) if ", set by " in head else set()
        assert named == {c.label.lower() for c in verdict.criteria if c.level == verdict.level != "green"}, line
        # a green one names what it left unsettled (past the amber line within noise), as the Privacy page does
        said = head.split(", not settled on ", 1)[1].split(" (past the amber")[0] if ", not settled on " in head else ""
        assert set(filter(None, said.split(", "))) == {c.label.lower() for c in verdict.unsettled}, line
        low, high = run.evaluation.privacy_risk_interval  # type: ignore[union-attr]
        assert f"95% range {percent(low)}–{percent(high)}" in line, line
    assert any("set by" in x for x in lines), "the memorising CART must not pass green"


def test_the_highest_risk_names_its_check_and_how_the_verdict_read_it(table: pd.DataFrame, setup: tuple) -> None:
    # Session 25 walk: a green card read "highest risk 8.6% (95% range 1.0%-16.1%)", an interval without 0, with
    # nothing saying it was the membership advantage of an AUC under the 0.55 amber line.
    _, _, _, result = setup
    for run in result.runs:
        ev = run.evaluation
        parts = {"closeness": ev.closeness_excess, "membership": 2 * (ev.membership_auc - 0.5)}
        parts |= {c: ev.attack_risk(c) for c in ("singling_out", "linkability", "inference")}
        worst = max((k for k, v in parts.items() if v is not None), key=lambda k: max(parts[k], 0.0))
        assert max(max(v, 0.0) for v in parts.values() if v is not None) == pytest.approx(ev.privacy_risk)
        judged = ev.verdict.get(worst)
        assert ev.privacy_risk_note == (
            f"from {RISK_PARTS[worst]}, which the verdict reads {judged.level} (thresholds: {judged.threshold})"
        )
        line = next(x for x in data_card(run, table).to_markdown().splitlines() if x.startswith("- Privacy verdict"))
        assert literal(ev.privacy_risk_note) in line, line  # escaped for Markdown, as every quoted text


def test_a_highest_risk_the_verdict_reads_as_noise_quotes_its_own_interval(table: pd.DataFrame, setup: tuple) -> None:
    """Session 31 walks: the ledger's card read "highest risk 59.1% (95% range 8.6%–100.0%) … from inference, which
    the verdict reads green", Adult's "5.6% … reads green (thresholds: green < 5.0% …)": a figure past the green
    line read green with nothing saying that inference's own interval (0.0%–94.7%) included no risk."""
    from synth.evaluation.privacy.common import Risk, success_rate
    from synth.evaluation.privacy.verdict import privacy_verdict

    _, _, _, result = setup
    scored = [r.evaluation for r in result.runs if r.evaluation is not None and r.evaluation.attacks is not None]
    ev = min(scored, key=lambda e: e.privacy_risk)  # not the memorising CART, whose copies read 100%
    noisy = Risk(value=0.591, low=0.0, high=0.947, excess=0.591, error=0.6)  # the ledger's inference of fraud

    def with_inference(count: int) -> TableEvaluation:
        """``ev`` with ``count`` measured inference attacks, each of the noisy risk, and the verdict read again."""
        # (guessing at random no better than the attack: an attack that does no better is left out of the figure)
        inference = [
            dataclasses.replace(r, risk=noisy, baseline=success_rate(0, r.baseline.n_total))
            for r in ev.attacks.results
            if r.criterion == "inference"
        ]
        assert len(inference) >= count, "premise: the race ran both inference attacks"
        others = tuple(r for r in ev.attacks.results if r.criterion != "inference")
        attacks = dataclasses.replace(ev.attacks, results=(*others, *inference[:count]))
        verdict = privacy_verdict(
            ev.privacy, attacks.results, quasi_identifiers=attacks.attacker.known, rare_values=ev.rare_values
        )
        assert verdict.get("inference").level == "green", "premise: the verdict reads the noisy risk as noise"
        return dataclasses.replace(ev, attacks=attacks, verdict=verdict)

    noisy_ev = with_inference(1)
    assert noisy_ev.privacy_risk == pytest.approx(0.591), "premise: inference gives the highest risk"
    assert noisy_ev.privacy_risk_note.startswith("from inference, which the verdict reads green (thresholds: ")
    assert noisy_ev.privacy_risk_note.endswith(
        ", within sampling noise: its own 95% interval, 0.0%–94.7%, includes no risk"
    )
    # Two attacks: the interval the verdict read is the widened one, quoted in the verdict's words.
    assert with_inference(2).privacy_risk_note.endswith(
        ", within sampling noise: widened for the 2 attacks judged, its 95% interval is 0.0%–100.0%, which "
        "includes no risk"
    )
    run = next(r for r in result.runs if r.evaluation is ev)
    line = next(
        x
        for x in data_card(dataclasses.replace(run, evaluation=noisy_ev), table).to_markdown().splitlines()
        if x.startswith("- Privacy verdict")
    )
    assert literal(noisy_ev.privacy_risk_note) in line, line


def test_privacy_measured_elsewhere_replaces_the_screening_and_says_where_it_comes_from(
    table: pd.DataFrame, setup: tuple
) -> None:
    """The Report page's own call (:func:`ui.report_privacy.with_page_privacy`), not a copy of it."""
    from ui.report_privacy import PagePrivacy, with_page_privacy

    _, _, _, result = setup
    cart, dp = result.runs[0].evaluation, result.runs[1].evaluation
    # The verdict moved in reads another light than the row's own (the two runs' verdicts read alike on one CI
    # run and apart on another: the light is set here, not left to them).
    other = next(level for level in ("green", "amber", "red") if level != cart.verdict.level)
    measured = PagePrivacy(
        dp.privacy,
        dp.attacks,
        dp.rare_values,
        dataclasses.replace(dp.verdict, level=other),
        "the Privacy page's checks",
    )
    check = ColumnCheck((), (), (), (), cart.columns)
    row = with_page_privacy(ExternalResult(check, result.runs[0]), measured)
    moved = row.run.evaluation
    assert (
        row.check is check and row.run.label == result.runs[0].label and row.run.synthetic is result.runs[0].synthetic
    )
    assert moved.privacy_level == other != cart.privacy_level and moved.membership_auc == dp.membership_auc
    assert moved.privacy_risk == dp.privacy_risk and not moved.privacy_screening
    assert moved.fidelity is cart.fidelity and moved.accuracy is cart.accuracy
    line = next(x for x in data_card(row.run, table).to_markdown().splitlines() if x.startswith("- Privacy verdict"))
    assert line.startswith(f"- Privacy verdict: {other}") and "the Privacy page's checks" in line, line
    assert "screening" not in line, line


def test_the_race_is_the_same_in_every_process(setup: tuple) -> None:
    """The module's race read PrivBayes's privacy red on one CI run and not on another, the same seeds each time:
    its DP noise was fresh OS entropy (the tests seeded it inside a test only, and a module's fixture is set up
    before), and BLAS summed the pair-trend bootstrap in an order set by its thread count (the last digit of the
    intervals differed between 1 and 2 threads). Two processes with other hash seeds and thread counts now give
    every number of the fixture's race, to the last digit."""
    threads = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", "from tests.unit.test_report import print_race_numbers as p; p()"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed, **dict.fromkeys(threads, seed)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in ("1", "2")
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err[-3000:] for _, err in outputs]
    first, second = (json.loads(out.strip().splitlines()[-1]) for out, _ in outputs)
    assert len(first) > 1000 and first == second
    assert race_numbers(setup[3]) == first, "the fixture's race is the subprocesses'"


def test_manifest_reproduces_every_table_byte_for_byte_and_the_scores(table: pd.DataFrame, setup: tuple) -> None:
    schema, _, _, result = setup
    manifest = build_manifest(table, schema, result, holdout=HOLDOUT, split_seed=SEED, name="adult")
    text = json.dumps(manifest, allow_nan=False)
    assert "Atlantis" not in text and str(table.loc[5, "fnlwgt"]) not in text.replace('"', " ").split()
    again = reproduce(text, table.copy())
    # A DP fit is never reproducible from a seed (its noise is fresh OS entropy, never saved): the manifest says so.
    private = {r["label"] for r in manifest["runs"] if r["synthesizer"] == "privbayes"}
    assert all("differentially private" in r["not_reproducible"] for r in manifest["runs"] if r["label"] in private)
    seeded = [r for r in result.runs if r.label not in private]
    assert again.identical and set(again.matches) == {r.label for r in seeded}
    for old, new in zip(seeded, again.result.runs, strict=True):
        assert csv_sha256(new.synthetic) == csv_sha256(old.synthetic)  # type: ignore[arg-type]
        a, b = old.row(), new.row()
        keys = ("quality", "trivariate_accuracy", "discriminator_auc", "tstr", "closeness", "membership_auc")
        for key in (*keys, "singling_out_risk"):
            assert a[key] == b[key], key


def test_manifest_refuses_another_table(table: pd.DataFrame, setup: tuple) -> None:
    schema, _, _, result = setup
    manifest = build_manifest(table, schema, result, holdout=HOLDOUT, split_seed=SEED)
    edited = table.copy()
    edited.loc[3, "age"] = edited.loc[3, "age"] + 1
    with pytest.raises(ManifestError, match="same shape, different values"):
        reproduce(manifest, edited)
    with pytest.raises(ManifestError, match="not a synth run manifest"):
        reproduce({"format": "other"}, table)
    with pytest.raises(ManifestError, match="not a readable run manifest"):
        reproduce("{not json", table)


def test_a_reproduced_table_that_differs_is_reported(table: pd.DataFrame, setup: tuple) -> None:
    schema, _, _, result = setup
    manifest = build_manifest(table, schema, result, holdout=HOLDOUT, split_seed=SEED)
    manifest["runs"] = manifest["runs"][:1]
    manifest["runs"][0]["synthetic_csv_sha256"] = "0" * 64
    again = reproduce(manifest, table)
    assert not again.identical and again.matches == {result.runs[0].label: False}


def test_synthetic_rows_that_copy_a_training_row_are_not_printed(table: pd.DataFrame, setup: tuple) -> None:
    schema, train, holdout, result = setup
    run = result.runs[0]
    assert run.synthetic is not None
    # A synthetic table whose first rows are verbatim training rows (as a memorising model might make).
    leaky = pd.concat([train.head(5)[run.synthetic.columns], run.synthetic], ignore_index=True)
    from dataclasses import replace

    from synth.report.race import finish

    leaky_result = finish([replace(run, synthetic=leaky)], result.settings)
    page = build_report(name="adult", data=table, schema=schema, train=train, holdout=holdout, result=leaky_result).html
    assert not any(f">{w}<" in page for w in train["fnlwgt"].head(5))
    assert "5 that copy no training row" in page


def test_a_fully_memorised_table_says_no_synthetic_row_is_shown_and_why(table: pd.DataFrame, setup: tuple) -> None:
    """Every synthetic row a training row: the section said "5 that copy no training row" over an empty table."""
    schema, train, holdout, result = setup
    run = result.runs[0]
    assert run.synthetic is not None
    from dataclasses import replace

    from synth.report.race import finish

    memorised = train.sample(600, random_state=0)[run.synthetic.columns]
    page = build_report(
        name="adult",
        data=table,
        schema=schema,
        train=train,
        holdout=holdout,
        result=finish([replace(run, synthetic=memorised.reset_index(drop=True))], result.settings),
    ).html
    rows = page[page.index('<section id="rows">') :]
    rows = rows[: rows.index("</section>")]
    assert "None: every synthetic row copies a training row on the learned columns." in rows
    assert "that copy no training row)" not in rows and "<table" not in rows
    cols = list(run.synthetic.columns)
    fresh = holdout[cols].merge(train[cols].drop_duplicates(), how="left", indicator=True)
    fresh = fresh[fresh["_merge"] == "left_only"].drop(columns="_merge").head(1)
    fewer = pd.concat([memorised.head(40), fresh], ignore_index=True)
    page = build_report(
        name="adult",
        data=table,
        schema=schema,
        train=train,
        holdout=holdout,
        result=finish([replace(run, synthetic=fewer)], result.settings),
    ).html
    section = page[page.index('<section id="rows">') :]
    assert "Synthetic rows (1 that copies no training row)" in section, section[:3000]


def test_data_card_says_when_the_model_was_fitted_on_a_sample_of_a_larger_input(
    table: pd.DataFrame, setup: tuple
) -> None:
    _, _, _, result = setup
    run = result.runs[0]
    whole = data_card(run, table)
    assert whole.source["training_input"] == f"all {run.model.n_train_rows_:,} rows of the training split"
    # What `synth fit` records for an input read as a seeded sample (see synth.large_tables.InputSample).
    run.model.training_input_ = {
        "source": "big.parquet",
        "source_rows": 5_000_000,
        "rows_used": 200_000,
        "sampled": True,
        "seed": 7,
        "streamed": True,
    }
    try:
        text = data_card(run, table).to_markdown()
    finally:
        del run.model.training_input_
    assert "Fitted on: a seeded sample of 200,000 of 5,000,000 rows of big.parquet (streamed, seed 7)" in text


def test_hostile_names_reach_no_report_chart_as_markup() -> None:
    """The pages escape user text in charts (``ui.charts``); the HTML report drew its figures unescaped, so a
    column or run named ``<a href=…>`` became a live link in a report that is sent around."""
    rng = np.random.default_rng(0)
    link = '<a href="http://evil.example">click</a>'
    n = 600
    table = pd.DataFrame(
        {
            link: rng.choice(['<span style="font-size:400px">X</span>', "plain", "other"], n),
            "amount": rng.gamma(2.0, 10.0, n).round(2),
            "group": rng.choice(["a", "b", "c"], n),
        }
    )
    schema = synth.infer_schema(table)
    train, holdout = synth.split(table, holdout=0.25, seed=0)
    result = race(train, holdout, [Contender("independent", label=link)], schema=schema, settings=FAST)
    html = build_report(
        name="hostile", data=table, schema=schema, train=train, holdout=holdout, result=result, options=ReportOptions()
    ).html
    # The figures' JSON is in the per-chart <script> blocks (plotly.js itself sits in the head's typed script),
    # with "<" written as \u003c, which the browser reads back as "<" before plotly draws the text.
    scripts = [b for b in re.findall(r"<script>(.*?)</script>", html, flags=re.S) if "Plotly.newPlot" in b]
    assert scripts, "the report drew charts"
    decoded = "\n".join(b.replace("\\u003c", "<").replace("\\u003e", ">") for b in scripts)
    assert "<a href" not in decoded and "<span style" not in decoded
    assert "&lt;a href=" in decoded, "the hostile name is charted, as text"


def test_no_report_axis_states_an_extreme_value_its_blank_bar_hides() -> None:
    """A salary chart's axis ran to 1.6M: the report blanked the one person's bar but its axis still said that
    someone earns about 1.53M (and squeezed the other bars into the first eighth of the chart)."""
    rng = np.random.default_rng(0)
    n = 1200
    table = pd.DataFrame({"salary": np.round(rng.lognormal(11, 0.35, n), 2), "team": rng.choice(["a", "b", "c"], n)})
    table.loc[5, "salary"] = 1_530_000.37
    schema = synth.infer_schema(table)
    train, holdout = synth.split(table, holdout=0.25, seed=0)
    result = race(train, holdout, [Contender("independent")], schema=schema, settings=FAST)
    report = build_report(
        name="pay", data=table, schema=schema, train=train, holdout=holdout, result=result, options=ReportOptions()
    )
    scripts = [b for b in re.findall(r"<script>(.*?)</script>", report.html, flags=re.S) if "Plotly.newPlot" in b]
    numbers = [float(v) for b in scripts for v in re.findall(r"(?<![#\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", b)]
    tenth = np.sort(table["salary"].to_numpy())[-10]
    # no drawn value (bar centre, axis range) lies anywhere near the one person's 1.53M
    assert not [v for v in numbers if 2 * tenth < v < 3_000_000], "an axis reaches the extreme salary"
    for text in (report.html, json.dumps(report.data)):
        assert "1530000" not in text and "1,530,000" not in text and "1.53e+06" not in text


def test_report_rows_write_every_missing_value_alike() -> None:
    """An HR report's rows showed NaT, None and NaN for missing dates, texts and numbers."""
    from synth.report.html import rows_table

    frame = pd.DataFrame(
        {
            "hired": pd.to_datetime(["2020-01-03", None, "2021-05-06"]),
            "note": ["ok", None, "late"],
            "salary": [51000.5, 48000.0, float("nan")],
        }
    )
    html = rows_table(frame)
    assert not any(token in html for token in ("NaT", "None", "NaN", "00:00:00"))
    assert html.count("<td>—</td>") == 3 and "2020-01-03" in html and "51000.5" in html


def test_a_table_as_good_as_fresh_data_has_no_column_listed_as_a_limitation(
    split_small: tuple[pd.DataFrame, pd.DataFrame, synth.Schema],
) -> None:
    """The survey walk's data card listed its three lowest columns as known limitations while every one was within
    noise of the holdout. Fresh real rows in the synthetic table's place list none; the same rows with one column
    flattened to a constant list that column, with its score and the holdout's."""
    from synth.report.external import evaluate_run

    train, holdout, schema = split_small
    model = synth.create("independent", random_state=3).fit(train, schema)
    scoring = EvaluationSettings(n_bootstrap=30, privacy=False, utility=False, discriminator_rows=500)
    fresh = holdout.reset_index(drop=True)
    flat = fresh.assign(age=int(train["age"].median()))
    cards = {}
    for name, table in (("fresh", fresh), ("flat", flat)):
        run = evaluate_run(train, holdout, model, table, sample_seed=0, schema=schema, settings=scoring).run
        cards[name] = (run.evaluation, data_card(run, train).to_markdown())
    evaluation, text = cards["fresh"]
    assert evaluation.lagging_columns() == []  # type: ignore[union-attr]
    assert "less faithful" not in text and "Least faithful" not in text
    evaluation, text = cards["flat"]
    (column, score, reference), *_ = evaluation.lagging_columns()  # type: ignore[union-attr]
    assert column == "age" and score < reference
    assert f"age ({score:.3f} vs holdout {reference:.3f})" in text
