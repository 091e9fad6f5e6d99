"""What an analyst shares names no real person: a hostile HR table with one person's department, salary, hire date,
name, e-mail and a note naming them, fitted by every default synthesizer, and every shareable output searched for
those values in every written form (the report's HTML with its charts' JSON, the metrics JSON, the data card, the
run manifest, the leaderboard, the model file's listing, ``synth evaluate``'s JSON)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.cli import main
from synth.evaluation.utility.tstr import UNNAMED_CLASS, evaluate_utility
from synth.report import Contender, EvaluationSettings, RaceResult, evaluate_external, race
from synth.report.card import data_card, model_contents
from synth.report.html import ReportOptions, build_report
from synth.report.leaderboard import leaderboard_text
from synth.report.manifest import build_manifest, manifest_json
from synth.report.race import finish
from synth.schema.inference import infer_column

FAST = EvaluationSettings(n_bootstrap=20, n_attacks=100, membership_targets=200, utility_rows=1500, detection_rows=800)
ROW = 17  # the planted person's row
CATEGORY, SALARY, NAME, EMAIL, HIRED = "Zanzibar-Q7", 9_876_543, "Quentin Zylberstein", "qz@zmail.example", "1901-02-03"
NOTE = f"Spoke with {NAME} about his grievance"
# Every form a report writes the planted values in: digits, separators, SI and k suffixes, exponents, the
# two-significant-digit rounding of a reason ("9,900,000"), and the date's year.
PLANTED = re.compile(
    r"(?<![\d.])9[,.]?8\d{2}[,.]?\d{3}(?![\d])|(?<![\d.])9[,.]?9\d{2}[,.]?\d{3}(?![\d])|(?<![\d.])9\.8\d*\s?M\b"
    r"|(?<![\d.])9\.9\s?M\b|(?<![\d.])987\d(?:\.\d+)?\s?k\b|9\.8\d*e\+?0?6|9\.9\d*e\+?0?6|(?<![\d.])1901(?![\d])"
    r"|Zanzibar|Zylberstein|Quentin|zmail|grievance",
    flags=re.IGNORECASE,
)


def hostile_table(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    """Employees with an id, a name, an e-mail and a free-text note; one of them (row :data:`ROW`) alone in their
    department, paid 9,876,543, hired in 1901 and named in their note."""
    rng = np.random.default_rng(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    names = [fake.unique.name() for _ in range(n)]
    topics = rng.choice(["budget", "leave", "rota", "targets"], n)
    floors = rng.integers(1, 9, n)
    salary = np.round(rng.lognormal(10.9, 0.3, n), 0)
    departments = ["Sales", "Engineering", "Support", "Finance", "Legal"]
    df = pd.DataFrame(
        {
            "employee_id": [f"E{100000 + i}" for i in range(n)],
            "name": names,
            "email": [f"{name.lower().replace(' ', '.')}@corp.example" for name in names],
            "department": rng.choice(departments, n, p=[0.3, 0.3, 0.2, 0.12, 0.08]),
            "salary": salary,
            "hired": pd.to_datetime("2005-01-01") + pd.to_timedelta(rng.integers(0, 6500, n), unit="D"),
            "age": rng.integers(21, 65, n),
            "senior": np.where(salary > 60_000, "yes", "no"),
            "notes": [
                f"Meeting {i}: discussed {t} with the team lead on floor {f}"
                for i, (t, f) in enumerate(zip(topics, floors, strict=True))
            ],
        }
    )
    df.loc[ROW, ["name", "email", "department", "salary", "notes"]] = [NAME, EMAIL, CATEGORY, SALARY, NOTE]
    df.loc[ROW, "hired"] = pd.Timestamp(HIRED)
    return df


def leaks(text: str) -> list[str]:
    """Every planted value found in ``text``, with what surrounds it."""
    return [text[max(0, m.start() - 60) : m.end() + 30] for m in PLANTED.finditer(text)]


def with_fresh_keys(train: pd.DataFrame) -> pd.DataFrame:
    """The training rows, shuffled, with new ids, names and e-mails: a memorising model's table (every synthesizer
    generates those columns afresh, so no row of it equals a training row on all columns)."""
    syn = train.sample(frac=1.0, random_state=0).reset_index(drop=True)
    syn["employee_id"] = [f"X{i}" for i in range(len(syn))]
    syn["name"] = [f"Made Up{i}" for i in range(len(syn))]
    syn["email"] = [f"m{i}@made.example" for i in range(len(syn))]
    return syn


@pytest.fixture(scope="module")
def hostile() -> tuple[pd.DataFrame, synth.Schema, pd.DataFrame, pd.DataFrame]:
    table = hostile_table()
    schema = synth.infer_schema(table)
    train, holdout = synth.split(table, holdout=0.25, seed=3)
    assert (train["department"] == CATEGORY).any(), "the planted person is in training"
    return table, schema, train, holdout


def _shared(
    table: pd.DataFrame, schema: synth.Schema, train: pd.DataFrame, holdout: pd.DataFrame, result: RaceResult
) -> dict[str, str]:
    """Every output the Report page and the Race page let an analyst download or copy, by name."""
    manifest = build_manifest(table, schema, result, holdout=0.25, split_seed=3, name="hr")
    out = {"manifest": manifest_json(manifest), "leaderboard": leaderboard_text(result).to_csv()}
    for run in result.runs:
        card = data_card(run, table, name="hr", split="75% train, seed 3")
        report = build_report(
            name="hr", data=table, schema=schema, train=train, holdout=holdout, result=result,
            audit=synth.audit(table, schema), focus=run.label, options=ReportOptions(max_distributions=20),
            extra={"card": card.to_dict(), "manifest": manifest},
        )  # fmt: skip
        # The page's body and its charts' JSON; plotly.js itself (in the head) is the library, not data.
        out[f"{run.label} html"] = report.html.split("</script></head>", 1)[1]
        out[f"{run.label} json"] = report.json_text()
        out[f"{run.label} card"] = card.to_markdown()
        out[f"{run.label} model file"] = "\n".join(model_contents(run))
    return out


def test_no_shared_output_of_any_default_synthesizer_names_the_planted_person(hostile: tuple) -> None:
    """The schema's reason for salary read "about 23,000 … 9,900,000" in the report's JSON and the run manifest:
    one employee's pay to two significant digits."""
    table, schema, train, holdout = hostile
    result = race(train, holdout, schema=schema, sample_seed=7, settings=FAST)
    assert {r.contender.name for r in result.runs if r.ok} == set(synth.available())
    found = {name: leaks(text) for name, text in _shared(table, schema, train, holdout, result).items()}
    assert not {name: where for name, where in found.items() if where}
    # The premise: the search finds the values where they are written.
    assert leaks(table.loc[[ROW]].to_csv()) and leaks(f"{SALARY:,}") and leaks("9.9M")


def test_a_rare_class_of_the_utility_target_is_counted_not_named(hostile: tuple) -> None:
    """Predicting department, the report's notes, its JSON's classes and the data card named the department one
    employee alone was in ("classes missing from the synthetic department: Zanzibar-Q7")."""
    table, schema, train, holdout = hostile
    settings_ = EvaluationSettings(**{**FAST.to_dict(), "target": "department"})
    result = race(train, holdout, [Contender("independent")], schema=schema, sample_seed=7, settings=settings_)
    utility = result.runs[0].evaluation.utility  # type: ignore[union-attr]
    assert utility is not None and CATEGORY in utility.classes  # the analyst's own page keeps the label
    assert any("1 class of fewer than 10 real rows" in note for note in utility.notes)
    found = {name: leaks(text) for name, text in _shared(table, schema, train, holdout, result).items()}
    assert not {name: where for name, where in found.items() if where}
    assert UNNAMED_CLASS in json.dumps(utility.to_dict())


def test_the_class_fold_keeps_the_names_of_classes_many_rows_hold() -> None:
    rng = np.random.default_rng(0)
    n = 900
    real = pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice(["a", "b", "c"], n)})
    real.loc[:3, "c"] = "tiny"  # 4 rows: under 10
    real.loc[4:24, "c"] = "small"  # 21 rows: named
    train, holdout = real.iloc[:600], real.iloc[600:]
    syn = train[~train["c"].isin(["tiny", "small"])].reset_index(drop=True)
    result = evaluate_utility(train, syn, holdout, target="c", seed=0, n_bootstrap=10)
    shared = result.to_dict()
    assert "tiny" in result.classes and "tiny" not in json.dumps(shared)
    assert "small" in shared["classes"] and UNNAMED_CLASS in shared["classes"]
    assert any(n.endswith(": small; 1 class of fewer than 10 real rows") for n in result.notes), result.notes


def test_the_report_prints_no_training_row_behind_fresh_ids_and_names(hostile: tuple) -> None:
    """The report's "5 synthetic rows that copy no training row" compared every column: a row copied whole but for
    its generated id, name and e-mail was printed, a real employee's salary, hire date and note beside a made-up
    name."""
    table, schema, train, holdout = hostile
    syn = with_fresh_keys(train)
    external = evaluate_external(train, syn, holdout, schema=schema, label="memorised", settings=FAST)
    page = build_report(
        name="hr", data=table, schema=schema, train=train, holdout=holdout, result=finish([external.run], FAST)
    ).html
    rows = page[page.index('<section id="rows">') :]
    assert not [s for s in syn["notes"].head(1000) if s in rows], "a real note is printed"
    assert not [f">{v}<" for v in syn["salary"].head(1000) if f">{v}<" in rows]
    # Rows that are not copies are still shown: the table the model made with one column changed.
    changed = syn.assign(salary=syn["salary"] + 3)
    shown = build_report(
        name="hr", data=table, schema=schema, train=train, holdout=holdout,
        result=finish([evaluate_external(train, changed, holdout, schema=schema, label="m", settings=FAST).run], FAST),
    ).html  # fmt: skip
    assert changed["notes"].iloc[0] in shown[shown.index('<section id="rows">') :]


def test_synth_evaluate_writes_no_singling_out_predicate_unless_asked(hostile: tuple, tmp_path: Path) -> None:
    """``synth evaluate``'s JSON kept the attacks' examples ("salary == 66730", "hired == '2022-02-20'"): each a
    predicate that isolated one training person, so that person's values. The dashboard's report drops them."""
    _, _, train, holdout = hostile
    train.to_csv(tmp_path / "train.csv", index=False)
    holdout.to_csv(tmp_path / "holdout.csv", index=False)
    with_fresh_keys(train).to_csv(tmp_path / "memorised.csv", index=False)
    args = ["-q", "evaluate", str(tmp_path / "train.csv"), str(tmp_path / "memorised.csv")]
    args += ["--holdout", str(tmp_path / "holdout.csv"), "-o"]

    def examples(doc: dict) -> list[str]:
        return [e for r in doc["attacks"]["results"] for e in r["examples"]]

    assert main([*args, str(tmp_path / "safe.json")]) == 0
    text = (tmp_path / "safe.json").read_text()
    safe = json.loads(text)
    assert safe["real_examples"] is False and examples(safe) == [] and not leaks(text)
    assert main([*args, str(tmp_path / "asked.json"), "--real-examples"]) == 0
    asked = json.loads((tmp_path / "asked.json").read_text())
    # Asked for, they are there and labelled: the same attacks single out training people by their own values.
    assert asked["real_examples"] is True and examples(asked)
    values = {f"salary == {v:.0f}" for v in train["salary"]} | {f"hired == '{d} 00:00:00'" for d in train["hired"]}
    assert any(v in e for e in examples(asked) for v in values if v.split(" == ")[0] in e)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(400, 3000), scale=st.floats(1e2, 1e6), factor=st.floats(20, 1e4), seed=st.integers(0, 10_000))
def test_a_schema_reason_states_no_value_beyond_ten_rows(n: int, scale: float, factor: float, seed: int) -> None:
    """Model files, the report's JSON and the manifest keep each column's reason: its range ends where ten rows
    reach, so one planted extreme moves no number in it."""
    rng = np.random.default_rng(seed)
    for whole in (True, False):
        values = rng.lognormal(0, 0.3, n) * scale
        values = np.round(values) if whole else values
        tenth = np.sort(values)[-10]
        values[rng.integers(n)] = np.round(tenth * factor) if whole else tenth * factor
        reason = infer_column(pd.Series(values, name="pay")).reason
        ends = re.search(r"mostly ([\d,.]+) … ([\d,.]+)", reason)
        assert ends is not None, reason
        assert float(ends[2].rstrip(".,").replace(",", "")) < 2 * tenth, reason
