"""JSON records and JSON Lines; nesting deeper than :data:`~synth.io.limits.MAX_JSON_DEPTH` is refused."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from synth.io.columns import _python_column
from synth.io.errors import TableReadError
from synth.io.limits import MAX_JSON_DEPTH, LimitExceededError, check
from synth.io.options import ReadOptions


def _read_json(data: bytes, opts: ReadOptions, *, jsonl: bool) -> tuple[pa.Table, list[str], str]:
    label = opts.label
    text = data.decode("utf-8")
    del data
    layout = "jsonl" if jsonl else "json"
    doc: Any
    if not jsonl:
        try:
            doc = _loads(text, label)
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
                doc.append(_loads(line, label))
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
        # A record whose nested object is null keeps the parent's name as a column of its own, missing
        # everywhere (the other records filled parent.field columns): the fields already say it is missing.
        names = [str(c) for c in frame.columns]
        parents = [c for c in names if any(o.startswith(f"{c}.") for o in names) and frame[c].isna().all()]
        frame = frame.drop(columns=parents)
    else:
        frame = pd.DataFrame.from_records(records)
    del records, doc
    names = [str(c) for c in frame.columns]
    check(label, "columns", len(names), "max_columns", opts.max_columns)
    check(label, "cells", len(names) * len(frame), "max_cells", opts.max_cells)
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


def _loads(text: str, label: str) -> Any:
    """``json.loads`` with the nesting limited to :data:`MAX_JSON_DEPTH` and numbers Python refuses reported."""
    try:
        doc = json.loads(text)
    except RecursionError as exc:
        raise _too_deep(label) from exc
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise TableReadError(
            f"{label} holds a value that cannot be read as a number ({exc}). Fix the file or export it again.",
            file=label,
            code="json_invalid",
        ) from exc
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:  # without recursion: the check must not itself overflow the stack
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep(label)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return doc


def _too_deep(label: str) -> LimitExceededError:
    return LimitExceededError(
        f"{label} nests values more than {MAX_JSON_DEPTH} levels deep; a table's records nest a few levels. "
        'Flatten it into a list of records such as [{"age": 39, "city": "Oslo"}, ...].',
        file=label,
        limit="MAX_JSON_DEPTH",
        value=MAX_JSON_DEPTH + 1,
        maximum=MAX_JSON_DEPTH,
    )
