"""Small text and number defects found walking the dashboard on a messy HR table (walk A)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synth.evaluation.results import Interval
from synth.evaluation.utility.tstr import ModelScore


def _score(tstr: float, trtr: float, low: float | None = None, baseline: float = 0.5) -> ModelScore:
    gap = tstr - trtr
    return ModelScore(
        model="HistGradientBoosting",
        metric="roc_auc",
        goal="maximize",
        trtr=trtr,
        tstr=tstr,
        difference=gap,
        trtr_interval=None if low is None else Interval(trtr - 0.03, trtr + 0.03),
        tstr_interval=None if low is None else Interval(low, tstr + 0.03),
        difference_interval=Interval(gap - 0.02, gap + 0.02),
        baseline=baseline,
    )


def test_a_gap_between_two_worse_than_chance_scores_is_not_shown_as_good() -> None:
    from ui.compare.ml import utility_card

    color, caption = utility_card(_score(0.447, 0.368), str)  # the HR walk: green "↑+0.079" below a trivial 0.5
    assert color == "off" and "no better than chance" in caption and "0.500" in caption
    color, caption = utility_card(_score(0.52, 0.45, low=0.48), str)  # TSTR's interval reaches 0.5: no better either
    assert color == "off" and "no better than chance" in caption
    color, caption = utility_card(_score(0.84, 0.80), str)  # real scores: the gap is judged as before
    assert color == "normal" and caption.startswith("gap 95%") and "beyond noise" in caption


def test_a_gap_on_a_rare_class_says_how_many_rows_it_has_and_stays_grey_even_beyond_its_interval() -> None:
    """The clinic walk: readmitted_30d's gap, 95% −0.30 to −0.07, was grey with "too few rows of a class to judge".
    The caption now counts the class's rows; the light stays grey although the interval excludes 0 (it resamples
    holdout rows only; other splits of that table gave gaps from −0.11 to +0.03)."""
    import dataclasses

    from synth.evaluation.utility.tstr import RareClass
    from ui.compare.ml import utility_card

    score = dataclasses.replace(
        _score(0.577, 0.766),
        judged=False,
        rare_class=RareClass("yes", 24, 10),
        difference_interval=Interval(-0.30, -0.07),
    )
    assert score.difference_interval is not None and score.difference_interval.excludes(0.0)
    color, caption = utility_card(score, str, "readmitted_30d")
    assert color == "off" and score.gap_is_real is None
    assert "only 10 real rows with readmitted_30d = yes in the holdout (24 in training)" in caption
    assert "at least 30" in caption
    color, caption = utility_card(dataclasses.replace(score, rare_class=RareClass("Very high", 12, 40)), str, "risk")
    assert "only 12 real rows with risk = 'Very high' in training (40 in the holdout)" in caption
    # Session 31 ledger walk: "only 4 real rows of 1 in the holdout" read as four rows out of one.
    color, caption = utility_card(dataclasses.replace(score, rare_class=RareClass("1", 13, 4)), str, "fraud")
    assert "only 4 real rows with fraud = 1 in the holdout (13 in training)" in caption
    # Without its column the class is still written on its own.
    color, caption = utility_card(dataclasses.replace(score, rare_class=RareClass("Very high", 12, 40)), str)
    assert "only 12 real rows of 'Very high' in training (40 in the holdout)" in caption


def test_the_rare_class_is_the_one_with_the_fewest_rows_on_either_side() -> None:
    """A class rare in the holdout but not in training is the one named (its side decides)."""
    import numpy as np
    import pandas as pd

    import synth

    rng = np.random.default_rng(3)

    def table(n: int, rare: int) -> pd.DataFrame:
        label = np.array(["common"] * (n - rare) + ["rare"] * rare, dtype=object)
        x = rng.normal(size=n) + (label == "rare")
        return pd.DataFrame({"x": x.round(3), "z": rng.choice(["p", "q"], n), "label": label})

    train, holdout = table(600, 40), table(300, 6)
    result = synth.evaluate_utility(train, train.sample(frac=1, random_state=0), holdout, target="label", seed=0)
    rare = result.headline.rare_class
    assert rare is not None and (rare.label, rare.train_rows, rare.test_rows) == ("rare", 40, 6)
    assert not result.headline.judged and result.headline.gap_is_real is None


@pytest.mark.parametrize(("tstr", "trtr", "expected"), [(0.447, 0.368, True), (0.7, 0.4, False), (0.5, 0.5, True)])
def test_both_trivial(tstr: float, trtr: float, expected: bool) -> None:
    assert _score(tstr, trtr).both_trivial is expected


def test_the_coded_column_hint_states_each_columns_own_count() -> None:
    """The HR walk: "performance_rating holds 2–12 distinct whole numbers" (it holds 5)."""
    from types import SimpleNamespace

    import pandas as pd

    import synth
    from ui.rare_events import _coded_hint

    train = pd.DataFrame({"performance_rating": [1, 2, 3, 4, 5] * 40, "season": [1, 2, 3, 4] * 50})
    ds = SimpleNamespace(schema=synth.infer_schema(train), train=train)
    hint = _coded_hint(ds)  # type: ignore[arg-type]
    assert "performance_rating and season hold 5 and 4 distinct whole numbers" in hint, hint
    assert "2–12" not in hint
    one = SimpleNamespace(schema=synth.infer_schema(train[["season"]]), train=train[["season"]])
    assert "season holds 4 distinct whole numbers" in _coded_hint(one)  # type: ignore[arg-type]


def test_a_year_range_reads_as_years() -> None:
    """The HR walk: birth_year 1958–2002 was described as "about 1,900 … 2,100"."""
    import pandas as pd

    from synth.schema.inference import infer_column

    years = pd.Series([1941 + i % 62 for i in range(400)], name="birth_year")
    reason = infer_column(years).reason
    # Read between the 10th smallest and largest years, as every range a reason gives (no end is one person's).
    assert "mostly 1940 … 2010" in reason, reason
    salary = pd.Series([20_787.07 + 430 * i for i in range(400)], name="salary")
    assert "mostly 24,000 … 190,000" in infer_column(salary).reason  # wide ranges: two significant digits, as before


def test_rare_category_examples_never_read_alike() -> None:
    """The HR walk: "Top performer, promotion ca... (1)" listed twice (two comments cut to the same 27 chars)."""
    import pandas as pd

    import synth
    from synth.audit import audit

    comments = ["Top performer, promotion candidate Ref E-966312", "Top performer, promotion candidate Ref E-284501"]
    df = pd.DataFrame({"comment": comments + ["Needs mentoring"] * 100 + ["fine"] * 100, "x": range(202)})
    found = next(f for f in audit(df, synth.infer_schema(df)).findings if f.code == "rare_categories")
    examples = found.detail.split("e.g. ")[1]
    assert "E-966312 (1)" in examples and "E-284501 (1)" in examples, examples


def test_the_segment_example_uses_the_tables_own_columns() -> None:
    """The HR walk: the Subgroups placeholder read "sex = Female and age < 30" on a table with neither column."""
    import pandas as pd

    import synth
    from synth.evaluation.fidelity.segments import example_segment, parse_conditions, segment_mask

    df = pd.DataFrame(
        {
            "department": ["IT", "HR", "IT", "Legal Affairs"] * 100,
            "job title": ["Senior R&D Lead"] * 400,
            "salary": [40_000.5, 61_234.0, 80_000.0, 55_000.0] * 100,
        }
    )
    schema = synth.infer_schema(df)
    example = example_segment(df, schema)
    assert example == "department = IT and salary < 60000", example  # the IT rows' median
    conditions = parse_conditions(example, list(df.columns))
    assert {c.column for c in conditions} == {"department", "salary"}
    assert segment_mask(df, conditions, schema).sum() == 100  # the IT rows at 40,000.5
    spaced = df.assign(department=["Legal Affairs", "Legal Affairs", "IT", "HR"] * 100)
    quoted = example_segment(spaced, schema)
    assert quoted.startswith("department = 'Legal Affairs' and "), quoted
    assert segment_mask(spaced, parse_conditions(quoted, list(df.columns)), schema).sum() == 100
    assert example_segment(df[["job title"]], synth.infer_schema(df[["job title"]])) == ""


def test_the_segment_example_keeps_part_of_its_category() -> None:
    """The session-28 walks: the shop's placeholder "category = cat_shoes and unit_price < 26" matched 1 real row
    of 3,000 (the overall median price; shoes cost more), the survey's "site_id = S009 and device_ok_02 < 0" none (a
    0/1 column's median)."""
    import numpy as np
    import pandas as pd

    import synth
    from synth.evaluation.fidelity.segments import example_segment, parse_conditions, segment_mask

    rng = np.random.default_rng(0)
    category = rng.choice(["shoes", "socks", "hats", "bags"], 2000, p=[0.4, 0.3, 0.2, 0.1])
    price = np.where(category == "shoes", rng.uniform(60, 140, 2000), rng.uniform(2, 30, 2000)).round(2)
    df = pd.DataFrame({"category": category, "ok": rng.integers(0, 2, 2000), "price": price})
    schema = synth.infer_schema(df)
    example = example_segment(df, schema)
    assert example.startswith("category = shoes and price < "), example
    kept = segment_mask(df, parse_conditions(example, list(df.columns)), schema).sum()
    assert 0.2 * (category == "shoes").sum() <= kept <= 0.8 * (category == "shoes").sum(), (example, kept)


def test_the_segment_example_holds_enough_rows_to_compare() -> None:
    """The session-31 customers walk: 2,400 training rows over 30 stores made the placeholder "store = 'Region X' and
    age < 47", 48 real rows, and typing it gave "Too few rows to compare (at least 50 of each are needed)"."""
    import numpy as np
    import pandas as pd

    import synth
    from synth.evaluation.fidelity.segments import MIN_SEGMENT_ROWS, example_segment, parse_conditions, segment_mask

    rng = np.random.default_rng(31)
    stores = [f"Region {i:02d}" for i in range(30)]
    for n in (2_400, 600, 12_000):
        df = pd.DataFrame(
            {"store": rng.choice(stores, n), "age": rng.integers(18, 85, n), "spend": rng.gamma(2.0, 60.0, n).round(2)}
        )
        schema = synth.infer_schema(df)
        example = example_segment(df, schema)
        assert example, n
        held = int(segment_mask(df, parse_conditions(example, list(df.columns)), schema).sum())
        # twice the floor: a synthetic table of the same size holds about as many, give or take its noise
        assert held >= 2 * MIN_SEGMENT_ROWS, (n, example, held)
        # and a holdout a quarter its size holds enough for a reference
        holdout = df.sample(frac=0.25, random_state=1)
        example = example_segment(df, schema, holdout)
        assert example, n
        conditions = parse_conditions(example, list(df.columns))
        assert segment_mask(df, conditions, schema).sum() >= 2 * MIN_SEGMENT_ROWS, (n, example)
        assert segment_mask(holdout, conditions, schema).sum() >= MIN_SEGMENT_ROWS, (n, example)
    # a large table still gets a category and a number
    assert example.startswith("store = 'Region ") and " < " in example, example


def test_the_membership_caption_counts_the_attacks_the_verdict_counts() -> None:
    """The HR walk: the Membership caption said "Four ways" while the verdict said "strongest of 3 attacks"."""
    import numpy as np
    import pandas as pd

    import synth
    from synth.evaluation.privacy.membership import membership_inference
    from synth.evaluation.privacy.verdict_criteria import membership_verdict

    rng = np.random.default_rng(0)
    table = pd.DataFrame({"x": rng.normal(size=900), "y": rng.integers(0, 5, 900).astype(str)})
    train, holdout = table.iloc[:600].reset_index(drop=True), table.iloc[600:].reset_index(drop=True)
    syn = train.sample(frac=1.0, random_state=1).reset_index(drop=True)
    mia = membership_inference(train, syn, holdout=holdout, schema=synth.infer_schema(table))
    ran = mia.ran()
    n = len(mia.attacks)
    assert ran.startswith(f"{n} attacks ran: ") and all(a.label in ran for a in mia.attacks)
    assert f"strongest of {n} attacks" in membership_verdict(mia, (0.55, 0.6)).value
    assert "Shadow model" in ran.split("Not run:")[1] and "Targeted check" in ran, ran  # no synthesizer, tiny holdout
    # Session 31 clinic walk: "only 7 non-member(s) are as isolated …".
    (targeted,) = [note for note in mia.not_run if note.startswith("Targeted check")]
    assert "(s)" not in targeted and re.search(r"only (1 non-member is|\d+ non-members are) as isolated", targeted)
    with open("pages/privacy.py", encoding="utf-8") as page:
        assert "Four ways" not in page.read()


def test_the_manifest_finds_synth_by_its_distribution_name() -> None:
    """The HR walk: the manifest listed "synth": "not installed" although synth-explorer is installed."""
    from importlib import metadata

    from synth.report.manifest import package_versions

    versions = package_versions()
    assert versions["synth"] == metadata.version("synth-explorer")
    assert versions["numpy"] == metadata.version("numpy")
    assert versions["scikit-learn"] == metadata.version("scikit-learn")


def test_a_conditioned_table_gets_its_own_file_name() -> None:
    from ui.conditions import describe, file_suffix

    note = describe({}, {"complaint_filed": {"yes": 0.5, "no": 0.5}})
    assert file_suffix(note) == "_complaint_filed_rebalanced_to_yes_50pct_no_50pct"
    # The Sample page's "Sampling with:" line for a 0/1 flag read "fraud rebalanced to 1 50%, 0 50%" (session 31).
    assert describe({}, {"fraud": {1: 0.5, 0: 0.5}}) == "fraud rebalanced to 1: 50%, 0: 50%"
    assert file_suffix("") == ""
    assert file_suffix(describe({"sex": "Female", "age": (30, 40)}, None)) == "_sex_eq_Female_30_le_age_le_40"
    long = describe({f"column_{i}": "some value" for i in range(20)}, None)
    assert len(file_suffix(long)) <= 81 and file_suffix(long) != file_suffix(long.replace("19", "18"))


@given(st.text(max_size=20))
def test_a_choice_stands_bare_unless_its_ends_would_not_show(text: str) -> None:
    """A select box shows a category alone: bare ("Strongly agree", not "'Strongly agree'"), quoted only when
    empty or padded with spaces, so two choices never look alike."""
    from synth.evaluation.results import option_words

    shown = option_words(text)
    assert (shown == text) is (text != "" and text == text.strip())
    assert shown == text or shown == repr(text)
    assert option_words("Strongly agree") == "Strongly agree" and option_words(" no") == "' no'"


def test_the_gap_is_judged_in_the_same_words_wherever_it_is_shown() -> None:
    """The data card and the HTML report printed "0.426 vs 0.322" for two below-chance scores on a 0.5% class; they
    now quote :func:`gap_words`, which the Compare page's card shows too."""
    from synth.evaluation.utility.rare_class import RareClass, gap_words
    from ui.compare.ml import utility_card

    trivial = _score(0.426, 0.322)
    assert "gap says nothing" in gap_words(trivial) and "no better than chance (0.500)" in gap_words(trivial)
    rare = dataclasses.replace(_score(0.84, 0.70), judged=False, rare_class=RareClass("1", 12, 4))
    words = gap_words(rare, target="fraud")
    assert "not judged: only 4 real rows with fraud = 1 in the holdout (12 in training)" in words, words
    assert words.startswith("gap 95%: 0.120–0.160 · not judged")
    for score in (trivial, rare, _score(0.84, 0.80)):
        assert utility_card(score, str, "fraud")[1] == gap_words(score, str, "fraud")
