"""AppTest: the Data page reads real formats, offers one-click fixes, loads schemas and shows the audit."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from tests.app.helpers import goto, start, upload


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


PEOPLE = pd.DataFrame({"age": range(20, 320), "city": ["Oslo", "Lima", "Pune"] * 100, "score": [0.5] * 300})


def test_too_many_rows_offers_a_random_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_MAX_ROWS", "100")
    at = upload(start(), "people.csv", _csv(PEOPLE))
    assert any("people.csv" in e.value and "300" in e.value for e in at.error)
    assert at.session_state["dataset"].name == "UCI Adult (demo)"
    at.button(key="offer_sample").click().run()
    assert not at.exception
    ds = at.session_state["dataset"]
    assert ds.name == "people.csv" and len(ds.df) == 100
    assert not at.error


def test_single_column_is_refused_then_loaded_on_request() -> None:
    at = upload(start(), "one.csv", b"height\n" + b"".join(f"{i}\n".encode() for i in range(150)))
    assert any("one.csv" in e.value for e in at.error)
    at.button(key="offer_single").click().run()
    ds = at.session_state["dataset"]
    assert ds.name == "one.csv" and list(ds.df.columns) == ["height"]


def test_excel_sheet_can_be_chosen() -> None:
    wb = Workbook()
    first = wb.active
    first.title = "notes"
    first.append(["note", "by"])
    for i in range(60):
        first.append([f"n{i}", "me"])
    second = wb.create_sheet("people")
    second.append(["age", "city"])
    for i in range(80):
        second.append([20 + i, ["Oslo", "Lima"][i % 2]])
    buf = io.BytesIO()
    wb.save(buf)
    at = upload(start(), "book.xlsx", buf.getvalue(), "application/vnd.ms-excel")
    assert at.session_state["dataset"].name == "book.xlsx"
    assert list(at.session_state["dataset"].df.columns) == ["note", "by"]
    sheet = next(s for s in at.selectbox if s.label == "Excel sheet")
    sheet.set_value("people").run()
    assert not at.exception
    assert list(at.session_state["dataset"].df.columns) == ["age", "city"]
    assert len(at.session_state["dataset"].df) == 80


def test_merged_excel_cells_are_filled_and_said_among_the_intake_notices() -> None:
    from tests.unit.test_io_excel_merges import EXPECTED_WARNING, staff_book

    at = upload(start(), "staff.xlsx", staff_book(), "application/vnd.ms-excel")
    ds = at.session_state["dataset"]
    assert ds.name == "staff.xlsx" and ds.df["department"].notna().all()
    assert [w.value for w in at.warning if "merged" in w.value] == [EXPECTED_WARNING]
    # The caption counts what the read did; the warning's text is not repeated there.
    (read_as,) = [c.value for c in at.caption if c.value.startswith("Read as")]
    assert "merged cells filled 6" in read_as and "Excel shows" not in read_as


def test_the_read_caption_names_the_columns_read_in_their_own_number_layout() -> None:
    """The reader guesses one decimal mark for a comma-delimited file (“.”); a ledger's amounts "1.234,56 €" are read
    in their own layout, which the caption must say rather than claim the file's marks for every column."""
    from benchmarks.ledger import ledger
    from ui.text import md

    at = upload(start(), "ledger.csv", _csv(ledger(rows=300, holders=30)))
    (read_as,) = [c.value for c in at.caption if c.value.startswith("Read as")]
    assert "decimal “.”" in read_as and "thousands “,”" in read_as  # the plain columns' marks, as read
    own = f"amount, {md('balance_after')} read in their own layout: decimal “,” thousands “.” (like 1"
    assert own in read_as, read_as
    at = upload(start(), "people.csv", _csv(PEOPLE))
    (read_as,) = [c.value for c in at.caption if c.value.startswith("Read as")]
    assert "own layout" not in read_as, read_as


def test_json_records_load() -> None:
    records = [{"age": 20 + i, "city": ["Oslo", "Lima"][i % 2]} for i in range(120)]
    at = upload(start(), "people.json", json.dumps(records).encode(), "application/json")
    assert not at.error
    assert at.session_state["dataset"].df.shape == (120, 2)


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("ragged.csv", b"a,b\n1,2\n3,4,5\n6,7\n", "ragged.csv"),
        ("dupes.csv", b"a,a,b\n1,2,3\n4,5,6\n", "dupes.csv"),
        ("doc.json", b'{"a": 1, "b": 2}', "doc.json"),
        ("cut.parquet", b"PAR1" + b"\x00" * 40, "cut.parquet"),
    ],
)
def test_nasty_files_get_named_messages(name: str, data: bytes, fragment: str) -> None:
    at = upload(start(), name, data, "application/octet-stream")
    errors = [e.value for e in at.error]
    assert errors and fragment in errors[0], errors
    assert "still in use" in errors[0]
    assert at.session_state["dataset"].name == "UCI Adult (demo)"


def test_changing_the_missing_markers_rereads_the_upload() -> None:
    frame = b"code,city\n" + b"".join(f"{'?' if i % 10 == 0 else i},X{i % 3}\n".encode() for i in range(100))
    at = upload(start(), "codes.csv", frame)
    assert at.session_state["dataset"].df["code"].isna().sum() == 10
    markers = next(t for t in at.text_input if t.label.startswith("Values read as missing"))
    markers.set_value('""').run()
    assert not at.exception
    assert at.session_state["dataset"].df["code"].isna().sum() == 0


def test_schema_json_round_trip_through_the_page() -> None:
    at = goto(start(), "data")
    ds = at.session_state["dataset"]
    edited = ds.schema.with_column("education_num", kind="categorical", quasi_identifier=True)
    at.file_uploader(key="schema_upload").set_value(("schema.json", edited.to_json().encode(), "application/json"))
    at.run()
    assert not at.exception
    assert at.session_state["dataset"].schema == edited


def test_a_schema_for_another_table_is_refused() -> None:
    at = goto(start(), "data")
    wrong = json.dumps({"columns": [{"name": "zip", "kind": "categorical"}]}).encode()
    at.file_uploader(key="schema_upload").set_value(("other.json", wrong, "application/json")).run()
    assert any("does not fit this table" in e.value and "zip" in e.value for e in at.error)
    assert at.session_state["dataset"].schema.names[0] == "age"


def test_audit_shows_the_education_dependency() -> None:
    at = goto(start(), "data")
    audit_text = " ".join(m.value for m in at.markdown)
    assert "education" in audit_text and "education_num" in audit_text
    assert any(a.value.startswith("**Audit:**") for a in [*at.warning, *at.info, *at.error])


def test_a_new_visitor_reuses_the_demo_tables_audit_an_upload_gets_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every session loads the demo table; its pre-flight audit (0.2-0.4 s) was computed again for each new visitor
    because each load got a fresh id. Two sessions now share one audit; an upload of the same rows is still a table
    of its own (its results are never served from another visitor's)."""
    import synth

    calls: list[int] = []
    real_audit = synth.audit

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real_audit(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(synth, "audit", counting)
    first, second = start(), start()
    assert first.session_state["dataset"].key == second.session_state["dataset"].key
    assert len(calls) <= 1  # 0 when an earlier test already audited the demo in this process
    uploaded = upload(start(), "people.csv", _csv(PEOPLE))
    other = upload(start(), "people.csv", _csv(PEOPLE))
    assert uploaded.session_state["dataset"].key != other.session_state["dataset"].key


def _claims(n: int) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "postcode": [f"{x:05d}" for x in rng.integers(0, 3_000, n)],
            "plan": rng.choice(["basic", "plus", "pro"], n),
            "amount": np.round(rng.lognormal(5.0, 1.0, n), 2),
        }
    )


def test_a_code_column_mostly_rare_is_offered_its_prefix_and_the_fit_no_longer_warns() -> None:
    """A postcode of 3,000 values over 2,000 rows: the Data page offers its first 3 characters; one click replaces
    the column in every row, keeps the split and the kinds, drops the fitted model and says so; after that the
    fit's "(other)" warning is gone."""
    from tests.app.helpers import fit

    at = upload(start(), "claims.csv", _csv(_claims(2_000)))
    before = at.session_state["dataset"]
    offer = next(i for i in at.info if "postcode" in i.value and "first **3** characters" in i.value)
    assert "(other)" in offer.value
    at = fit(at, "pruned_cart")
    assert any("postcode: " in w.value and "'(other)'" in w.value for w in at.warning)
    links = [e.proto.label for e in at.get("page_link")]
    assert "Cut postcode to its first 3 characters on Data" in links, links
    at = goto(at, "data")
    at.button(key="cut_postcode").click().run()
    assert not at.exception
    ds = at.session_state["dataset"]
    assert ds.name == "claims.csv (postcode: first 3 characters)" and ds.id != before.id
    assert ds.df["postcode"].str.len().eq(3).all()
    assert (ds.df["postcode"] == before.df["postcode"].str[:3]).all() and ds.df["plan"].equals(before.df["plan"])
    assert (
        ds.schema["postcode"].kind == before.schema["postcode"].kind
        and "first 3 characters" in ds.schema["postcode"].reason
    )
    assert list(ds.train.index) == list(before.train.index) and at.session_state["fitted"] is None
    assert any("now holds its first 3 characters" in s.value and "discarded" in s.value for s in at.success)
    assert not any("first **" in i.value for i in at.info), "the offer is gone once taken"
    at = fit(at, "pruned_cart")
    assert not any("postcode: " in w.value for w in at.warning)
    assert not any(e.proto.label.startswith("Cut ") for e in at.get("page_link"))


def test_prices_and_rates_written_as_text_are_shown_as_numbers_with_their_layout() -> None:
    rng = np.random.default_rng(20)
    price = np.round(np.exp(rng.normal(3.2, 0.8, 300)), 2)
    frame = pd.DataFrame(
        {
            "unit_price": [f"${p:,.2f}" for p in price],
            "discount": [f"{d}%" for d in rng.choice([0, 5, 10, 15, 25], 300)],
            "city": rng.choice(["Oslo", "Lima", "Pune"], 300),
        }
    )
    at = upload(start(), "orders.csv", _csv(frame))
    schema = at.session_state["dataset"].schema
    assert schema["unit_price"].kind.value == "continuous" and schema["discount"].kind.value == "discrete"
    reasons = " ".join(m.value for m in at.markdown)
    assert "**unit_price** — text numbers written like \\$12.50" in reasons  # markdown escapes the $
    assert "**discount** — text numbers written like 12%, kept as written (12% is 12)" in reasons
    assert "do not read as numbers" not in reasons  # the audit reads them in their layout too


def test_the_estimates_caption_states_the_peak_factor_the_calibration_pinned() -> None:
    """The caption's factor is :data:`PEAK_FACTOR`, which ``tests/unit/test_peak_estimate.py`` checks every stored
    measurement against; the table beside it shows each synthesizer's peak in MB."""
    from synth.audit.calibration import PEAK_FACTOR

    at = start()
    (caption,) = [c.value for c in at.caption if c.value.startswith("Estimated fit time")]
    assert f"within {PEAK_FACTOR:g}× of the peak measured on every calibration and check table" in caption
    # In user words: the session-25 walk read "calibrated in benchmarks/calibrate_fit.py", a file users never see.
    assert caption.endswith("scaled from fits timed and measured on sample tables of several sizes:"), caption
    assert ".py" not in caption and "benchmarks" not in caption
    (table,) = [d.value for d in at.dataframe if "peak memory" in d.value.columns]
    assert all(v.endswith(" MB") for v in table["peak memory"])


def test_a_table_of_repeated_patients_is_split_by_patient_and_says_so() -> None:
    """The holdout must be people the model never saw: the clinic's 4,000 visits of 1,145 patients are split by
    patient_id by default (no patient on both sides), the page says why, and choosing a row split warns."""
    from benchmarks.walk_tables import clinic

    at = upload(start(), "clinic.csv", clinic().to_csv(index=False).encode())
    ds = at.session_state["dataset"]
    assert ds.split_by == "patient_id"
    assert not set(ds.train["patient_id"]) & set(ds.holdout["patient_id"])
    box = next(s for s in at.selectbox if s.label == "Keep each person's rows together")
    assert box.value == 1 and box.options[1] == "by patient_id"
    assert any("no one in it was seen in training" in c.value for c in at.caption)
    box.select_index(0).run()
    assert not at.exception, at.exception
    ds = at.session_state["dataset"]
    assert ds.split_by is None and set(ds.train["patient_id"]) & set(ds.holdout["patient_id"])
    assert any("holds rows of people seen in training" in w.value for w in at.warning)


def test_customers_who_share_a_name_are_split_by_row_with_the_name_still_on_offer() -> None:
    """Session 32 walk: 3,000 customers with their own customer_id drawn from 300 names were split "by name" by
    default. Each row is its own customer; splitting by name stays one choice away, with what it would mean."""
    import numpy as np

    rng = np.random.default_rng(32)
    n = 1_000
    table = pd.DataFrame(
        {
            "customer_id": [f"C{100_000 + i}" for i in range(n)],
            "name": [f"{a} {b}" for a, b in zip(rng.choice(["Anna", "Ben", "Clara", "David", "Eva"], n),
                                                 rng.choice(["Müller", "Rossi", "Nowak", "Silva", "Smith"], n),
                                                 strict=True)],
            "balance": rng.gamma(2, 300, n).round(2),
        }
    )  # fmt: skip
    at = upload(start(), "customers.csv", table.to_csv(index=False).encode())
    assert at.session_state["dataset"].split_by is None
    box = next(s for s in at.selectbox if s.label == "Keep each person's rows together")
    assert box.value == 0 and box.options == ["no: every row is its own person", "by name"]
    assert not any("holds rows of people seen in training" in w.value for w in at.warning)
    box.select_index(1).run()
    assert not at.exception, at.exception
    assert at.session_state["dataset"].split_by == "name"
    assert any("customer_id differs on every row" in c.value for c in at.caption)


def _estimates_shown(at: AppTest) -> tuple[str, pd.DataFrame]:
    (caption,) = [c.value for c in at.caption if c.value.startswith("Estimated fit time")]
    (table,) = [d.value for d in at.dataframe if "fit time" in d.value.columns]
    return caption, table


def test_the_fit_estimate_is_on_the_train_rows_and_follows_the_split() -> None:
    """The fit sees the train split, so the estimate is made on it (it was made on the whole table, a quarter more
    rows at the default 20% holdout); a holdout changed on this run shows the new train's estimate at once."""
    import synth
    from ui.text import duration

    at = start()
    for holdout in (None, 50):
        if holdout is not None:
            next(s for s in at.slider if s.label == "Holdout share (%)").set_value(holdout).run()
            assert not at.exception, at.exception
        ds = at.session_state["dataset"]
        assert holdout is None or ds.holdout_share == holdout / 100
        caption, table = _estimates_shown(at)
        assert f"on the {len(ds.train):,} train rows" in caption
        expected = synth.audit(ds.train, ds.schema).estimates
        assert list(table["fit time"]) == [duration(e.seconds) for e in expected]
        whole = synth.audit(ds.df, ds.schema).estimates
        assert list(table["fit time"]) != [duration(e.seconds) for e in whole], "premise: the rows count"


def test_a_tiny_tables_peak_memory_reads_under_one_mb_never_zero() -> None:
    """Session 30 walk: a 60-row table's estimates (0.005 to 0.3 MB) showed "0 MB" for every synthesizer."""
    import synth

    rng = np.random.default_rng(30)
    tiny = pd.DataFrame({"age": rng.integers(18, 90, 60), "city": rng.choice(["Oslo", "Lima", "Pune"], 60)})
    at = upload(start(), "tiny.csv", _csv(tiny))
    assert not at.exception, at.exception
    ds = at.session_state["dataset"]
    assert ds.name == "tiny.csv"
    _, table = _estimates_shown(at)
    expected = synth.audit(ds.train, ds.schema).estimates
    assert all(e.peak_mb is not None and e.peak_mb < 1 for e in expected), "premise: every estimate is under 1 MB"
    assert list(table["peak memory"]) == ["< 1 MB"] * len(expected)


def test_the_regeneration_promise_leads_and_its_details_are_folded() -> None:
    """The column-kinds caption was 14 lines of grey text above the table an analyst came to edit: the promise
    (PII never learned, never equal to a real value) stays in it, the details move into an expander, and together
    they still say every word the summary the tests pin says."""
    from synth.generated import REGENERATION_DETAILS, REGENERATION_LEAD, REGENERATION_SUMMARY

    at = start()
    captions = [c.value for c in at.caption if "How each column is modelled" in c.value]
    assert len(captions) == 1 and REGENERATION_LEAD in captions[0]
    assert "ORD-105100" not in captions[0] and len(captions[0]) < 400
    folded = [e for e in at.expander if e.label == "How identifiers and personal data are regenerated"]
    assert len(folded) == 1
    assert any("ORD-105100 after ORD-104999" in m.value for m in folded[0].markdown)
    assert f"{REGENERATION_LEAD} {REGENERATION_DETAILS}" == REGENERATION_SUMMARY


def test_a_holdout_too_small_for_privacy_is_said_at_the_split() -> None:
    """The session-30 walk's 60-row table went through Synthesize, Sample and Compare before Privacy said its 12
    holdout rows were too few (and to raise a share none reaches). The split says so where the share is chosen."""
    rng = np.random.default_rng(30)

    def table(n: int) -> bytes:
        frame = pd.DataFrame({"age": rng.integers(18, 90, n), "group": rng.choice(["a", "b", "c"], n)})
        return frame.to_csv(index=False).encode()

    def said(at: AppTest) -> list[str]:
        return [w.value for w in at.warning if "privacy checks need at least 100" in w.value]

    at = start()
    assert not said(at), "the demo table's holdout is large enough"
    upload(at, "tiny.csv", table(60))
    (shown,) = said(at)
    assert "the whole table has only 60 rows" in shown and "no holdout share" in shown, shown
    upload(at, "small.csv", table(450))
    (shown,) = said(at)
    assert "to at least 23%" in shown, shown
    # Session 31 walk: read under the slider, "Increase the holdout share on the Data page" sent the reader away.
    assert "Increase the holdout share above to at least 23%" in shown and "Data page" not in shown, shown
    next(s for s in at.slider if s.label == "Holdout share (%)").set_value(25).run()
    assert not at.exception and len(at.session_state["dataset"].holdout) >= 100
    assert not said(at)
