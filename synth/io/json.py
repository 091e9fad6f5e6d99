"""JSON records and JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from synth.io.columns import _python_column
from synth.io.errors import TableReadError
from synth.io.options import ReadOptions

# --------------------------------------------------------------------------------------------------- json


def _read_json(data: bytes, opts: ReadOptions, *, jsonl: bool) -> tuple[pa.Table, list[str], str]:
    label = opts.label
    text = data.decode("utf-8")
    del data
    layout = "jsonl" if jsonl else "json"
    doc: Any
    if not jsonl:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg != "Extra data":
                raise TableReadError(
                    f"{label} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. Fix the "
                    "file or export it again.",
                    file=label,
                    code="json_invalid",
                ) from exc
            jsonl = True
            layout = "jsonl"
    if jsonl:
        doc = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                doc.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise TableReadError(
                    f"{label} is not valid JSON Lines: line {number:,} is not a JSON value ({exc.msg}, column "
                    f'{exc.colno}). Each line must hold one record such as {{"a": 1, "b": "x"}}.',
                    file=label,
                    code="json_invalid",
                ) from exc
    del text
    records = _records(doc, label)
    if records is not None and not records:
        raise TableReadError(
            f"{label} is an empty JSON list: it holds no records. Export the table again with its rows.",
            file=label,
            code="no_rows",
        )
    if records is None:
        assert isinstance(doc, Mapping)
        frame = pd.DataFrame({str(k): v for k, v in doc.items()})
    elif any(isinstance(v, dict) for r in records[:1000] for v in r.values()):
        frame = pd.json_normalize(records)
    else:
        frame = pd.DataFrame.from_records(records)
    del records, doc
    names = [str(c) for c in frame.columns]
    columns = [_python_column(frame.iloc[:, i].tolist(), opts) for i in range(frame.shape[1])]
    n = len(frame)
    del frame
    if not columns:
        raise TableReadError(
            f"{label} holds records without any fields. Each record needs at least one named value.",
            file=label,
            code="no_columns",
        )
    table = pa.table(columns, names=[f"c{i}" for i in range(len(columns))]) if n else _empty_table(len(names))
    return table, names, layout


def _empty_table(width: int) -> pa.Table:
    return pa.table([pa.array([], pa.string()) for _ in range(width)], names=[f"c{i}" for i in range(width)])


def _describe_json(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def _records(doc: Any, label: str) -> list[dict[str, Any]] | None:
    """The records of a JSON document, or None for a column-oriented object (``{"a": [...], "b": [...]}``)."""
    if isinstance(doc, Mapping):
        lists = [v for v in doc.values() if isinstance(v, list)]
        if len(doc) == 1 and lists and all(isinstance(r, Mapping) for r in lists[0]):
            return _records(lists[0], label)
        if doc and len(lists) == len(doc) and len({len(v) for v in lists}) == 1:
            return None
        raise TableReadError(
            f"{label} is a JSON object, not a list of records. Use a list of objects such as "
            '[{"age": 39, "city": "Oslo"}, ...] (or JSON Lines: one object per line).',
            file=label,
            code="json_not_records",
        )
    if not isinstance(doc, list):
        raise TableReadError(
            f"{label} holds {_describe_json(doc)}, not a list of records. Use a list of objects such as "
            '[{"age": 39, "city": "Oslo"}, ...].',
            file=label,
            code="json_not_records",
        )
    for position, item in enumerate(doc):
        if not isinstance(item, dict):
            raise TableReadError(
                f"{label} is a JSON list, but item {position + 1:,} is {_describe_json(item)}, not a record. "
                'Every item must be an object such as {"age": 39, "city": "Oslo"}.',
                file=label,
                code="json_not_records",
            )
    return doc
