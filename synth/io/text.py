"""Delimited text (CSV / TSV / TXT): encodings, delimiter and decimal detection, ragged rows."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from synth.io.columns import _default_thousands, _type_table
from synth.io.errors import TableReadError
from synth.io.limits import check
from synth.io.options import _DELIMITERS, ReadOptions

# ----------------------------------------------------------------------------------------------- encodings


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _to_utf8(data: bytes, label: str, encoding: str | None) -> tuple[bytes, str]:
    """The text as UTF-8 bytes without BOM, and the name of the encoding it was read with."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        return _checked_utf8(data, label, "utf-8-sig"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16le(data):
        codec = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-16-le"
        try:
            return data.decode(codec).encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _encoding_error(label, data, exc, "UTF-16") from exc
    _check_not_binary(data, label)
    if encoding is not None:
        normal = codecs.lookup(encoding).name
        if normal == "utf-8":
            return _checked_utf8(data, label, "utf-8"), "utf-8"
        try:
            return data.decode(encoding).encode("utf-8"), normal
        except UnicodeDecodeError as exc:
            raise _encoding_error(label, data, exc, encoding) from exc
    if data.isascii():
        return data, "ascii"
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data) is None:
            try:
                return data.decode("cp1252").encode("utf-8"), "cp1252"
            except UnicodeDecodeError:
                pass
        raise _encoding_error(label, data, exc, "UTF-8") from exc


def _checked_utf8(data: bytes, label: str, what: str) -> bytes:
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _encoding_error(label, data, exc, what) from exc
    _check_not_binary(data, label)
    return data


def _looks_utf16le(data: bytes) -> bool:
    head = data[:400]
    return len(head) >= 8 and head[1::2].count(0) >= 0.9 * len(head[1::2]) and head[0::2].count(0) == 0


def _encoding_error(label: str, data: bytes, exc: UnicodeDecodeError, what: str) -> TableReadError:
    offset = exc.start
    line = data.count(b"\n", 0, offset) + 1
    byte = data[offset : offset + 1].hex().upper() if offset < len(data) else "??"
    extra = " and it does not read as Windows-1252 (Latin-1) either" if what == "UTF-8" else ""
    return TableReadError(
        f"{label} is not valid {what} text: byte {offset:,} (0x{byte}, on line {line:,}) cannot be decoded{extra}. "
        "Save the file as UTF-8 (in Excel: Save As → CSV UTF-8) or pass the right encoding, and upload it again.",
        file=label,
        code="encoding",
    )


def _check_not_binary(data: bytes, label: str) -> None:
    head = data[:8192]
    controls = sum(head.count(bytes([b])) for b in (*range(0, 9), 11, 12, *range(14, 32)))
    if b"\x00" in head or controls > 0.05 * len(head):
        raise TableReadError(
            f"{label} is not a text table: it holds binary data (it may be an image, archive or program renamed "
            "to look like a table). Upload a CSV, TSV, Parquet, Excel (.xlsx) or JSON file.",
            file=label,
            code="binary",
        )


# ------------------------------------------------------------------------------------------ delimited text


def _sample_records(sample: str, delimiter: str, truncated: bool) -> list[list[str]]:
    try:
        records = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
    except csv.Error:
        return []
    if truncated and records:
        records = records[:-1]
    # Blank lines (and lines of spaces) are skipped; a line of empty fields (",,") is a row of missing values.
    return [r for r in records if len(r) > 1 or (r and r[0].strip())][:200]


def _sniff_delimiter(sample: str, truncated: bool) -> str:
    best: tuple[float, int, int] = (-1.0, 0, 0)
    choice = ","
    for rank, candidate in enumerate(_DELIMITERS):
        records = _sample_records(sample, candidate, truncated)
        if not records:
            continue
        counts = Counter(len(r) for r in records)
        mode, freq = counts.most_common(1)[0]
        if mode < 2:
            continue
        score = (freq / len(records), mode, -rank)
        if score > best:
            best, choice = score, candidate
    return choice


def _sniff_decimal(records: Sequence[Sequence[str]]) -> str:
    comma = dot = 0
    for record in records[1:]:
        for field in record:
            value = field.strip()
            if re.fullmatch(r"[+-]?\d+(\.\d{3})*,\d+", value):
                comma += 1
            elif re.fullmatch(r"[+-]?\d+\.\d+", value):
                dot += 1
    return "," if comma > dot else "."


def _read_delimited(box: list[bytes], opts: ReadOptions, suffix: str) -> tuple[pa.Table, list[str], dict[str, Any]]:
    label = opts.label
    data = box.pop().lstrip(b"\r\n")
    # The sample holds the whole header line and 64 KB after it: a header longer than 64 KB (20,000 columns) was
    # cut, dropped as a partial record, and the file reported as having "no header row".
    header_end = data.find(b"\n")
    sample_size = _SAMPLE_BYTES + (header_end + 1 if header_end >= 0 else len(data))
    truncated = len(data) > sample_size
    sample = data[:sample_size].decode("utf-8", errors="ignore")
    if opts.delimiter is not None:
        delimiter = opts.delimiter
    elif suffix in (".tsv", ".tab"):
        delimiter = "\t"
    else:
        delimiter = _sniff_delimiter(sample, truncated)
    records = _sample_records(sample, delimiter, truncated)
    if not records:
        raise TableReadError(
            f"{label} holds no header row. Choose a file whose first line names the columns.",
            file=label,
            code="no_columns",
        )
    header = [h.strip() for h in records[0]]
    # Bounded before parsing: every line is at most one row (quoted newlines only make fewer).
    check(label, "columns", len(header), "max_columns", opts.max_columns)
    check(label, "cells", data.count(b"\n") * len(header), "max_cells", opts.max_cells)
    decimal = opts.decimal or ("." if delimiter == "," else _sniff_decimal(records))
    thousands = _default_thousands(decimal, opts.thousands)
    internal = [f"c{i}" for i in range(len(header))]
    bad_rows: list[tuple[int, int, str]] = []

    def on_invalid(row: Any) -> str:
        if row.text.strip():  # a line of spaces is an empty line, not a short row
            bad_rows.append((row.expected_columns, row.actual_columns, row.text))
        return "skip"

    if len(records) == 1 and not truncated:  # a header and nothing else (perhaps without a final newline)
        table = pa.table([pa.array([], pa.string()) for _ in internal], names=internal)
        return table, header, {"delimiter": delimiter, "decimal": decimal, "thousands": thousands}

    try:
        table = _parse(data, internal, delimiter, on_invalid)
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc):
            raise _parse_error(label, delimiter, exc) from exc
        # A row longer than a parsing block (a 10 MB text field in a valid file): the whole text as one block.
        bad_rows.clear()
        try:
            table = _parse(data, internal, delimiter, on_invalid, block_size=min(len(data) + 1, 2**31 - 1))
        except (pa.ArrowInvalid, pa.ArrowException) as again:
            raise _parse_error(label, delimiter, again) from again
    except pa.ArrowException as exc:
        raise _parse_error(label, delimiter, exc) from exc
    if bad_rows:
        raise _ragged_error(label, data, bad_rows, len(header), delimiter)
    del data
    table = _type_table(table, opts.missing_values, decimal, thousands)
    pa.default_memory_pool().release_unused()
    info = {"delimiter": delimiter, "decimal": decimal, "thousands": thousands}
    return table, header, info


_SAMPLE_BYTES = 65536  # text read for the delimiter and decimal mark, after the header line
_BLOCK_BYTES = 4 << 20  # Arrow's parsing block: a row must fit in one


def _parse(
    data: bytes, internal: list[str], delimiter: str, on_invalid: Any, block_size: int = _BLOCK_BYTES
) -> pa.Table:
    return pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(column_names=internal, skip_rows=1, block_size=max(block_size, _BLOCK_BYTES)),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            quote_char='"',
            double_quote=True,
            newlines_in_values=b'"' in data,
            ignore_empty_lines=True,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in internal},
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,
        ),
    )


def _parse_error(label: str, delimiter: str, exc: Exception) -> TableReadError:
    return TableReadError(
        f"{label} could not be parsed as a {_delimiter_name(delimiter)}-separated table ({exc}). Check that "
        "every line has the same number of fields and that quotes are balanced.",
        file=label,
        code="parse",
    )


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, repr(delimiter))


def _ragged_error(
    label: str, data: bytes, bad_rows: list[tuple[int, int, str]], n_header: int, delimiter: str
) -> TableReadError:
    positions = []
    for expected, actual, text in bad_rows[:50]:
        pos = data.find(text.encode("utf-8"))
        positions.append((pos if pos >= 0 else len(data), expected, actual, text))
    pos, expected, actual, text = min(positions)
    line = data.count(b"\n", 0, pos) + 1 if pos < len(data) else None
    where = f"line {line:,}" if line is not None else "a line"
    shown = text if len(text) <= 80 else text[:77] + "..."
    more = f" ({len(bad_rows):,} lines in all)" if len(bad_rows) > 1 else ""
    if text.count('"') % 2:
        more += "; it has an unbalanced double quote"
    return TableReadError(
        f"{label} has rows with the wrong number of fields: {where} has {actual} field{'s' if actual != 1 else ''} "
        f"but the header has {n_header}{more}: {shown!r}. Check the delimiter ({_delimiter_name(delimiter)}) "
        "and quoting: a value that contains the delimiter must be in double quotes.",
        file=label,
        code="ragged_rows",
    )
