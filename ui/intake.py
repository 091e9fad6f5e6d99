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

UPLOAD_TYPES = ["csv", "tsv", "txt", "parquet", "xlsx", "json", "jsonl"]


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
