"""Reading an upload into the session: options, one-click fixes for too many rows or a single column.

A failed read never touches the loaded table; it leaves a message (and, where one click can fix it, an offer).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import streamlit as st

import synth
from synth.io import DEFAULT_MISSING_VALUES
from ui import cached, state
from ui.text import md

#: What the Data page's uploader offers; ``gz``: any of the text formats gzipped (``adult.csv.gz``), decompressed as
#: it is read within the same size limit (a gzipped table was refused by the widget before it reached the reader).
UPLOAD_TYPES = ["csv", "tsv", "txt", "parquet", "xlsx", "json", "jsonl", "gz"]


def max_rows() -> int:
    """The row limit, configurable with SYNTH_MAX_ROWS (default 1,000,000)."""
    return int(os.environ.get("SYNTH_MAX_ROWS", "1000000"))


@dataclass(frozen=True)
class ReadOptions:
    """What the user chose under "Reading options" (None = detect)."""

    delimiter: str | None = None
    encoding: str | None = None
    decimal: str | None = None
    sheet: str | None = None
    missing_values: tuple[str, ...] = DEFAULT_MISSING_VALUES

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "delimiter": self.delimiter,
            "encoding": self.encoding,
            "decimal": self.decimal,
            "sheet": self.sheet,
            "missing_values": self.missing_values,
        }


@dataclass(frozen=True)
class Offer:
    """A one-click way out of a read error: ``kind`` is "sample" (with ``rows``) or "single_column"."""

    kind: str
    rows: int = 0
    total: int = 0


def load(uploaded: Any, options: ReadOptions, *, sample: int | None = None, allow_single_column: bool = False) -> None:
    """Read ``uploaded`` with ``options``; on success adopt it, on failure keep the current table and explain."""
    st.session_state["data_offer"] = None
    try:
        table = cached.read_upload(
            uploaded.getvalue(),
            uploaded.name,
            cached.max_upload_bytes(),
            max_rows(),
            options,
            sample,
            allow_single_column,
        )
    except synth.TooManyRowsError as exc:
        st.session_state["data_error"] = str(exc)
        st.session_state["data_offer"] = Offer("sample", rows=exc.max_rows, total=exc.n_rows)
    except synth.SingleColumnError as exc:
        st.session_state["data_error"] = str(exc)
        st.session_state["data_offer"] = Offer("single_column")
    except synth.TableReadError as exc:
        st.session_state["data_error"] = str(exc)
    else:
        try:  # the default split: a table of one or two rows cannot leave a row on each side
            state.set_table(uploaded.name, table)
        except synth.SplitError as exc:
            st.session_state["data_error"] = f"{uploaded.name}: {exc}"
            return
        st.session_state["data_error"] = None
        st.toast(f"Loaded {md(uploaded.name)}: {len(table):,} rows × {table.shape[1]} columns")


SHOWN_LAYOUT_COLUMNS = 5


def read_caption(info: dict[str, Any], schema: synth.Schema) -> str:
    """The Data page's "Read as …" line: the reader's choices, and the columns read in their own number layout
    where it disagrees with the file's marks. The reader guesses one decimal mark for the file (“.” after a comma
    delimiter), while a column written "1.234,56 €" is read in its own layout (``ColumnSpec.number_format``):
    the line said ``decimal “.” · thousands “,”`` alone for a German ledger whose amounts were all read the other
    way round."""
    shown = {
        k: ("tab" if v == "\t" else v) for k, v in info.items() if v not in (None, "", 0, [], ()) and k != "warnings"
    }
    parts = [
        f"{k.replace('_', ' ')} {v:,}" if isinstance(v, int) else f"{k.replace('_', ' ')} “{v}”"
        for k, v in shown.items()
    ]
    own: dict[tuple[str, str, str], list[str]] = {}
    for spec in schema:
        fmt = spec.number_format
        if fmt is not None and (fmt.decimal != info.get("decimal") or fmt.thousands not in ("", info.get("thousands"))):
            own.setdefault((fmt.decimal, fmt.thousands, fmt.example()), []).append(spec.name)
    for (decimal, thousands, example), columns in own.items():
        names = ", ".join(md(c) for c in columns[:SHOWN_LAYOUT_COLUMNS])
        if len(columns) > SHOWN_LAYOUT_COLUMNS:
            names += f" and {len(columns) - SHOWN_LAYOUT_COLUMNS:,} more"
        marks = f"decimal “{decimal}”" + (f" thousands “{thousands}”" if thousands else "")
        parts.append(f"{names} read in their own layout: {marks} (like {md(example)})")
    return "Read as " + " · ".join(parts)
