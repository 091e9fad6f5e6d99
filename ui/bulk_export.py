"""Writing a synthetic table too large for a browser download to a Parquet file on the server.

Rows are streamed by :func:`synth.sampling.write_table` (the code behind ``synth sample``) in bounded memory
into the output folder (``SYNTH_OUTPUT_DIR``, default ``./synthetic-output``); the same model, seed, rows,
conditions and rebalancing give the same rows as the command line. Pressing Cancel stops the run at the next
progress update (Streamlit interrupts the script; the writer then removes its partial file).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import streamlit as st

import synth
from synth.sampling import OutputError, write_table
from ui import state
from ui.progress import StreamlitProgress
from ui.text import md

MAX_ROWS = 2_000_000_000
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


def output_dir() -> Path:
    """The folder large tables are written to: ``SYNTH_OUTPUT_DIR`` or ``./synthetic-output``."""
    return Path(os.environ.get("SYNTH_OUTPUT_DIR", "synthetic-output")).resolve()


def checked_name(name: str) -> str:
    """A plain file name ending in ``.parquet``; raises ValueError for paths, hidden names or odd characters."""
    name = name.strip()
    if not name.lower().endswith(".parquet"):
        name += ".parquet"
    if not _SAFE_NAME.match(name) or ".." in name:
        raise ValueError(
            f"{name!r} is not a plain file name: use letters, digits, '.', '_' and '-' only (it is written inside "
            f"{output_dir()})"
        )
    return name


def bulk_export(
    model: synth.Synthesizer,
    label: str,
    seed: int,
    conditions: dict[str, Any] | None,
    rebalance: dict[str, dict[Any, float]] | None,
    key: str = "bulk",
) -> None:
    """The "write N rows to a Parquet file" section of the Sample page."""
    folder = output_dir()
    with st.expander("Write a large table to a Parquet file on the server", expanded=False):
        st.caption(
            f"For sizes beyond what a browser download should carry: rows are streamed to **{folder}** in bounded "
            "memory (the same seed gives the same file; `synth sample` on the command line writes the same rows). "
            "A file of the same name is replaced."
        )
        left, right = st.columns(2)
        rows = int(
            left.number_input(
                "Rows to write", min_value=1, max_value=MAX_ROWS, value=10_000_000, step=1_000_000, key=f"{key}_rows"
            )
        )
        name = right.text_input("File name", value=f"synthetic_seed{seed}.parquet", key=f"{key}_name")
        go, stop = st.columns([3, 1])
        start = go.button(f"Write {rows:,} rows to Parquet", key=f"{key}_button", type="primary")
        # Clicking Cancel reruns the page, which interrupts a running write at its next progress update.
        if stop.button("Cancel", key=f"{key}_cancel"):
            st.info("Cancelled: the partial file was removed; nothing was written.")
        if not start:
            _show_last()
            return
        try:
            target = folder / checked_name(name)
        except ValueError as exc:
            st.error(f"**Cannot write:** {md(exc)}")
            return
        progress = StreamlitProgress(f"Writing {rows:,} rows of {label}")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            result = write_table(
                model, target, rows, seed=seed, conditions=conditions or None, rebalance=rebalance, progress=progress
            )
        except synth.Cancelled:
            st.info("Cancelled: the partial file was removed; nothing was written.")
            return
        except (OutputError, OSError) as exc:
            st.error(f"**Writing failed:** {md(exc)}")
            return
        except (synth.SynthesizerError, ValueError) as exc:
            st.error(f"**Sampling failed:** {md(exc)}")
            return
        progress.done(f"Wrote {result.n_rows:,} rows")
        state.set_written_file(result)
        _show_last()


def _show_last() -> None:
    result = state.written_file()
    if result is not None:
        st.success(
            f"Wrote **{result.n_rows:,} rows** ({result.n_bytes / 1e6:,.1f} MB) to `{result.path}` in "
            f"{result.seconds:,.1f} s ({result.rows_per_second:,.0f} rows/s)."
        )
