"""Reading tables: every supported format, values that keep their meaning, and a corpus of bad files.

Each bad file is generated in ``tmp_path``; its error must name the file and say the cause.
"""

from __future__ import annotations

import codecs
import gzip
import io
import pickle
import re
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.io import (
    DEFAULT_MISSING_VALUES,
    SingleColumnError,
    TableReadError,
    TooManyRowsError,
    list_sheets,
    read_table,
    sample_rows,
)
from synth.io.columns import NUMBER_DASHES

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    first = True
    for title, rows in sheets.items():
        ws = workbook.active if first else workbook.create_sheet()
        assert ws is not None
        ws.title = title
        first = False
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_without_sheets() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_xlsx({"Data": [["a", "b"], [1, 2]]})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                content = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", content)
            target.writestr(item, content)
    return out.getvalue()


def _truncated_parquet() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"a": range(1000), "b": ["x"] * 1000}).to_parquet(buffer)
    data = buffer.getvalue()
    return data[: len(data) // 2]


def _encrypted_xlsx() -> bytes:
    # What Excel writes for a password-protected workbook: an OLE2 compound file with an EncryptedPackage stream.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return header + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512


# (file name, content, expected code, words the message must contain)
BAD_FILES: list[tuple[str, bytes | Callable[[], bytes], str, tuple[str, ...]]] = [
    ("empty.csv", b"", "empty", ("is empty",)),
    ("blank.csv", b"  \n\n \r\n", "empty", ("is empty",)),
    ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary", ("PNG image", "not a text table")),
    ("program.csv", b"a,b\n1,2\x00\x01\x02\x00" + bytes(200), "binary", ("not a text table", "binary data")),
    ("ragged.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8\n", "ragged_rows", ("line 3", "2 fields", "header has 3")),
    ("header_only.csv", b"age,city,income\n", "header_only", ("no rows", "age, city, income")),
    ("header_blank_lines.csv", b"age,city\n\n\n", "header_only", ("no rows",)),
    ("header_no_newline.csv", b"age,city", "header_only", ("no rows", "age, city")),
    ("dupes.csv", b"a,b,a\n1,2,3\n", "duplicate_columns", ("'a'", "more than once")),
    ("blank_name.csv", b",b,c\n1,2,3\n4,5,6\n", "blank_column_name", ("without a name", "column 1")),
    ("all_missing.csv", b"a,b\nNA,\n?,-\nnull,None\n", "all_missing", ("every value is missing",)),
    ("empty_fields.csv", b"a,b,c\n,,\n,,\n", "all_missing", ("2 rows", "every value is missing")),
    ("no_sheets.xlsx", _xlsx_without_sheets, "excel_no_sheets", ("no worksheets",)),
    ("locked.xlsx", _encrypted_xlsx, "excel_encrypted", ("password-protected",)),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "excel_legacy", (".xls",)),
    ("fake.xlsx", b"a,b\n1,2\n", "excel_invalid", ("not one",)),
    ("archive.csv", b"", "zip", ("zip archive",)),  # content filled in below
    ("cut.parquet", _truncated_parquet, "parquet", ("Parquet", "truncated")),
    ("object.json", b'{"a": 1, "b": 2}', "json_not_records", ("not a list of records",)),
    ("numbers.json", b"[1, 2, 3]", "json_not_records", ("item 1", "a number", "not a record")),
    ("string.json", b'"hello"', "json_not_records", ("a string", "not a list of records")),
    ("empty_list.json", b"[]", "no_rows", ("no records",)),
    ("broken.json", b'[{"a": 1}, {"a": ', "json_invalid", ("not valid JSON", "line 1")),
    ("broken.jsonl", b'{"a": 1}\n{"a": 2\n', "json_invalid", ("line 2",)),
    ("cut.csv.gz", gzip.compress(b"a,b\n" + b"1,2\n" * 1000)[:40], "gzip", ("truncated",)),
]


def _zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("table.csv", "a,b\n1,2\n")
    return out.getvalue()


@pytest.mark.parametrize(("name", "content", "code", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gets_a_message_naming_file_and_cause(
    tmp_path: Path, name: str, content: bytes | Callable[[], bytes], code: str, words: tuple[str, ...]
) -> None:
    data = content() if callable(content) else content
    if name == "archive.csv":
        data = _zip_archive()
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(TableReadError) as info:
        read_table(path)
    err = info.value
    message = str(err)
    assert isinstance(err, ValueError)
    assert err.code == code, message
    assert err.file == name
    assert name in message, message
    for word in words:
        assert word in message, (word, message)


def test_invalid_utf8_names_the_byte_offset_and_line(tmp_path: Path) -> None:
    text = "name,city\nJosé,Málaga\n".encode()
    data = text + b"Ana,Le\x81on\n"  # valid UTF-8 first, then a byte that is neither UTF-8 nor Windows-1252
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    with pytest.raises(TableReadError) as info:
        read_table(path)
    offset = data.index(b"\x81")
    assert info.value.code == "encoding"
    assert f"byte {offset:,}" in str(info.value) and "line 3" in str(info.value)
    assert "mixed.csv" in str(info.value)


def test_windows_1252_file_falls_back_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("name;city;price\nJosé;Málaga;3,50\nZoë;Köln;12,00\n".encode("cp1252"))
    df = read_table(path)
    assert df["name"].tolist() == ["José", "Zoë"]
    assert df["city"].tolist() == ["Málaga", "Köln"]
    assert df["price"].tolist() == [3.5, 12.0]
    assert df.attrs["read_info"]["encoding"] == "cp1252"
    assert df.attrs["read_info"]["delimiter"] == ";"


def test_bytes_that_neither_utf8_nor_cp1252_read_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"a,b\n1,x\x81y\n")
    with pytest.raises(TableReadError, match=r"odd\.csv is not valid UTF-8 text: byte 7 \(0x81"):
        read_table(path)


def test_single_column_is_refused_unless_allowed(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_bytes(b"score\n1\n2\n3\n")
    with pytest.raises(SingleColumnError) as info:
        read_table(path)
    assert info.value.column == "score"
    assert "one.csv" in str(info.value) and "single column" in str(info.value)
    assert "relationships" in str(info.value)
    df = read_table(path, allow_single_column=True)
    assert df["score"].tolist() == [1, 2, 3]


def test_upload_limit_and_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 1000)
    with pytest.raises(TableReadError, match=r"big\.csv is 3\.9 KB, over the upload limit of 1\.0 KB") as info:
        read_table(path, max_bytes=1024)
    assert info.value.code == "too_large"
    with pytest.raises(TableReadError, match="over the upload limit") as info:
        read_table(io.BytesIO(path.read_bytes()), name="big.csv", max_bytes=1024)
    with pytest.raises(TableReadError, match="no such file") as info:
        read_table(tmp_path / "nope.csv")
    assert info.value.code == "not_found"


def test_too_many_rows_carries_the_count_and_a_sample_reads_instead(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    pd.DataFrame({"i": range(100), "x": np.arange(100) * 2}).to_csv(path, index=False)
    with pytest.raises(TooManyRowsError) as info:
        read_table(path, max_rows=30)
    err = info.value
    assert (err.n_rows, err.max_rows, err.code) == (100, 30, "too_many_rows")
    assert "rows.csv has 100 rows, over the limit of 30" in str(err) and "sample" in str(err)
    assert pickle.loads(pickle.dumps(err)).n_rows == 100

    sampled = read_table(path, max_rows=30, sample=30, seed=3)
    assert len(sampled) == 30 and sampled["i"].is_monotonic_increasing
    assert (sampled["x"] == sampled["i"] * 2).all(), "rows stay whole"
    assert sampled.attrs["read_info"]["sampled_from"] == 100
    again = read_table(path, max_rows=30, sample=30, seed=3)
    pd.testing.assert_frame_equal(sampled, again)
    assert not sampled.equals(read_table(path, sample=30, seed=4))


def test_sample_rows_is_seeded_ordered_and_keeps_small_tables() -> None:
    df = pd.DataFrame({"i": range(1000)})
    a, b = sample_rows(df, 100, seed=1), sample_rows(df, 100, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 100 and a["i"].is_monotonic_increasing and a["i"].is_unique
    assert not a.equals(sample_rows(df, 100, seed=2))
    assert sample_rows(df, 5000).equals(df)
    with pytest.raises(ValueError, match="at least 1"):
        sample_rows(df, 0)


def test_values_keep_their_meaning(tmp_path: Path) -> None:
    path = tmp_path / "values.csv"
    path.write_text(
        "zip,account,card,count,price,flag,note,code\n"
        '02134,000123,4111111111111111,7,"1,234.50",TRUE, padded ,10\n'
        "10001,000456,4012888888881881,NA,12.5,false,?,0\n"
        "94105,007,5555555555554444,-3,-,True,N/A,3\n"
    )
    df = read_table(path)
    assert df["zip"].tolist() == ["02134", "10001", "94105"]
    assert df["account"].tolist() == ["000123", "000456", "007"]
    assert df["card"].tolist()[0] == "4111111111111111", "16-digit numbers stay text"
    assert df["count"].tolist()[0] == 7 and pd.isna(df["count"].iloc[1])
    assert df["price"].iloc[0] == 1234.5 and pd.isna(df["price"].iloc[2])
    assert df["flag"].tolist() == [True, False, True] and df["flag"].dtype == bool
    assert df["note"].iloc[0] == "padded" and df["note"].iloc[1:].isna().all()
    assert df["code"].dtype == np.int64, "a lone 0 is not a leading zero"


def test_missing_markers_are_editable(tmp_path: Path) -> None:
    path = tmp_path / "markers.csv"
    path.write_text("a,b\nNA,n.a.\nx,1\n")
    default = read_table(path)
    assert default["a"].isna().tolist() == [True, False] and default["b"].tolist() == ["n.a.", "1"]
    custom = read_table(path, missing_values=["n.a."])
    assert custom["a"].tolist() == ["NA", "x"] and custom["b"].isna().tolist() == [True, False]
    assert read_table(path, na_values=["n.a."])["b"].isna().iloc[0]
    assert "NA" in DEFAULT_MISSING_VALUES and "?" in DEFAULT_MISSING_VALUES


@settings(max_examples=40, deadline=None)
@given(
    numbers=st.lists(
        st.integers(-10_000, 10_000) | st.floats(-1e4, 1e4, allow_nan=False).map(lambda v: round(v, 2)),
        min_size=3,
        max_size=40,
    ),
    dashes=st.lists(st.sampled_from((*NUMBER_DASHES, "-")), min_size=1, max_size=5),
    seed=st.integers(0, 2**16),
)
def test_dashes_in_a_number_column_read_as_missing(numbers: list[float], dashes: list[str], seed: int) -> None:
    """The session-28 shop export's quantity held "n/a" and "—": "n/a" was read as missing, "—" kept as a value, so
    the column stayed text (a category of seven values). Any dash among numbers is now a blank cell, wherever it
    sits; a text column keeps its dashes, and without "-" among the markers a dash stays a value."""
    cells = [str(v) for v in numbers]
    places = np.random.default_rng(seed).choice(len(cells) + len(dashes), len(dashes), replace=False)
    for place, dash in zip(sorted(places), dashes, strict=True):
        cells.insert(int(place), dash)
    marks = (*NUMBER_DASHES, "-")
    words = [c if c in marks else "x" for c in cells]  # a text column beside it, holding the same dashes
    text = "i,n,w\n" + "".join(f"{i},{c},{w}\n" for i, (c, w) in enumerate(zip(cells, words, strict=True)))
    table = read_table(io.BytesIO(text.encode()), name="t.csv")
    assert pd.api.types.is_numeric_dtype(table["n"])
    assert table["n"].isna().tolist() == [c in marks for c in cells]
    np.testing.assert_allclose(table["n"].dropna().to_numpy(), np.array(numbers, dtype=float))
    assert set(table["w"].dropna()) - {"x"} <= set(NUMBER_DASHES)  # a text column keeps them ("-" is a marker)
    strict = read_table(io.BytesIO(text.encode()), name="t.csv", missing_values=["NA"])
    if set(dashes) - {"-"}:
        assert not pd.api.types.is_numeric_dtype(strict["n"])


def test_the_shop_exports_quantity_is_a_number_column() -> None:
    """What the walk uploaded: quantities, "n/a" on 2% of rows and "—" on 1.5%."""
    cells = ["1", "2", "n/a", "—", "10", "3", "—", "5"] * 20
    text = "order,quantity\n" + "".join(f"SO-{i},{c}\n" for i, c in enumerate(cells))
    table = read_table(io.BytesIO(text.encode()), name="shop.csv")
    assert table["quantity"].isna().sum() == 60
    assert synth.infer_schema(table)["quantity"].kind is synth.ColumnKind.DISCRETE


@pytest.mark.parametrize(
    ("name", "text", "delimiter"),
    [
        ("semi.csv", "a;b;c\n1;x;2\n3;y;4\n", ";"),
        ("tabs.txt", "a\tb\tc\n1\tx\t2\n3\ty\t4\n", "\t"),
        ("pipes.csv", "a|b|c\n1|x|2\n3|y|4\n", "|"),
        ("commas.tsv", "a\tb\tc\n1\tx\t2\n3\ty\t4\n", "\t"),
    ],
)
def test_delimiters_are_detected(tmp_path: Path, name: str, text: str, delimiter: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    df = read_table(path)
    assert list(df.columns) == ["a", "b", "c"] and df["a"].tolist() == [1, 3]
    assert df.attrs["read_info"]["delimiter"] == delimiter


def test_decimal_comma_and_thousands(tmp_path: Path) -> None:
    path = tmp_path / "euro.csv"
    path.write_text("item;price;qty;big\nA;1,5;2;1.234,5\nB;3,25;4;12.000,0\nC;10;1;7,0\n")
    df = read_table(path)
    assert df["price"].tolist() == [1.5, 3.25, 10.0]
    assert df["qty"].dtype == np.int64
    assert df["big"].tolist() == [1234.5, 12000.0, 7.0]
    assert df.attrs["read_info"]["decimal"] == ","
    forced = read_table(io.BytesIO(b"a\tb\n1,5\tx\n2,0\ty\n"), name="t.tsv", decimal=",")
    assert forced["a"].tolist() == [1.5, 2.0]


def test_quoted_fields_with_newlines_and_delimiters(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text('id,comment,n\n1,"line one\nline two, with comma",5\n2,"say ""hi""",6\n')
    df = read_table(path)
    assert df["comment"].tolist() == ["line one\nline two, with comma", 'say "hi"']
    assert df["n"].tolist() == [5, 6]


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("bom.csv", codecs.BOM_UTF8 + "naïve,b\nä,1\n".encode()),
        ("utf16.txt", "naïve\tb\nä\t1\n".encode("utf-16")),
        ("crlf.csv", "naïve,b\r\nä,1\r\n".encode()),
        ("cr.csv", "naïve,b\rä,1\r".encode()),
    ],
)
def test_encodings_and_line_endings(label: str, data: bytes) -> None:
    df = read_table(data, name=label)
    assert list(df.columns) == ["naïve", "b"] and df["naïve"].tolist() == ["ä"] and df["b"].tolist() == [1]


def test_empty_rows_and_trailing_delimiters_are_dropped() -> None:
    df = read_table(b"a,b,\n1,x,\n,,\n2,y,\n", name="trailing.csv")
    assert list(df.columns) == ["a", "b"] and df["a"].tolist() == [1, 2]
    assert df.attrs["read_info"]["dropped_empty_rows"] == 1


def test_parquet_round_trip_keeps_types(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "n": [1, 2, 3],
            "x": [0.5, None, 1.5],
            "s": ["a", "b", None],
            "zip": ["02134", "10001", "00501"],
            "when": pd.to_datetime(["2024-01-01", "2024-02-01", None]),
            "flag": [True, False, True],
            "cat": pd.Categorical(["u", "v", "u"]),
        }
    )
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    df = read_table(path)
    assert df["n"].dtype == np.int64 and df["x"].dtype == np.float64 and df["flag"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(df["when"]) and pd.isna(df["when"].iloc[2])
    assert df["zip"].tolist() == ["02134", "10001", "00501"]
    assert df["cat"].tolist() == ["u", "v", "u"]
    assert df.attrs["read_info"]["format"] == "parquet"


def _parquet(columns: dict[str, object]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def test_parquet_dates_outside_pandas_nanoseconds_read_as_their_text() -> None:
    """An open end 9999-01-01 came back as 1815-03-31 (Arrow's nanoseconds wrapped around) and a year-1 timestamp
    stopped the read with Arrow's "out of bounds timestamp": both read as the text a CSV of them gives."""
    import pyarrow as pa

    days = np.array(["9999-01-01", "2020-05-17", "NaT"], dtype="datetime64[D]")
    seconds = np.array(["0001-01-01T00:00:00", "2020-05-17T08:30:00", "NaT"], dtype="datetime64[s]")
    df = read_table(
        _parquet({"until": pa.array(days, pa.date32()), "at": pa.array(seconds), "n": [1, 2, 3]}), name="far.parquet"
    )
    assert df["until"].tolist()[:2] == ["9999-01-01", "2020-05-17"] and pd.isna(df["until"].iloc[2])
    assert [v[:19] for v in df["at"].iloc[:2]] == ["0001-01-01 00:00:00", "2020-05-17 08:30:00"]  # Parquet keeps ms
    near = read_table(_parquet({"until": pa.array(days[1:], pa.date32()), "n": [1, 2]}), name="near.parquet")
    assert near["until"].dtype == "datetime64[ns]" and near["until"].iloc[0] == pd.Timestamp("2020-05-17")


def test_parquet_dates_read_as_text_are_named_in_the_read_warnings() -> None:
    """The read changed the column's kind (dates to text) without a word: read_info's warnings now name each such
    column, how many of its dates pandas cannot hold, and how to have it read as dates. A column pandas holds has
    no warning."""
    import pyarrow as pa

    days = np.array(["9999-01-01", "2020-05-17", "9999-12-31", "NaT"], dtype="datetime64[D]")
    seconds = np.array(["0001-01-01T00:00:00", "2020-05-17T08:30:00", "NaT", "NaT"], dtype="datetime64[s]")
    far = read_table(
        _parquet({"until": pa.array(days, pa.date32()), "at": pa.array(seconds), "n": [1, 2, 3, 4]}), name="f.parquet"
    )
    warnings = far.attrs["read_info"]["warnings"]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("Column 'until' holds 2 date(s) before 1677-09-21 or after 2262-04-11")
    assert warnings[1].startswith("Column 'at' holds 1 date(s) before 1677-09-21")
    assert all("read as text" in w and "leave those cells empty" in w for w in warnings)
    near = read_table(_parquet({"until": pa.array(days[1:2], pa.date32()), "n": [1]}), name="near.parquet")
    assert "warnings" not in near.attrs["read_info"]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-110_000, 110_000), min_size=1, max_size=30))
def test_the_warning_counts_exactly_the_dates_pandas_cannot_hold(days: list[int]) -> None:
    """Days since 1970 around pandas' limits (1677-09-21 00:12:43 and 2262-04-11 23:47:16, about ±106,750 days):
    counted against pandas' own Timestamp.min and max, day by day."""
    import pyarrow as pa

    first = pd.Timestamp.min.ceil("D").to_pydatetime().date()  # 1677-09-22, the first whole day pandas holds
    last = pd.Timestamp.max.floor("D").to_pydatetime().date()  # 2262-04-11
    epoch = pd.Timestamp("1970-01-01").date()
    outside = sum(not first <= epoch + timedelta(days=d) <= last for d in days)
    df = read_table(
        _parquet({"d": pa.array(days, pa.int32()).cast(pa.date32()), "n": list(range(len(days)))}), name="d.parquet"
    )
    warnings = df.attrs["read_info"].get("warnings", [])
    if outside:
        assert warnings == [warnings[0]] and warnings[0].startswith(f"Column 'd' holds {outside:,} date(s) before")
        assert df["d"].dtype == object
    else:
        assert warnings == [] and df["d"].dtype == "datetime64[ns]"


def test_parquet_bytes_are_text_when_utf8_and_refused_naming_the_column_otherwise() -> None:
    """Raw bytes reached the schema inference, where pandas' decoding stopped the Data page (UnicodeDecodeError)."""
    import pyarrow as pa

    utf8 = pa.array([b"Oslo", "Zürich".encode(), None])
    text = read_table(_parquet({"city": utf8, "n": [1, 2, 3]}), name="t.parquet")
    assert text["city"].tolist()[:2] == ["Oslo", "Zürich"]
    synth.infer_schema(text)
    with pytest.raises(TableReadError, match=r"column 'photo' holds raw bytes .* Remove the column") as refused:
        read_table(_parquet({"photo": pa.array([b"\x89PNG\xff", b"\x00\xfe"]), "n": [1, 2]}), name="p.parquet")
    assert refused.value.code == "binary_column" and "p.parquet" in str(refused.value)


def test_excel_sheets_can_be_listed_and_chosen(tmp_path: Path) -> None:
    data = _xlsx(
        {
            "Summary": [["note"], ["see the other sheet"], ["really"]],
            "People": [["zip", "age", "joined"], ["02134", 31, pd.Timestamp("2024-01-31")], ["10001", 40, None]],
        }
    )
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    assert list_sheets(path) == ["Summary", "People"]
    assert list_sheets(b"a,b\n1,2\n", name="t.csv") == []
    people = read_table(path, sheet="People")
    assert people["zip"].tolist() == ["02134", "10001"]
    assert people["age"].tolist() == [31, 40]
    assert pd.api.types.is_datetime64_any_dtype(people["joined"])
    assert read_table(path, sheet=1).equals(people)
    assert people.attrs["read_info"]["sheet"] == "People"
    first = read_table(path, allow_single_column=True)
    assert list(first.columns) == ["note"]
    with pytest.raises(
        TableReadError, match=r"book\.xlsx has no sheet named 'Staff'; its sheets are 'Summary', 'People'"
    ):
        read_table(path, sheet="Staff")
    with pytest.raises(TableReadError, match="no sheet number 5"):
        read_table(path, sheet=5)


def test_excel_empty_sheet_is_named(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    path.write_bytes(_xlsx({"Data": [["a", "b"], [1, 2]], "Empty": []}))
    with pytest.raises(TableReadError, match=r"sheet 'Empty' of blank\.xlsx is empty"):
        read_table(path, sheet="Empty")


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("records.json", '[{"id": "007", "n": 1, "x": 1.5}, {"id": "008", "n": 2, "x": null}]'),
        ("lines.jsonl", '{"id": "007", "n": 1, "x": 1.5}\n\n{"id": "008", "n": 2}\n'),
        ("wrapped.json", '{"data": [{"id": "007", "n": 1, "x": 1.5}, {"id": "008", "n": 2, "x": "NA"}]}'),
        ("columns.json", '{"id": ["007", "008"], "n": [1, 2], "x": [1.5, null]}'),
        ("unnamed", '[{"id": "007", "n": 1, "x": 1.5}, {"id": "008", "n": 2, "x": null}]'),
    ],
)
def test_json_layouts(label: str, text: str) -> None:
    df = read_table(text.encode(), name=label)
    assert df["id"].tolist() == ["007", "008"]
    assert df["n"].tolist() == [1, 2] and df["n"].dtype == np.int64
    assert df["x"].iloc[0] == 1.5 and pd.isna(df["x"].iloc[1])


def test_nested_json_is_flattened_and_lists_become_text() -> None:
    text = b'[{"a": {"b": 1, "c": "x"}, "tags": ["p", "q"]}, {"a": {"b": 2, "c": "y"}, "tags": []}]'
    df = read_table(text, name="nested.json")
    assert sorted(df.columns) == ["a.b", "a.c", "tags"]
    assert df["a.b"].tolist() == [1, 2] and df["tags"].tolist() == ['["p", "q"]', "[]"]


def _nested_records(n: int) -> list[dict]:  # type: ignore[type-arg]
    return [
        {
            "id": i,
            "user": None if i == 2 else {"addr": {"city": f"P{i % 2}", "zip": i}, "age": 30 + i % 40},
            "lst": [1, 2, i],
            "tags": ["x", "y"][: 1 + i % 2],
        }
        for i in range(n)
    ]


def test_nested_parquet_is_read_like_the_same_records_as_json(tmp_path: Path) -> None:
    """Structs flattened to parent.field columns, lists as JSON text: the columns and values the JSON reader gives
    for the same records. Before, a struct column became JSON text and was synthesized as an identifier."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    records = _nested_records(300)
    pq.write_table(pa.Table.from_pylist(records), tmp_path / "nested.parquet")
    from_parquet = read_table(tmp_path / "nested.parquet")
    from_json = read_table(json.dumps(records).encode(), name="nested.json")
    assert list(from_parquet.columns) == ["id", "user.addr.city", "user.addr.zip", "user.age", "lst", "tags"]
    assert sorted(from_parquet.columns) == sorted(from_json.columns)
    pd.testing.assert_frame_equal(from_parquet, from_json[from_parquet.columns], check_dtype=False)
    assert from_parquet["user.age"].isna().tolist() == [i == 2 for i in range(300)]  # a missing struct: every field
    assert from_parquet["lst"].iloc[7] == "[1, 2, 7]" and json.loads(from_parquet["tags"].iloc[1]) == ["x", "y"]


@pytest.mark.parametrize("name", ["nested.parquet", "nested.json"])
def test_synthetic_list_keys_keep_their_closing_bracket_and_struct_fields_are_kept(name: str, tmp_path: Path) -> None:
    """Sampled values once read '[1, 2, 918]9' and '{"a": 918, "b": "q"}9': neither JSON nor refused. Now a
    struct's fields are columns of their own and a generated list key keeps its closing bracket last. Since session
    21 it also keeps the real width: the lists' last numbers (0 … 299) fill their 3-digit format from 100 to 299, so
    new keys continue above them, '[1, 2, 300]' on (one digit more, which could start with a 0, before)."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    records = _nested_records(300)
    path = tmp_path / name
    if name.endswith(".parquet"):
        pq.write_table(pa.Table.from_pylist(records), path)
    else:
        path.write_text(json.dumps(records))
    syn = synth.create("cart").fit(read_table(path)).sample(300, seed=1)
    assert all(isinstance(json.loads(v), list) for v in syn["tags"])  # learned as categories: real lists
    assert syn["lst"].str.fullmatch(r"\[1, 2, [3-9]\d\d\]").all(), syn["lst"].head().tolist()
    assert not syn["lst"].isin([json.dumps(r["lst"]) for r in records]).any()  # generated keys: never a real one
    assert set(syn["user.addr.city"].dropna()) <= {"P0", "P1"}


def test_gzip_and_file_like_uploads(tmp_path: Path) -> None:
    raw = b"a,b\n1,x\n2,y\n"
    assert read_table(gzip.compress(raw), name="t.csv.gz")["a"].tolist() == [1, 2]
    path = tmp_path / "upload.csv"
    path.write_bytes(raw)
    with path.open("rb") as handle:
        df = read_table(handle)
    assert df["b"].tolist() == ["x", "y"]


def test_options_are_checked() -> None:
    with pytest.raises(TypeError, match="unknown options: nrows"):
        read_table(b"a,b\n1,2\n", nrows=1)
    assert read_table(b"a;b\n1;2\n", name="t.csv", sep=";")["b"].tolist() == [2]
    with pytest.raises(ValueError, match="decimal"):
        read_table(b"a,b\n1,2\n", decimal=":")


def test_synth_namespace_exports_the_reader() -> None:
    assert synth.read_table is read_table and synth.TableReadError is TableReadError


@pytest.mark.skipif(not DATASETS.is_dir(), reason="shared datasets not present")
@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("adult.csv", (32_561, 15)),
        ("adult.csv.gz", (32_561, 15)),
        ("bank_marketing.csv", (4_521, 17)),
        ("bike_sharing_hourly.csv", (17_379, 17)),
        ("california_housing.csv", (20_640, 10)),
    ],
)
def test_real_datasets_load(name: str, shape: tuple[int, int]) -> None:
    df = read_table(DATASETS / name)
    assert df.shape == shape
    assert not any(str(c).startswith("Unnamed") for c in df.columns)
    if name.startswith("adult"):
        assert df["workclass"].isna().sum() == 1_836 and df["age"].dtype == np.int64
        assert pd.read_csv(DATASETS / "adult.csv")["fnlwgt"].equals(df["fnlwgt"])
    if name.startswith("california"):
        assert df["total_bedrooms"].isna().sum() == 207
        assert (df["ocean_proximity"] == "ISLAND").sum() == 5
    if name.startswith("bike"):
        assert df["dteday"].iloc[0] == "2011-01-01" and df["instant"].is_monotonic_increasing
