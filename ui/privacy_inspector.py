"""The Privacy page's record inspector: the closest synthetic rows (masked by default) and one row beside its
nearest real rows."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from synth.evaluation.privacy.common import PrivacyInputError
from synth.evaluation.privacy.distances import PrivacyResult
from synth.evaluation.privacy.inputs import PrivacyInputs
from ui import cached, privacy_panels
from ui.text import md


def inspector(
    key: str, inputs: PrivacyInputs, synthetic: pd.DataFrame, result: PrivacyResult, known: Sequence[str]
) -> None:
    """Pick a synthetic row (a click on the closest rows, or its number) and show it beside its nearest real rows."""
    unmask = st.checkbox(
        "Unmask values",
        value=False,
        key="inspect_unmask",
        help="Real values of real people are hidden by default; show them only to someone allowed to see the data.",
    )
    closest = list(result.closest_rows)
    row_key = f"inspect_row|{key}"
    if closest:
        st.caption(
            f"Click a row to inspect it: the synthetic rows closest to a training row, closest first, found among "
            f"all {len(synthetic):,} synthetic rows" + ("." if unmask else "; values masked.")
        )
        shown = privacy_panels.masked(synthetic.iloc[closest[:20]], unmask)
        picked = st.dataframe(
            shown, on_select="rerun", selection_mode="single-row", key=f"closest_rows|{key}", height=250
        ).selection.rows
        # A new click sets the row below; a number typed after the click is kept until the next click.
        if picked and st.session_state.get("inspect_last_pick") != (key, picked[0]):
            st.session_state["inspect_last_pick"] = (key, picked[0])
            st.session_state[row_key] = int(closest[picked[0]])
    st.session_state.setdefault(row_key, int(closest[0]) if closest else 0)
    row = int(
        st.number_input(
            "Synthetic row to inspect",
            min_value=0,
            max_value=max(len(synthetic) - 1, 0),
            step=1,
            key=row_key,
            help="Row number in the synthetic table (0 = first): any row, or one clicked above.",
        )
    )
    try:
        inspection = cached.inspect_record(key, inputs, row, tuple(known))
    except PrivacyInputError as exc:
        st.error(md(exc))
        return
    st.markdown(md(inspection.summary()))
    st.dataframe(inspection.table(masked=not unmask), key="inspector_table")
    if not unmask:
        st.caption("Values are masked: ✓ marks a column equal to the synthetic row's, ✗ a different one.")
